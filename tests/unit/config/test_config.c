/* test_config.c — the daemon's config: a full config read back, defaults,
 * ${VAR} expansion, and every kind of bad config with its exact message and
 * FILE:LINE:COLUMN. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

/* Loads yaml, expecting failure with exactly `want` as the message. */
static void bad(const char *yaml, const char *want)
{
	struct newsd_conf *c = (struct newsd_conf *)1;
	char err[1024] = "";
	int rc = conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, err, sizeof(err));

	if (rc != -EINVAL || strcmp(err, want) != 0)
		fail_msg("for:\n%s\nwant rc %d '%s'\n got rc %d '%s'", yaml, -EINVAL, want, rc, err);
	assert_null(c);
}

static struct newsd_conf *good(const char *yaml)
{
	struct newsd_conf *c = NULL;
	char err[1024] = "";

	if (conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, err, sizeof(err)) != 0)
		fail_msg("unexpected error: %s", err);
	assert_non_null(c);
	return c;
}

static const char FULL[] =
	"# every field set\n"                              /* 1 */
	"log_level: debug\n"                               /* 2 */
	"workers: 3\n"                                     /* 3 */
	"plugin_dirs: [/opt/newsd/plugins, ./plugins]\n"   /* 4 */
	"data_dirs:\n"                                     /* 5 */
	"  - /opt/newsd/data\n"                            /* 6 */
	"input:\n"                                         /* 7 */
	"  format: raw\n"                                  /* 8 */
	"  max_message_bytes: 65536\n"                     /* 9 */
	"  kafka:\n"                                       /* 10 */
	"    brokers: \"k1:9092,k2:9092\"\n"               /* 11 */
	"    topics: [news.raw, news.raw.retry]\n"         /* 12 */
	"    group_id: enrich\n"                           /* 13 */
	"    properties:\n"                                /* 14 */
	"      session.timeout.ms: 6000\n"                 /* 15 */
	"      enable.partition.eof: true\n"               /* 16 */
	"      client.id: newsd-test\n"                    /* 17 */
	"      socket.keepalive.enable: false\n"           /* 18 */
	"      queue.buffering.max.ms: 0.5\n"              /* 19 */
	"output:\n"                                        /* 20 */
	"  topic: news.enriched\n"                         /* 21 */
	"  dead_letter_topic: news.dead\n"                 /* 22 */
	"  duplicates_topic: news.dup\n"                   /* 23 */
	"  include_html: true\n"                           /* 24 */
	"  kafka:\n"                                       /* 25 */
	"    brokers: out:9093\n"                          /* 26 */
	"    properties:\n"                                /* 27 */
	"      linger.ms: 5\n"                             /* 28 */
	"      acks: all\n"                                /* 29 */
	"state:\n"                                         /* 30 */
	"  topic_prefix: st.\n"                            /* 31 */
	"  dir: /var/lib/newsd\n"                          /* 32 */
	"limits:\n"                                        /* 33 */
	"  max_in_flight: 2000\n"                          /* 34 */
	"  batch_size: 100\n"                              /* 35 */
	"  retry_max: 0\n"                                 /* 36 */
	"pipeline:\n"                                      /* 37 */
	"  - plugin: cleaner\n"                            /* 38 */
	"  - plugin: extractor\n"                          /* 39 */
	"    path: /opt/x/extractor.so\n"                  /* 40 */
	"    config:\n"                                    /* 41 */
	"      lang: vi\n"                                 /* 42 */
	"      max_len: 300\n";                            /* 43 */

