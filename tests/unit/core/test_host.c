/* test_host.c — the host vtable as a plugin sees it: dotted record paths,
 * config getters, counters, logging. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_tests.h"
#include "host.h"
#include "log.h"
#include "metrics.h"
#include "record.h"

struct fx {
	struct logger log;
	char *logbuf;
	size_t loglen;
	struct metrics *metrics;
	struct host_env env;
	struct plugin_host ph;
	const struct newsd_host *h;
	struct newsd_record r;
};

static int fx_setup(void **st)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *in = "{\"id\":\"vn-42\",\"title\":\"Bão số 3 đổ bộ\","
			 "\"html_meta\":{\"og_title\":\"Bão Yagi\",\"lang\":\"vi\"},"
			 "\"words\":120,\"score\":0.75,\"authors\":[\"Minh Anh\",\"Quốc Huy\"],"
			 "\"flag\":true}";
	char err[256];

	if (!f || !(f->metrics = malloc(sizeof(*f->metrics))))
		return -1;
	f->log.level = NEWSD_LOG_INFO;
	f->log.out = open_memstream(&f->logbuf, &f->loglen);
	metrics_init(f->metrics);
	host_env_init(&f->env, &f->log, f->metrics, NULL, NULL);
	plugin_host_init(&f->ph, &f->env, "tester");
	f->h = &f->ph.vt;
	if (record_from_payload(&f->r, in, strlen(in), RECORD_FORMAT_JSON, err, sizeof(err)) < 0)
		return -1;
	*st = f;
	return 0;
}

static int fx_teardown(void **st)
{
	struct fx *f = *st;

	record_clear(&f->r);
	host_env_destroy(&f->env);
	metrics_destroy(f->metrics);
	fclose(f->log.out);
	free(f->logbuf);
	free(f->metrics);
	free(f);
	return 0;
}

static char *dump(const struct fx *f)
{
	return json_dumps(f->r.root, JSON_COMPACT | JSON_SORT_KEYS);
}

static void test_vtable_header(void **st)
{
	struct fx *f = *st;
	const void *const *fn = (const void *const *)((const char *)f->h + 8);
	size_t n = (sizeof(struct newsd_host) - 8) / sizeof(void *);

	assert_int_equal(f->h->size, sizeof(struct newsd_host));
	assert_int_equal(f->h->abi_minor, NEWSD_ABI_MINOR);
	/* every service of this ABI is provided */
	for (size_t i = 0; i < n; i++)
		assert_non_null(fn[i]);
}

static void test_get(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;
	size_t len = 0;
	int64_t i;
	double d;

	assert_string_equal(h->rec_get_str(&f->r, "title", &len), "Bão số 3 đổ bộ");
	assert_int_equal(len, strlen("Bão số 3 đổ bộ"));
	assert_string_equal(h->rec_get_str(&f->r, "html_meta.og_title", NULL), "Bão Yagi");
	assert_null(h->rec_get_str(&f->r, "html_meta.missing", NULL));
	assert_null(h->rec_get_str(&f->r, "words", NULL)); /* not a string */
	assert_null(h->rec_get_str(&f->r, "title.deeper", NULL));
	assert_int_equal(h->rec_get_int(&f->r, "words", &i), 0);
	assert_int_equal(i, 120);
	assert_int_equal(h->rec_get_real(&f->r, "score", &d), 0);
	assert_true(d == 0.75);
	assert_int_equal(h->rec_get_real(&f->r, "words", &d), 0); /* an integer is a number */
	assert_true(d == 120.0);
	assert_int_equal(h->rec_get_int(&f->r, "nope", &i), -ENOENT);
	assert_int_equal(h->rec_get_int(&f->r, "title", &i), -EINVAL);
	assert_int_equal(h->rec_get_real(&f->r, "flag", &d), -EINVAL);
	assert_true(h->rec_has(&f->r, "html_meta.lang"));
	assert_true(h->rec_has(&f->r, "html_meta"));
	assert_false(h->rec_has(&f->r, "html_meta.author"));
	assert_int_equal(h->rec_array_len(&f->r, "authors"), 2);
	assert_string_equal(h->rec_array_str(&f->r, "authors", 1, &len), "Quốc Huy");
	assert_int_equal(len, strlen("Quốc Huy"));
	assert_null(h->rec_array_str(&f->r, "authors", 2, NULL));
	assert_int_equal(h->rec_array_len(&f->r, "title"), 0);
	assert_int_equal(h->rec_array_len(&f->r, "absent"), 0);
}

