# shellcheck shell=bash
#
# Shared helpers for the criu-lite Bats tests.
#
#   load helpers
#   teardown() { helpers_teardown; }
#
#   @test "..." {
#       mktree_start 'p[t2](p[T] p[stop])'   # sets ROOT, MKTREE_JSON
#       new_cgroup CG v1                     # sets CG, removed in teardown
#       cgroups_of_tree "$ROOT" > "$BATS_TEST_TMPDIR/before"
#       ...
#       assert_not_frozen "$ROOT"
#   }
#
# Every tree started with mktree_start (or registered with track_root) and
# every cgroup made with new_cgroup (or registered with track_cgroup) is
# killed/removed by helpers_teardown, even if the test failed half way.
#
# Speed: Bats runs tests under a DEBUG trap, which makes every shell
# command about 10 times slower.  Loops over whole trees (hundreds of
# processes) therefore run in a subshell with the trap removed, see _quick,
# and read /proc with builtins only.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

# make check may export a relative top_builddir; tests may cd around
: "${top_builddir:=${BUILDDIR:-$BATS_TEST_DIRNAME/..}}"
top_builddir=$(cd "$top_builddir" && pwd)
: "${MKTREE:=$top_builddir/test/mktree}"
: "${CRIU_LITE:=$top_builddir/criu-lite/criu-lite}"
: "${CG_V1_FREEZER:=/sys/fs/cgroup/freezer}"
: "${CG_V2:=/sys/fs/cgroup/unified}"

_TRACKED_ROOTS=()	# root pids, their live trees are killed in teardown
_TRACKED_PIDS=()	# pid:starttime taken at start, catches lost orphans
_TRACKED_CGROUPS=()	# directories, removed in teardown
_KILLED=()		# pid:starttime sent SIGKILL, see _wait_killed

# _quick CMD...: run CMD in a subshell without the Bats DEBUG trap
_quick() {
	(
		trap - DEBUG
		set +T
		"$@"
	)
}

# ------------------------------------------------------------ /proc access

# _stat PID: split /proc/PID/stat into _ST, indexed by the field numbers of
# proc(5) (_ST[3] state, _ST[4] ppid, _ST[22] starttime); false if gone.
# PID may also be PID/task/TID.  The comm may contain blanks and parens,
# so split after the last ')'.
_stat() {
	local line comm
	local -a f

	_ST=()
	{ read -r line < "/proc/$1/stat"; } 2> /dev/null || return 1
	comm=${line#*(}
	comm=${comm%)*}
	read -r -a f <<< "${line##*) }"
	_ST=(- "${line%% *}" "$comm" "${f[@]}")
}

# stat_field PID N: field N of /proc/PID/stat (PID may be PID/task/TID)
stat_field() {
	_stat "$1" || return 1
	echo "${_ST[$2]}"
}

proc_state() { stat_field "$1" 3; }