static const char *prop(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static void test_full_config(void **state)
{
	(void)state;
	struct newsd_conf *c = good(FULL);

	assert_string_equal(c->file, "t.yaml");
	assert_int_equal(c->log_level, NEWSD_LOG_DEBUG);
	assert_int_equal(c->workers, 3);
	assert_string_equal(c->plugin_dirs[0], "/opt/newsd/plugins");
	assert_string_equal(c->plugin_dirs[1], "./plugins");
	assert_null(c->plugin_dirs[2]);
	assert_string_equal(c->data_dirs[0], "/opt/newsd/data");
	assert_null(c->data_dirs[1]);
	assert_int_equal(c->input_format, RECORD_FORMAT_RAW);
	assert_int_equal(c->max_message_bytes, 65536);
	assert_string_equal(c->brokers, "k1:9092,k2:9092");
	assert_string_equal(c->topics[0], "news.raw");
	assert_string_equal(c->topics[1], "news.raw.retry");
	assert_null(c->topics[2]);
	assert_string_equal(c->group_id, "enrich");
	assert_int_equal(json_object_size(c->consumer_props), 5);
	assert_string_equal(prop(c->consumer_props, "session.timeout.ms"), "6000");
	assert_string_equal(prop(c->consumer_props, "enable.partition.eof"), "true");
	assert_string_equal(prop(c->consumer_props, "client.id"), "newsd-test");
	assert_string_equal(prop(c->consumer_props, "socket.keepalive.enable"), "false");
	assert_string_equal(prop(c->consumer_props, "queue.buffering.max.ms"), "0.5");
	assert_string_equal(c->out_topic, "news.enriched");
	assert_string_equal(c->dlq_topic, "news.dead");
	assert_string_equal(c->dup_topic, "news.dup");
	assert_int_equal(c->include_html, 1);
	assert_string_equal(c->out_brokers, "out:9093");
	assert_int_equal(json_object_size(c->producer_props), 2);
	assert_string_equal(prop(c->producer_props, "linger.ms"), "5");
	assert_string_equal(prop(c->producer_props, "acks"), "all");
	assert_string_equal(c->state_topic_prefix, "st.");
	assert_string_equal(c->state_dir, "/var/lib/newsd");
	assert_int_equal(c->max_in_flight, 2000);
	assert_int_equal(c->batch_size, 100);
	assert_int_equal(c->retry_max, 0);
	assert_int_equal(c->n_pipeline, 2);
	assert_string_equal(c->pipeline[0].plugin, "cleaner");
	assert_null(c->pipeline[0].path);
	assert_true(json_is_object(c->pipeline[0].config));
	assert_int_equal(json_object_size(c->pipeline[0].config), 0);
	assert_int_equal(c->pipeline[0].line, 38);
	assert_int_equal(c->pipeline[0].col, 5);
	assert_string_equal(c->pipeline[1].plugin, "extractor");
	assert_string_equal(c->pipeline[1].path, "/opt/x/extractor.so");
	assert_int_equal(c->pipeline[1].line, 39);
	assert_int_equal(c->pipeline[1].col, 5);
	assert_string_equal(json_string_value(json_object_get(c->pipeline[1].config, "lang")), "vi");
	assert_int_equal(json_integer_value(json_object_get(c->pipeline[1].config, "max_len")), 300);
	char err[256];
	assert_int_equal(conf_require_kafka(c, err, sizeof(err)), 0);
	conf_free(c);
}

static void test_defaults(void **state)
{
	(void)state;
	struct newsd_conf *c = good("pipeline: [{plugin: example}]\n");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	assert_int_equal(c->log_level, NEWSD_LOG_INFO);
	assert_int_equal(c->workers, cpus < 1 ? 1 : cpus > 1024 ? 1024 : cpus);
	assert_true(c->workers >= 1);
	assert_null(c->plugin_dirs[0]);
	assert_null(c->data_dirs[0]);
	assert_int_equal(c->input_format, RECORD_FORMAT_AUTO);
	assert_int_equal(c->max_message_bytes, 10485760);
	assert_null(c->brokers);
	assert_null(c->topics[0]);
	assert_string_equal(c->group_id, "newsd");
	assert_int_equal(json_object_size(c->consumer_props), 0);
	assert_null(c->out_topic);
	assert_null(c->dlq_topic);
	assert_null(c->dup_topic);
	assert_int_equal(c->include_html, 0);
	assert_null(c->out_brokers);
	assert_int_equal(json_object_size(c->producer_props), 0);
	assert_string_equal(c->state_topic_prefix, "newsd.state.");
	assert_null(c->state_dir);
	assert_int_equal(c->max_in_flight, 10000);
	assert_int_equal(c->batch_size, 512);
	assert_int_equal(c->retry_max, 5);
	assert_int_equal(c->n_pipeline, 1);
	assert_string_equal(c->pipeline[0].plugin, "example");
	assert_int_equal(c->pipeline[0].line, 1);
	assert_int_equal(c->pipeline[0].col, 12);
	conf_free(c);

	/* empty sections are allowed; output brokers default to the input's */
	c = good("input:\n  kafka:\n    brokers: b:1\nstate:\nlimits:\npipeline:\n- plugin: x\n");
	assert_string_equal(c->out_brokers, "b:1");
	assert_string_equal(c->state_topic_prefix, "newsd.state.");
	conf_free(c);
}

static void test_env_expansion(void **state)
{
	(void)state;
	setenv("NEWSD_T_WORKERS", "7", 1);
	setenv("NEWSD_T_BROKERS", "kafka-1:9092", 1);
	setenv("NEWSD_T_EMPTY", "", 1);
	setenv("NEWSD_T_NUM", "5", 1);
	setenv("NEWSD_T_HTML", "true", 1);
	unsetenv("NEWSD_T_UNSET");
	struct newsd_conf *c = good(
		"workers: ${NEWSD_T_WORKERS}\n"
		"input:\n"
		"  max_message_bytes: ${NEWSD_T_UNSET:-4096}\n"
		"  kafka:\n"
		"    brokers: ${NEWSD_T_BROKERS:-localhost:9092}\n"
		"    group_id: \"g-${NEWSD_T_UNSET:-default}-${NEWSD_T_EMPTY:-e}\"\n"
		"    topics: [\"${NEWSD_T_NUM}\", 'a$$b', cost$5, '$${NOT_A_VAR}']\n"
		"output:\n"
		"  topic: ${NEWSD_T_UNSET:-}\n"
		"  include_html: ${NEWSD_T_HTML}\n"
		"pipeline:\n"
		"  - plugin: p\n"
		"    config:\n"
		"      plain: ${NEWSD_T_NUM}\n"
		"      quoted: \"${NEWSD_T_NUM}\"\n"
		"      empty: '[${NEWSD_T_EMPTY}]'\n");

	assert_int_equal(c->workers, 7);                  /* plain: typed after expansion */
	assert_int_equal(c->max_message_bytes, 4096);     /* unset → default */
	assert_string_equal(c->brokers, "kafka-1:9092");  /* set → value, default ignored */
	assert_string_equal(c->group_id, "g-default-e");  /* set but empty → default */
	assert_string_equal(c->topics[0], "5");
	assert_string_equal(c->topics[1], "a$b");          /* $$ → $ */
	assert_string_equal(c->topics[2], "cost$5");       /* a lone $ stays */
	assert_string_equal(c->topics[3], "${NOT_A_VAR}"); /* escaped */
	assert_null(c->out_topic);                         /* ${X:-} → empty → unset */
	assert_int_equal(c->include_html, 1);
	const json_t *cfg = c->pipeline[0].config;
	assert_true(json_is_integer(json_object_get(cfg, "plain")));
	assert_int_equal(json_integer_value(json_object_get(cfg, "plain")), 5);
	assert_true(json_is_string(json_object_get(cfg, "quoted")));
	assert_string_equal(json_string_value(json_object_get(cfg, "quoted")), "5");
	assert_string_equal(json_string_value(json_object_get(cfg, "empty")), "[]");
	conf_free(c);

	/* data files (yaml_load_buffer) never expand */
	char err[256];
	json_t *t = yaml_load_buffer("d.yaml", "k: ${NEWSD_T_NUM} $$\n", 21, NULL, err, sizeof(err));
	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "k")), "${NEWSD_T_NUM} $$");
	json_decref(t);
}

