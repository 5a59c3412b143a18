/* rank.h — sentence features and selection for the summarizer.
 *
 * Each content sentence gets a feature vector (position prior, similarity
 * to the title, LexRank centrality, similarity to the document centroid,
 * length).  Similarities are cosines of TF-IDF vectors over lower-cased
 * syllables and syllable bigrams, with IDF taken over the document's own
 * sentences.  A sentence's score is a weighted sum of its features;
 * sentences are then picked greedily by score minus a redundancy (MMR)
 * penalty, within the sentence and word budgets.  The weights come from the
 * language pack (fitted by tests/bench/summarizer/fit.c; see
 * tools/summarizer-fit).
 *
 * A struct sz_rank is reused for every document (one per plugin instance,
 * not thread-safe): all buffers grow and are kept.
 */
#ifndef SUMMARIZER_RANK_H
#define SUMMARIZER_RANK_H

#include <stddef.h>
#include <stdint.h>
#include <unicode/utypes.h>

#include "sentences.h"

/* Articles with more candidate sentences get no LexRank (SZ_F_CENTRAL = 0)
 * and on-demand similarities: the graph is quadratic. */
#define SZ_GRAPH_MAX 400
#define SZ_CMAP 0x2500 /* code units cached: Latin, Greek, Cyrillic, Vietnamese, ... */

enum sz_feature {
	SZ_F_POS = 0,  /* 1 / (position + 1) among content sentences */
	SZ_F_FIRST,    /* 1 for the first content sentence */
	SZ_F_RELPOS,   /* position / number of content sentences */
	SZ_F_TITLE,    /* cosine with the title (0 without one) */
	SZ_F_CENTRAL,  /* LexRank score / the document's highest */
	SZ_F_CENTROID, /* cosine with the whole document */
	SZ_F_LEN,      /* min(words, 60) / 60 */
	SZ_F_SHORT,    /* 1 when fewer than 10 words */
	SZ_NF
};

extern const char *const sz_feature_names[SZ_NF];

/** A weight set (language pack `weights` / `weights_no_title`). */
struct sz_weights {
	double f[SZ_NF];
	double mmr;          /* penalty per unit of cosine to a chosen sentence */
	double target_words; /* stop adding once the summary has this many words */
	double min_words;    /* shorter sentences are not candidates */
};

/** What selection needs about the candidates of one document. */
struct sz_cands {
	size_t n;              /* content sentences */
	const float *feat;     /* n * SZ_NF */
	const uint32_t *words; /* n */
	float (*sim)(void *ctx, size_t i, size_t j); /* cosine of two candidates */
	void *ctx;
	const uint8_t *skip;   /* n flags, or NULL: flagged sentences are never chosen */
};

/** Picks sentences: returns how many, their candidate indices ascending in
 *  out[].  scratch: 2 * n floats.  Documents of at most 2 candidates are
 *  returned whole (as many as fit max_words).  When no sentence fits
 *  max_words, the best one is returned alone (the caller truncates it).
 *  Sentences flagged in c->skip are never returned (possibly none). */
size_t sz_select(const struct sz_cands *c, const struct sz_weights *w, size_t max_sentences,
		 size_t max_words, float *scratch, uint32_t *out);

struct sz_rank {
	/* per document */
	size_t n;               /* candidates */
	float *feat;            /* n * SZ_NF */
	uint32_t *words;
	float *sim;             /* n * n when computed, else NULL use */
	uint8_t *skip;          /* n flags set by the caller after prepare (0 by default) */
	int has_sim;
	/* terms */
	uint32_t *term;         /* doc-local term ids, candidates back to back, then title */
	float *tw;              /* idf of each term occurrence (parallel to term) */
	size_t twcap;
	uint32_t *toff;         /* n + 2 offsets into term */
	size_t nterm, termcap, toffcap;
	float *idf, *dense, *norm;
	uint32_t *df, *last;
	size_t idcap, normcap;
	uint32_t nids;
	/* term hash table: key -> id, cleared by generation stamps */
	struct sz_hslot {
		uint64_t key;
		uint32_t val, gen;
	} *hslot;
	size_t hcap;
	uint32_t *poff, *post;  /* postings (term -> candidates), for the graph */
	size_t poffcap, postcap;
	uint16_t *cmap;         /* lower-case word units below SZ_CMAP, 0 = not a word char */
	float *idftab;          /* idf by document frequency, 0..n */
	size_t idftabcap;
	uint32_t gen;
	/* scratch */
	size_t featcap, simcap;
	float *scratch;
	uint32_t *picked;
	size_t scap;
	int scattered; /* candidate currently in dense (-1 none) */
};

void sz_rank_init(struct sz_rank *rk);
void sz_rank_free(struct sz_rank *rk);

/** Computes features for sentences s[first..first+n) of u, with an
 *  optional title (UTF-16, may be NULL); fills s[].words.  full_graph: compute the n*n
 *  similarity matrix and LexRank (else SZ_F_CENTRAL is 0 and similarities
 *  are computed on demand).  0, or -1 on ENOMEM. */
int sz_rank_prepare(struct sz_rank *rk, const UChar *u, struct sz_sent *s, size_t n,
		    const UChar *title, int32_t tlen, int full_graph);

/** The candidates of the prepared document, for sz_select(). */
void sz_rank_cands(struct sz_rank *rk, struct sz_cands *c);

/** sz_select on the prepared document; out: candidate indices. */
size_t sz_rank_select(struct sz_rank *rk, const struct sz_weights *w, size_t max_sentences,
		      size_t max_words, uint32_t *out);

#endif
