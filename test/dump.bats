#!/usr/bin/env bats
# criu-lite dump on real trees built by mktree, with each freezer: the images must describe the
# live tree exactly (our ps, crit's ps, and /proc read independently), and the tree must run on
# afterwards as it was: same states, not frozen, not traced, in the same cgroups.

load helpers

setup() {
	IMG="$BATS_TEST_TMPDIR/img"
	MOUNTS=()
}

teardown() {
	helpers_teardown
	local m
	for m in "${MOUNTS[@]}"; do
		umount "$m"
	done
}

# make_tree SPEC: mktree_start, in the cgroup $MKTREE_CGROUP when set. Sets ROOT.
make_tree() {
	mktree_start ${MKTREE_CGROUP:+--cgroup "$MKTREE_CGROUP"} "$1"
}

# wait_gone PID: true once PID has exited (5 s at most).
wait_gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -e "/proc/$1" ] || return 0
		[ "$(stat_field "$1" 3 2>/dev/null)" = Z ] && return 0
		sleep 0.05
	done
	return 1
}

# The live tree as "pid ppid pgid sid state comm" read straight from /proc/PID/stat, to check
# criu-lite's own parser against.
proc_view() {
	local root=$1 pid line rest
	for pid in $(tree_pids "$root"); do
		line=$(cat "/proc/$pid/stat")
		rest=${line##*) }
		set -- $rest
		local comm=${line#*(}
		comm=${comm%)*}
		local state=alive
		case $1 in Z) state=zombie ;; T) state=stopped ;; esac
		[ "$pid" = "$root" ] && set -- "$1" 0 "$3" "$4"
		echo "$pid $2 $3 $4 $state $comm"
	done | sort -n
}

images_view() {
	"$CRIU_LITE" ps -D "$1" --json |
		jq -r '.processes[] | "\(.pid) \(.ppid) \(.pgid) \(.sid) \(.state) \(.comm)"' | sort -n
}

# Dumps SPEC's tree with the extra dump options given, and checks everything a dump promises.
check_dump() {
	local spec=$1
	shift
	local root before_json before_cg
	make_tree "$spec"
	root=$ROOT
	before_json=$("$CRIU_LITE" ps -t "$root" --json)
	before_cg=$(cgroups_of_tree "$root")

	run "$CRIU_LITE" dump -t "$root" -D "$IMG" "$@"
	assert_success
	assert_output ""

	# 1. The images hold the tree that was there, field by field (threads included).
	run "$CRIU_LITE" ps -D "$IMG" --json
	assert_success
	assert_equal "$output" "$before_json"
	# 2. ... which is also what /proc says, read without criu-lite.
	assert_equal "$(images_view "$IMG")" "$(proc_view "$root")"
	# 3. CRIU's own decoder reads the same tree.
	run crit x "$IMG" ps
	assert_success
	assert_equal "$(echo "$output" | awk 'NR > 1 { print $1, $2, $3, $4 }' | sort -n)" \
		"$("$CRIU_LITE" ps -D "$IMG" --json | jq -r '.processes[] | "\(.pid) \(.pgid) \(.sid) \(.comm)"' | sort -n)"
	# 4. Every image decodes with crit, and with criu-lite show.
	local f
	for f in "$IMG"/*.img; do
		[[ $f == */pages-*.img ]] || crit show "$f" >/dev/null || fail "crit cannot decode $f"
		"$CRIU_LITE" show "$f" >/dev/null || fail "criu-lite show cannot decode $f"
	done
	# 5. The tree runs on as it was.
	assert_equal "$("$CRIU_LITE" ps -t "$root" --json)" "$before_json"
	assert_not_frozen "$root"
	assert_equal "$(cgroups_of_tree "$root")" "$before_cg"
	# 6. No temporary directory or cgroup is left behind.
	assert_equal "$(ls -a "$BATS_TEST_TMPDIR" | grep -c criu-lite-)" 0
	assert_equal "$(ls /sys/fs/cgroup/freezer | grep -c '^criu-lite\.')" 0
}

