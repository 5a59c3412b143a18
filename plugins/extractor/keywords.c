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

/* A bigram counted in x->terms (whose value is the bigram's index in
 * x->term_slots): its slot, and what scoring needs of its syllables (their
 * DF table ids and the smaller of their DFs), taken while counting so that
 * scoring reads no syllable-cache entry; the cache indices of its
 * syllables (entries the counting just read, still in cache when the
 * chosen terms' strings are copied); its count; the token index of its
 * second syllable at its first and last occurrence (the others are
 * chained through struct tocc.next); and its DF once looked up. */
struct tslot {
	uint32_t slot, da, db, mindf, ia, ib;
	uint32_t tf, first, last, df;
};
#define DF_UNKNOWN UINT32_MAX
/* Per token (x->kw_next): the token index of the next occurrence of the
 * bigram ending here, and the x->term_slots index of the bigram ending
 * here (NO_TERM: none).  What the choice needs to see each occurrence of a
 * candidate bigram with its neighbours (see x_keywords). */
struct tocc {
	uint32_t next, term;
};
#define NO_TERM UINT32_MAX
/* A canonical id counted in x->tf, its DF, the cache index of one
 * variant and the token index of its first occurrence. */
struct tused {
	uint32_t cid, df, ia, first;
};

/* A keyword candidate: its score and its term, ref = an index in
 * x->tf_used (a unigram) or CAND_BIGRAM | an index in x->term_slots.
 * Ranked by score, then bigrams before unigrams, then by the terms'
 * strings: a total order that depends neither on the order of counting nor
 * on the ids the syllable cache handed out (which depend on what the
 * instance saw before).  Small, so that selection moves 16 bytes. */
struct cand {
	union {
		double score;
		struct {
			uint32_t a, b;
		} t; /* once ranked (popped), the score is done with: its terms'
		      * canonical ids, for the overlap test of later ones */
	};
	uint32_t ref;
	uint32_t skipped; /* set by the choice: passed over for a chosen term */
};
#define CAND_BIGRAM 0x80000000u

/* What a candidate is: canonical ids a, b (b = UINT32_MAX for a unigram)
 * and the cache indices ia, ib of variants of them (all variants share
 * the canonical form). */
struct term {
	uint32_t a, b, ia, ib;
};

static inline struct term cand_term(const struct xctx *x, uint32_t ref)
{
	struct term t;

	if (ref & CAND_BIGRAM) {
		const struct tslot *ts = &XVEC_AT(&x->term_slots, struct tslot, ref & ~CAND_BIGRAM);
		uint64_t key = x->terms.keys[ts->slot];
		t.a = (uint32_t)(key >> 32) - 1;
		t.b = (uint32_t)key - 1;
		t.ia = ts->ia;
		t.ib = ts->ib;
	} else {
		const struct tused *tu = &XVEC_AT(&x->tf_used, struct tused, ref);
		t.a = tu->cid;
		t.b = UINT32_MAX;
		t.ia = tu->ia;
		t.ib = 0;
	}
	return t;
}

/* The order between candidates of equal score: < 0 when x ranks first.
 * Out of line: equal scores are rare, and the strings are only read then. */
static int cand_tie(const struct xctx *x, const struct cand *cx, const struct cand *cy)
{
	const struct xpack *p = x->pack;
	const struct xsyl *cs = p->cache_syl.p;
	struct term tx, ty;
	int c;

	if ((cx->ref & CAND_BIGRAM) != (cy->ref & CAND_BIGRAM)) /* bigrams first on ties */
		return cx->ref & CAND_BIGRAM ? -1 : 1;
	tx = cand_term(x, cx->ref);
	ty = cand_term(x, cy->ref);
	if ((c = strcmp(xpack_syl_str(p, &cs[tx.ia]), xpack_syl_str(p, &cs[ty.ia]))) != 0)
		return c;
	return tx.b != UINT32_MAX ? strcmp(xpack_syl_str(p, &cs[tx.ib]), xpack_syl_str(p, &cs[ty.ib])) : 0;
}

/* cx ranks before cy (distinct terms: exactly one of cand_first(x, y) and
 * cand_first(y, x) holds). */