static void test_bad_env(void **state)
{
	(void)state;
	unsetenv("NEWSD_T_UNSET");
	bad("workers: 2\ninput:\n  kafka:\n    brokers: ${NEWSD_T_UNSET}\npipeline: [{plugin: a}]\n",
	    "t.yaml:4:14: environment variable 'NEWSD_T_UNSET' is not set (set it, or write "
	    "${NEWSD_T_UNSET:-default})");
	/* column of the ${ inside a plain, then a quoted scalar */
	bad("output:\n  topic: news-${NEWSD_T_UNSET}\n",
	    "t.yaml:2:15: environment variable 'NEWSD_T_UNSET' is not set (set it, or write "
	    "${NEWSD_T_UNSET:-default})");
	bad("output:\n  topic: \"x-${NEWSD_T_UNSET}\"\n",
	    "t.yaml:2:13: environment variable 'NEWSD_T_UNSET' is not set (set it, or write "
	    "${NEWSD_T_UNSET:-default})");
	bad("log_level: ${NEWSD_LOG\npipeline: [{plugin: a}]\n",
	    "t.yaml:1:12: unterminated '${' in '${NEWSD_LOG': expected '}' (write $$ for a literal "
	    "'$')");
	bad("workers: ${1BAD}\n",
	    "t.yaml:1:10: bad variable reference '${1BAD}': expected ${NAME} or ${NAME:-default}, "
	    "NAME made of letters, digits and '_' (not starting with a digit)");
	bad("workers: ${N-4}\n",
	    "t.yaml:1:10: bad variable reference '${N-4}': expected ${NAME} or ${NAME:-default}, "
	    "NAME made of letters, digits and '_' (not starting with a digit)");
	bad("workers: ${A:-${B}}\n",
	    "t.yaml:1:10: a default inside ${A:-...} cannot use ${...}: expected literal text");
	/* expansion happens before typing: an expanded plain value is checked */
	setenv("NEWSD_T_WORD", "lots", 1);
	bad("workers: ${NEWSD_T_WORD}\npipeline: [{plugin: a}]\n",
	    "t.yaml:1:10: workers must be an integer from 0 to 1024 (got 'lots')");
}

