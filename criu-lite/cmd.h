/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The subcommands, and the options they all share. */
#ifndef CRIU_LITE_CMD_H
#define CRIU_LITE_CMD_H

#include <getopt.h>

#define COMMON_OPTS "hv::o:"
#define COMMON_LONG_OPTS                                                                           \
	{"help", no_argument, NULL, 'h'}, {"verbosity", optional_argument, NULL, 'v'},             \
		{"log-file", required_argument, NULL, 'o'}

struct common_opts {
	int verbosity;
	const char *log_file;
};

/* Handles -h, -v[N], -o FILE and errors; returns 1 if c was one of them, 0 if not, -1 to
 * stop (usage error: already reported). */
int common_option(int c, const char *arg, struct common_opts *co, void (*usage)(FILE *));
int common_start(const struct common_opts *co);
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_dump(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_restore(int argc, char **argv);

#endif
