/* util.c — growable buffers and hash maps used across the extractor. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
/* inlined: the hash of a short token is cheaper than the call into libxxhash */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "extractor_int.h"

int xbuf_reserve(struct xbuf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (need <= b->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int xbuf_add(struct xbuf *b, const char *s, size_t n)
{
	if (xbuf_reserve(b, b->len + n + 1) < 0)
		return -ENOMEM;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

void xbuf_free(struct xbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void *xvec_grow(struct xvec *v)
{
	size_t cap = v->cap ? v->cap * 2 : 16;
	void *p = realloc(v->p, cap * v->esz);

	if (!p)
		return NULL;
	v->p = p;
	v->cap = cap;
	return p;
}

int xvec_reserve(struct xvec *v, size_t n)
{
	size_t cap = v->cap ? v->cap : 16;
	void *p;

	if (n <= v->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if (!(p = realloc(v->p, cap * v->esz)))
		return -ENOMEM;
	v->p = p;
	v->cap = cap;
	return 0;
}

void xvec_free(struct xvec *v)
{
	free(v->p);
	v->p = NULL;
	v->len = v->cap = 0;
}

/* ---- strmap ---- */

int strmap_init(struct strmap *m, size_t hint)
{
	size_t n = 64;

	memset(m, 0, sizeof(*m));
	while (n < hint * 2)
		n *= 2;
	m->slots = calloc(n, sizeof(*m->slots));
	if (!m->slots)
		return -ENOMEM;
	m->nslots = n;
	m->ents.esz = sizeof(struct strmap_ent);
	return 0;
}

void strmap_free(struct strmap *m)
{
	free(m->slots);
	xvec_free(&m->ents);
	xbuf_free(&m->keys);
	memset(m, 0, sizeof(*m));
}

void strmap_clear(struct strmap *m)
{
	if (m->ents.len)
		memset(m->slots, 0, m->nslots * sizeof(*m->slots));
	m->ents.len = 0;
	m->keys.len = 0;
}

static long probe(const struct strmap *m, const char *k, size_t n, uint64_t hv, size_t *slot)
{
	size_t mask = m->nslots - 1;
	size_t i = (size_t)hv & mask;

	for (;;) {
		uint32_t e = m->slots[i];
		if (!e) {
			*slot = i;
			return -1;
		}
		const struct strmap_ent *ent = &XVEC_AT(&m->ents, struct strmap_ent, e - 1);
		if (ent->hash == hv && ent->klen == n && memcmp(m->keys.p + ent->koff, k, n) == 0)
			return (long)e - 1;
		i = (i + 1) & mask;
	}
}

long strmap_find(const struct strmap *m, const char *k, size_t n)
{
	size_t slot;

	if (!m->slots)
		return -1;
	return probe(m, k, n, XXH3_64bits(k, n), &slot);
}

static int strmap_grow(struct strmap *m)
{
	size_t n = m->nslots * 2;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t e = 0; e < m->ents.len; e++) {
		size_t i = (size_t)XVEC_AT(&m->ents, struct strmap_ent, e).hash & (n - 1);
		while (s[i])
			i = (i + 1) & (n - 1);
		s[i] = (uint32_t)e + 1;
	}
	free(m->slots);
	m->slots = s;
	m->nslots = n;
	return 0;
}

long strmap_put(struct strmap *m, const char *k, size_t n, uint32_t val, int *added)
{
	uint64_t hv = XXH3_64bits(k, n);
	size_t slot;
	long e;
	struct strmap_ent *ent;

	if (added)
		*added = 0;
	e = probe(m, k, n, hv, &slot);
	if (e >= 0)
		return e;
	if ((m->ents.len + 1) * 2 > m->nslots) {
		if (strmap_grow(m) < 0)
			return -1;
		(void)probe(m, k, n, hv, &slot);
	}
	ent = xvec_push(&m->ents);
	if (!ent)
		return -1;
	ent->hash = hv;
	ent->koff = (uint32_t)m->keys.len;
	ent->klen = (uint32_t)n;
	ent->val = val;
	if (xbuf_add(&m->keys, k, n) < 0) {
		m->ents.len--;
		return -1;
	}
	m->keys.len++; /* keep the NUL xbuf_add wrote after the key */
	m->slots[slot] = (uint32_t)m->ents.len;
	if (added)
		*added = 1;
	return (long)m->ents.len - 1;
}

/* ---- u64map ---- */

int u64map_init(struct u64map *m, size_t hint)
{
	size_t n = 64;

	memset(m, 0, sizeof(*m));
	while (n < hint * 2)
		n *= 2;
	m->keys = calloc(n, sizeof(*m->keys));
	m->vals = calloc(n, sizeof(*m->vals));
	if (!m->keys || !m->vals) {
		u64map_free(m);
		return -ENOMEM;
	}
	m->nslots = n;
	return 0;
}

void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static size_t mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

int u64map_put(struct u64map *m, uint64_t k, uint32_t v)
{
	size_t mask, i;

	if ((m->n + 1) * 2 > m->nslots) {
		struct u64map g;
		if (u64map_init(&g, m->nslots) < 0)
			return -ENOMEM;
		for (size_t j = 0; j < m->nslots; j++)
			if (m->keys[j])
				(void)u64map_put(&g, m->keys[j], m->vals[j]);
		u64map_free(m);
		*m = g;
	}
	mask = m->nslots - 1;
	i = mix64(k) & mask;
	while (m->keys[i] && m->keys[i] != k)
		i = (i + 1) & mask;
	if (!m->keys[i])
		m->n++;
	m->keys[i] = k;
	m->vals[i] = v;
	return 0;
}

int u64map_get(const struct u64map *m, uint64_t k, uint32_t *v)
{
	size_t mask, i;

	if (!m->nslots)
		return 0;
	mask = m->nslots - 1;
	i = mix64(k) & mask;
	while (m->keys[i]) {
		if (m->keys[i] == k) {
			*v = m->vals[i];
			return 1;
		}
		i = (i + 1) & mask;
	}
	return 0;
}

uint32_t u64map_inc(struct u64map *m, uint64_t k)
{
	size_t mask, i;

	if ((m->n + 1) * 2 > m->nslots && u64map_put(m, k, 0) < 0)
		return 0; /* the put grew the table (or failed); fall through below */
	mask = m->nslots - 1;
	i = mix64(k) & mask;
	while (m->keys[i] && m->keys[i] != k)
		i = (i + 1) & mask;
	if (!m->keys[i]) {
		m->keys[i] = k;
		m->vals[i] = 0;
		m->n++;
	}
	return ++m->vals[i];
}

void u64map_clear(struct u64map *m)
{
	if (m->n) {
		memset(m->keys, 0, m->nslots * sizeof(*m->keys));
		m->n = 0;
	}
}
