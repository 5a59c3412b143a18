/* test_metrics.c — counters: exact totals from concurrent threads,
 * prefixed names, the JSON dump. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_tests.h"
#include "metrics.h"

#define PER_THREAD 200000
#define NAMES 64

struct worker {
	struct metrics *m;
	int id;
};

/* Each thread hits one shared counter, its own counter, and registers the
 * same NAMES names as the other thread, racing on registration. */
static void *hammer(void *p)
{
	struct worker *w = p;
	char own[32], name[32];

	snprintf(own, sizeof(own), "thread%d", w->id);
	for (int i = 0; i < PER_THREAD; i++) {
		metrics_add(w->m, "cleaner", "records", 1);
		metrics_add(w->m, "cleaner", own, 2);
		if (i % 1000 == 0) {
			snprintf(name, sizeof(name), "n%d", (i / 1000) % NAMES);
			metrics_add(w->m, "race", name, 1);
		}
	}
	return NULL;
}

static void test_two_threads(void **st)
{
	struct metrics *m = malloc(sizeof(*m));
	pthread_t t[2];
	struct worker w[2];
	uint64_t race_total = 0;
	char name[32];

	(void)st;
	assert_non_null(m);
	metrics_init(m);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct worker){m, i};
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(metrics_get(m, "cleaner.records"), 2 * PER_THREAD);
	assert_int_equal(metrics_get(m, "cleaner.thread0"), 2 * PER_THREAD);
	assert_int_equal(metrics_get(m, "cleaner.thread1"), 2 * PER_THREAD);
	/* every racing name registered exactly once: the per-name counts add up */
	for (int i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "race.n%d", i);
		race_total += metrics_get(m, name);
	}
	assert_int_equal(race_total, 2 * (PER_THREAD / 1000));
	/* no name took two slots (the overflow counter aside, if reserved) */
	{
		int slots = 0;
		for (int i = 0; i < METRICS_SLOTS; i++)
			slots += atomic_load(&m->slot[i].used) != 0 &&
				 strcmp(m->slot[i].name, "metrics.overflow") != 0;
		assert_int_equal(slots, 3 + NAMES);
	}
	metrics_destroy(m);
	free(m);
}

static void test_names_and_dump(void **st)
{
	struct metrics *m = malloc(sizeof(*m));
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	json_t *j;

	(void)st;
	assert_non_null(m);
	metrics_init(m);
	metrics_add(m, "deduper", "duplicates", 2);
	/* the same counter addressed by its full name */
	metrics_add(m, NULL, "deduper.duplicates", 3);
	metrics_add(m, NULL, "input", 10);
	/* a prefix that is a prefix of another is a different counter */
	metrics_add(m, "dedup", "duplicates", 1);
	assert_int_equal(metrics_get(m, "deduper.duplicates"), 5);
	assert_int_equal(metrics_get(m, "dedup.duplicates"), 1);
	assert_int_equal(metrics_get(m, "input"), 10);
	assert_int_equal(metrics_get(m, "never"), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	metrics_dump_json(m, f);
	fclose(f);
	j = json_loads(buf, 0, NULL);
	assert_non_null(j);
	/* the three counters, and at most the (zero) overflow counter */
	assert_int_equal(json_object_size(j) - (json_object_get(j, "metrics.overflow") != NULL), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "metrics.overflow")), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "deduper.duplicates")), 5);
	assert_int_equal(json_integer_value(json_object_get(j, "dedup.duplicates")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "input")), 10);
	json_decref(j);
	free(buf);
	metrics_destroy(m);
	free(m);
}

int run_metrics_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_names_and_dump),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
