/* rank.c — TF-IDF similarities, LexRank, features and MMR selection. */
#include "rank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf16.h>

const char *const sz_feature_names[SZ_NF] = {
	"position", "first", "relative_position", "title", "centrality", "centroid",
	"length", "short",
};

#define FNV_OFF 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define LEXRANK_DAMPING 0.85f
#define LEXRANK_ITERS 30

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

void sz_rank_init(struct sz_rank *rk)
{
	memset(rk, 0, sizeof(*rk));
	rk->scattered = -1;
}

void sz_rank_free(struct sz_rank *rk)
{
	free(rk->feat);
	free(rk->words);
	free(rk->skip);
	free(rk->sim);
	free(rk->term);
	free(rk->tw);
	free(rk->toff);
	free(rk->idf);
	free(rk->dense);
	free(rk->norm);
	free(rk->df);
	free(rk->last);
	free(rk->hslot);
	free(rk->poff);
	free(rk->post);
	free(rk->cmap);
	free(rk->idftab);
	free(rk->scratch);
	free(rk->picked);
	memset(rk, 0, sizeof(*rk));
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
	h ^= h >> 29;
	return h * 0xBF58476D1CE4E5B9ull;
}

/* Term id of key (inserted when new). */
static uint32_t term_id(struct sz_rank *rk, uint64_t key)
{
	size_t mask = rk->hcap - 1;
	size_t i = (size_t)(key ^ (key >> 31)) & mask;

	for (;;) {
		struct sz_hslot *h = &rk->hslot[i];
		if (h->gen != rk->gen) {
			h->gen = rk->gen;
			h->key = key;
			h->val = rk->nids;
			return rk->nids++;
		}
		if (h->key == key)
			return h->val;
		i = (i + 1) & mask;
	}
}

/* Lower-case form of each code unit below SZ_CMAP that is a word
 * character (0 for the others), from ICU, built on first use. */
static int build_cmap(struct sz_rank *rk)
{
	rk->cmap = malloc(SZ_CMAP * sizeof(uint16_t));
	if (!rk->cmap)
		return -1;
	for (UChar32 c = 0; c < SZ_CMAP; c++)
		rk->cmap[c] = (uint16_t)(U16_IS_SURROGATE(c) || !sz_is_word_char(c) ? 0 : sz_lower(c));
	return 0;
}

static inline void emit_term(struct sz_rank *rk, uint64_t h, uint64_t *prev, int *have_prev)
{
	rk->term[rk->nterm++] = term_id(rk, h);
	if (*have_prev)
		rk->term[rk->nterm++] = term_id(rk, mix(*prev, h));
	*prev = h;
	*have_prev = 1;
}

/* Appends the unigram and bigram terms of u[a..b); returns the number of
 * words. */
static uint32_t add_terms(struct sz_rank *rk, const UChar *u, int32_t a, int32_t b)
{
	const uint16_t *cmap = rk->cmap;
	uint64_t h = FNV_OFF, prev = 0;
	int in = 0, have_prev = 0;
	uint32_t words = 0;

	while (a < b) {
		UChar32 l;

		if (u[a] < SZ_CMAP) {
			l = cmap[u[a++]];
		} else {
			UChar32 c;
			U16_NEXT(u, a, b, c);
			l = sz_is_word_char(c) ? sz_lower(c) : 0;
		}
		if (l) {
			h = (h ^ (uint64_t)l) * FNV_PRIME;
			in = 1;
			continue;
		}
		if (!in)
			continue;
		emit_term(rk, h, &prev, &have_prev);
		h = FNV_OFF;
		in = 0;
		words++;
	}
	if (in) {
		emit_term(rk, h, &prev, &have_prev);
		words++;
	}
	return words;
}

