// SPDX-License-Identifier: GPL-2.0-or-later
/* criu-lite: dispatch to a subcommand. */
#include "common.h"
#include "cmd.h"

#include <stdarg.h>

static void usage(FILE *out)
{
	fputs("Usage: criu-lite COMMAND [OPTIONS]\n"
	      "Checkpoint Linux process trees in CRIU's image format.\n\n"
	      "Commands:\n"
	      "  dump    -t PID -D DIR   freeze a tree, walk it, write its images, let it go\n"
	      "  restore -D DIR [-d]     recreate a dumped tree's processes (their shape)\n"
	      "  ps      -D DIR | -t PID print a tree from images or from a live pid\n"
	      "  show    FILE            decode one image to JSON\n"
	      "  check                   what this kernel and this user allow\n"
	      "  cleanup                 undo what a dump that died left behind\n\n"
	      "Options common to every command:\n"
	      "  -v[N], --verbosity[=N]  log level: 1 errors, 2 warnings (default), 3 info, "
	      "4 debug;\n"
	      "                          -v alone means 3\n"
	      "  -o, --log-file FILE     write the log to FILE (errors still go to stderr)\n"
	      "  -h, --help              this help; `criu-lite COMMAND --help` for a command's\n"
	      "  -V, --version           version and built-in features\n",
	      out);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("criu-lite: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'criu-lite --help' for more information.\n", stderr);
}

int common_option(int c, const char *arg, struct common_opts *co, void (*cmd_usage)(FILE *))
{
	char *end;

	switch (c) {
	case 'h':
		cmd_usage(stdout);
		exit(0);
	case 'v':
		if (!arg) {
			co->verbosity = LOG_INFO;
			return 1;
		}
		/* -vv... counts, -vN sets */
		if (arg[strspn(arg, "v")] == '\0') {
			co->verbosity = LOG_INFO + (int)strlen(arg);
			return 1;
		}
		co->verbosity = (int)strtol(arg, &end, 10);
		if (*end || co->verbosity < 0) {
			usage_error("invalid verbosity '%s'", arg);
			return -1;
		}
		return 1;
	case 'o':
		co->log_file = arg;
		return 1;
	case '?':
		fputs("Try 'criu-lite --help' for more information.\n", stderr);
		return -1;
	case ':':
		usage_error("an option is missing its argument");
		return -1;
	}
	return 0;
}

int common_start(const struct common_opts *co)
{
	return log_init(co->verbosity ? co->verbosity : LOG_WARN, co->log_file);
}

static void version(void)
{
	printf("criu-lite %s\n"
	       "features: dump restore(shape,pidns,dry-run) ps show check cleanup freezer=v1,v2,ptrace walker=children,scan "
	       "images=criu\n",
	       PACKAGE_VERSION);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} cmds[] = {
		{"dump", cmd_dump},
		{"restore", cmd_restore},
		{"ps", cmd_ps},
		{"show", cmd_show},
		{"check", cmd_check},
		{"cleanup", cmd_cleanup},
	};
	size_t i;
	int ret;

	if (argc < 2) {
		usage_error("no command given");
		return 1;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		version();
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (!strcmp(argv[1], cmds[i].name)) {
			/* getopt names argv[0] in its messages: the program, not the command. */
			argv[1] = (char *)"criu-lite";
			ret = cmds[i].run(argc - 1, argv + 1);
			log_fini();
			return ret;
		}
	}
	usage_error("unknown command '%s'", argv[1]);
	return 1;
}
