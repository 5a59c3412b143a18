/* pipeline.c — plugin instances, the worker pool, and what happens to one
 * record between its payload and its serialised output.
 *
 * The caller's thread is worker 0; workers 1..N-1 are threads that wait
 * for a batch.  Items are claimed one at a time with an atomic counter, so
 * a slow article does not hold up a whole slice of the batch.  Outcomes are
 * stored in the items; the caller routes them in batch order.
 */
#include "pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "options.h"

#ifndef NEWSD_VERSION
#define NEWSD_VERSION "0.0.0"
#endif

struct stage {
	struct loaded_plugin lp;
	struct pipeline_entry *entry; /* (borrowed from conf) */
	struct plugin_host host;
	size_t n_inst;  /* 1 for THREAD_SAFE plugins, else one per worker */
	void **inst;    /* (owned array) plugin states */
	size_t n_inited;
};

struct pipeline {
	struct newsd_conf *conf; /* (borrowed) */
	struct host_env *env;    /* (borrowed) */
	struct stage *stages;
	size_t n_stages;
	size_t workers;

	pthread_t *threads; /* workers 1..N-1 */
	size_t n_threads;
	pthread_mutex_t lock;
	pthread_cond_t work_cv, done_cv;
	uint64_t generation; /* bumped for each batch */
	int quit;
	struct work_item *items;
	size_t n_items;
	atomic_size_t next;  /* next unclaimed item */
	size_t finished;     /* workers done with the current batch */
	int fatal;
};

struct worker_arg {
	struct pipeline *p;
	size_t index;
};

/* ---- one record ---- */

static void set_dead(struct work_item *it, const char *by, const char *fmt, const char *detail)
{
	it->outcome = ITEM_DEAD;
	it->by = by;
	snprintf(it->reason, sizeof(it->reason), fmt, detail);
}

/* Gives the record its id: the message's own, the Kafka key, or a hash of
 * the payload (so a redelivered message keeps its id). */
static int assign_id(struct work_item *it, json_t *root)
{
	json_t *id = json_object_get(root, "id");

	if (json_is_string(id) && json_string_length(id) > 0) {
		snprintf(it->id, sizeof(it->id), "%s", json_string_value(id));
		return 0;
	}
	if (json_is_integer(id)) {
		snprintf(it->id, sizeof(it->id), "%lld", (long long)json_integer_value(id));
	} else if (id && !json_is_null(id)) {
		return -EINVAL;
	} else if (it->key && it->keylen > 0 && it->keylen < sizeof(it->id) &&
		   utf8_valid(it->key, it->keylen) && !memchr(it->key, '\0', it->keylen)) {
		memcpy(it->id, it->key, it->keylen);
		it->id[it->keylen] = '\0';
	} else {
		XXH128_hash_t h = XXH3_128bits(it->payload, it->len);
		snprintf(it->id, sizeof(it->id), "h%016llx%016llx", (unsigned long long)h.high64,
			 (unsigned long long)h.low64);
	}
	return json_object_set_new(root, "id", json_string(it->id)) == 0 ? 0 : -ENOMEM;
}

static int has_content(json_t *root)
{
	static const char *const fields[] = {"text", "html", "raw"};

	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(root, fields[i]);
		if (json_is_string(v) && json_string_length(v) > 0)
			return 1;
	}
	return 0;
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

static int stamp(struct pipeline *p, json_t *root)
{
	json_t *meta = json_object(), *plugins = json_array();
	char now[40];

	if (!meta || !plugins)
		goto oom;
	for (size_t i = 0; i < p->n_stages; i++)
		if (json_array_append_new(plugins, json_string(p->stages[i].lp.desc.name)) < 0)
			goto oom;
	iso_now(now, sizeof(now));
	if (json_object_set_new(meta, "version", json_string(NEWSD_VERSION)) < 0 ||
	    json_object_set_new(meta, "plugins", plugins) < 0 ||
	    json_object_set_new(meta, "processed_at", json_string(now)) < 0)
		goto oom_meta;
	return json_object_set_new(root, "newsd", meta) == 0 ? 0 : -ENOMEM;
oom:
	json_decref(plugins);
oom_meta:
	json_decref(meta);
	return -ENOMEM;
}

