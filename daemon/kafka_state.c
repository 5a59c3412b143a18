/* kafka_state.c — state logs on Kafka (see kafka.h and state.h).
 *
 * Log NAME is topic <state.topic_prefix>NAME (meant to be compacted; key =
 * entry key).  Each open log has its own consumer, assigned to every
 * partition of the topic from the beginning (no consumer group: every
 * instance reads everything).  open() replays up to the high watermarks
 * read at open time; poll() hands over whatever arrived since, from any
 * instance, this one included.  Appends from every log share one
 * idempotent producer; flush() waits until they are acknowledged.  A failed
 * delivery is produced again a few times; after that the log reports the
 * failure on every flush, so the daemon stops committing input.
 */
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka.h"

#define STATE_OPEN_TIMEOUT_MS 60000
#define STATE_FLUSH_TIMEOUT_MS 30000
#define STATE_DELIVERY_ATTEMPTS 4

struct kstate_backend {
	const struct newsd_conf *conf; /* (borrowed) */
	struct logger *log;            /* (borrowed) */
	pthread_mutex_t lock;          /* creation of prod */
	rd_kafka_t *prod;              /* (owned) shared by every log; NULL until a log opens */
	atomic_int failed;             /* sticky: an entry could not be delivered */
};

struct kstate {
	struct newsd_state base; /* first: the registry frees through ops->close */
	struct kstate_backend *be;
	rd_kafka_t *cons;        /* (owned) */
	char *topic;             /* (owned) */
	pthread_mutex_t poll_lock;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set(rd_kafka_conf_t *c, const char *k, const char *v, char *err, size_t errlen)
{
	char es[256];

	if (rd_kafka_conf_set(c, k, v, es, sizeof(es)) != RD_KAFKA_CONF_OK) {
		snprintf(err, errlen, "librdkafka property %s=%s: %s", k, v, es);
		return -EINVAL;
	}
	return 0;
}

static int pass(rd_kafka_conf_t *c, json_t *props, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	if (!props)
		return 0;
	json_object_foreach(props, key, v)
	{
		char num[64];
		const char *s = json_string_value(v);
		if (!s) {
			if (json_is_integer(v))
				snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			else if (json_is_boolean(v))
				snprintf(num, sizeof(num), "%s", json_is_true(v) ? "true" : "false");
			else if (json_is_real(v))
				snprintf(num, sizeof(num), "%g", json_real_value(v));
			else
				continue;
			s = num;
		}
		/* group settings mean nothing to an assign-only reader */
		if (!strcmp(key, "group.id") || !strcmp(key, "group.instance.id") ||
		    !strcmp(key, "partition.assignment.strategy"))
			continue;
		if (set(c, key, s, err, errlen) < 0)
			return -EINVAL;
	}
	return 0;
}

static const char *brokers_of(const struct newsd_conf *c)
{
	return c->out_brokers ? c->out_brokers : c->brokers;
}

/* Failed deliveries are produced again (copied) a few times. */
static void state_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct kstate_backend *be = opaque;
	uintptr_t attempt = (uintptr_t)m->_private;

