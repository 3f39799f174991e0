#!/usr/bin/env bats
# criu-lite dump of memory: a process with known memory (test/memtest) is dumped, and its
# pages are checked byte for byte in pages-N.img at the places pagemap-PID.img gives them;
# pages that hold nothing of their own (never touched, the zero page, file pages not written)
# must be absent; mm-PID.img must list the VMAs of /proc/PID/maps; crit must read it all; and
# the process must run on with its memory unchanged.

load helpers

: "${MEMTEST:=$top_builddir/test/memtest}"

setup() {
	IMG="$BATS_TEST_TMPDIR/img"
	STATUS="$BATS_TEST_TMPDIR/status"
}

teardown() {
	helpers_teardown
}

# start_memtest [memtest options]: sets MT_JSON and MT_PID, tracks the process.
start_memtest() {
	MT_JSON=$("$MEMTEST" --dir "$BATS_TEST_TMPDIR" --status "$STATUS" "$@") ||
		fail "memtest $* failed with status $?"
	MT_PID=$(jq -r .pid <<< "$MT_JSON")
	[[ $MT_PID =~ ^[0-9]+$ ]] || fail "memtest printed '$MT_JSON'"
	track_root "$MT_PID"
}

# memtest_status: let memtest check itself, print what it says.
memtest_status() { self_check "$MT_PID" "$STATUS"; }

# maps_ranges PID: "start end" (hex, no 0x) of every VMA in /proc/PID/maps.
maps_ranges() {
	awk '{ split($1, r, "-"); print r[1], r[2] }' "/proc/$1/maps"
}

# image_ranges DIR PID: the same for the VMAs of mm-PID.img.
image_ranges() {
	crit show "$1/mm-$2.img" |
		jq -r '.entries[0].vmas[] | "\(.start) \(.end)"' | sed 's/0x//g'
}

# check_pages DIR JSON: every region of memtest's report against the images. Prints what is
# wrong, and on success one line per region: "name: N pages dumped".
check_pages() {
	crit show "$1/pagemap-$MT_PID.img" > "$BATS_TEST_TMPDIR/pagemap.json" || return 1
	crit show "$1/mm-$MT_PID.img" > "$BATS_TEST_TMPDIR/mm.json" || return 1
	python3 - "$1" "$BATS_TEST_TMPDIR/pagemap.json" "$2" "$BATS_TEST_TMPDIR/mm.json" <<'EOF'
import bisect, json, os, struct, sys

PAGE = 4096
imgdir, pagemap_path, report = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
entries = json.load(open(pagemap_path))["entries"]
pages_id = entries[0]["pages_id"]
vmas = [(int(v["start"], 16), int(v["end"], 16))
        for v in json.load(open(sys.argv[4]))["entries"][0]["vmas"]]
starts = [v[0] for v in vmas]

def in_vma(addr):
    i = bisect.bisect_right(starts, addr) - 1
    return i >= 0 and addr < vmas[i][1]

where = {}  # page address -> offset in pages-N.img
offset = 0
for e in entries[1:]:
    vaddr = int(e["vaddr"], 16)
    assert vaddr % PAGE == 0, e
    for i in range(e["nr_pages"]):
        if vaddr + i * PAGE in where:
            sys.exit("page %#x is in pagemap twice" % (vaddr + i * PAGE))
        if not in_vma(vaddr + i * PAGE):
            sys.exit("page %#x is in no VMA of mm-%d.img" % (vaddr + i * PAGE, report["pid"]))
        where[vaddr + i * PAGE] = offset
        offset += PAGE
pages = open(os.path.join(imgdir, "pages-%d.img" % pages_id), "rb")
size = os.fstat(pages.fileno()).st_size
if size != offset:
    sys.exit("pages-%d.img holds %d bytes, pagemap says %d" % (pages_id, size, offset))

def pattern(addr):
    pg = addr >> 12
    return struct.pack("<Q", addr) + bytes((i * 7 + 3 + pg) & 0xFF for i in range(8, PAGE))

bad = []
for r in report["regions"]:
    dumped = 0
    for off in range(0, r["size"], PAGE):
        addr = r["addr"] + off
        want = r["expect"] == "pattern" or (r["expect"] == "file" and off == PAGE)
        if addr not in where:
            if want:
                bad.append("%s: page %#x is not in the dump" % (r["name"], addr))
            continue
        dumped += 1
        if not want:
            bad.append("%s: page %#x is dumped and should not be" % (r["name"], addr))
            continue
        pages.seek(where[addr])
        if pages.read(PAGE) != pattern(addr):
            bad.append("%s: page %#x differs in pages-%d.img at %d"
                       % (r["name"], addr, pages_id, where[addr]))
    print("%s: %d pages dumped" % (r["name"], dumped))
if bad:
    sys.exit("\n".join(bad[:20]))
EOF
}

@test "memory: pattern pages byte for byte, untouched, zero and clean file pages absent" {
	start_memtest
	maps_ranges "$MT_PID" > "$BATS_TEST_TMPDIR/maps.before"

	run "$CRIU_LITE" dump -t "$MT_PID" -D "$IMG"
	assert_success
	assert_output ""

	run check_pages "$IMG" "$MT_JSON"
	assert_success
	assert_line "global: 16 pages dumped"
	assert_line "heap: 16 pages dumped"
	assert_line "anon: 256 pages dumped"
	assert_line "untouched: 0 pages dumped"
	assert_line "zero: 0 pages dumped"
	assert_line "prot_none: 2 pages dumped"
	assert_line "file: 1 pages dumped"

	# The VMAs of mm-PID.img are those of /proc/PID/maps.
	assert_equal "$(image_ranges "$IMG" "$MT_PID")" "$(cat "$BATS_TEST_TMPDIR/maps.before")"

	# The process runs on, unchanged, not frozen, its layout as before.
	assert_not_frozen "$MT_PID"
	assert_equal "$(memtest_status)" "ok"
	assert_equal "$(maps_ranges "$MT_PID")" "$(cat "$BATS_TEST_TMPDIR/maps.before")"
}

