/* test_pipeline.c — what happens to a record between payload and output:
 * every dead-letter reason, DROP, RETRY, FATAL, id defaults, order across
 * workers, and the offline JSON Lines runner. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "host.h"
#include "offline.h"
#include "pipeline.h"

#ifndef CHAOS_PATH
#error CHAOS_PATH must point at the chaos test plugin
#endif

struct fixture {
	struct logger log;
	struct metrics metrics;
	struct state_backend be;
	struct state_registry states;
	struct host_env env;
	struct newsd_conf *conf;
	struct pipeline *p;
};

static struct fixture *fixture_new(int workers, const char *extra)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char yaml[2048], err[1024];

	assert_non_null(f);
	snprintf(yaml, sizeof(yaml),
		 "workers: %d\n"
		 "input:\n  max_message_bytes: 4096\n"
		 "limits:\n  retry_max: 2\n"
		 "%s"
		 "pipeline:\n  - plugin: chaos\n    path: %s\n",
		 workers, extra ? extra : "", CHAOS_PATH);
	f->log.level = NEWSD_LOG_ERROR;
	f->log.out = stderr;
	metrics_init(&f->metrics);
	state_backend_memory(&f->be);
	state_registry_init(&f->states, &f->be);
	host_env_init(&f->env, &f->log, &f->metrics, &f->states, NULL);
	if (conf_load_buffer("test.yaml", yaml, strlen(yaml), &f->conf, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	if (pipeline_new(f->conf, &f->env, &f->p, err, sizeof(err)) < 0)
		fail_msg("pipeline: %s", err);
	return f;
}

static void fixture_free(struct fixture *f)
{
	pipeline_free(f->p);
	state_registry_destroy(&f->states);
	host_env_destroy(&f->env);
	conf_free(f->conf);
	metrics_destroy(&f->metrics);
	free(f);
}

/* Runs one payload and returns the item (out freed by the caller via reset). */
static struct work_item run_one(struct fixture *f, const char *payload, size_t len,
				enum record_format fmt, const char *key)
{
	struct work_item it = {.payload = payload, .len = len, .format = fmt, .key = key,
			       .keylen = key ? strlen(key) : 0};

	pipeline_run_batch(f->p, &it, 1);
	return it;
}

#define RUN(f, s) run_one((f), (s), strlen(s), RECORD_FORMAT_JSON, NULL)

static json_t *parse_out(const struct work_item *it)
{
	json_t *o = json_loadb(it->out, it->out_len, 0, NULL);
	assert_non_null(o);
	return o;
}

static void test_output_is_stamped(void **st)
{
	struct fixture *f = fixture_new(1, NULL);
	struct work_item it = RUN(f, "{\"id\":\"a1\",\"text\":\"xin chào\",\"html\":\"<p>x</p>\"}");
	(void)st;

	assert_int_equal(it.outcome, ITEM_OUTPUT);
	assert_string_equal(it.id, "a1");
	json_t *o = parse_out(&it);
	assert_string_equal(json_string_value(json_object_get(o, "chaos")), "seen");
	assert_null(json_object_get(o, "html")); /* not copied unless include_html */
	json_t *meta = json_object_get(o, "newsd");
	assert_non_null(json_object_get(meta, "version"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(meta, "plugins"), 0)),
			    "chaos");
	assert_non_null(strstr(json_string_value(json_object_get(meta, "processed_at")), "T"));
	json_decref(o);
	pipeline_items_reset(&it, 1);
	fixture_free(f);
}

static void test_include_html(void **st)
{
	struct fixture *f = fixture_new(1, "output:\n  include_html: true\n");
	struct work_item it = RUN(f, "{\"id\":\"a1\",\"html\":\"<p>x</p>\"}");
	(void)st;

	assert_int_equal(it.outcome, ITEM_OUTPUT);
	json_t *o = parse_out(&it);
	assert_string_equal(json_string_value(json_object_get(o, "html")), "<p>x</p>");
	json_decref(o);
	pipeline_items_reset(&it, 1);
	fixture_free(f);
}

struct dead_case {
	const char *payload;
	enum record_format fmt;
	const char *by;
	const char *reason_part;
};