static void test_set_creates_intermediates(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;
	char *s;

	assert_int_equal(h->rec_set_str(&f->r, "dedup.status", "unique", 6), 0);
	assert_int_equal(h->rec_set_null(&f->r, "dedup.of"), 0);
	assert_int_equal(h->rec_set_real(&f->r, "dedup.similarity", 0.25), 0);
	assert_int_equal(h->rec_set_int(&f->r, "cleaner.removed_lines", 7), 0);
	assert_int_equal(h->rec_set_bool(&f->r, "a.b.c.d", 1), 0);
	/* overwriting keeps one value */
	assert_int_equal(h->rec_set_str(&f->r, "title", "Bão Yagi", strlen("Bão Yagi")), 0);
	/* a string with an embedded NUL is stored whole */
	assert_int_equal(h->rec_set_str(&f->r, "bin", "x\0y", 3), 0);
	s = dump(f);
	assert_contains(s, "\"dedup\":{\"of\":null,\"similarity\":0.25,\"status\":\"unique\"}");
	assert_contains(s, "\"cleaner\":{\"removed_lines\":7}");
	assert_contains(s, "\"a\":{\"b\":{\"c\":{\"d\":true}}}");
	assert_contains(s, "\"title\":\"Bão Yagi\"");
	assert_contains(s, "\"bin\":\"x\\u0000y\"");
	/* the untouched siblings survive */
	assert_contains(s, "\"html_meta\":{\"lang\":\"vi\",\"og_title\":\"Bão Yagi\"}");
	free(s);
}

static void test_set_rejects_bad_utf8(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;

	assert_int_equal(h->rec_set_str(&f->r, "summary", "Vi\xea\xd2t", 5), -EINVAL);
	assert_false(h->rec_has(&f->r, "summary"));
	assert_int_equal(h->rec_set_str(&f->r, "title", "\xed\xa0\x80", 3), -EINVAL);
	/* the old value is untouched */
	assert_string_equal(h->rec_get_str(&f->r, "title", NULL), "Bão số 3 đổ bộ");
	assert_int_equal(h->rec_append_str(&f->r, "authors", "\xc0\x80", 2), -EINVAL);
	assert_int_equal(h->rec_array_len(&f->r, "authors"), 2);
}

static void test_bad_paths(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;
	char longseg[200];

	memset(longseg, 'k', sizeof(longseg) - 1);
	longseg[sizeof(longseg) - 1] = '\0';
	const char *bad[] = {"", ".title", "a..b", "dedup..status", "fresh.", "x.y.", longseg};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(h->rec_set_str(&f->r, bad[i], "x", 1), -EINVAL);
		assert_int_equal(h->rec_set_int(&f->r, bad[i], 1), -EINVAL);
		assert_int_equal(h->rec_set_json(&f->r, bad[i], "{}", 2), -EINVAL);
		assert_int_equal(h->rec_set_empty_array(&f->r, bad[i]), -EINVAL);
		assert_int_equal(h->rec_append_str(&f->r, bad[i], "x", 1), -EINVAL);
		assert_null(h->rec_get_str(&f->r, bad[i], NULL));
	}
	/* a trailing dot does not name the field before it */
	assert_false(h->rec_has(&f->r, "title."));
	assert_false(h->rec_has(&f->r, "html_meta.lang."));
	assert_false(h->rec_has(&f->r, "fresh"));
}

static void test_arrays(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;
	size_t len;

	/* append creates the array */
	assert_int_equal(h->rec_append_str(&f->r, "entities.persons", "Nguyễn Văn A", 15), 0);
	assert_int_equal(h->rec_append_str(&f->r, "entities.persons", "Trần Thị B", strlen("Trần Thị B")), 0);
	assert_int_equal(h->rec_array_len(&f->r, "entities.persons"), 2);
	assert_string_equal(h->rec_array_str(&f->r, "entities.persons", 0, &len),
			    "Nguyễn Văn A");
	assert_int_equal(len, 15);
	/* set_empty_array clears */
	assert_int_equal(h->rec_set_empty_array(&f->r, "authors"), 0);
	assert_int_equal(h->rec_array_len(&f->r, "authors"), 0);
	assert_true(h->rec_has(&f->r, "authors"));
	assert_int_equal(h->rec_append_str(&f->r, "authors", "Hoàng Lan", strlen("Hoàng Lan")),
			 0);
	assert_int_equal(h->rec_array_len(&f->r, "authors"), 1);
	/* appending to a non-array field replaces it with an array */
	assert_int_equal(h->rec_append_str(&f->r, "words", "một", strlen("một")), 0);
	assert_int_equal(h->rec_array_len(&f->r, "words"), 1);
	/* only the given bytes are appended */
	assert_int_equal(h->rec_append_str(&f->r, "keywords", "bão lũ miền Trung", 6), 0);
	assert_string_equal(h->rec_array_str(&f->r, "keywords", 0, &len), "bão l");
	assert_int_equal(len, 6);
}

