#!/usr/bin/env bats
#
# Tests of the mktree test helper itself: every property is checked in
# /proc (or cgroupfs), not just by mktree's exit status.
#
# shellcheck disable=SC2154 # stderr, stderr_lines: set by run --separate-stderr

bats_require_minimum_version 1.5.0

load helpers

teardown() {
	helpers_teardown
}

# children PID: the children of every thread of PID, one per line, sorted
children() {
	cat /proc/"$1"/task/*/children | tr ' ' '\n' | sed '/^$/d' | sort -n
}

# chain N: a spec for a chain of N processes, the root a session leader
chain() {
	local s=p i

	for ((i = 1; i < $1; i++)); do
		s="p($s)"
	done
	echo "p[sid]${s#p}"
}

# Runs mktree expecting failure; a tree built by mistake is still tracked.
run_mktree_fail() {
	run --separate-stderr "$MKTREE" "$@"
	if ((status == 0)); then
		track_root "$output"
	fi
}

@test "--help documents the grammar and options" {
	run "$MKTREE" --help
	assert_success
	assert_output --partial "proc     := 'p' label? opts? children? repeat?"
	for word in tN 'T ' sid 'pg ' pg=NAME sub exit z=N zs=SIG stop \
		    name=COMM --json --cgroup; do
		assert_output --partial "$word"
	done
}

@test "bad specs exit 2 with one line on stderr and build nothing" {
	local spec
	local -a bad=(
		'' 'q' 'p(' 'p()' 'p(pp)' 'p(p)(p)' 'p[foo]' 'p[t]' 'p*2'
		'p[z=3]' 'p[exit]' 'p(p[T])' 'p(p[z=256])' 'p(p[zs=19])'
		'p[name=sixteen-chars-xx]' 'p[sid,pg]' 'p(p:a[pg] p:a)'
		'p(p:a[pg]*2)' 'p(p[pg=nobody])' 'p(p:a p[pg=a])'
		'p(p:a[sid](p:b[pg]) p[pg=b])' 'p(p[pg=b](p:b[pg]))'
		'p(p[exit](p))' 'p[sub](p[sub,exit](p[exit](p)))'
		'p(p*100001)'
	)

	for spec in "${bad[@]}"; do
		run_mktree_fail "$spec"
		assert_equal "$status:$spec" "2:$spec"
		assert_equal "${#stderr_lines[@]}:$spec" "1:$spec"
		assert_equal "$output" ""
	done
	run --separate-stderr "$MKTREE" --bogus p
	assert_failure 2
	run --separate-stderr "$MKTREE" p p
	assert_failure 2
}

@test "single process: pid on stdout, mktree gone, stdio on /dev/null" {
	local out fd

	out=$("$MKTREE" p)
	[[ $out =~ ^[0-9]+$ ]]
	ROOT=$out
	track_root "$ROOT"
	assert_equal "$(proc_state "$ROOT")" S
	assert_equal "$(cat /proc/$ROOT/comm)" mktree
	# reparented away from mktree, which has exited
	refute [ "$(cat /proc/"$(stat_field "$ROOT" 4)"/comm)" = mktree ]
	assert_equal "$(ls /proc/$ROOT/task | wc -l)" 1
	assert_equal "$(ls /proc/$ROOT/fd | sort -n | tr '\n' ' ')" "0 1 2 "
	for fd in 0 1 2; do
		assert_equal "$(readlink /proc/$ROOT/fd/$fd)" /dev/null
	done
	# the build-time shared page is gone
	run grep -E 'memfd|/dev/zero|SYSV' /proc/$ROOT/maps
	assert_failure
	# it is not ptraced
	run grep -x $'TracerPid:\t0' /proc/$ROOT/status
	assert_success
}

@test "nested children: p(p p(p))" {
	local -a kids grand

	mktree_start 'p(p p(p))'
	assert_equal "$(tree_pids "$ROOT" | wc -l)" 4
	mapfile -t kids < <(children "$ROOT")
	assert_equal "${#kids[@]}" 2
	mapfile -t grand < <(children "${kids[0]}"; children "${kids[1]}")
	assert_equal "${#grand[@]}" 1
	assert_equal "$(stat_field "${grand[0]}" 4)" "${kids[1]}"
	# the JSON pid list is the tree
	assert_equal "$(printf '%s\n' "${MKTREE_PIDS[@]}" | sort -n)" \
		     "$(tree_pids "$ROOT" | sort -n)"
	while read -r pid; do
		assert_equal "$(proc_state "$pid")" S
	done < <(tree_pids "$ROOT")
}

@test "threads, and a child forked by a non-leader thread" {
	local t first tchild plain

	mktree_start 'p[t3](p:tc[T] p:plain)'
	tchild=$(label_pid tc)
	plain=$(label_pid plain)
	assert_equal "$(ls /proc/$ROOT/task | wc -l)" 4
	for t in /proc/$ROOT/task/*; do
		assert_equal "$(stat_field "$ROOT/task/${t##*/}" 3)" S
	done
	# the T child hangs off exactly one non-leader thread ...
	run grep -lw "$tchild" /proc/$ROOT/task/*/children
	assert_success
	assert_equal "${#lines[@]}" 1
	first=${lines[0]#/proc/$ROOT/task/}
	first=${first%/children}
	refute [ "$first" = "$ROOT" ]
	# ... the first extra thread (lowest tid after the leader)
	assert_equal "$first" "$(ls /proc/$ROOT/task | sort -n | sed -n 2p)"
	# and the other child hangs off the leader only
	run grep -w "$tchild" /proc/$ROOT/task/$ROOT/children
	assert_failure
	run grep -lw "$plain" /proc/$ROOT/task/*/children
	assert_output "/proc/$ROOT/task/$ROOT/children"
	assert_equal "$(stat_field "$tchild" 4)" "$ROOT"
	assert_equal "$(ls /proc/$tchild/task | wc -l)" 1
}

