/* deduper.h — the deduper plugin's instance, exposed for its tests and
 * benchmarks (the daemon sees only the descriptor).
 *
 * One instance serves every worker thread (NEWSD_CAP_THREAD_SAFE).  `lock`
 * guards the index, the entry buffer and now_max; normalising and
 * fingerprinting run outside it on per-call scratch taken from `pool`.
 */
#ifndef DEDUPER_DEDUPER_H
#define DEDUPER_DEDUPER_H

#include <newsd/plugin.h>
#include <pthread.h>
#include <stdint.h>

#include "entry.h"
#include "fingerprint.h"
#include "index.h"
#include "normalise.h"

struct dd_scratch {
	struct dd_tokens tok;
	struct dd_fp fp;
	char *of;               /* copy of the verdict's of-id */
	size_t of_cap;
	struct dd_scratch *next; /* in the pool */
};

struct deduper {
	const struct newsd_host *host; /* (borrowed) until fini */
	struct dd_norm norm;
	int shingle, min_tokens, drop;
	double threshold, containment;
	const char *time_field;        /* (borrowed from the config) or NULL */
	uint32_t params;
	struct newsd_state *state;     /* (owned, closed in fini) or NULL */

	pthread_mutex_t lock;          /* the index and what follows it */
	struct dd_index ix;
	int64_t now_max;               /* latest story time seen (time_field mode) */
	unsigned char *enc;            /* (owned) DD_ENTRY_MAX bytes */
	uint64_t applied, ignored;     /* state entries taken / skipped */

	pthread_mutex_t poll_lock;     /* one state_poll at a time */
	pthread_mutex_t pool_lock;
	struct dd_scratch *pool;       /* (owned) free scratch */
};

const struct newsd_plugin *newsd_plugin_deduper_describe(void);

/** Status names as written to dedup.status. */
const char *dd_status_name(int status);

#endif