static int reserve(struct sz_rank *rk, size_t n, size_t maxterms)
{
	size_t hneed = 64;
	size_t ids = maxterms + 1;

	if (!rk->cmap && build_cmap(rk) < 0)
		return -1;
	if (grow((void **)&rk->feat, &rk->featcap, n * SZ_NF, sizeof(float)) < 0)
		return -1;
	if (grow((void **)&rk->toff, &rk->toffcap, n + 2, sizeof(uint32_t)) < 0)
		return -1;
	if (grow((void **)&rk->term, &rk->termcap, maxterms, sizeof(uint32_t)) < 0)
		return -1;
	if (grow((void **)&rk->tw, &rk->twcap, maxterms, sizeof(float)) < 0)
		return -1;
	if (2 * (n + 2) > rk->normcap) {
		size_t c = rk->normcap;
		void *p = realloc(rk->norm, (n + 2) * 2 * sizeof(float));
		if (!p)
			return -1;
		rk->norm = p;
		c = (n + 2) * 2;
		p = realloc(rk->words, c * sizeof(uint32_t));
		if (!p)
			return -1;
		rk->words = p;
		p = realloc(rk->skip, c);
		if (!p)
			return -1;
		rk->skip = p;
		rk->normcap = c;
	}
	if (grow((void **)&rk->scratch, &rk->scap, (n + 2) * 4, sizeof(float)) < 0)
		return -1;
	if (ids > rk->idcap) {
		size_t c = rk->idcap ? rk->idcap : 256;
		void *p;
		while (c < ids)
			c *= 2;
		if (!(p = realloc(rk->idf, c * sizeof(float))))
			return -1;
		rk->idf = p;
		if (!(p = realloc(rk->dense, c * sizeof(float))))
			return -1;
		rk->dense = p;
		memset(rk->dense, 0, c * sizeof(float));
		if (!(p = realloc(rk->df, c * sizeof(uint32_t))))
			return -1;
		rk->df = p;
		if (!(p = realloc(rk->last, c * sizeof(uint32_t))))
			return -1;
		rk->last = p;
		rk->idcap = c;
	}
	while (hneed < 2 * ids)
		hneed *= 2;
	if (hneed > rk->hcap) {
		free(rk->hslot);
		rk->hslot = calloc(hneed, sizeof(*rk->hslot));
		if (!rk->hslot) {
			rk->hcap = 0;
			return -1;
		}
		rk->hcap = hneed;
		rk->gen = 0;
	}
	if (++rk->gen == 0) {
		memset(rk->hslot, 0, rk->hcap * sizeof(*rk->hslot));
		rk->gen = 1;
	}
	if (grow((void **)&rk->idftab, &rk->idftabcap, n + 1, sizeof(float)) < 0)
		return -1;
	return 0;
}

/* dense[] <- TF-IDF vector of term list k (candidate or n = title). */
static void scatter(struct sz_rank *rk, size_t k)
{
	for (uint32_t t = rk->toff[k]; t < rk->toff[k + 1]; t++)
		rk->dense[rk->term[t]] += rk->tw[t];
}

/* Clears dense[] of list k and returns the squared norm it held. */
static float unscatter(struct sz_rank *rk, size_t k)
{
	float n2 = 0;

	for (uint32_t t = rk->toff[k]; t < rk->toff[k + 1]; t++) {
		float v = rk->dense[rk->term[t]];
		n2 += v * v;
		rk->dense[rk->term[t]] = 0;
	}
	return n2;
}

static float dot_dense(const struct sz_rank *rk, size_t k)
{
	float d = 0;

	for (uint32_t t = rk->toff[k]; t < rk->toff[k + 1]; t++)
		d += rk->dense[rk->term[t]] * rk->tw[t];
	return d;
}

static float sim_matrix(void *ctx, size_t i, size_t j)
{
	struct sz_rank *rk = ctx;
	return rk->sim[i * rk->n + j];
}

static float sim_on_demand(void *ctx, size_t i, size_t j)
{
	struct sz_rank *rk = ctx;
	float d;

	if (rk->scattered != (int)j) {
		if (rk->scattered >= 0)
			unscatter(rk, (size_t)rk->scattered);
		scatter(rk, j);
		rk->scattered = (int)j;
	}
	if (rk->norm[i] <= 0 || rk->norm[j] <= 0)
		return 0;
	d = dot_dense(rk, i);
	return d / (rk->norm[i] * rk->norm[j]);
}

