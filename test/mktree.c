/*
 * mktree - build a real, settled process tree from a small spec and leave
 * it running, for criu-lite tests.
 *
 *   ROOT=$(mktree 'p[sub](p[sid,exit](p p[pg]) p[z=3] p[zs=9] p[stop])')
 *
 * Spec grammar:
 *
 *   proc     := 'p' label? opts? children? repeat?
 *   label    := ':' NAME                  NAME is [A-Za-z0-9_.-]+
 *   opts     := '[' opt (',' opt)* ']'
 *   children := '(' proc (WS proc)* ')'   WS is one or more blanks
 *   repeat   := '*' N                     N sibling copies of this proc
 *
 *   tN        N extra threads besides the leader, all blocked
 *   T         forked by the first extra thread of the parent (needs t>=1)
 *   sid       setsid() before forking children
 *   pg        setpgid(0, 0): lead a new process group
 *   pg=NAME   join the group led by the process labelled NAME (same
 *             session; NAME must have pg or sid)
 *   sub       PR_SET_CHILD_SUBREAPER
 *   exit      do the setup, fork children, then exit; the parent reaps it,
 *             the children are reparented to the nearest subreaper
 *   z=N       end as a zombie with exit code N (never reaped)
 *   zs=SIG    end as a zombie killed by signal number SIG
 *   stop      end in stopped state (SIGSTOP to itself)
 *   name=COMM comm set with PR_SET_NAME (default "mktree")
 *
 * How the tree is built and settled:
 *
 *  - mktree forks a launcher which forks the root and exits at once, so the
 *    root is reparented to mktree's reaper before anything else happens and
 *    mktree itself is never part of the tree.
 *  - All processes share a page (a memfd, fd 3 while building) with mktree
 *    holding pids, per-process "group is ready" flags (futexes) and
 *    counters.  Each process closes the fd once built and unmaps the page
 *    before it starts waiting for good, so the final tree has no fds but
 *    0-2 (/dev/null) and no shared memory a checkpointer would have to
 *    handle.
 *  - Deep chains: every REEXEC_DEPTH levels a process re-executes mktree
 *    (--resume), see maybe_reexec() for why.  Such processes show
 *    "mktree --resume=N SPEC" as their cmdline.
 *  - Phase 1: every process names itself, sets up sid/pgid, creates its
 *    threads and forks its children, then counts itself as built.
 *  - Phase 2: exit/z/zs processes die (parents first reap their exit
 *    children).  mktree waits until those deaths are complete.
 *  - Phase 3: stop processes stop.  Stopping last matters: a process group
 *    that becomes orphaned while it has stopped members gets SIGHUP+SIGCONT
 *    from the kernel, which would kill our stopped processes.
 *  - mktree then checks /proc until every task is in its final state
 *    (S, T or Z) and prints the root pid.
 *
 * While the tree is being built, every process has PR_SET_PDEATHSIG set to
 * SIGKILL, so a failure that makes mktree kill what it knows of the tree also
 * takes down children whose pid was not published yet.
 *
 * The root resets all signal dispositions and the signal mask, so that an
 * inherited SIG_IGN for SIGCHLD cannot make zombies vanish and SIGTERM
 * always ends a process.
 *
 * Caveat (kernel rule, not ours): when a process group with stopped members
 * becomes orphaned, every member gets SIGHUP+SIGCONT.  A tree inherits the
 * caller's process group unless the root has pg or sid; if the caller runs
 * mktree as a job (job control, e.g. an interactive shell or `set -m`) and
 * that job's group later becomes orphaned, stopped tree processes in it
 * die.  Give the root pg or sid when the tree has stopped processes.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS	100000
#define MAX_THREADS	10000
#define MAX_CGROUPS	8
#define BUILD_TIMEOUT	60	/* seconds for phases 1-3 */
#define SETTLE_TIMEOUT	10	/* seconds for /proc to show final states */
#define THREAD_STACK	(256 * 1024)
#define REEXEC_DEPTH	64
#define SHM_FD		3	/* the shared page while building */

enum death { LIVE, DIE_EXIT, DIE_CODE, DIE_SIG };

/* One term of the spec, before '*' expansion. */
struct node {
	char *label;
	char *pg_name;		/* pg=NAME */
	char comm[16];
	int threads;
	bool T, sid, pg, sub, stop;
	enum death death;
	int code;		/* z=N exit code, or zs=SIG signal */
	int repeat;
	int pos;		/* offset in the spec, for messages */
	int parent, first_child, last_child, next;
	int pg_node;		/* node labelled pg_name */
	int ninst;		/* number of procs made from this node */
	int proc;		/* the first of them */
};

/* One process of the expanded tree; procs[] is in breadth-first order. */
struct proc {
	int node;
	int parent;
	int first_child, nchildren;
	int depth;
	int session;		/* proc index of the session leader, -1: ours */
	int pg_target;		/* proc index for pg=NAME, else -1 */
};

