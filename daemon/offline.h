/* offline.h — `newsd process`: the same pipeline over JSON Lines, no Kafka.
 *
 * Every input line must be a JSON object (format json, whatever the config
 * says).  Each input line yields exactly one line, in input order, on one
 * of: out (the enriched record), dlq (a JSON object with the reason, the
 * plugin, the line number and the original line), or dropped (the record as
 * far as it was built, with the reason; default: counted only).
 */
#ifndef NEWSD_OFFLINE_H
#define NEWSD_OFFLINE_H

#include <stdatomic.h>
#include <stdio.h>

#include "log.h"
#include "metrics.h"
#include "pipeline.h"

struct offline_io {
	FILE *in;      /* (borrowed) */
	FILE *out;     /* (borrowed) */
	FILE *dlq;     /* (borrowed) */
	FILE *dropped; /* (borrowed) may be NULL: dropped records are only counted */
};

struct offline_counts {
	unsigned long long input, output, dead, dropped;
};

/** Runs until end of input (or *stop).  Returns 0, -EIO on a read/write
 *  failure, -ECANCELED when a plugin reported ERR_FATAL (err says which). */
int offline_run(struct pipeline *p, size_t batch_size, const struct offline_io *io,
		struct logger *log, struct metrics *m, atomic_int *stop,
		struct offline_counts *counts, char *err, size_t errlen);

#endif
