#!/bin/sh
# check-patch.sh: TAP checks for kernel-patch/0001-procfs-add-task-children-file.patch.
#
# It checks that the patch is a well-formed git format-patch mail (From,
# Date, Subject, Signed-off-by, a diffstat that agrees with the diff), that
# it applies to the pre-image kept in pre-patch/, that the result contains
# the children file code and its documentation, and that a damaged copy of
# the patch is refused (so the checks can fail at all).
#
# Runs from any directory, from a VPATH build, and under make distcheck:
# files are found next to this script (or under $srcdir / $top_srcdir) and
# nothing is written outside a private mktemp -d directory.
# Needs git (for git apply / git hash-object); without it the suite is
# skipped with a TAP "1..0 # SKIP" plan.

LC_ALL=C
export LC_ALL

PATCH_NAME=0001-procfs-add-task-children-file.patch

# ---- locate the kernel-patch directory ----------------------------------
find_dir() {
	d=$(dirname "$0")
	for cand in "$d" "${srcdir:-}/kernel-patch" "${srcdir:-}" \
	    "${top_srcdir:-}/kernel-patch"; do
		[ -n "$cand" ] || continue
		if [ -f "$cand/$PATCH_NAME" ] && [ -d "$cand/pre-patch" ]; then
			(cd "$cand" && pwd)
			return 0
		fi
	done
	return 1
}

if ! here=$(find_dir); then
	echo "1..0 # SKIP cannot find $PATCH_NAME next to $0 or under \$srcdir"
	exit 0
fi
if ! command -v git >/dev/null 2>&1; then
	echo "1..0 # SKIP git is not installed"
	exit 0
fi

patch="$here/$PATCH_NAME"
pre="$here/pre-patch"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-patch.XXXXXX") || {
	echo "Bail out! mktemp -d failed"
	exit 1
}
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# git apply works outside a repository, but inside one (a VPATH build dir
# under a checkout, a TMPDIR inside a work tree) it would resolve paths
# against that repository and silently skip files outside the current
# directory.  Stop git from looking above the scratch directory.
GIT_CEILING_DIRECTORIES=$(dirname "$tmp")
export GIT_CEILING_DIRECTORIES
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE 2>/dev/null || :

# ---- TAP helpers ---------------------------------------------------------
n=0
failures=0
ok() { # ok CONDITION-STATUS DESCRIPTION [DIAGNOSTIC-FILE]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		failures=$((failures + 1))
		echo "not ok $n - $2"
		if [ -n "${3:-}" ] && [ -s "$3" ]; then
			sed 's/^/# /' "$3" | head -n 40
		fi
	fi
}

echo "1..15"

# The mail header is everything before the first blank line; the commit
# message runs from there to the "---" line that precedes the diffstat.
header="$tmp/header"
message="$tmp/message"
sed '/^$/q' "$patch" >"$header" 2>/dev/null
sed -n '/^$/,/^---$/p' "$patch" >"$message" 2>/dev/null

# 1
[ -r "$patch" ] && [ -s "$patch" ]
ok $? "patch file is present and not empty"

# 2
grep -q '^From: [^<]*[^ <][^<]* <[^@>]*@[^>]*>$' "$header"
ok $? "header has a From: line naming an author with an address"

# 3
grep -q '^Date: ..*[0-9][0-9][0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] [-+][0-9][0-9][0-9][0-9]$' "$header"
ok $? "header has an RFC 2822 Date: line"

# 4
grep -q '^Subject: \[PATCH[^]]*\] ..*children' "$header"
ok $? "header has a Subject: [PATCH] line about the children file"

# 5
grep -q '^Signed-off-by: ..* <[^@>]*@[^>]*>$' "$message"
ok $? "commit message carries a Signed-off-by trailer"

# 6: the diffstat summary must agree with what git counts in the diff.
# From the temporary directory: inside a git checkout, git apply counts only paths below the cwd.
(cd "$tmp" && git apply --numstat "$patch") >"$tmp/numstat" 2>"$tmp/numstat.err"
files=$(wc -l <"$tmp/numstat" | tr -d ' ')
adds=$(awk '{ s += $1 } END { print s + 0 }' "$tmp/numstat")
dels=$(awk '{ s += $2 } END { print s + 0 }' "$tmp/numstat")
summary=$(sed -n '/^---$/,/^diff --git /p' "$patch" | grep ' files\{0,1\} changed' | head -n 1)
want_files=$(echo "$summary" | sed -n 's/^ *\([0-9][0-9]*\) files\{0,1\} changed.*/\1/p')
want_adds=$(echo "$summary" | sed -n 's/.* \([0-9][0-9]*\) insertions\{0,1\}(+).*/\1/p')
want_dels=$(echo "$summary" | sed -n 's/.* \([0-9][0-9]*\) deletions\{0,1\}(-).*/\1/p')
{
	echo "diffstat says: $summary"
	echo "git apply --numstat counts: $files files, $adds insertions, $dels deletions"
	cat "$tmp/numstat.err"
} >"$tmp/diag6"
[ -n "$summary" ] && [ "$files" -gt 0 ] &&
	[ "$files" = "$want_files" ] && [ "$adds" = "${want_adds:-0}" ] &&
	[ "$dels" = "${want_dels:-0}" ]
