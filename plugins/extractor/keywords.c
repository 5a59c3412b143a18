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

/* Marks a bigram of term_slots whose DF need not be looked up. */
#define SLOT_PRUNED 0x80000000u

/* A bigram counted in x->terms: its slot (SLOT_PRUNED may be or-ed in)
 * and the cache indices of its syllables, so that scoring reads the
 * syllables' facts without going through the canonical ids again. */
struct tslot {
	uint32_t slot, ia, ib;
};
/* A canonical id counted in x->tf and the cache index of one variant. */
struct tused {
	uint32_t cid, ia;
};

struct cand {
	uint32_t a, b; /* canonical ids; b = UINT32_MAX for a unigram */
	uint32_t tf;
	double score;
	const char *sa, *sb; /* (borrowed) their canonical forms, sb NULL for a unigram */
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
	int c;
	if (p->score != q->score)
		return p->score < q->score ? 1 : -1;
	if ((p->b == UINT32_MAX) != (q->b == UINT32_MAX)) /* bigrams first on ties */
		return p->b == UINT32_MAX ? 1 : -1;
	/* then by the terms themselves: a total order that depends neither on
	 * the order of counting nor on the ids the syllable cache handed out
	 * (which depend on what the instance saw before) */
	if ((c = strcmp(p->sa, q->sa)) != 0)
		return c;
	return p->sb ? strcmp(p->sb, q->sb) : 0;
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

int x_token_syls(struct xctx *x, struct xpack *p)
{
	size_t n = x->toks.len;

	x->tsyl.len = 0;
	x->tstate.len = 0;
	x->tsyl_pack = NULL;
	if (xvec_reserve(&x->tsyl, n) < 0 || xvec_reserve(&x->tstate, n) < 0 ||
	    xpack_syls(p, x->text, x->toks.p, n, x->tsyl.p, x->tstate.p) < 0)
		return -1;
	x->tsyl.len = x->tstate.len = n;
	x->tsyl_pack = p;
	return 0;
}

double x_stop_share(const struct xctx *x)
{
	size_t hits = 0, seen = 0;

	for (size_t i = 0; i < x->toks.len && seen < 200; i++) {
		const struct xsyl *sy = x_tok_syl(x, i);
		if (!sy)
			continue;
		seen++;
		if (sy->flags & XS_STOP)
			hits++;
	}
	return seen >= 5 ? (double)hits / (double)seen : -1;
}

/* Grows x->tf to cover canonical ids below n (new entries zero). */
static int tf_reserve(struct xctx *x, size_t n)
{
	size_t cap = x->tf_cap ? x->tf_cap : 4096;
	uint32_t *t;

	if (n <= x->tf_cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if (!(t = realloc(x->tf, cap * sizeof(*t))))
		return -1;
	memset(t + x->tf_cap, 0, (cap - x->tf_cap) * sizeof(*t));
	x->tf = t;
	x->tf_cap = cap;
	return 0;
}

/* Counts one bigram in x->terms (sized so that it never grows here). */
static int bigram_inc(struct xctx *x, uint64_t key, uint32_t ia, uint32_t ib)
{
	struct u64map *m = &x->terms;
	size_t mask = m->nslots - 1, i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 40) & mask;

	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & mask;
	if (!m->keys[i]) {
		struct tslot *ts = xvec_push_raw(&x->term_slots);
		if (!ts)
			return -1;
		ts->slot = (uint32_t)i;
		ts->ia = ia;
		ts->ib = ib;
		m->keys[i] = key;
		m->vals[i] = 0;
		m->n++;
	}
	m->vals[i]++;
	return 0;
}

static void counts_clear(struct xctx *x)
{
	x->tf_used.esz = sizeof(struct tused);
	x->term_slots.esz = sizeof(struct tslot);
	for (size_t i = 0; i < x->tf_used.len; i++)
		x->tf[XVEC_AT(&x->tf_used, struct tused, i).cid] = 0;
	x->tf_used.len = 0;
	for (size_t i = 0; i < x->term_slots.len; i++)
		x->terms.keys[XVEC_AT(&x->term_slots, struct tslot, i).slot & ~SLOT_PRUNED] = 0;
	x->term_slots.len = 0;
	x->terms.n = 0;
}

/* The candidate for a term with count tf and document frequency df, or
 * 0 when the term is out (same rules as before the counting was split). */
static int score_term(const struct xpack *p, int bigram, uint32_t tf, uint32_t df, uint32_t dfa,
		      uint32_t dfb, double *score)
{
	double N = (double)(p->df_docs ? p->df_docs : 1);

	if (p->df_docs) {
		if (df == 0 && (bigram || tf < 2))
			return 0; /* an unattested pair, or a one-off typo */
		/* a bigram must be a word of the language, not two words that
		 * happen to meet: it accounts for a fair share of the rarer
		 * syllable's documents */
		if (bigram) {
			uint32_t m = dfa < dfb ? dfa : dfb;
			if (m == 0 || (double)df < 0.12 * (double)m)
				return 0;
		}
	}
	/* the tables hold exactly these expressions, computed once */
	double idf = !p->df_docs ? 1.0
		     : df < p->idf_n ? p->idf_tab[df]
				     : log((N + 1.0) / ((double)df + 1.0)) + 1.0;
	double tfw = tf < XTFW_N ? p->tfw_tab[tf] : 1.0 + log((double)tf);
	*score = tfw * idf * (bigram ? 1.0 : 0.75);
	return 1;
}


int x_keywords(struct xctx *x, size_t k)
{
	struct xpack *p = x->pack;
	uint32_t prev = UINT32_MAX, prev_ia = 0;
	const struct xsyl *prev_sy = NULL;
	const struct xsyl *cs_syl = p->cache_syl.p;
	struct xvec *cv = &x->cands;
	int rc = -1;
	char buf[512];

	if (k == 0)
		return 0;
	cv->esz = sizeof(struct cand);
	cv->len = 0;
	/* Unigrams are counted in an array by canonical id, bigrams in a hash
	 * table sized to the article; both are cleared through the lists of
	 * what was touched, not by sweeping (the old 8192-slot map was swept
	 * and memset on every article). */
	counts_clear(x);
	if (tf_reserve(x, p->canon_ids.ents.len) < 0)
		goto out;
	{
		size_t want = 64;
		while (want < 2 * (x->toks.len + 1))
			want *= 2;
		if (x->terms.nslots < want) {
			u64map_free(&x->terms);
			if (u64map_init(&x->terms, want / 2) < 0)
				goto out;
		}
	}
	for (size_t i = 0; i < x->toks.len; i++) {
		const struct xtok *t = &XVEC_AT(&x->toks, struct xtok, i);
		const struct xsyl *sy;
		uint32_t idx, ia;
		if (!(t->flags & XT_ALPHA) || (t->flags & XT_DIGIT) || t->end - t->start < 2) {
			prev = UINT32_MAX;
			continue;
		}
		sy = x_tok_syl(x, i);
		if ((sy->flags & (XS_STOP | XS_NUM)) ||
		    ((t->flags & XT_UPPER) && t->end - t->start <= 4 && (sy->df == 0 || roman(x->text + t->start, t->end - t->start)))) {
			/* stop words, numbers, unknown short codes (CT, TU) and roman numerals */
			prev = UINT32_MAX;
			continue;
		}
		idx = sy->cid;
		ia = XVEC_AT(&x->tsyl, uint32_t, i);
		if (!(t->flags & XT_SPACE_BEFORE) || (t->flags & (XT_NEWLINE_BEFORE | XT_PUNCT_BEFORE)))
			prev = UINT32_MAX;
		if (x->tf[idx]++ == 0) {
			struct tused *u = xvec_push_raw(&x->tf_used);
			if (!u)
				goto out;
			u->cid = idx;
			u->ia = ia;
		}
		/* with a DF table, a pair with an unknown syllable is never a
		 * term: not counting it changes nothing */
		if (prev != UINT32_MAX && (!p->df_docs || (prev_sy->dict_id != UINT32_MAX && sy->dict_id != UINT32_MAX)) &&
		    bigram_inc(x, ((uint64_t)(prev + 1) << 32) | (uint64_t)(idx + 1), prev_ia, ia) < 0)
			goto out;
		prev = idx;
		prev_sy = sy;
		prev_ia = ia;
	}
	for (size_t u = 0; u < x->tf_used.len; u++) {
		uint32_t cid = XVEC_AT(&x->tf_used, struct tused, u).cid;
		const struct xsyl *sa = &cs_syl[XVEC_AT(&x->tf_used, struct tused, u).ia];
		struct cand *cd;
		double score;
		if (!score_term(p, 0, x->tf[cid], sa->df, 0, 0, &score))
			continue;
		if (!(cd = xvec_push(cv)))
			goto out;
		cd->a = cid;
		cd->b = UINT32_MAX;
		cd->sa = xpack_syl_str(p, sa);
		cd->sb = NULL;
		cd->tf = x->tf[cid];
		cd->score = score;
	}
	/* Bigram DFs are lookups in a table larger than the cache.  Only the
	 * best 4k candidates matter, and the unigrams alone already give a
	 * floor: a bigram whose best possible score (its DF at the cohesion
	 * minimum, 12 % of the rarer syllable's) is below the 4k-th unigram
	 * score cannot make the cut, so its DF is not looked up. */
	double floor = -1.0;
	if (p->df_docs && p->ub_idf && cv->len >= k * 4 && k * 4 > 0) {
		/* the best 4k unigrams to the front (the final selection below
		 * redoes this over every candidate, mostly in order by then) */
		struct cand *c = cv->p;
		select_top(c, cv->len, k * 4);
		floor = c[0].score;
		for (size_t i = 1; i < k * 4; i++)
			if (c[i].score < floor)
				floor = c[i].score;
	}
	/* first pass: which bigrams need their DF, and prefetch those (the
	 * lookups are independent cache misses that can overlap) */
	for (size_t u = 0; u < x->term_slots.len; u++) {
		struct tslot *ts = &XVEC_AT(&x->term_slots, struct tslot, u);
		uint32_t *slot = &ts->slot, tf = x->terms.vals[*slot];
		const struct xsyl *sa = &cs_syl[ts->ia], *sb = &cs_syl[ts->ib];
		if (sa->dict_id == UINT32_MAX || sb->dict_id == UINT32_MAX)
			continue;
		if (floor >= 0) {
			double ia = p->ub_idf[sa->dict_id], ib = p->ub_idf[sb->dict_id];
			double ub = (tf < XTFW_N ? p->tfw_tab[tf] : 1.0 + log((double)tf)) * (ia > ib ? ia : ib);
			if (ub < floor) {
				*slot |= SLOT_PRUNED;
				continue;
			}
		}
		xpack_bigram_prefetch(p, sa->dict_id, sb->dict_id);
	}
	for (size_t u = 0; u < x->term_slots.len; u++) {
		struct tslot *ts = &XVEC_AT(&x->term_slots, struct tslot, u);
		uint32_t *slot = &ts->slot;
		if (*slot & SLOT_PRUNED) {
			*slot &= ~SLOT_PRUNED; /* counts_clear() needs the plain slot */
			continue;
		}
		uint64_t key = x->terms.keys[*slot];
		uint32_t hi = (uint32_t)(key >> 32), lo = (uint32_t)key, tf = x->terms.vals[*slot], df = 0;
		const struct xsyl *sa = &cs_syl[ts->ia], *sb = &cs_syl[ts->ib];
		struct cand *cd;
		double score;
		if (sa->dict_id != UINT32_MAX && sb->dict_id != UINT32_MAX)
			df = xpack_bigram_df(p, sa->dict_id, sb->dict_id);
		if (!score_term(p, 1, tf, df, sa->df, sb->df, &score))
			continue;
		if (!(cd = xvec_push(cv)))
			goto out;
		cd->a = hi - 1;
		cd->b = lo - 1;
		cd->sa = xpack_syl_str(p, sa);
		cd->sb = xpack_syl_str(p, sb);
		cd->tf = tf;
		cd->score = score;
	}
	/* Only the best few matter: move the best 4k to the front (quickselect),
	 * then sort those. */
	struct cand *cs = cv->p;
	size_t keep = cv->len;
	if (keep > k * 4) {
		keep = k * 4;
		select_top(cs, cv->len, keep);
	}
	if (keep)
		qsort(cs, keep, sizeof(struct cand), cmp_cand);
	cv->len = keep;
	size_t chosen = 0;
	for (size_t i = 0; i < cv->len && chosen < k; i++) {
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
	return rc;
}

int x_guess_lang(struct xpack *packs, size_t n, const char *text, size_t len, struct xvec *toks,
		 int known, double known_share)
{
	double best = 0;
	int bi = -1;

	(void)len;
	for (size_t pi = 0; pi < n; pi++) {
		size_t hits = 0, seen = 0;
		if ((int)pi == known) {
			/* already measured (x_stop_share): same count, same threshold */
			if (known_share >= 0 && known_share > best) {
				best = known_share;
				bi = (int)pi;
			}
			continue;
		}
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
