#!/usr/bin/env bats
#
# criu-lite restore, first slice: the shape of a dumped tree comes back.
#
# Each test builds a tree with mktree, records `ps -t ROOT --json`, dumps
# it, kills it, waits until its pids are free, restores it with -d and
# compares `ps -t ROOT --json` with the record, field by field: pids, ppids,
# pgids, sids, states (zombies with their exit status, stopped tasks),
# thread ids and comms.  Failures must name the pid and leave nothing
# running.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	IMG=$BATS_TEST_TMPDIR/img
}

teardown() {
	helpers_teardown
}

# image_ids DIR: every pid and tid the images of DIR hold
image_ids() {
	"$CRIU_LITE" ps -D "$1" --json | jq -r '.processes[] | .pid, .threads[]' | sort -un
}

_ids_free() {
	local deadline=$((SECONDS + $1)) id busy

	shift
	while :; do
		busy=()
		for id in "$@"; do
			[[ -e /proc/$id ]] && busy+=("$id")
		done
		((${#busy[@]} == 0)) && return 0
		if ((SECONDS >= deadline)); then
			echo "still in use: ${busy[*]}" >&2
			return 1
		fi
		sleep 0.05
	done
}

# wait_free ID...: true once no process or thread has any of the ids (a
# killed tree's zombies are reaped by whoever adopted them, in their time)
wait_free() {
	_quick _ids_free 10 "$@"
}

# json ROOT: the live tree under ROOT, keys sorted
json() {
	"$CRIU_LITE" ps -t "$1" --json | jq -S .
}

# dump_and_kill SPEC [mktree options]: build, record BEFORE, dump to $IMG,
# kill the tree and wait until its ids are free.  Sets ROOT, BEFORE, IDS.
dump_and_kill() {
	rm -rf "$IMG"
	mktree_start "$@"
	BEFORE=$(json "$ROOT")
	run "$CRIU_LITE" dump -t "$ROOT" -D "$IMG"
	assert_success
	mapfile -t IDS < <(image_ids "$IMG")
	kill_tree "$ROOT"
	wait_free "${IDS[@]}"
}

# restore_d [restore options]: `run restore -D $IMG -d`, again (a few times)
# while a pid of the tree is taken by a stranger: on a busy host a
# short-lived process may get one of the freed pids before the restore
restore_d() {
	local try
	for try in 1 2 3 4 5; do
		run "$CRIU_LITE" restore -D "$IMG" -d "$@"
		[[ $status != 0 && $output == *" is taken (by a running '"* &&
			$output != *"running 'mktree'"* ]] || return 0
		sleep 0.5
	done
}

# check_restore SPEC [restore options]: the whole round trip, then kill the
# restored tree
check_restore() {
	local spec=$1

	shift
	dump_and_kill "$spec"
	restore_d "$@"
	assert_success
	assert_output "$ROOT"
	track_root "$ROOT"
	assert_equal "$(json "$ROOT")" "$BEFORE"
	kill_tree "$ROOT"
	wait_free "${IDS[@]}"
}

SHAPES=(
	"p"
	"p(p p(p))"
	"p[t3](p[T] p)"
	"p(p[sid](p[pg](p)))"
	"p(p[z=3] p[zs=9] p[stop])"
	"p[t2,name=top](p[T,name=kid] p[stop,t1] p[z=1] p[zs=15])"
	"p(p[sid](p:a[pg](p) p[pg=a] p(p[pg=a,stop])))"
	"p[sid](p[pg](p p) p[pg](p))"
)

@test "restore: every shape comes back as it was dumped" {
	local s
	for s in "${SHAPES[@]}"; do
		check_restore "$s"
	done
}

@test "restore: a fan of 200" {
	check_restore "p(p*200)"
}

@test "restore: a chain of 50" {
	local spec=p i
	for ((i = 1; i < 50; i++)); do
		spec="p($spec)"
	done
	check_restore "$spec"
}

@test "restore: a session whose leader is gone comes back through a helper" {
	check_restore "p[sub](p[sid,exit](p p[pg]) p[z=3] p[zs=9] p[stop])"
}

@test "restore: a process group whose leader is gone comes back through a helper" {
	check_restore "p(p[sid,sub](p[pg,exit](p p(p)) p[z=4]))"
}

@test "restore: without clone3, pids come from ns_last_pid" {
	local s
	for s in "p[t2](p[T] p(p[z=3] p[stop]))" "p(p[sid](p:a[pg](p) p[pg=a]))" \
		"p[sub](p[sid,exit](p p[pg]))"; do
		CRIU_LITE_NO_CLONE3=1 check_restore "$s"
	done
}

@test "restore: SIGTERM ends a placeholder; without -d restore passes on the root's status" {
	local rpid i st=0
	dump_and_kill "p(p p)"
	"$CRIU_LITE" restore -D "$IMG" 3>&- &
	rpid=$!
	for ((i = 0; i < 100; i++)); do
		[[ $(json "$ROOT" 2>/dev/null) != "$BEFORE" ]] || break
		sleep 0.05
	done
	track_root "$ROOT"
	assert_equal "$(json "$ROOT")" "$BEFORE"
	# the root's parent is the restorer (ps shows a root's ppid as 0)
	assert_equal "$(stat_field "$ROOT" 4)" "$rpid"
	# a placeholder dies of SIGTERM, and its parent does not reap it
	kill -TERM "${MKTREE_PIDS[1]}"
	for ((i = 0; i < 100; i++)); do
		[[ $(proc_state "${MKTREE_PIDS[1]}") != Z ]] || break
		sleep 0.05
	done
	assert_equal "$(proc_state "${MKTREE_PIDS[1]}")" Z
	kill -TERM "$ROOT"
	wait "$rpid" || st=$?
	assert_equal "$st" 143
}

@test "restore: a pid in use fails, names the pid, and creates nothing" {
	mktree_start "p(p p[t1])"
	BEFORE=$(json "$ROOT")
	run "$CRIU_LITE" dump -t "$ROOT" -D "$IMG"
	assert_success
	local -a before_kids
	mapfile -t before_kids < <(tree_pids "$ROOT")
	run "$CRIU_LITE" restore -D "$IMG" -d
	assert_failure
	assert_output --partial "pid $ROOT is taken"
	# the original runs on untouched, and nothing new exists
	assert_equal "$(json "$ROOT")" "$BEFORE"
	assert_equal "$(tree_pids "$ROOT")" "$(printf '%s\n' "${before_kids[@]}")"
}

# ghost_group PID NEXT: start a process that takes PID, leads its own group,
# forks a member (with a pid after NEXT) and exits, so that PID stays in use
# (as a group id) with no /proc/PID.  Prints the member's pid; fails if
# something else took PID first.
ghost_group() {
	# no command substitution around perl: it would fork once more
	echo $(($1 - 1)) > /proc/sys/kernel/ns_last_pid
	perl -e 'setpgrp(0, 0) or die; exit 3 if $$ != $ARGV[0];
		open(my $f, ">", "/proc/sys/kernel/ns_last_pid") or die;
		print $f "$ARGV[1]"; close($f);
		my $k = fork() // die; if (!$k) { open(STDOUT, ">/dev/null"); sleep 300; exit 0 }
		print "$k\n"' "$1" "$2" > "$BATS_TEST_TMPDIR/ghost" || return 1
	cat "$BATS_TEST_TMPDIR/ghost"
}

@test "restore: a pid taken half way kills everything created so far" {
	local ghost target try
	dump_and_kill "p(p p(p p) p)"
	# a process made early in pre-order, so that some are created before it fails
	target=$("$CRIU_LITE" ps -D "$IMG" --json | jq -r '.processes[3].pid')
	for try in 1 2 3 4 5; do
		ghost=$(ghost_group "$target" "$((IDS[-1] + 100))") && break
		ghost=
		wait_free "$target"
	done
	[[ -n $ghost ]] || skip "could not take pid $target (a busy host)"
	track_root "$ghost"
	[[ ! -e /proc/$target ]]
	# a busy host's short-lived processes may take a pid of the tree too
	# (ns_last_pid was moved back): then the restore stops before creating
	# anything; try again once they are gone
	for try in 1 2 3 4 5; do
		run "$CRIU_LITE" restore -D "$IMG" -d
		[[ $output != *"pid $target is taken"* && $output == *" is taken (by a running"* ]] ||
			break
		sleep 0.5
	done
	assert_failure
	assert_output --partial "pid $target is taken"
	kill_tree "$ghost"
	# nothing is left: the tasks made before the failure are gone already (the
	# restorer reaped them); a pid may have been reused by a stranger since
	local id comm
	for id in "${IDS[@]}"; do
		comm=$(cat "/proc/$id/comm" 2>/dev/null) || continue
		[[ $comm != mktree ]] || fail "pid $id is left behind"
	done
}

# _stop_when_root_exists ROOT PID: SIGSTOP PID as soon as /proc/ROOT exists
_stop_when_root_exists() {
	local i
	for ((i = 0; i < 500000; i++)); do
		if [[ -e /proc/$1 ]]; then
			kill -STOP "$2"
			return
		fi
	done
	return 1
}

@test "restore: if the restorer dies half way, the tasks it made leave too" {
	local rpid try caught=
	dump_and_kill "p(p*300 p(p(p)))"
	for try in 1 2 3 4 5; do
		"$CRIU_LITE" restore -D "$IMG" -d > /dev/null 3>&- &
		rpid=$!
		_quick _stop_when_root_exists "$ROOT" "$rpid" 2>/dev/null || true
		track_root "$ROOT"
		kill -KILL "$rpid" 2>/dev/null || true
		wait "$rpid" || true
		# the restorer may have finished first: then the tree is whole
		if [[ $(json "$ROOT" 2>/dev/null) != "$BEFORE" ]]; then
			caught=1
			break
		fi
		kill_tree "$ROOT"
		wait_free "${IDS[@]}"
	done
	[[ -n $caught ]] || skip "the restorer always finished before it could be stopped"
	wait_free "${IDS[@]}"
}

@test "restore: a session the tree cannot rebuild is refused before anything is created" {
	# the grandchild is reparented out of its session, whose leader lives on
	dump_and_kill "p[sub](p[sid](p[exit](p)))"
	run "$CRIU_LITE" restore -D "$IMG" -d
	assert_failure
	assert_output --partial "unsupported"
	local id
	for id in "${IDS[@]}"; do
		[[ ! -e /proc/$id ]] || fail "pid $id exists"
	done
}

@test "restore: usage errors" {
	run "$CRIU_LITE" restore
	assert_failure
	assert_output --partial "needs -D"
	run "$CRIU_LITE" restore -D "$BATS_TEST_TMPDIR/nowhere" -d
	assert_failure
	assert_output --partial "cannot open"
}