static inline int cand_first(const struct xctx *x, const struct cand *cx, const struct cand *cy)
{
	if (cx->score != cy->score)
		return cx->score > cy->score;
	return cand_tie(x, cx, cy) < 0;
}

/* The running m-th best score: a min-heap of the best m scores so far
 * (values only; which of several equal scores is in it does not matter).
 * hs[m] is +inf, so that the last parent's missing right child is never
 * the smaller one and the sift needs no bounds check for it. */
static inline void floor_offer(double *hs, size_t *n, size_t m, double v)
{
	size_t i = *n;

	if (i < m) {
		(*n)++;
		while (i > 0 && hs[(i - 1) / 2] > v) {
			hs[i] = hs[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		hs[i] = v;
		return;
	}
	if (!(v > hs[0]))
		return;
	i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= m)
			break;
		c += hs[c + 1] < hs[c];
		if (!(hs[c] < v))
			break;
		hs[i] = hs[c];
		i = c;
	}
	hs[i] = v;
}

/* Sift-down in a max-heap of candidates by rank (best at the root). */
static void rank_down(const struct xctx *x, struct cand *h, size_t n, size_t i)
{
	struct cand v = h[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && cand_first(x, &h[c + 1], &h[c]))
			c++;
		if (!cand_first(x, &h[c], &v))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = v;
}

static int roman(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("IVXLCDM", s[i]))
			return 0;
	return 1;
}

/* Is token i (flags fl) glued to the token before it by exactly the one
 * byte c? */
static inline int glued(const char *text, const struct xtok *toks, size_t i, char c)
{
	return i > 0 && (toks[i].flags & XT_PUNCT_BEFORE) && toks[i - 1].end + 1 == toks[i].start &&
	       text[toks[i].start - 1] == c;
}

/* Token i is a piece of a document code ('01-CT/TU', '46/2016/NĐ-CP'):
 * glued to a '/', or glued by '-' to a number or to a token glued to a
 * '/' before it.  Not 'Covid-19', 'F-16': a number after the '-' makes no
 * code of the letters before it.  Nothing of any one language: '/' joins
 * the parts of codes, not words, in news text. */
static int code_piece(const char *text, const struct xtok *toks, size_t ntok, size_t i)
{
	if (glued(text, toks, i, '/') || (i + 1 < ntok && glued(text, toks, i + 1, '/')))
		return 1;
	return glued(text, toks, i, '-') && ((toks[i - 1].flags & XT_DIGIT) || glued(text, toks, i - 1, '/'));
}

/* The syllable of token i when it can be a term (or half of a bigram),
 * else NULL: no stop words, numbers, single letters, unknown short codes
 * (CT, TU), roman numerals or pieces of document codes.  Always inlined:
 * the counting loop runs it on every token. */