static void backoff(int attempt)
{
	long ms = 10L << (attempt < 7 ? attempt : 7); /* 10 ms .. 1.28 s */
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Runs the chain on one item with worker w's instances. */
static void process_item(struct pipeline *p, size_t w, struct work_item *it)
{
	struct newsd_record rec = {0};
	char err[sizeof(((struct work_item *)0)->reason) - 64]; /* room for our prefix */
	json_t *root;

	it->outcome = ITEM_OUTPUT;
	it->by = "newsd";
	it->reason[0] = '\0';
	it->id[0] = '\0';
	it->out = NULL;
	it->out_len = 0;
	if (it->len > p->conf->max_message_bytes) {
		snprintf(it->reason, sizeof(it->reason),
			 "message too large: %zu bytes > max_message_bytes %zu", it->len,
			 p->conf->max_message_bytes);
		it->outcome = ITEM_DEAD;
		goto out;
	}
	if (record_from_payload(&rec, it->payload, it->len, it->format, err, sizeof(err)) < 0) {
		set_dead(it, "newsd", "%s", err);
		goto out;
	}
	root = rec.root;
	if (assign_id(it, root) < 0) {
		set_dead(it, "newsd", "%s", "field 'id' must be a string or an integer");
		goto out;
	}
	if (!has_content(root)) {
		set_dead(it, "newsd", "%s", "message has neither text, html nor raw bytes");
		goto out;
	}
	for (size_t s = 0; s < p->n_stages; s++) {
		struct stage *st = &p->stages[s];
		void *inst = st->inst[st->n_inst == 1 ? 0 : w];
		int rc;

		for (int attempt = 0;; attempt++) {
			err[0] = '\0';
			rc = st->lp.desc.process(inst, &rec, err, sizeof(err));
			if (rc != NEWSD_ERR_RETRY || attempt >= p->conf->retry_max)
				break;
			metrics_add(p->env->metrics, st->lp.desc.name, "retries", 1);
			backoff(attempt);
		}
		switch (rc) {
		case NEWSD_OK:
			continue;
		case NEWSD_DROP:
			it->outcome = ITEM_DROPPED;
			it->by = st->lp.desc.name;
			snprintf(it->reason, sizeof(it->reason), "%s", err[0] ? err : "dropped");
			goto finish;
		case NEWSD_ERR_RETRY:
			it->by = st->lp.desc.name;
			snprintf(it->reason, sizeof(it->reason), "gave up after %d retries: %s",
				 p->conf->retry_max, err[0] ? err : "(no reason given)");
			it->outcome = ITEM_DEAD;
			goto out;
		case NEWSD_ERR_FATAL:
			it->outcome = ITEM_FATAL;
			it->by = st->lp.desc.name;
			snprintf(it->reason, sizeof(it->reason), "%s",
				 err[0] ? err : "fatal error (no reason given)");
			goto out;
		case NEWSD_ERR_RECORD:
			set_dead(it, st->lp.desc.name, "%s", err[0] ? err : "rejected (no reason given)");
			goto out;
		default:
			it->outcome = ITEM_DEAD;
			it->by = st->lp.desc.name;
			snprintf(it->reason, sizeof(it->reason), "plugin returned unknown status %d", rc);
			goto out;
		}
	}
finish:
	root = rec.root;
	if (!p->conf->include_html)
		json_object_del(root, "html");
	if (json_object_get(root, "raw")) {
		/* no plugin decoded the bytes: they cannot be written as JSON */
		const char *raw = json_string_value(json_object_get(root, "raw"));
		size_t rl = json_string_length(json_object_get(root, "raw"));
		if (!utf8_valid(raw, rl)) {
			set_dead(it, "newsd", "%s",
				 "payload is not UTF-8 and no plugin decoded it (add the cleaner)");
			goto out;
		}
	}
	if (stamp(p, root) < 0 || !(it->out = record_dump(&rec, &it->out_len))) {
		it->outcome = ITEM_FATAL;
		snprintf(it->reason, sizeof(it->reason), "out of memory serialising the record");
		goto out;
	}
out:
	record_clear(&rec);
}

/* ---- the worker pool ---- */

static void run_share(struct pipeline *p, size_t w)
{
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n_items)
		process_item(p, w, &p->items[i]);
}

static void *worker_main(void *arg)
{
	struct worker_arg *wa = arg;
	struct pipeline *p = wa->p;
	size_t w = wa->index;
	uint64_t seen = 0;

	free(wa);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->quit && p->generation == seen)
			pthread_cond_wait(&p->work_cv, &p->lock);
		if (p->quit)
			break;
		seen = p->generation;
		pthread_mutex_unlock(&p->lock);
		run_share(p, w);
		pthread_mutex_lock(&p->lock);
		if (++p->finished == p->n_threads)
			pthread_cond_signal(&p->done_cv);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int pipeline_run_batch(struct pipeline *p, struct work_item *items, size_t n)
{
	int rc = 0;

	if (n == 0)
		return 0;
	pthread_mutex_lock(&p->lock);
	p->items = items;
	p->n_items = n;
	atomic_store(&p->next, 0);
	p->finished = 0;
	/* small batches are not worth waking anyone */
	int wake = p->n_threads > 0 && n > 1;
	if (wake) {
		p->generation++;
		pthread_cond_broadcast(&p->work_cv);
	}
	pthread_mutex_unlock(&p->lock);

	run_share(p, 0);

	if (wake) {
		pthread_mutex_lock(&p->lock);
		while (p->finished < p->n_threads)
			pthread_cond_wait(&p->done_cv, &p->lock);
		pthread_mutex_unlock(&p->lock);
	}
	for (size_t i = 0; i < n; i++)
		if (items[i].outcome == ITEM_FATAL)
			rc = -ECANCELED;
	return rc;
}