@test "T chain: each level forked by its parent's first thread" {
	local pid child n=0

	mktree_start 'p[t1](p[T,t2](p[T,t1](p[T])))'
	pid=$ROOT
	while child=$(children "$pid") && [[ -n $child ]]; do
		run cat /proc/$pid/task/$pid/children
		assert_output ""
		pid=$child
		n=$((n + 1))
	done
	assert_equal "$n" 3
}

@test "sid and pg: sessions and groups in /proc/PID/stat" {
	local s a b c

	mktree_start 'p(p:s[sid](p:a p:b[pg](p:c)))'
	s=$(label_pid s) a=$(label_pid a) b=$(label_pid b) c=$(label_pid c)
	# fields 5 and 6: pgrp and session
	assert_equal "$(stat_field "$s" 5) $(stat_field "$s" 6)" "$s $s"
	assert_equal "$(stat_field "$a" 5) $(stat_field "$a" 6)" "$s $s"
	assert_equal "$(stat_field "$b" 5) $(stat_field "$b" 6)" "$b $s"
	assert_equal "$(stat_field "$c" 5) $(stat_field "$c" 6)" "$b $s"
	# the root stays in our session and group
	assert_equal "$(stat_field "$ROOT" 6)" "$(stat_field $BASHPID 6)"
	assert_equal "$(stat_field "$ROOT" 5)" "$(stat_field $BASHPID 5)"
}

@test "pg=NAME joins a group, also when NAME comes later in the spec" {
	local lead early late

	mktree_start 'p[sid](p:early[pg=lead] p:lead[pg] p(p:late[pg=lead]))'
	lead=$(label_pid lead) early=$(label_pid early) late=$(label_pid late)
	assert_equal "$(stat_field "$lead" 5)" "$lead"
	assert_equal "$(stat_field "$early" 5)" "$lead"
	assert_equal "$(stat_field "$late" 5)" "$lead"
	assert_equal "$(stat_field "$late" 6)" "$ROOT"
}

@test "groups outlive their leader: exit and zombie leaders" {
	local g zz

	mktree_start 'p[sid,sub](p:g[pg,exit](p:c) p:j[pg=g] p:zz[pg,z=1] p:k[pg=zz])'
	g=$(label_pid g) zz=$(label_pid zz)
	[[ ! -e /proc/$g ]]
	assert_equal "$(stat_field "$(label_pid c)" 5)" "$g"
	assert_equal "$(stat_field "$(label_pid j)" 5)" "$g"
	assert_equal "$(proc_state "$zz")" Z
	assert_equal "$(stat_field "$(label_pid k)" 5)" "$zz"
}

