/* log.h — the daemon's logger: one line per event on stderr, leveled. */
#ifndef NEWSD_LOG_H
#define NEWSD_LOG_H

#include <newsd/plugin.h>
#include <stdarg.h>
#include <stdio.h>

struct logger {
	enum newsd_log_level level; /* events above it are skipped before formatting */
	FILE *out;                  /* (borrowed) usually stderr */
};

/** Parses "error|warn|info|debug"; returns -1 for anything else. */
int log_level_parse(const char *s);

void log_vwrite(const struct logger *lg, enum newsd_log_level level, const char *who,
		const char *fmt, va_list ap);
void log_write(const struct logger *lg, enum newsd_log_level level, const char *who,
	       const char *fmt, ...) NEWSD_PRINTF(4, 5);

#define LOG_ENABLED(lg, lvl) ((lg)->level >= (lvl))
#define LOGE(lg, ...) log_write((lg), NEWSD_LOG_ERROR, "newsd", __VA_ARGS__)
#define LOGW(lg, ...) log_write((lg), NEWSD_LOG_WARN, "newsd", __VA_ARGS__)
#define LOGI(lg, ...) log_write((lg), NEWSD_LOG_INFO, "newsd", __VA_ARGS__)
#define LOGD(lg, ...)                                                        \
	do {                                                                 \
		if (LOG_ENABLED((lg), NEWSD_LOG_DEBUG))                      \
			log_write((lg), NEWSD_LOG_DEBUG, "newsd", __VA_ARGS__); \
	} while (0)

#endif