/* Continuous LexRank: power iteration of the row-normalised similarity
 * graph with damping.  The matrix is symmetric, so column j of the
 * transition matrix is row j of sim scaled by 1/rowsum(j): each step is
 * q[i] = base + d * (sum_j sim[i][j] * p[j] / rowsum[j] + dangling / n). */
static void lexrank(struct sz_rank *rk, float *out)
{
	size_t n = rk->n;
	float *p = rk->scratch, *q = rk->scratch + n, *inv = rk->scratch + 2 * n,
	      *v = rk->scratch + 3 * n;
	float mx = 0;

	for (size_t i = 0; i < n; i++) {
		float s = 0;
		for (size_t j = 0; j < n; j++)
			s += rk->sim[i * n + j];
		inv[i] = s > 0 ? 1.0f / s : 0;
		p[i] = 1.0f / (float)n;
	}
	for (int it = 0; it < LEXRANK_ITERS; it++) {
		float dangling = 0, delta = 0, base;
		for (size_t j = 0; j < n; j++) {
			v[j] = p[j] * inv[j];
			if (inv[j] == 0)
				dangling += p[j];
		}
		base = (1 - LEXRANK_DAMPING) / (float)n + LEXRANK_DAMPING * dangling / (float)n;
		for (size_t i = 0; i < n; i++) {
			const float *row = rk->sim + i * n;
			float s = 0;
			for (size_t j = 0; j < n; j++)
				s += row[j] * v[j];
			q[i] = base + LEXRANK_DAMPING * s;
			delta += fabsf(q[i] - p[i]);
		}
		memcpy(p, q, n * sizeof(float));
		if (delta < 1e-5f)
			break;
	}
	for (size_t i = 0; i < n; i++)
		if (p[i] > mx)
			mx = p[i];
	for (size_t i = 0; i < n; i++)
		out[i] = mx > 0 ? p[i] / mx : 0;
}

/* All pairwise cosines through postings: only terms found in two or more
 * sentences contribute, so the cost is the sum over those terms of df^2
 * rather than n^2/2 sparse dot products.  sim[i][j] = sum_t tf_i tf_j
 * idf_t^2 / (|v_i| |v_j|). */
static int sim_matrix_build(struct sz_rank *rk)
{
	size_t n = rk->n, nt = rk->toff[n];
	uint32_t *poff, *post;

	if (grow((void **)&rk->poff, &rk->poffcap, (size_t)rk->nids + 1, sizeof(uint32_t)) < 0 ||
	    grow((void **)&rk->post, &rk->postcap, nt + 1, sizeof(uint32_t)) < 0)
		return -1;
	poff = rk->poff;
	post = rk->post;
	memset(rk->sim, 0, n * n * sizeof(float));
	/* counting sort of the candidates' occurrences by term id */
	memset(poff, 0, ((size_t)rk->nids + 1) * sizeof(uint32_t));
	for (size_t t = 0; t < nt; t++)
		poff[rk->term[t] + 1]++;
	for (uint32_t id = 0; id < rk->nids; id++)
		poff[id + 1] += poff[id];
	for (size_t i = 0; i < n; i++)
		for (uint32_t t = rk->toff[i]; t < rk->toff[i + 1]; t++)
			post[poff[rk->term[t]]++] = (uint32_t)i;
	/* poff[id] now ends list id; it starts at poff[id - 1] (0 for id 0) */
	for (uint32_t id = 0; id < rk->nids; id++) {
		uint32_t a = id ? poff[id - 1] : 0, b = poff[id];
		float w2;
		if (rk->df[id] < 2)
			continue;
		w2 = rk->idf[id] * rk->idf[id];
		for (uint32_t x = a; x < b; x++)
			for (uint32_t y = x + 1; y < b; y++)
				if (post[x] != post[y]) /* lists are in sentence order */
					rk->sim[post[x] * n + post[y]] += w2;
	}
	for (size_t i = 0; i < n; i++) {
		rk->sim[i * n + i] = 0;
		for (size_t j = i + 1; j < n; j++) {
			float d = rk->sim[i * n + j];
			d = (d > 0 && rk->norm[i] > 0 && rk->norm[j] > 0)
				    ? d / (rk->norm[i] * rk->norm[j])
				    : 0;
			rk->sim[i * n + j] = rk->sim[j * n + i] = d;
		}
	}
	return 0;
}

