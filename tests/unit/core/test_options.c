/* test_options.c — a plugin's YAML block checked against its option table:
 * defaults, unknown keys, types, required keys, positions in messages. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_tests.h"
#include "options.h"
#include "yamltree.h"

static const struct newsd_option table[] = {
	{"model", NEWSD_OPT_STR, NULL, 1, "model file"},
	{"mode", NEWSD_OPT_STR, "fast", 0, "fast or careful"},
	{"limit", NEWSD_OPT_INT, "10", 0, "max items"},
	{"ratio", NEWSD_OPT_FLOAT, "0.5", 0, "share kept"},
	{"strict", NEWSD_OPT_BOOL, "false", 0, "fail hard"},
	{"langs", NEWSD_OPT_LIST, "[vi, en]", 0, "language packs"},
	{"tag", NEWSD_OPT_STR, NULL, 0, "no default: stays unset"},
	{0},
};

/* Parses yaml as the block of plugin 'summarizer' in cfg.yaml and checks
 * it; returns the status, the block in *out (owned). */
static int check(const char *yaml, const struct newsd_option *opts, json_t **out, char *err,
		 size_t errlen)
{
	struct yaml_marks marks = {0};
	char perr[256];
	json_t *b = yaml_load_buffer("cfg.yaml", yaml, strlen(yaml), &marks, perr, sizeof(perr));
	int rc;

	if (!b)
		print_error("yaml: %s\n", perr);
	assert_non_null(b);
	err[0] = '\0';
	rc = options_check(b, "summarizer", opts, &marks, "cfg.yaml", err, errlen);
	yaml_marks_free(&marks);
	*out = b;
	return rc;
}

static void test_defaults_applied(void **st)
{
	json_t *b;
	char err[512];

	(void)st;
	assert_int_equal(check("model: vi-2024.bin\nlimit: 3\n", table, &b, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(b, "model")), "vi-2024.bin");
	assert_int_equal(json_integer_value(json_object_get(b, "limit")), 3); /* given wins */
	assert_string_equal(json_string_value(json_object_get(b, "mode")), "fast");
	assert_true(json_real_value(json_object_get(b, "ratio")) == 0.5);
	assert_true(json_is_false(json_object_get(b, "strict")));
	assert_int_equal(json_array_size(json_object_get(b, "langs")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(b, "langs"), 1)), "en");
	assert_null(json_object_get(b, "tag"));
	json_decref(b);
}

static void test_accepted_conversions(void **st)
{
	json_t *b;
	char err[512];

	(void)st;
	/* an integer for a float; a plain number or bool for a string */
	assert_int_equal(check("model: 2024\nratio: 1\ntag: true\n", table, &b, err, sizeof(err)),
			 0);
	assert_string_equal(json_string_value(json_object_get(b, "model")), "2024");
	assert_true(json_number_value(json_object_get(b, "ratio")) == 1.0);
	assert_string_equal(json_string_value(json_object_get(b, "tag")), "true");
	json_decref(b);
}

static void test_unknown_key(void **st)
{
	json_t *b;
	char err[512];

	(void)st;
	assert_int_equal(check("model: m\nspeed: 3\n", table, &b, err, sizeof(err)), -EINVAL);
	assert_contains(err, "cfg.yaml:2:8: plugin 'summarizer': unknown option 'speed'");
	assert_contains(err, "known: model, mode, limit, ratio, strict, langs, tag");
	json_decref(b);
	/* a plugin without options knows none */
	assert_int_equal(check("x: 1\n", NULL, &b, err, sizeof(err)), -EINVAL);
	assert_contains(err, "unknown option 'x' (known: none)");
	json_decref(b);
	/* and accepts an empty block */
	assert_int_equal(check("", NULL, &b, err, sizeof(err)), 0);
	json_decref(b);
}

static void test_wrong_type(void **st)
{
	const struct {
		const char *yaml, *want;
	} cases[] = {
		{"model: m\nlimit: many\n", "cfg.yaml:2:8: plugin 'summarizer': option 'limit' must be an integer"},
		{"model: m\nlimit: 2.5\n", "cfg.yaml:2:8: plugin 'summarizer': option 'limit' must be an integer"},
		{"model: m\nratio: \"0.3\"\n", "cfg.yaml:2:8: plugin 'summarizer': option 'ratio' must be a number"},
		{"model: m\nstrict: yes\n", "cfg.yaml:2:9: plugin 'summarizer': option 'strict' must be true or false"},
		{"model: m\nlangs: vi\n", "cfg.yaml:2:8: plugin 'summarizer': option 'langs' must be a list of strings"},
		{"model: m\nlangs: [vi, 3]\n", "cfg.yaml:2:8: plugin 'summarizer': option 'langs' must be a list of strings"},
		{"model: [a, b]\n", "cfg.yaml:1:8: plugin 'summarizer': option 'model' must be a string"},
		{"model:\n  path: x\n", "cfg.yaml:2:3: plugin 'summarizer': option 'model' must be a string"},
	};
	char err[512];
	json_t *b;

	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(check(cases[i].yaml, table, &b, err, sizeof(err)), -EINVAL);
		assert_contains(err, cases[i].want);
		json_decref(b);
	}
}

static void test_required_missing(void **st)
{
	json_t *b;
	char err[512];

	(void)st;
	assert_int_equal(check("mode: careful\nlimit: 4\n", table, &b, err, sizeof(err)), -EINVAL);
	assert_contains(err, "cfg.yaml:1:1: plugin 'summarizer': missing required option 'model' (a string)");
	json_decref(b);
}

static void test_not_a_mapping(void **st)
{
	json_t *b;
	char err[512];

	(void)st;
	assert_int_equal(check("- model\n- m\n", table, &b, err, sizeof(err)), -EINVAL);
	assert_contains(err, "cfg.yaml:1:1: plugin 'summarizer': config must be a mapping");
	json_decref(b);
}

static void test_bad_builtin_default(void **st)
{
	const struct newsd_option broken[] = {
		{"limit", NEWSD_OPT_INT, "ten", 0, "a default that is not an integer"},
		{0},
	};
	json_t *b;
	char err[512];

	(void)st;
	assert_int_equal(check("", broken, &b, err, sizeof(err)), -EINVAL);
	assert_contains(err, "built-in default of option 'limit' is not an integer");
	json_decref(b);
}

/* Without marks (a block built in code) messages name only the file. */
static void test_without_marks(void **st)
{
	json_t *b = json_pack("{s:s, s:s}", "model", "m", "limit", "x");
	char err[512];

	(void)st;
	assert_int_equal(options_check(b, "summarizer", table, NULL, "cfg.yaml", err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "cfg.yaml: plugin 'summarizer': option 'limit' must be an integer");
	json_decref(b);
	assert_string_equal(options_type_name(NEWSD_OPT_LIST), "a list of strings");
}

int run_options_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_applied),
		cmocka_unit_test(test_accepted_conversions),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_required_missing),
		cmocka_unit_test(test_not_a_mapping),
		cmocka_unit_test(test_bad_builtin_default),
		cmocka_unit_test(test_without_marks),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