static void test_bad_yaml(void **state)
{
	(void)state;
	/* a syntax error */
	bad("input:\n  format: json\n  kafka: {brokers: a, topics: [x, y}\n",
	    "t.yaml:3:36: did not find expected ',' or ']' while parsing a flow sequence");
	/* tab indentation */
	bad("input:\n\tformat: json\n",
	    "t.yaml:2:1: found character that cannot start any token while scanning for the next "
	    "token (a tab: YAML indents with spaces only)");
	/* duplicate key */
	bad("workers: 2\ninput:\n  format: json\n  format: raw\n",
	    "t.yaml:4:3: duplicate key 'format'");
	/* top level not a mapping */
	bad("- plugin: a\n- plugin: b\n",
	    "t.yaml:1:1: the configuration must be a mapping of sections (log_level, workers, input, "
	    "output, state, limits, pipeline, ...) (got a list)");
	bad("just text\n",
	    "t.yaml:1:1: the configuration must be a mapping of sections (log_level, workers, input, "
	    "output, state, limits, pipeline, ...) (got 'just text')");
	bad("---\n", "t.yaml:1:1: the configuration is empty: expected a mapping with at least "
		     "'pipeline'");
	/* an alias bomb is refused, not expanded */
	bad("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	    "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
	    "t.yaml:1:8: aliases expand to too many nodes (more than 16 per node written)");
}

static void test_unknown_keys(void **state)
{
	(void)state;
	bad("workers: 2\nwokers: 3\n", "t.yaml:2:1: unknown top-level key 'wokers'; did you mean 'workers'?");
	bad("pipeline: [{plugin: a}]\ncolour: blue\n",
	    "t.yaml:2:1: unknown top-level key 'colour'; expected one of: log_level, workers, "
	    "plugin_dirs, data_dirs, input, output, state, limits, pipeline");
	bad("input:\n  fromat: json\n", "t.yaml:2:3: unknown key in input 'fromat'; did you mean 'format'?");
	bad("input:\n  kafka:\n    brokers: a\n    topic: [x]\n",
	    "t.yaml:4:5: unknown key in input.kafka 'topic'; did you mean 'topics'?");
	bad("output:\n  kafka: {brokres: a}\n",
	    "t.yaml:2:11: unknown key in output.kafka 'brokres'; did you mean 'brokers'?");
	bad("limits:\n  max_inflight: 3\n",
	    "t.yaml:2:3: unknown key in limits 'max_inflight'; did you mean 'max_in_flight'?");
	bad("state: {path: /tmp}\n",
	    "t.yaml:1:9: unknown key in state 'path'; expected one of: topic_prefix, dir");
}

