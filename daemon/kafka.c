/* kafka.c — the consume → process → produce loop (see kafka.h).
 *
 * One thread (the caller's) owns the consumer, the producer's delivery
 * reports and every offset tracker; the pipeline's workers only see
 * work_items.  A batch is consumed, processed by the pipeline, then routed
 * in batch order: output topic, dead-letter topic, duplicates topic.  Each
 * routed message carries a token (tracker, sequence number) as its opaque;
 * its delivery report acknowledges that input offset.  Commits take the
 * first unacknowledged offset of each partition, after the state logs were
 * flushed.  A message whose delivery failed is produced again from a copy
 * and its offset stays unacknowledged meanwhile.
 *
 * Rebalances (cooperative-sticky, incremental): newly assigned partitions
 * get a fresh tracker assignment; revoked ones first finish the batch being
 * collected, wait until their in-flight records are acknowledged, commit
 * synchronously, and only then are given up, so the next owner starts
 * where this one stopped.
 */
#include "kafka.h"

#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka_offsets.h"

_Static_assert(sizeof(void *) >= 8, "delivery tokens need 64-bit pointers");

#define REVOKE_WAIT_MS 30000   /* at most, for in-flight records of revoked partitions */
#define DRAIN_WAIT_MS 60000    /* at most, at shutdown */
#define COMMIT_INTERVAL_MS 500
#define COMMIT_EVERY_ACKS 5000

struct track {
	struct otrack ot;
	char *topic; /* (owned) */
	int32_t partition;
	int eof;     /* at the end of the partition, nothing newer consumed */
	uint64_t acked_since_commit;
};

/* A message whose delivery failed, to be produced again. */
struct retry {
	struct retry *next;
	char *topic;               /* (owned) */
	void *key, *value;         /* (owned) */
	size_t klen, vlen;
	rd_kafka_headers_t *hdrs;  /* (owned) may be NULL */
	uint64_t token;
	int attempts;
	int64_t due_ms;
};

struct kctx {
	struct kafka_run *kr;
	/* librdkafka 2.0.2 loses the whole assignment when an offset commit
	 * sent during a rebalance fails with ILLEGAL_GENERATION (librdkafka
	 * issue #4059, fixed upstream much later): every record since the
	 * last commit is then processed twice.  So periodic commits wait
	 * while the group's join state is not "steady", which librdkafka
	 * reports only as a debug log line (CGRPJOINSTATE), read in on_log
	 * from its own threads. */
	atomic_int join_steady;
	int user_debug;     /* the config asked for librdkafka debug output */
	rd_kafka_t *cons, *prod;
	char *errbuf;
	size_t errlen;
	int fatal;          /* stop without committing */
	int paused;

	struct track *tracks;
	size_t n_tracks, cap_tracks, last_hit;

	/* the batch being collected: messages own what items borrow */
	rd_kafka_message_t **msgs;
	uint64_t *seqs;
	size_t *tix;
	struct work_item *items;
	size_t n, cap;

	struct retry *retries, **retries_tail;
	size_t n_retries;

	int64_t last_commit_ms;
	uint64_t acks_since_commit;
	int64_t first_msg_ms, last_ack_ms;
	uint64_t n_input;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void iso_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char base[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%.19s.%03dZ", base, (int)(ts.tv_nsec / 1000000L) % 1000);
}

static void set_fatal(struct kctx *k, const char *fmt, const char *a, const char *b)
{
	if (!k->fatal) {
		snprintf(k->errbuf, k->errlen, fmt, a, b);
		LOGE(k->kr->log, "%s", k->errbuf);
	}
	k->fatal = 1;
}

/* ---- trackers ---- */

static struct track *track_find(struct kctx *k, const char *topic, int32_t part, size_t *idx)
{
	if (k->last_hit < k->n_tracks) {
		struct track *t = &k->tracks[k->last_hit];
		if (t->partition == part && strcmp(t->topic, topic) == 0) {
			*idx = k->last_hit;
			return t;
		}
	}
	for (size_t i = 0; i < k->n_tracks; i++) {
		struct track *t = &k->tracks[i];
		if (t->partition == part && strcmp(t->topic, topic) == 0) {
			k->last_hit = i;
			*idx = i;
			return t;
		}
	}
	return NULL;
}

static struct track *track_get(struct kctx *k, const char *topic, int32_t part)
{
	size_t idx;
	struct track *t = track_find(k, topic, part, &idx);