struct slot {
	pid_t pid;
	int grp_ready;		/* futex: sid/pgid set up */
};

struct shared {
	int phase;		/* futex: mktree moves it 1 -> 2 -> 3 */
	int events;		/* futex: bumped on every report */
	int built, died, done;
	int fail_claim, failed;	/* failed = failing proc + 1 */
	int fail_errno;
	char fail_what[64];
	struct slot slot[];
};

static const char *spec;
static struct node *nodes;
static int nnodes, nodes_cap;
static struct proc *procs;
static int nprocs, procs_cap;
static struct shared *sh;
static size_t sh_size;
static const char *cgroups[MAX_CGROUPS];
static int ncgroups;

static const char usage[] =
"usage: mktree [--json] [--cgroup DIR]... SPEC\n"
"\n"
"Builds the process tree described by SPEC, waits until every process is in\n"
"its final state, prints the root pid and exits, leaving the tree running.\n"
"\n"
"  --json        print {\"root\": PID, \"pids\": [...], \"labels\": {...}}\n"
"                (pids: every process still present, zombies included)\n"
"  --cgroup DIR  the root joins cgroup DIR (writes 0 to DIR/cgroup.procs)\n"
"                before forking anything; may be given once per hierarchy\n"
"\n"
"  proc     := 'p' label? opts? children? repeat?\n"
"  label    := ':' NAME          NAME: [A-Za-z0-9_.-]+, one process only\n"
"  opts     := '[' opt (',' opt)* ']'\n"
"  children := '(' proc (' ' proc)* ')'\n"
"  repeat   := '*' N\n"
"\n"
"  tN        N extra threads (besides the leader), all blocked\n"
"  T         forked by the parent's first extra thread (parent needs t>=1)\n"
"  sid       setsid() before forking children\n"
"  pg        setpgid(0,0): lead a new process group\n"
"  pg=NAME   join the group of the process labelled NAME (same session,\n"
"            NAME has pg or sid)\n"
"  sub       PR_SET_CHILD_SUBREAPER\n"
"  exit      set up, fork children, exit; the parent reaps it and its\n"
"            children go to the nearest subreaper (needs a living 'sub'\n"
"            ancestor when it has children)\n"
"  z=N       end as a zombie with exit code N\n"
"  zs=SIG    end as a zombie killed by signal SIG (number)\n"
"  stop      end stopped (SIGSTOP)\n"
"  name=COMM set comm (default \"mktree\", at most 15 chars)\n"
"\n"
"Examples: p   p(p p(p))   p[t3](p[T] p)   p(p*500)\n"
"          p[sub](p[sid,exit](p p[pg]) p[z=3] p[zs=9] p[stop])\n"
"\n"
"Processes wait in pause(); SIGTERM ends one.  Zombies are never reaped by\n"
"their tree parent.  Without sid/pg the root stays in the caller's session\n"
"and process group.  Note: when a process group with stopped members becomes\n"
"orphaned, the kernel sends them SIGHUP+SIGCONT.  If you run mktree as a job\n"
"(job control) and that job's group is orphaned later, stopped processes in\n"
"it die: give the root pg or sid in that case.\n"
"\n"
"Exit status: 0 ok, 1 the tree could not be built (it is killed), 2 bad spec.\n";

/* ---------------------------------------------------------------- errors */

static void __attribute__((noreturn, format(printf, 2, 3)))
spec_error(int pos, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mktree: bad spec at offset %d: ", pos);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("mktree: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p)
		die("out of memory");
	return p;
}

/* ---------------------------------------------------------------- parser */

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int skip_blanks(int i)
{
	while (is_blank(spec[i]))
		i++;
	return i;
}

/* Parses a decimal number in [min, max] at *i. */
static int parse_num(int *i, int min, int max, const char *what)
{
	long v = 0;
	int start = *i;

	if (!isdigit((unsigned char)spec[*i]))
		spec_error(*i, "expected a number for %s", what);
	while (isdigit((unsigned char)spec[*i])) {
		v = v * 10 + (spec[(*i)++] - '0');
		if (v > max)
			spec_error(start, "%s must be at most %d", what, max);
	}
	if (v < min)
		spec_error(start, "%s must be at least %d", what, min);
	return (int)v;
}

static char *parse_name(int *i, const char *what)
{
	int start = *i;

	while (is_name_char(spec[*i]))
		(*i)++;
	if (*i == start)
		spec_error(start, "expected a name after %s", what);
	return strndup(spec + start, *i - start);
}

/* Signals whose default action terminates the process. */
static bool sig_kills(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGCONT: case SIGSTOP: case SIGTSTP:
	case SIGTTIN: case SIGTTOU: case SIGURG: case SIGWINCH:
		return false;
	}
	/* 32 and 33 are reserved by glibc for its own use */
	return (sig >= 1 && sig <= 31) || (sig >= 34 && sig <= 64);
}

