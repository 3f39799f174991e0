#!/bin/sh
# libFuzzer on the image reader (clang, AddressSanitizer, UBSan) for FUZZ_SECONDS (default 60),
# seeded with the images of a real dump. Prints TAP.
b=$(cd "${top_builddir:-.}" && pwd)
s=$(cd "${top_srcdir:-.}" && pwd)
secs=${FUZZ_SECONDS:-60}
if ! command -v clang >/dev/null 2>&1; then
	echo "1..0 # SKIP clang is not installed"
	exit 0
fi
echo "1..3"
out=$(mktemp -d /tmp/criu-lite-fuzz.XXXXXX)
root=""
cleanup() {
	[ -n "$root" ] && kill -KILL $(ps -o pid= --ppid "$root") "$root" 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT INT TERM

# shellcheck disable=SC2046
if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$b" -I"$b/proto" -I"$s/criu-lite" $(pkg-config --cflags libprotobuf-c json-c) \
	"$s/test/fuzz-image.c" "$s/criu-lite/image.c" "$s/criu-lite/json.c" \
	"$s/criu-lite/util.c" "$s/criu-lite/log.c" "$b"/proto/*.pb-c.c \
	$(pkg-config --libs libprotobuf-c json-c) -o "$out/fuzz" 2>"$out/build.log"; then
	echo "ok 1 - the fuzzer builds with clang, ASan and UBSan"
else
	echo "not ok 1 - the fuzzer builds with clang, ASan and UBSan"
	sed 's/^/# /' "$out/build.log" | head -20
	exit 1
fi

mkdir "$out/corpus"
root=$("$b/test/mktree" 'p[t2](p p[z=3] p[stop] p(p))')
# --kill: the whole seed tree goes once its images are complete.
if "$b/criu-lite/criu-lite" dump -t "$root" -D "$out/img" --kill &&
	cp "$out/img"/*.img "$out/corpus/" &&
	rm -f "$out/corpus"/pages-*.img; then
	echo "ok 2 - a seed corpus of $(ls "$out/corpus" | wc -l) real images"
else
	echo "not ok 2 - a seed corpus of real images"
fi
root=""

"$out/fuzz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$out/" "$out/corpus" >"$out/fuzz.log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log")
if [ "$rc" -eq 0 ] && [ -n "$execs" ]; then
	echo "ok 3 - $execs executions in $secs s, no crash"
else
	echo "not ok 3 - fuzzing the image reader (exit $rc)"
	grep -A30 'ERROR\|==[0-9]*==' "$out/fuzz.log" | head -40 | sed 's/^/# /'
	for f in "$out"/crash-* "$out"/leak-* "$out"/timeout-*; do
		[ -e "$f" ] && echo "# input: $(od -An -tx1 "$f" | head -5 | tr -d '\n')"
	done
	exit 1
fi