static void test_set_json(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;
	const char *m = "{\"Hà Nội\":{\"type\":\"location\",\"count\":3,\"first_offset\":0},"
			"\"Bộ Y tế\":{\"type\":\"organization\",\"count\":1,\"first_offset\":57}}";
	int64_t v;

	assert_int_equal(h->rec_set_json(&f->r, "entity_mentions", m, strlen(m)), 0);
	assert_string_equal(h->rec_get_str(&f->r, "entity_mentions.Hà Nội.type", NULL),
			    "location");
	assert_int_equal(h->rec_get_int(&f->r, "entity_mentions.Bộ Y tế.first_offset", &v), 0);
	assert_int_equal(v, 57);
	/* any JSON value, not only objects */
	assert_int_equal(h->rec_set_json(&f->r, "summary_sentences", "[0,2,5]", 7), 0);
	assert_int_equal(json_array_size(record_lookup(f->r.root, "summary_sentences")), 3);
	assert_int_equal(h->rec_set_json(&f->r, "x.n", "42", 2), 0);
	assert_int_equal(h->rec_get_int(&f->r, "x.n", &v), 0);
	assert_int_equal(v, 42);
	/* text that does not parse changes nothing */
	assert_int_equal(h->rec_set_json(&f->r, "entity_mentions", "{\"a\":", 5), -EINVAL);
	assert_int_equal(h->rec_set_json(&f->r, "entity_mentions", "{} trailing", 11), -EINVAL);
	assert_string_equal(h->rec_get_str(&f->r, "entity_mentions.Hà Nội.type", NULL),
			    "location");
	/* only len bytes are parsed */
	assert_int_equal(h->rec_set_json(&f->r, "y", "[1]garbage", 3), 0);
	assert_int_equal(json_array_size(record_lookup(f->r.root, "y")), 1);
}

/* ABI 1.1: objects of scalars and string arrays written without JSON text */
static void test_set_object(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;
	struct newsd_field fl[] = {
		{.name = "type", .type = NEWSD_FIELD_STR, .s = "location", .len = 8},
		{.name = "count", .type = NEWSD_FIELD_INT, .i = 3},
		{.name = "score", .type = NEWSD_FIELD_REAL, .d = 0.5},
		{.name = "main", .type = NEWSD_FIELD_BOOL, .i = 7},
		{.name = "note", .type = NEWSD_FIELD_NULL},
	};
	int64_t v;
	double d;
	json_t *o;
	const char *key;

	assert_true(NEWSD_HOST_HAS(h, rec_set_object));
	assert_true(NEWSD_HOST_HAS(h, rec_set_str_array));
	/* key NULL: path itself; n == 0 gives {} and clears what was there */
	assert_int_equal(h->rec_set_object(&f->r, "entity_mentions", NULL, 0, fl, 2), 0);
	assert_int_equal(h->rec_set_object(&f->r, "entity_mentions", NULL, 0, NULL, 0), 0);
	o = record_lookup(f->r.root, "entity_mentions");
	assert_true(json_is_object(o));
	assert_int_equal(json_object_size(o), 0);
	/* a key is literal: dots are no path separators */
	assert_int_equal(h->rec_set_object(&f->r, "entity_mentions", "TP.HCM", 6, fl, 5), 0);
	o = json_object_get(record_lookup(f->r.root, "entity_mentions"), "TP.HCM");
	assert_string_equal(json_string_value(json_object_get(o, "type")), "location");
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 3);
	assert_true(json_real_value(json_object_get(o, "score")) == 0.5);
	assert_true(json_is_true(json_object_get(o, "main")));
	assert_true(json_is_null(json_object_get(o, "note")));
	/* fields keep their order */
	key = json_object_iter_key(json_object_iter(o));
	assert_string_equal(key, "type");
	/* only klen bytes of the key; the object at path is created */
	assert_int_equal(h->rec_set_object(&f->r, "x.map", "Hà Nội, Việt Nam", strlen("Hà Nội"), fl + 1, 1), 0);
	assert_int_equal(h->rec_get_int(&f->r, "x.map.Hà Nội.count", &v), 0);
	assert_int_equal(v, 3);
	/* a non-object at path is replaced by an object */
	assert_int_equal(h->rec_set_str(&f->r, "y", "s", 1), 0);
	assert_int_equal(h->rec_set_object(&f->r, "y", "k", 1, fl + 2, 1), 0);
	assert_int_equal(h->rec_get_real(&f->r, "y.k.score", &d), 0);
	assert_true(d == 0.5);
	/* errors write nothing */
	struct newsd_field bad_utf8 = {.name = "t", .type = NEWSD_FIELD_STR, .s = "\xc0\x80", .len = 2};
	struct newsd_field bad_type = {.name = "t", .type = 99};
	struct newsd_field no_name = {.type = NEWSD_FIELD_INT, .i = 1};
	assert_int_equal(h->rec_set_object(&f->r, "z", NULL, 0, &bad_utf8, 1), -EINVAL);
	assert_int_equal(h->rec_set_object(&f->r, "z", NULL, 0, &bad_type, 1), -EINVAL);
	assert_int_equal(h->rec_set_object(&f->r, "z", NULL, 0, &no_name, 1), -EINVAL);
	assert_int_equal(h->rec_set_object(&f->r, "z", "\xff", 1, fl, 1), -EINVAL);
	assert_int_equal(h->rec_set_object(&f->r, "a..b", "k", 1, fl, 1), -EINVAL);
	assert_int_equal(h->rec_set_object(&f->r, "z", NULL, 0, NULL, 2), -EINVAL);
	assert_false(h->rec_has(&f->r, "z"));
	assert_false(h->rec_has(&f->r, "a"));
}