static void set_death(struct node *n, int pos, enum death d, int code)
{
	if (n->death != LIVE)
		spec_error(pos, "only one of exit, z=, zs= per process");
	n->death = d;
	n->code = code;
}

static bool opt_is(int i, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(spec + i, name, len) &&
	       (spec[i + len] == ',' || spec[i + len] == ']');
}

static bool opt_has(int i, const char *prefix)
{
	return !strncmp(spec + i, prefix, strlen(prefix));
}

static void parse_comm(struct node *n, int *i)
{
	int start = *i, len;

	while (spec[*i] && spec[*i] != ',' && spec[*i] != ']' &&
	       isprint((unsigned char)spec[*i]))
		(*i)++;
	len = *i - start;
	if (len == 0 || len > 15)
		spec_error(start, "name= needs 1 to 15 printable characters");
	memcpy(n->comm, spec + start, len);
	n->comm[len] = '\0';
}

/* Parses one option at *i, leaving *i on the ',' or ']' after it. */
static void parse_opt(struct node *n, int *i)
{
	int pos = *i;

	if (opt_is(pos, "T")) {
		n->T = true;
		*i += 1;
	} else if (opt_is(pos, "sid")) {
		n->sid = true;
		*i += 3;
	} else if (opt_is(pos, "pg")) {
		n->pg = true;
		*i += 2;
	} else if (opt_is(pos, "sub")) {
		n->sub = true;
		*i += 3;
	} else if (opt_is(pos, "stop")) {
		n->stop = true;
		*i += 4;
	} else if (opt_is(pos, "exit")) {
		set_death(n, pos, DIE_EXIT, 0);
		*i += 4;
	} else if (spec[pos] == 't') {
		*i += 1;
		n->threads = parse_num(i, 0, MAX_THREADS, "t");
	} else if (opt_has(pos, "pg=")) {
		*i += 3;
		free(n->pg_name);
		n->pg_name = parse_name(i, "pg=");
	} else if (opt_has(pos, "zs=")) {
		*i += 3;
		set_death(n, pos, DIE_SIG, parse_num(i, 1, 64, "zs="));
		if (!sig_kills(n->code))
			spec_error(pos, "zs=%d: default action of that signal does not kill",
				   n->code);
	} else if (opt_has(pos, "z=")) {
		*i += 2;
		set_death(n, pos, DIE_CODE, parse_num(i, 0, 255, "z="));
	} else if (opt_has(pos, "name=")) {
		*i += 5;
		parse_comm(n, i);
	} else {
		spec_error(pos, "unknown option");
	}
	if (spec[*i] != ',' && spec[*i] != ']')
		spec_error(*i, "expected ',' or ']' after option");
}

static void parse_opts(struct node *n, int *i)
{
	if (spec[*i] != '[')
		return;
	do {
		(*i)++;
		parse_opt(n, i);
	} while (spec[*i] == ',');
	(*i)++;		/* the ']' */
}

static int new_node(int parent, int pos)
{
	struct node *n;
	int idx = nnodes++;

	if (nnodes > MAX_PROCS)
		spec_error(pos, "more than %d terms", MAX_PROCS);
	if (nnodes > nodes_cap) {
		nodes_cap = nodes_cap ? 2 * nodes_cap : 64;
		nodes = xrealloc(nodes, nodes_cap * sizeof(*nodes));
	}
	n = &nodes[idx];
	memset(n, 0, sizeof(*n));
	strcpy(n->comm, "mktree");
	n->repeat = 1;
	n->pos = pos;
	n->parent = parent;
	n->first_child = n->last_child = n->next = -1;
	if (parent >= 0) {
		if (nodes[parent].last_child >= 0)
			nodes[nodes[parent].last_child].next = idx;
		else
			nodes[parent].first_child = idx;
		nodes[parent].last_child = idx;
	}
	return idx;
}

/* 'p' label? opts?  -- everything of a proc up to its children. */
static int parse_head(int *i, int parent)
{
	int idx = new_node(parent, *i);

	if (spec[*i] != 'p')
		spec_error(*i, "expected 'p'");
	(*i)++;
	if (spec[*i] == ':') {
		(*i)++;
		nodes[idx].label = parse_name(i, "':'");
	}
	parse_opts(&nodes[idx], i);
	return idx;
}

static void parse_repeat(int *i, int idx)
{
	if (spec[*i] != '*')
		return;
	(*i)++;
	nodes[idx].repeat = parse_num(i, 1, MAX_PROCS, "'*'");
}

/*
 * Iterative on purpose: deep chains must not depend on the C stack.  The
 * stack of open '(' lives in the heap.
 */
