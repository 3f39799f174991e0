#!/usr/bin/env bats
# criu-lite dump of file descriptors: a process with known descriptors (test/filetest: a
# pattern file at offset 1234 with two dups, a pipe holding 100 unread bytes, /dev/null with
# FD_CLOEXEC, cwd in a known directory, and a forked child sharing it all) is dumped; fdinfo,
# files.img, fs and pipes-data images must say so, crit must read them, and the process must
# run on with its offsets and pipe contents unchanged. Sockets fail the dump unless skipped.

load helpers

: "${FILETEST:=$top_builddir/test/filetest}"

setup() {
	IMG="$BATS_TEST_TMPDIR/img"
	STATUS="$BATS_TEST_TMPDIR/status"
	DATA="$BATS_TEST_TMPDIR/data"
	mkdir -p "$DATA"
}

teardown() {
	helpers_teardown
}

# start_filetest [filetest options]: sets FT_JSON, FT_PID, FT_CHILD, tracks the tree.
start_filetest() {
	FT_JSON=$("$FILETEST" --dir "$DATA" --status "$STATUS" "$@") ||
		fail "filetest $* failed with status $?"
	FT_PID=$(jq -r .pid <<< "$FT_JSON")
	FT_CHILD=$(jq -r .child <<< "$FT_JSON")
	[[ $FT_PID =~ ^[0-9]+$ && $FT_CHILD =~ ^[0-9]+$ ]] || fail "filetest printed '$FT_JSON'"
	track_root "$FT_PID"
}

ft() { jq -r ".$1" <<< "$FT_JSON"; }

# filetest_status: let filetest check itself, print what it says.
filetest_status() { self_check "$FT_PID" "$STATUS"; }

# fdinfo_pos PID FD: the file position the kernel shows
fdinfo_pos() {
	awk '$1 == "pos:" { print $2 }' "/proc/$1/fdinfo/$2"
}

# show IMAGE: criu-lite show's JSON of one image of the dump
show() {
	"$CRIU_LITE" show "$IMG/$1"
}

# fd_entry PID FD: the fdinfo entry of FD in the files table of PID
fd_entry() {
	local fid
	fid=$(show "ids-$1.img" | jq -r '.entries[0].files_id') || return 1
	show "fdinfo-$fid.img" | jq -c ".entries[] | select(.fd == $2)"
}

# file_entry ID: the files.img entry with that id
file_entry() {
	show files.img | jq -c ".entries[] | select(.id == $1)"
}

