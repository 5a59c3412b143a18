/* bench.c — summarizer-bench: quality and speed of the summarizer.
 *
 *   summarizer-bench VIETNEWS.jsonl.gz [LIMIT [PASSES]]
 *
 * LIMIT: held-out articles scored (default all); PASSES: timed passes over
 * the 5 KB records (default 15, at most 64).
 *
 * Quality: on the HELD-OUT side of VietNews validation (id number mod 5 ==
 * 0; the weights were fitted on the other ids), summarise `body` (with
 * `title` in the record, and once more without it) through the plugin via
 * the harness, and score against the human `summary` with our ROUGE (see
 * sz_eval.h: NFC, lower-cased syllables, F1, ROUGE-L by LCS), beside
 * LEAD-1, LEAD-2 and LEAD-3 (the first k sentences of the dataset's own
 * one-sentence-per-paragraph body) in the same run.
 *
 * Speed: one thread, records of about 5 KB (held-out bodies extended with
 * the following articles' paragraphs and cut at a paragraph boundary at or
 * below 5,120 bytes), through the plugin's process() (record field access
 * included) and through sz_summarize() alone.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sz_eval.h"

#define MAX_PASSES 64
static int PASSES = 15;

static double now(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void print_acc(const char *name, struct sz_acc a, double words)
{
	printf("  %-26s R1 %5.2f  R2 %5.2f  RL %5.2f   words/summary %5.1f\n", name,
	       100 * a.r1 / (double)a.n, 100 * a.r2 / (double)a.n, 100 * a.rl / (double)a.n,
	       words / (double)a.n);
}

/* Runs the plugin on {text: body, title?} and returns the summary (borrowed
 * from r) or NULL. */
static const char *run(struct harness *h, struct newsd_record *r, const struct sz_article *a,
		       int with_title)
{
	char err[256];

	record_clear(r);
	r->root = with_title ? json_pack("{s:s, s:s, s:s}", "id", a->id, "text", a->body, "title",
					 a->title)
			     : json_pack("{s:s, s:s}", "id", a->id, "text", a->body);
	if (!r->root || harness_process_record(h, r, NULL, err, sizeof(err)) != NEWSD_OK) {
		fprintf(stderr, "%s: %s\n", a->id, err);
		return NULL;
	}
	return json_string_value(json_object_get(r->root, "summary"));
}

static int quality(const struct sz_corpus *c, size_t limit, struct sz_scorer *sc)
{
	struct sz_inst in;
	struct newsd_record r = {0};
	struct sz_toks ref = {0}, cand = {0};
	struct sz_acc lead[3] = {{0}}, summ = {0}, summ_nt = {0};
	double lw[3] = {0}, sw = 0, swn = 0;
	size_t n = 0;
	int rc = -1;

	if (sz_inst_open(&in, NULL, "vi") < 0)
		return -1;
	for (size_t k = 0; k < c->n && n < limit; k++) {
		const struct sz_article *a = &c->a[k];
		const char *s;

		if (!sz_heldout(a))
			continue;
		n++;
		ref.n = 0;
		if (sz_tokenize(sc, a->summary, strlen(a->summary), &ref) < 0)
			goto out;
		for (int l = 0; l < 3; l++) {
			/* the first l+1 paragraphs (= source sentences) */
			const char *e = a->body;
			for (int p = 0; p <= l && e; p++) {
				e = strstr(e, "\n\n");
				if (e && p < l)
					e += 2;
			}
			cand.n = 0;
			if (sz_tokenize(sc, a->body, e ? (size_t)(e - a->body) : a->body_len, &cand) < 0)
				goto out;
			sz_acc_add(&lead[l], sz_rouge(sc, cand.v, cand.n, ref.v, ref.n));
			lw[l] += (double)cand.n;
		}
		for (int t = 1; t >= 0; t--) {
			s = run(in.h, &r, a, t);
			if (!s)
				goto out;
			cand.n = 0;
			if (sz_tokenize(sc, s, strlen(s), &cand) < 0)
				goto out;
			sz_acc_add(t ? &summ : &summ_nt, sz_rouge(sc, cand.v, cand.n, ref.v, ref.n));
			*(t ? &sw : &swn) += (double)cand.n;
		}
	}
	printf("ROUGE F1 x100 on %zu held-out articles (id %% 5 == 0), body vs summary:\n", n);
	for (int l = 0; l < 3; l++) {
		char name[16];
		snprintf(name, sizeof(name), "LEAD-%d", l + 1);
		print_acc(name, lead[l], lw[l]);
	}
	print_acc("summarizer (title)", summ, sw);
	print_acc("summarizer (no title)", summ_nt, swn);
	{
		double b2 = 0, bl = 0;
		for (int l = 0; l < 3; l++) {
			if (lead[l].r2 > b2)
				b2 = lead[l].r2;
			if (lead[l].rl > bl)
				bl = lead[l].rl;
		}
		b2 = 100 * b2 / (double)n;
		bl = 100 * bl / (double)n;
		printf("  margin over best LEAD-k:   R2 %+5.2f  RL %+5.2f (title)   R2 %+5.2f  RL %+5.2f "
		       "(no title)\n",
		       100 * summ.r2 / (double)n - b2, 100 * summ.rl / (double)n - bl,
		       100 * summ_nt.r2 / (double)n - b2, 100 * summ_nt.rl / (double)n - bl);
	}
	rc = 0;
out:
	record_clear(&r);
	sz_toks_free(&ref);
	sz_toks_free(&cand);
	sz_inst_close(&in);
	return rc;
}

