/* fit.c — summarizer-fit: fits the ranking weights of the language pack on
 * the TRAIN side of VietNews (ids whose number mod 5 != 0; the held-out
 * side is never read) by coordinate ascent on mean (ROUGE-2 F + ROUGE-L F)
 * of the selected sentences against the human `summary`.
 *
 *   summarizer-fit VIETNEWS.jsonl.gz [LIMIT [FEATURE=0 ...]]
 *
 * FEATURE=0 (e.g. centrality=0) pins a feature's weight to 0 in both sets,
 * to measure what it brings (and, for centrality, what skipping the
 * similarity graph costs in ROUGE).
 *
 * Features are computed once per article with the plugin's own code
 * (sz_prepare: same segmentation, heading rule and TF-IDF); then every
 * trial weight set re-runs only sz_select + ROUGE.  Prints the weights as
 * YAML for config/lang/vi/summarizer.yaml (`weights`, fitted with the title
 * feature; `weights_no_title`, with it forced to 0).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sz_eval.h"

struct art {
	size_t n;
	float *feat, *sim;
	uint32_t *words;
	uint32_t *toff; /* n + 1 offsets into tok */
	uint64_t *tok;
	uint64_t *ref;
	size_t nref;
};

struct ctx {
	struct art *a;
	size_t n;
	size_t max_sentences, max_words;
	struct sz_scorer sc;
	uint64_t *cand;
	size_t candcap;
	float *scratch;
	uint32_t out[64];
};

static float sim_mat(void *ctx, size_t i, size_t j)
{
	const struct art *a = ctx;
	return a->sim[i * a->n + j];
}

/* Mean ROUGE over the articles for weight set w (lead > 0: LEAD-lead on
 * the candidates instead). */
static struct sz_acc evaluate(struct ctx *c, const struct sz_weights *w, size_t lead)
{
	struct sz_acc acc = {0};

	for (size_t k = 0; k < c->n; k++) {
		struct art *a = &c->a[k];
		struct sz_cands cd = {a->n, a->feat, a->words, sim_mat, a, NULL};
		size_t m, nc = 0;

		if (lead) {
			m = lead < a->n ? lead : a->n;
			for (size_t i = 0; i < m; i++)
				c->out[i] = (uint32_t)i;
		} else {
			m = sz_select(&cd, w, c->max_sentences, c->max_words, c->scratch, c->out);
		}
		for (size_t i = 0; i < m; i++) {
			uint32_t s = c->out[i];
			for (uint32_t t = a->toff[s]; t < a->toff[s + 1] && nc < c->max_words; t++)
				c->cand[nc++] = a->tok[t];
		}
		sz_acc_add(&acc, sz_rouge(&c->sc, c->cand, nc, a->ref, a->nref));
	}
	return acc;
}

static double objective(struct ctx *c, const struct sz_weights *w)
{
	struct sz_acc a = evaluate(c, w, 0);
	return (a.r2 + a.rl) / (double)a.n;
}

static void print_acc(const char *name, struct sz_acc a)
{
	printf("  %-22s R1 %5.2f  R2 %5.2f  RL %5.2f  (n=%zu)\n", name, 100 * a.r1 / (double)a.n,
	       100 * a.r2 / (double)a.n, 100 * a.rl / (double)a.n, a.n);
}

static double *param(struct sz_weights *w, int p)
{
	if (p < SZ_NF)
		return &w->f[p];
	if (p == SZ_NF)
		return &w->mmr;
	if (p == SZ_NF + 1)
		return &w->target_words;
	return &w->min_words;
}

static const char *param_name(int p)
{
	if (p < SZ_NF)
		return sz_feature_names[p];
	return p == SZ_NF ? "mmr" : p == SZ_NF + 1 ? "target_words" : "min_words";
}