static void parse_spec(void)
{
	int *open = NULL, depth = 0, cap = 0;
	int i = skip_blanks(0), j, idx;

	for (;;) {
		idx = parse_head(&i, depth ? open[depth - 1] : -1);
		if (spec[i] == '(') {
			if (depth == cap) {
				cap = cap ? 2 * cap : 64;
				open = xrealloc(open, cap * sizeof(*open));
			}
			open[depth++] = idx;
			i = skip_blanks(i + 1);
			if (spec[i] == ')')
				spec_error(i, "empty child list");
			continue;
		}
		parse_repeat(&i, idx);
		/* a proc is complete: close parens until a sibling follows */
		for (;;) {
			j = skip_blanks(i);
			if (!depth) {
				if (spec[j])
					spec_error(j, "unexpected text after the root");
				free(open);
				return;
			}
			if (spec[j] == ')') {
				i = j + 1;
				parse_repeat(&i, open[--depth]);
				continue;
			}
			if (!spec[j])
				spec_error(j, "missing ')'");
			if (j == i)
				spec_error(j, "expected blank or ')' between processes");
			i = j;
			break;
		}
	}
}

/* ------------------------------------------------------------ validation */

static int find_label(const char *name)
{
	for (int n = 0; n < nnodes; n++)
		if (nodes[n].label && !strcmp(nodes[n].label, name))
			return n;
	return -1;
}

static void check_labels(void)
{
	for (int n = 0; n < nnodes; n++)
		if (nodes[n].label && find_label(nodes[n].label) != n)
			spec_error(nodes[n].pos, "label '%s' used twice",
				   nodes[n].label);
}

/* A dying process with children needs a living subreaper above it. */
static void check_reaper(int n)
{
	int a;

	for (a = nodes[n].parent; a >= 0; a = nodes[a].parent)
		if (nodes[a].sub)
			break;
	if (a < 0 || nodes[a].death != LIVE)
		spec_error(nodes[n].pos,
			   "a process that dies with children needs a nearest 'sub' ancestor that stays alive");
}

static void check_node(int n)
{
	struct node *nd = &nodes[n];
	int t;

	if (n == 0 && nd->repeat != 1)
		spec_error(nd->pos, "the root cannot be repeated");
	if (n == 0 && nd->death != LIVE)
		spec_error(nd->pos, "the root cannot exit or be a zombie");
	if (nd->T && (n == 0 || nodes[nd->parent].threads < 1))
		spec_error(nd->pos, "T needs a parent with t>=1");
	if (nd->sid && (nd->pg || nd->pg_name))
		spec_error(nd->pos, "sid already leads a group; no pg with it");
	if (nd->pg && nd->pg_name)
		spec_error(nd->pos, "pg and pg= are exclusive");
	if (nd->stop && nd->death != LIVE)
		spec_error(nd->pos, "stop cannot be combined with exit/z/zs");
	if (nd->death != LIVE && nd->first_child >= 0)
		check_reaper(n);
	if (nd->pg_name) {
		t = find_label(nd->pg_name);
		if (t < 0)
			spec_error(nd->pos, "pg=%s: no process labelled %s",
				   nd->pg_name, nd->pg_name);
		if (t == n)
			spec_error(nd->pos, "pg=%s names the process itself",
				   nd->pg_name);
		if (!nodes[t].pg && !nodes[t].sid)
			spec_error(nd->pos, "pg=%s: %s does not lead a group (needs pg or sid)",
				   nd->pg_name, nd->pg_name);
		nd->pg_node = t;
	}
}

static int new_proc(int node, int parent)
{
	struct node *nd = &nodes[node];
	int idx = nprocs++;

	if (nprocs > MAX_PROCS)
		spec_error(nd->pos, "the tree has more than %d processes",
			   MAX_PROCS);
	if (nprocs > procs_cap) {
		procs_cap = procs_cap ? 2 * procs_cap : 256;
		procs = xrealloc(procs, procs_cap * sizeof(*procs));
	}
	if (nd->label && nd->ninst)
		spec_error(nd->pos, "label '%s' names more than one process",
			   nd->label);
	if (!nd->ninst++)
		nd->proc = idx;
	procs[idx] = (struct proc){
		.node = node, .parent = parent, .pg_target = -1,
		.depth = parent < 0 ? 0 : procs[parent].depth + 1,
		.session = parent < 0 ? -1 : procs[parent].session,
	};
	if (nd->sid)
		procs[idx].session = idx;
	return idx;
}

/* Breadth first, so a proc's children are contiguous in procs[]. */
static void expand(void)
{
	new_proc(0, -1);
	for (int i = 0; i < nprocs; i++) {
		procs[i].first_child = nprocs;
		for (int c = nodes[procs[i].node].first_child; c >= 0;
		     c = nodes[c].next)
			for (int r = 0; r < nodes[c].repeat; r++)
				new_proc(c, i);
		procs[i].nchildren = nprocs - procs[i].first_child;
	}
}

