/* sz_eval.h — evaluation helpers for the summarizer: the VietNews corpus
 * reader, the held-out split, our ROUGE scorer, and a summarizer instance
 * driven through the real host (harness).
 *
 * ROUGE as scored here (documented in tests/bench/summarizer/README.md):
 *   - text is NFC-normalised (ICU unorm2) and lower-cased (u_strToLower,
 *     root locale);
 *   - tokens are maximal runs of letters, digits and combining marks
 *     (Vietnamese: syllables); punctuation is dropped;
 *   - ROUGE-N: clipped n-gram overlap; P = overlap / candidate n-grams,
 *     R = overlap / reference n-grams, F = 2PR / (P + R) (F1, beta = 1);
 *   - ROUGE-L: longest common subsequence of the two token sequences (the
 *     whole summary as one sequence), F1 as above;
 *   - corpus figure = mean of per-article F-scores, times 100.
 *   No stemming, no stop-word removal.
 *
 * Split: an article whose id number (vietnews-val-NNNNNN) is divisible by
 * 5 is held out for measuring; the others are the train side for fitting.
 */
#ifndef SZ_EVAL_H
#define SZ_EVAL_H

#include <stddef.h>
#include <stdint.h>
#include <unicode/unorm2.h>
#include <unicode/utypes.h>

#include "harness.h"
#include "summarizer.h"

struct sz_article {
	long num;      /* the id's number */
	char *id, *title, *summary, *body; /* (owned) */
	size_t body_len, title_len;
};

struct sz_corpus {
	struct sz_article *a;
	size_t n, cap;
};

/** Loads a (gzip'd) JSON Lines file of {id, title, summary, body}.
 *  0 or -1 (message on stderr). */
int sz_corpus_load(struct sz_corpus *c, const char *path);
void sz_corpus_free(struct sz_corpus *c);
static inline int sz_heldout(const struct sz_article *a)
{
	return a->num % 5 == 0;
}

/** Token vector (64-bit hashes). */
struct sz_toks {
	uint64_t *v;
	size_t n, cap;
};
void sz_toks_free(struct sz_toks *t);

struct sz_scorer {
	const UNormalizer2 *nfc;
	UChar *u, *w;
	int32_t cap;
	uint64_t *a, *b; /* n-gram scratch */
	uint32_t *row;   /* LCS rows */
	size_t scap;
};

struct sz_rouge {
	double r1, r2, rl; /* F1 in [0, 1] */
};

int sz_scorer_init(struct sz_scorer *s);
void sz_scorer_free(struct sz_scorer *s);
/** Appends the tokens of s[0..len) to t (t->n is not reset). 0 or -1. */
int sz_tokenize(struct sz_scorer *s, const char *text, size_t len, struct sz_toks *t);
/** ROUGE-1/2/L F1 of candidate c against reference r. */
struct sz_rouge sz_rouge(struct sz_scorer *s, const uint64_t *c, size_t nc, const uint64_t *r,
			 size_t nr);

/** A summarizer behind the harness: process records, or reach the vi
 *  language pack and a document state directly. */
struct sz_inst {
	struct harness *h;
	struct sz_pack pack;
	struct sz_doc doc;
	int have_pack, have_doc;
};
/** config: the plugin's YAML config block (NULL for defaults). 0 or -1. */
int sz_inst_open(struct sz_inst *in, const char *config, const char *lang);
void sz_inst_close(struct sz_inst *in);

/** Mean of per-article scores. */
struct sz_acc {
	double r1, r2, rl;
	size_t n;
};
static inline void sz_acc_add(struct sz_acc *a, struct sz_rouge r)
{
	a->r1 += r.r1;
	a->r2 += r.r2;
	a->rl += r.rl;
	a->n++;
}

#endif