static inline __attribute__((always_inline)) const struct xsyl *
term_syl(const char *text, const struct xtok *toks, size_t ntok, const uint32_t *tsyl, const struct xsyl *cs_syl,
	 size_t i)
{
	const struct xtok *t = &toks[i];
	uint32_t fl = t->flags, len = t->end - t->start;
	const struct xsyl *sy;

	if ((fl & (XT_ALPHA | XT_DIGIT)) != XT_ALPHA || len < 2)
		return NULL;
	sy = &cs_syl[tsyl[i]];
	if ((sy->flags & (XS_STOP | XS_NUM)) ||
	    ((fl & XT_UPPER) && len <= 4 && (sy->df == 0 || roman(text + t->start, len))))
		return NULL;
	/* the flags say at once whether punctuation touches either side:
	 * only then are the bytes read */
	if (((fl & XT_PUNCT_BEFORE) || (i + 1 < ntok && (toks[i + 1].flags & XT_PUNCT_BEFORE))) &&
	    code_piece(text, toks, ntok, i))
		return NULL;
	return sy;
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

static void counts_clear(struct xctx *x)
{
	x->tf_used.esz = sizeof(struct tused);
	x->term_slots.esz = sizeof(struct tslot);
	for (size_t i = 0; i < x->tf_used.len; i++)
		x->tf[XVEC_AT(&x->tf_used, struct tused, i).cid] = 0;
	x->tf_used.len = 0;
	for (size_t i = 0; i < x->term_slots.len; i++)
		x->terms.keys[XVEC_AT(&x->term_slots, struct tslot, i).slot] = 0;
	x->term_slots.len = 0;
	x->terms.n = 0;
}

/* The candidate for a term with count tf and document frequency df, or
 * 0 when the term is out (same rules as before the counting was split). */
static inline int score_term(const struct xpack *p, int bigram, uint32_t tf, uint32_t df, uint32_t mindf,
			     double *score)
{
	double N = (double)(p->df_docs ? p->df_docs : 1);

	if (p->df_docs) {
		if (df == 0 && (bigram || tf < 2))
			return 0; /* an unattested pair, or a one-off typo */
		/* a bigram must be a word of the language, not two words that
		 * happen to meet: it accounts for a fair share of the rarer
		 * syllable's documents (mindf: the smaller DF of the two) */
		if (bigram && (mindf == 0 || (double)df < 0.12 * (double)mindf))
			return 0;
	}
	/* the tables hold exactly these expressions, computed once */
	double idf = !p->df_docs ? 1.0
		     : df < p->idf_n ? p->idf_tab[df]
				     : log((N + 1.0) / ((double)df + 1.0)) + 1.0;
	double tfw = tf < XTFW_N ? p->tfw_tab[tf] : 1.0 + log((double)tf);
	*score = tfw * idf * (bigram ? 1.0 : 0.75);
	return 1;
}


/* Counts the article's terms: unigrams in x->tf (listed in x->tf_used),
 * bigrams in x->terms (listed in x->term_slots); both lists sized by the
 * caller.  need_dict: a DF table is loaded.  Always inlined into its two
 * callers, so that need_dict is a constant and each loop is lean. */
static inline __attribute__((always_inline)) void count_terms(struct xctx *x, const struct xsyl *cs_syl,
								 const int need_dict)
{
	size_t ntok = x->toks.len;
	/* the pack's bigram DF hash (when it has one), held here: the stores
	 * below (uint64, size_t alike) would make the compiler reload the
	 * pack's fields on every token */
	const struct xpack *p = x->pack;
	const uint64_t *bg = need_dict ? p->bg_hash : NULL;
	size_t bg_mask = p->bg_mask;
	uint32_t nd = (uint32_t)p->dict.ents.len;

	/* locals: the stores into tf and the lists would otherwise make
	 * the compiler reload every field of x and t on each token */
	const struct xtok *toks = x->toks.p;
	const uint32_t *tsyl = x->tsyl.p;
	const char *text = x->text;
	struct tocc *restrict occ = x->kw_next.p;
	uint32_t *restrict tf = x->tf;
	struct tused *restrict used = x->tf_used.p;
	struct tslot *restrict slots = x->term_slots.p;
	uint64_t *restrict keys = x->terms.keys;
	uint32_t *restrict vals = x->terms.vals;
	size_t mask = x->terms.nslots - 1, nused = 0, nslots = 0;
	/* prev: the syllable before, when a bigram may end at this token (one
	 * pointer carried from token to token, so that it stays in a
	 * register).  With a DF table, a pair with an unknown syllable is
	 * never a term: not counting it changes nothing, so such a syllable
	 * starts and ends no bigram. */
	const struct xsyl *prev = NULL;
	for (size_t i = 0; i < ntok; i++) {
		uint32_t fl = toks[i].flags, idx;
		const struct xsyl *sy = term_syl(text, toks, ntok, tsyl, cs_syl, i);
		occ[i].term = NO_TERM;
		if (!sy) {
			prev = NULL;
			continue;
		}
		idx = sy->cid;
		if ((fl & (XT_SPACE_BEFORE | XT_NEWLINE_BEFORE | XT_PUNCT_BEFORE)) != XT_SPACE_BEFORE)
			prev = NULL; /* only spaces may stand inside a bigram */
		if (tf[idx]++ == 0) {
			used[nused].cid = idx;
			used[nused].df = sy->df;
			used[nused].first = (uint32_t)i;
			used[nused++].ia = tsyl[i];
		}
		int in = !need_dict || sy->dict_id != UINT32_MAX;
		if (prev && in) {
			uint64_t key = ((uint64_t)(prev->cid + 1) << 32) | (uint64_t)(idx + 1);
			size_t s = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 40) & mask;
			while (keys[s] && keys[s] != key)
				s = (s + 1) & mask;
			if (!keys[s]) {
				slots[nslots].slot = (uint32_t)s;
				slots[nslots].da = prev->dict_id;
				slots[nslots].db = sy->dict_id;
				slots[nslots].mindf = prev->df < sy->df ? prev->df : sy->df;
				slots[nslots].ia = (uint32_t)(prev - cs_syl);
				slots[nslots].ib = tsyl[i];
				slots[nslots].tf = 1;
				slots[nslots].first = slots[nslots].last = (uint32_t)i;
				slots[nslots].df = DF_UNKNOWN;
				occ[i].term = (uint32_t)nslots;
				vals[s] = (uint32_t)nslots++;
				/* its DF is looked up after counting, in a table far
				 * larger than the cache: fetch it now, while the rest
				 * of the counting runs (prefetching just before the
				 * lookups left them waiting on memory all the same) */
				if (bg)
					__builtin_prefetch(&bg[xpack_bigram_home(nd, bg_mask, prev->dict_id, sy->dict_id)]);
				keys[s] = key;
			} else {
				struct tslot *ts = &slots[vals[s]];
				ts->tf++;
				occ[ts->last].next = (uint32_t)i;
				ts->last = (uint32_t)i;
				occ[i].term = vals[s];
			}
		}
		prev = in ? sy : NULL;
	}
	x->tf_used.len = nused;
	x->term_slots.len = x->terms.n = nslots;
}