static void test_set_str_array(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;
	const char *s[] = {"Hà Nội", "bão lũ miền Trung", "\xc0\x80"};
	size_t len[] = {strlen("Hà Nội"), 6, 2}, l;

	assert_int_equal(h->rec_append_str(&f->r, "keywords", "old", 3), 0);
	assert_int_equal(h->rec_set_str_array(&f->r, "keywords", s, len, 2), 0);
	assert_int_equal(h->rec_array_len(&f->r, "keywords"), 2);
	assert_string_equal(h->rec_array_str(&f->r, "keywords", 0, &l), "Hà Nội");
	assert_string_equal(h->rec_array_str(&f->r, "keywords", 1, &l), "bão l");
	assert_int_equal(l, 6);
	/* n == 0: an empty array, not an absent field */
	assert_int_equal(h->rec_set_str_array(&f->r, "entities.persons", NULL, NULL, 0), 0);
	assert_true(h->rec_has(&f->r, "entities.persons"));
	assert_int_equal(h->rec_array_len(&f->r, "entities.persons"), 0);
	/* one bad string: nothing written */
	assert_int_equal(h->rec_set_str_array(&f->r, "keywords", s, len, 3), -EINVAL);
	assert_int_equal(h->rec_array_len(&f->r, "keywords"), 2);
	assert_int_equal(h->rec_set_str_array(&f->r, "a..b", s, len, 1), -EINVAL);
}

static void test_remove(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;

	assert_int_equal(h->rec_remove(&f->r, "html_meta.og_title"), 0);
	assert_false(h->rec_has(&f->r, "html_meta.og_title"));
	assert_true(h->rec_has(&f->r, "html_meta.lang"));
	assert_int_equal(h->rec_remove(&f->r, "html_meta.og_title"), -ENOENT);
	assert_int_equal(h->rec_remove(&f->r, "html_meta"), 0);
	assert_false(h->rec_has(&f->r, "html_meta"));
	assert_int_equal(h->rec_remove(&f->r, "nope.deeper"), -ENOENT);
	assert_int_equal(h->rec_remove(&f->r, "title.deeper"), -ENOENT);
	assert_int_equal(h->rec_remove(&f->r, "id"), 0);
	assert_false(h->rec_has(&f->r, "id"));
	assert_true(h->rec_has(&f->r, "title"));
}