@test "files: fds, shared descriptions, offsets, cwd and pipe contents are dumped" {
	local reg pipe_r pipe_w null ino fd id e want_fds got_fds files fid cfid

	start_filetest
	reg=$(ft reg) pipe_r=$(ft pipe_r) pipe_w=$(ft pipe_w) null=$(ft null)
	ino=$(stat -L -c %i "/proc/$FT_PID/fd/$pipe_r")
	want_fds=$(find "/proc/$FT_PID/fd" -mindepth 1 -printf '%f\n' | sort -n | tr '\n' ' ')
	[[ $(fdinfo_pos "$FT_PID" "$reg") == 1234 ]]

	run "$CRIU_LITE" dump -t "$FT_PID" -D "$IMG"
	assert_success
	assert_not_frozen "$FT_PID"

	# one fdinfo image per files table, every open fd in it
	fid=$(show "ids-$FT_PID.img" | jq -r '.entries[0].files_id')
	cfid=$(show "ids-$FT_CHILD.img" | jq -r '.entries[0].files_id')
	[[ $fid != "$cfid" ]]
	got_fds=$(show "fdinfo-$fid.img" | jq -r '.entries[].fd' | sort -n | tr '\n' ' ')
	assert_equal "$got_fds" "$want_fds"

	# the pattern file: reg, dup and high share one REG entry at offset 1234
	id=$(fd_entry "$FT_PID" "$reg" | jq -r .id)
	for fd in "$(ft dup)" "$(ft high)"; do
		assert_equal "$(fd_entry "$FT_PID" "$fd" | jq -r .id)" "$id"
	done
	e=$(file_entry "$id")
	assert_equal "$(jq -r .type <<< "$e")" REG
	assert_equal "$(jq -r .reg.name <<< "$e")" "$(ft file)"
	assert_equal "$(jq -r .reg.pos <<< "$e")" 1234
	assert_equal "$(jq -r .reg.size <<< "$e")" 4096
	assert_equal "$(fd_entry "$FT_PID" "$reg" | jq -r .flags)" 0

	# /dev/null with O_CLOEXEC: FD_CLOEXEC in fdinfo, a REG entry by path
	assert_equal "$(fd_entry "$FT_PID" "$null" | jq -r .flags)" 1
	assert_equal "$(file_entry "$(fd_entry "$FT_PID" "$null" | jq -r .id)" | jq -r .reg.name)" \
		/dev/null

	# the pipe: two ends, two PIPE entries named by the pipe's inode
	e=$(file_entry "$(fd_entry "$FT_PID" "$pipe_r" | jq -r .id)")
	assert_equal "$(jq -r .type <<< "$e")" PIPE
	assert_equal "$(jq -r .pipe.pipe_id <<< "$e")" "$ino"
	e=$(file_entry "$(fd_entry "$FT_PID" "$pipe_w" | jq -r .id)")
	assert_equal "$(jq -r .type <<< "$e")" PIPE
	assert_equal "$(jq -r .pipe.pipe_id <<< "$e")" "$ino"
	[[ $(fd_entry "$FT_PID" "$pipe_r" | jq -r .id) != $(fd_entry "$FT_PID" "$pipe_w" | jq -r .id) ]]

	# the child inherited every description: the same files.img ids fd for fd
	for fd in $want_fds; do
		assert_equal "$(fd_entry "$FT_CHILD" "$fd" | jq -r .id)" \
			"$(fd_entry "$FT_PID" "$fd" | jq -r .id)"
	done
	# one entry per description: the file, the pipe's two ends, 0-2, /dev/null
	files=$(show files.img | jq '[.entries[] | select(.type == "PIPE" or
		(.reg.name == "/dev/null") or (.reg.name == "'"$(ft file)"'"))] | length')
	assert_equal "$files" 5

	# pipes-data.img: the 100 bytes, (i * 7 + 3) & 0xff
	e=$(show pipes-data.img | jq -c '.entries[]')
	assert_equal "$(jq -r .pipe_id <<< "$e")" "$ino"
	assert_equal "$(jq -r .bytes <<< "$e")" 100
	assert_equal "$(jq -r .extra <<< "$e")" \
		"$(python3 -c 'print(bytes((i * 7 + 3) & 0xff for i in range(100)).hex())')"

	# cwd and umask
	e=$(show "fs-$FT_PID.img" | jq -c '.entries[0]')
	assert_equal "$(file_entry "$(jq -r .cwd_id <<< "$e")" | jq -r .reg.name)" "$DATA"
	assert_equal "$(file_entry "$(jq -r .root_id <<< "$e")" | jq -r .reg.name)" /
	assert_equal "$(jq -r .umask <<< "$e")" \
		"$((8#$(awk '$1 == "Umask:" { print $2 }' "/proc/$FT_PID/status")))"

	# the process runs on with its offset and pipe as they were
	assert_equal "$(fdinfo_pos "$FT_PID" "$reg")" 1234
	run filetest_status
	assert_output ok
}

@test "files: crit x fds lists the dumped descriptors" {
	local ino

	start_filetest
	ino=$(stat -L -c %i "/proc/$FT_PID/fd/$(ft pipe_r)")
	run "$CRIU_LITE" dump -t "$FT_PID" -D "$IMG"
	assert_success
	run crit x "$IMG" fds
	assert_success
	assert_line --partial "$FT_PID"
	assert_line --partial "$FT_CHILD"
	assert_line --regexp "^[[:space:]]*$(ft reg): $(ft file)\$"
	assert_line --regexp "^[[:space:]]*$(ft high): $(ft file)\$"
	assert_line --regexp "^[[:space:]]*$(ft pipe_r): pipe\\[$ino\\]\$"
	assert_line --regexp "^[[:space:]]*$(ft null): /dev/null\$"
	assert_line --regexp "^[[:space:]]*cwd: $DATA\$"
	run filetest_status
	assert_output ok
}

@test "files: a socket fails the dump naming pid and fd, unless skipped" {
	local sock

	start_filetest --socket
	sock=$(ft socket)
	run "$CRIU_LITE" dump -t "$FT_PID" -D "$IMG"
	assert_failure
	assert_output --partial "pid $FT_PID fd $sock: socket:["
	assert_output --partial "not supported yet"
	[[ ! -e $IMG/files.img ]]
	assert_not_frozen "$FT_PID"

	rm -rf "$IMG"
	run "$CRIU_LITE" dump -t "$FT_PID" -D "$IMG" --skip-unsupported
	assert_success
	assert_output --partial "pid $FT_PID fd $sock: socket:["
	run fd_entry "$FT_PID" "$sock"
	assert_output ""
	run fd_entry "$FT_PID" "$(ft reg)"
	assert_output --partial '"type":"REG"'
	run filetest_status
	assert_output ok
}