	if (t)
		return t;
	if (k->n_tracks >= OTRACK_MAX_TRACKS)
		return NULL;
	if (k->n_tracks == k->cap_tracks) {
		size_t ncap = k->cap_tracks ? k->cap_tracks * 2 : 16;
		struct track *n = realloc(k->tracks, ncap * sizeof(*n));
		if (!n)
			return NULL;
		k->tracks = n;
		k->cap_tracks = ncap;
	}
	t = &k->tracks[k->n_tracks];
	memset(t, 0, sizeof(*t));
	otrack_init(&t->ot);
	t->partition = part;
	if (!(t->topic = strdup(topic)))
		return NULL;
	k->n_tracks++;
	return t;
}

static size_t in_flight(const struct kctx *k)
{
	size_t n = 0;

	for (size_t i = 0; i < k->n_tracks; i++)
		n += otrack_in_flight(&k->tracks[i].ot);
	return n;
}

static void ack_token(struct kctx *k, uint64_t tok)
{
	size_t ti;
	uint64_t seq;

	if (!otrack_untoken(tok, &ti, &seq) || ti >= k->n_tracks)
		return;
	if (otrack_ack(&k->tracks[ti].ot, seq)) {
		k->tracks[ti].acked_since_commit++;
		k->acks_since_commit++;
		k->last_ack_ms = now_ms();
	}
}

static int token_live(struct kctx *k, uint64_t tok)
{
	size_t ti;
	uint64_t seq;

	return otrack_untoken(tok, &ti, &seq) && ti < k->n_tracks &&
	       k->tracks[ti].ot.active && otrack_pending(&k->tracks[ti].ot, seq);
}

/* ---- producing ---- */

static void retry_free(struct retry *r)
{
	free(r->topic);
	free(r->key);
	free(r->value);
	if (r->hdrs)
		rd_kafka_headers_destroy(r->hdrs);
	free(r);
}

/* Delivery report: success acknowledges the input offset; a failure keeps
 * a copy to produce again (the offset stays unacknowledged). */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct kctx *k = opaque;
	uint64_t tok = (uint64_t)(uintptr_t)m->_private;
	struct retry *r;
	rd_kafka_headers_t *h = NULL;

	(void)rk;
	if (!m->err) {
		ack_token(k, tok);
		return;
	}
	metrics_add(k->kr->metrics, NULL, "kafka.delivery_failures", 1);
	if (!token_live(k, tok)) {
		LOGW(k->kr->log, "delivery to %s failed (%s); its partition was given up",
		     rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
		return;
	}
	LOGW(k->kr->log, "delivery to %s [%" PRId32 "] failed: %s; producing it again",
	     rd_kafka_topic_name(m->rkt), m->partition, rd_kafka_err2str(m->err));
	r = calloc(1, sizeof(*r));
	if (!r)
		goto oom;
	r->topic = strdup(rd_kafka_topic_name(m->rkt));
	r->klen = m->key_len;
	r->vlen = m->len;
	r->key = m->key_len ? malloc(m->key_len) : NULL;
	r->value = m->len ? malloc(m->len) : NULL;
	if (!r->topic || (m->key_len && !r->key) || (m->len && !r->value))
		goto oom;
	if (m->key_len)
		memcpy(r->key, m->key, m->key_len);
	if (m->len)
		memcpy(r->value, m->payload, m->len);
	if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR && h &&
	    !(r->hdrs = rd_kafka_headers_copy(h)))
		goto oom;
	r->token = tok;
	r->due_ms = now_ms() + 100;
	*k->retries_tail = r;
	k->retries_tail = &r->next;
	k->n_retries++;
	return;
oom:
	if (r)
		retry_free(r);
	set_fatal(k, "out of memory keeping a failed delivery to %s%s", rd_kafka_topic_name(m->rkt),
		  "");
}

/* Produces one message; value is handed over (freed on success or here on
 * failure when own_value).  Waits while the local queue is full. */
static int produce(struct kctx *k, const char *topic, const void *key, size_t klen, void *value,
		   size_t vlen, int own_value, rd_kafka_headers_t *hdrs, uint64_t token)
{
	rd_kafka_resp_err_t e;

	for (;;) {
		e = rd_kafka_producev(k->prod, RD_KAFKA_V_TOPIC(topic),
				      RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_VALUE(value, vlen),
				      RD_KAFKA_V_MSGFLAGS(own_value ? RD_KAFKA_MSG_F_FREE
								    : RD_KAFKA_MSG_F_COPY),
				      RD_KAFKA_V_HEADERS(hdrs),
				      RD_KAFKA_V_OPAQUE((void *)(uintptr_t)token), RD_KAFKA_V_END);
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		rd_kafka_poll(k->prod, 10);
	}
	if (e) {
		if (own_value)
			free(value);
		if (hdrs)
			rd_kafka_headers_destroy(hdrs);
		return -(int)e - 1000000;
	}
	return 0;
}