static void test_bad_types(void **state)
{
	(void)state;
	bad("log_level: info\nworkers: \"many\"\n",
	    "t.yaml:2:10: workers must be an integer from 0 to 1024 (got 'many')");
	bad("workers: -1\n", "t.yaml:1:10: workers must be an integer from 0 to 1024 (got -1)");
	bad("workers: 2.5\n", "t.yaml:1:10: workers must be an integer from 0 to 1024 (got 2.5)");
	bad("log_level: verbose\n",
	    "t.yaml:1:12: log_level must be one of error, warn, info, debug (got 'verbose')");
	bad("input:\n  format: xml\n",
	    "t.yaml:2:11: input.format must be one of auto, json, raw (got 'xml')");
	bad("input:\n  format: 3\n", "t.yaml:2:11: input.format must be one of auto, json, raw (got 3)");
	bad("input:\n  max_message_bytes: 0\n",
	    "t.yaml:2:22: input.max_message_bytes must be an integer from 1 to 1000000000 (got 0)");
	bad("limits:\n  max_in_flight: -5\n",
	    "t.yaml:2:18: limits.max_in_flight must be an integer from 1 to 100000000 (got -5)");
	bad("limits:\n  batch_size: 0\n",
	    "t.yaml:2:15: limits.batch_size must be an integer from 1 to 1000000 (got 0)");
	bad("limits:\n  retry_max: -1\n",
	    "t.yaml:2:14: limits.retry_max must be an integer from 0 to 1000000 (got -1)");
	bad("limits:\n  max_in_flight: 10\n  batch_size: 64\n",
	    "t.yaml:3:15: limits.batch_size must not exceed limits.max_in_flight (64 > 10)");
	bad("input: [a]\n", "t.yaml:1:8: input must be a mapping (got a list)");
	bad("input:\n  kafka: localhost:9092\n",
	    "t.yaml:2:10: input.kafka must be a mapping (got 'localhost:9092')");
	bad("input:\n  kafka:\n    topics: news.raw\n",
	    "t.yaml:3:13: input.kafka.topics must be a list of strings (got 'news.raw')");
	bad("input:\n  kafka:\n    topics:\n      - news.raw\n      - {name: x}\n",
	    "t.yaml:5:9: input.kafka.topics[1] must be a non-empty string (got a mapping)");
	bad("plugin_dirs: [a, \"\"]\n",
	    "t.yaml:1:18: plugin_dirs[1] must be a non-empty string (got '')");
	bad("input:\n  kafka:\n    properties: [acks, all]\n",
	    "t.yaml:3:17: input.kafka.properties must be a mapping of librdkafka properties (got a "
	    "list)");
	bad("output:\n  kafka:\n    properties:\n      acks: all\n      bootstrap.servers: [a, b]\n",
	    "t.yaml:5:26: property 'bootstrap.servers' in output.kafka.properties must be a string, "
	    "number or boolean (got a list)");
	bad("output:\n  include_html: yes\n",
	    "t.yaml:2:17: output.include_html must be true or false (got 'yes')");
	/* a long value is cut in the message, never inside a UTF-8 character:
	 * in the second value, the 48-byte cut falls inside 'ý' (bytes 48-49) */
	bad("log_level: \"Muc ghi nhat ky cua he thong xu ly tin tuc: rat chi tiet\"\n",
	    "t.yaml:1:12: log_level must be one of error, warn, info, debug (got 'Muc ghi nhat ky "
	    "cua he thong xu ly tin tuc: rat ...')");
	bad("log_level: \"Mức ghi nhật ký: aaaaaaaaaaaaaaaaaaaaaaaaaýz\"\n",
	    "t.yaml:1:12: log_level must be one of error, warn, info, debug (got 'Mức ghi nhật ký: aaaaaaaaaaaaaaaaaaaaaaaaa...')");
	bad("output:\n  topic: true\n", "t.yaml:2:10: output.topic must be a string (got true)");
	bad("output:\n  topic: \"\"\n", "t.yaml:2:10: output.topic must be a non-empty string (got '')");
}

