/* keywords.c — top-k syllable unigrams and bigrams by TF-IDF, and the
 * language check.
 *
 * Terms are lower-case canonical syllables from the pack's syllable cache
 * (computed once per distinct token per instance).  A bigram joins two
 * adjacent syllables with only spaces between them; stop words and numbers
 * end a bigram and are never terms.  IDF comes from the pack's DF table
 * (tools/extractor-dftable); without one every term has the same IDF and
 * term frequency decides.  A unigram inside a chosen bigram is not chosen
 * again.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "extractor_int.h"

struct cand {
	uint32_t a, b; /* cache indices; b = UINT32_MAX for a unigram */
	uint32_t tf;
	double score;
};

/* The cache entry that created canonical id cid (any variant will do). */
static const struct xsyl *syl_of_cid(const struct xpack *p, uint32_t cid)
{
	uint32_t ci = XVEC_AT(&p->canon_ids.ents, struct strmap_ent, cid).val;
	return &XVEC_AT(&p->cache_syl, struct xsyl, ci);
}

static int cmp_cand(const void *x, const void *y)
{
	const struct cand *p = x, *q = y;
	if (p->score != q->score)
		return p->score < q->score ? 1 : -1;
	if (p->b != q->b) /* bigrams first on ties */
		return p->b == UINT32_MAX ? 1 : -1;
	return p->a < q->a ? -1 : p->a > q->a;
}

/* Partially orders c[0..n) so that c[0..m) are the m best (unsorted):
 * quickselect with Lomuto partitions around a middle pivot. */
static void select_top(struct cand *c, size_t n, size_t m)
{
	size_t lo = 0, hi = n; /* the m-th boundary lies in [lo, hi) */
	struct cand t;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2, p = lo;
		t = c[mid];
		c[mid] = c[hi - 1];
		c[hi - 1] = t;
		for (size_t i = lo; i < hi - 1; i++)
			if (cmp_cand(&c[i], &c[hi - 1]) < 0) {
				t = c[i];
				c[i] = c[p];
				c[p] = t;
				p++;
			}
		t = c[p];
		c[p] = c[hi - 1];
		c[hi - 1] = t;
		if (p == m)
			return;
		if (p > m)
			hi = p;
		else
			lo = p + 1;
	}
}

static int roman(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("IVXLCDM", s[i]))
			return 0;
	return 1;
}

