#!/bin/sh
# The built-in demo: start a tree of real programs (a shell with a pipeline and background jobs,
# python3 with threads, a shell "server" forking workers), dump it, print the tree read back from
# the images, compare it with the live tree and with crit, and show the tree still runs.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
CL=${CRIU_LITE:-$top/criu-lite/criu-lite}
dir=$(mktemp -d /tmp/criu-lite-demo.XXXXXX)
images="$dir/images"

# The root leads its own session; it reports its pid itself, since setsid may fork.
setsid --fork bash -c 'echo $$ >"$0"
	sleep 3600 | cat | cat &
	sleep 3600 &
	python3 -c "import threading, time
for _ in range(3): threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
time.sleep(3600)" &
	bash -c "while :; do sleep 3600 & sleep 3600 & wait; done" &
	wait' "$dir/root.pid" </dev/null >/dev/null 2>&1
i=0
until root=$(cat "$dir/root.pid" 2>/dev/null) && [ -n "$root" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "demo: the demo tree did not start" >&2; exit 1; }
	sleep 0.05
done
cleanup() {
	kill -KILL $(ps -o pid= -s "$root" 2>/dev/null) 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

# Wait until the demo has all its 9 processes and python its 4 threads.
i=0
while :; do
	n=$("$CL" ps -t "$root" --json | grep -c '"pid"' || true)
	t=$(ls "/proc/$(pgrep -s "$root" -x python3 | head -1)/task" 2>/dev/null | wc -l)
	[ "$n" -ge 9 ] && [ "$t" -ge 4 ] && break
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "demo: the demo tree did not start" >&2; exit 1; }
	sleep 0.1
done

echo "== criu-lite dump -t $root -D $images"
"$CL" dump -v3 -t "$root" -D "$images"
echo
echo "== images written:"
ls "$images" | tr '\n' ' '
echo
echo
echo "== criu-lite ps -D $images   (the tree read back from the images)"
"$CL" ps -D "$images"
echo
"$CL" ps -t "$root" >"$dir/live.txt"
"$CL" ps -D "$images" >"$dir/images.txt"
if diff -u "$dir/images.txt" "$dir/live.txt"; then
	echo "== the live tree (criu-lite ps -t $root) is identical to the images"
else
	echo "== the live tree differs from the images (see above)"; exit 1
fi
if command -v crit >/dev/null; then
	echo "== crit x $images ps   (CRIU's own decoder)"
	crit x "$images" ps
fi
echo
echo "== after the dump the tree runs on:"
ps -o pid,stat,wchan:20,comm -s "$root"
if ps -o stat= -s "$root" | grep -q '^[DT]'; then
	echo "demo: some task is still stopped or frozen" >&2
	exit 1
fi
echo
echo "demo done; the demo tree is stopped now and $dir removed."
