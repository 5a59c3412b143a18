/* kafka_offsets.h — per-partition tracking of consumed, not yet acknowledged
 * input offsets.
 *
 * Each consumed message gets a sequence number (never reused for the life of
 * the tracker, across re-assignments), so a delivery report that arrives
 * after its partition was revoked and assigned again is recognised as stale
 * and ignored.  The safe commit offset is the first offset not yet
 * acknowledged, or one past the last consumed offset when everything is.
 * Single-threaded: the Kafka loop's thread owns every tracker.
 */
#ifndef NEWSD_KAFKA_OFFSETS_H
#define NEWSD_KAFKA_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

struct otrack_entry {
	int64_t offset;
	int done;
};

struct otrack {
	struct otrack_entry *ring; /* (owned) capacity cap, a power of two */
	size_t cap, head, count;
	uint64_t head_seq;      /* sequence number of ring[head] */
	int64_t last_consumed;  /* -1: nothing consumed in this assignment */
	int64_t committed;      /* last offset committed (or requested), -1 none */
	int active;             /* assigned to us now */
};

/** An empty, inactive tracker. */
void otrack_init(struct otrack *t);
void otrack_free(struct otrack *t);

/** Starts a new assignment: forgets pending entries (their sequence
 *  numbers become stale) and marks the tracker active. */
void otrack_assign(struct otrack *t);
/** Ends the assignment: pending entries become stale. */
void otrack_revoke(struct otrack *t);

/** Records a consumed offset; *seq receives its sequence number.
 *  0, or -ENOMEM. */
int otrack_push(struct otrack *t, int64_t offset, uint64_t *seq);

/** Acknowledges seq.  Returns 1 when it was pending, 0 when stale or
 *  already acknowledged. */
int otrack_ack(struct otrack *t, uint64_t seq);

/** Whether seq is still pending (not stale, not acknowledged). */
int otrack_pending(const struct otrack *t, uint64_t seq);

/** The offset to commit now, or -1 when nothing was consumed. */
int64_t otrack_safe_offset(const struct otrack *t);

/** Consumed but not acknowledged. */
static inline size_t otrack_in_flight(const struct otrack *t)
{
	return t->count;
}

/* A delivery token travels as the produced message's opaque: tracker index
 * in the high 16 bits, sequence number in the low 48. */
#define OTRACK_SEQ_BITS 48
#define OTRACK_SEQ_MASK ((UINT64_C(1) << OTRACK_SEQ_BITS) - 1)
#define OTRACK_MAX_TRACKS 65535u

static inline uint64_t otrack_token(size_t track, uint64_t seq)
{
	return ((uint64_t)(track + 1) << OTRACK_SEQ_BITS) | (seq & OTRACK_SEQ_MASK);
}
/* Returns 0 for a token that names no tracker (e.g. a state-log message). */
static inline int otrack_untoken(uint64_t tok, size_t *track, uint64_t *seq)
{
	if ((tok >> OTRACK_SEQ_BITS) == 0)
		return 0;
	*track = (size_t)(tok >> OTRACK_SEQ_BITS) - 1;
	*seq = tok & OTRACK_SEQ_MASK;
	return 1;
}

#endif