static void test_every_dead_letter_reason(void **st)
{
	struct fixture *f = fixture_new(1, NULL);
	char big[5000];
	(void)st;

	memset(big, 'a', sizeof(big));
	memcpy(big, "{\"text\":\"", 9);
	memcpy(big + sizeof(big) - 3, "\"}", 2);
	big[sizeof(big) - 1] = '\0';
	const struct dead_case cases[] = {
		{"{\"text\": \"unterminated", RECORD_FORMAT_JSON, "newsd", "malformed JSON at line 1"},
		{"[1, 2, 3]", RECORD_FORMAT_JSON, "newsd", "not an object"},
		{"not json at all", RECORD_FORMAT_JSON, "newsd", "malformed JSON"},
		{"{\"id\":\"x\",\"url\":\"http://a\"}", RECORD_FORMAT_JSON, "newsd",
		 "neither text, html nor raw"},
		{"{\"text\":\"\"}", RECORD_FORMAT_JSON, "newsd", "neither text, html nor raw"},
		{"{\"id\":[1],\"text\":\"t\"}", RECORD_FORMAT_JSON, "newsd", "'id' must be"},
		{"{\"text\":\"a\",\"text\":\"b\"}", RECORD_FORMAT_JSON, "newsd", "duplicate"},
		{big, RECORD_FORMAT_JSON, "newsd", "message too large: 4999 bytes > max_message_bytes 4096"},
		{"{\"text\":\"t\",\"do\":\"dead\"}", RECORD_FORMAT_JSON, "chaos", "record is unusable"},
		{"{\"text\":\"t\",\"do\":\"silent-dead\"}", RECORD_FORMAT_JSON, "chaos", "no reason given"},
		{"{\"text\":\"t\",\"do\":\"retry-always\"}", RECORD_FORMAT_JSON, "chaos",
		 "gave up after 2 retries: backend down"},
		{"{\"text\":\"t\",\"do\":\"weird\"}", RECORD_FORMAT_JSON, "chaos", "unknown status 42"},
		{"\xff\xfe raw bytes in no charset", RECORD_FORMAT_RAW, "newsd", "not UTF-8"},
		{"", RECORD_FORMAT_RAW, "newsd", "empty payload"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dead_case *c = &cases[i];
		struct work_item it = run_one(f, c->payload, strlen(c->payload), c->fmt, NULL);
		if (it.outcome != ITEM_DEAD || strcmp(it.by, c->by) != 0 ||
		    !strstr(it.reason, c->reason_part))
			fail_msg("case %zu: outcome %d by '%s' reason '%s' (wanted dead by '%s' with '%s')",
				 i, it.outcome, it.by, it.reason, c->by, c->reason_part);
		assert_null(it.out);
	}
	fixture_free(f);
}

static void test_drop_retry_fatal(void **st)
{
	struct fixture *f = fixture_new(1, NULL);
	(void)st;

	struct work_item it = RUN(f, "{\"id\":\"d\",\"text\":\"t\",\"do\":\"drop\"}");
	assert_int_equal(it.outcome, ITEM_DROPPED);
	assert_string_equal(it.by, "chaos");
	assert_string_equal(it.reason, "duplicate of x");
	assert_non_null(it.out); /* the record as built goes to the duplicates topic */
	pipeline_items_reset(&it, 1);

	it = RUN(f, "{\"id\":\"r\",\"text\":\"t\",\"do\":\"retry-once\"}");
	assert_int_equal(it.outcome, ITEM_OUTPUT);
	assert_int_equal(metrics_get(&f->metrics, "chaos.retries"), 1);
	pipeline_items_reset(&it, 1);

	struct work_item batch[3] = {
		{.payload = "{\"text\":\"a\"}", .len = 12, .format = RECORD_FORMAT_JSON},
		{.payload = "{\"text\":\"b\",\"do\":\"fatal\"}", .len = 25, .format = RECORD_FORMAT_JSON},
		{.payload = "{\"text\":\"c\"}", .len = 12, .format = RECORD_FORMAT_JSON},
	};
	assert_int_equal(pipeline_run_batch(f->p, batch, 3), -ECANCELED);
	assert_int_equal(batch[1].outcome, ITEM_FATAL);
	assert_string_equal(batch[1].reason, "disk full");
	pipeline_items_reset(batch, 3);
	fixture_free(f);
}

static void test_id_defaults(void **st)
{
	struct fixture *f = fixture_new(1, NULL);
	const char *p = "{\"text\":\"no id here\"}";
	(void)st;

	struct work_item a = run_one(f, p, strlen(p), RECORD_FORMAT_JSON, "kafka-key-7");
	assert_string_equal(a.id, "kafka-key-7");
	struct work_item b = run_one(f, p, strlen(p), RECORD_FORMAT_JSON, NULL);
	struct work_item c = run_one(f, p, strlen(p), RECORD_FORMAT_JSON, NULL);
	assert_int_equal(strlen(b.id), 33); /* 'h' + 128-bit hex */
	assert_string_equal(b.id, c.id);   /* a redelivery keeps its id */
	struct work_item d = RUN(f, "{\"id\":1234,\"text\":\"t\"}");
	assert_string_equal(d.id, "1234");
	json_t *o = parse_out(&d);
	assert_string_equal(json_string_value(json_object_get(o, "id")), "1234");
	json_decref(o);
	/* a non-JSON UTF-8 payload becomes the text field */
	struct work_item e = run_one(f, "plain words", 11, RECORD_FORMAT_AUTO, "k");
	assert_int_equal(e.outcome, ITEM_OUTPUT);
	o = parse_out(&e);
	assert_string_equal(json_string_value(json_object_get(o, "text")), "plain words");
	json_decref(o);
	pipeline_items_reset(&a, 1);
	pipeline_items_reset(&b, 1);
	pipeline_items_reset(&c, 1);
	pipeline_items_reset(&d, 1);
	pipeline_items_reset(&e, 1);
	fixture_free(f);
}

static void test_order_kept_across_workers(void **st)
{
	enum { N = 2000 };
	struct fixture *f = fixture_new(4, NULL);
	static struct work_item items[N];
	static char payloads[N][64];
	(void)st;

	assert_int_equal(pipeline_workers(f->p), 4);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++) {
			int n = snprintf(payloads[i], sizeof(payloads[i]),
					 "{\"id\":\"r%d-%d\",\"text\":\"t\"%s}", round, i,
					 i % 97 == 0 ? ",\"do\":\"dead\"" : "");
			items[i] = (struct work_item){.payload = payloads[i], .len = (size_t)n,
						      .format = RECORD_FORMAT_JSON};
		}
		assert_int_equal(pipeline_run_batch(f->p, items, N), 0);
		for (int i = 0; i < N; i++) {
			char want[32];
			snprintf(want, sizeof(want), "r%d-%d", round, i);
			assert_string_equal(items[i].id, want);
			assert_int_equal(items[i].outcome, i % 97 == 0 ? ITEM_DEAD : ITEM_OUTPUT);
			if (items[i].outcome == ITEM_OUTPUT)
				assert_non_null(strstr(items[i].out, want));
		}
		pipeline_items_reset(items, N);
	}
	fixture_free(f);
}

