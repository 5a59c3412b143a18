/* fingerprint.c — see fingerprint.h. */
#include "fingerprint.h"

#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#define DD_FP_VERSION 2 /* bump when normalisation or hashing changes */

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline uint64_t rotl(uint64_t x, unsigned r)
{
	r &= 63;
	return r ? (x << r) | (x >> (64 - r)) : x;
}

/* Hash of shingle i: tokens i..i+k-1 (token hashes are already XXH3, so
 * position-rotated XOR and one finaliser suffice). */
static inline uint64_t shingle_hash(const uint64_t *h, size_t i, int k)
{
	uint64_t x = (uint64_t)k;
	for (int j = 0; j < k; j++)
		x ^= rotl(h[i + (size_t)j], (unsigned)j * 13);
	return mix64(x);
}

static size_t n_shingles(const struct dd_tokens *t, int k)
{
	if (t->n == 0)
		return 0;
	return t->n >= (size_t)k ? t->n - (size_t)k + 1 : 1;
}

void dd_fingerprint(const struct dd_tokens *t, int shingle, int min_tokens, struct dd_fp *out)
{
	uint32_t mins[DD_K];
	size_t ns = n_shingles(t, shingle);
	int k = t->n >= (size_t)shingle ? shingle : (int)t->n;
	XXH128_hash_t x = XXH3_128bits(t->text, t->len);

	out->exact[0] = x.low64;
	out->exact[1] = x.high64;
	out->ntokens = (uint32_t)t->n;
	out->nshingles = (uint32_t)ns;
	out->has_sketch = ns > 0 && t->n >= (size_t)(min_tokens > 0 ? min_tokens : 1);
	if (!out->has_sketch) {
		memset(&out->sk, 0, sizeof(out->sk));
		return;
	}
	memset(mins, 0xff, sizeof(mins));
	uint64_t filled[DD_K / 64] = {0};
	for (size_t i = 0; i < ns; i++) {
		uint64_t h = shingle_hash(t->hash, i, k);
		uint32_t bin = (uint32_t)(((h >> 32) * DD_K) >> 32);
		uint32_t v = (uint32_t)h;
		if (v < mins[bin])
			mins[bin] = v;
		filled[bin / 64] |= 1ULL << (bin % 64);
	}
	/* optimal densification (Shrivastava 2017): an empty bin copies the
	 * bin found by its own sequence of probes */
	for (uint32_t b = 0; b < DD_K; b++) {
		if (filled[b / 64] >> (b % 64) & 1)
			continue;
		for (uint64_t a = 1;; a++) {
			uint32_t src = (uint32_t)(mix64(((uint64_t)b << 32) | a) % DD_K);
			if (filled[src / 64] >> (src % 64) & 1) {
				mins[b] = mins[src];
				break;
			}
		}
	}
	for (int i = 0; i < DD_K; i++)
		out->sk.sig[i] = (uint8_t)mins[i];
}

double dd_sketch_jaccard(const struct dd_sketch *a, const struct dd_sketch *b)
{
	int eq = 0;
	for (int i = 0; i < DD_K; i++)
		eq += a->sig[i] == b->sig[i];
	/* b-bit MinHash: P(equal) = J + (1 - J) / 2^b */
	double p = (double)eq / DD_K, c = 1.0 / 256;
	double j = (p - c) / (1 - c);
	return j < 0 ? 0 : j > 1 ? 1 : j;
}

double dd_containment(double j, uint32_t na, uint32_t nb)
{
	uint32_t mn = na < nb ? na : nb;
	if (mn == 0)
		return 0;
	double c = j / (1 + j) * ((double)na + nb) / mn;
	return c > 1 ? 1 : c;
}

uint64_t dd_simhash(const struct dd_tokens *t, int shingle)
{
	int32_t v[64] = {0};
	size_t ns = n_shingles(t, shingle);
	int k = t->n >= (size_t)shingle ? shingle : (int)t->n;
	uint64_t out = 0;

	for (size_t i = 0; i < ns; i++) {
		uint64_t h = shingle_hash(t->hash, i, k);
		for (int b = 0; b < 64; b++)
			v[b] += (h >> b & 1) ? 1 : -1;
	}
	for (int b = 0; b < 64; b++)
		if (v[b] > 0)
			out |= 1ULL << b;
	return out;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static size_t shingle_set(const struct dd_tokens *t, int shingle, uint64_t *out)
{
	size_t ns = n_shingles(t, shingle), m = 0;
	int k = t->n >= (size_t)shingle ? shingle : (int)t->n;
	for (size_t i = 0; i < ns; i++)
		out[i] = shingle_hash(t->hash, i, k);
	qsort(out, ns, sizeof(*out), cmp_u64);
	for (size_t i = 0; i < ns; i++)
		if (m == 0 || out[m - 1] != out[i])
			out[m++] = out[i];
	return m;
}

double dd_exact_jaccard(const struct dd_tokens *a, const struct dd_tokens *b, int shingle)
{
	uint64_t *sa = malloc((a->n + 1) * sizeof(*sa)), *sb = malloc((b->n + 1) * sizeof(*sb));
	double r = -1;

	if (!sa || !sb)
		goto out;
	size_t na = shingle_set(a, shingle, sa), nb = shingle_set(b, shingle, sb), i = 0, j = 0,
	       inter = 0;
	while (i < na && j < nb) {
		if (sa[i] == sb[j])
			inter++, i++, j++;
		else if (sa[i] < sb[j])
			i++;
		else
			j++;
	}
	r = na + nb - inter ? (double)inter / (double)(na + nb - inter) : 1.0;
out:
	free(sa);
	free(sb);
	return r;
}

uint32_t dd_params_id(int shingle, const struct dd_norm *nm)
{
	uint32_t p[4 + DD_MAX_MOVABLE] = {DD_FP_VERSION, DD_K, DD_BANDS * 256 + DD_ROWS,
					  (uint32_t)shingle};
	for (int i = 0; i < nm->n_movable; i++)
		p[4 + i] = nm->movable[i];
	return (uint32_t)XXH3_64bits(p, sizeof(p));
}
