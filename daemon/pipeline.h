/* pipeline.h — the plugin chain and the workers that run it.
 *
 * Records are handed over in batches.  Workers process the items of a batch
 * in parallel; the caller gets the batch back with every item's outcome and
 * serialised output and routes them in the batch's order, so per-partition
 * order survives any number of workers.  Parsing happens once per record
 * (in the worker), serialising once.
 */
#ifndef NEWSD_PIPELINE_H
#define NEWSD_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "host.h"
#include "loader.h"
#include "record.h"

/** Why a record did not reach the output topic. */
enum item_outcome {
	ITEM_OUTPUT = 0,   /* enriched record in out */
	ITEM_DROPPED = 1,  /* a plugin returned DROP; record (as far as built) in out */
	ITEM_DEAD = 2,     /* dead letter: reason says why; payload goes out unchanged */
	ITEM_FATAL = 3,    /* a plugin returned ERR_FATAL: stop, do not commit */
};

struct work_item {
	/* in (borrowed, valid until the batch returns) */
	const char *payload;
	size_t len;
	const char *key; /* Kafka key or NULL: the id fallback before a content hash */
	size_t keylen;
	enum record_format format;

	/* out */
	enum item_outcome outcome;
	const char *by;     /* (borrowed) plugin name, or "newsd" for input errors */
	char reason[384];
	char id[160];       /* the record's id (given, key, or content hash) */
	char *out;          /* (owned by the item) serialised record for OUTPUT/DROPPED */
	size_t out_len;
};

struct pipeline;

/** Loads every plugin of conf (checking options against each table), then
 *  runs init once (THREAD_SAFE plugins) or once per worker.  env is
 *  (borrowed) and must outlive the pipeline.  Returns 0, or negative with err
 *  naming the plugin and file:line:col where that applies. */
int pipeline_new(struct newsd_conf *conf, struct host_env *env, struct pipeline **out,
		 char *err, size_t errlen);

/** Processes items[0..n) on the workers; returns when every item has an
 *  outcome.  Returns 0, or -ECANCELED when some item is ITEM_FATAL. */
int pipeline_run_batch(struct pipeline *p, struct work_item *items, size_t n);

/** Frees the outputs of items[0..n) so the array can be reused. */
void pipeline_items_reset(struct work_item *items, size_t n);

/** Calls every plugin's flush() and then flushes the state logs. */
int pipeline_flush(struct pipeline *p, char *err, size_t errlen);

/** fini on every instance, stop the workers.  Plugins stay resident. */
void pipeline_free(struct pipeline *p);

size_t pipeline_workers(const struct pipeline *p);

#endif
