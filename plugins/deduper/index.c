/* index.c — see index.h. */
#include "index.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define INIT_CAP 1024u
#define INIT_ARENA (64u * 1024u)

enum tab_kind { TAB_ID, TAB_EX, TAB_BAND };

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint64_t dd_id_hash(const char *id, size_t len)
{
	return XXH3_64bits(id, len);
}

static inline uint64_t band_home(uint32_t key, uint32_t b)
{
	return mix64((uint64_t)key | (uint64_t)b << 32);
}

/* Home position of table entry e (slot+1, or slot*BANDS+band+1). */
static inline uint32_t home_of(const struct dd_index *ix, enum tab_kind k, uint32_t e)
{
	const struct dd_slot *s;

	switch (k) {
	case TAB_ID:
		return (uint32_t)ix->slots[e - 1].id_hash & ix->id_mask;
	case TAB_EX:
		return (uint32_t)ix->slots[e - 1].exact[0] & ix->ex_mask;
	case TAB_BAND:
	default:
		s = &ix->slots[(e - 1) / DD_BANDS];
		return (uint32_t)band_home(dd_band_key(&s->sk, (e - 1) % DD_BANDS),
					   (e - 1) % DD_BANDS) &
		       ix->band_mask;
	}
}

static void tab_insert(struct dd_index *ix, enum tab_kind k, uint32_t *tab, uint32_t mask,
		       uint32_t e)
{
	uint32_t i = home_of(ix, k, e);
	while (tab[i])
		i = (i + 1) & mask;
	tab[i] = e;
}

/* Backward-shift deletion (linear probing keeps no tombstones). */
static void tab_remove(struct dd_index *ix, enum tab_kind k, uint32_t *tab, uint32_t mask,
		       uint32_t e)
{
	uint32_t i = home_of(ix, k, e);
	while (tab[i] && tab[i] != e)
		i = (i + 1) & mask;
	if (!tab[i])
		return;
	for (uint32_t j = i;;) {
		j = (j + 1) & mask;
		if (!tab[j])
			break;
		uint32_t h = home_of(ix, k, tab[j]);
		/* tab[j] may move to i unless its home lies cyclically in (i, j] */
		int stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
		if (!stays) {
			tab[i] = tab[j];
			i = j;
		}
	}
	tab[i] = 0;
}

static uint32_t pow2_at_least(uint64_t n)
{
	uint64_t p = 16;
	while (p < n)
		p <<= 1;
	return (uint32_t)p;
}

/* (Re)allocates the tables for ix->cap slots and fills them from the ring. */
static int build_tables(struct dd_index *ix)
{
	uint32_t idn = pow2_at_least((uint64_t)ix->cap * 2);
	uint32_t bn = pow2_at_least((uint64_t)ix->cap * DD_BANDS * 5 / 4);
	uint32_t *id = calloc(idn, sizeof(*id)), *ex = calloc(idn, sizeof(*ex)),
		 *band = calloc(bn, sizeof(*band));

	if (!id || !ex || !band) {
		free(id), free(ex), free(band);
		return -1;
	}
	free(ix->id_tab), free(ix->ex_tab), free(ix->band_tab);
	ix->id_tab = id, ix->ex_tab = ex, ix->band_tab = band;
	ix->id_mask = ix->ex_mask = idn - 1;
	ix->band_mask = bn - 1;
	for (uint64_t q = ix->tail; q < ix->head; q++) {
		uint32_t p = (uint32_t)(q % ix->cap);
		const struct dd_slot *s = &ix->slots[p];
		tab_insert(ix, TAB_ID, ix->id_tab, ix->id_mask, p + 1);
		if (s->flags & DD_IN_EXACT)
			tab_insert(ix, TAB_EX, ix->ex_tab, ix->ex_mask, p + 1);
		if (s->flags & DD_IN_BANDS)
			for (uint32_t b = 0; b < DD_BANDS; b++)
				tab_insert(ix, TAB_BAND, ix->band_tab, ix->band_mask,
					   p * DD_BANDS + b + 1);
	}
	return 0;
}