static void retries_service(struct kctx *k, int force)
{
	int64_t now = now_ms();
	struct retry *r = k->retries, *keep = NULL, **kt = &keep;

	/* deliveries failing while we produce land on a fresh list */
	k->retries = NULL;
	k->retries_tail = &k->retries;
	while (r) {
		struct retry *next = r->next;
		r->next = NULL;
		if (!token_live(k, r->token)) {
			retry_free(r); /* partition given up: the next owner redoes it */
		} else if (force || r->due_ms <= now) {
			int rc = produce(k, r->topic, r->key, r->klen, r->value, r->vlen, 1, r->hdrs,
					 r->token);
			r->value = NULL; /* handed over (or freed) */
			r->hdrs = NULL;
			if (rc < 0)
				set_fatal(k, "cannot produce to %s again: %s", r->topic,
					  rd_kafka_err2str((rd_kafka_resp_err_t)(-(rc + 1000000))));
			metrics_add(k->kr->metrics, NULL, "kafka.redeliveries", 1);
			retry_free(r);
		} else {
			*kt = r;
			kt = &r->next;
		}
		r = next;
	}
	if (keep) {
		*kt = k->retries;
		if (!k->retries)
			k->retries_tail = kt;
		k->retries = keep;
	}
	k->n_retries = 0;
	for (r = k->retries; r; r = r->next)
		k->n_retries++;
}

static void producer_service(struct kctx *k, int timeout_ms)
{
	char es[256];

	rd_kafka_poll(k->prod, timeout_ms);
	if (k->n_retries)
		retries_service(k, 0);
	if (rd_kafka_fatal_error(k->prod, es, sizeof(es)))
		set_fatal(k, "producer fatal error: %s%s", es, "");
}

/* ---- commits ---- */

static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err,
		      rd_kafka_topic_partition_list_t *offs, void *opaque)
{
	struct kctx *k = opaque;

	(void)rk;
	if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
		return;
	for (int i = 0; offs && i < offs->cnt; i++) {
		rd_kafka_topic_partition_t *p = &offs->elems[i];
		if (!p->err && !err)
			continue;
		size_t idx;
		struct track *t = track_find(k, p->topic, p->partition, &idx);
		LOGW(k->kr->log, "commit of %s [%" PRId32 "] at %" PRId64 " failed: %s", p->topic,
		     p->partition, p->offset, rd_kafka_err2str(p->err ? p->err : err));
		if (t && t->ot.committed == p->offset)
			t->ot.committed = -1; /* try again at the next commit */
	}
}

/* Commits the safe offset of every active tracker (or only those whose
 * index is flagged in only[]), after flushing the state logs.  Returns 0,
 * or negative when nothing could be committed. */
static int commit(struct kctx *k, const unsigned char *only, int async)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
	uint64_t acked = 0;
	int rc = 0;

	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < k->n_tracks; i++) {
		struct track *t = &k->tracks[i];
		int64_t off = otrack_safe_offset(&t->ot);
		if (!t->ot.active || (only && !only[i]) || off < 0 || off == t->ot.committed)
			continue;
		rd_kafka_topic_partition_list_add(l, t->topic, t->partition)->offset = off;
	}
	k->last_commit_ms = now_ms();
	k->acks_since_commit = 0;
	if (l->cnt == 0)
		goto out;
	/* an entry of a state log must be durable before the input that
	 * produced it is acknowledged */
	if (k->kr->states && state_registry_flush(k->kr->states) < 0) {
		LOGW(k->kr->log, "state logs could not be flushed: not committing");
		metrics_add(k->kr->metrics, NULL, "kafka.commit_skipped", 1);
		rc = -EIO;
		goto out;
	}
	rd_kafka_resp_err_t e = rd_kafka_commit(k->cons, l, async);
	if (e) {
		LOGW(k->kr->log, "commit failed: %s", rd_kafka_err2str(e));
		rc = -EIO;
		goto out;
	}
	for (int i = 0; i < l->cnt; i++) {
		size_t idx;
		struct track *t = track_find(k, l->elems[i].topic, l->elems[i].partition, &idx);
		if (!async && l->elems[i].err) {
			LOGW(k->kr->log, "commit of %s [%" PRId32 "] failed: %s", l->elems[i].topic,
			     l->elems[i].partition, rd_kafka_err2str(l->elems[i].err));
			rc = -EIO;
			continue;
		}
		if (t) {
			t->ot.committed = l->elems[i].offset;
			acked += t->acked_since_commit;
			t->acked_since_commit = 0;
		}
	}
	metrics_add(k->kr->metrics, NULL, "kafka.commits", 1);
	metrics_add(k->kr->metrics, NULL, "kafka.committed", acked);
	LOGD(k->kr->log, "%s commit of %d partition(s)", async ? "async" : "sync", l->cnt);
out:
	rd_kafka_topic_partition_list_destroy(l);
	return rc;
}

/* ---- one batch ---- */

