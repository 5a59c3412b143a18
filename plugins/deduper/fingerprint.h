/* fingerprint.h — exact hash, MinHash sketch and LSH band keys of a text.
 *
 * Exact: XXH3-128 of the normalised tokens joined by one space.
 * Near: shingles of `shingle` consecutive tokens, each hashed to 64 bits,
 * summarised by one-permutation MinHash (DD_K bins, min per bin, empty bins
 * filled by optimal densification) — one hash per shingle instead of DD_K.
 * LSH: DD_BANDS bands of DD_ROWS bins; a band key is a 32-bit hash of the
 * band's full 32-bit minima.  Confirmation: the low 8 bits of every bin are
 * kept (b-bit MinHash) and the Jaccard similarity is estimated from all DD_K
 * of them with the b-bit correction.
 *
 * Why MinHash and not SimHash: see README.md ("Near duplicates"); the
 * benchmark tests/bench/deduper prints both side by side.
 */
#ifndef DEDUPER_FINGERPRINT_H
#define DEDUPER_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#include "normalise.h"

#define DD_K 128    /* MinHash bins */
#define DD_BANDS 16 /* LSH bands */
#define DD_ROWS 4   /* bins per band (DD_BANDS * DD_ROWS <= DD_K) */

struct dd_sketch {
	uint32_t band[DD_BANDS]; /* LSH band keys */
	uint8_t sig[DD_K];       /* low 8 bits of each bin's minimum */
};

struct dd_fp {
	uint64_t exact[2];   /* XXH3-128 of the normalised text */
	uint32_t ntokens;
	uint32_t nshingles;  /* distinct not guaranteed: shingle count */
	int has_sketch;      /* 0 when the text is too short for near matching */
	struct dd_sketch sk;
};

/** Fingerprints t.  A sketch is made when t has at least min_tokens tokens
 *  (and at least one). */
void dd_fingerprint(const struct dd_tokens *t, int shingle, int min_tokens, struct dd_fp *out);

/** Estimated Jaccard similarity of two sketches, in [0, 1]. */
double dd_sketch_jaccard(const struct dd_sketch *a, const struct dd_sketch *b);

/** 64-bit SimHash of the same shingles (for the benchmark's comparison). */
uint64_t dd_simhash(const struct dd_tokens *t, int shingle);

/** Exact Jaccard similarity of the shingle sets of a and b (benchmark ground
 *  truth; allocates; -1 on ENOMEM). */
double dd_exact_jaccard(const struct dd_tokens *a, const struct dd_tokens *b, int shingle);

/** Identifies everything that makes sketches comparable (K, bands, rows,
 *  shingle size, hash seeds, normalisation version). */
uint32_t dd_params_id(int shingle, const struct dd_norm *nm);

#endif