static void resolve_groups(void)
{
	for (int i = 0; i < nprocs; i++) {
		struct node *nd = &nodes[procs[i].node];
		int t;

		if (!nd->pg_name)
			continue;
		t = nodes[nd->pg_node].proc;
		if (procs[t].session != procs[i].session)
			spec_error(nd->pos, "pg=%s: %s is in another session",
				   nd->pg_name, nd->pg_name);
		procs[i].pg_target = t;
	}
}

/*
 * A proc can set up its group once its parent has set up (it exists only
 * then) and, for pg=NAME, once NAME has.  Kahn's algorithm over these
 * dependencies finds specs where that can never happen.
 */
static void check_order(void)
{
	int *indeg = calloc(nprocs, sizeof(int));
	int *queue = malloc(nprocs * sizeof(int));
	int *jstart = calloc(nprocs + 1, sizeof(int));
	int *fill = calloc(nprocs, sizeof(int));
	int *joiners = malloc(nprocs * sizeof(int));
	int head = 0, tail = 0;

	if (!indeg || !queue || !jstart || !fill || !joiners)
		die("out of memory");
	/* joiners grouped by target: joiners[jstart[t] .. jstart[t + 1]) */
	for (int i = 0; i < nprocs; i++)
		if (procs[i].pg_target >= 0)
			jstart[procs[i].pg_target + 1]++;
	for (int t = 0; t < nprocs; t++)
		jstart[t + 1] += jstart[t];
	for (int i = 0; i < nprocs; i++) {
		int t = procs[i].pg_target;

		if (t >= 0)
			joiners[jstart[t] + fill[t]++] = i;
		indeg[i] = (procs[i].parent >= 0) + (t >= 0);
		if (!indeg[i])
			queue[tail++] = i;
	}
	while (head < tail) {
		int u = queue[head++];
		struct proc *p = &procs[u];

		for (int c = p->first_child; c < p->first_child + p->nchildren; c++)
			if (!--indeg[c])
				queue[tail++] = c;
		for (int k = jstart[u]; k < jstart[u + 1]; k++)
			if (!--indeg[joiners[k]])
				queue[tail++] = joiners[k];
	}
	for (int i = 0; i < nprocs && tail < nprocs; i++) {
		struct node *nd = &nodes[procs[i].node];

		if (indeg[i] && procs[i].pg_target >= 0)
			spec_error(nd->pos, "pg=%s: %s can only be created after this process has joined its group",
				   nd->pg_name, nd->pg_name);
	}
	free(indeg);
	free(queue);
	free(jstart);
	free(fill);
	free(joiners);
}

static void validate(void)
{
	check_labels();
	for (int n = 0; n < nnodes; n++)
		check_node(n);
	expand();
	resolve_groups();
	check_order();
}

/* ------------------------------------------------------- shared counters */

static void futex_wait(int *addr, int val, const struct timespec *timeout)
{
	syscall(SYS_futex, addr, FUTEX_WAIT, val, timeout, NULL, 0);
}

static void futex_wake(int *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Wakes mktree, which sleeps on events and then looks at everything. */
static void bump_events(void)
{
	__atomic_add_fetch(&sh->events, 1, __ATOMIC_SEQ_CST);
	futex_wake(&sh->events);
}

static void report(int *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_SEQ_CST);
	bump_events();
}

static void set_flag(int *flag, int val)
{
	__atomic_store_n(flag, val, __ATOMIC_SEQ_CST);
	futex_wake(flag);
}

static void wait_flag(int *flag, int val)
{
	int cur;

	while ((cur = __atomic_load_n(flag, __ATOMIC_SEQ_CST)) < val)
		futex_wait(flag, cur, NULL);
}

