#!/usr/bin/env bats
#
# criu-lite restore, first slice: the shape of a dumped tree comes back.
#
# Each test builds a tree with mktree, records `ps -t ROOT --json`, dumps
# it, kills it, waits until its pids are free, restores it with -d and
# compares `ps -t ROOT --json` with the record, field by field: pids, ppids,
# pgids, sids, states (zombies with their exit status, stopped tasks),
# thread ids and comms (assert_same_tree, the one comparison of the suite).
# Failures must name the pid and leave nothing running.
#
# The shape tests (round_trip) also restore with --pidns while the original
# still runs, and compare inside the new namespace; and check that --dry-run
# says "would fail" naming every taken pid while the original runs, and
# "would succeed" once it is gone.

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

# json_ns INIT ROOT: the tree under ROOT (a pid inside the namespace) as seen
# inside the pid namespace of INIT (a pid here), through its /proc: the
# mount namespace restore --pidns made for it
json_ns() {
	nsenter -t "$1" -p -m "$CRIU_LITE" ps -t "$2" --json | jq -S .
}

# assert_same_tree RECORD LIVE [WHAT]: the two `ps --json` outputs are the
# same tree, field by field; if not, fail with a diff (-record +live)
assert_same_tree() {
	local d

	if ! d=$(diff -u --label "record" --label "${3:-restored}" \
		<(jq -S . <<< "$1") <(jq -S . <<< "$2")); then
		fail "$(printf 'the %s tree differs from the record:\n%s' "${3:-restored}" "$d")"
	fi
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
	assert_same_tree "$BEFORE" "$(json "$ROOT")"
	kill_tree "$ROOT"
	wait_free "${IDS[@]}"
}

# dry_run [restore options]: `run restore --dry-run -D $IMG`, again (a few
# times) while a stranger holds a pid of the tree, as in restore_d
# shellcheck disable=SC2120 # options are optional
dry_run() {
	local try
	for try in 1 2 3 4 5; do
		run "$CRIU_LITE" restore --dry-run -D "$IMG" "$@"
		[[ $status != 0 && $output == *"pids taken: "* &&
			$output != *"(mktree)"* ]] || return 0
		sleep 0.5
	done
}

_all_named() {
	local out=$1 id

	shift
	for id in "$@"; do
		[[ $out == *" $id ("* ]] || {
			echo "pid $id is not named" >&2
			return 1
		}
	done
}

