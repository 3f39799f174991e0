/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CRIU_LITE_LOG_H
#define CRIU_LITE_LOG_H

enum log_level {
	LOG_ERROR = 1,
	LOG_WARN = 2,
	LOG_INFO = 3,
	LOG_DEBUG = 4,
};

int log_init(int level, const char *path);
void log_fini(void);
int log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error is written once, where it happens; callers only propagate the failure. */
#define pr_err(fmt, ...)   log_msg(LOG_ERROR, fmt "\n", ##__VA_ARGS__)
#define pr_perror(fmt, ...) log_msg(LOG_ERROR, fmt ": %m\n", ##__VA_ARGS__)
#define pr_warn(fmt, ...)  log_msg(LOG_WARN, fmt "\n", ##__VA_ARGS__)
#define pr_info(fmt, ...)  log_msg(LOG_INFO, fmt "\n", ##__VA_ARGS__)
#define pr_debug(fmt, ...) log_msg(LOG_DEBUG, fmt "\n", ##__VA_ARGS__)

#endif
