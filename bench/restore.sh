#!/bin/bash
# Restore of a fan of N processes: wall time of `criu-lite restore -d` (median of RUNS, from the
# command's start until it has printed the pid, so with the tree complete), here and in a new pid
# namespace (--pidns, while the original still runs), and here with ns_last_pid instead of
# clone3. Images on tmpfs. Usage: bench/restore.sh [N...] (default 100 1000).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
CL=$top/criu-lite/criu-lite
MKTREE=$top/test/mktree
RUNS=${RUNS:-5}
out=$(mktemp -d /dev/shm/criu-lite-bench.XXXXXX)
root=""
ids=()
cleanup() {
	[ -n "$root" ] && kill -KILL $(ps -o pid= --ppid "$root") "$root" 2>/dev/null || true
	[ ${#ids[@]} -gt 0 ] && kill -KILL "${ids[@]}" 2>/dev/null || true
	rm -rf "$out"
}
trap cleanup EXIT INT TERM

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Waits until none of the given pids exists (a killed tree is reaped by whoever adopts it).
wait_gone() {
	local id
	for id in "$@"; do
		while [ -e "/proc/$id" ]; do
			sleep 0.01
		done
	done
}

# Kills a restored tree below $1 (its root, or with --pidns its init) and waits for its ids.
kill_restored() {
	kill -KILL $(cat /proc/"$1"/task/*/children 2>/dev/null) "$1" 2>/dev/null || true
	wait_gone "$1" "${ids[@]}"
}

# restore_ms [restore options]: one restore -d of $out/img; sets ms (its wall time) and got
# (the pid it printed). pid_max may be small and the host busy: a freed pid of the tree may be
# taken by a stranger for a while, then the restore fails at once and is tried again.
restore_ms() {
	local t0 t1 try
	for ((try = 0; try < 20; try++)); do
		t0=$(date +%s%N)
		if got=$("$CL" restore -D "$out/img" -d "$@" 2>"$out/err"); then
			t1=$(date +%s%N)
			ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
			return 0
		fi
		grep -q 'is taken' "$out/err" || break
		sleep 0.2
	done
	cat "$out/err" >&2
	return 1
}

# measure N: build and dump a fan of N, measure; false if a stranger kept a pid of the tree
measure() {
	local n=$1 i
	root=$("$MKTREE" "p(p*$((n - 1)))")
	rm -rf "$out/img"
	"$CL" dump -t "$root" -D "$out/img" --shape-only
	mapfile -t ids < <("$CL" ps -D "$out/img" --json | jq -r '.processes[] | .pid, .threads[]')

	ns=()
	for ((i = 0; i < RUNS; i++)); do
		restore_ms --pidns || return 1
		ns+=("$ms")
		kill -KILL "$got"
		wait_gone "$got"
	done

	kill -KILL $(ps -o pid= --ppid "$root") "$root" 2>/dev/null || true
	wait_gone "${ids[@]}"
	root=""
	here=() last=()
	for ((i = 0; i < RUNS; i++)); do
		restore_ms || return 1
		here+=("$ms")
		kill_restored "$got"
		CRIU_LITE_NO_CLONE3=1 restore_ms || return 1
		last+=("$ms")
		kill_restored "$got"
	done
	printf '%-8s %12s %12s %20s\n' "$n" "$(printf '%s\n' "${here[@]}" | median)" \
		"$(printf '%s\n' "${ns[@]}" | median)" "$(printf '%s\n' "${last[@]}" | median)"
}

printf '%-8s %12s %12s %20s\n' procs "here ms" "--pidns ms" "ns_last_pid ms"
sizes=("$@")
[ $# -gt 0 ] || sizes=(100 1000)
for n in "${sizes[@]}"; do
	for try in 1 2 3; do
		measure "$n" && break
		echo "(a pid of the tree stayed taken: again with a new tree)" >&2
		[ -n "$root" ] && kill -KILL $(ps -o pid= --ppid "$root") "$root" 2>/dev/null || true
		root=""
	done
	ids=()
done