/* Coordinate ascent; `fixed` parameters (anchor, disabled features) stay. */
static double fit(struct ctx *c, struct sz_weights *w, const int *fixed)
{
	static const double wsteps[] = {0.8, 0.4, 0.2, 0.1, 0.05, 0.02};
	static const double nsteps[] = {16, 8, 4, 2, 1};
	double best = objective(c, w);

	for (int round = 0; round < 8; round++) {
		int improved = 0;
		for (int p = 0; p < SZ_NF + 3; p++) {
			int is_n = p > SZ_NF;
			const double *steps = is_n ? nsteps : wsteps;
			size_t nst = is_n ? 5 : 6;
			double *v = param(w, p);
			if (fixed[p])
				continue;
			for (size_t s = 0; s < nst; s++) {
				for (int dir = -1; dir <= 1; dir += 2) {
					double old = *v, o;
					*v = old + dir * steps[s];
					if (*v < 0 && (p == SZ_NF || is_n)) {
						*v = old;
						continue;
					}
					o = objective(c, w);
					if (o > best + 1e-6) {
						best = o;
						improved = 1;
						dir -= 2; /* try the same direction again */
					} else {
						*v = old;
					}
				}
			}
		}
		printf("  round %d: objective %.4f\n", round, best / 2 * 100);
		fflush(stdout);
		if (!improved)
			break;
	}
	return best;
}

static void print_yaml(const char *key, const struct sz_weights *w, const int *fixed)
{
	printf("%s:\n", key);
	for (int p = 0; p < SZ_NF + 3; p++) {
		double v = *param((struct sz_weights *)w, p);
		if (fixed[p] && v == 0)
			continue;
		printf("  %s: %.4g\n", param_name(p), v);
	}
}

