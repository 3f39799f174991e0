#!/usr/bin/env bats
#
# criu-lite check: every probe reports, the text and JSON agree, the
# verdict follows the privileges, and nothing is left behind: no probe
# process, no temporary cgroup, even when check is told to stop half way.

bats_require_minimum_version 1.5.0

load helpers

FEATURES=(
	children-file freezer-v1 freezer-v2 ptrace-seize kcmp process-vm-readv
	map-files pid-ns clone3-set-tid ns-last-pid prctl-mm-map vdso
	cap-checkpoint-restore cap-sys-ptrace
)

# Whatever a check could have left: a temporary cgroup (criu-lite-check.PID)
# of a check that is not running any more, a probe child (comm
# criu-lite-probe) whose parent is not a check or another probe.  A check
# running meanwhile elsewhere on the host is not a leftover.
leftovers() {
	local top d pid ppid comm

	for top in "$CG_V1_FREEZER" "$CG_V2"; do
		for d in "$top"/criu-lite-check.*; do
			[[ -e $d ]] || continue
			pid=${d##*.}
			comm=$(cat "/proc/$pid/comm" 2> /dev/null) || comm=
			[[ $comm == criu-lite ]] || echo "cgroup $d"
		done
	done
	for pid in $(pgrep -x criu-lite-probe); do
		ppid=$(stat_field "$pid" 4 2> /dev/null) || continue
		comm=$(cat "/proc/$ppid/comm" 2> /dev/null) || comm=
		[[ $comm == criu-lite || $comm == criu-lite-probe ]] ||
			echo "process $pid, child of $ppid ($comm)"
	done
}

# NOBODY: run a command as an unprivileged user with no capability at all
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all
	--bounding-set=-all)

setup() {
	assert_equal "$(leftovers)" ""
}

teardown() {
	local left

	left=$(leftovers)
	helpers_teardown
	assert_equal "$left" ""
}

# text_statuses: "name status" from the text output in $output
text_statuses() {
	sed -nE 's/^([a-z0-9-]+) +(ok|missing|not permitted)  .*/\1 \2/p' <<< "$output"
}

# subreaped DELAY CMD...: runs CMD as the child of a subreaper, sends it
# SIGTERM after DELAY seconds (never if DELAY is negative), and prints
# "STATUS ORPHANS": its wait status, and how many of its descendants were
# still alive (they come to the subreaper) once it had exited.
subreaped() {
	python3 - "$@" <<- 'EOF'
		import ctypes, os, signal, subprocess, sys, time
		libc = ctypes.CDLL(None, use_errno=True)
		if libc.prctl(36, 1, 0, 0, 0):  # PR_SET_CHILD_SUBREAPER
		    sys.exit("prctl failed")
		delay = float(sys.argv[1])
		p = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
		if delay >= 0:
		    time.sleep(delay)
		    p.send_signal(signal.SIGTERM)
		rc = p.wait()
		time.sleep(0.05)
		me = os.getpid()
		left = open(f"/proc/{me}/task/{me}/children").read().split()
		for pid in left:
		    os.kill(int(pid), signal.SIGKILL)
		for pid in left:
		    os.waitpid(int(pid), 0)
		print(rc, len(left))
	EOF
}

@test "--help goes to stdout; stray arguments are refused" {
	run --separate-stderr "$CRIU_LITE" check --help
	assert_success
	assert_output --partial "Usage: criu-lite check [--json]"
	assert_equal "$stderr" ""
	run --separate-stderr "$CRIU_LITE" check extra
	assert_failure 1
	assert_output ""
	[[ $stderr == *"unexpected argument 'extra'"* ]]
	run --separate-stderr "$CRIU_LITE" check --bogus
	assert_failure 1
}

@test "as root: exit 0, one line per feature with a status, a verdict" {
	local f start

	start=$(date +%s%N)
	run --separate-stderr "$CRIU_LITE" check
	echo "took $((($(date +%s%N) - start) / 1000000)) ms"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" $((${#FEATURES[@]} + 1))
	for f in "${FEATURES[@]}"; do
		assert_equal "$(text_statuses | grep -c "^$f ")" 1
	done
	assert_equal "$(text_statuses | wc -l)" "${#FEATURES[@]}"
	assert_equal "${lines[-1]}" "dump and restore can work"
	# what dump and restore need is there
	for f in ptrace-seize kcmp cap-checkpoint-restore cap-sys-ptrace; do
		assert_equal "$(text_statuses | grep "^$f ")" "$f ok"
	done
	text_statuses | grep -qE '^freezer-v[12] ok$'
	text_statuses | grep -qE '^(clone3-set-tid|ns-last-pid) ok$'
	# every line says what the feature affects
	for f in "${FEATURES[@]}"; do
		[[ $output =~ (^|$'\n')$f\ +(ok|missing|not\ permitted)\ +(dump|restore|dump,\ restore):\  ]] ||
			fail "no 'affects' for $f"
	done
}

@test "--json parses, has every feature, and agrees with the text" {
	local text json

	run --separate-stderr "$CRIU_LITE" check
	assert_success
	text=$(text_statuses)

	run --separate-stderr "$CRIU_LITE" check --json
	assert_success
	assert_equal "$stderr" ""
	json=$output
	jq -e . <<< "$json" > /dev/null
	assert_equal "$(jq -r '.features[] | "\(.name) \(.status)"' <<< "$json")" "$text"
	assert_equal "$(jq -r '.features[].name' <<< "$json" | tr '\n' ' ')" "${FEATURES[*]} "
	assert_equal "$(jq '.dump, .restore' <<< "$json" | tr '\n' ' ')" "true true "
	# every field is a string, status one of three, affects never empty
	assert_equal "$(jq '[.features[] | select((.name | type) == "string" and
		(.status | IN("ok", "missing", "not permitted")) and
		(.affects | type == "string" and length > 0) and
		(.detail | type) == "string")] | length' <<< "$json")" "${#FEATURES[@]}"
	assert_equal "$(jq -r 'keys_unsorted | join(" ")' <<< "$json")" "features dump restore"
}