/* DF of bigram u, looked up once. */
static uint32_t slot_df(const struct xpack *p, struct tslot *ts)
{
	if (ts->df == DF_UNKNOWN)
		ts->df = xpack_bigram_df(p, ts->da, ts->db);
	return ts->df;
}

/* Is bigram v more cohesive than bigram u: DF(v)/minDF(v) > DF(u)/minDF(u)? */
static int more_cohesive(const struct xpack *p, struct tslot *tsl, uint32_t v, uint32_t u)
{
	uint64_t dv = slot_df(p, &tsl[v]), du = slot_df(p, &tsl[u]);
	return dv * tsl[u].mindf > du * tsl[v].mindf;
}

/* Does a multi-word entry of the pack's lexicon (any pattern of its
 * automaton: a place, an organisation, a title, a cue) end at token a,
 * having started before it, or start at token b = a + 1 and go on past
 * it?  Then the pair a b straddles the entry's edge ('tỉnh kon' of 'tỉnh
 * Kon Tum', 'tịch hđnd' of 'Chủ tịch HĐND'). */
static int crosses_entry(const struct xctx *x, size_t a, size_t b)
{
	const uint32_t *tm = x->tokmatch.p;
	const struct ac_match *m = x->matches.p;
	const struct xtok *t = x->toks.p;
	size_t nm = x->matches.len;

	if (x->tokmatch.len != x->toks.len)
		return 0; /* no scan of this text (no pack matched) */
	if (tm[b] && m[tm[b] - 1].end > t[b].end) /* longest first */
		return 1;
	for (size_t j = a > 4 ? a - 4 : 0; j < a; j++)
		for (size_t k = tm[j] ? tm[j] - 1 : nm; k < nm && m[k].start == t[j].start; k++)
			if (m[k].end == t[a].end)
				return 1;
	return 0;
}

/* A capitalised word (not all capitals: a heading in capitals is no name). */
#define NAME_WORD(f) (((f) & (XT_CAP | XT_UPPER)) == XT_CAP)
#define SPACE_ONLY(f) (((f) & (XT_SPACE_BEFORE | XT_NEWLINE_BEFORE | XT_PUNCT_BEFORE)) == XT_SPACE_BEFORE)

/* Are tokens a, b = a + 1 two capitalised words inside a run of three or
 * more ('Nguyễn Văn Cường', 'Thổ Nhĩ Kỳ')?  Then the pair is a piece of a
 * name (the entities' business), no tag.  A sentence's first word is
 * capitalised anyway and does not lengthen a run ('Tại Hà Nội'). */
static int name_piece(const struct xtok *t, size_t ntok, size_t a, size_t b)
{
	if (!NAME_WORD(t[a].flags) || !NAME_WORD(t[b].flags))
		return 0;
	if (a > 0 && NAME_WORD(t[a - 1].flags) && !(t[a - 1].flags & XT_SENT) && SPACE_ONLY(t[a].flags))
		return 1;
	return b + 1 < ntok && NAME_WORD(t[b + 1].flags) && SPACE_ONLY(t[b + 1].flags);
}