static rd_kafka_headers_t *dead_headers(const struct work_item *it, const rd_kafka_message_t *m)
{
	rd_kafka_headers_t *h = rd_kafka_headers_new(6);
	char part[16], off[24], now[40];

	if (!h)
		return NULL;
	snprintf(part, sizeof(part), "%" PRId32, m->partition);
	snprintf(off, sizeof(off), "%" PRId64, m->offset);
	iso_now(now, sizeof(now));
	rd_kafka_header_add(h, "reason", -1, it->reason, -1);
	rd_kafka_header_add(h, "plugin", -1, it->by ? it->by : "newsd", -1);
	rd_kafka_header_add(h, "source.topic", -1, rd_kafka_topic_name(m->rkt), -1);
	rd_kafka_header_add(h, "source.partition", -1, part, -1);
	rd_kafka_header_add(h, "source.offset", -1, off, -1);
	rd_kafka_header_add(h, "time", -1, now, -1);
	return h;
}

/* Sends item i where its outcome says; 0 or negative (fatal). */
static int route(struct kctx *k, size_t i)
{
	struct work_item *it = &k->items[i];
	rd_kafka_message_t *m = k->msgs[i];
	const struct newsd_conf *c = k->kr->conf;
	uint64_t tok = otrack_token(k->tix[i], k->seqs[i]);
	const char *key = it->id[0] ? it->id : m->key;
	size_t klen = it->id[0] ? strlen(it->id) : (m->key ? m->key_len : 0);
	int rc = 0;

	switch (it->outcome) {
	case ITEM_OUTPUT:
		rc = produce(k, c->out_topic, key, klen, it->out, it->out_len, 1, NULL, tok);
		it->out = NULL;
		if (rc < 0) {
			set_fatal(k, "cannot produce to %s: %s", c->out_topic,
				  rd_kafka_err2str((rd_kafka_resp_err_t)(-(rc + 1000000))));
			return rc;
		}
		metrics_add(k->kr->metrics, NULL, "records.output", 1);
		return 0;
	case ITEM_DROPPED:
		metrics_add(k->kr->metrics, NULL, "records.dropped", 1);
		if (!c->dup_topic || !it->out) {
			ack_token(k, tok);
			return 0;
		}
		{
			rd_kafka_headers_t *h = rd_kafka_headers_new(2);
			if (!h)
				return -ENOMEM;
			rd_kafka_header_add(h, "reason", -1, it->reason, -1);
			rd_kafka_header_add(h, "plugin", -1, it->by ? it->by : "newsd", -1);
			rc = produce(k, c->dup_topic, key, klen, it->out, it->out_len, 1, h, tok);
			it->out = NULL;
		}
		if (rc < 0)
			set_fatal(k, "cannot produce to %s: %s", c->dup_topic,
				  rd_kafka_err2str((rd_kafka_resp_err_t)(-(rc + 1000000))));
		return rc;
	case ITEM_DEAD: {
		rd_kafka_headers_t *h = dead_headers(it, m);
		if (!h)
			return -ENOMEM;
		LOGD(k->kr->log, "dead letter %s [%" PRId32 "] @%" PRId64 " by %s: %s",
		     rd_kafka_topic_name(m->rkt), m->partition, m->offset, it->by, it->reason);
		metrics_add(k->kr->metrics, NULL, "records.dead", 1);
		/* the original payload, unchanged: copied, the message is freed */
		if (m->key) {
			key = m->key;
			klen = m->key_len;
		}
		rc = produce(k, c->dlq_topic, key, klen, m->payload, m->len, 0, h, tok);
		if (rc < 0)
			set_fatal(k, "cannot produce to %s: %s", c->dlq_topic,
				  rd_kafka_err2str((rd_kafka_resp_err_t)(-(rc + 1000000))));
		return rc;
	}
	case ITEM_FATAL:
	default:
		set_fatal(k, "plugin '%s' failed fatally: %s", it->by ? it->by : "?", it->reason);
		return -ECANCELED;
	}
}

static void batch_release(struct kctx *k)
{
	pipeline_items_reset(k->items, k->n);
	for (size_t i = 0; i < k->n; i++)
		rd_kafka_message_destroy(k->msgs[i]);
	k->n = 0;
}

/* Applies what the state logs' readers have fetched (from any instance)
 * before the workers start: a plugin polling from process() may find
 * another worker already draining the log and go on without the backlog.
 * The workers are idle here, so no plugin code runs concurrently. */
static void states_poll(struct kctx *k)
{
	struct state_registry *reg = k->kr->states;

	if (!reg)
		return;
	pthread_mutex_lock(&reg->lock);
	for (struct newsd_state *s = reg->head; s; s = s->next) {
		int n = s->ops->poll(s);
		if (n < 0)
			LOGW(k->kr->log, "state log %s: poll: %s", s->name, strerror(-n));
	}
	pthread_mutex_unlock(&reg->lock);
}

/* Processes and routes the collected batch. */
static void batch_run(struct kctx *k)
{
	if (k->n == 0)
		return;
	states_poll(k);
	if (pipeline_run_batch(k->kr->pipe, k->items, k->n) < 0) {
		for (size_t i = 0; i < k->n; i++)
			if (k->items[i].outcome == ITEM_FATAL) {
				route(k, i); /* records the reason */
				break;
			}
		batch_release(k);
		return;
	}
	metrics_add(k->kr->metrics, NULL, "records.input", k->n);
	for (size_t i = 0; i < k->n && !k->fatal; i++)
		route(k, i);
	batch_release(k);
	rd_kafka_poll(k->prod, 0);
}

