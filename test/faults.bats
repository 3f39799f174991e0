#!/usr/bin/env bats
# Faults injected into real dumps: whatever happens to criu-lite, the tree runs on as it was
# (not frozen, not stopped, not traced, in its cgroups) and no partial image directory remains.

load helpers

setup() {
	IMG="$BATS_TEST_TMPDIR/img"
}

teardown() {
	helpers_teardown
}

# After a dump that did not finish: the tree as before, nothing left behind.
assert_left_as_it_was() {
	local root=$1 before_json=$2 before_cg=$3
	assert_equal "$("$CRIU_LITE" ps -t "$root" --json)" "$before_json"
	assert_not_frozen "$root"
	assert_equal "$(cgroups_of_tree "$root")" "$before_cg"
	assert_equal "$(ls -A "$BATS_TEST_TMPDIR" | grep -c 'criu-lite-')" 0
	[ ! -e "$IMG" ] || [ -e "$IMG/pstree.img" ] || fail "$IMG exists without pstree.img"
	assert_equal "$(ls /sys/fs/cgroup/freezer | grep -c "^criu-lite\.$DUMP_PID\$")" 0
}

# Sends SIG to criu-lite DELAY seconds into a dump of the tree ROOT, with dump options.
dump_and_signal() {
	local sig=$1 delay=$2
	shift 2
	rm -rf "$IMG"
	"$CRIU_LITE" dump -t "$ROOT" -D "$IMG" "$@" 2>"$BATS_TEST_TMPDIR/err" &
	DUMP_PID=$!
	sleep "$delay"
	local wd
	wd=$(pgrep -P "$DUMP_PID" -x criu-lite-wdog || true)
	kill -"$sig" "$DUMP_PID" 2>/dev/null || true
	wait "$DUMP_PID" || true
	# A SIGKILLed dump's watchdog needs a moment to undo its steps.
	local i
	for ((i = 0; i < 250 && ${#wd} > 0; i++)); do
		[ -e "/proc/$wd" ] || break
		sleep 0.02
	done
}

fault_matrix() {
	local sig=$1 freezer=$2 cg before_json before_cg d
	shift 2
	if [ "$freezer" = v2 ]; then
		new_cgroup cg v2
		mktree_start --cgroup "$cg" "p(p*400 p[t3] p[stop])"
	else
		mktree_start "p(p*400 p[t3] p[stop])"
	fi
	before_json=$("$CRIU_LITE" ps -t "$ROOT" --json)
	before_cg=$(cgroups_of_tree "$ROOT")
	for d in 0 0.005 0.01 0.02 0.03 0.05 0.08; do
		dump_and_signal "$sig" "$d" --freezer="$freezer"
		assert_left_as_it_was "$ROOT" "$before_json" "$before_cg"
	done
}

@test "faults: SIGKILL of criu-lite at 7 moments, temporary v1 cgroup: the watchdog undoes it" {
	fault_matrix KILL v1
}

@test "faults: SIGKILL of criu-lite at 7 moments, own v2 cgroup: the watchdog thaws it" {
	fault_matrix KILL v2
}

@test "faults: SIGKILL of criu-lite at 7 moments, ptrace: the kernel detaches the tree" {
	fault_matrix KILL ptrace
}

@test "faults: SIGINT, SIGTERM, SIGHUP at 7 moments each, every freezer" {
	local sig f
	for f in v1 ptrace; do
		for sig in INT TERM HUP; do
			fault_matrix "$sig" "$f"
			helpers_teardown
		done
	done
}

@test "faults: an interrupted dump says so in one line" {
	mktree_start "p(p*2000)"
	rm -rf "$IMG"
	"$CRIU_LITE" dump -t "$ROOT" -D "$IMG" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	# Once the watchdog exists, criu-lite holds its signals.
	until pgrep -P "$pid" -x criu-lite-wdog >/dev/null || ! kill -0 "$pid" 2>/dev/null; do
		sleep 0.001
	done
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		assert_equal "$rc" 1
		assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/err")" 1
		grep -q "interrupted by signal" "$BATS_TEST_TMPDIR/err"
		[ ! -e "$IMG" ]
	else
		[ -e "$IMG/pstree.img" ] # it finished before the signal came
	fi
	assert_not_frozen "$ROOT"
}

@test "faults: SIGKILL of criu-lite's whole process group: the watchdog, in its own session, survives and undoes" {
	mktree_start "p(p*300 p[t2])"
	local before_json before_cg d
	before_json=$("$CRIU_LITE" ps -t "$ROOT" --json)
	before_cg=$(cgroups_of_tree "$ROOT")
	for d in 0.01 0.03 0.06; do
		rm -rf "$IMG"
		setsid "$CRIU_LITE" dump -t "$ROOT" -D "$IMG" 2>/dev/null &
		DUMP_PID=$!
		sleep "$d"
		local wd
		wd=$(pgrep -P "$DUMP_PID" -x criu-lite-wdog || true)
		kill -KILL -- -"$DUMP_PID" 2>/dev/null || true
		wait "$DUMP_PID" || true
		while [ -n "$wd" ] && [ -e "/proc/$wd" ]; do sleep 0.02; done
		assert_left_as_it_was "$ROOT" "$before_json" "$before_cg"
	done
}

@test "faults: cleanup undoes a frozen temporary cgroup whose dumper is gone" {
	mktree_start "p(p*200 p[stop])"
	local before_json cg
	before_json=$("$CRIU_LITE" ps -t "$ROOT" --json)
	# A finished --leave-stopped dump leaves what a dead dumper and watchdog would: the tree
	# frozen in criu-lite.PID, and no criu-lite.
	run "$CRIU_LITE" dump -t "$ROOT" -D "$IMG" --leave-stopped
	assert_success
	cg=$(echo "$output" | sed -n 's/^the tree is left frozen in //p')
	track_cgroup "$cg"
	assert_equal "$(cat "$cg/freezer.state")" FROZEN
	run "$CRIU_LITE" cleanup
	assert_success
	assert_output --regexp "^removed $cg: 202 processes moved to /sys/fs/cgroup/freezer and thawed$"
	[ ! -d "$cg" ]
	assert_not_frozen "$ROOT"
	assert_equal "$("$CRIU_LITE" ps -t "$ROOT" --json)" "$before_json"
	run "$CRIU_LITE" cleanup
	assert_output "nothing to clean up"
}

@test "faults: a tree that keeps forking dumps, with the v1 and ptrace freezers" {
	local f i cg
	new_cgroup cg v2
	echo 300 >"$cg/pids.max" 2>/dev/null || true
	# A root that forks short-lived children without end, and one that starts threads.
	setsid bash -c 'echo 0 > "'"$cg"'/cgroup.procs"; while :; do sleep 0.001 & done' </dev/null >/dev/null 2>&1 &
	local forker=$!
	track_root "$forker"
	sleep 0.2
	for f in v1 ptrace; do
		for i in 1 2 3 4 5; do
			rm -rf "$IMG"
			run "$CRIU_LITE" dump -t "$forker" -D "$IMG" --freezer=$f
			assert_success
			[ -e "$IMG/pstree.img" ]
			assert_not_frozen "$forker"
		done
	done
}

@test "faults: --freezer=ptrace on a tree someone else froze gives up within the deadline" {
	local cg
	new_cgroup cg v1
	mktree_start --cgroup "$cg" "p(p*20)"
	echo FROZEN >"$cg/freezer.state"
	local start=$SECONDS
	run timeout 30 "$CRIU_LITE" dump -t "$ROOT" -D "$IMG" --freezer=ptrace
	assert_failure 1
	assert_output --regexp "did not stop within [0-9]+ ms"
	((SECONDS - start < 15))
	[ ! -e "$IMG" ]
	# Still frozen by its owner, and no longer traced by us.
	assert_equal "$(cat "$cg/freezer.state")" FROZEN
	local pid
	for pid in $(cat "$cg/cgroup.procs"); do
		assert_equal "$(awk '/^TracerPid:/ { print $2 }' "/proc/$pid/status")" 0
	done
	echo THAWED >"$cg/freezer.state"
	assert_not_frozen "$ROOT"
}