int x_keywords(struct xctx *x, size_t k)
{
	struct xpack *p = x->pack;
	struct u64map *cm = &x->terms;
	uint32_t prev = UINT32_MAX;
	struct xvec cands = {.esz = sizeof(struct cand)};
	int rc = -1;
	char buf[512];

	if (k == 0)
		return 0;
	if (!cm->nslots && u64map_init(cm, 4096) < 0)
		return -1;
	u64map_clear(cm);
	for (size_t i = 0; i < x->toks.len; i++) {
		const struct xtok *t = &XVEC_AT(&x->toks, struct xtok, i);
		const struct xsyl *sy;
		uint32_t idx;
		if (!(t->flags & XT_ALPHA) || (t->flags & XT_DIGIT) || t->end - t->start < 2) {
			prev = UINT32_MAX;
			continue;
		}
		sy = xpack_syl(p, x->text + t->start, t->end - t->start);
		if (!sy)
			goto out;
		if ((sy->flags & (XS_STOP | XS_NUM)) ||
		    ((t->flags & XT_UPPER) && t->end - t->start <= 4 && (sy->df == 0 || roman(x->text + t->start, t->end - t->start)))) {
			/* stop words, numbers, unknown short codes (CT, TU) and roman numerals */
			prev = UINT32_MAX;
			continue;
		}
		idx = sy->cid;
		if (!(t->flags & XT_SPACE_BEFORE) || (t->flags & (XT_NEWLINE_BEFORE | XT_PUNCT_BEFORE)))
			prev = UINT32_MAX;
		if (!u64map_inc(cm, (uint64_t)idx + 1))
			goto out;
		if (prev != UINT32_MAX && !u64map_inc(cm, ((uint64_t)(prev + 1) << 32) | (uint64_t)(idx + 1)))
			goto out;
		prev = idx;
	}
	double N = (double)(p->df_docs ? p->df_docs : 1);
	for (size_t s = 0; s < cm->nslots; s++) {
		uint64_t key = cm->keys[s];
		struct cand *cd;
		uint32_t df = 0, tf = cm->vals[s];
		if (!key)
			continue;
		uint32_t hi = (uint32_t)(key >> 32), lo = (uint32_t)key;
		const struct xsyl *sa, *sb = NULL;
		if (hi) {
			sa = syl_of_cid(p, hi - 1);
			sb = syl_of_cid(p, lo - 1);
			if (sa->dict_id != UINT32_MAX && sb->dict_id != UINT32_MAX)
				(void)u64map_get(&p->bigram_df,
						 ((uint64_t)(sa->dict_id + 1) << 32) | (uint64_t)(sb->dict_id + 1), &df);
		} else {
			sa = syl_of_cid(p, lo - 1);
			df = sa->df;
		}
		if (p->df_docs) {
			if (df == 0 && (hi || tf < 2))
				continue; /* an unattested pair, or a one-off typo */
			/* a bigram must be a word of the language, not two words that
			 * happen to meet: it accounts for a fair share of the rarer
			 * syllable's documents */
			if (hi) {
				uint32_t m = sa->df < sb->df ? sa->df : sb->df;
				if (m == 0 || (double)df < 0.12 * (double)m)
					continue;
			}
		}
		double idf = p->df_docs ? log((N + 1.0) / ((double)df + 1.0)) + 1.0 : 1.0;
		double tfw = 1.0 + log((double)tf);
		if (!(cd = xvec_push(&cands)))
			goto out;
		cd->a = hi ? hi - 1 : lo - 1;
		cd->b = hi ? lo - 1 : UINT32_MAX;
		cd->tf = tf;
		cd->score = tfw * idf * (hi ? 1.0 : 0.75);
	}
	/* Only the best few matter: move the best 4k to the front (quickselect),
	 * then sort those. */
	struct cand *cs = cands.p;
	size_t keep = cands.len;
	if (keep > k * 4) {
		keep = k * 4;
		select_top(cs, cands.len, keep);
	}
	if (keep)
		qsort(cs, keep, sizeof(struct cand), cmp_cand);
	cands.len = keep;
	size_t chosen = 0;
	for (size_t i = 0; i < cands.len && chosen < k; i++) {
		int skip = 0;
		for (size_t j = 0; j < i && !skip; j++) {
			if (cs[j].tf == 0)
				continue; /* not chosen */
			if (cs[i].b == UINT32_MAX && cs[j].b != UINT32_MAX && (cs[j].a == cs[i].a || cs[j].b == cs[i].a))
				skip = 1;
			if (cs[i].b != UINT32_MAX && cs[j].b == UINT32_MAX && (cs[i].a == cs[j].a || cs[i].b == cs[j].a))
				skip = 1;
		}
		if (skip) {
			cs[i].tf = 0;
			continue;
		}
		const struct xsyl *sa = syl_of_cid(p, cs[i].a);
		size_t n = 0;
		if (sa->canon_len >= sizeof(buf) / 2)
			continue;
		memcpy(buf, xpack_syl_str(p, sa), sa->canon_len);
		n = sa->canon_len;
		if (cs[i].b != UINT32_MAX) {
			const struct xsyl *sb = syl_of_cid(p, cs[i].b);
			if (n + 1 + sb->canon_len >= sizeof(buf))
				continue;
			buf[n++] = ' ';
			memcpy(buf + n, xpack_syl_str(p, sb), sb->canon_len);
			n += sb->canon_len;
		}
		if (xctx_add_unique(x, &x->keywords, 'k', buf, n) < 0)
			goto out;
		chosen++;
	}
	/* unchosen candidates had tf zeroed above only when skipped; the rest
	 * past k are irrelevant */
	rc = 0;
out:
	xvec_free(&cands);
	return rc;
}

int x_guess_lang(struct xpack *packs, size_t n, const char *text, size_t len, struct xvec *toks)
{
	double best = 0;
	int bi = -1;

	(void)len;
	for (size_t pi = 0; pi < n; pi++) {
		size_t hits = 0, seen = 0;
		for (size_t i = 0; i < toks->len && seen < 200; i++) {
			const struct xtok *t = &XVEC_AT(toks, struct xtok, i);
			if (!(t->flags & XT_ALPHA))
				continue;
			seen++;
			const struct xsyl *sy = xpack_syl(&packs[pi], text + t->start, t->end - t->start);
			if (sy && (sy->flags & XS_STOP))
				hits++;
		}
		double r = seen ? (double)hits / (double)seen : 0;
		if (seen >= 5 && r > best) {
			best = r;
			bi = (int)pi;
		}
	}
	/* one pack asked alone must show more evidence than the best of several */
	return best >= (n == 1 ? 0.2 : 0.12) ? bi : -1;
}