/* Takes a consumed message into the batch (or handles an event). */
static void take(struct kctx *k, rd_kafka_message_t *m)
{
	const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : NULL;
	size_t idx = 0;
	struct track *t = topic ? track_find(k, topic, m->partition, &idx) : NULL;

	if (m->err) {
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			if (t && t->ot.active)
				t->eof = 1; /* everything before it was taken already */
		} else {
			LOGW(k->kr->log, "consumer: %s%s%s", topic ? topic : "", topic ? ": " : "",
			     rd_kafka_message_errstr(m));
		}
		rd_kafka_message_destroy(m);
		return;
	}
	if (!t || !t->ot.active) { /* left over from a revoked partition */
		rd_kafka_message_destroy(m);
		return;
	}
	uint64_t seq;
	if (otrack_push(&t->ot, m->offset, &seq) < 0) {
		rd_kafka_message_destroy(m);
		set_fatal(k, "out of memory tracking offsets%s%s", "", "");
		return;
	}
	t->eof = 0;
	if (k->first_msg_ms == 0)
		k->first_msg_ms = now_ms();
	k->n_input++;
	struct work_item *it = &k->items[k->n];
	it->payload = m->payload ? m->payload : "";
	it->len = m->len;
	it->key = m->key;
	it->keylen = m->key ? m->key_len : 0;
	it->format = k->kr->conf->input_format;
	it->out = NULL;
	k->msgs[k->n] = m;
	k->seqs[k->n] = seq;
	k->tix[k->n] = idx;
	k->n++;
}

/* ---- rebalancing ---- */

static void pause_list(struct kctx *k, rd_kafka_topic_partition_list_t *l, int pause)
{
	rd_kafka_resp_err_t e = pause ? rd_kafka_pause_partitions(k->cons, l)
				      : rd_kafka_resume_partitions(k->cons, l);
	if (e)
		LOGW(k->kr->log, "%s partitions: %s", pause ? "pausing" : "resuming",
		     rd_kafka_err2str(e));
}

static void on_assign(struct kctx *k, rd_kafka_topic_partition_list_t *parts, int coop)
{
	rd_kafka_error_t *error = NULL;
	rd_kafka_resp_err_t e = 0;

	for (int i = 0; i < parts->cnt; i++) {
		struct track *t = track_get(k, parts->elems[i].topic, parts->elems[i].partition);
		if (!t) {
			set_fatal(k, "cannot track %s: out of memory or too many partitions%s",
				  parts->elems[i].topic, "");
			return;
		}
		otrack_assign(&t->ot);
		t->eof = 0;
		t->acked_since_commit = 0;
	}
	if (coop)
		error = rd_kafka_incremental_assign(k->cons, parts);
	else
		e = rd_kafka_assign(k->cons, parts);
	if (error) {
		set_fatal(k, "incremental assign failed: %s%s", rd_kafka_error_string(error), "");
		rd_kafka_error_destroy(error);
		return;
	}
	if (e) {
		set_fatal(k, "assign failed: %s%s", rd_kafka_err2str(e), "");
		return;
	}
	/* librdkafka keeps a partition's pause flag across unassign and assign:
	 * a partition paused before it was lost or revoked comes back paused,
	 * so its state is set here either way (resuming one that is not paused
	 * does nothing).  Without this, partitions lost while paused and
	 * assigned again after backpressure ended were never fetched again. */
	pause_list(k, parts, k->paused);
	LOGI(k->kr->log, "assigned %d partition(s)%s", parts->cnt, coop ? " (incremental)" : "");
}

