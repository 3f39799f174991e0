#!/usr/bin/env bats
#
# The two walkers, and the kernel file the faster one relies on.
#
# The scan walker (every /proc/PID/stat of the host, parents from ppid) and
# the children walker (/proc/PID/task/TID/children, recursively) must find
# the same tree on every shape mktree builds.  Then the children file's own
# semantics, read straight from bash: one level only, per thread, gone once
# reaped, and a reparented child listed under its new parent.

bats_require_minimum_version 1.5.0

load helpers

teardown() {
	helpers_teardown
}

# walk ROOT WALKER: the live tree as `ps --json`, sorted by pid
walk() {
	"$CRIU_LITE" ps -t "$1" --walker="$2" --json | jq -S '.processes | sort_by(.pid)'
}

# children PID [TID]: the pids in one children file (TID defaults to PID)
children() {
	local -a kids=()

	read -r -a kids < "/proc/$1/task/${2:-$1}/children" || true
	((${#kids[@]} == 0)) || printf '%s\n' "${kids[@]}"
}

# all_children PID: the children of every thread of PID, sorted
all_children() {
	local t

	for t in /proc/"$1"/task/*; do
		children "$1" "${t##*/}"
	done | sort -n
}

# other_tids PID: the threads of PID but its leader, ascending
other_tids() {
	local t

	for t in /proc/"$1"/task/*; do
		[[ ${t##*/} == "$1" ]] || echo "${t##*/}"
	done | sort -n
}

# in_list PID < LIST: whether PID is one of the lines of LIST
in_list() {
	grep -qx "$1"
}

# wait_state PID STATE: up to 5 s for PID to reach STATE (e.g. Z)
wait_state() {
	local i

	for ((i = 0; i < 500; i++)); do
		[[ $(proc_state "$1") == "$2" ]] && return 0
		sleep 0.01
	done
	fail "$1 is $(proc_state "$1"), not $2, after 5 s"
}

# chain N: a spec for a chain of N processes
chain() {
	local s=p i

	for ((i = 1; i < $1; i++)); do
		s="p($s)"
	done
	echo "$s"
}

# same_walks SPEC...: for each spec, build it; both walkers must succeed and
# agree, and find exactly the processes mktree made.  Kills each tree after.
same_walks() {
	local spec by_children by_scan

	for spec in "$@"; do
		mktree_start "$spec"
		by_children=$(walk "$ROOT" children) || fail "children walker failed on $spec"
		by_scan=$(walk "$ROOT" scan) || fail "scan walker failed on $spec"
		[[ $by_children == "$by_scan" ]] ||
			diff -u <(echo "$by_children") <(echo "$by_scan") |
			batslib_decorate "walkers differ on $spec" | fail
		assert_equal "$(jq -r '.[].pid' <<< "$by_scan" | tr '\n' ' ')" \
			"$(printf '%s\n' "${MKTREE_PIDS[@]}" | sort -n | tr '\n' ' ')"
		# the JSON describes a tree: one root (ppid 0), every ppid a member
		assert_equal "$(jq '[.[] | select(.ppid == 0)] | length' <<< "$by_scan")" 1
		assert_equal "$(jq '[.[].pid] as $p | [.[] | select(.ppid != 0 and
			(.ppid | IN($p[]) | not))] | length' <<< "$by_scan")" 0
		kill_tree "$ROOT"
	done
}

# ------------------------------------------------------------ the walkers

@test "walkers agree: single processes, fans, chains" {
	same_walks 'p' 'p(p)' 'p(p p p)' "$(chain 30)" 'p(p*40)' \
		'p(p(p*5) p(p*5) p(p*5))' 'p(p(p*4)*6)' 'p(p p(p p(p p)) p)'
}

@test "walkers agree: threads, and children of non-leader threads" {
	same_walks 'p[t3]' 'p[t1](p[T])' 'p[t2](p[T] p)' 'p[t4](p[T]*3 p*2)' \
		'p[t1](p[T,t1](p[T,t2](p[T])))' 'p(p[t2](p[T](p) p[t1]))' \
		'p[t3](p[T](p[t1](p[T]*2)) p[t2] p)'
}

@test "walkers agree: children reparented to a subreaper root" {
	same_walks 'p[sub](p[exit](p))' 'p[sub](p[exit](p p p))' \
		'p[sub](p[exit](p[exit](p) p) p)' \
		'p[sub](p[exit](p(p p)) p[exit](p[t1](p[T])))' \
		'p[sub,t1](p[T,exit](p p) p(p))' \
		'p[sub](p(p[sub](p[exit](p p))))'
}

