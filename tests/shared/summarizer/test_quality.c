/* test_quality.c — the summarizer beats the lead baseline on held-out
 * VietNews (suite 'shared': needs $NEWSD_SHARED, exits 77 = SKIP without).
 *
 * A fixed slice: the first 1,000 held-out articles (id number mod 5 == 0,
 * never used for fitting) of corpus/vietnews-val.jsonl.gz.  `body` is
 * summarised through the plugin (with `title` in the record, as after the
 * extractor), scored against `summary` with our ROUGE (sz_eval.h), beside
 * LEAD-1/2/3 on the same articles.  Margins measured on this slice when the
 * weights were fitted: ROUGE-2 +3.49, ROUGE-L +4.34 (title), ROUGE-L +1.18
 * (no title); the test asks for each measured margin minus a 0.5-point
 * tolerance.  Quality only: not timed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "sz_eval.h"

#define SLICE 1000
#define MIN_MARGIN_R2 3.0          /* measured +3.49 */
#define MIN_MARGIN_RL 3.8          /* measured +4.34 */
#define MIN_MARGIN_RL_NO_TITLE 0.7 /* measured +1.18 */

static char corpus_path[4096];

static const char *summarize(struct harness *h, struct newsd_record *r, const struct sz_article *a,
			     int with_title)
{
	char err[256] = "";

	record_clear(r);
	r->root = with_title ? json_pack("{s:s, s:s, s:s}", "id", a->id, "text", a->body, "title",
					 a->title)
			     : json_pack("{s:s, s:s}", "id", a->id, "text", a->body);
	assert_non_null(r->root);
	if (harness_process_record(h, r, NULL, err, sizeof(err)) != NEWSD_OK)
		fail_msg("%s: %s", a->id, err);
	return json_string_value(json_object_get(r->root, "summary"));
}

static void test_beats_lead(void **state)
{
	struct sz_corpus c;
	struct sz_scorer sc;
	struct sz_inst in;
	struct newsd_record r = {0};
	struct sz_toks ref = {0}, cand = {0};
	struct sz_acc lead[3] = {{0}}, summ = {0}, summ_nt = {0};
	double best2 = 0, bestl = 0, s2, sl, sl_nt;
	size_t n = 0;

	(void)state;
	assert_int_equal(sz_corpus_load(&c, corpus_path), 0);
	assert_int_equal(sz_scorer_init(&sc), 0);
	assert_int_equal(sz_inst_open(&in, NULL, "vi"), 0);
	for (size_t k = 0; k < c.n && n < SLICE; k++) {
		const struct sz_article *a = &c.a[k];
		const char *s;

		if (!sz_heldout(a))
			continue;
		n++;
		ref.n = 0;
		assert_int_equal(sz_tokenize(&sc, a->summary, strlen(a->summary), &ref), 0);
		for (int l = 0; l < 3; l++) {
			const char *e = a->body;
			for (int p = 0; p <= l && e; p++) {
				e = strstr(e, "\n\n");
				if (e && p < l)
					e += 2;
			}
			cand.n = 0;
			assert_int_equal(sz_tokenize(&sc, a->body,
						     e ? (size_t)(e - a->body) : a->body_len, &cand),
					 0);
			sz_acc_add(&lead[l], sz_rouge(&sc, cand.v, cand.n, ref.v, ref.n));
		}
		for (int t = 1; t >= 0; t--) {
			s = summarize(in.h, &r, a, t);
			assert_non_null(s);
			assert_true(strlen(s) > 0);
			cand.n = 0;
			assert_int_equal(sz_tokenize(&sc, s, strlen(s), &cand), 0);
			assert_true(cand.n <= 80);
			sz_acc_add(t ? &summ : &summ_nt, sz_rouge(&sc, cand.v, cand.n, ref.v, ref.n));
		}
	}
	assert_int_equal(n, SLICE);
	for (int l = 0; l < 3; l++) {
		double v2 = 100 * lead[l].r2 / (double)n, vl = 100 * lead[l].rl / (double)n;
		print_message("LEAD-%d  R1 %.2f R2 %.2f RL %.2f\n", l + 1,
			      100 * lead[l].r1 / (double)n, v2, vl);
		if (v2 > best2)
			best2 = v2;
		if (vl > bestl)
			bestl = vl;
	}
	s2 = 100 * summ.r2 / (double)n;
	sl = 100 * summ.rl / (double)n;
	sl_nt = 100 * summ_nt.rl / (double)n;
	print_message("summarizer (title)     R1 %.2f R2 %.2f RL %.2f  margin R2 %+.2f RL %+.2f\n",
		      100 * summ.r1 / (double)n, s2, sl, s2 - best2, sl - bestl);
	print_message("summarizer (no title)  R1 %.2f R2 %.2f RL %.2f\n",
		      100 * summ_nt.r1 / (double)n, 100 * summ_nt.r2 / (double)n, sl_nt);
	assert_true(s2 - best2 >= MIN_MARGIN_R2);
	assert_true(sl - bestl >= MIN_MARGIN_RL);
	assert_true(sl_nt - bestl >= MIN_MARGIN_RL_NO_TITLE);
	record_clear(&r);
	sz_toks_free(&ref);
	sz_toks_free(&cand);
	sz_inst_close(&in);
	sz_scorer_free(&sc);
	sz_corpus_free(&c);
}

int main(void)
{
	const char *shared = getenv("NEWSD_SHARED");
	struct stat st;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_beats_lead),
	};

	if (!shared || !*shared)
		return 77;
	snprintf(corpus_path, sizeof(corpus_path), "%s/corpus/vietnews-val.jsonl.gz", shared);
	if (stat(corpus_path, &st) != 0) {
		fprintf(stderr, "SKIP: %s not found\n", corpus_path);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
