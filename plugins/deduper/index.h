/* index.h — the stories the deduper remembers, bounded by age and count.
 *
 * A ring of slots in arrival order (the oldest is evicted first) and three
 * open-addressing hash tables over it: story id -> slot (redeliveries),
 * exact hash -> slot and (band, band key) -> slot (LSH candidates).  Only
 * stories judged unique enter the exact and band tables: a later copy is
 * matched against its original, never against another copy.  Ids (and the
 * "of" id of a duplicate) live in a FIFO byte arena.  The ring, the tables
 * and the arena start small and double up to max_stories; memory per story
 * is reported by dd_index_bytes().
 *
 * Not thread-safe: the plugin holds its lock around every call.  Time is
 * always passed in (seconds), never read here.
 */
#ifndef DEDUPER_INDEX_H
#define DEDUPER_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "fingerprint.h"

enum dd_status { DD_UNIQUE = 0, DD_DUPLICATE = 1, DD_NEAR = 2 };

struct dd_slot {
	uint64_t id_hash;
	uint64_t exact[2];
	uint64_t str_pos;  /* id then of-id in the arena */
	int64_t time;      /* seconds; age is counted from it */
	uint32_t nshingles;
	uint16_t id_len, of_len;
	uint16_t sim;      /* similarity * 10000 */
	uint8_t status;    /* enum dd_status */
	uint8_t flags;     /* DD_IN_* */
	struct dd_sketch sk;
};

enum { DD_IN_EXACT = 1, DD_IN_BANDS = 2 };

/** What dd_index_add stores.  Strings are (copies). */
struct dd_story {
	const char *id;
	size_t id_len;
	const char *of; /* NULL for a unique story */
	size_t of_len;
	int64_t time;
	uint8_t status;
	uint16_t sim;
	const uint64_t *exact;       /* NULL: not in the exact table */
	const struct dd_sketch *sk;  /* NULL: not in the band table */
	uint32_t nshingles;
};

/** Open-addressing table of uint32 entries: (fragment << slot_bits) |
 *  (slot + 1), 0 = empty.  The fragment (high bits of the key's hash)
 *  rejects most non-matching probes without touching the slot. */
struct dd_tab {
	uint32_t *e; /* (owned) */
	uint32_t size;
};

struct dd_index {
	struct dd_slot *slots; /* (owned) ring; slot of sequence s is s % cap */
	uint32_t cap, max;
	uint32_t slot_bits;    /* bits of (slot + 1) in a table entry */
	uint64_t tail, head;   /* live sequences: [tail, head) */
	int64_t window;        /* seconds; <= 0: no age limit */
	struct dd_tab id, ex, band[DD_BANDS];
	char *arena;           /* (owned) FIFO of strings */
	uint64_t acap, ahead, atail;
	uint64_t evicted_count, evicted_age;
};

int dd_index_init(struct dd_index *ix, uint32_t max_stories, int64_t window_seconds);
void dd_index_free(struct dd_index *ix);

static inline uint64_t dd_index_size(const struct dd_index *ix)
{
	return ix->head - ix->tail;
}

/** Evicts the stories older than now - window (from the oldest on). */
void dd_index_evict_age(struct dd_index *ix, int64_t now);

uint64_t dd_id_hash(const char *id, size_t len);

/** Slot of story id, or NULL. */
const struct dd_slot *dd_index_find_id(const struct dd_index *ix, const char *id, size_t len);
/** The earliest unique story with this exact hash, or NULL. */
const struct dd_slot *dd_index_find_exact(const struct dd_index *ix, const uint64_t exact[2]);
/** Unique stories sharing at least one LSH band with sk, at most max of
 *  them (oldest first is not guaranteed).  Returns how many. */
size_t dd_index_candidates(const struct dd_index *ix, const struct dd_sketch *sk,
			   const struct dd_slot **out, size_t max);
/** Adds a story; evicts the oldest when max_stories are held.  0 or -1
 *  (ENOMEM; the index is unchanged). */
int dd_index_add(struct dd_index *ix, const struct dd_story *st);

/** (borrowed: until the next dd_index_add or eviction) */
const char *dd_slot_id(const struct dd_index *ix, const struct dd_slot *s);
const char *dd_slot_of(const struct dd_index *ix, const struct dd_slot *s);
/** Arrival order: 0 for the oldest live story. */
uint64_t dd_slot_age_rank(const struct dd_index *ix, const struct dd_slot *s);

/** Bytes held by the ring, the tables and the arena. */
size_t dd_index_bytes(const struct dd_index *ix);

#endif