	if (!m->err)
		return;
	if (attempt + 1 < STATE_DELIVERY_ATTEMPTS) {
		rd_kafka_resp_err_t e = rd_kafka_producev(
			rk, RD_KAFKA_V_TOPIC(rd_kafka_topic_name(m->rkt)),
			RD_KAFKA_V_KEY(m->key, m->key_len), RD_KAFKA_V_VALUE(m->payload, m->len),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			RD_KAFKA_V_OPAQUE((void *)(attempt + 1)), RD_KAFKA_V_END);
		LOGW(be->log, "state entry to %s failed (%s); producing it again",
		     rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
		if (!e)
			return;
	}
	LOGE(be->log, "state entry to %s lost: %s; input offsets will not be committed",
	     rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
	atomic_store(&be->failed, 1);
}

static int ensure_producer(struct kstate_backend *be, char *err, size_t errlen)
{
	rd_kafka_conf_t *pc = NULL;
	char es[512];
	int rc = 0;

	pthread_mutex_lock(&be->lock);
	if (be->prod)
		goto out;
	pc = rd_kafka_conf_new();
	if (set(pc, "bootstrap.servers", brokers_of(be->conf), err, errlen) < 0 ||
	    set(pc, "client.id", "newsd-state", err, errlen) < 0 ||
	    set(pc, "linger.ms", "5", err, errlen) < 0 ||
	    set(pc, "log.connection.close", "false", err, errlen) < 0 ||
	    pass(pc, be->conf->producer_props, err, errlen) < 0 ||
	    set(pc, "enable.idempotence", "true", err, errlen) < 0 ||
	    set(pc, "acks", "all", err, errlen) < 0) {
		rc = -EINVAL;
		goto out;
	}
	rd_kafka_conf_set_opaque(pc, be);
	rd_kafka_conf_set_dr_msg_cb(pc, state_delivery);
	be->prod = rd_kafka_new(RD_KAFKA_PRODUCER, pc, es, sizeof(es));
	if (!be->prod) {
		snprintf(err, errlen, "cannot create the state producer: %s", es);
		rc = -EINVAL;
		goto out;
	}
	pc = NULL;
out:
	if (pc)
		rd_kafka_conf_destroy(pc);
	pthread_mutex_unlock(&be->lock);
	return rc;
}

static int ks_append(struct newsd_state *s, const char *key, size_t klen, const void *val,
		     size_t vlen)
{
	struct kstate *ks = (struct kstate *)s;
	rd_kafka_resp_err_t e;

	for (;;) {
		e = rd_kafka_producev(ks->be->prod, RD_KAFKA_V_TOPIC(ks->topic),
				      RD_KAFKA_V_KEY(key, klen),
				      RD_KAFKA_V_VALUE((void *)val, vlen),
				      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				      RD_KAFKA_V_OPAQUE((void *)0), RD_KAFKA_V_END);
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		rd_kafka_poll(ks->be->prod, 10);
	}
	if (e) {
		LOGE(ks->be->log, "state append to %s: %s", ks->topic, rd_kafka_err2str(e));
		return e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ? -EMSGSIZE : -EIO;
	}
	return 0;
}

/* Delivers what the reader has fetched; returns the number of entries. */
static int ks_poll(struct newsd_state *s)
{
	struct kstate *ks = (struct kstate *)s;
	rd_kafka_message_t *m;
	int n = 0;

	pthread_mutex_lock(&ks->poll_lock);
	while ((m = rd_kafka_consumer_poll(ks->cons, 0))) {
		if (!m->err) {
			s->fn(s->opaque, m->key ? m->key : "", m->key ? m->key_len : 0,
			      m->payload ? m->payload : "", m->len);
			n++;
		} else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			LOGW(ks->be->log, "state log %s: %s", ks->topic, rd_kafka_message_errstr(m));
		}
		rd_kafka_message_destroy(m);
	}
	pthread_mutex_unlock(&ks->poll_lock);
	return n;
}

static int ks_flush(struct newsd_state *s)
{
	struct kstate *ks = (struct kstate *)s;
	rd_kafka_resp_err_t e = rd_kafka_flush(ks->be->prod, STATE_FLUSH_TIMEOUT_MS);

	if (e) {
		LOGW(ks->be->log, "state log %s: flush: %s", ks->topic, rd_kafka_err2str(e));
		return -ETIMEDOUT;
	}
	return atomic_load(&ks->be->failed) ? -EIO : 0;
}

static void ks_close(struct newsd_state *s)
{
	struct kstate *ks = (struct kstate *)s;

	if (ks->cons)
		rd_kafka_destroy(ks->cons);
	pthread_mutex_destroy(&ks->poll_lock);
	free(ks->topic);
	free(s->name);
	free(ks);
}

static const struct state_ops kafka_state_ops = {ks_append, ks_poll, ks_flush, ks_close};

/* Partition count of topic, waiting while it is being created. */
static int partitions_of(rd_kafka_t *rk, const char *topic, int *out, char *err, size_t errlen)
{
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
	int64_t deadline = now_ms() + 15000;
	int rc = -ENOENT;

	if (!rkt) {
		snprintf(err, errlen, "state topic %s: %s", topic, rd_kafka_err2str(rd_kafka_last_error()));
		return -EINVAL;
	}
	for (;;) {
		const struct rd_kafka_metadata *md = NULL;
		rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 5000);
		if (!e && md->topic_cnt == 1 && !md->topics[0].err && md->topics[0].partition_cnt > 0) {
			*out = md->topics[0].partition_cnt;
			rd_kafka_metadata_destroy(md);
			rc = 0;
			break;
		}
		if (!e) {
			e = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
			rd_kafka_metadata_destroy(md);
		}
		if (now_ms() > deadline) {
			snprintf(err, errlen,
				 "state topic %s is not available (%s): create it (compacted, key = "
				 "entry key) or let the broker auto-create it",
				 topic, rd_kafka_err2str(e));
			break;
		}
		struct timespec ts = {0, 200 * 1000000L};
		nanosleep(&ts, NULL);
	}
	rd_kafka_topic_destroy(rkt);
	return rc;
}