static void on_revoke(struct kctx *k, rd_kafka_topic_partition_list_t *parts, int coop)
{
	unsigned char *only = calloc(k->n_tracks ? k->n_tracks : 1, 1);
	int lost = rd_kafka_assignment_lost(k->cons);
	int64_t deadline = now_ms() + REVOKE_WAIT_MS;
	size_t waiting;

	/* finish the work already taken from these partitions */
	if (!k->fatal)
		batch_run(k);
	else
		batch_release(k);
	for (int i = 0; only && i < parts->cnt; i++) {
		size_t idx;
		if (track_find(k, parts->elems[i].topic, parts->elems[i].partition, &idx))
			only[idx] = 1;
	}
	for (;;) {
		waiting = 0;
		for (size_t i = 0; only && i < k->n_tracks; i++)
			if (only[i])
				waiting += otrack_in_flight(&k->tracks[i].ot);
		if (waiting == 0 || k->fatal || lost || now_ms() > deadline)
			break;
		producer_service(k, 20);
	}
	if (waiting && !lost)
		LOGW(k->kr->log, "giving up %zu record(s) still in flight on revoked partitions; "
				 "the next owner processes them again", waiting);
	if (!lost && !k->fatal && only)
		commit(k, only, 0);
	for (size_t i = 0; only && i < k->n_tracks; i++)
		if (only[i]) {
			otrack_revoke(&k->tracks[i].ot);
			k->tracks[i].eof = 0;
		}
	free(only);
	if (coop) {
		rd_kafka_error_t *error = rd_kafka_incremental_unassign(k->cons, parts);
		if (error) {
			LOGW(k->kr->log, "incremental unassign: %s", rd_kafka_error_string(error));
			rd_kafka_error_destroy(error);
		}
	} else {
		rd_kafka_assign(k->cons, NULL);
	}
	LOGI(k->kr->log, "%s %d partition(s)", lost ? "lost" : "revoked", parts->cnt);
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
			 rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	struct kctx *k = opaque;
	int coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
		on_assign(k, parts, coop);
	else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
		on_revoke(k, parts, coop);
	else {
		LOGW(k->kr->log, "rebalance error: %s", rd_kafka_err2str(err));
		rd_kafka_assign(rk, NULL);
	}
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	struct kctx *k = rd_kafka_opaque(rk);

	if (k && strcmp(fac, "CGRPJOINSTATE") == 0) {
		/* Group "g" changed join state A -> B (state up) */
		const char *to = strstr(buf, " -> ");
		if (to)
			atomic_store(&k->join_steady, strncmp(to + 4, "steady", 6) == 0);
	}
	if (level <= 6 || (k && k->user_debug)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(stderr, "%%%d|%lld.%03ld|%s|%s| %s\n", level, (long long)ts.tv_sec,
			ts.tv_nsec / 1000000L, fac, rd_kafka_name(rk), buf);
	}
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct kctx *k = opaque;

	if (err == RD_KAFKA_RESP_ERR__FATAL) {
		char es[256];
		rd_kafka_fatal_error(rk, es, sizeof(es));
		set_fatal(k, "%s fatal error: %s", rd_kafka_name(rk), es);
		return;
	}
	LOGD(k->kr->log, "%s: %s: %s", rd_kafka_name(rk), rd_kafka_err2str(err), reason);
}

/* Pauses every assigned partition above max_in_flight, resumes below half. */
static void backpressure(struct kctx *k)
{
	size_t n = in_flight(k);
	size_t hi = k->kr->conf->max_in_flight ? k->kr->conf->max_in_flight : 10000;
	rd_kafka_topic_partition_list_t *l = NULL;

	if ((!k->paused && n <= hi) || (k->paused && n >= hi / 2))
		return;
	if (rd_kafka_assignment(k->cons, &l) || !l)
		return;
	k->paused = !k->paused;
	pause_list(k, l, k->paused);
	if (k->paused)
		metrics_add(k->kr->metrics, NULL, "kafka.pauses", 1);
	LOGD(k->kr->log, "%s: %zu records in flight", k->paused ? "paused" : "resumed", n);
	rd_kafka_topic_partition_list_destroy(l);
}

/* exit_at_end: every assigned partition is at its end and all is acked. */
static int at_end(struct kctx *k)
{
	size_t active = 0;

	for (size_t i = 0; i < k->n_tracks; i++) {
		struct track *t = &k->tracks[i];
		if (!t->ot.active)
			continue;
		active++;
		if (!t->eof || otrack_in_flight(&t->ot))
			return 0;
	}
	return active > 0 && k->n == 0 && k->n_retries == 0;
}

/* ---- set-up ---- */

static int conf_set(rd_kafka_conf_t *c, const char *key, const char *val, char *err,
		    size_t errlen)
{
	char es[256];

	if (rd_kafka_conf_set(c, key, val, es, sizeof(es)) != RD_KAFKA_CONF_OK) {
		snprintf(err, errlen, "librdkafka property %s=%s: %s", key, val, es);
		return -EINVAL;
	}
	return 0;
}

static int conf_pass(rd_kafka_conf_t *c, json_t *props, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach(props, key, v)
	{
		char num[64];
		const char *s = json_string_value(v);
		if (!s) {
			if (json_is_integer(v))
				snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			else if (json_is_real(v))
				snprintf(num, sizeof(num), "%g", json_real_value(v));
			else if (json_is_boolean(v))
				snprintf(num, sizeof(num), "%s", json_is_true(v) ? "true" : "false");
			else {
				snprintf(err, errlen, "librdkafka property %s: not a scalar", key);
				return -EINVAL;
			}
			s = num;
		}
		if (conf_set(c, key, s, err, errlen) < 0)
			return -EINVAL;
	}
	return 0;
}