void pipeline_items_reset(struct work_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].out);
		items[i].out = NULL;
		items[i].out_len = 0;
	}
}

/* ---- set-up and tear-down ---- */

static int stage_init(struct pipeline *p, struct stage *st, char *err, size_t errlen)
{
	const struct newsd_plugin *d = &st->lp.desc;
	char perr[512];

	st->n_inst = (d->caps & NEWSD_CAP_THREAD_SAFE) ? 1 : p->workers;
	st->inst = calloc(st->n_inst, sizeof(*st->inst));
	if (!st->inst) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	plugin_host_init(&st->host, p->env, d->name);
	for (size_t i = 0; i < st->n_inst; i++) {
		perr[0] = '\0';
		int rc = d->init ? d->init(&st->host.vt, config_view(st->entry->config),
					   &st->inst[i], perr, sizeof(perr))
				 : NEWSD_OK;
		if (rc != NEWSD_OK) {
			snprintf(err, errlen, "%s:%d:%d: plugin '%s' (%s) failed to start: %s",
				 p->conf->file, st->entry->line, st->entry->col, d->name,
				 st->lp.path, perr[0] ? perr : "(no reason given)");
			return -EINVAL;
		}
		st->n_inited++;
	}
	return 0;
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	if (p->threads) {
		pthread_mutex_lock(&p->lock);
		p->quit = 1;
		pthread_cond_broadcast(&p->work_cv);
		pthread_mutex_unlock(&p->lock);
		for (size_t i = 0; i < p->n_threads; i++)
			pthread_join(p->threads[i], NULL);
		free(p->threads);
	}
	for (size_t s = p->n_stages; s-- > 0;) {
		struct stage *st = &p->stages[s];
		for (size_t i = 0; i < st->n_inited; i++)
			if (st->lp.desc.fini)
				st->lp.desc.fini(st->inst[i]);
		free(st->inst);
		loader_release(&st->lp, 0);
	}
	free(p->stages);
	pthread_cond_destroy(&p->work_cv);
	pthread_cond_destroy(&p->done_cv);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int pipeline_new(struct newsd_conf *conf, struct host_env *env, struct pipeline **out,
		 char *err, size_t errlen)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	int rc = 0;

	*out = NULL;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	p->conf = conf;
	p->env = env;
	p->workers = conf->workers > 0 ? (size_t)conf->workers : 1;
	p->stages = calloc(conf->n_pipeline ? conf->n_pipeline : 1, sizeof(*p->stages));
	if (!p->stages) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t s = 0; s < conf->n_pipeline; s++) {
		struct stage *st = &p->stages[s];
		char lerr[1024];

		st->entry = &conf->pipeline[s];
		rc = loader_load(st->entry->plugin, st->entry->path,
				 (const char *const *)conf->plugin_dirs, &st->lp, lerr, sizeof(lerr));
		if (rc < 0) {
			snprintf(err, errlen, "%s:%d:%d: %s", conf->file, st->entry->line,
				 st->entry->col, lerr);
			goto out;
		}
		p->n_stages = s + 1;
		rc = conf_check_plugin(conf, s, st->lp.desc.options, err, errlen);
		if (rc < 0)
			goto out;
	}
	for (size_t s = 0; s < p->n_stages; s++) {
		rc = stage_init(p, &p->stages[s], err, errlen);
		if (rc < 0)
			goto out;
	}
	if (p->workers > 1) {
		p->threads = calloc(p->workers - 1, sizeof(*p->threads));
		if (!p->threads) {
			rc = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		for (size_t i = 1; i < p->workers; i++) {
			struct worker_arg *wa = malloc(sizeof(*wa));
			if (!wa) {
				rc = -ENOMEM;
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			*wa = (struct worker_arg){p, i};
			if (pthread_create(&p->threads[i - 1], NULL, worker_main, wa) != 0) {
				free(wa);
				rc = -EAGAIN;
				snprintf(err, errlen, "cannot start worker thread %zu", i);
				goto out;
			}
			p->n_threads++;
		}
	}
out:
	if (rc < 0)
		pipeline_free(p);
	else
		*out = p;
	return rc;
}

int pipeline_flush(struct pipeline *p, char *err, size_t errlen)
{
	for (size_t s = 0; s < p->n_stages; s++) {
		struct stage *st = &p->stages[s];
		if (!st->lp.desc.flush)
			continue;
		for (size_t i = 0; i < st->n_inited; i++) {
			char perr[512] = "";
			if (st->lp.desc.flush(st->inst[i], perr, sizeof(perr)) < 0) {
				snprintf(err, errlen, "plugin '%s' flush failed: %s", st->lp.desc.name,
					 perr);
				return -EIO;
			}
		}
	}
	if (p->env->states && state_registry_flush(p->env->states) < 0) {
		snprintf(err, errlen, "flushing state logs failed");
		return -EIO;
	}
	return 0;
}

size_t pipeline_workers(const struct pipeline *p)
{
	return p->workers;
}