@test "memory: mm image fields, special VMAs and files.img" {
	start_memtest
	run "$CRIU_LITE" dump -t "$MT_PID" -D "$IMG"
	assert_success

	local mm
	mm=$(crit show "$IMG/mm-$MT_PID.img" | jq -c '.entries[0]')
	# exe: a regular file entry naming the memtest binary.
	run jq -r --argjson id "$(jq .exe_file_id <<< "$mm")" \
		'.entries[] | select(.id == $id) | .reg.name' <(crit show "$IMG/files.img")
	assert_success
	assert_output "$(readlink "/proc/$MT_PID/exe")"
	# auxv: what /proc says, word for word.
	assert_equal "$(jq -c '.mm_saved_auxv' <<< "$mm")" \
		"$(od -An -v -t u8 "/proc/$MT_PID/auxv" | jq -sc '.')"
	# the layout fields: /proc/PID/stat fields 26, 27, 28 (start_code end_code start_stack)
	local -a st
	read -r -a st <<< "$(sed 's/.*) //' "/proc/$MT_PID/stat")"
	assert_equal "$(jq -r '.mm_start_code, .mm_end_code, .mm_start_stack' <<< "$mm" |
		xargs printf '%d\n')" "$(printf '%s\n' "${st[23]}" "${st[24]}" "${st[25]}")"
	# special VMAs: [vdso] dumped whole; [vvar] and [vvar_vclock] never; [vsyscall] not regular.
	local vdso vvar
	vdso=$(awk '/\[vdso\]/ { print $1 }' "/proc/$MT_PID/maps")
	run jq -r --arg s "0x${vdso%-*}" '.entries[1:][] | select(.vaddr == $s) | .nr_pages' \
		<(crit show "$IMG/pagemap-$MT_PID.img")
	assert_success
	assert_output "$(((0x${vdso#*-} - 0x${vdso%-*}) / 4096))"
	for vvar in $(awk '/\[vvar/ { print $1 }' "/proc/$MT_PID/maps"); do
		run jq -r --arg s "0x${vvar%-*}" \
			'.entries[0].vmas[] | select(.start == $s) | .status' \
			<(crit show "$IMG/mm-$MT_PID.img")
		assert_output --regexp 'VVAR'
	done
	# file VMAs point at files.img entries with the mapped names.
	run bash -c "crit show '$IMG/mm-$MT_PID.img' | jq -r '.entries[0].vmas[] |
		select(.status | test(\"FILE\")) | .shmid' | sort -u | wc -l"
	assert_success
	[ "$output" -ge 3 ] # the binary, libc, the mapped file (ld.so too)
}

@test "memory: crit x mems and rss read the dump" {
	start_memtest
	run "$CRIU_LITE" dump -t "$MT_PID" -D "$IMG"
	assert_success

	run crit x "$IMG" mems
	assert_success
	assert_line --partial "$BATS_TEST_TMPDIR/memtest-file.$MT_PID"
	assert_line --partial "[vdso]"
	assert_line --partial "[stack]"
	run crit x "$IMG" rss
	assert_success
	assert_line --index 0 "$MT_PID"
}

@test "memory: a 64 MiB dirtied buffer is dumped as exactly 16384 pages" {
	start_memtest --big 64
	run "$CRIU_LITE" dump -t "$MT_PID" -D "$IMG"
	assert_success

	run check_pages "$IMG" "$MT_JSON"
	assert_success
	assert_line "big: 16384 pages dumped"
	assert_equal "$(memtest_status)" "ok"
}

@test "memory: the same with the ptrace freezer" {
	start_memtest
	run "$CRIU_LITE" dump -t "$MT_PID" -D "$IMG" --freezer=ptrace
	assert_success
	run check_pages "$IMG" "$MT_JSON"
	assert_success
	assert_line "anon: 256 pages dumped"
	assert_line "prot_none: 2 pages dumped"
	assert_not_frozen "$MT_PID"
	assert_equal "$(memtest_status)" "ok"
}

@test "memory: every live process of a tree has its own mm, pagemap and pages images" {
	mktree_start 'p(p[t2] p[z=3] p[stop] p(p))'
	local pid state ids=() id
	run "$CRIU_LITE" dump -t "$ROOT" -D "$IMG"
	assert_success
	for pid in "${MKTREE_PIDS[@]}"; do
		state=$(proc_state "$pid")
		if [ "$state" = Z ]; then
			[ ! -e "$IMG/mm-$pid.img" ] || fail "zombie $pid has an mm image"
			[ ! -e "$IMG/pagemap-$pid.img" ] || fail "zombie $pid has a pagemap image"
			continue
		fi
		assert_equal "$(image_ranges "$IMG" "$pid")" "$(maps_ranges "$pid")"
		id=$(crit show "$IMG/pagemap-$pid.img" | jq -r '.entries[0].pages_id')
		[ -f "$IMG/pages-$id.img" ] || fail "pages-$id.img of $pid is missing"
		ids+=("$id")
	done
	# pages ids are 1..N, one per live process
	assert_equal "$(printf '%s\n' "${ids[@]}" | sort -n | tr '\n' ' ')" \
		"$(seq 1 "${#ids[@]}" | tr '\n' ' ')"
	# (no crit x rss here: crit wants an mm image for zombies too, which CRIU does not write)
}