int main(int argc, char **argv)
{
	struct sz_corpus corpus;
	struct sz_inst in;
	struct ctx c = {0};
	size_t limit = argc > 2 ? strtoul(argv[2], NULL, 10) : (size_t)-1;
	struct sz_weights w, wn;
	int fixed[SZ_NF + 3] = {0}, fixed_n[SZ_NF + 3] = {0};
	struct sz_toks t = {0};
	int rc = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s VIETNEWS.jsonl.gz [LIMIT [FEATURE=0 ...]]\n", argv[0]);
		return 2;
	}
	if (sz_corpus_load(&corpus, argv[1]) < 0)
		return 1;
	if (sz_inst_open(&in, NULL, "vi") < 0 || sz_scorer_init(&c.sc) < 0)
		goto out;
	c.max_sentences = 3;
	c.max_words = 80;
	c.a = calloc(corpus.n, sizeof(*c.a));
	c.scratch = malloc(4096 * sizeof(float));
	c.candcap = 4096;
	c.cand = malloc(c.candcap * sizeof(uint64_t));
	if (!c.a || !c.scratch || !c.cand)
		goto out;
	for (size_t k = 0; k < corpus.n && c.n < limit; k++) {
		const struct sz_article *ar = &corpus.a[k];
		struct sz_doc *d = &in.doc;
		struct art *a;
		size_t n;

		if (sz_heldout(ar))
			continue;
		if (sz_prepare(d, ar->body, ar->body_len, ar->title, ar->title_len, 1, 1) < 0)
			goto out;
		n = d->rank.n;
		if (n == 0 || n > 1000)
			continue;
		a = &c.a[c.n++];
		a->n = n;
		a->feat = malloc(n * SZ_NF * sizeof(float));
		a->sim = calloc(n * n, sizeof(float));
		a->words = malloc(n * sizeof(uint32_t));
		a->toff = malloc((n + 1) * sizeof(uint32_t));
		if (!a->feat || !a->sim || !a->words || !a->toff)
			goto out;
		memcpy(a->feat, d->rank.feat, n * SZ_NF * sizeof(float));
		if (d->rank.has_sim)
			memcpy(a->sim, d->rank.sim, n * n * sizeof(float));
		memcpy(a->words, d->rank.words, n * sizeof(uint32_t));
		t.n = 0;
		for (size_t i = 0; i < n; i++) {
			const struct sz_sent *s = &d->seg.s[d->first + i];
			a->toff[i] = (uint32_t)t.n;
			if (sz_tokenize(&c.sc, ar->body + s->b0, s->b1 - s->b0, &t) < 0)
				goto out;
		}
		a->toff[n] = (uint32_t)t.n;
		a->tok = malloc((t.n + 1) * sizeof(uint64_t));
		if (!a->tok)
			goto out;
		memcpy(a->tok, t.v, t.n * sizeof(uint64_t));
		t.n = 0;
		if (sz_tokenize(&c.sc, ar->summary, strlen(ar->summary), &t) < 0)
			goto out;
		a->nref = t.n;
		a->ref = malloc((t.n + 1) * sizeof(uint64_t));
		if (!a->ref)
			goto out;
		memcpy(a->ref, t.v, t.n * sizeof(uint64_t));
	}
	printf("summarizer-fit: %zu train articles (id %% 5 != 0) of %s\n", c.n, argv[1]);
	printf("train baselines (LEAD-k on our sentences):\n");
	for (size_t k = 1; k <= 3; k++) {
		char name[32];
		snprintf(name, sizeof(name), "LEAD-%zu", k);
		print_acc(name, evaluate(&c, NULL, k));
	}
	/* start from the shipped pack */
	w = in.pack.w;
	wn = in.pack.w_notitle;
	if (w.target_words > 1e8)
		w.target_words = 80;
	if (wn.target_words > 1e8)
		wn.target_words = 80;
	for (int i = 3; i < argc; i++) {
		int found = 0;
		for (int p = 0; p < SZ_NF; p++) {
			size_t l = strlen(sz_feature_names[p]);
			if (strncmp(argv[i], sz_feature_names[p], l) == 0 && strcmp(argv[i] + l, "=0") == 0) {
				fixed[p] = fixed_n[p] = 1;
				w.f[p] = wn.f[p] = 0;
				found = 1;
				printf("pinned: %s = 0\n", sz_feature_names[p]);
			}
		}
		if (!found) {
			fprintf(stderr, "unknown argument %s (want FEATURE=0)\n", argv[i]);
			goto out;
		}
	}
	print_acc("start (title)", evaluate(&c, &w, 0));
	fixed[SZ_F_TITLE] = 1; /* anchor: the scale is set by the title weight */
	if (w.f[SZ_F_TITLE] == 0)
		w.f[SZ_F_TITLE] = 1;
	printf("fitting `weights` (title available):\n");
	fit(&c, &w, fixed);
	print_acc("fitted (title)", evaluate(&c, &w, 0));
	/* without a title: the title feature is 0; anchor the position prior */
	for (size_t k = 0; k < c.n; k++)
		for (size_t i = 0; i < c.a[k].n; i++)
			c.a[k].feat[i * SZ_NF + SZ_F_TITLE] = 0;
	fixed_n[SZ_F_TITLE] = 1;
	fixed_n[SZ_F_POS] = 1;
	wn.f[SZ_F_TITLE] = 0;
	if (wn.f[SZ_F_POS] == 0)
		wn.f[SZ_F_POS] = 1;
	printf("fitting `weights_no_title`:\n");
	fit(&c, &wn, fixed_n);
	print_acc("fitted (no title)", evaluate(&c, &wn, 0));
	printf("\n# fitted by summarizer-fit on %zu VietNews validation articles\n", c.n);
	printf("# (train side: id number mod 5 != 0), objective mean ROUGE-2 F + ROUGE-L F\n");
	print_yaml("weights", &w, fixed);
	print_yaml("weights_no_title", &wn, fixed_n);
	rc = 0;
out:
	for (size_t k = 0; c.a && k < c.n; k++) {
		free(c.a[k].feat);
		free(c.a[k].sim);
		free(c.a[k].words);
		free(c.a[k].toff);
		free(c.a[k].tok);
		free(c.a[k].ref);
	}
	free(c.a);
	free(c.scratch);
	free(c.cand);
	sz_toks_free(&t);
	sz_scorer_free(&c.sc);
	sz_inst_close(&in);
	sz_corpus_free(&corpus);
	return rc;
}