int sz_rank_prepare(struct sz_rank *rk, const UChar *u, struct sz_sent *s, size_t n,
		    const UChar *title, int32_t tlen, int full_graph)
{
	size_t maxterms = (size_t)(tlen > 0 ? tlen : 0) + 2;
	float *tsim, *csim, *cent, tnorm2 = 0, dnorm2 = 0;

	if (rk->scattered >= 0)
		unscatter(rk, (size_t)rk->scattered);
	rk->scattered = -1;
	rk->n = n;
	rk->has_sim = 0;
	rk->nterm = 0;
	rk->nids = 0;
	for (size_t i = 0; i < n; i++)
		maxterms += (size_t)(s[i].u1 - s[i].u0) + 1;
	if (reserve(rk, n, maxterms) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		rk->toff[i] = (uint32_t)rk->nterm;
		rk->skip[i] = 0;
		rk->words[i] = s[i].words = add_terms(rk, u, (int32_t)s[i].u0, (int32_t)s[i].u1);
	}
	rk->toff[n] = (uint32_t)rk->nterm;
	if (title && tlen > 0)
		add_terms(rk, title, 0, tlen);
	rk->toff[n + 1] = (uint32_t)rk->nterm;

	/* document frequencies over the candidates, then IDF */
	for (uint32_t id = 0; id < rk->nids; id++) {
		rk->df[id] = 0;
		rk->last[id] = UINT32_MAX;
	}
	for (size_t i = 0; i < n; i++)
		for (uint32_t t = rk->toff[i]; t < rk->toff[i + 1]; t++)
			if (rk->last[rk->term[t]] != i) {
				rk->last[rk->term[t]] = (uint32_t)i;
				rk->df[rk->term[t]]++;
			}
	for (size_t f = 0; f <= n; f++)
		rk->idftab[f] = logf(((float)n + 1.0f) / ((float)f + 0.5f));
	for (uint32_t id = 0; id < rk->nids; id++)
		rk->idf[id] = rk->idftab[rk->df[id]];
	for (size_t t = 0; t < rk->nterm; t++)
		rk->tw[t] = rk->idf[rk->term[t]];

	for (size_t i = 0; i < n; i++) {
		scatter(rk, i);
		rk->norm[i] = sqrtf(unscatter(rk, i));
	}
	tsim = rk->scratch;
	csim = rk->scratch + n;
	cent = rk->scratch + 2 * n;
	/* title */
	scatter(rk, n);
	for (size_t i = 0; i < n; i++)
		tsim[i] = dot_dense(rk, i);
	tnorm2 = unscatter(rk, n);
	/* centroid */
	for (size_t i = 0; i < n; i++)
		scatter(rk, i);
	for (size_t i = 0; i < n; i++)
		csim[i] = dot_dense(rk, i);
	for (size_t i = 0; i < n; i++)
		dnorm2 += unscatter(rk, i);
	/* unscatter of each list sums partial squares only once per term
	 * because it zeroes as it goes: dnorm2 is the centroid's norm. */
	for (size_t i = 0; i < n; i++) {
		float ni = rk->norm[i];
		tsim[i] = (ni > 0 && tnorm2 > 0) ? tsim[i] / (ni * sqrtf(tnorm2)) : 0;
		csim[i] = (ni > 0 && dnorm2 > 0) ? csim[i] / (ni * sqrtf(dnorm2)) : 0;
		cent[i] = 0;
	}
	if (full_graph && n >= 2 && n <= SZ_GRAPH_MAX) {
		if (grow((void **)&rk->sim, &rk->simcap, n * n, sizeof(float)) < 0)
			return -1;
		if (sim_matrix_build(rk) < 0)
			return -1;
		rk->has_sim = 1;
		/* lexrank uses scratch[0..3n): move tsim/csim out of the way */
		for (size_t i = 0; i < n; i++) {
			rk->feat[i * SZ_NF + SZ_F_TITLE] = tsim[i];
			rk->feat[i * SZ_NF + SZ_F_CENTROID] = csim[i];
		}
		lexrank(rk, rk->norm + n + 2);
		for (size_t i = 0; i < n; i++)
			rk->feat[i * SZ_NF + SZ_F_CENTRAL] = rk->norm[n + 2 + i];
	} else {
		for (size_t i = 0; i < n; i++) {
			rk->feat[i * SZ_NF + SZ_F_TITLE] = tsim[i];
			rk->feat[i * SZ_NF + SZ_F_CENTROID] = csim[i];
			rk->feat[i * SZ_NF + SZ_F_CENTRAL] = 0;
		}
	}
	for (size_t i = 0; i < n; i++) {
		float *f = rk->feat + i * SZ_NF;
		uint32_t w = rk->words[i];
		f[SZ_F_POS] = 1.0f / (float)(i + 1);
		f[SZ_F_FIRST] = i == 0;
		f[SZ_F_RELPOS] = (float)i / (float)n;
		f[SZ_F_LEN] = (float)(w < 60 ? w : 60) / 60.0f;
		f[SZ_F_SHORT] = w < 10;
	}
	return 0;
}

