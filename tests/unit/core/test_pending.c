/* test_pending.c — regression tests for defects found in record.c and
 * metrics.c by this area's tests, now fixed.
 *
 *   test_pending NAME    runs one test; exit status 0 = it passes
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_tests.h"
#include "host.h"
#include "metrics.h"
#include "record.h"

/* record.c: record_put creates the intermediate objects of a path before
 * finding that a later segment is bad, so a setter that returns -EINVAL
 * still leaves empty objects behind ("a..b" leaves "a": {}). */
static void test_failed_set_changes_nothing(void **st)
{
	json_t *root = json_pack("{s:s}", "id", "vn-1");
	char longseg[200], path[256];
	char *before, *after;

	(void)st;
	memset(longseg, 'k', sizeof(longseg) - 1);
	longseg[sizeof(longseg) - 1] = '\0';
	snprintf(path, sizeof(path), "meta.%s", longseg);
	before = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	assert_int_equal(record_put(root, "a..b", json_string("x")), -EINVAL);
	assert_int_equal(record_put(root, "dedup.status.", json_string("x")), -EINVAL);
	assert_int_equal(record_put(root, path, json_string("x")), -EINVAL);
	after = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(after, before);
	free(before);
	free(after);
	json_decref(root);
}

/* metrics.c: when the table is full, "metrics.overflow" cannot be
 * registered either, so the promised overflow count stays 0. */
static void test_overflow_is_counted(void **st)
{
	struct metrics *m = malloc(sizeof(*m));
	char name[32];

	(void)st;
	assert_non_null(m);
	metrics_init(m);
	for (int i = 0; i < METRICS_SLOTS + 5; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		metrics_add(m, "cleaner", name, 1);
	}
	assert_true(metrics_get(m, "metrics.overflow") >= 5);
	metrics_destroy(m);
	free(m);
}

/* metrics.c: a name longer than METRICS_NAME_MAX - 1 is stored truncated
 * and then never matches again, so every add takes a fresh slot (a plugin
 * counting under a long name fills the table). */
static void test_long_name_one_slot(void **st)
{
	struct metrics *m = malloc(sizeof(*m));
	char name[160];
	int used = 0;

	(void)st;
	assert_non_null(m);
	metrics_init(m);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	for (int i = 0; i < 5; i++)
		metrics_add(m, "extractor", name, 1);
	for (int i = 0; i < METRICS_SLOTS; i++)
		used += atomic_load(&m->slot[i].used) != 0 &&
			strcmp(m->slot[i].name, "metrics.overflow") != 0;
	assert_int_equal(used, 1);
	metrics_destroy(m);
	free(m);
}

/* unused here, required by core_tests.h users */
void tmpdir_make(char *buf, size_t len)
{
	(void)buf, (void)len;
}
void tmpdir_remove(const char *dir)
{
	(void)dir;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest all[] = {
		cmocka_unit_test(test_failed_set_changes_nothing),
		cmocka_unit_test(test_overflow_is_counted),
		cmocka_unit_test(test_long_name_one_slot),
	};
	const char *names[] = {"record_put_atomic", "metrics_overflow", "metrics_long_name"};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (argc > 1 && strcmp(argv[1], names[i]) == 0)
			return _cmocka_run_group_tests(names[i], &all[i], 1, NULL, NULL);
	fprintf(stderr, "usage: test_pending record_put_atomic|metrics_overflow|metrics_long_name\n");
	return 2;
}