@test "zombies: state Z and exit code (stat field 52)" {
	local z3 z0 k9 k11

	cd "$BATS_TEST_TMPDIR"
	mktree_start 'p(p:z3[z=3] p:z0[z=0] p:k9[zs=9] p:k11[t2,zs=11] p)'
	z3=$(label_pid z3) z0=$(label_pid z0)
	k9=$(label_pid k9) k11=$(label_pid k11)
	for pid in "$z3" "$z0" "$k9" "$k11"; do
		assert_equal "$(proc_state "$pid")" Z
		assert_equal "$(stat_field "$pid" 4)" "$ROOT"
	done
	assert_equal "$(stat_field "$z3" 52)" $((3 << 8))
	assert_equal "$(stat_field "$z0" 52)" 0
	assert_equal "$(stat_field "$k9" 52)" 9
	# SIGSEGV without a core dump (no 0x80 bit) and no core file left
	assert_equal "$(stat_field "$k11" 52)" 11
	assert_equal "$(ls /proc/$k11/task)" "$k11"
	run ls "$BATS_TEST_TMPDIR"
	assert_output ""
	assert_equal "$(proc_state "$ROOT")" S
	assert_equal "$(children "$ROOT" | wc -l)" 5
}

@test "stop: every thread in state T" {
	local s1 s3 t

	mktree_start 'p(p:s1[stop] p:s3[t2,stop] p:run)'
	s1=$(label_pid s1) s3=$(label_pid s3)
	assert_equal "$(proc_state "$s1")" T
	assert_equal "$(ls /proc/$s3/task | wc -l)" 3
	for t in /proc/$s3/task/*; do
		assert_equal "$(stat_field "$s3/task/${t##*/}" 3)" T
	done
	assert_equal "$(proc_state "$(label_pid run)")" S
	run grep -x $'State:\tT (stopped)' /proc/$s1/status
	assert_success
}