@test "walkers agree: zombies, stopped processes, sessions and groups" {
	same_walks 'p(p[z=0] p[z=3] p[zs=9])' 'p(p[stop] p[stop](p) p(p[stop]))' \
		'p[sid](p[pg](p p) p[pg])' 'p[sid](p:a[pg](p[pg=a]) p[pg=a] p[sid](p[pg]))' \
		'p[sub](p[z=1](p) p[zs=15])' 'p[sid,t1](p[T,pg](p[stop]) p[z=2])'
}

@test "walkers agree: everything at once, and a larger tree" {
	same_walks \
		'p[sub,t2,sid](p[exit](p[t1](p[T]) p[z=5] p[stop]) p[T] p[stop] p:g[pg](p[pg=g]*3) p*10 p[zs=9](p))' \
		'p(p(p(p*10)*10)*3)'
}

@test "walkers agree when the root is a zombie or stopped" {
	local z s

	mktree_start 'p(p:z[z=4] p:s[stop](p))'
	z=$(label_pid z)
	s=$(label_pid s)
	assert_equal "$(walk "$z" children)" "$(walk "$z" scan)"
	assert_equal "$(walk "$z" scan | jq -r '.[0].state')" zombie
	assert_equal "$(walk "$s" children)" "$(walk "$s" scan)"
	assert_equal "$(walk "$s" scan | jq -r '.[].state' | tr '\n' ' ')" "stopped alive "
}

@test "both walkers refuse a pid that does not exist, the same way" {
	local max
	max=$(cat /proc/sys/kernel/pid_max)

	run --separate-stderr "$CRIU_LITE" ps -t $((max + 1)) --walker=children
	assert_failure 1
	local children_err=$stderr
	run --separate-stderr "$CRIU_LITE" ps -t $((max + 1)) --walker=scan
	assert_failure 1
	assert_equal "$stderr" "$children_err"
	[[ $stderr == *"no process with pid $((max + 1))"* ]]
}

@test "the root given as a non-leader thread id is refused by both walkers and dump" {
	local tid walker

	mktree_start 'p[t1](p[T] p)'
	tid=$(other_tids "$ROOT")
	for walker in children scan; do
		run "$CRIU_LITE" ps -t "$tid" --walker=$walker --json
		assert_failure
		assert_output "criu-lite: error: $tid is a thread of process $ROOT, not a process"
	done
	run "$CRIU_LITE" dump -t "$tid" -D "$BATS_TEST_TMPDIR/img"
	assert_failure
	assert_output "criu-lite: error: $tid is a thread of process $ROOT, not a process"
	[ ! -e "$BATS_TEST_TMPDIR/img" ]
}

@test "dump --walker=scan: ps -D shows the live tree, as the children walker sees it" {
	local spec img live walker

	for spec in 'p(p p(p))' 'p[t2](p[T] p[stop] p[z=3])' \
		'p[sub](p[exit](p p[t1](p[T])) p:a[sid](p[pg=a]) p[zs=9])'; do
		mktree_start "$spec"
		live=$(walk "$ROOT" children)
		for walker in scan children; do
			img=$BATS_TEST_TMPDIR/img-$ROOT-$walker
			run --separate-stderr "$CRIU_LITE" dump -t "$ROOT" -D "$img" --walker="$walker"
			assert_success
			assert_equal "$stderr" ""
			run "$CRIU_LITE" ps -D "$img" --json
			assert_success
			assert_equal "$(jq -S '.processes | sort_by(.pid)' <<< "$output")" "$live"
		done
		# the images from the two walkers hold the same tree
		assert_equal \
			"$("$CRIU_LITE" ps -D "$BATS_TEST_TMPDIR/img-$ROOT-scan" --json | jq -S '.processes | sort_by(.pid)')" \
			"$("$CRIU_LITE" ps -D "$BATS_TEST_TMPDIR/img-$ROOT-children" --json | jq -S '.processes | sort_by(.pid)')"
		# and the tree runs on as it was
		assert_equal "$(walk "$ROOT" scan)" "$live"
		assert_not_frozen "$ROOT"
		kill_tree "$ROOT"
	done
}

# ------------------------------------------- the kernel's children file

@test "children file: first level only" {
	local c g d

	mktree_start 'p(p:c(p:g) p:d)'
	c=$(label_pid c)
	g=$(label_pid g)
	d=$(label_pid d)
	assert_equal "$(children "$ROOT" | sort -n)" "$(printf '%s\n' "$c" "$d" | sort -n)"
	refute in_list "$g" < <(children "$ROOT")
	assert_equal "$(children "$c")" "$g"
	assert_equal "$(children "$g")" ""
	assert_equal "$(children "$d")" ""
}