/* Reads every partition from the beginning up to the high watermarks seen
 * now, delivering entries through fn. */
static int replay(struct kstate *ks, int nparts, char *err, size_t errlen)
{
	int64_t *hi = calloc((size_t)nparts, sizeof(*hi));
	int64_t deadline = now_ms() + STATE_OPEN_TIMEOUT_MS;
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(nparts);
	int remaining = 0, rc = 0;
	size_t entries = 0;

	if (!hi || !l) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (int p = 0; p < nparts; p++) {
		int64_t lo = 0;
		rd_kafka_resp_err_t e =
			rd_kafka_query_watermark_offsets(ks->cons, ks->topic, p, &lo, &hi[p], 10000);
		if (e) {
			snprintf(err, errlen, "state topic %s [%d]: watermarks: %s", ks->topic, p,
				 rd_kafka_err2str(e));
			rc = -EIO;
			goto out;
		}
		if (hi[p] > lo)
			remaining++;
		else
			hi[p] = -1; /* nothing to read */
		rd_kafka_topic_partition_list_add(l, ks->topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
	}
	rd_kafka_resp_err_t e = rd_kafka_assign(ks->cons, l);
	if (e) {
		snprintf(err, errlen, "state topic %s: assign: %s", ks->topic, rd_kafka_err2str(e));
		rc = -EIO;
		goto out;
	}
	while (remaining > 0) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(ks->cons, 100);
		if (now_ms() > deadline) {
			snprintf(err, errlen, "state topic %s: replay did not reach the end in %d s",
				 ks->topic, STATE_OPEN_TIMEOUT_MS / 1000);
			rc = -ETIMEDOUT;
			if (m)
				rd_kafka_message_destroy(m);
			goto out;
		}
		if (!m)
			continue;
		int p = m->partition;
		if (!m->err) {
			ks->base.fn(ks->base.opaque, m->key ? m->key : "", m->key ? m->key_len : 0,
				    m->payload ? m->payload : "", m->len);
			entries++;
		} else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			LOGW(ks->be->log, "state log %s: %s", ks->topic, rd_kafka_message_errstr(m));
		}
		if (p >= 0 && p < nparts && hi[p] >= 0 &&
		    ((!m->err && m->offset + 1 >= hi[p]) ||
		     (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && m->offset >= hi[p]))) {
			hi[p] = -1;
			remaining--;
		}
		rd_kafka_message_destroy(m);
	}
	LOGI(ks->be->log, "state log %s: replayed %zu entr%s from %d partition(s)", ks->topic,
	     entries, entries == 1 ? "y" : "ies", nparts);