static rd_kafka_t *make_consumer(struct kctx *k, char *err, size_t errlen)
{
	const struct newsd_conf *c = k->kr->conf;
	rd_kafka_conf_t *rc = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;
	char es[512];

	if (conf_set(rc, "bootstrap.servers", c->brokers, err, errlen) < 0 ||
	    conf_set(rc, "group.id", c->group_id, err, errlen) < 0 ||
	    conf_set(rc, "client.id", "newsd", err, errlen) < 0 ||
	    conf_set(rc, "partition.assignment.strategy", "cooperative-sticky", err, errlen) < 0 ||
	    conf_set(rc, "auto.offset.reset", "earliest", err, errlen) < 0 ||
	    conf_set(rc, "log.connection.close", "false", err, errlen) < 0 ||
	    (c->consumer_props && conf_pass(rc, c->consumer_props, err, errlen) < 0) ||
	    /* these make at-least-once hold; not overridable */
	    conf_set(rc, "enable.auto.commit", "false", err, errlen) < 0 ||
	    conf_set(rc, "enable.auto.offset.store", "false", err, errlen) < 0 ||
	    conf_set(rc, "enable.partition.eof", k->kr->exit_at_end ? "true" : "false", err,
		     errlen) < 0)
		goto fail;
	{
		json_t *d = c->consumer_props ? json_object_get(c->consumer_props, "debug") : NULL;
		char dbg[512];
		k->user_debug = json_is_string(d) && json_string_length(d) > 0;
		snprintf(dbg, sizeof(dbg), "%s%scgrp", k->user_debug ? json_string_value(d) : "",
			 k->user_debug ? "," : "");
		if (conf_set(rc, "debug", dbg, err, errlen) < 0)
			goto fail;
	}
	rd_kafka_conf_set_log_cb(rc, on_log);
	rd_kafka_conf_set_opaque(rc, k);
	rd_kafka_conf_set_rebalance_cb(rc, on_rebalance);
	rd_kafka_conf_set_offset_commit_cb(rc, on_commit);
	rd_kafka_conf_set_error_cb(rc, on_error);
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, rc, es, sizeof(es));
	if (!rk) {
		snprintf(err, errlen, "cannot create the consumer: %s", es);
		goto fail;
	}
	rd_kafka_poll_set_consumer(rk);
	return rk;
fail:
	rd_kafka_conf_destroy(rc);
	return NULL;
}

static rd_kafka_t *make_producer(struct kctx *k, char *err, size_t errlen)
{
	const struct newsd_conf *c = k->kr->conf;
	rd_kafka_conf_t *pc = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;
	char es[512], maxb[32];
	size_t mb = c->max_message_bytes + (1u << 20);

	if (mb < 1000000)
		mb = 1000000;
	if (mb > 1000000000)
		mb = 1000000000;
	snprintf(maxb, sizeof(maxb), "%zu", mb);
	if (conf_set(pc, "bootstrap.servers", c->out_brokers ? c->out_brokers : c->brokers, err,
		     errlen) < 0 ||
	    conf_set(pc, "client.id", "newsd", err, errlen) < 0 ||
	    conf_set(pc, "linger.ms", "5", err, errlen) < 0 ||
	    conf_set(pc, "batch.size", "1000000", err, errlen) < 0 ||
	    conf_set(pc, "batch.num.messages", "10000", err, errlen) < 0 ||
	    conf_set(pc, "queue.buffering.max.messages", "1000000", err, errlen) < 0 ||
	    conf_set(pc, "message.max.bytes", maxb, err, errlen) < 0 ||
	    conf_set(pc, "log.connection.close", "false", err, errlen) < 0 ||
	    (c->producer_props && conf_pass(pc, c->producer_props, err, errlen) < 0) ||
	    conf_set(pc, "enable.idempotence", "true", err, errlen) < 0 ||
	    conf_set(pc, "acks", "all", err, errlen) < 0)
		goto fail;
	rd_kafka_conf_set_opaque(pc, k);
	rd_kafka_conf_set_dr_msg_cb(pc, on_delivery);
	rd_kafka_conf_set_error_cb(pc, on_error);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, pc, es, sizeof(es));
	if (!rk) {
		snprintf(err, errlen, "cannot create the producer: %s", es);
		goto fail;
	}
	return rk;
fail:
	rd_kafka_conf_destroy(pc);
	return NULL;
}

static int subscribe(struct kctx *k, char *err, size_t errlen)
{
	const struct newsd_conf *c = k->kr->conf;
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);
	rd_kafka_resp_err_t e;

	for (char **t = c->topics; *t; t++)
		rd_kafka_topic_partition_list_add(l, *t, RD_KAFKA_PARTITION_UA);
	e = rd_kafka_subscribe(k->cons, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (e) {
		snprintf(err, errlen, "cannot subscribe: %s", rd_kafka_err2str(e));
		return -EINVAL;
	}
	return 0;
}