/* ~5 KB texts: a held-out body extended by the next articles' bodies, cut
 * at the last paragraph boundary at or below 5,120 bytes. */
static size_t make_5k(const struct sz_corpus *c, char **texts, size_t want)
{
	size_t m = 0, k = 0;

	while (m < want && k < c->n) {
		char *t = malloc(5121);
		size_t len = 0, j = k;
		if (!t)
			break;
		while (len < 5000 && j < c->n) {
			const struct sz_article *a = &c->a[j++];
			const char *p = a->body;
			while (p && *p) {
				const char *e = strstr(p, "\n\n");
				size_t l = e ? (size_t)(e - p) : strlen(p);
				if (len + (len ? 2 : 0) + l > 5120)
					break;
				if (len) {
					memcpy(t + len, "\n\n", 2);
					len += 2;
				}
				memcpy(t + len, p, l);
				len += l;
				p = e ? e + 2 : NULL;
			}
			if (p && *p)
				break;
		}
		t[len] = 0;
		texts[m++] = t;
		k += 7;
	}
	return m;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report(const char *name, double *pass, size_t m, size_t bytes)
{
	double med, best;

	qsort(pass, PASSES, sizeof(double), cmp_d);
	med = pass[PASSES / 2];
	best = pass[0];
	printf("  %-22s median %6.0f articles/s per core (%5.1f us/article, %5.1f MB/s); "
	       "best pass %6.0f/s\n",
	       name, (double)m / med, med / (double)m * 1e6, (double)bytes / med / 1e6,
	       (double)m / best);
}

static int speed(const struct sz_corpus *c)
{
	enum { N = 2000 };
	double pass[MAX_PASSES];
	char **texts = calloc(N, sizeof(char *));
	struct newsd_record *recs = calloc(N, sizeof(*recs));
	struct sz_inst in;
	size_t m, bytes = 0;
	double c0;
	char err[256];
	int rc = -1;

	if (!texts || !recs || sz_inst_open(&in, NULL, "vi") < 0) {
		free(texts);
		free(recs);
		return -1;
	}
	m = make_5k(c, texts, N);
	for (size_t i = 0; i < m; i++) {
		bytes += strlen(texts[i]);
		recs[i].root = json_pack("{s:s, s:s, s:s}", "id", "x", "text", texts[i], "title",
					 c->a[i * 7].title);
		if (!recs[i].root)
			goto out;
	}
	/* warm up */
	for (size_t i = 0; i < m; i++)
		if (harness_process_record(in.h, &recs[i], NULL, err, sizeof(err)) != NEWSD_OK)
			goto out;
	/* passes over all records, CPU time of each; this VM shares its
	 * cores, so the median and the best pass are both printed */
	for (int p = 0; p < PASSES; p++) {
		c0 = now(CLOCK_THREAD_CPUTIME_ID);
		for (size_t i = 0; i < m; i++)
			harness_process_record(in.h, &recs[i], NULL, err, sizeof(err));
		pass[p] = now(CLOCK_THREAD_CPUTIME_ID) - c0;
	}
	printf("\nthroughput, one thread, %zu records of %.0f bytes on average (5 KB), %d passes:\n",
	       m, (double)bytes / (double)m, PASSES);
	report("plugin process()", pass, m, bytes);
	for (int p = 0; p < PASSES; p++) {
		c0 = now(CLOCK_THREAD_CPUTIME_ID);
		for (size_t i = 0; i < m; i++)
			if (sz_summarize(&in.doc, texts[i], strlen(texts[i]), c->a[i * 7].title,
					 strlen(c->a[i * 7].title), 3, 80, 1) < 0)
				goto out;
		pass[p] = now(CLOCK_THREAD_CPUTIME_ID) - c0;
	}
	report("sz_summarize() alone", pass, m, bytes);
	rc = 0;
out:
	for (size_t i = 0; i < N; i++) {
		free(texts[i]);
		record_clear(&recs[i]);
	}
	free(texts);
	free(recs);
	sz_inst_close(&in);
	return rc;
}

int main(int argc, char **argv)
{
	struct sz_corpus c;
	struct sz_scorer sc;
	size_t limit = argc > 2 ? strtoul(argv[2], NULL, 10) : (size_t)-1;
	int rc = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s VIETNEWS.jsonl.gz [LIMIT [PASSES]]\n", argv[0]);
		return 2;
	}
	if (argc > 3) {
		PASSES = atoi(argv[3]);
		if (PASSES < 1 || PASSES > MAX_PASSES) {
			fprintf(stderr, "PASSES: 1 to %d\n", MAX_PASSES);
			return 2;
		}
	}
	if (sz_corpus_load(&c, argv[1]) < 0)
		return 1;
	if (sz_scorer_init(&sc) < 0)
		goto out;
	if (quality(&c, limit, &sc) < 0 || speed(&c) < 0)
		goto out;
	rc = 0;
out:
	sz_scorer_free(&sc);
	sz_corpus_free(&c);
	return rc;
}