/* First failure wins; mktree reports it and kills the tree. */
static void record_failure(int idx, const char *what)
{
	int err = errno, zero = 0;

	if (__atomic_compare_exchange_n(&sh->fail_claim, &zero, 1, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		sh->fail_errno = err;
		snprintf(sh->fail_what, sizeof(sh->fail_what), "%s", what);
		__atomic_store_n(&sh->failed, idx + 1, __ATOMIC_SEQ_CST);
	}
	bump_events();
}

static void __attribute__((noreturn)) fail(int idx, const char *what)
{
	record_failure(idx, what);
	for (;;)
		pause();	/* mktree kills us */
}

/* ------------------------------------------------------- tree processes */

static void __attribute__((noreturn)) run_proc(int idx, pid_t parent);

static void __attribute__((noreturn)) wait_forever(void)
{
	for (;;)
		pause();
}

/* Defaults the caller may have changed; an ignored SIGCHLD would reap zombies. */
static void reset_signals(void)
{
	sigset_t all;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static void join_cgroups(void)
{
	char path[PATH_MAX];
	int fd;

	for (int i = 0; i < ncgroups; i++) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroups[i]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			fail(0, "joining cgroup");
		close(fd);
	}
}

/* Dies with our parent while the tree is under construction. */
static void arm_pdeathsig(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		_exit(1);
	if (getppid() != parent)	/* it died before we armed */
		_exit(1);
}

/*
 * In a chain of forks every level inherits the anon_vma chains of all its
 * ancestors, so fork cost and kernel memory grow with depth squared (a
 * 1000-deep chain takes ~9 s and 3.5M anon_vma_chain objects).  Every
 * REEXEC_DEPTH levels a process that will fork re-executes mktree to start
 * again from a fresh mm.  The shared page survives as SHM_FD.
 */
static void maybe_reexec(int idx)
{
	char arg[32];
	char *argv[] = { "mktree", arg, (char *)spec, NULL };

	if (!procs[idx].depth || procs[idx].depth % REEXEC_DEPTH ||
	    !procs[idx].nchildren)
		return;
	snprintf(arg, sizeof(arg), "--resume=%d", idx);
	execv("/proc/self/exe", argv);
	fail(idx, "re-exec");
}

/* Publishes us and makes sure we die with a failed build. */
static void start_proc(int idx, pid_t parent)
{
	sh->slot[idx].pid = getpid();
	if (idx == 0) {
		reset_signals();
		join_cgroups();
	} else {
		arm_pdeathsig(parent);
	}
	maybe_reexec(idx);
}

static void setup_group(int idx)
{
	struct node *nd = &nodes[procs[idx].node];
	int t = procs[idx].pg_target;

	if (nd->sid && setsid() < 0)
		fail(idx, "setsid");
	if (nd->pg && setpgid(0, 0))
		fail(idx, "setpgid");
	if (t >= 0) {
		wait_flag(&sh->slot[t].grp_ready, 1);
		if (setpgid(0, sh->slot[t].pid))
			fail(idx, "setpgid to pg= group");
	}
	set_flag(&sh->slot[idx].grp_ready, 1);
}

static pid_t forked_by;		/* in a new child: the parent's pid */

/*
 * Forks the children that are forked by the calling thread.  In a child it
 * returns the child's index instead of recursing, so that deep chains do
 * not pile up stack frames (T children start on a small thread stack).
 */
static int fork_children(int idx, bool by_thread)
{
	struct proc *p = &procs[idx];
	pid_t pid;

	for (int c = p->first_child; c < p->first_child + p->nchildren; c++) {
		if (nodes[procs[c].node].T != by_thread)
			continue;
		forked_by = getpid();
		pid = fork();
		if (pid < 0)
			fail(idx, "fork");
		if (pid == 0)
			return c;
		sh->slot[c].pid = pid;
	}
	return -1;
}

/* Per process; a forked child re-initialises its copy. */
static struct {
	int idx;
	pthread_barrier_t ready;
} threads;

static void *extra_thread(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&threads.ready);
	wait_forever();
}

/* The first extra thread also forks the T children. */
static void *first_thread(void *arg)
{
	int c = fork_children(threads.idx, true);

	if (c >= 0)
		run_proc(c, forked_by);
	return extra_thread(arg);
}

static void start_threads(int idx, int n)
{
	pthread_attr_t attr;

	threads.idx = idx;
	pthread_barrier_init(&threads.ready, NULL, n + 1);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	for (int i = 0; i < n; i++) {
		pthread_t t;

		errno = pthread_create(&t, &attr,
				       i ? extra_thread : first_thread, NULL);
		if (errno)
			fail(idx, "pthread_create");
	}
	pthread_attr_destroy(&attr);
}

/* Everything up to forking; returns a child index in a new child. */
static int setup_proc(int idx)
{
	struct node *nd = &nodes[procs[idx].node];

	prctl(PR_SET_NAME, nd->comm);
	if (nd->sub && prctl(PR_SET_CHILD_SUBREAPER, 1))
		fail(idx, "prctl(PR_SET_CHILD_SUBREAPER)");
	setup_group(idx);
	start_threads(idx, nd->threads);
	return fork_children(idx, false);
}

static void reap_exited_children(int idx)
{
	struct proc *p = &procs[idx];

	for (int c = p->first_child; c < p->first_child + p->nchildren; c++) {
		if (nodes[procs[c].node].death != DIE_EXIT)
			continue;
		while (waitpid(sh->slot[c].pid, NULL, 0) < 0)
			if (errno != EINTR)
				fail(idx, "waitpid");
	}
}

static void __attribute__((noreturn)) kill_self(int sig)
{
	struct rlimit none = { 0, 0 };
	sigset_t set;

	/* no core files from zs=SEGV and friends */
	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), sig);
	wait_forever();
}

static void die_as_told(struct node *nd)
{
	switch (nd->death) {
	case LIVE:
		return;
	case DIE_EXIT:
		_exit(0);
	case DIE_CODE:
		_exit(nd->code);
	case DIE_SIG:
		kill_self(nd->code);
	}
}