@test "name=COMM sets comm of the process and its threads" {
	local t

	mktree_start 'p[name=rooty,t2](p:k[name=kid-1] p:d)'
	assert_equal "$(cat /proc/$ROOT/comm)" rooty
	for t in /proc/$ROOT/task/*; do
		assert_equal "$(cat "$t"/comm)" rooty
	done
	assert_equal "$(cat "/proc/$(label_pid k)/comm")" kid-1
	assert_equal "$(cat "/proc/$(label_pid d)/comm")" mktree
	assert_equal "$(stat_field "$(label_pid k)" 2)" kid-1
}

# check_chain N: tree_table of $ROOT is a chain of N processes
check_chain() {
	tree_table "$ROOT" > "$BATS_TEST_TMPDIR/table"
	assert_equal "$(wc -l < "$BATS_TEST_TMPDIR/table")" "$1"
	# breadth first order is chain order: each process is the only child
	# of the one before it, all in the root's session, all sleeping
	run awk -v n="$1" -v root="$ROOT" '
		NR > 1 && $2 != prev	{ print "bad parent: " $0 }
		$7 != (NR < n)		{ print "bad child count: " $0 }
		$4 != root || $5 != "S"	{ print "bad sid/state: " $0 }
					{ prev = $1 }' "$BATS_TEST_TMPDIR/table"
	assert_output ""
}

@test "chain of depth 200" {
	mktree_start "$(chain 200)"
	check_chain 200
}

@test "chain of depth 1000 (parser and re-exec every 64 levels)" {
	mktree_start "$(chain 1000)"
	check_chain 1000
	assert_equal "${#MKTREE_PIDS[@]}" 1000
	# deep processes were re-executed but look the same
	assert_equal "$(cat /proc/${MKTREE_PIDS[999]}/comm)" mktree
	assert_equal "$(readlink /proc/${MKTREE_PIDS[999]}/exe)" \
		     "$(readlink /proc/$ROOT/exe)"
}

@test "fan of 500 and of 1000" {
	mktree_start 'p(p*500)'
	assert_equal "$(children "$ROOT" | wc -l)" 500
	assert_equal "$(tree_pids "$ROOT" | wc -l)" 501
	kill_tree "$ROOT"
	mktree_start 'p[t1](p*600 p[T]*400)'
	assert_equal "$(children "$ROOT" | wc -l)" 1000
	assert_equal "$(cat /proc/$ROOT/task/$ROOT/children | wc -w)" 600
}

@test "exit: children reparented to the subreaper root, leaderless session" {
	local s a b z

	mktree_start 'p[sub](p:s[sid,exit](p:a p:b[pg] p:z[z=4]) p[z=3] p[zs=9] p[stop])'
	s=$(label_pid s) a=$(label_pid a) b=$(label_pid b) z=$(label_pid z)
	# the session leader was reaped by the root
	[[ ! -e /proc/$s ]]
	[[ " ${MKTREE_PIDS[*]} " != *" $s "* ]]
	for pid in "$a" "$b" "$z"; do
		assert_equal "$(stat_field "$pid" 4)" "$ROOT"
		assert_equal "$(stat_field "$pid" 6)" "$s"
	done
	assert_equal "$(stat_field "$a" 5)" "$s"
	assert_equal "$(stat_field "$b" 5)" "$b"
	# the orphaned zombie stays a zombie under the subreaper
	assert_equal "$(proc_state "$z")" Z
	assert_equal "$(stat_field "$z" 52)" $((4 << 8))
	children "$ROOT" | grep -qx "$a"
	children "$ROOT" | grep -qx "$b"
	# a stopped task survived the orphaning of its group (stops come last)
	assert_equal "$(tree_pids "$ROOT" | wc -l)" 7
	assert_equal "$(for p in $(tree_pids "$ROOT"); do proc_state $p; done | sort | tr -d '\n')" SSSTZZZ
}

@test "--cgroup puts the whole tree alone into v1 freezer and v2 cgroups" {
	local v1 v2 pid line live

	new_cgroup v1 v1
	new_cgroup v2 v2
	mktree_start --cgroup "$v1" --cgroup "$v2" 'p[sid,t2](p[T] p[stop](p) p[z=1])'
	# zombies are no longer listed in either hierarchy
	live=$(for p in $(tree_pids "$ROOT"); do
		[[ $(proc_state $p) == Z ]] || echo $p
	done | sort -n)
	assert_equal "$(wc -l <<< "$live")" 4
	assert_equal "$(sort -n "$v1/cgroup.procs")" "$live"
	assert_equal "$(sort -n "$v2/cgroup.procs")" "$live"
	# threads too: 3 of the root and one each for the rest
	assert_equal "$(wc -l < "$v1/tasks")" 6
	assert_equal "$(wc -l < "$v2/cgroup.threads")" 6
	# a zombie shows / for v1 but keeps its v2 cgroup
	while read -r pid line; do
		if [[ $(proc_state $pid) == Z ]]; then
			assert_equal "$line" "/ /${v2##*/}"
		else
			assert_equal "$line" "/${v1##*/} /${v2##*/}"
		fi
	done < <(cgroups_of_tree "$ROOT")
	assert_not_frozen "$ROOT"
}

@test "assert_not_frozen notices v1 and v2 freezing" {
	local v1 v2

	new_cgroup v1 v1
	new_cgroup v2 v2
	mktree_start --cgroup "$v1" --cgroup "$v2" 'p[t1](p p[stop])'
	assert_not_frozen "$ROOT"

	echo FROZEN > "$v1/freezer.state"
	until [[ $(< "$v1/freezer.state") == FROZEN ]]; do sleep 0.01; done
	run assert_not_frozen "$ROOT"
	assert_failure
	assert_output --partial "state D in __refrigerator"
	assert_output --partial "state D in do_signal_stop"
	assert_output --partial "freezer.state is FROZEN"
	echo THAWED > "$v1/freezer.state"
	assert_not_frozen "$ROOT"

	echo 1 > "$v2/cgroup.freeze"
	until grep -qx 'frozen 1' "$v2/cgroup.events"; do sleep 0.01; done
	run assert_not_frozen "$ROOT"
	assert_failure
	assert_output --partial "cgroup.freeze is 1"
	echo 0 > "$v2/cgroup.freeze"
	until grep -qx 'frozen 0' "$v2/cgroup.events"; do sleep 0.01; done
	assert_not_frozen "$ROOT"
}

