/* log.c — timestamped, leveled log lines; one fprintf per line so lines
 * from several threads never interleave (stdio locks the stream). */
#include "log.h"

#include <string.h>
#include <time.h>

static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

int log_level_parse(const char *s)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};

	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void log_vwrite(const struct logger *lg, enum newsd_log_level level, const char *who,
		const char *fmt, va_list ap)
{
	char msg[2048], ts[32];
	struct timespec now;
	struct tm tm;

	if (!LOG_ENABLED(lg, level))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(lg->out ? lg->out : stderr, "%s.%03ldZ %-5s [%s] %s\n", ts, now.tv_nsec / 1000000L,
		level_names[level], who, msg);
}

void log_write(const struct logger *lg, enum newsd_log_level level, const char *who,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(lg, level, who, fmt, ap);
	va_end(ap);
}