SHAPES=(
	"p"
	"p(p p(p p) p)"
	"p[t3](p[T] p p[t1])"
	"p[sid](p[pg](p p) p[pg](p))"
	"p[sub](p[sid,exit](p p[pg]) p[z=3] p[zs=9] p[stop])"
	"p(p(p(p(p(p(p(p(p(p(p(p(p(p(p(p(p(p(p(p)))))))))))))))))))"
	"p(p*100)"
)

@test "dump: every shape, auto freezer (temporary v1 cgroup)" {
	local s
	for s in "${SHAPES[@]}"; do
		rm -rf "$IMG"
		check_dump "$s"
		kill_tree "$ROOT"
	done
}

@test "dump: every shape, ptrace freezer" {
	local s
	for s in "${SHAPES[@]}"; do
		rm -rf "$IMG"
		check_dump "$s" --freezer=ptrace
		kill_tree "$ROOT"
	done
}

@test "dump: a tree alone in its own v2 cgroup is frozen through that cgroup" {
	local cg
	new_cgroup cg v2
	MKTREE_CGROUP=$cg check_dump "p[t2](p[T] p[stop] p[z=1])" -v3 -o "$BATS_TEST_TMPDIR/log"
	grep -q "lives alone in $cg" "$BATS_TEST_TMPDIR/log"
	assert_equal "$(cat "$cg/cgroup.freeze")" 0
	kill_tree "$ROOT"
	rm -rf "$IMG"
	MKTREE_CGROUP=$cg check_dump "p(p p)" --freezer=v2
}

@test "dump: a tree alone in its own v1 freezer cgroup is frozen through that cgroup" {
	local cg
	new_cgroup cg v1
	MKTREE_CGROUP=$cg check_dump "p(p[stop] p[t1])" -v3 -o "$BATS_TEST_TMPDIR/log"
	grep -q "lives alone in $cg" "$BATS_TEST_TMPDIR/log"
	assert_equal "$(cat "$cg/freezer.state")" THAWED
}

@test "dump: --freeze-cgroup of a cgroup someone else froze leaves it frozen" {
	local cg root
	new_cgroup cg v2
	MKTREE_CGROUP=$cg make_tree "p(p p[t1])"
	root=$ROOT
	local want
	want=$("$CRIU_LITE" ps -t "$root" --json)
	echo 1 >"$cg/cgroup.freeze"
	run "$CRIU_LITE" dump -t "$root" -D "$IMG" --freeze-cgroup "$cg"
	assert_success
	assert_equal "$(cat "$cg/cgroup.freeze")" 1
	grep -q "frozen 1" "$cg/cgroup.events"
	assert_equal "$("$CRIU_LITE" ps -D "$IMG" --json)" "$want"
	echo 0 >"$cg/cgroup.freeze"
}

@test "dump: a forced --freezer=v2 on a tree without its own cgroup fails cleanly" {
	local root
	make_tree "p(p)"
	root=$ROOT
	run "$CRIU_LITE" dump -t "$root" -D "$IMG" --freezer=v2
	assert_failure
	assert_line --partial "does not live alone in a v2 cgroup"
	[ ! -e "$IMG" ]
	assert_not_frozen "$root"
}

@test "dump: --leave-stopped leaves the tree frozen, --kill kills it after a complete dump" {
	local root cg
	make_tree "p(p p)"
	root=$ROOT
	run "$CRIU_LITE" dump -t "$root" -D "$IMG" --leave-stopped
	assert_success
	cg=$(echo "$output" | sed -n 's/^the tree is left frozen in //p')
	[ -n "$cg" ]
	track_cgroup "$cg"
	assert_equal "$(cat "$cg/freezer.state")" FROZEN
	grep -qx "$root" "$cg/cgroup.procs"
	echo THAWED >"$cg/freezer.state"
	_remove_cgroup "$cg"

	make_tree "p(p p(p))"
	root=$ROOT
	local pids
	pids=$(tree_pids "$root")
	run "$CRIU_LITE" dump -t "$root" -D "$IMG.2" --kill
	assert_success
	assert_equal "$("$CRIU_LITE" ps -D "$IMG.2" --json | jq -r '.processes[].pid' | sort -n)" \
		"$(echo "$pids" | sort -n)"
	local p
	for p in $pids; do
		wait_gone "$p" || fail "$p survived --kill"
	done
	assert_equal "$(ls /sys/fs/cgroup/freezer | grep -c '^criu-lite\.')" 0
}