# round_trip SPEC: build SPEC and dump it; while it runs, --dry-run fails
# naming each of its pids and tids, and --pidns restores it in a new pid
# namespace, where it is compared; then kill it: --dry-run succeeds and a
# plain restore brings it back here, compared too.  Nothing is left.
round_trip() {
	local init

	rm -rf "$IMG"
	mktree_start "$1"
	BEFORE=$(json "$ROOT")
	run "$CRIU_LITE" dump -t "$ROOT" -D "$IMG"
	assert_success
	mapfile -t IDS < <(image_ids "$IMG")

	run "$CRIU_LITE" restore --dry-run -D "$IMG"
	assert_failure 1
	assert_output --regexp '^would fail: pids taken: '
	_quick _all_named "$output" "${IDS[@]}" || fail "$output"
	run "$CRIU_LITE" restore --dry-run --pidns -D "$IMG"
	assert_success
	assert_output "would succeed"

	run "$CRIU_LITE" restore --pidns -d -D "$IMG"
	assert_success
	init=$output
	track_root "$init"
	assert_same_tree "$BEFORE" "$(json_ns "$init" "$ROOT")" "restored (--pidns)"
	# the original ran on untouched
	assert_same_tree "$BEFORE" "$(json "$ROOT")" "original"
	kill_tree "$init"
	kill_tree "$ROOT"
	wait_free "${IDS[@]}"

	dry_run
	assert_success
	assert_output "would succeed"
	restore_d
	assert_success
	assert_output "$ROOT"
	track_root "$ROOT"
	assert_same_tree "$BEFORE" "$(json "$ROOT")"
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
	assert_same_tree "$BEFORE" "$(json "$ROOT")"
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

# _stop_when_root_exists ROOT PID: SIGSTOP PID as soon as ROOT exists as its child (a pid
# that wrapped round to a stranger is not the root)
_stop_when_root_exists() {
	local i
	for ((i = 0; i < 500000; i++)); do
		if _stat "$1" && [[ ${_ST[4]} == "$2" ]]; then
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
		if _quick _stop_when_root_exists "$ROOT" "$rpid" 2>/dev/null; then
			track_root "$ROOT"
		fi
		kill -KILL "$rpid" 2>/dev/null || true
		wait "$rpid" || true
		# the restorer may have finished first: then the tree is whole (and ours: its
		# comm says so; a stranger at ROOT's pid is left alone)
		[[ $(cat "/proc/$ROOT/comm" 2>/dev/null) == mktree ]] || { caught=1; break; }
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

@test "round trip: a chain 200 deep" {
	local spec=p i
	for ((i = 1; i < 200; i++)); do
		spec="p($spec)"
	done
	round_trip "$spec"
}

@test "round trip: a fan of 500" {
	round_trip "p(p*500)"
}

@test "round trip: a process with 32 threads" {
	round_trip "p(p[t31])"
}

@test "round trip: children of a non-leader thread" {
	# the images do not say which thread forked a child: it comes back as a
	# child of the leader, which /proc's ppid (a process id) does not tell apart
	round_trip "p[t2](p[T] p[T](p) p)"
}

@test "round trip: a session whose leader has exited" {
	round_trip "p[sub](p[sid,exit](p p[pg](p)) p)"
}

@test "round trip: a process group led from another branch" {
	round_trip "p[sid](p(p:a[pg](p)) p(p[pg=a] p(p[pg=a])))"
}

@test "round trip: zombies with an exit code and with a signal" {
	round_trip "p(p[z=3] p[zs=9] p(p[z=0] p[zs=15]))"
}

@test "round trip: stopped tasks" {
	round_trip "p[pg](p[stop] p(p[stop,t2]))"
}

@test "restore --pidns: the init reaps orphans, not the tree's zombies, and ends with the root" {
	local rpid i st=0 mid leaf z init
	rm -rf "$IMG"
	mktree_start "p(p:mid(p:leaf) p:z[z=5])"
	BEFORE=$(json "$ROOT")
	run "$CRIU_LITE" dump -t "$ROOT" -D "$IMG"
	assert_success
	mid=$(label_pid mid) leaf=$(label_pid leaf) z=$(label_pid z)
	# while the original runs, without -d: the restorer waits for the init
	"$CRIU_LITE" restore --pidns -D "$IMG" 3>&- &
	rpid=$!
	for ((i = 0; i < 100; i++)); do
		init=$(cat "/proc/$rpid/task/$rpid/children" 2> /dev/null) || true
		init=${init%% *}
		[[ -z $init || $(json_ns "$init" "$ROOT" 2>/dev/null) != "$BEFORE" ]] || break
		sleep 0.05
	done
	[[ -n $init ]] || fail "no init below the restorer"
	track_root "$init"
	assert_same_tree "$BEFORE" "$(json_ns "$init" "$ROOT")" "restored (--pidns)"
	# a middle placeholder dies: its child goes to the init, the zombie
	# stays the root's
	nsenter -t "$init" -p kill -TERM "$mid"
	for ((i = 0; i < 100; i++)); do
		[[ $(nsenter -t "$init" -p -m cat "/proc/$leaf/stat" | cut -d' ' -f4) != 1 ]] || break
		sleep 0.05
	done
	run nsenter -t "$init" -p -m cat "/proc/$leaf/stat"
	assert_output --regexp "^$leaf \(mktree\) S 1 "
	# the init reaps the orphan once it dies; the dead middle one stays
	# the root's zombie, so does the restored one
	nsenter -t "$init" -p kill -TERM "$leaf"
	for ((i = 0; i < 100; i++)); do
		nsenter -t "$init" -p -m test -e "/proc/$leaf" || break
		sleep 0.05
	done
	run nsenter -t "$init" -p -m test -e "/proc/$leaf"
	assert_failure
	run nsenter -t "$init" -p -m cat "/proc/$mid/stat" "/proc/$z/stat"
	assert_line --index 0 --regexp "^$mid \(mktree\) Z $ROOT "
	assert_line --index 1 --regexp "^$z \(mktree\) Z $ROOT "
	# SIGTERM to the init goes to the root; the root's status comes back
	kill -TERM "$init"
	wait "$rpid" || st=$?
	assert_equal "$st" 143
	[[ ! -e /proc/$init ]] || fail "the init is still there"
	kill_tree "$ROOT"
}

@test "restore --dry-run: a gone leader's id still in use, an unsupported shape, no images" {
	local ghost target try
	dump_and_kill "p(p p(p p) p)"
	target=$("$CRIU_LITE" ps -D "$IMG" --json | jq -r '.processes[3].pid')
	for try in 1 2 3 4 5; do
		ghost=$(ghost_group "$target" "$((IDS[-1] + 100))") && break
		ghost=
		wait_free "$target"
	done
	[[ -n $ghost ]] || skip "could not take pid $target (a busy host)"
	track_root "$ghost"
	dry_run
	assert_failure 1
	assert_output --partial "pids taken as the id of a session or group whose leader is gone: $target (by the group of pid $ghost)"
	kill_tree "$ghost"

	dump_and_kill "p[sub](p[sid](p[exit](p)))"
	run "$CRIU_LITE" restore --dry-run -D "$IMG"
	assert_failure 1
	assert_output --regexp "^would fail: unsupported: pid [0-9]+ is in session"
	run "$CRIU_LITE" restore --dry-run -D "$BATS_TEST_TMPDIR"
	assert_failure 1
	assert_output --partial "would fail: the images of $BATS_TEST_TMPDIR cannot be read"
}

@test "round trip: without clone3, in the new namespace too" {
	CRIU_LITE_NO_CLONE3=1 round_trip "p[t2](p[T] p(p[z=3] p[stop]) p[sid](p:a[pg](p) p[pg=a]))"
}

@test "restore --dry-run: missing privileges and kernel features, as the restore finds them" {
	local nocaps=(setpriv "--bounding-set=-sys_admin,-checkpoint_restore")
	dump_and_kill "p(p[t1] p)"
	run "${nocaps[@]}" "$CRIU_LITE" restore --dry-run -D "$IMG"
	assert_failure 1
	assert_output "would fail: choosing pids needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE, which this process lacks"
	run "${nocaps[@]}" "$CRIU_LITE" restore -d -D "$IMG"
	assert_failure
	run setpriv --bounding-set=-sys_admin "$CRIU_LITE" restore --dry-run --pidns -D "$IMG"
	assert_failure 1
	assert_output "would fail: --pidns needs CAP_SYS_ADMIN, which this process lacks"
	run setpriv --bounding-set=-sys_admin "$CRIU_LITE" restore --pidns -d -D "$IMG"
	assert_failure
	# no clone3, and a read-only ns_last_pid
	run env CRIU_LITE_NO_CLONE3=1 unshare -m --propagation private sh -c '
		mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys || exit 99
		"$1" restore --dry-run -D "$2"; echo "dry run: $?"
		"$1" restore -d -D "$2"; echo "restore: $?"' sh "$CRIU_LITE" "$IMG"
	assert_line "would fail: no way to choose pids: no clone3 with set_tid, and /proc/sys/kernel/ns_last_pid is not writable (Read-only file system)"
	assert_line "dry run: 1"
	assert_line "restore: 1"
	# nothing is left (a stranger may have taken a freed pid meanwhile)
	local id comm
	for id in "${IDS[@]}"; do
		comm=$(cat "/proc/$id/comm" 2>/dev/null) || continue
		[[ $comm != mktree ]] || fail "pid $id is left behind"
	done
	dry_run
	assert_success
	assert_output "would succeed"
}

# _stop_when_child_exists PID: SIGSTOP PID as soon as it has a child; prints it
_stop_when_child_exists() {
	local i kids
	for ((i = 0; i < 500000; i++)); do
		kids=$(< "/proc/$1/task/$1/children") 2> /dev/null || return 1
		if [[ -n $kids ]]; then
			kill -STOP "$1"
			echo "${kids%% *}"
			return
		fi
	done
	return 1
}

@test "restore --pidns: if the restorer dies half way, the namespace goes too" {
	local rpid try init caught='' i
	dump_and_kill "p(p*300 p(p(p)))"
	for ((try = 0; try < 5; try++)); do
		"$CRIU_LITE" restore --pidns -D "$IMG" -d > /dev/null 3>&- &
		rpid=$!
		init=$(_quick _stop_when_child_exists "$rpid" 2> /dev/null) || true
		[[ -z $init ]] || track_root "$init"
		kill -KILL "$rpid" 2> /dev/null || true
		wait "$rpid" || true
		[[ -n $init ]] || continue
		for ((i = 0; i < 100; i++)); do
			[[ -e /proc/$init && $(proc_state "$init") != Z ]] || break
			sleep 0.05
		done
		# the restorer may have finished first: then the init lives on
		if [[ ! -e /proc/$init || $(proc_state "$init") == Z ]]; then
			caught=1
			break
		fi
		kill_tree "$init"
	done
	[[ -n $caught ]] || skip "the restorer always finished before it could be stopped"
}