/* Phases 1 (end), 2 and 3 of one process, see the top of the file. */
static void __attribute__((noreturn)) finish_proc(int idx)
{
	struct node *nd = &nodes[procs[idx].node];

	pthread_barrier_wait(&threads.ready);
	/*
	 * From here on mktree knows our pid and our children's, and an exit
	 * parent must not take its children along.
	 */
	prctl(PR_SET_PDEATHSIG, 0);
	close(SHM_FD);
	report(&sh->built);

	wait_flag(&sh->phase, 2);
	reap_exited_children(idx);
	report(&sh->died);
	die_as_told(nd);

	wait_flag(&sh->phase, 3);
	report(&sh->done);
	munmap(sh, sh_size);
	if (nd->stop)
		kill(getpid(), SIGSTOP);
	wait_forever();
}

static void __attribute__((noreturn)) run_proc(int idx, pid_t parent)
{
	int child;

	start_proc(idx, parent);
	while ((child = setup_proc(idx)) >= 0) {
		idx = child;
		start_proc(idx, forked_by);
	}
	finish_proc(idx);
}

/* mktree --resume=IDX SPEC: back from maybe_reexec() */
static void __attribute__((noreturn)) resume_proc(int idx)
{
	int child;

	sh = mmap(NULL, sh_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		  SHM_FD, 0);
	if (sh == MAP_FAILED)
		_exit(1);	/* PR_SET_PDEATHSIG will clean up */
	child = setup_proc(idx);
	if (child >= 0)
		run_proc(child, forked_by);
	finish_proc(idx);
}

/* Forks the root and exits, so the root never has mktree as its parent. */
static void __attribute__((noreturn)) launcher(int shm_fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t pid;

	/* park both fds high first, so that no dup2() below clobbers one */
	null = fcntl(null, F_DUPFD_CLOEXEC, 10);
	shm_fd = fcntl(shm_fd, F_DUPFD_CLOEXEC, 10);
	if (null < 0 || shm_fd < 0) {
		record_failure(0, "preparing fds");
		_exit(1);
	}
	/* `ROOT=$(mktree ...)` must not wait for the tree */
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	dup2(shm_fd, SHM_FD);
	close_range(SHM_FD + 1, ~0U, 0);

	pid = fork();
	if (pid < 0) {
		record_failure(0, "fork");
		_exit(1);
	}
	if (pid == 0)
		run_proc(0, 0);
	sh->slot[0].pid = pid;
	_exit(0);
}

/* ----------------------------------------------------------- mktree side */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits until *counter reaches target; false on failure or timeout. */
static bool wait_count(int *counter, int target, double deadline)
{
	for (;;) {
		int ev = __atomic_load_n(&sh->events, __ATOMIC_SEQ_CST);
		double left = deadline - now();
		struct timespec ts;

		if (__atomic_load_n(&sh->failed, __ATOMIC_SEQ_CST))
			return false;
		if (__atomic_load_n(counter, __ATOMIC_SEQ_CST) >= target)
			return true;
		if (left <= 0)
			return false;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		futex_wait(&sh->events, ev, &ts);
	}
}

/* State letter of /proc/PID/task/TID/stat, or 0 if it is gone. */
static char task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] && p[2] ? p[2] : 0;
}

/*
 * True if all tasks of pid are in state want and it has nthreads tasks;
 * nthreads 0 means any number.
 */
static bool tasks_in_state(pid_t pid, char want, int nthreads)
{
	char path[64];
	struct dirent *de;
	bool ok = true;
	int count = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return false;
	while (ok && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		count++;
		ok = task_state(pid, atoi(de->d_name)) == want;
	}
	closedir(d);
	return ok && (!nthreads || count == nthreads);
}

/* Zombies must be complete: only the leader left, orphans handed over. */
static bool proc_dead(int i)
{
	return task_state(sh->slot[i].pid, sh->slot[i].pid) == 'Z' &&
	       tasks_in_state(sh->slot[i].pid, 'Z', 1);
}

static bool proc_settled(int i)
{
	struct node *nd = &nodes[procs[i].node];

	switch (nd->death) {
	case DIE_EXIT:
		return true;	/* already reaped by its parent */
	case DIE_CODE:
	case DIE_SIG:
		return proc_dead(i);
	case LIVE:
		break;
	}
	return tasks_in_state(sh->slot[i].pid, nd->stop ? 'T' : 'S',
			      nd->threads + 1);
}

/* Polls /proc until check() holds for all procs; -1 or the first laggard. */
static int wait_procs(bool (*check)(int))
{
	double deadline = now() + SETTLE_TIMEOUT;
	int i = 0;

	while (i < nprocs) {
		if (check(i)) {
			i++;
			continue;
		}
		if (now() > deadline)
			return i;
		usleep(1000);
	}
	return -1;
}