@test "dump: the images record states, exit codes, threads and credentials" {
	local root
	make_tree "p[sub,name=rooty](p[z=7] p[zs=9] p[stop,name=stopper] p[t4,name=threads])"
	root=$ROOT
	run "$CRIU_LITE" dump -t "$root" -D "$IMG"
	assert_success
	local json
	json=$("$CRIU_LITE" ps -D "$IMG" --json)
	assert_equal "$(jq -r '.processes[] | select(.state == "zombie") | .exit_code' <<<"$json" | sort -n | tr '\n' ' ')" "9 1792 "
	assert_equal "$(jq -r '.processes[] | select(.state == "stopped") | .comm' <<<"$json")" stopper
	assert_equal "$(jq -r '.processes[] | select(.comm == "threads") | .threads | length' <<<"$json")" 5
	assert_equal "$(jq -r '.processes[0].comm' <<<"$json")" rooty
	# The core image of the stopped task holds 3 (crit 3.17 mislabels 3 as "Zombie").
	local stopped
	stopped=$(jq -r '.processes[] | select(.state == "stopped") | .pid' <<<"$json")
	assert_equal "$("$CRIU_LITE" show "$IMG/core-$stopped.img" | jq '.entries[0].tc.task_state')" 3
	# Credentials and scheduling of a thread, against /proc.
	local tpid tid
	tpid=$(jq -r '.processes[] | select(.comm == "threads") | .pid' <<<"$json")
	tid=$(jq -r '.processes[] | select(.comm == "threads") | .threads[2]' <<<"$json")
	run "$CRIU_LITE" show "$IMG/core-$tid.img"
	assert_success
	assert_equal "$(jq '.entries[0].thread_core.creds.uid' <<<"$output")" "$(awk '/^Uid:/ { print $2 }' /proc/$tpid/task/$tid/status)"
	assert_equal "$(jq '.entries[0].thread_core.blk_sigset' <<<"$output")" \
		"$(printf '%d' 0x"$(awk '/^SigBlk:/ { print $2 }' /proc/$tpid/task/$tid/status)")"
	assert_equal "$(jq '.entries[0].thread_core.creds.cap_eff[0]' <<<"$output")" \
		"$(printf '%d' 0x"$(awk '/^CapEff:/ { print substr($2, 9) }' /proc/$tpid/task/$tid/status)")"
	assert_equal "$(jq '.entries[0] | has("tc")' <<<"$output")" false
	# ids: threads share the mm; two separate processes do not.
	assert_equal "$(crit show "$IMG/ids-$tpid.img" | jq '.entries[0].vm_id')" \
		"$(crit show "$IMG/ids-$tpid.img" | jq '.entries[0].vm_id')"
	[ "$(crit show "$IMG/ids-$root.img" | jq '.entries[0].vm_id')" != \
		"$(crit show "$IMG/ids-$tpid.img" | jq '.entries[0].vm_id')" ]
}

