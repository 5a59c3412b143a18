/* The per-partition offset tracker behind at-least-once commits: the commit
 * offset is the first offset not yet acknowledged, acknowledgements may come
 * in any order, and delivery reports from an earlier assignment are stale. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kafka_offsets.h"

static void test_nothing_consumed(void **state)
{
	struct otrack t;

	(void)state;
	otrack_init(&t);
	otrack_assign(&t);
	assert_int_equal(otrack_safe_offset(&t), -1);
	assert_int_equal(otrack_in_flight(&t), 0);
	otrack_free(&t);
}

static void test_in_order(void **state)
{
	struct otrack t;
	uint64_t s[3];

	(void)state;
	otrack_init(&t);
	otrack_assign(&t);
	for (int i = 0; i < 3; i++)
		assert_int_equal(otrack_push(&t, 100 + i, &s[i]), 0);
	assert_int_equal(otrack_safe_offset(&t), 100);
	assert_int_equal(otrack_ack(&t, s[0]), 1);
	assert_int_equal(otrack_safe_offset(&t), 101);
	assert_int_equal(otrack_ack(&t, s[1]), 1);
	assert_int_equal(otrack_ack(&t, s[2]), 1);
	assert_int_equal(otrack_safe_offset(&t), 103); /* one past the last */
	assert_int_equal(otrack_in_flight(&t), 0);
	otrack_free(&t);
}

static void test_out_of_order_never_commits_past_a_hole(void **state)
{
	struct otrack t;
	uint64_t s[4];

	(void)state;
	otrack_init(&t);
	otrack_assign(&t);
	for (int i = 0; i < 4; i++)
		otrack_push(&t, 10 + i, &s[i]);
	assert_int_equal(otrack_ack(&t, s[3]), 1);
	assert_int_equal(otrack_ack(&t, s[1]), 1);
	assert_int_equal(otrack_safe_offset(&t), 10); /* 10 still pending */
	assert_int_equal(otrack_in_flight(&t), 4);
	assert_int_equal(otrack_ack(&t, s[0]), 1);
	assert_int_equal(otrack_safe_offset(&t), 12); /* 12 still pending */
	assert_int_equal(otrack_in_flight(&t), 2);
	assert_int_equal(otrack_ack(&t, s[2]), 1);
	assert_int_equal(otrack_safe_offset(&t), 14);
	otrack_free(&t);
}

static void test_double_ack_and_gaps(void **state)
{
	struct otrack t;
	uint64_t a, b;

	(void)state;
	otrack_init(&t);
	otrack_assign(&t);
	otrack_push(&t, 5, &a);
	otrack_push(&t, 9, &b); /* offsets may skip (compaction, markers) */
	assert_int_equal(otrack_ack(&t, a), 1);
	assert_int_equal(otrack_ack(&t, a), 0);
	assert_false(otrack_pending(&t, a));
	assert_true(otrack_pending(&t, b));
	assert_int_equal(otrack_safe_offset(&t), 9);
	assert_int_equal(otrack_ack(&t, b), 1);
	assert_int_equal(otrack_safe_offset(&t), 10);
	otrack_free(&t);
}

static void test_stale_after_reassignment(void **state)
{
	struct otrack t;
	uint64_t old, fresh;

	(void)state;
	otrack_init(&t);
	otrack_assign(&t);
	otrack_push(&t, 40, &old);
	otrack_revoke(&t);
	assert_false(t.active);
	assert_false(otrack_pending(&t, old));
	otrack_assign(&t);
	otrack_push(&t, 40, &fresh); /* the same offset fetched again */
	assert_true(fresh != old);
	assert_int_equal(otrack_ack(&t, old), 0); /* a late report of the old one */
	assert_int_equal(otrack_safe_offset(&t), 40);
	assert_int_equal(otrack_ack(&t, fresh), 1);
	assert_int_equal(otrack_safe_offset(&t), 41);
	otrack_free(&t);
}

static void test_growth_keeps_order(void **state)
{
	struct otrack t;
	enum { N = 5000 };
	static uint64_t s[N];

	(void)state;
	otrack_init(&t);
	otrack_assign(&t);
	/* wrap the ring before it grows */
	for (int i = 0; i < 200; i++) {
		otrack_push(&t, i, &s[0]);
		otrack_ack(&t, s[0]);
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(otrack_push(&t, 1000 + i, &s[i]), 0);
	assert_int_equal(otrack_in_flight(&t), N);
	for (int i = N - 1; i >= 1; i--)
		assert_int_equal(otrack_ack(&t, s[i]), 1);
	assert_int_equal(otrack_safe_offset(&t), 1000);
	assert_int_equal(otrack_ack(&t, s[0]), 1);
	assert_int_equal(otrack_safe_offset(&t), 1000 + N);
	assert_int_equal(otrack_in_flight(&t), 0);
	otrack_free(&t);
}

static void test_tokens(void **state)
{
	size_t track;
	uint64_t seq;

	(void)state;
	assert_int_equal(otrack_untoken(0, &track, &seq), 0); /* names no tracker */
	uint64_t tok = otrack_token(7, 123456789);
	assert_int_equal(otrack_untoken(tok, &track, &seq), 1);
	assert_int_equal(track, 7);
	assert_int_equal(seq, 123456789);
	tok = otrack_token(0, 0);
	assert_true(tok != 0);
	assert_int_equal(otrack_untoken(tok, &track, &seq), 1);
	assert_int_equal(track, 0);
	assert_int_equal(seq, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_consumed),
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order_never_commits_past_a_hole),
		cmocka_unit_test(test_double_ack_and_gaps),
		cmocka_unit_test(test_stale_after_reassignment),
		cmocka_unit_test(test_growth_keeps_order),
		cmocka_unit_test(test_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