/* A raw payload read back through the vtable keeps its bytes. */
static void test_raw_through_vtable(void **st)
{
	struct fx *f = *st;
	const char p[] = "Gi\xe1 v\xe0ng\0\xff";
	struct newsd_record r = {0};
	char err[128];
	size_t len = 0;
	const char *got;

	assert_int_equal(record_from_payload(&r, p, sizeof(p) - 1, RECORD_FORMAT_RAW, err,
					     sizeof(err)),
			 0);
	got = f->h->rec_get_str(&r, "raw", &len);
	assert_non_null(got);
	assert_int_equal(len, sizeof(p) - 1);
	assert_memory_equal(got, p, len);
	assert_int_equal(f->h->rec_remove(&r, "raw"), 0);
	assert_false(f->h->rec_has(&r, "raw"));
	record_clear(&r);
}

static void test_config_getters(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;
	json_t *c = json_loads("{\"mode\":\"fast\",\"limit\":12,\"ratio\":0.5,\"whole\":3,"
			       "\"strict\":true,\"off\":false,\"langs\":[\"vi\",\"en\"],"
			       "\"pack\":{\"stop\":[\"và\"],\"n\":2}}",
			       0, NULL);
	const struct newsd_config *cv = config_view(c), *pack;

	assert_non_null(c);
	assert_string_equal(h->cfg_str(cv, "mode"), "fast");
	assert_null(h->cfg_str(cv, "limit"));
	assert_null(h->cfg_str(cv, "absent"));
	assert_int_equal(h->cfg_int(cv, "limit"), 12);
	assert_int_equal(h->cfg_int(cv, "absent"), 0);
	assert_true(h->cfg_float(cv, "ratio") == 0.5);
	assert_true(h->cfg_float(cv, "whole") == 3.0);
	assert_true(h->cfg_bool(cv, "strict"));
	assert_false(h->cfg_bool(cv, "off"));
	assert_false(h->cfg_bool(cv, "absent"));
	assert_int_equal(h->cfg_list_len(cv, "langs"), 2);
	assert_string_equal(h->cfg_list_str(cv, "langs", 1), "en");
	assert_null(h->cfg_list_str(cv, "langs", 2));
	assert_int_equal(h->cfg_list_len(cv, "mode"), 0);
	pack = h->cfg_child(cv, "pack");
	assert_non_null(pack);
	assert_string_equal(h->cfg_list_str(pack, "stop", 0), "và");
	assert_null(h->cfg_child(cv, "mode"));
	assert_null(h->cfg_child(cv, "absent"));
	/* keys in file order */
	const char *want[] = {"mode", "limit", "ratio", "whole", "strict", "off", "langs", "pack"};
	for (size_t i = 0; i < 8; i++)
		assert_string_equal(h->cfg_key_at(cv, i), want[i]);
	assert_null(h->cfg_key_at(cv, 8));
	/* a NULL config (plugin without a block) reads as empty */
	assert_null(h->cfg_str(NULL, "mode"));
	assert_int_equal(h->cfg_int(NULL, "limit"), 0);
	assert_null(h->cfg_key_at(NULL, 0));
	json_decref(c);
}

static void test_count_and_log(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;

	h->count(h, "records", 1);
	h->count(h, "records", 41);
	h->count(h, "bytes", 5000);
	assert_int_equal(metrics_get(f->metrics, "tester.records"), 42);
	assert_int_equal(metrics_get(f->metrics, "tester.bytes"), 5000);
	assert_int_equal(metrics_get(f->metrics, "records"), 0);

	assert_true(h->log_enabled(h, NEWSD_LOG_INFO));
	assert_false(h->log_enabled(h, NEWSD_LOG_DEBUG));
	h->log(h, NEWSD_LOG_WARN, "pack %s has %d entries", "vi", 3);
	h->log(h, NEWSD_LOG_DEBUG, "filtered %d", 1);
	fflush(f->log.out);
	assert_contains(f->logbuf, "[plugin:tester] pack vi has 3 entries");
	assert_contains(f->logbuf, "WARN");
	assert_null(strstr(f->logbuf, "filtered"));
}

static void test_state_unavailable(void **st)
{
	struct fx *f = *st;
	struct newsd_state *s = (struct newsd_state *)1;
	char err[256] = "";

	/* this env has no state registry */
	assert_int_equal(f->h->state_open(f->h, "seen", NULL, NULL, &s, err, sizeof(err)),
			 -ENOTSUP);
	assert_contains(err, "state service is not available");
}

int run_host_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vtable_header, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_get, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_set_creates_intermediates, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_set_rejects_bad_utf8, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_paths, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_arrays, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_set_json, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_set_object, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_set_str_array, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_remove, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_raw_through_vtable, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_getters, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_count_and_log, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_state_unavailable, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests_name("host vtable", tests, NULL, NULL);
}
