/* util.h — growable buffers and small hash sets for the cleaner.
 *
 * Buffers live in a per-call scratch context (struct cl_ctx) and keep their
 * capacity between articles, so steady-state processing allocates nothing.
 */
#ifndef CLEANER_UTIL_H
#define CLEANER_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/** A growable byte buffer.  p is (owned); free with buf_free. */
struct buf {
	char *p;
	size_t len, cap;
};

/** Makes room for `more` further bytes (plus a NUL).  0 or -1 (ENOMEM). */
static inline int buf_reserve(struct buf *b, size_t more)
{
	size_t need = b->len + more + 1;

	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

static inline int buf_put(struct buf *b, const void *s, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static inline int buf_putc(struct buf *b, char c)
{
	return buf_put(b, &c, 1);
}

static inline void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static inline void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/** Ensures *v (an array of elem-sized items) holds at least n items. */
static inline int vec_reserve(void **v, size_t *cap, size_t n, size_t elem)
{
	if (n <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < n)
		c *= 2;
	void *p = realloc(*v, c * elem);
	if (!p)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

/** An open-addressing set of 64-bit hashes with a 32-bit value each (the
 *  value of a key inserted twice is OR-ed).  Built at init, read-only
 *  afterwards, so it is safe to share between threads. */
struct hset {
	uint64_t *keys; /* (owned) 0 = empty slot */
	uint32_t *vals; /* (owned) */
	size_t mask;    /* capacity - 1 (capacity is a power of two) */
	size_t n;
};

int hset_init(struct hset *s, size_t expected);
void hset_free(struct hset *s);
int hset_add(struct hset *s, uint64_t key, uint32_t val);
/** 1 and *val set when key is present, else 0.  val may be NULL. */
int hset_get(const struct hset *s, uint64_t key, uint32_t *val);

/** Mixes a word hash into an n-gram hash (order-sensitive). */
static inline uint64_t ngram_mix(uint64_t h, uint64_t w)
{
	h ^= w + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
	return h ? h : 1;
}

#endif
