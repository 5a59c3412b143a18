/* index.c — see index.h.
 *
 * Tables use linear probing over non-power-of-two sizes (home = the key's
 * hash scaled to the size), backward-shift deletion (no tombstones), and
 * entries that carry a fragment of the key's hash next to the slot number.
 * Big arrays are mapped with MADV_HUGEPAGE: with a million stories every
 * lookup is a cache miss, and a TLB miss on top of it doubles the cost.
 */
#include "index.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xxhash.h>

#define INIT_CAP 1024u
#define INIT_ARENA (64u * 1024u)
#define BIG (4u << 20)

enum tab_kind { TAB_ID, TAB_EX, TAB_BAND };

/* ---- memory ---- */

static void *big_zalloc(size_t n)
{
	if (n < BIG)
		return calloc(1, n);
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, n, MADV_HUGEPAGE);
	return p;
}

static void big_free(void *p, size_t n)
{
	if (!p)
		return;
	if (n < BIG)
		free(p);
	else
		munmap(p, n);
}

/* ---- keys ---- */

struct kf {
	uint32_t home; /* hash placing the entry */
	uint32_t frag; /* hash whose high bits are kept in the entry */
};

uint64_t dd_id_hash(const char *id, size_t len)
{
	return XXH3_64bits(id, len);
}

static inline struct kf kf64(uint64_t h)
{
	return (struct kf){(uint32_t)h, (uint32_t)(h >> 32)};
}

static inline struct kf kf_band(uint32_t key)
{
	return (struct kf){key, key * 0x9E3779B1u};
}

static inline struct kf slot_kf(const struct dd_index *ix, enum tab_kind k, uint32_t b,
				const struct dd_slot *s)
{
	switch (k) {
	case TAB_ID: return kf64(s->id_hash);
	case TAB_EX: return kf64(s->exact[0]);
	default: return kf_band(dd_band_key(&s->sk, b));
	}
	(void)ix;
}

static inline uint32_t home(const struct dd_tab *t, uint32_t h)
{
	return (uint32_t)(((uint64_t)h * t->size) >> 32);
}

static inline uint32_t entry(const struct dd_index *ix, struct kf kf, uint32_t slot)
{
	uint32_t hi = ix->slot_bits >= 32 ? 0 : (kf.frag >> ix->slot_bits) << ix->slot_bits;
	return hi | (slot + 1);
}

static inline uint32_t entry_slot(const struct dd_index *ix, uint32_t e)
{
	return (e & (uint32_t)((1ULL << ix->slot_bits) - 1)) - 1;
}

/* Does entry e carry fragment kf.frag? */
static inline int frag_ok(const struct dd_index *ix, uint32_t e, struct kf kf)
{
	return ix->slot_bits >= 32 || (e >> ix->slot_bits) == (kf.frag >> ix->slot_bits);
}

static inline uint32_t next(const struct dd_tab *t, uint32_t i)
{
	return i + 1 == t->size ? 0 : i + 1;
}

/* ---- tables ---- */

static void tab_insert(const struct dd_index *ix, struct dd_tab *t, struct kf kf, uint32_t slot)
{
	uint32_t i = home(t, kf.home);
	while (t->e[i])
		i = next(t, i);
	t->e[i] = entry(ix, kf, slot);
}

/* Backward-shift deletion (linear probing keeps no tombstones). */
static void tab_remove(const struct dd_index *ix, struct dd_tab *t, enum tab_kind k, uint32_t b,
		       struct kf kf, uint32_t slot)
{
	uint32_t v = entry(ix, kf, slot), i = home(t, kf.home);
	while (t->e[i] && t->e[i] != v)
		i = next(t, i);
	if (!t->e[i])
		return;
	for (uint32_t j = i;;) {
		j = next(t, j);
		if (!t->e[j])
			break;
		uint32_t h = home(t, slot_kf(ix, k, b, &ix->slots[entry_slot(ix, t->e[j])]).home);
		/* e[j] may move to i unless its home lies cyclically in (i, j] */
		int stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
		if (!stays) {
			t->e[i] = t->e[j];
			i = j;
		}
	}
	t->e[i] = 0;
}

static int tab_alloc(struct dd_tab *t, uint64_t n)
{
	if (n < 16)
		n = 16;
	if (n > UINT32_MAX)
		return -1;
	t->size = (uint32_t)n;
	t->e = big_zalloc((size_t)n * sizeof(uint32_t));
	return t->e ? 0 : -1;
}

static void tab_free(struct dd_tab *t)
{
	big_free(t->e, (size_t)t->size * sizeof(uint32_t));
	t->e = NULL;
	t->size = 0;
}

static void tables_free(struct dd_index *ix)
{
	tab_free(&ix->id);
	tab_free(&ix->ex);
	for (int b = 0; b < DD_BANDS; b++)
		tab_free(&ix->band[b]);
}

/* (Re)allocates the tables for ix->cap slots and fills them from the ring.
 * Loads at a full ring: 0.67 (id, exact), 0.77 (bands). */