_tree_pids() {
	local -a queue=("$1") kids
	local pid f i=0

	[[ -d /proc/$1 ]] || return 0
	while ((i < ${#queue[@]})); do
		pid=${queue[i++]}
		echo "$pid"
		for f in /proc/"$pid"/task/*/children; do
			kids=()
			{ read -r -d '' -a kids < "$f"; } 2> /dev/null || true
			queue+=("${kids[@]}")
		done
	done
}

# tree_pids ROOT: every process of the tree under ROOT (root first,
# breadth first), zombies included; children of all threads count.
tree_pids() {
	_quick _tree_pids "$1"
}

_tree_tasks() {
	local pid t

	for pid in $(_tree_pids "$1"); do
		for t in /proc/"$pid"/task/*; do
			if [[ -d $t ]]; then
				echo "$pid ${t##*/}"
			fi
		done
	done
}

# tree_tasks ROOT: "pid tid" for every thread of every process of the tree
tree_tasks() {
	_quick _tree_tasks "$1"
}

_tree_table() {
	local pid f n
	local -a kids tasks

	for pid in $(_tree_pids "$1"); do
		_stat "$pid" || continue
		n=0
		for f in /proc/"$pid"/task/*/children; do
			kids=()
			{ read -r -d '' -a kids < "$f"; } 2> /dev/null || true
			n=$((n + ${#kids[@]}))
		done
		tasks=(/proc/"$pid"/task/*)
		echo "$pid ${_ST[4]} ${_ST[5]} ${_ST[6]} ${_ST[3]}" \
		     "${#tasks[@]} $n ${_ST[2]}"
	done
}

# tree_table ROOT: one line per process, breadth first:
#   pid ppid pgid sid state threads children comm
tree_table() {
	_quick _tree_table "$1"
}

# ---------------------------------------------------------------- killing

# Process ids are kept as pid:starttime, so that a reused pid is never
# mistaken for one of ours.

# Kills the tree under $1 and prints pid:starttime of what it killed.
# Walks again after killing, in case something forked meanwhile.
_kill_tree_ids() {
	local pid
	local -a pids

	for _ in 1 2 3; do
		mapfile -t pids < <(_tree_pids "$1")
		((${#pids[@]})) || return 0
		for pid in "${pids[@]}"; do
			_stat "$pid" || continue
			echo "$pid:${_ST[22]}"
			kill -KILL "$pid" 2> /dev/null || true
		done
	done
}

# Kills those of the pid:starttime arguments still alive, prints them.
_kill_ids() {
	local id

	for id in "$@"; do
		if _stat "${id%%:*}" && [[ ${_ST[22]} == "${id#*:}" ]]; then
			echo "$id"
			kill -KILL "${id%%:*}" 2> /dev/null || true
		fi
	done
}

# SIGKILL the tree under ROOT (stopped processes die too; a task in a
# frozen v1 cgroup only dies once thawed, which is left to the caller).
_kill_tree_send() {
	local -a ids

	mapfile -t ids < <(_quick _kill_tree_ids "$1")
	_KILLED+=("${ids[@]}")
}

# _wait_ids TIMEOUT ID...: wait until each pid:starttime is gone, reused,
# or a zombie whose parent is not one of the dying (its reaper, often
# init, will get to it).
_wait_ids() {
	local deadline=$((SECONDS + $1)) id pid
	local -a left zombies
	local -A dying

	shift
	while :; do
		left=() zombies=() dying=()
		for id in "$@"; do
			pid=${id%%:*}
			if ! _stat "$pid" || [[ ${_ST[22]} != "${id#*:}" ]]; then
				continue	# gone, or the pid was reused
			fi
			if [[ ${_ST[3]} == [ZX] ]]; then
				zombies+=("$id:${_ST[4]}")
			else
				dying[$pid]=1
				left+=("$id")
			fi
		done
		for id in "${zombies[@]}"; do
			[[ -z ${dying[${id##*:}]:-} ]] || left+=("${id%:*}")
		done
		((${#left[@]})) || return 0
		if ((SECONDS >= deadline)); then
			echo "still alive after SIGKILL: ${left[*]%%:*}" >&2
			return 1
		fi
		sleep 0.05
	done
}

# Waits up to $1 seconds (default 5) for everything in _KILLED.
_wait_killed() {
	_quick _wait_ids "${1:-5}" "${_KILLED[@]}" || return 1
	_KILLED=()
}

# kill_tree ROOT: SIGKILL the whole tree and wait (5 s at most) for it to
# be gone.  Safe on a dead root and when called twice.
kill_tree() {
	_kill_tree_send "$1"
	_wait_killed 5
}

# ------------------------------------------------------- starting trees

_tree_ids() {
	local pid

	for pid in $(_tree_pids "$1"); do
		if _stat "$pid"; then
			echo "$pid:${_ST[22]}"
		fi
	done
}

# track_root PID: kill the tree under PID in teardown (e.g. a restored tree)
track_root() {
	local -a ids

	_TRACKED_ROOTS+=("$1")
	mapfile -t ids < <(_quick _tree_ids "$1")
	_TRACKED_PIDS+=("${ids[@]}")
}

# mktree_start [mktree options] SPEC: build a tree and track it.
# Sets ROOT, MKTREE_JSON and the array MKTREE_PIDS.  Do not use with `run`.
mktree_start() {
	local re='"root": ([0-9]+)'

	MKTREE_JSON=$("$MKTREE" --json "$@") ||
		fail "mktree $* failed with status $?"
	[[ $MKTREE_JSON =~ $re ]] || fail "mktree printed '$MKTREE_JSON'"
	ROOT=${BASH_REMATCH[1]}
	re='"pids": \[([0-9, ]*)\]'
	[[ $MKTREE_JSON =~ $re ]]
	# shellcheck disable=SC2034 # for the tests
	IFS=', ' read -r -a MKTREE_PIDS <<< "${BASH_REMATCH[1]}"
	track_root "$ROOT"
}

# label_pid NAME: pid of the process labelled NAME in the last mktree_start
label_pid() {
	local re="\"$1\": ([0-9]+)"

	[[ $MKTREE_JSON =~ $re ]] || return 1
	echo "${BASH_REMATCH[1]}"
}

# -------------------------------------------------------------- cgroups

# new_cgroup VAR v1|v2 [NAME]: create a cgroup (v1: the freezer hierarchy)
# for this test, store its path in VAR and remove it in teardown.
new_cgroup() {
	local base dir

	case $2 in
	v1) base=$CG_V1_FREEZER ;;
	v2) base=$CG_V2 ;;
	*) fail "new_cgroup: hierarchy must be v1 or v2, not '$2'" ;;
	esac
	dir=$base/bats-$$-$BATS_TEST_NUMBER-${3:-cg${#_TRACKED_CGROUPS[@]}}
	mkdir "$dir" || fail "cannot create $dir"
	track_cgroup "$dir"
	printf -v "$1" '%s' "$dir"
}

# track_cgroup DIR: remove DIR (and cgroups below it) in teardown
track_cgroup() {
	_TRACKED_CGROUPS+=("$1")
}

# Kill everything in DIR and below, thaw it so the dead can exit, rmdir.
_remove_cgroup() {
	local top=$1 d pid deadline
	local -a dirs

	[[ -d $top ]] || return 0
	mapfile -t dirs < <(find "$top" -depth -type d)
	for d in "${dirs[@]}"; do
		if [[ -e $d/cgroup.kill ]]; then
			echo 1 > "$d/cgroup.kill"
		else
			while read -r pid; do
				kill -KILL "$pid" 2> /dev/null || true
			done < "$d/cgroup.procs"
		fi
		if [[ -e $d/cgroup.freeze ]]; then
			echo 0 > "$d/cgroup.freeze"
		fi
		if [[ -e $d/freezer.state ]]; then
			echo THAWED > "$d/freezer.state"
		fi
	done
	for d in "${dirs[@]}"; do
		deadline=$((SECONDS + 5))
		until rmdir "$d" 2> /dev/null; do
			if ((SECONDS >= deadline)); then
				echo "cannot remove cgroup $d" >&2
				return 1
			fi
			sleep 0.05
		done
	done
}

# _read_cgroups FILE: set _V1 (freezer path) and _V2 from a cgroup file
_read_cgroups() {
	local line

	_V1=- _V2=-
	while IFS= read -r line; do
		case $line in
		*:freezer:*) _V1=${line#*:freezer:} ;;
		0::*) _V2=${line#0::} ;;
		esac
	done < "$1"
}

_cgroups_of_tree() {
	local pid

	for pid in $(_tree_pids "$1"); do
		{ _read_cgroups "/proc/$pid/cgroup"; } 2> /dev/null || continue
		echo "$pid $_V1 $_V2"
	done | sort -n
}

# cgroups_of_tree ROOT: "pid v1-freezer-path v2-path" for every process,
# sorted, to compare before and after e.g. a dump and restore.  Note that
# a zombie shows / for v1 but keeps its v2 path.
cgroups_of_tree() {
	_quick _cgroups_of_tree "$1"
}

# ------------------------------------------------------------ assertions

# _first_line FILE: set _LINE to the first line of FILE, false if unreadable
_first_line() {
	_LINE=
	[[ -r $1 ]] || return 1
	read -r _LINE < "$1" || [[ -n $_LINE ]]
}

# Prints why task (pid tid) looks frozen or traced, nothing if it does not.
_task_frozen() {
	local task=/proc/$1/task/$2 who="task $2 of $1" wchan='' line f

	_stat "$1/task/$2" || return 0
	{ read -r wchan < "$task/wchan"; } 2> /dev/null || true
	# since 6.1 a v1-frozen task shows as D; a frozen stopped task sits in
	# do_signal_stop rather than __refrigerator
	if [[ ${_ST[3]} == D && $wchan =~ ^(__refrigerator|do_signal_stop|do_freezer_trap)$ ]]; then
		echo "$who: state D in $wchan"
	fi
	while IFS= read -r line; do
		if [[ $line == TracerPid:* && ${line//[^0-9]/} != 0 ]]; then
			echo "$who: traced (${line//[[:space:]]/ })"
		fi
	done < "$task/status"
	_read_cgroups "$task/cgroup"
	f=$CG_V1_FREEZER$_V1/freezer.state
	if [[ $_V1 != - ]] && _first_line "$f" && [[ $_LINE != THAWED ]]; then
		echo "$who: $f is $_LINE"
	fi
	f=$CG_V2$_V2/cgroup.freeze
	if [[ $_V2 != - ]] && _first_line "$f" && [[ $_LINE != 0 ]]; then
		echo "$who: $f is $_LINE"
	fi
	f=$CG_V2$_V2/cgroup.events
	if [[ $_V2 != - && -r $f ]]; then
		while read -r line; do
			if [[ $line == "frozen 1" ]]; then
				echo "$who: $f says frozen 1"
			fi
		done < "$f"
	fi
}

_tree_frozen() {
	local pid tid

	while read -r pid tid; do
		{ _task_frozen "$pid" "$tid"; } 2> /dev/null || true
	done < <(_tree_tasks "$1")
}

# assert_not_frozen ROOT: no task of the tree is frozen (v1 or v2: its
# cgroup's state and the task's own state) or ptraced
assert_not_frozen() {
	local -a bad

	mapfile -t bad < <(_quick _tree_frozen "$1")
	((${#bad[@]} == 0)) || {
		printf '%s\n' "${bad[@]}" |
			batslib_decorate "tree $1 is frozen or traced" | fail
	}
}

# ------------------------------------------------------------- teardown

# Kill every tracked tree, then clean up cgroups (thawing lets v1-frozen
# victims die), then wait for the dead.
helpers_teardown() {
	local root i rc=0
	local -a ids

	# A root whose pid now names another process (it died and the pid was reused: pid_max
	# is small here) is not ours to kill; its tracked descendants still are, below.
	for root in "${_TRACKED_ROOTS[@]}"; do
		_stat "$root" || continue
		[[ " ${_TRACKED_PIDS[*]} " == *" $root:${_ST[22]} "* ]] || continue
		_kill_tree_send "$root"
	done
	mapfile -t ids < <(_quick _kill_ids "${_TRACKED_PIDS[@]}")
	_KILLED+=("${ids[@]}")
	for ((i = ${#_TRACKED_CGROUPS[@]} - 1; i >= 0; i--)); do
		_remove_cgroup "${_TRACKED_CGROUPS[i]}" || rc=1
	done
	_wait_killed 5 || rc=1
	_TRACKED_ROOTS=() _TRACKED_PIDS=() _TRACKED_CGROUPS=()
	return $rc
}

# self_check PID FILE: a test program (memtest, filetest) checks its own state on SIGUSR1 and
# writes the verdict to FILE; print that verdict (or say it did not answer within 5 s).
self_check() {
	local i
	rm -f "$2"
	kill -USR1 "$1"
	for ((i = 0; i < 100; i++)); do
		if [[ -s $2 ]]; then
			cat "$2"
			return 0
		fi
		sleep 0.05
	done
	echo "process $1 did not answer"
}