static void test_offline_one_line_per_line(void **st)
{
	struct fixture *f = fixture_new(2, NULL);
	const char *input = "{\"id\":\"1\",\"text\":\"a\"}\n"
			    "garbage\n"
			    "{\"id\":\"3\",\"text\":\"b\",\"do\":\"drop\"}\n"
			    "\n"
			    "{\"id\":\"5\",\"text\":\"c\"}"; /* no final newline */
	char *outb = NULL, *dlqb = NULL, *dropb = NULL;
	size_t outl = 0, dlql = 0, dropl = 0;
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	FILE *out = open_memstream(&outb, &outl), *dlq = open_memstream(&dlqb, &dlql),
	     *drop = open_memstream(&dropb, &dropl);
	struct offline_io io = {in, out, dlq, drop};
	struct offline_counts counts;
	atomic_int stop = 0;
	char err[256];
	(void)st;

	assert_int_equal(offline_run(f->p, 2, &io, &f->log, &f->metrics, &stop, &counts, err,
				     sizeof(err)),
			 0);
	fclose(in);
	fclose(out);
	fclose(dlq);
	fclose(drop);
	assert_int_equal(counts.input, 5);
	assert_int_equal(counts.output, 2);
	assert_int_equal(counts.dead, 2);
	assert_int_equal(counts.dropped, 1);
	assert_non_null(strstr(outb, "\"id\":\"1\""));
	assert_non_null(strstr(outb, "\"id\":\"5\""));
	assert_true(strstr(outb, "\"id\":\"1\"") < strstr(outb, "\"id\":\"5\"")); /* input order */
	assert_non_null(strstr(dlqb, "\"line\":2"));
	assert_non_null(strstr(dlqb, "\"payload\":\"garbage\""));
	assert_non_null(strstr(dlqb, "\"line\":4"));
	assert_non_null(strstr(dropb, "\"reason\":\"duplicate of x\""));
	free(outb);
	free(dlqb);
	free(dropb);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_is_stamped),
		cmocka_unit_test(test_include_html),
		cmocka_unit_test(test_every_dead_letter_reason),
		cmocka_unit_test(test_drop_retry_fatal),
		cmocka_unit_test(test_id_defaults),
		cmocka_unit_test(test_order_kept_across_workers),
		cmocka_unit_test(test_offline_one_line_per_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