@test "an inherited SIG_IGN for SIGCHLD does not reap zombies" {
	local out z

	out=$(trap '' CHLD; "$MKTREE" --json 'p[sub](p:z[z=7] p[exit](p:oz[z=8]))')
	# shellcheck disable=SC2034 # read by label_pid
	MKTREE_JSON=$out
	[[ $out =~ \"root\":\ ([0-9]+) ]]
	ROOT=${BASH_REMATCH[1]}
	track_root "$ROOT"
	for z in z oz; do
		assert_equal "$(proc_state "$(label_pid $z)")" Z
		assert_equal "$(stat_field "$(label_pid $z)" 4)" "$ROOT"
	done
	# SIGCHLD (17) is bit 16; other ignored signals depend on who runs the tests.
	local ign
	ign=$(awk '/^SigIgn:/ { print $2 }' /proc/$ROOT/status)
	assert_equal $((0x$ign & (1 << 16))) 0
}

@test "SIGTERM ends a process, which stays a zombie of its parent" {
	local k

	mktree_start 'p(p:k[t2] p)'
	k=$(label_pid k)
	kill -TERM "$k"
	until [[ $(proc_state "$k") == Z ]]; do sleep 0.01; done
	assert_equal "$(stat_field "$k" 52)" 15
	assert_equal "$(proc_state "$ROOT")" S
}

@test "kill_tree kills stopped, threaded and orphaned parts; twice is fine" {
	local -a pids

	mktree_start 'p[sub](p[stop,t2](p[stop]) p[exit](p) p[z=2])'
	mapfile -t pids < <(tree_pids "$ROOT")
	assert_equal "${#pids[@]}" 5
	kill_tree "$ROOT"
	for pid in "${pids[@]}"; do
		if [[ -e /proc/$pid ]]; then
			assert_equal "$(proc_state "$pid")" Z
			refute [ "$(stat_field "$pid" 4)" = "$ROOT" ]
		fi
	done
	kill_tree "$ROOT"
	run tree_pids 999999999
	assert_output ""
}

@test "a fork failure kills the partial tree and exits 1" {
	local cg=/sys/fs/cgroup/pids/bats-$$-$BATS_TEST_NUMBER

	[[ -d /sys/fs/cgroup/pids ]] || skip "no v1 pids hierarchy"
	mkdir "$cg"
	track_cgroup "$cg"
	echo 6 > "$cg/pids.max"
	run --separate-stderr "$MKTREE" --cgroup "$cg" 'p[sid](p(p*3) p*10 p[t3])'
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$output" ""
	[[ $stderr =~ fork ]]
	# nothing alive is left in the cgroup
	for _ in $(seq 100); do
		[[ -z $(cat "$cg/cgroup.procs") ]] && break
		sleep 0.05
	done
	assert_equal "$(cat "$cg/cgroup.procs")" ""
}

@test "helpers_teardown copes with frozen trees and removes the cgroups" {
	local v1 v2 r1 r2
	local -a pids

	new_cgroup v1 v1
	new_cgroup v2 v2
	mktree_start --cgroup "$v1" 'p[sid,t1](p[stop] p(p))'
	r1=$ROOT
	mktree_start --cgroup "$v2" 'p[sid](p[t2] p[z=1])'
	r2=$ROOT
	mapfile -t pids < <(tree_pids "$r1"; tree_pids "$r2")
	assert_equal "${#pids[@]}" 7
	mkdir "$v2/nested"	# e.g. made by a restore
	echo FROZEN > "$v1/freezer.state"
	echo 1 > "$v2/cgroup.freeze"
	until [[ $(< "$v1/freezer.state") == FROZEN ]]; do sleep 0.01; done
	until grep -qx 'frozen 1' "$v2/cgroup.events"; do sleep 0.01; done

	helpers_teardown
	[[ ! -e $v1 && ! -e $v2 ]]
	for pid in "${pids[@]}"; do
		if [[ -e /proc/$pid ]]; then
			assert_equal "$(proc_state "$pid")" Z
		fi
	done
}