ok $? "diffstat is present and matches the diff ($files files, +$adds -$dels)" "$tmp/diag6"

# 7: every file the patch touches has a pre-image fixture.
missing=0
: >"$tmp/diag7"
while read -r _a _d path; do
	if [ ! -f "$pre/$path" ]; then
		echo "no pre-patch/$path" >>"$tmp/diag7"
		missing=1
	fi
done <"$tmp/numstat"
[ "$files" -gt 0 ] && [ "$missing" -eq 0 ]
ok $? "pre-patch/ holds every file the patch touches" "$tmp/diag7"

# Work on a private copy: the source tree may be read-only (distcheck).
work="$tmp/tree"
mkdir "$work" && cp -R "$pre/." "$work/" && chmod -R u+w "$work"

# Blob ids from the "index OLD..NEW" lines, one "path old new" per line.
awk '
	/^diff --git / { path = $3; sub(/^a\//, "", path) }
	/^index [0-9a-f]+\.\.[0-9a-f]+/ {
		split($2, ids, /\.\./); print path, ids[1], ids[2]
	}' "$patch" >"$tmp/blobs"

blobs_match() { # blobs_match DIR COLUMN(2=old,3=new) DIAG
	status=0
	[ -s "$tmp/blobs" ] || status=1
	while read -r path old new; do
		if [ "$2" -eq 2 ]; then want=$old; else want=$new; fi
		have=$(git hash-object "$1/$path" 2>/dev/null)
		case $have in
		"$want"*) ;;
		*)
			echo "$path: git hash-object $have, patch index wants $want" >>"$3"
			status=1
			;;
		esac
	done <"$tmp/blobs"
	return $status
}

# 8
: >"$tmp/diag8"
blobs_match "$work" 2 "$tmp/diag8"
ok $? "pre-patch files are exactly the blobs named by the patch's index lines" "$tmp/diag8"

# 9
(cd "$work" && git apply --check -p1 -v "$patch") >"$tmp/diag9" 2>&1
ok $? "git apply --check succeeds on a copy of pre-patch/" "$tmp/diag9"

# 10
(cd "$work" && git apply -p1 "$patch") >"$tmp/diag10" 2>&1 &&
	blobs_match "$work" 3 "$tmp/diag10"
ok $? "git apply succeeds and yields the post-patch blobs" "$tmp/diag10"

# 11
arr="$work/fs/proc/array.c"
grep -q '^get_children_pid(struct inode \*inode, struct pid \*pid_prev, loff_t pos)$' "$arr" &&
	grep -q '^const struct file_operations proc_tid_children_operations = {$' "$arr" &&
	grep -q 'return seq_printf(seq, "%d ", pid);' "$arr" &&
	! grep -q 'get_children_pid' "$pre/fs/proc/array.c"
ok $? "patched array.c defines get_children_pid() and proc_tid_children_operations"

# 12
awk '
	/^static const struct pid_entry tid_base_stuff\[\] = \{/ { in_tid = 1 }
	in_tid && /^};/ { in_tid = 0 }
	in_tid && prev ~ /^#ifdef CONFIG_CHECKPOINT_RESTORE/ &&
	    /REG\("children", *S_IRUGO, proc_tid_children_operations\)/ { found = 1 }
	{ prev = $0 }
	END { exit !found }' "$work/fs/proc/base.c" &&
	grep -q '^extern const struct file_operations proc_tid_children_operations;$' \
		"$work/fs/proc/internal.h"
ok $? "patched base.c lists \"children\" in tid_base_stuff and internal.h declares it"

# 13
doc="$work/Documentation/filesystems/proc.txt"
grep -q '^  3\.7 *	*/proc/<pid>/task/<tid>/children - Information about task children$' "$doc" &&
	grep -q '^3\.7	/proc/<pid>/task/<tid>/children - Information about task children$' "$doc" &&
	grep -q 'first level children pids' "$doc" &&
	grep -q 'stop or freeze processes being inspected' "$doc"
ok $? "patched proc.txt has the 3.7 children section and its table-of-contents entry"

# 14
(cd "$work" && git apply -R --check -p1 "$patch") >"$tmp/diag14" 2>&1
ok $? "the patch reverses cleanly from the patched tree" "$tmp/diag14"

# 15: negative control.  Damage one context line of the base.c hunk in a
# copy of the patch; git apply must refuse it on a fresh pre-image.
bad="$tmp/bad.patch"
sed 's/^\( .*ONE("statm", *S_IRUGO, \)proc_pid_statm),$/\1proc_pid_statm_CORRUPTED),/' \
	"$patch" >"$bad"
fresh="$tmp/fresh"
mkdir "$fresh" && cp -R "$pre/." "$fresh/" && chmod -R u+w "$fresh"
if cmp -s "$patch" "$bad"; then
	echo "could not find the base.c context line to corrupt" >"$tmp/diag15"
	false
else
	! (cd "$fresh" && git apply --check -p1 "$bad") >"$tmp/diag15" 2>&1
fi
ok $? "a copy of the patch with a corrupted hunk is rejected" "$tmp/diag15"

[ "$n" -eq 15 ] || echo "# planned 15 tests but ran $n"
[ "$failures" -eq 0 ] && [ "$n" -eq 15 ]