@test "dump: bad input gives one error line, a non-zero exit, and no image directory" {
	local root
	run "$CRIU_LITE" dump -t 999999999 -D "$IMG"
	assert_failure
	run "$CRIU_LITE" dump -t 4194000 -D "$IMG"
	assert_failure
	assert_output "criu-lite: error: no process with pid 4194000"
	[ ! -e "$IMG" ]
	run "$CRIU_LITE" dump -t abc -D "$IMG"
	assert_failure
	assert_line --index 0 "criu-lite: invalid pid 'abc'"
	run "$CRIU_LITE" dump -D "$IMG"
	assert_failure
	assert_line --partial "Try 'criu-lite --help'"
	run "$CRIU_LITE" dump -t 1 -D "$IMG"
	assert_failure
	assert_output --partial "refusing"
	# An ancestor of criu-lite: freezing it would freeze the dumper.
	run "$CRIU_LITE" dump -t $$ -D "$IMG"
	assert_failure
	assert_output --partial "holds criu-lite itself"
	assert_not_frozen $$
	[ ! -e "$IMG" ]

	make_tree "p(p)"
	root=$ROOT
	mkdir -p "$IMG" && touch "$IMG/x"
	run "$CRIU_LITE" dump -t "$root" -D "$IMG"
	assert_failure
	assert_output "criu-lite: error: $IMG is not empty; give a new or empty directory"
	run "$CRIU_LITE" dump -t "$root" -D /proc/none/img
	assert_failure
	assert_equal "${#lines[@]}" 1
	assert_not_frozen "$root"
}

@test "dump: a directory that fills up fails cleanly and removes its temporary files" {
	local root mnt=$BATS_TEST_TMPDIR/small
	mkdir "$mnt"
	mount -t tmpfs -o size=64k tmpfs "$mnt"
	MOUNTS+=("$mnt")
	make_tree "p(p*200)"
	root=$ROOT
	local opt
	for opt in --leave-running --leave-stopped --kill; do
		run "$CRIU_LITE" dump -t "$root" -D "$mnt/img" "$opt" --shape-only
		assert_failure
		assert_output --partial "No space left on device"
		assert_equal "$(ls -A "$mnt")" ""
		# A failed dump leaves the tree running, whatever it was asked to do after success.
		assert_not_frozen "$root"
		assert_equal "$(tree_pids "$root" | wc -l)" 201
	done
	assert_equal "$(ls /sys/fs/cgroup/freezer | grep -c '^criu-lite\.')" 0
}

@test "ps: a live tree and its images print the same table, and crit agrees" {
	local root
	make_tree "p[t2](p p(p[stop]))"
	root=$ROOT
	"$CRIU_LITE" dump -t "$root" -D "$IMG"
	diff -u <("$CRIU_LITE" ps -D "$IMG") <("$CRIU_LITE" ps -t "$root")
	run "$CRIU_LITE" ps -D "$IMG"
	assert_line --index 0 --regexp '^ *PID +PPID +PGID +SID +STATE +THREADS +COMMAND$'
	assert_line --index 1 --regexp "^ *$root +0 .* alive +3 +mktree$"
}

@test "show: decodes images to JSON with crit's field names" {
	local root
	make_tree "p(p)"
	root=$ROOT
	"$CRIU_LITE" dump -t "$root" -D "$IMG"
	run "$CRIU_LITE" show "$IMG/pstree.img"
	assert_success
	assert_equal "$(jq -c '.magic, [.entries[] | .pid]' <<<"$output")" "$(crit show "$IMG/pstree.img" | jq -c '.magic, [.entries[] | .pid]')"
	assert_equal "$(jq -r '.entries[0].img_version' < <("$CRIU_LITE" show "$IMG/inventory.img"))" 2
	run "$CRIU_LITE" show "$IMG/core-$root.img"
	assert_equal "$(jq -r '.entries[0].tc.comm' <<<"$output")" mktree
	assert_equal "$(jq -r '.entries[0].mtype' <<<"$output")" X86_64
	echo garbage-garbage >"$BATS_TEST_TMPDIR/bad.img"
	run "$CRIU_LITE" show "$BATS_TEST_TMPDIR/bad.img"
	assert_failure
	assert_output --partial "unknown image magic"
}

