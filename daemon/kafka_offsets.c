/* kafka_offsets.c — per-partition offset tracker (see kafka_offsets.h). */
#include "kafka_offsets.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void otrack_init(struct otrack *t)
{
	memset(t, 0, sizeof(*t));
	t->last_consumed = -1;
	t->committed = -1;
}

void otrack_free(struct otrack *t)
{
	free(t->ring);
	t->ring = NULL;
	t->cap = t->count = t->head = 0;
}

/* Pending entries become stale: the next sequence number continues after
 * every number handed out so far. */
static void forget(struct otrack *t)
{
	t->head_seq += t->count;
	t->head = 0;
	t->count = 0;
	t->last_consumed = -1;
	t->committed = -1;
}

void otrack_assign(struct otrack *t)
{
	forget(t);
	t->active = 1;
}

void otrack_revoke(struct otrack *t)
{
	forget(t);
	t->active = 0;
}

static int grow(struct otrack *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 256;
	struct otrack_entry *n = malloc(ncap * sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < t->count; i++)
		n[i] = t->ring[(t->head + i) & (t->cap - 1)];
	free(t->ring);
	t->ring = n;
	t->cap = ncap;
	t->head = 0;
	return 0;
}

int otrack_push(struct otrack *t, int64_t offset, uint64_t *seq)
{
	if (t->count == t->cap && grow(t) < 0)
		return -ENOMEM;
	struct otrack_entry *e = &t->ring[(t->head + t->count) & (t->cap - 1)];
	e->offset = offset;
	e->done = 0;
	*seq = t->head_seq + t->count;
	t->count++;
	t->last_consumed = offset;
	return 0;
}

static struct otrack_entry *find(const struct otrack *t, uint64_t seq)
{
	uint64_t head = t->head_seq & OTRACK_SEQ_MASK;
	uint64_t idx = (seq - head) & OTRACK_SEQ_MASK; /* tokens carry 48 bits */

	if (idx >= t->count)
		return NULL;
	return &t->ring[(t->head + idx) & (t->cap - 1)];
}

int otrack_ack(struct otrack *t, uint64_t seq)
{
	struct otrack_entry *e = find(t, seq);

	if (!e || e->done)
		return 0;
	e->done = 1;
	while (t->count > 0 && t->ring[t->head].done) {
		t->head = (t->head + 1) & (t->cap - 1);
		t->head_seq++;
		t->count--;
	}
	return 1;
}

int otrack_pending(const struct otrack *t, uint64_t seq)
{
	const struct otrack_entry *e = find(t, seq);

	return e && !e->done;
}

int64_t otrack_safe_offset(const struct otrack *t)
{
	if (t->count > 0)
		return t->ring[t->head].offset;
	return t->last_consumed < 0 ? -1 : t->last_consumed + 1;
}
