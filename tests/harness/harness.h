/* harness.h — drive plugins synchronously, without Kafka or dlopen.
 *
 * Tests and benchmarks link plugins statically (their <name>_static
 * library, built with NEWSD_PLUGIN_STATIC) and push records through them
 * with the daemon's real host vtable, record code and option checking.
 * Nothing sleeps: harness_process() returns when the chain is done.
 */
#ifndef NEWSD_HARNESS_H
#define NEWSD_HARNESS_H

#include <jansson.h>
#include <newsd/plugin.h>

#include "metrics.h"
#include "record.h"

struct harness;

/** Builds a chain of n plugins.  configs[i] is the YAML text of plugin i's
 *  config block (NULL or "" for defaults).  state_dir: NULL keeps state
 *  logs in memory, else the file backend writes DIR/NAME.log.
 *  Returns NULL with err filled on failure (option errors, init errors). */
struct harness *harness_new_chain(const struct newsd_plugin *const *plugins,
				  const char *const *configs, size_t n, const char *state_dir,
				  char *err, size_t errlen);
/** One plugin, config as YAML text (may be NULL). */
struct harness *harness_new(const struct newsd_plugin *p, const char *config_yaml, char *err,
			    size_t errlen);
void harness_free(struct harness *h);

/** Runs the chain on r (borrowed).  Returns the first non-OK status (and
 *  which plugin gave it in *at, may be NULL) or NEWSD_OK. */
int harness_process_record(struct harness *h, struct newsd_record *r, size_t *at, char *err,
			   size_t errlen);

/** Parses input (a JSON object as text), runs the chain, and returns the
 *  status; *out (may be NULL) receives the resulting record as compact JSON,
 *  malloc'd (owned by the caller), or NULL when input did not parse (then
 *  the status is NEWSD_ERR_RECORD). */
int harness_process(struct harness *h, const char *input_json, char **out, char *err,
		    size_t errlen);

/** Same, returning the record as a jansson object (owned by the caller). */
int harness_process_json(struct harness *h, const char *input_json, json_t **out, char *err,
			 size_t errlen);

/** Calls every plugin's flush(). */
int harness_flush(struct harness *h, char *err, size_t errlen);

/** The host vtable given to plugin i (for unit tests of plugin internals). */
const struct newsd_host *harness_host(struct harness *h, size_t i);
struct metrics *harness_metrics(struct harness *h);

#endif