/* Does the bigram ending at token i (term index v, the rival of a
 * candidate) claim its syllables there: it straddles no lexicon entry's
 * edge and is not beaten itself by its own rival on the far side (term
 * index far, NO_TERM: none)?  'khiển xe' in 'điều khiển xe máy' beats 'xe
 * máy' on the figures, but 'điều khiển' beats it first. */
static int rival_holds(const struct xctx *x, struct tslot *tsl, size_t i, uint32_t v, uint32_t far)
{
	if (crosses_entry(x, i - 1, i))
		return 0;
	return far == NO_TERM || !more_cohesive(x->pack, tsl, far, v);
}

/* Does bigram u stand as a word at a share >= want of its occurrences?
 * At an occurrence it does when it does not straddle the edge of a
 * lexicon entry nor sit inside a longer name, and (with a DF table) no
 * bigram sharing its first syllable on the left, nor its second on the
 * right, is more cohesive and holds (rival_holds).  A pair that crosses a
 * word boundary ('ương đảng' in 'Trung ương Đảng', 'định khởi' in 'quyết
 * định khởi tố') loses to the word on either side; the word wins.  At
 * most the first WALK_MAX occurrences are looked at (a fair sample), and
 * the walk stops as soon as the answer is known; the cheap tests go
 * first.  All for the cost: this runs for every bigram the choice pops. */
#define WALK_MAX 12
static int stands(const struct xctx *x, struct tslot *tsl, uint32_t u, double want)
{
	const struct tocc *occ = x->kw_next.p;
	const struct xtok *t = x->toks.p;
	size_t ntok = x->toks.len, n = tsl[u].tf < WALK_MAX ? tsl[u].tf : WALK_MAX;
	size_t need = (size_t)ceil(want * (double)n - 1e-9), won = 0, lost = 0;
	uint32_t i = tsl[u].first;
	const int dict = x->pack->df_docs != 0;

	for (size_t k = 0; k < n; k++, i = occ[i].next) {
		uint32_t l = occ[i - 1].term; /* i >= 1: a bigram ends at i */
		uint32_t r = i + 1 < ntok ? occ[i + 1].term : NO_TERM;
		int lose = name_piece(t, ntok, i - 1, i);
		if (!lose && dict && l != NO_TERM && more_cohesive(x->pack, tsl, l, u) &&
		    rival_holds(x, tsl, i - 1, l, i >= 2 ? occ[i - 2].term : NO_TERM))
			lose = 1;
		if (!lose && dict && r != NO_TERM && more_cohesive(x->pack, tsl, r, u) &&
		    rival_holds(x, tsl, i + 1, r, i + 2 < ntok ? occ[i + 2].term : NO_TERM))
			lose = 1;
		if (!lose)
			lose = crosses_entry(x, i - 1, i);
		if (lose) {
			if (++lost > n - need)
				return 0;
		} else if (++won >= need) {
			return 1;
		}
	}
	return won >= need;
}

/* Is the unigram of tu (count tf) as good as always one half of one
 * cohesive bigram ('ốc' of 'địa ốc')?  Then that bigram, not the half,
 * is the keyword.  Only the bigrams at its first occurrence are asked:
 * one that holds a share >= want of its occurrences is there unless the
 * first occurrence is among the few others. */
static int half_of_pair(const struct xctx *x, struct tslot *tsl, const struct tused *tu, uint32_t tf, double want)
{
	const struct tocc *occ = x->kw_next.p;
	size_t ntok = x->toks.len;
	uint32_t f = tu->first, cand[2];

	cand[0] = occ[f].term;
	cand[1] = f + 1 < ntok ? occ[f + 1].term : NO_TERM;
	for (int c = 0; c < 2; c++) {
		struct tslot *ts;
		if (cand[c] == NO_TERM)
			continue;
		ts = &tsl[cand[c]];
		if ((double)ts->tf >= want * (double)tf && ts->mindf &&
		    (double)slot_df(x->pack, ts) >= 0.12 * (double)ts->mindf)
			return 1;
	}
	return 0;
}

