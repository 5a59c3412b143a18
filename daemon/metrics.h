/* metrics.h — named 64-bit counters shared by the daemon and its plugins.
 * Registration of a new name takes a lock; counting afterwards is a hash
 * probe and one atomic add. */
#ifndef NEWSD_METRICS_H
#define NEWSD_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#define METRICS_SLOTS 1024
#define METRICS_NAME_MAX 96

struct metric {
	_Atomic int used; /* published after name is written */
	char name[METRICS_NAME_MAX];
	_Atomic uint64_t value;
};

struct metrics {
	pthread_mutex_t lock; /* serialises registration only */
	struct metric slot[METRICS_SLOTS];
};

void metrics_init(struct metrics *m);
void metrics_destroy(struct metrics *m);
/** Adds n to counter `prefix.name` (prefix may be NULL).  Silently ignores
 *  a full table (counted in "metrics.overflow"). */
void metrics_add(struct metrics *m, const char *prefix, const char *name, uint64_t n);
uint64_t metrics_get(struct metrics *m, const char *name);
/** Writes every counter as one JSON object on one line. */
void metrics_dump_json(struct metrics *m, FILE *out);

#endif