int dd_index_init(struct dd_index *ix, uint32_t max_stories, int64_t window_seconds)
{
	memset(ix, 0, sizeof(*ix));
	if (max_stories == 0 || max_stories > UINT32_MAX / DD_BANDS / 4)
		return -1;
	ix->max = max_stories;
	ix->cap = max_stories < INIT_CAP ? max_stories : INIT_CAP;
	ix->window = window_seconds;
	ix->slots = calloc(ix->cap, sizeof(*ix->slots));
	ix->acap = INIT_ARENA;
	ix->arena = malloc(ix->acap);
	if (!ix->slots || !ix->arena || build_tables(ix) < 0) {
		dd_index_free(ix);
		return -1;
	}
	return 0;
}

void dd_index_free(struct dd_index *ix)
{
	free(ix->slots);
	free(ix->id_tab), free(ix->ex_tab), free(ix->band_tab);
	free(ix->arena);
	memset(ix, 0, sizeof(*ix));
}

static void evict_oldest(struct dd_index *ix)
{
	uint32_t p = (uint32_t)(ix->tail % ix->cap);
	struct dd_slot *s = &ix->slots[p];

	tab_remove(ix, TAB_ID, ix->id_tab, ix->id_mask, p + 1);
	if (s->flags & DD_IN_EXACT)
		tab_remove(ix, TAB_EX, ix->ex_tab, ix->ex_mask, p + 1);
	if (s->flags & DD_IN_BANDS)
		for (uint32_t b = 0; b < DD_BANDS; b++)
			tab_remove(ix, TAB_BAND, ix->band_tab, ix->band_mask, p * DD_BANDS + b + 1);
	ix->atail = s->str_pos + s->id_len + s->of_len;
	ix->tail++;
	if (ix->tail == ix->head)
		ix->atail = ix->ahead;
}

void dd_index_evict_age(struct dd_index *ix, int64_t now)
{
	if (ix->window <= 0)
		return;
	while (ix->tail < ix->head && ix->slots[ix->tail % ix->cap].time < now - ix->window) {
		evict_oldest(ix);
		ix->evicted_age++;
	}
}

const char *dd_slot_id(const struct dd_index *ix, const struct dd_slot *s)
{
	return ix->arena + s->str_pos % ix->acap;
}

const char *dd_slot_of(const struct dd_index *ix, const struct dd_slot *s)
{
	return s->of_len ? ix->arena + s->str_pos % ix->acap + s->id_len : NULL;
}

uint64_t dd_slot_age_rank(const struct dd_index *ix, const struct dd_slot *s)
{
	uint64_t p = (uint64_t)(s - ix->slots), t = ix->tail % ix->cap;
	return (p + ix->cap - t) % ix->cap;
}

const struct dd_slot *dd_index_find_id(const struct dd_index *ix, const char *id, size_t len)
{
	uint64_t h = dd_id_hash(id, len);

	for (uint32_t i = (uint32_t)h & ix->id_mask; ix->id_tab[i]; i = (i + 1) & ix->id_mask) {
		const struct dd_slot *s = &ix->slots[ix->id_tab[i] - 1];
		if (s->id_hash == h && s->id_len == len && !memcmp(dd_slot_id(ix, s), id, len))
			return s;
	}
	return NULL;
}

const struct dd_slot *dd_index_find_exact(const struct dd_index *ix, const uint64_t exact[2])
{
	const struct dd_slot *best = NULL;

	for (uint32_t i = (uint32_t)exact[0] & ix->ex_mask; ix->ex_tab[i];
	     i = (i + 1) & ix->ex_mask) {
		const struct dd_slot *s = &ix->slots[ix->ex_tab[i] - 1];
		if (s->exact[0] == exact[0] && s->exact[1] == exact[1] &&
		    (!best || dd_slot_age_rank(ix, s) < dd_slot_age_rank(ix, best)))
			best = s;
	}
	return best;
}

size_t dd_index_candidates(const struct dd_index *ix, const struct dd_sketch *sk,
			   const struct dd_slot **out, size_t max)
{
	size_t n = 0;
	const size_t per_band = max / 4 + 1; /* a hot key must not starve the others */

	for (uint32_t b = 0; b < DD_BANDS && n < max; b++) {
		size_t got = 0;
		uint32_t key = dd_band_key(sk, b);
		for (uint32_t i = (uint32_t)band_home(key, b) & ix->band_mask;
		     ix->band_tab[i] && got < per_band && n < max; i = (i + 1) & ix->band_mask) {
			uint32_t e = ix->band_tab[i] - 1;
			const struct dd_slot *s = &ix->slots[e / DD_BANDS];
			size_t j;
			if (e % DD_BANDS != b ||
			    memcmp(s->sk.sig + b * DD_ROWS, sk->sig + b * DD_ROWS, DD_ROWS))
				continue;
			got++;
			for (j = 0; j < n && out[j] != s; j++)
				;
			if (j == n)
				out[n++] = s;
		}
	}
	return n;
}