@test "children file: a child forked by a non-leader thread is in that thread's file only" {
	local tc plain t others=()

	mktree_start 'p[t2](p:tc[T] p:plain)'
	tc=$(label_pid tc)
	plain=$(label_pid plain)
	mapfile -t others < <(other_tids "$ROOT")
	assert_equal "${#others[@]}" 2
	# mktree forks T children from the first extra thread
	assert_equal "$(children "$ROOT" "${others[0]}")" "$tc"
	assert_equal "$(children "$ROOT" "${others[1]}")" ""
	assert_equal "$(children "$ROOT")" "$plain"
	refute in_list "$tc" < <(children "$ROOT")
	# ... each listed once over all threads, and its ppid is the process, not the thread
	assert_equal "$(all_children "$ROOT")" "$(printf '%s\n' "$tc" "$plain" | sort -n)"
	assert_equal "$(stat_field "$tc" 4)" "$ROOT"
	assert_equal "$(grep '^PPid:' /proc/"$tc"/status | cut -f2)" "$ROOT"
}

@test "children file: a zombie stays listed; a reaped child disappears" {
	local z a b

	# a zombie is still its parent's child
	mktree_start 'p(p:z[z=3] p:a)'
	z=$(label_pid z)
	a=$(label_pid a)
	assert_equal "$(proc_state "$z")" Z
	in_list "$z" < <(children "$ROOT")
	# a process whose parent never reaps: killed, it turns zombie and stays
	kill -TERM "$a"
	wait_state "$a" Z
	in_list "$a" < <(children "$ROOT")

	# this shell reaps its children: once reaped, a child is gone from the file
	local me=$BASHPID
	sleep 1000 > /dev/null 3>&- &
	a=$!
	track_root "$a"
	sleep 1000 > /dev/null 3>&- &
	b=$!
	track_root "$b"
	in_list "$a" < <(children "$me")
	in_list "$b" < <(children "$me")
	kill -KILL "$a"
	wait "$a" || true
	refute in_list "$a" < <(children "$me")
	in_list "$b" < <(children "$me")
	kill -KILL "$b"
	wait "$b" || true
	refute in_list "$b" < <(children "$me")
}

@test "children file: a child reaped at build time (exit) is not listed" {
	local a b

	mktree_start 'p[sub](p:a[exit](p:b) p:c)'
	a=$(label_pid a)
	b=$(label_pid b)
	refute in_list "$a" < <(children "$ROOT")
	in_list "$b" < <(children "$ROOT")
	[[ ! -e /proc/$a ]] || [[ $(stat_field "$a" 4) != "$ROOT" ]]
}

@test "children file: an orphan is listed under its new parent, the subreaper" {
	local a b c

	mktree_start 'p:r[sub](p:a(p:b p:c))'
	a=$(label_pid a)
	b=$(label_pid b)
	c=$(label_pid c)
	assert_equal "$(children "$ROOT")" "$a"
	assert_equal "$(children "$a" | sort -n)" "$(printf '%s\n' "$b" "$c" | sort -n)"

	# a dies; its parent does not reap it, yet its children move at once
	kill -KILL "$a"
	wait_state "$a" Z
	assert_equal "$(children "$ROOT" | sort -n)" "$(printf '%s\n' "$a" "$b" "$c" | sort -n)"
	assert_equal "$(children "$a")" ""
	assert_equal "$(stat_field "$b" 4)" "$ROOT"
	assert_equal "$(stat_field "$c" 4)" "$ROOT"
	# and the walkers follow
	assert_equal "$(walk "$ROOT" children)" "$(walk "$ROOT" scan)"
	assert_equal "$(walk "$ROOT" scan | jq -r '.[] | "\(.pid) \(.ppid) \(.state)"' | sort -n)" \
		"$(printf '%s\n' "$ROOT 0 alive" "$a $ROOT zombie" "$b $ROOT alive" "$c $ROOT alive" | sort -n)"
}

@test "children file: the subreaper is the nearest one, not the root" {
	local s a b

	mktree_start 'p[sub](p:s[sub](p:a(p:b)))'
	s=$(label_pid s)
	a=$(label_pid a)
	b=$(label_pid b)
	kill -KILL "$a"
	wait_state "$a" Z
	in_list "$b" < <(children "$s")
	refute in_list "$b" < <(children "$ROOT")
	assert_equal "$(stat_field "$b" 4)" "$s"
}