/* The pack's keyword settings (its YAML's `keywords` section), read once. */
static void kw_settings(const struct xctx *x, struct xpack *p)
{
	const struct newsd_config *c = p->cfg && x->h ? x->h->cfg_child(p->cfg, "keywords") : NULL;
	double v;

	/* defaults: the rules off */
	p->kw_pair_won = 0;
	p->kw_unigram_pair = 2;
	if (c && (v = x->h->cfg_float(c, "pair_won")) > 0 && v <= 1)
		p->kw_pair_won = v;
	if (c && (v = x->h->cfg_float(c, "unigram_in_pair")) > 0 && v <= 1)
		p->kw_unigram_pair = v;
	p->kw_loaded = 1;
}

static void count_terms_dict(struct xctx *x, const struct xsyl *cs_syl)
{
	count_terms(x, cs_syl, 1);
}

static void count_terms_nodict(struct xctx *x, const struct xsyl *cs_syl)
{
	count_terms(x, cs_syl, 0);
}

int x_keywords(struct xctx *x, size_t k)
{
	struct xpack *p = x->pack;
	const struct xsyl *cs_syl = p->cache_syl.p;
	struct xvec *cv = &x->cands;
	size_t ntok = x->toks.len;
	int rc = -1;
	char buf[512];

	if (k == 0)
		return 0;
	if (!p->kw_loaded)
		kw_settings(x, p);
	cv->esz = sizeof(struct cand);
	x->kw_next.esz = sizeof(struct tocc);
	cv->len = 0;
	/* Unigrams are counted in an array by canonical id, bigrams in a hash
	 * table sized to the article; both are cleared through the lists of
	 * what was touched, not by sweeping (the old 8192-slot map was swept
	 * and memset on every article).  Neither list can outgrow the tokens,
	 * so both are sized once here and the loop below never checks. */
	counts_clear(x);
	if (tf_reserve(x, p->canon_ids.ents.len) < 0 || xvec_reserve(&x->tf_used, ntok) < 0 ||
	    xvec_reserve(&x->term_slots, ntok) < 0 || xvec_reserve(&x->kw_next, ntok) < 0)
		goto out;
	{
		size_t want = 64;
		while (want < 2 * (ntok + 1))
			want *= 2;
		if (x->terms.nslots < want) {
			u64map_free(&x->terms);
			if (u64map_init(&x->terms, want / 2) < 0)
				goto out;
		}
	}
	if (p->df_docs)
		count_terms_dict(x, cs_syl);
	else
		count_terms_nodict(x, cs_syl);
	/* Only the best m = 4k candidates can matter (the choice below reads
	 * no further).  Their floor, the m-th best score so far, is kept in a
	 * heap of scores; a candidate below it is dropped at once, the others
	 * go to a pool in x->cands (the score heap lives past the pool).  At
	 * the end the pool's candidates at or above the final floor hold the
	 * best m, ties at the floor included. */
	size_t m = k * 4, nh = 0, np = 0;
	size_t most = x->tf_used.len + x->term_slots.len;
	/* the heap fills only when m <= most (so a large max_keywords costs
	 * nothing): room for m + 1 scores then, the last the sentinel */
	if (xvec_reserve(cv, most + (m <= most ? m / 2 + 1 : most / 2 + 1)) < 0)
		goto out;
	struct cand *pool = cv->p;
	double *hs = (double *)(pool + most);
	if (m <= most)
		hs[m] = INFINITY;
	const struct tused *used = x->tf_used.p;
	for (size_t u = 0; u < x->tf_used.len; u++) {
		double score;
		if (!score_term(p, 0, x->tf[used[u].cid], used[u].df, 0, &score))
			continue;
		if (nh == m && score < hs[0])
			continue;
		pool[np].score = score;
		pool[np].ref = (uint32_t)u;
		pool[np++].skipped = 0;
		floor_offer(hs, &nh, m, score);
	}
	/* Bigram DFs are lookups in a table larger than the cache.  A bigram
	 * whose best possible score (its DF at the cohesion minimum, 12 % of
	 * the rarer syllable's) is below the floor cannot make the cut, so its
	 * DF is not looked up here (its line was prefetched while counting;
	 * the choice may still ask it, as a rival of a candidate).  Every
	 * bigram stays in term_slots: the per-token records index it. */
	const int prune = p->df_docs && p->ub_idf;
	struct tslot *tsl = x->term_slots.p;
	for (size_t u = 0; u < x->term_slots.len; u++) {
		struct tslot *ts = &tsl[u];
		uint32_t tf = ts->tf, df = 0;
		double score;
		if (prune && nh == m) {
			double ia = p->ub_idf[ts->da], ib = p->ub_idf[ts->db];
			double ub = (tf < XTFW_N ? p->tfw_tab[tf] : 1.0 + log((double)tf)) * (ia > ib ? ia : ib);
			if (ub < hs[0])
				continue;
		}
		if (p->df_docs)
			df = ts->df = xpack_bigram_df(p, ts->da, ts->db);
		if (!score_term(p, 1, tf, df, ts->mindf, &score))
			continue;
		if (nh == m && score < hs[0])
			continue;
		pool[np].score = score;
		pool[np].ref = CAND_BIGRAM | (uint32_t)u;
		pool[np++].skipped = 0;
		floor_offer(hs, &nh, m, score);
	}
	/* The pool at or above the final floor, made a heap by rank and popped
	 * one at a time into its own tail (ranked candidate r ends at
	 * h[na-1-r]); the choice usually stops a little past k pops. */
	struct cand *h = pool;
	size_t na = 0, chosen = 0;
	if (nh == m) {
		for (size_t i = 0; i < np; i++)
			if (!(pool[i].score < hs[0]))
				h[na++] = pool[i];
	} else {
		na = np;
	}
	size_t total = na < m ? na : m, nheap = na;
	for (size_t i = na / 2; i-- > 0;)
		rank_down(x, h, na, i);
#define RANKED(r) h[na - 1 - (r)]
	for (size_t i = 0; i < total && chosen < k; i++) {
		int skip = 0;
		struct cand top = h[0];
		h[0] = h[--nheap];
		if (nheap)
			rank_down(x, h, nheap, 0);
		struct term ti = cand_term(x, top.ref);
		RANKED(i) = top;
		RANKED(i).t.a = ti.a;
		RANKED(i).t.b = ti.b;
		for (size_t j = 0; j < i && !skip; j++) {
			const struct cand *cj = &RANKED(j);
			if (cj->skipped)
				continue; /* not chosen */
			if (ti.b == UINT32_MAX && cj->t.b != UINT32_MAX && (cj->t.a == ti.a || cj->t.b == ti.a))
				skip = 1;
			if (ti.b != UINT32_MAX && cj->t.b == UINT32_MAX && (ti.a == cj->t.a || ti.b == cj->t.a))
				skip = 1;
		}
		/* a bigram that loses most of its occurrences (to a stronger
		 * neighbour pair, a lexicon entry's edge, a longer name) is no
		 * word; with a DF table, a unigram that is as good as always
		 * half of one cohesive pair is no keyword (see stands,
		 * half_of_pair); a single letter is none either */
		if (!skip && ti.b != UINT32_MAX)
			skip = p->kw_pair_won > 0 && !stands(x, tsl, top.ref & ~CAND_BIGRAM, p->kw_pair_won);
		else if (!skip && p->df_docs)
			skip = half_of_pair(x, tsl, &used[top.ref], x->tf[ti.a], p->kw_unigram_pair);
		if (!skip && ti.b == UINT32_MAX) {
			const struct xsyl *s1 = &cs_syl[ti.ia];
			unsigned char c0 = (unsigned char)xpack_syl_str(p, s1)[0];
			size_t cl = c0 < 0x80 ? 1 : c0 < 0xE0 ? 2 : c0 < 0xF0 ? 3 : 4;
			skip = s1->canon_len <= cl;
		}
		if (skip) {
			RANKED(i).skipped = 1;
			continue;
		}
		const struct xsyl *sa = &cs_syl[ti.ia];
		size_t n = 0;
		if (sa->canon_len >= sizeof(buf) / 2)
			continue;
		memcpy(buf, xpack_syl_str(p, sa), sa->canon_len);
		n = sa->canon_len;
		if (ti.b != UINT32_MAX) {
			const struct xsyl *sb = &cs_syl[ti.ib];
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
#undef RANKED
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