static int build_tables(struct dd_index *ix)
{
	struct dd_index n = *ix;
	uint32_t bits = 1;

	while (bits < 32 && (1ULL << bits) <= (uint64_t)ix->cap + 1)
		bits++;
	n.slot_bits = bits;
	memset(&n.id, 0, sizeof(n.id));
	memset(&n.ex, 0, sizeof(n.ex));
	memset(n.band, 0, sizeof(n.band));
	int rc = tab_alloc(&n.id, (uint64_t)ix->cap * 3 / 2) | tab_alloc(&n.ex, (uint64_t)ix->cap * 3 / 2);
	for (int b = 0; b < DD_BANDS; b++)
		rc |= tab_alloc(&n.band[b], (uint64_t)ix->cap * 13 / 10);
	if (rc) {
		tables_free(&n);
		return -1;
	}
	for (uint64_t q = ix->tail; q < ix->head; q++) {
		uint32_t p = (uint32_t)(q % ix->cap);
		const struct dd_slot *s = &ix->slots[p];
		tab_insert(&n, &n.id, kf64(s->id_hash), p);
		if (s->flags & DD_IN_EXACT)
			tab_insert(&n, &n.ex, kf64(s->exact[0]), p);
		if (s->flags & DD_IN_BANDS)
			for (uint32_t b = 0; b < DD_BANDS; b++)
				tab_insert(&n, &n.band[b], kf_band(dd_band_key(&s->sk, b)), p);
	}
	tables_free(ix);
	ix->id = n.id;
	ix->ex = n.ex;
	memcpy(ix->band, n.band, sizeof(n.band));
	ix->slot_bits = n.slot_bits;
	return 0;
}

int dd_index_init(struct dd_index *ix, uint32_t max_stories, int64_t window_seconds)
{
	memset(ix, 0, sizeof(*ix));
	if (max_stories == 0 || max_stories > (1u << 30))
		return -1;
	ix->max = max_stories;
	ix->cap = max_stories < INIT_CAP ? max_stories : INIT_CAP;
	ix->window = window_seconds;
	ix->slots = big_zalloc((size_t)ix->cap * sizeof(*ix->slots));
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
	big_free(ix->slots, (size_t)ix->cap * sizeof(*ix->slots));
	tables_free(ix);
	free(ix->arena);
	memset(ix, 0, sizeof(*ix));
}

static void evict_oldest(struct dd_index *ix)
{
	uint32_t p = (uint32_t)(ix->tail % ix->cap);
	struct dd_slot *s = &ix->slots[p];

	tab_remove(ix, &ix->id, TAB_ID, 0, kf64(s->id_hash), p);
	if (s->flags & DD_IN_EXACT)
		tab_remove(ix, &ix->ex, TAB_EX, 0, kf64(s->exact[0]), p);
	if (s->flags & DD_IN_BANDS)
		for (uint32_t b = 0; b < DD_BANDS; b++)
			tab_remove(ix, &ix->band[b], TAB_BAND, b, kf_band(dd_band_key(&s->sk, b)), p);
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
	struct kf kf = kf64(h);
	const struct dd_tab *t = &ix->id;

	for (uint32_t i = home(t, kf.home); t->e[i]; i = next(t, i)) {
		if (!frag_ok(ix, t->e[i], kf))
			continue;
		const struct dd_slot *s = &ix->slots[entry_slot(ix, t->e[i])];
		if (s->id_hash == h && s->id_len == len && !memcmp(dd_slot_id(ix, s), id, len))
			return s;
	}
	return NULL;
}

const struct dd_slot *dd_index_find_exact(const struct dd_index *ix, const uint64_t exact[2])
{
	const struct dd_slot *best = NULL;
	struct kf kf = kf64(exact[0]);
	const struct dd_tab *t = &ix->ex;

	for (uint32_t i = home(t, kf.home); t->e[i]; i = next(t, i)) {
		if (!frag_ok(ix, t->e[i], kf))
			continue;
		const struct dd_slot *s = &ix->slots[entry_slot(ix, t->e[i])];
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
		const struct dd_tab *t = &ix->band[b];
		struct kf kf = kf_band(dd_band_key(sk, b));
		size_t got = 0;
		for (uint32_t i = home(t, kf.home); t->e[i] && got < per_band && n < max;
		     i = next(t, i)) {
			if (!frag_ok(ix, t->e[i], kf))
				continue;
			const struct dd_slot *s = &ix->slots[entry_slot(ix, t->e[i])];
			size_t j;
			if (memcmp(s->sk.sig + b * DD_ROWS, sk->sig + b * DD_ROWS, DD_ROWS))
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
	/* x4 while small: fewer table rebuilds on a long replay */
	uint64_t want = (uint64_t)ix->cap * (ix->cap < (1u << 20) ? 4 : 2);
	uint32_t ncap = want > ix->max ? ix->max : (uint32_t)want;
	struct dd_slot *ns = big_zalloc((size_t)ncap * sizeof(*ns));
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
		big_free(ns, (size_t)ncap * sizeof(*ns));
		return -1;
	}
	big_free(old, (size_t)ocap * sizeof(*old));
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
	tab_insert(ix, &ix->id, kf64(s->id_hash), p);
	if (st->exact) {
		s->exact[0] = st->exact[0], s->exact[1] = st->exact[1];
		s->flags |= DD_IN_EXACT;
		tab_insert(ix, &ix->ex, kf64(s->exact[0]), p);
	}
	if (st->sk) {
		s->sk = *st->sk;
		s->flags |= DD_IN_BANDS;
		for (uint32_t b = 0; b < DD_BANDS; b++)
			tab_insert(ix, &ix->band[b], kf_band(dd_band_key(&s->sk, b)), p);
	}
	return 0;
}

size_t dd_index_bytes(const struct dd_index *ix)
{
	size_t n = (size_t)ix->cap * sizeof(struct dd_slot) +
		   ((size_t)ix->id.size + ix->ex.size) * sizeof(uint32_t) + ix->acap;
	for (int b = 0; b < DD_BANDS; b++)
		n += (size_t)ix->band[b].size * sizeof(uint32_t);
	return n;
}