void sz_rank_cands(struct sz_rank *rk, struct sz_cands *c)
{
	c->n = rk->n;
	c->feat = rk->feat;
	c->words = rk->words;
	c->ctx = rk;
	c->sim = rk->has_sim ? sim_matrix : sim_on_demand;
	c->skip = rk->skip;
}

size_t sz_rank_select(struct sz_rank *rk, const struct sz_weights *w, size_t max_sentences,
		      size_t max_words, uint32_t *out)
{
	struct sz_cands c;

	sz_rank_cands(rk, &c);
	return sz_select(&c, w, max_sentences, max_words, rk->scratch, out);
}

#define SKIP(c, i) ((c)->skip && (c)->skip[i])

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

size_t sz_select(const struct sz_cands *c, const struct sz_weights *w, size_t max_sentences,
		 size_t max_words, float *scratch, uint32_t *out)
{
	size_t n = c->n, k = 0, words = 0;
	float *score = scratch, *red = scratch + n;

	if (n == 0 || max_sentences == 0)
		return 0;
	if (n <= 2) {
		for (size_t i = 0; i < n && k < max_sentences; i++)
			if (!SKIP(c, i) && words + c->words[i] <= max_words) {
				out[k++] = (uint32_t)i;
				words += c->words[i];
			}
		for (size_t i = 0; i < n && k == 0; i++)
			if (!SKIP(c, i))
				out[k++] = (uint32_t)i; /* too long: truncated by the caller */
		return k;
	}
	for (size_t i = 0; i < n; i++) {
		const float *f = c->feat + i * SZ_NF;
		double s = 0;
		for (int j = 0; j < SZ_NF; j++)
			s += w->f[j] * f[j];
		score[i] = (float)s;
		red[i] = 0;
	}
	while (k < max_sentences) {
		size_t best = n;
		float bv = 0;
		for (size_t i = 0; i < n; i++) {
			float v;
			if (red[i] < 0 || SKIP(c, i)) /* chosen or excluded */
				continue;
			if ((double)c->words[i] < w->min_words || words + c->words[i] > max_words)
				continue;
			v = score[i] - (float)w->mmr * red[i];
			if (best == n || v > bv) {
				best = i;
				bv = v;
			}
		}
		if (best == n)
			break;
		out[k++] = (uint32_t)best;
		words += c->words[best];
		red[best] = -1;
		if ((double)words >= w->target_words)
			break;
		if (w->mmr != 0)
			for (size_t i = 0; i < n; i++)
				if (red[i] >= 0) {
					float s = c->sim(c->ctx, i, best);
					if (s > red[i])
						red[i] = s;
				}
	}
	if (k == 0) {
		/* nothing fits: the best sentence alone (truncated by the caller) */
		size_t best = n;
		for (size_t i = 0; i < n; i++)
			if (!SKIP(c, i) && (best == n || score[i] > score[best]))
				best = i;
		if (best == n)
			return 0;
		out[k++] = (uint32_t)best;
	}
	qsort(out, k, sizeof(*out), cmp_u32);
	return k;
}