@test "demo: a tree of real programs (shell pipeline, python3 threads, forking loop) dumps exactly" {
	CRIU_LITE=$CRIU_LITE run bash "${top_srcdir:-$BATS_TEST_DIRNAME/..}/scripts/demo-tree.sh"
	assert_success
	assert_line --regexp '^== the live tree \(criu-lite ps -t [0-9]+\) is identical to the images$'
	# The images hold the demo's programs and python3's four threads.
	assert_line --regexp '^ *[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ alive +4 .*python3$'
	assert_line --regexp 'cat$'
	assert_line --regexp 'sleep$'
	# crit's listing has as many processes as ours.
	local ours crits
	ours=$(printf '%s\n' "${lines[@]}" | sed -n '/ps -D/,/identical/p' | grep -cE '^ *[0-9]+ +[0-9]+ ')
	crits=$(printf '%s\n' "${lines[@]}" | sed -n '/crit x/,/after the dump/p' | grep -cE '^ *[0-9]+ ')
	assert_equal "$ours" 9
	assert_equal "$crits" 9
	refute_line --partial "still stopped or frozen"
}

@test "dump: bad image directories are refused before the tree is touched" {
	mktree_start "p(p)"
	local mnt=$BATS_TEST_TMPDIR/mnt
	run "$CRIU_LITE" dump -t "$ROOT" -D ''
	assert_failure
	assert_output "criu-lite: error: -D needs a directory name"
	run "$CRIU_LITE" dump -t "$ROOT" -D /sys/fs/cgroup/freezer/criu-lite-images
	assert_failure
	assert_output --partial "pseudo file system"
	[ ! -e /sys/fs/cgroup/freezer/criu-lite-images ]
	mkdir "$mnt"
	mount -t tmpfs tmpfs "$mnt"
	MOUNTS+=("$mnt")
	run "$CRIU_LITE" dump -t "$ROOT" -D "$mnt"
	assert_failure
	assert_output "criu-lite: error: $mnt is a mount point: give a directory inside it"
	run "$CRIU_LITE" dump -t "$ROOT" -D /nonexistent/img
	assert_failure
	assert_output "criu-lite: error: cannot create /nonexistent/img: /nonexistent is not a directory"
	assert_not_frozen "$ROOT"
	# A symlink to an empty directory is followed: the images land in the directory.
	mkdir "$BATS_TEST_TMPDIR/real"
	ln -s "$BATS_TEST_TMPDIR/real" "$BATS_TEST_TMPDIR/link"
	run "$CRIU_LITE" dump -t "$ROOT" -D "$BATS_TEST_TMPDIR/link"
	assert_success
	[ -L "$BATS_TEST_TMPDIR/link" ]
	[ -e "$BATS_TEST_TMPDIR/real/pstree.img" ]
}

@test "ps -D: an incomplete image directory is an error, not a smaller tree" {
	mktree_start "p[t2](p p(p))"
	"$CRIU_LITE" dump -t "$ROOT" -D "$IMG" --shape-only
	local bad=$BATS_TEST_TMPDIR/bad
	# pstree.img cut after its first entry still parses: the other tasks' cores give it away.
	cp -r "$IMG" "$bad"
	local first
	first=$(python3 -c 'import struct, sys; d = open(sys.argv[1], "rb").read(); print(8 + 4 + struct.unpack_from("<I", d, 8)[0])' "$IMG/pstree.img")
	head -c "$first" "$IMG/pstree.img" >"$bad/pstree.img"
	run "$CRIU_LITE" ps -D "$bad"
	assert_failure
	assert_output --regexp "core-[0-9]+\.img belongs to no task of pstree.img"
	rm -rf "$bad" && cp -r "$IMG" "$bad" && rm "$bad/inventory.img"
	run "$CRIU_LITE" ps -D "$bad"
	assert_failure
	assert_output --partial "inventory.img"
	rm -rf "$bad" && cp -r "$IMG" "$bad"
	local tid
	tid=$("$CRIU_LITE" ps -D "$IMG" --json | jq '.processes[0].threads[1]')
	rm "$bad/core-$tid.img"
	run "$CRIU_LITE" ps -D "$bad"
	assert_failure
	assert_output --partial "core-$tid.img"
	run "$CRIU_LITE" ps -D "$IMG"
	assert_success
}
