/* util.c — the hash set of util.h. */
#include "util.h"

int hset_init(struct hset *s, size_t expected)
{
	size_t cap = 16;

	while (cap < expected * 2 + 1)
		cap *= 2;
	memset(s, 0, sizeof(*s));
	s->keys = calloc(cap, sizeof(*s->keys));
	s->vals = calloc(cap, sizeof(*s->vals));
	if (!s->keys || !s->vals) {
		hset_free(s);
		return -1;
	}
	s->mask = cap - 1;
	return 0;
}

void hset_free(struct hset *s)
{
	free(s->keys);
	free(s->vals);
	memset(s, 0, sizeof(*s));
}

static int hset_grow(struct hset *s)
{
	struct hset n;

	if (hset_init(&n, (s->mask + 1)) < 0)
		return -1;
	for (size_t i = 0; i <= s->mask; i++)
		if (s->keys[i])
			hset_add(&n, s->keys[i], s->vals[i]);
	hset_free(s);
	*s = n;
	return 0;
}

int hset_add(struct hset *s, uint64_t key, uint32_t val)
{
	if (!key)
		key = 1;
	if ((s->n + 1) * 2 > s->mask + 1 && hset_grow(s) < 0)
		return -1;
	for (size_t i = key & s->mask;; i = (i + 1) & s->mask) {
		if (s->keys[i] == key) {
			s->vals[i] |= val;
			return 0;
		}
		if (!s->keys[i]) {
			s->keys[i] = key;
			s->vals[i] = val;
			s->n++;
			return 0;
		}
	}
}

int hset_get(const struct hset *s, uint64_t key, uint32_t *val)
{
	if (!s->keys)
		return 0;
	if (!key)
		key = 1;
	for (size_t i = key & s->mask;; i = (i + 1) & s->mask) {
		if (s->keys[i] == key) {
			if (val)
				*val = s->vals[i];
			return 1;
		}
		if (!s->keys[i])
			return 0;
	}
}