static void test_bad_pipeline(void **state)
{
	(void)state;
	bad("workers: 1\n", "t.yaml:1:1: pipeline is required: a non-empty list of {plugin: NAME, "
			    "path?: FILE, config?: {...}}");
	bad("workers: 1\npipeline: []\n",
	    "t.yaml:2:11: pipeline must not be empty: list at least one plugin");
	bad("pipeline:\n  cleaner: {}\n",
	    "t.yaml:2:3: pipeline must be a list of {plugin: NAME, path?: FILE, config?: {...}} (got "
	    "a mapping)");
	bad("pipeline:\n  - cleaner\n",
	    "t.yaml:2:5: pipeline[0] must be a mapping like {plugin: NAME, path: FILE, config: {...}} "
	    "(got 'cleaner')");
	bad("pipeline:\n  - plugin: cleaner\n  - path: /x/extractor.so\n",
	    "t.yaml:3:5: pipeline[1] has no 'plugin' key: expected the plugin's name (plugin: NAME)");
	bad("pipeline:\n  - plugin: cleaner\n    confg: {a: 1}\n",
	    "t.yaml:3:5: unknown key in pipeline[0] 'confg'; did you mean 'config'?");
	bad("pipeline:\n  - plugin: cleaner\n    options: {a: 1}\n",
	    "t.yaml:3:5: unknown key in pipeline[0] 'options'; expected one of: plugin, path, config");
	bad("pipeline:\n  - plugin: cleaner\n    config: [a, b]\n",
	    "t.yaml:3:13: pipeline[0].config must be a mapping of the plugin's options (got a list)");
	bad("pipeline:\n  - plugin: cleaner\n    config: strict\n",
	    "t.yaml:3:13: pipeline[0].config must be a mapping of the plugin's options (got "
	    "'strict')");
	bad("pipeline:\n  - plugin: ../evil\n",
	    "t.yaml:2:13: pipeline[0].plugin must be a plugin name (letters, digits, '_', '-', '.') "
	    "(got '../evil')");
	bad("pipeline:\n  - plugin: 42\n",
	    "t.yaml:2:13: pipeline[0].plugin must be a plugin name (letters, digits, '_', '-', '.') "
	    "(got 42)");
	bad("pipeline:\n  - plugin: cleaner\n  - plugin: deduper\n  - plugin: cleaner\n",
	    "t.yaml:4:13: pipeline[2]: plugin 'cleaner' is already in the pipeline at line 2; each "
	    "plugin may appear once");
	bad("pipeline:\n  - plugin: a\n    path: [x]\n",
	    "t.yaml:3:11: pipeline[0].path must be a string (got a list)");
}

/* A made-up plugin's option table. */
static const struct newsd_option OPTS[] = {
	{"action", NEWSD_OPT_STR, "tag", 0, "tag or drop"},
	{"threshold", NEWSD_OPT_FLOAT, "0.8", 0, "similarity"},
	{"shingle", NEWSD_OPT_INT, NULL, 1, "words per shingle"},
	{"keep", NEWSD_OPT_BOOL, "false", 0, "keep the text"},
	{"langs", NEWSD_OPT_LIST, NULL, 0, "languages"},
	{0},
};

/* Loads a good config with one pipeline entry and checks it against OPTS. */
static int check(const char *yaml, char *err, size_t errlen, struct newsd_conf **out)
{
	struct newsd_conf *c = good(yaml);
	int rc = conf_check_plugin(c, 0, OPTS, err, errlen);

	if (out)
		*out = c;
	else
		conf_free(c);
	return rc;
}