@test "the probes are real: the vDSO, the temporary cgroup and ns pids in the details" {
	run "$CRIU_LITE" check --json
	assert_success
	# the vdso sizes are those of this process's maps
	local range vdso
	range=$(grep -m1 ' \[vdso\]$' /proc/self/maps | cut -d' ' -f1)
	vdso=$(((0x${range#*-} - 0x${range%-*}) / 1024))
	[[ $(jq -r '.features[] | select(.name == "vdso") | .detail' <<< "$output") == *"[vdso] $vdso KiB"* ]]
	jq -e '.features[] | select(.name == "freezer-v1") | .detail | test("FROZEN")' <<< "$output"
	jq -e '.features[] | select(.name == "freezer-v2") | .detail | test("frozen 1")' <<< "$output"
	jq -e '.features[] | select(.name == "clone3-set-tid") | .detail | test("pid 1000 ")' <<< "$output"
	jq -e '.features[] | select(.name == "ns-last-pid") | .detail | test("gave pid 1000 ")' <<< "$output"
	jq -e '.features[] | select(.name == "pid-ns") | .detail | test("pid 1")' <<< "$output"
}

@test "as nobody without capabilities: not permitted, exit 1, the missing capabilities named" {
	run --separate-stderr "${NOBODY[@]}" "$CRIU_LITE" check
	assert_failure 1
	assert_equal "$stderr" ""
	assert_equal "$(text_statuses | wc -l)" "${#FEATURES[@]}"
	assert_equal "$(text_statuses | grep '^cap-')" \
		"cap-checkpoint-restore not permitted"$'\n'"cap-sys-ptrace not permitted"
	assert_line --regexp '^cap-sys-ptrace .* missing CAP_SYS_PTRACE$'
	assert_line --regexp '^cap-checkpoint-restore .* missing CAP_SYS_ADMIN and CAP_CHECKPOINT_RESTORE'
	# privileged operations are refused, not "missing"
	for f in freezer-v1 freezer-v2 pid-ns clone3-set-tid ns-last-pid map-files prctl-mm-map; do
		assert_equal "$(text_statuses | grep "^$f ")" "$f not permitted"
	done
	# the verdict line names what is missing, for both
	[[ ${lines[-1]} == "dump would not work (needs "*"); restore would not work (needs "*")" ]]
	[[ ${lines[-1]} == *CAP_SYS_PTRACE* && ${lines[-1]} == *CAP_CHECKPOINT_RESTORE* ]]

	run "${NOBODY[@]}" "$CRIU_LITE" check --json
	assert_failure 1
	assert_equal "$(jq '.dump, .restore' <<< "$output" | tr '\n' ' ')" "false false "
	assert_equal "$(jq -r '.features[] | select(.name | startswith("cap-")) | .status' <<< "$output" | sort -u)" \
		"not permitted"
}

@test "root without CAP_SYS_PTRACE: only that is named" {
	run --separate-stderr setpriv --bounding-set=-sys_ptrace "$CRIU_LITE" check
	assert_failure 1
	assert_equal "$(text_statuses | grep '^cap-')" \
		"cap-checkpoint-restore ok"$'\n'"cap-sys-ptrace not permitted"
	assert_equal "${lines[-1]}" \
		"dump would not work (needs CAP_SYS_PTRACE); restore would not work (needs CAP_SYS_PTRACE)"
}

@test "root with CAP_CHECKPOINT_RESTORE but not CAP_SYS_ADMIN: enough" {
	run --separate-stderr setpriv --bounding-set=-sys_admin "$CRIU_LITE" check
	assert_success
	assert_line --regexp '^cap-checkpoint-restore +ok .* has CAP_CHECKPOINT_RESTORE$'
	# no pid namespace without CAP_SYS_ADMIN, so pids are tried on the host
	assert_equal "$(text_statuses | grep '^pid-ns ')" "pid-ns not permitted"
	assert_equal "$(text_statuses | grep '^clone3-set-tid ')" "clone3-set-tid ok"
}

@test "no probe process outlives check, as root and as nobody" {
	run subreaped -1 "$CRIU_LITE" check
	assert_success
	assert_output "0 0"
	run subreaped -1 "${NOBODY[@]}" "$CRIU_LITE" check
	assert_success
	assert_output "1 0"
	assert_equal "$(leftovers)" ""
}

@test "SIGTERM at any point of the probes leaves nothing behind" {
	local delay rc orphans

	for delay in 0 0.002 0.005 0.01 0.015 0.02 0.03 0.04 0.06 0.1; do
		read -r rc orphans < <(subreaped "$delay" "$CRIU_LITE" check)
		# killed by the signal once the probes are done, or finished before it
		[[ $rc == -15 || $rc == 0 ]] || fail "status $rc after SIGTERM at ${delay}s"
		assert_equal "$orphans:$delay" "0:$delay"
		assert_equal "$(leftovers)" ""
	done
}

@test "the check is quick" {
	local start ms i

	for i in 1 2 3; do
		start=$(date +%s%N)
		"$CRIU_LITE" check > /dev/null
		ms=$((($(date +%s%N) - start) / 1000000))
		echo "check took $ms ms"
		((ms < 1000)) || fail "check took $ms ms"
	done
}
