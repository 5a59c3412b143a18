/* test_data.c — data files through the host (data_find / data_load on
 * data_dirs and $NEWSD_DATA_PATH) and the YAML → tree conversion. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core_tests.h"
#include "host.h"
#include "yamltree.h"

struct fx {
	char root[64];
	char first[96];  /* a data_dirs entry */
	char second[96]; /* on $NEWSD_DATA_PATH */
	const char *dirs[2];
	char *saved_env;
	struct logger log;
	struct metrics *metrics;
	struct host_env env;
	struct plugin_host ph;
	const struct newsd_host *h;
};

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX], sub[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	/* make the parent dirs */
	for (char *p = strchr(path + strlen(dir) + 1, '/'); p; p = strchr(p + 1, '/')) {
		snprintf(sub, sizeof(sub), "%.*s", (int)(p - path), path);
		mkdir(sub, 0755);
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int fx_setup(void **st)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *env;
	char envv[512];

	if (!f || !(f->metrics = malloc(sizeof(*f->metrics))))
		return -1;
	tmpdir_make(f->root, sizeof(f->root));
	snprintf(f->first, sizeof(f->first), "%s/first", f->root);
	snprintf(f->second, sizeof(f->second), "%s/second", f->root);
	mkdir(f->first, 0755);
	mkdir(f->second, 0755);
	env = getenv("NEWSD_DATA_PATH");
	f->saved_env = env ? strdup(env) : NULL;
	/* an empty item and a missing dir are skipped */
	snprintf(envv, sizeof(envv), ":%s/missing:%s", f->root, f->second);
	setenv("NEWSD_DATA_PATH", envv, 1);
	f->dirs[0] = f->first;
	f->log = (struct logger){NEWSD_LOG_ERROR, stderr};
	metrics_init(f->metrics);
	host_env_init(&f->env, &f->log, f->metrics, NULL, f->dirs);
	plugin_host_init(&f->ph, &f->env, "cleaner");
	f->h = &f->ph.vt;
	*st = f;
	return 0;
}

static int fx_teardown(void **st)
{
	struct fx *f = *st;

	if (f->saved_env)
		setenv("NEWSD_DATA_PATH", f->saved_env, 1);
	else
		unsetenv("NEWSD_DATA_PATH");
	free(f->saved_env);
	host_env_destroy(&f->env);
	metrics_destroy(f->metrics);
	free(f->metrics);
	tmpdir_remove(f->root);
	free(f);
	return 0;
}

static const char pack_yaml[] = "# test pack\n"
				"lang: xx\n"
				"min_words: 3\n"
				"ratio: 0.25\n"
				"strict: false\n"
				"stop_words: [và, của, \"là\"]\n"
				"boilerplate:\n"
				"  prefixes:\n"
				"    - \"Xem thêm:\"\n"
				"    - Tin liên quan\n"
				"  max_len: 80\n";

static void test_find_on_env_path(void **st)
{
	struct fx *f = *st;
	char buf[PATH_MAX], want[PATH_MAX];

	write_file(f->second, "lang/xx/cleaner.yaml", pack_yaml);
	assert_int_equal(f->h->data_find(f->h, "lang/xx/cleaner.yaml", buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/lang/xx/cleaner.yaml", f->second);
	assert_string_equal(buf, want);
	/* data_dirs come first */
	write_file(f->first, "lang/xx/cleaner.yaml", "lang: first\n");
	assert_int_equal(f->h->data_find(f->h, "lang/xx/cleaner.yaml", buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/lang/xx/cleaner.yaml", f->first);
	assert_string_equal(buf, want);
	/* names may not climb out of the data dirs */
	assert_int_equal(f->h->data_find(f->h, "../second/lang/xx/cleaner.yaml", buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(f->h->data_find(f->h, "/etc/passwd", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(f->h->data_find(f->h, "lang/zz/none.yaml", buf, sizeof(buf)), -ENOENT);
}

static void test_load_tree(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;
	const struct newsd_config *c = NULL, *again = NULL, *bp;
	char err[512] = "";

	write_file(f->second, "lang/xx/cleaner.yaml", pack_yaml);
	assert_int_equal(h->data_load(h, "lang/xx/cleaner.yaml", &c, err, sizeof(err)), 0);
	assert_non_null(c);
	assert_string_equal(h->cfg_str(c, "lang"), "xx");
	assert_int_equal(h->cfg_int(c, "min_words"), 3);
	assert_true(h->cfg_float(c, "ratio") == 0.25);
	assert_false(h->cfg_bool(c, "strict"));
	assert_int_equal(h->cfg_list_len(c, "stop_words"), 3);
	assert_string_equal(h->cfg_list_str(c, "stop_words", 2), "là");
	bp = h->cfg_child(c, "boilerplate");
	assert_non_null(bp);
	assert_string_equal(h->cfg_list_str(bp, "prefixes", 0), "Xem thêm:");
	assert_string_equal(h->cfg_list_str(bp, "prefixes", 1), "Tin liên quan");
	assert_int_equal(h->cfg_int(bp, "max_len"), 80);
	assert_string_equal(h->cfg_key_at(c, 0), "lang");
	assert_string_equal(h->cfg_key_at(c, 5), "boilerplate");
	/* loaded once: the second call returns the cached tree */
	assert_int_equal(h->data_load(h, "lang/xx/cleaner.yaml", &again, err, sizeof(err)), 0);
	assert_ptr_equal(again, c);
}

static void test_load_errors(void **st)
{
	struct fx *f = *st;
	const struct newsd_host *h = f->h;
	const struct newsd_config *c = (const struct newsd_config *)1;
	char err[512] = "", path[PATH_MAX];

	/* line 3: an unclosed flow sequence runs into a mapping key */
	write_file(f->second, "lang/xx/bad.yaml", "lang: xx\nstop_words:\n  - [và, của\nmax: 3\n");
	assert_true(h->data_load(h, "lang/xx/bad.yaml", &c, err, sizeof(err)) < 0);
	assert_null(c);
	snprintf(path, sizeof(path), "%s/lang/xx/bad.yaml:", f->second);
	assert_contains(err, path);
	/* file:line:col of the problem */
	snprintf(path, sizeof(path), "%s/lang/xx/bad.yaml:4:", f->second);
	assert_contains(err, path);

	/* a tab-indented mapping value */
	write_file(f->second, "lang/xx/tab.yaml", "lang: xx\nnames:\n\t- An\n");
	assert_true(h->data_load(h, "lang/xx/tab.yaml", &c, err, sizeof(err)) < 0);
	snprintf(path, sizeof(path), "%s/lang/xx/tab.yaml:3:1:", f->second);
	assert_contains(err, path);

	/* duplicate keys are an error with the second key's position */
	write_file(f->second, "lang/xx/dup.yaml", "lang: xx\nmin_words: 3\nlang: yy\n");
	assert_true(h->data_load(h, "lang/xx/dup.yaml", &c, err, sizeof(err)) < 0);
	snprintf(path, sizeof(path), "%s/lang/xx/dup.yaml:3:1: duplicate key 'lang'", f->second);
	assert_contains(err, path);

	/* missing file: the name and where it looked */
	assert_int_equal(h->data_load(h, "lang/xx/absent.yaml", &c, err, sizeof(err)), -ENOENT);
	assert_contains(err, "lang/xx/absent.yaml");
	assert_contains(err, "$NEWSD_DATA_PATH");
}

/* ---- yamltree typing and marks ---- */

static void test_scalar_typing(void **st)
{
	const char *y = "a: true\nb: False\nc: null\nd: ~\ne:\nf: 42\ng: -7\nh: 3.5\ni: 1e3\n"
			"j: \"42\"\nk: 'true'\nl: yes\nm: 0x1F\nn: 1-2\no: Hà Nội\np: +5\n";
	char err[256];
	json_t *t = yaml_load_buffer("t.yaml", y, strlen(y), NULL, err, sizeof(err));

	(void)st;
	assert_non_null(t);
	assert_true(json_is_true(json_object_get(t, "a")));
	assert_true(json_is_false(json_object_get(t, "b")));
	assert_true(json_is_null(json_object_get(t, "c")));
	assert_true(json_is_null(json_object_get(t, "d")));
	assert_true(json_is_null(json_object_get(t, "e")));
	assert_int_equal(json_integer_value(json_object_get(t, "f")), 42);
	assert_int_equal(json_integer_value(json_object_get(t, "g")), -7);
	assert_true(json_is_real(json_object_get(t, "h")));
	assert_true(json_real_value(json_object_get(t, "h")) == 3.5);
	assert_true(json_real_value(json_object_get(t, "i")) == 1000.0);
	/* quoted scalars are strings whatever they look like */
	assert_string_equal(json_string_value(json_object_get(t, "j")), "42");
	assert_string_equal(json_string_value(json_object_get(t, "k")), "true");
	/* YAML 1.1 booleans are plain strings under the 1.2 core schema */
	assert_string_equal(json_string_value(json_object_get(t, "l")), "yes");
	assert_string_equal(json_string_value(json_object_get(t, "n")), "1-2");
	assert_string_equal(json_string_value(json_object_get(t, "o")), "Hà Nội");
	assert_int_equal(json_integer_value(json_object_get(t, "p")), 5);
	json_decref(t);
}

static void test_marks(void **st)
{
	const char *y = "input:\n  format: raw\npipeline:\n  - plugin: cleaner\n    config:\n"
			"      langs: [vi, en]\n";
	struct yaml_marks marks = {0};
	char err[256];
	json_t *t = yaml_load_buffer("newsd.yaml", y, strlen(y), &marks, err, sizeof(err));
	const struct yaml_mark *m;
	json_t *entry;

	(void)st;
	assert_non_null(t);
	m = yaml_mark_of(&marks, json_object_get(json_object_get(t, "input"), "format"));
	assert_non_null(m);
	assert_int_equal(m->line, 2);
	assert_int_equal(m->col, 11);
	entry = json_array_get(json_object_get(t, "pipeline"), 0);
	m = yaml_mark_of(&marks, entry);
	assert_non_null(m);
	assert_int_equal(m->line, 4);
	assert_int_equal(m->col, 5);
	m = yaml_mark_of(&marks,
			 json_array_get(json_object_get(json_object_get(entry, "config"), "langs"),
					1));
	assert_non_null(m);
	assert_int_equal(m->line, 6);
	assert_int_equal(m->col, 19);
	assert_null(yaml_mark_of(&marks, NULL));
	yaml_marks_free(&marks);
	json_decref(t);

	/* an empty document is an empty mapping */
	t = yaml_load_buffer("empty.yaml", "", 0, NULL, err, sizeof(err));
	assert_true(json_is_object(t));
	assert_int_equal(json_object_size(t), 0);
	json_decref(t);
}

int run_data_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find_on_env_path, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_load_tree, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, fx_setup, fx_teardown),
		cmocka_unit_test(test_scalar_typing),
		cmocka_unit_test(test_marks),
	};

	return cmocka_run_group_tests_name("data files and yamltree", tests, NULL, NULL);
}
