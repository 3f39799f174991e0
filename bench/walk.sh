#!/bin/bash
# The two walkers on a tree of TREE processes (default 2000): `criu-lite ps -t ROOT` with
# --walker=children and --walker=scan, wall time, median of RUNS (default 5), first on the host
# as it is, then again with NOISE (default 20000) unrelated sleeping processes around.
# The scan walker reads every process of the host; the children walker only the tree.
#
# Usage: bench/walk.sh        (as root; TREE=, NOISE=, RUNS= to change the sizes)
# Everything it starts lives in a temporary cgroup v2 and is killed on exit, Ctrl-C included;
# pid_max is raised if the host would run out of pids, and put back.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
CL=$top/criu-lite/criu-lite
MKTREE=$top/test/mktree
TREE=${TREE:-2000}
NOISE=${NOISE:-20000}
RUNS=${RUNS:-5}

die() {
	echo "walk.sh: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (the scan walker must read every process)"
{ [ -x "$CL" ] && [ -x "$MKTREE" ]; } || die "build first: make && make test/mktree"
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$cg2" ] || die "needs a cgroup v2 hierarchy to hold (and kill) what it starts"

cg=$cg2/criu-lite-bench.$$

# since T0: seconds from $EPOCHREALTIME value T0 until now
since() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }'
}
old_pid_max=""

nr_procs() {
	local -a p=(/proc/[0-9]*)
	echo "${#p[@]}"
}

# Kill everything under $cg, wait for it to be gone (zombies go to init, which reaps them),
# remove the cgroups, and put pid_max back.
cleanup() {
	local d i pid
	local -a pids=() left

	trap - EXIT INT TERM HUP
	if [ -d "$cg" ]; then
		mapfile -t pids < <(cat "$cg"/*/cgroup.procs 2> /dev/null)
		echo 1 > "$cg/cgroup.kill" 2> /dev/null || true
		for ((i = 0; i < 600; i++)); do
			grep -qx 'populated 0' "$cg/cgroup.events" && break
			sleep 0.05
		done
		for d in "$cg/noise" "$cg/tree" "$cg"; do
			for ((i = 0; i < 100; i++)); do
				[ -d "$d" ] || break
				rmdir "$d" 2> /dev/null && break
				sleep 0.05
			done
			[ ! -d "$d" ] || echo "walk.sh: cannot remove $d" >&2
		done
	fi
	# The dead still hold their pids until init has reaped them: wait for that.
	for ((i = 0; i < 300 && ${#pids[@]}; i++)); do
		left=()
		for pid in "${pids[@]}"; do
			[ -e "/proc/$pid" ] && left+=("$pid")
		done
		pids=("${left[@]}")
		((${#pids[@]} == 0)) || sleep 0.1
	done
	((${#pids[@]} == 0)) || echo "walk.sh: ${#pids[@]} killed processes not reaped yet" >&2
	if [ -n "$old_pid_max" ]; then
		echo "$old_pid_max" > /proc/sys/kernel/pid_max
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Room for everything: pids (processes and threads share them) and threads-max.
# /proc/loadavg's fourth field is running/total scheduling entities: every thread of the host.
threads=$(awk '{ split($4, a, "/"); print a[2] }' /proc/loadavg)
need=$((threads + TREE * 2 + NOISE + 5000))
pid_max=$(cat /proc/sys/kernel/pid_max)
if ((pid_max < need)); then
	old_pid_max=$pid_max
	new=$((need * 2 > 4194304 ? 4194304 : need * 2))
	echo "raising kernel.pid_max from $pid_max to $new for the run"
	echo "$new" > /proc/sys/kernel/pid_max
fi
(($(cat /proc/sys/kernel/threads-max) >= need)) || die "kernel.threads-max is below $need"

mkdir "$cg" "$cg/tree" "$cg/noise"

# The tree: fans of 20 under a root, a few threads, children of a non-leader thread.
fans=$(((TREE - 100) / 20))
rest=$((TREE - 1 - fans * 20 - 21))
((rest >= 0)) || die "TREE must be at least 122"
spec="p(p(p*19)*$fans p[t3](p[T]*20) p*$rest)"
[ "$rest" -gt 0 ] || spec="p(p(p*19)*$fans p[t3](p[T]*20))"
t0=$EPOCHREALTIME
root=$("$MKTREE" --cgroup "$cg/tree" "$spec")
printf 'tree %s: root %s, built in %.1f s\n' "$spec" "$root" "$(since "$t0")"

# ms CMD...: wall time of one run of CMD, in ms
ms() {
	local t0=$EPOCHREALTIME t1

	"$@" > /dev/null
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}

median() {
	sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure WALKER: median of RUNS wall times of ps -t ROOT with that walker, after a warm-up
# run that also checks the walker finds the whole tree.
measure() {
	local n i

	n=$("$CL" ps -t "$root" --walker="$1" --json | jq '.processes | length')
	[ "$n" = "$TREE" ] || die "the $1 walker found $n processes, not $TREE"
	for ((i = 0; i < RUNS; i++)); do
		ms "$CL" ps -t "$root" --walker="$1"
	done | median
}

declare -a rows
row() {
	local host children scan

	host=$(nr_procs)
	children=$(measure children)
	scan=$(measure scan)
	rows+=("$(printf '%-24s %10s %14s ms %11s ms %9.1fx' "$1" "$host" "$children" "$scan" \
		"$(awk -v s="$scan" -v c="$children" 'BEGIN { print s / c }')")")
}

row "host as it is"

echo "starting $NOISE sleeping processes..."
t0=$EPOCHREALTIME
"$MKTREE" --cgroup "$cg/noise" "p(p*$((NOISE - 1)))" > /dev/null
printf 'started in %.1f s\n' "$(since "$t0")"

row "+$NOISE sleepers"

echo
echo "criu-lite ps -t ROOT, a tree of $TREE processes; wall time, median of $RUNS runs"
printf '%-24s %10s %17s %14s %10s\n' "" "host procs" "children walker" "scan walker" "scan/chld"
printf '%s\n' "${rows[@]}"