static bool proc_dead_if_dying(int i)
{
	enum death d = nodes[procs[i].node].death;

	return d == LIVE || d == DIE_EXIT || proc_dead(i);
}

static bool pid_live(pid_t pid)
{
	char s = task_state(pid, pid);

	return s && s != 'Z' && s != 'X';
}

/*
 * Kills every published pid until no new one shows up; children not
 * published yet die of PR_SET_PDEATHSIG once their parent is gone.
 */
static void kill_tree(void)
{
	double deadline = now() + 5;
	bool any;

	do {
		any = false;
		for (int i = 0; i < nprocs; i++) {
			pid_t pid = sh->slot[i].pid;

			if (pid > 0 && pid_live(pid)) {
				kill(pid, SIGKILL);
				any = true;
			}
		}
		usleep(10000);
	} while (any && now() < deadline);
}

static void __attribute__((noreturn)) abort_tree(const char *why)
{
	int f = __atomic_load_n(&sh->failed, __ATOMIC_SEQ_CST);

	kill_tree();
	if (f)
		die("%s (spec offset %d): %s: %s", why,
		    nodes[procs[f - 1].node].pos, sh->fail_what,
		    strerror(sh->fail_errno));
	die("%s", why);
}

static void print_result(bool json)
{
	const char *sep = "";

	if (!json) {
		printf("%d\n", sh->slot[0].pid);
		return;
	}
	printf("{\"root\": %d, \"pids\": [", sh->slot[0].pid);
	for (int i = 0; i < nprocs; i++) {
		if (nodes[procs[i].node].death == DIE_EXIT)
			continue;
		printf("%s%d", sep, sh->slot[i].pid);
		sep = ", ";
	}
	printf("], \"labels\": {");
	sep = "";
	for (int n = 0; n < nnodes; n++) {
		if (!nodes[n].label)
			continue;
		printf("%s\"%s\": %d", sep, nodes[n].label,
		       sh->slot[nodes[n].proc].pid);
		sep = ", ";
	}
	printf("}}\n");
}

static int count_live(void)
{
	int live = 0;

	for (int i = 0; i < nprocs; i++)
		live += nodes[procs[i].node].death == LIVE;
	return live;
}

static void build(void)
{
	double deadline = now() + BUILD_TIMEOUT;
	int status, lag, fd;
	pid_t pid;

	/* a memfd rather than anonymous memory: it must survive re-exec */
	fd = memfd_create("mktree", 0);
	if (fd < 0 || ftruncate(fd, sh_size))
		die("memfd: %s", strerror(errno));
	sh = mmap(NULL, sh_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	sh->phase = 1;

	/* an inherited SIG_IGN would make the launcher vanish unwaitable */
	signal(SIGCHLD, SIG_DFL);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		launcher(fd);
	close(fd);
	if (waitpid(pid, &status, 0) < 0 || status)
		abort_tree("cannot start the root");

	if (!wait_count(&sh->built, nprocs, deadline))
		abort_tree("building the tree failed");
	set_flag(&sh->phase, 2);
	if (!wait_count(&sh->died, nprocs, deadline))
		abort_tree("phase 2 (exit/zombies) failed");
	lag = wait_procs(proc_dead_if_dying);
	if (lag >= 0)
		abort_tree("a zombie did not die in time");
	/* only now may stop tasks stop: see the orphaned group note above */
	set_flag(&sh->phase, 3);
	if (!wait_count(&sh->done, count_live(), deadline))
		abort_tree("phase 3 (stop) failed");
	lag = wait_procs(proc_settled);
	if (lag >= 0) {
		char msg[128];

		snprintf(msg, sizeof(msg),
			 "process %d (spec offset %d) did not settle",
			 sh->slot[lag].pid, nodes[procs[lag].node].pos);
		abort_tree(msg);
	}
}

int main(int argc, char **argv)
{
	bool json = false;
	int i, resume = -1;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (!strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strncmp(argv[i], "--resume=", 9)) {
			resume = atoi(argv[i] + 9);	/* internal */
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--cgroup") && i + 1 < argc) {
			if (ncgroups == MAX_CGROUPS) {
				fprintf(stderr, "mktree: too many --cgroup\n");
				return 2;
			}
			cgroups[ncgroups++] = argv[++i];
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "mktree: bad option %s (try --help)\n",
				argv[i]);
			return 2;
		}
	}
	if (i != argc - 1) {
		fprintf(stderr, "mktree: expected exactly one SPEC (try --help)\n");
		return 2;
	}
	spec = argv[i];
	parse_spec();
	validate();
	sh_size = sizeof(*sh) + nprocs * sizeof(struct slot);
	if (resume >= 0 && resume < nprocs)
		resume_proc(resume);
	build();
	print_result(json);
	return fflush(stdout) ? 1 : 0;
}
