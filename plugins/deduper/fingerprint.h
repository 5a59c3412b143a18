/* fingerprint.h — exact hash, MinHash sketch and LSH band keys of a text.
 *
 * Exact: XXH3-128 of the normalised tokens joined by one space.
 * Near: shingles of `shingle` consecutive tokens, each hashed to 64 bits,
 * summarised by one-permutation MinHash (DD_K bins, min per bin, empty bins
 * filled by optimal densification) — one hash per shingle instead of DD_K.
 Only the low 8 bits of every bin are kept (b-bit MinHash, 128 bytes).
 * LSH: DD_BANDS bands of DD_ROWS bins; a band key is a hash of the band's
 * 8-bit values (24 bits of entropy: about 2 chance candidates per query among
 * 1M stories, each dismissed by one 128-byte comparison), so keys are
 * recomputed from the sketch instead of being stored.  Confirmation: the
 * Jaccard similarity is estimated from all DD_K values with the b-bit
 * correction; containment follows from it and the shingle counts.
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
#define DD_BANDS 32 /* LSH bands */
#define DD_ROWS 3   /* bins per band (DD_BANDS * DD_ROWS <= DD_K) */

struct dd_sketch {
	uint8_t sig[DD_K]; /* low 8 bits of each bin's minimum */
};

/** LSH key of band b of sk. */
static inline uint32_t dd_band_key(const struct dd_sketch *sk, uint32_t b)
{
	const uint8_t *v = sk->sig + b * DD_ROWS;
	uint64_t x = ((uint64_t)b << 32) | (uint64_t)v[0] | (uint64_t)v[1] << 8 |
		     (uint64_t)v[2] << 16;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

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

/** Containment of the smaller shingle set in the larger, estimated from
 *  Jaccard j and the shingle counts. */
double dd_containment(double j, uint32_t na, uint32_t nb);

/** 64-bit SimHash of the same shingles (for the benchmark's comparison). */
uint64_t dd_simhash(const struct dd_tokens *t, int shingle);

/** Exact Jaccard similarity of the shingle sets of a and b (benchmark ground
 *  truth; allocates; -1 on ENOMEM). */
double dd_exact_jaccard(const struct dd_tokens *a, const struct dd_tokens *b, int shingle);

/** Identifies everything that makes sketches comparable (K, bands, rows,
 *  shingle size, hash seeds, normalisation version). */
uint32_t dd_params_id(int shingle, const struct dd_norm *nm);

#endif
