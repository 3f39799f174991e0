// SPDX-License-Identifier: GPL-2.0-or-later
/* Levelled log: errors always reach stderr as one line; the rest goes to -o FILE or stderr. */
#include "common.h"

#include <stdarg.h>
#include <time.h>

static int log_level = LOG_WARN;
static FILE *log_file;
static uint64_t log_start;

int log_init(int level, const char *path)
{
	log_level = level;
	log_start = now_ns();
	if (!path)
		return 0;
	log_file = fopen(path, "we");
	if (!log_file) {
		fprintf(stderr, "criu-lite: error: cannot open log file %s: %m\n", path);
		return -1;
	}
	setvbuf(log_file, NULL, _IOLBF, 0);
	return 0;
}

void log_fini(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

int log_get_level(void)
{
	return log_level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[LOG_ERROR] = "error: ", [LOG_WARN] = "warning: ", [LOG_INFO] = "", [LOG_DEBUG] = ""};
	int saved_errno = errno;
	va_list ap;

	if (log_file && (int)level <= log_level) {
		uint64_t us = (now_ns() - log_start) / 1000;

		fprintf(log_file, "(%3lu.%06lu) %s", (unsigned long)(us / 1000000),
			(unsigned long)(us % 1000000), prefix[level]);
		errno = saved_errno;
		va_start(ap, fmt);
		vfprintf(log_file, fmt, ap);
		va_end(ap);
	}
	/* Errors reach the user (unless -v0); with -o the rest stays in the file. */
	if ((level == LOG_ERROR && log_level > 0) || (!log_file && (int)level <= log_level)) {
		fprintf(stderr, "criu-lite: %s", prefix[level]);
		errno = saved_errno;
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	errno = saved_errno;
}
