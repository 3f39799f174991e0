#!/bin/bash
# Dump of trees of N sleeping processes: wall time and stopped time (medians of RUNS) and peak
# RSS of criu-lite, images on tmpfs. Usage: bench/dump.sh [N...] (default 100 1000).
# MODE=shape (default) dumps with --shape-only, MODE=full with memory; FREEZER=auto|v1|ptrace.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
CL=$top/criu-lite/criu-lite
MKTREE=$top/test/mktree
RUNS=${RUNS:-5}
FREEZER=${FREEZER:-auto}
MODE=${MODE:-shape}
extra=()
[ "$MODE" = shape ] && extra=(--shape-only)
out=$(mktemp -d /dev/shm/criu-lite-bench.XXXXXX)
root=""
cleanup() {
	[ -n "$root" ] && kill -KILL $(ps -o pid= --ppid "$root") "$root" 2>/dev/null || true
	rm -rf "$out"
}
trap cleanup EXIT INT TERM

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Peak RSS in KiB of one run (GNU time).
peak_rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

printf '%-8s %-6s %-8s %12s %12s %12s\n' procs mode freezer "wall ms" "stopped ms" "peak RSS KiB"
for n in "${@:-100 1000}"; do
	for n1 in $n; do
		root=$("$MKTREE" "p(p*$((n1 - 1)))")
		walls=() stops=()
		for ((i = 0; i < RUNS; i++)); do
			rm -rf "$out/img"
			"$CL" dump -t "$root" -D "$out/img" --freezer="$FREEZER" "${extra[@]}" -v3 -o "$out/log"
			line=$(grep 'dumped' "$out/log")
			walls+=("$(sed -n 's/.* in \([0-9.]*\) ms (stopped.*/\1/p' <<<"$line")")
			stops+=("$(sed -n 's/.*stopped for \([0-9.]*\) ms.*/\1/p' <<<"$line")")
		done
		rm -rf "$out/img"
		rss=$(peak_rss "$CL" dump -t "$root" -D "$out/img" --freezer="$FREEZER" "${extra[@]}")
		printf '%-8s %-6s %-8s %12s %12s %12s\n' "$n1" "$MODE" "$FREEZER" \
			"$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${stops[@]}" | median)" "$rss"
		kill -KILL $(ps -o pid= --ppid "$root") "$root" 2>/dev/null || true
		root=""
	done
done