static void kctx_free(struct kctx *k)
{
	batch_release(k);
	while (k->retries) {
		struct retry *r = k->retries;
		k->retries = r->next;
		retry_free(r);
	}
	for (size_t i = 0; i < k->n_tracks; i++) {
		otrack_free(&k->tracks[i].ot);
		free(k->tracks[i].topic);
	}
	free(k->tracks);
	free(k->msgs);
	free(k->seqs);
	free(k->tix);
	free(k->items);
}

/* ---- the loop ---- */

static void collect(struct kctx *k)
{
	int timeout = 100;

	while (k->n < k->cap && !k->fatal) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(k->cons, k->n ? 0 : timeout);
		if (!m)
			break;
		take(k, m);
		if (k->n == 0)
			timeout = 0; /* an event, not a message: look once more */
	}
}

static void drain(struct kctx *k)
{
	int64_t deadline = now_ms() + DRAIN_WAIT_MS;
	size_t n;

	while ((n = in_flight(k)) > 0 && !k->fatal) {
		if (now_ms() > deadline) {
			LOGW(k->kr->log, "%zu record(s) still unacknowledged at shutdown: their "
					 "offsets are not committed", n);
			break;
		}
		producer_service(k, 20);
	}
	rd_kafka_flush(k->prod, 5000);
}

int kafka_run(struct kafka_run *kr, char *err, size_t errlen)
{
	struct kctx k = {.kr = kr, .errbuf = err, .errlen = errlen};
	const struct rd_kafka_metadata *md = NULL;
	int rc = 0;

	k.retries_tail = &k.retries;
	atomic_init(&k.join_steady, 0);
	k.cap = kr->conf->batch_size ? kr->conf->batch_size : 512;
	k.msgs = calloc(k.cap, sizeof(*k.msgs));
	k.seqs = calloc(k.cap, sizeof(*k.seqs));
	k.tix = calloc(k.cap, sizeof(*k.tix));
	k.items = calloc(k.cap, sizeof(*k.items));
	if (!k.msgs || !k.seqs || !k.tix || !k.items) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	if (!(k.prod = make_producer(&k, err, errlen)) || !(k.cons = make_consumer(&k, err, errlen))) {
		rc = -EINVAL;
		goto out;
	}
	rd_kafka_resp_err_t e = rd_kafka_metadata(k.prod, 0, NULL, &md, 10000);
	if (e) {
		snprintf(err, errlen, "cannot reach the brokers %s: %s", kr->conf->brokers,
			 rd_kafka_err2str(e));
		rc = -EHOSTUNREACH;
		goto out;
	}
	rd_kafka_metadata_destroy(md);
	if ((rc = subscribe(&k, err, errlen)) < 0)
		goto out;
	LOGI(kr->log, "consuming %s%s as group %s with %zu worker(s)", kr->conf->topics[0],
	     kr->conf->topics[0] && kr->conf->topics[1] ? ", ..." : "", kr->conf->group_id,
	     pipeline_workers(kr->pipe));

	while (!atomic_load(kr->stop) && !k.fatal) {
		producer_service(&k, 0);
		backpressure(&k);
		if (k.paused) {
			/* serve rebalances and commits; wait for acks */
			rd_kafka_message_t *m = rd_kafka_consumer_poll(k.cons, 0);
			if (m)
				take(&k, m);
			producer_service(&k, 10);
		} else {
			collect(&k);
		}
		if (k.fatal)
			break;
		batch_run(&k);
		if (k.fatal)
			break;
		if ((now_ms() - k.last_commit_ms >= COMMIT_INTERVAL_MS ||
		     k.acks_since_commit >= COMMIT_EVERY_ACKS) &&
		    atomic_load(&k.join_steady))
			commit(&k, NULL, 1);
		if (kr->exit_at_end && at_end(&k)) {
			LOGI(kr->log, "every assigned partition is at its end");
			break;
		}
	}
	if (k.fatal) {
		/* stop without committing: the input is processed again on restart */
		batch_release(&k);
		rc = -ECANCELED;
		rd_kafka_consumer_close(k.cons);
		goto out;
	}
	batch_run(&k);
	drain(&k);
	if (commit(&k, NULL, 0) < 0)
		LOGW(kr->log, "final commit incomplete: some input will be processed again");
	if (k.first_msg_ms && k.last_ack_ms > k.first_msg_ms) {
		double s = (double)(k.last_ack_ms - k.first_msg_ms) / 1000.0;
		LOGI(kr->log, "processed %" PRIu64 " message(s) in %.3f s from first fetch to last "
			      "acknowledgement: %.0f msg/s",
		     k.n_input, s, (double)k.n_input / s);
	}
	rd_kafka_consumer_close(k.cons); /* revokes (commits again if needed) and leaves */
	if (k.fatal)
		rc = -ECANCELED;
out:
	if (k.cons)
		rd_kafka_destroy(k.cons);
	if (k.prod) {
		rd_kafka_flush(k.prod, 5000);
		rd_kafka_destroy(k.prod);
	}
	kctx_free(&k);
	return rc;
}
