/* config.h — the daemon's YAML configuration, parsed and checked.
 *
 * Every error names FILE:LINE:COLUMN and what was expected.  ${VAR} and
 * ${VAR:-default} are expanded inside scalar values (an unset VAR without
 * a default is an error), then the scalar is typed, so `workers: ${N:-4}`
 * is an integer.
 *
 * Schema (see config/newsd.yaml for the annotated default):
 *   log_level: error|warn|info|debug            (info)
 *   workers: N                                  (0 = one per core)
 *   plugin_dirs: [dir, ...]                     searched before $NEWSD_PLUGIN_PATH
 *   data_dirs: [dir, ...]                       searched before $NEWSD_DATA_PATH
 *   input:
 *     format: auto|json|raw                     (auto)
 *     max_message_bytes: N                      (10485760)
 *     kafka:
 *       brokers: "host:port,..."                (required for `run`)
 *       topics: [topic, ...]                    (required for `run`)
 *       group_id: name                          (newsd)
 *       properties: {librdkafka.key: value}     passed through to the consumer
 *   output:
 *     topic: name                               (required for `run`)
 *     dead_letter_topic: name                   (required for `run`)
 *     duplicates_topic: name                    (optional: DROPped records go here)
 *     include_html: bool                        (false: raw html is not copied out)
 *     kafka:
 *       brokers: "host:port,..."                (default: input's)
 *       properties: {librdkafka.key: value}     passed through to the producer
 *   state:
 *     topic_prefix: prefix                      (newsd.state.) Kafka state logs
 *     dir: path                                 offline state files (unset: memory)
 *   limits:
 *     max_in_flight: N                          (10000) records between fetch and ack
 *     batch_size: N                             (512) records handed to workers at once
 *     retry_max: N                              (5) ERR_RETRY attempts before dead letter
 *   pipeline:                                   (required, non-empty)
 *     - plugin: name
 *       path: file.so                           (optional)
 *       config: {...}                           checked against the plugin's options
 *
 * Checks beyond types: unknown keys anywhere above are errors (with a "did
 * you mean" hint within edit distance 2); workers 0..1024; max_message_bytes
 * 1..1e9; max_in_flight >= 1; 1 <= batch_size <= max_in_flight; retry_max
 * >= 0; string values non-empty (a plain number is taken as its text; an
 * empty value means "unset"); properties values may be strings, numbers or
 * booleans and are stored as strings; plugin names are letters, digits,
 * '_', '-', '.'; a plugin appears at most once in the pipeline.  Inside
 * [...] or {...} a ${VAR} must be quoted (YAML flow syntax), which makes it
 * a string.
 */
#ifndef NEWSD_CONFIG_H
#define NEWSD_CONFIG_H

#include <jansson.h>
#include <newsd/plugin.h>
#include <stddef.h>

#include "record.h"
#include "yamltree.h"

struct pipeline_entry {
	char *plugin;   /* (owned) */
	char *path;     /* (owned) NULL unless given */
	json_t *config; /* (owned) the plugin's block; empty object when absent */
	int line, col;  /* of the entry, for messages */
};

struct newsd_conf {
	char *file; /* (owned) path as given */
	enum newsd_log_level log_level;
	int workers; /* resolved: never 0 after conf_load */
	char **plugin_dirs; /* (owned) NULL-terminated, never NULL */
	char **data_dirs;   /* (owned) NULL-terminated, never NULL */

	enum record_format input_format;
	size_t max_message_bytes;
	char *brokers;         /* (owned) may be NULL */
	char **topics;         /* (owned) NULL-terminated, never NULL */
	char *group_id;        /* (owned) */
	json_t *consumer_props; /* (owned) object of strings */

	char *out_topic, *dlq_topic, *dup_topic; /* (owned) may be NULL */
	int include_html;
	char *out_brokers;      /* (owned) defaults to brokers */
	json_t *producer_props; /* (owned) object of strings */

	char *state_topic_prefix; /* (owned) */
	char *state_dir;          /* (owned) may be NULL */

	size_t max_in_flight, batch_size;
	int retry_max;

	struct pipeline_entry *pipeline; /* (owned) */
	size_t n_pipeline;

	json_t *tree;             /* (owned) the whole document */
	struct yaml_marks marks;  /* positions of every node in tree */
};

/** Loads and checks path.  Returns 0 and *out (owned by the caller), or
 *  -EINVAL/-ENOENT/-ENOMEM with err = "FILE:LINE:COL: what, expected what". */
int conf_load(const char *path, struct newsd_conf **out, char *err, size_t errlen);

/** Same, from a buffer; name stands for the file in messages. */
int conf_load_buffer(const char *name, const char *buf, size_t len, struct newsd_conf **out,
		     char *err, size_t errlen);

/** Checks (and fills defaults of) pipeline entry i against the plugin's
 *  option table; messages point into the config file. */
int conf_check_plugin(struct newsd_conf *c, size_t i, const struct newsd_option *opts, char *err,
		      size_t errlen);

/** Requires what `newsd run` needs (brokers, topics, output topics). */
int conf_require_kafka(const struct newsd_conf *c, char *err, size_t errlen);

void conf_free(struct newsd_conf *c);

#endif