static int grow_ring(struct dd_index *ix)
{
	uint32_t ncap = ix->cap > ix->max / 2 ? ix->max : ix->cap * 2;
	struct dd_slot *ns = calloc(ncap, sizeof(*ns));
	struct dd_slot *old = ix->slots;
	uint32_t ocap = ix->cap;

	if (!ns)
		return -1;
	for (uint64_t q = ix->tail; q < ix->head; q++)
		ns[q % ncap] = old[q % ocap];
	ix->slots = ns;
	ix->cap = ncap;
	if (build_tables(ix) < 0) {
		ix->slots = old;
		ix->cap = ocap;
		free(ns);
		return -1;
	}
	free(old);
	return 0;
}

/* Room for n contiguous arena bytes; returns their position. */
static int arena_alloc(struct dd_index *ix, size_t n, uint64_t *pos)
{
	for (;;) {
		uint64_t p = ix->ahead, phys = p % ix->acap;
		if (phys + n > ix->acap)
			p += ix->acap - phys; /* pad to the start: strings never wrap */
		if (p + n - ix->atail <= ix->acap) {
			*pos = p;
			ix->ahead = p + n;
			return 0;
		}
		/* double: every live string keeps its position, and stays
		 * contiguous at pos % (2 * acap) */
		uint64_t ncap = ix->acap * 2;
		char *na = malloc(ncap);
		if (!na)
			return -1;
		for (uint64_t q = ix->tail; q < ix->head; q++) {
			const struct dd_slot *s = &ix->slots[q % ix->cap];
			memcpy(na + s->str_pos % ncap, ix->arena + s->str_pos % ix->acap,
			       (size_t)s->id_len + s->of_len);
		}
		free(ix->arena);
		ix->arena = na;
		ix->acap = ncap;
	}
}

int dd_index_add(struct dd_index *ix, const struct dd_story *st)
{
	uint64_t pos;
	struct dd_slot *s;
	uint32_t p;

	if (st->id_len > UINT16_MAX || st->of_len > UINT16_MAX)
		return -1;
	if (dd_index_size(ix) == ix->cap && ix->cap < ix->max && grow_ring(ix) < 0)
		return -1;
	if (dd_index_size(ix) == ix->cap) {
		evict_oldest(ix);
		ix->evicted_count++;
	}
	if (arena_alloc(ix, st->id_len + st->of_len, &pos) < 0)
		return -1;
	memcpy(ix->arena + pos % ix->acap, st->id, st->id_len);
	if (st->of_len)
		memcpy(ix->arena + pos % ix->acap + st->id_len, st->of, st->of_len);
	p = (uint32_t)(ix->head % ix->cap);
	s = &ix->slots[p];
	memset(s, 0, sizeof(*s));
	s->id_hash = dd_id_hash(st->id, st->id_len);
	s->str_pos = pos;
	s->id_len = (uint16_t)st->id_len;
	s->of_len = (uint16_t)st->of_len;
	s->time = st->time;
	s->status = st->status;
	s->sim = st->sim;
	s->nshingles = st->nshingles;
	ix->head++;
	tab_insert(ix, TAB_ID, ix->id_tab, ix->id_mask, p + 1);
	if (st->exact) {
		s->exact[0] = st->exact[0], s->exact[1] = st->exact[1];
		s->flags |= DD_IN_EXACT;
		tab_insert(ix, TAB_EX, ix->ex_tab, ix->ex_mask, p + 1);
	}
	if (st->sk) {
		s->sk = *st->sk;
		s->flags |= DD_IN_BANDS;
		for (uint32_t b = 0; b < DD_BANDS; b++)
			tab_insert(ix, TAB_BAND, ix->band_tab, ix->band_mask, p * DD_BANDS + b + 1);
	}
	return 0;
}

size_t dd_index_bytes(const struct dd_index *ix)
{
	return (size_t)ix->cap * sizeof(struct dd_slot) +
	       ((size_t)ix->id_mask + 1) * 2 * sizeof(uint32_t) +
	       ((size_t)ix->band_mask + 1) * sizeof(uint32_t) + ix->acap;
}