static void test_plugin_options(void **state)
{
	(void)state;
	char err[1024];
	struct newsd_conf *c;

	/* defaults filled in, plain scalars accepted as strings */
	assert_int_equal(check("pipeline:\n  - plugin: dedup\n    config:\n      shingle: 4\n"
			       "      action: 12\n",
			       err, sizeof(err), &c),
			 0);
	const json_t *cfg = c->pipeline[0].config;
	assert_int_equal(json_integer_value(json_object_get(cfg, "shingle")), 4);
	assert_string_equal(json_string_value(json_object_get(cfg, "action")), "12");
	assert_true(json_is_real(json_object_get(cfg, "threshold")));
	assert_true(json_real_value(json_object_get(cfg, "threshold")) == 0.8);
	assert_true(json_is_false(json_object_get(cfg, "keep")));
	assert_null(json_object_get(cfg, "langs"));
	conf_free(c);

	/* unknown option (its `true` is not confused with keep's) */
	assert_int_equal(check("pipeline:\n  - plugin: dedup\n    config:\n      keep: true\n"
			       "      shingle: 4\n      verbose:   true\n",
			       err, sizeof(err), NULL),
			 -EINVAL);
	assert_string_equal(err, "t.yaml:6:18: plugin 'dedup': unknown option 'verbose' (known: "
				 "action, threshold, shingle, keep, langs)");
	/* wrong type */
	assert_int_equal(check("pipeline:\n  - plugin: dedup\n    config:\n      shingle: many\n",
			       err, sizeof(err), NULL),
			 -EINVAL);
	assert_string_equal(err, "t.yaml:4:16: plugin 'dedup': option 'shingle' must be an integer");
	assert_int_equal(check("pipeline:\n  - plugin: dedup\n    config:\n      keep: true\n"
			       "      shingle:  true\n",
			       err, sizeof(err), NULL),
			 -EINVAL);
	assert_string_equal(err, "t.yaml:5:17: plugin 'dedup': option 'shingle' must be an integer");
	assert_int_equal(check("pipeline:\n- plugin: dedup\n  config: {shingle: 2, langs: [vi, 3]}\n",
			       err, sizeof(err), NULL),
			 -EINVAL);
	assert_string_equal(err,
			    "t.yaml:3:31: plugin 'dedup': option 'langs' must be a list of strings");
	/* missing required option: at the block, or at the entry without one */
	assert_int_equal(check("pipeline:\n  - plugin: dedup\n    config:\n      action: drop\n",
			       err, sizeof(err), NULL),
			 -EINVAL);
	assert_string_equal(err, "t.yaml:4:7: plugin 'dedup': missing required option 'shingle' "
				 "(an integer)");
	assert_int_equal(check("workers: 1\npipeline:\n  - plugin: dedup\n", err, sizeof(err), NULL),
			 -EINVAL);
	assert_string_equal(err, "t.yaml:3:5: plugin 'dedup': missing required option 'shingle' "
				 "(an integer)");
	/* out of range entry */
	c = good("pipeline: [{plugin: a}]\n");
	assert_int_equal(conf_check_plugin(c, 1, OPTS, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml: no pipeline entry 1");
	conf_free(c);
}

static void test_require_kafka(void **state)
{
	(void)state;
	char err[512];
	struct newsd_conf *c = good("input:\n  kafka:\n    topics: [a]\npipeline: [{plugin: a}]\n");

	assert_int_equal(conf_require_kafka(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:3:5: input.kafka.brokers is required to run with Kafka: "
				 "expected \"host:port,...\" (`newsd process` runs without Kafka)");
	conf_free(c);
	c = good("input:\n  kafka: {brokers: b:1, topics: [a]}\noutput:\n  topic: o\n"
		 "pipeline: [{plugin: a}]\n");
	assert_int_equal(conf_require_kafka(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:4:3: output.dead_letter_topic is required to run with "
				 "Kafka: expected the topic for records that fail");
	conf_free(c);
	c = good("input:\n  kafka: {brokers: b:1}\npipeline: [{plugin: a}]\n");
	assert_int_equal(conf_require_kafka(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:2:10: input.kafka.topics is required to run with Kafka: "
				 "expected a list of topics");
	conf_free(c);
}

static void test_files(void **state)
{
	(void)state;
	char err[512], path[] = "/tmp/newsd-test-config-XXXXXX";
	struct newsd_conf *c = (struct newsd_conf *)1;

	assert_int_equal(conf_load("/nonexistent/newsd.yaml", &c, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/newsd.yaml: No such file or directory");
	assert_null(c);
	assert_int_equal(conf_load("/tmp", &c, err, sizeof(err)), -EISDIR);
	assert_string_equal(err, "/tmp: Is a directory");

	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static const char text[] = "workers: 2\npipeline:\n  - plugin: cleaner\n    colour: red\n";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	char want[600];
	snprintf(want, sizeof(want),
		 "%s:4:5: unknown key in pipeline[0] 'colour'; expected one of: plugin, path, config",
		 path);
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),   cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_env_expansion), cmocka_unit_test(test_bad_env),
		cmocka_unit_test(test_bad_yaml),      cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_bad_types),     cmocka_unit_test(test_bad_pipeline),
		cmocka_unit_test(test_plugin_options), cmocka_unit_test(test_require_kafka),
		cmocka_unit_test(test_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