out:
	if (l)
		rd_kafka_topic_partition_list_destroy(l);
	free(hi);
	return rc;
}

static int ks_open(struct state_backend *sb, const char *name, newsd_state_entry_fn fn,
		   void *opaque, struct newsd_state **out, char *err, size_t errlen)
{
	struct kstate_backend *be = sb->impl;
	struct kstate *ks = NULL;
	rd_kafka_conf_t *cc = NULL;
	char es[512];
	int nparts = 0, rc;

	*out = NULL;
	if ((rc = ensure_producer(be, err, errlen)) < 0)
		return rc;
	ks = calloc(1, sizeof(*ks));
	if (!ks) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&ks->poll_lock, NULL);
	ks->be = be;
	ks->base.ops = &kafka_state_ops;
	ks->base.fn = fn;
	ks->base.opaque = opaque;
	size_t tl = strlen(be->conf->state_topic_prefix) + strlen(name) + 1;
	if (!(ks->base.name = strdup(name)) || !(ks->topic = malloc(tl))) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	snprintf(ks->topic, tl, "%s%s", be->conf->state_topic_prefix, name);
	cc = rd_kafka_conf_new();
	if (set(cc, "bootstrap.servers", brokers_of(be->conf), err, errlen) < 0 ||
	    set(cc, "client.id", "newsd-state", err, errlen) < 0 ||
	    set(cc, "fetch.wait.max.ms", "50", err, errlen) < 0 ||
	    set(cc, "log.connection.close", "false", err, errlen) < 0 ||
	    pass(cc, be->conf->consumer_props, err, errlen) < 0 ||
	    /* assign() wants a group.id; this reader never joins nor commits */
	    set(cc, "group.id", "newsd-state-reader", err, errlen) < 0 ||
	    set(cc, "enable.auto.commit", "false", err, errlen) < 0 ||
	    set(cc, "enable.partition.eof", "true", err, errlen) < 0) {
		rc = -EINVAL;
		goto out;
	}
	ks->cons = rd_kafka_new(RD_KAFKA_CONSUMER, cc, es, sizeof(es));
	if (!ks->cons) {
		snprintf(err, errlen, "state log %s: cannot create a reader: %s", name, es);
		rc = -EINVAL;
		goto out;
	}
	cc = NULL;
	if ((rc = partitions_of(ks->cons, ks->topic, &nparts, err, errlen)) < 0)
		goto out;
	if ((rc = replay(ks, nparts, err, errlen)) < 0)
		goto out;
	*out = &ks->base;
	ks = NULL;
out:
	if (cc)
		rd_kafka_conf_destroy(cc);
	if (ks)
		ks_close(&ks->base);
	return rc;
}

int kafka_state_backend(struct state_backend *sb, const struct newsd_conf *conf,
			struct logger *log, char *err, size_t errlen)
{
	struct kstate_backend *be = calloc(1, sizeof(*be));

	if (!be) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!brokers_of(conf)) {
		snprintf(err, errlen, "no brokers configured for the state logs");
		free(be);
		return -EINVAL;
	}
	be->conf = conf;
	be->log = log;
	pthread_mutex_init(&be->lock, NULL);
	atomic_init(&be->failed, 0);
	sb->open = ks_open;
	sb->impl = be;
	return 0;
}

void kafka_state_backend_free(struct state_backend *sb)
{
	struct kstate_backend *be = sb->impl;

	if (!be)
		return;
	if (be->prod) {
		if (rd_kafka_flush(be->prod, STATE_FLUSH_TIMEOUT_MS))
			LOGW(be->log, "state producer: entries still unacknowledged at exit");
		rd_kafka_destroy(be->prod);
	}
	pthread_mutex_destroy(&be->lock);
	free(be);
	sb->impl = NULL;
}
