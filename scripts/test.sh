#!/bin/sh
# Second README command: install, build, run every test, and end with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
sh scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
rm -f test/*.trs test/*.log kernel-patch/*.trs kernel-patch/*.log
make -s check >/dev/null 2>&1
status=$?
# Every suite speaks TAP; automake keeps one line per test case in the .trs files.
passed=$(cat test/*.trs kernel-patch/*.trs 2>/dev/null | grep -c '^:test-result: \(PASS\|XFAIL\)')
failed=$(cat test/*.trs kernel-patch/*.trs 2>/dev/null | grep -c '^:test-result: \(FAIL\|XPASS\|ERROR\)')
skipped=$(cat test/*.trs kernel-patch/*.trs 2>/dev/null | grep -c '^:test-result: SKIP')
for log in test/*.log kernel-patch/*.log; do
	[ "$log" = test/test-suite.log ] && continue
	grep -q '^not ok\|^Bail out' "$log" 2>/dev/null && { echo "== $log"; grep -B2 -A25 '^not ok\|^Bail out' "$log" | head -80; }
done
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1 # the harness itself failed
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
