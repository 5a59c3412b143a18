/* deduper — exact and near-duplicate stories, remembered across restarts
 * and shared by every instance through the host's state log.
 *
 * process(): normalise and fingerprint the clean text (no lock), then under
 * the index lock: a known id is a redelivery and gets its first verdict;
 * else an exact-hash hit is a duplicate; else LSH candidates are confirmed
 * by the Jaccard similarity estimated from their whole sketch, and the best
 * at or above `threshold` makes a near duplicate.  Every verdict is added to
 * the index and appended to the state log (key = id); only unique stories
 * are matched against later.  Other instances' entries arrive through
 * state_poll() at the start of process() and are applied like our own
 * replayed ones (an id already known is skipped, which also absorbs the
 * echo of our own appends).
 */
#include "deduper.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CANDIDATES 64

static const struct newsd_option dd_options[] = {
	{"action", NEWSD_OPT_STR, "tag", 0,
	 "tag: write `dedup` and pass the record on; drop: a duplicate is DROPped "
	 "(to the duplicates topic)"},
	{"threshold", NEWSD_OPT_FLOAT, "0.5", 0,
	 "estimated Jaccard similarity of shingle sets at or above which a story is a near duplicate"},
	{"containment", NEWSD_OPT_FLOAT, "0.9", 0,
	 "also a near duplicate: the smaller shingle set is contained in the larger at least this "
	 "much while the Jaccard similarity is at least threshold/2 (a copy wrapped in other "
	 "boilerplate, or trimmed); 0 turns it off"},
	{"shingle", NEWSD_OPT_INT, "5", 0, "tokens (syllables) per shingle"},
	{"min_tokens", NEWSD_OPT_INT, "10", 0,
	 "texts with fewer tokens are only matched exactly"},
	{"window_days", NEWSD_OPT_FLOAT, "7", 0,
	 "stories older than this are forgotten (0: no age limit)"},
	{"max_stories", NEWSD_OPT_INT, "5000000", 0,
	 "at most this many stories are remembered; the oldest go first"},
	{"state_log", NEWSD_OPT_STR, "deduper", 0,
	 "name of the shared state log (Kafka topic / state file); empty: remember in memory only"},
	{"time_field", NEWSD_OPT_STR, NULL, 0,
	 "record field holding the story's time (epoch seconds or ISO 8601), used instead of the "
	 "wall clock for the age window (e.g. published_at)"},
	{"languages", NEWSD_OPT_LIST, "[vi, en]", 0,
	 "language packs (lang/<l>/deduper.yaml) whose movable marks are re-placed"},
	{0},
};

const char *dd_status_name(int status)
{
	switch (status) {
	case DD_DUPLICATE: return "duplicate";
	case DD_NEAR: return "near_duplicate";
	default: return "unique";
	}
}

/* ---- time ---- */

static int64_t wall_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

/* ISO 8601 "YYYY-MM-DD[THH:MM[:SS[.f]]][Z|+HH:MM|+HHMM]" to epoch seconds. */
static int parse_iso(const char *s, int64_t *out)
{
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, off = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	s += n;
	if (*s == 'T' || *s == ' ') {
		if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			return -1;
		s += 1 + n;
		if (*s == ':' && sscanf(s + 1, "%2d%n", &sec, &n) == 1)
			s += 1 + n;
		if (*s == '.' || *s == ',')
			for (s++; *s >= '0' && *s <= '9'; s++)
				;
		if (*s == '+' || *s == '-') {
			int oh = 0, om = 0, sign = *s == '-' ? -1 : 1;
			if (sscanf(s + 1, "%2d:%2d", &oh, &om) < 1 && sscanf(s + 1, "%2d%2d", &oh, &om) < 1)
				return -1;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
	tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm) - off;
	return 0;
}

/* The story's time: time_field when set and readable, else the clock (or,
 * in time_field mode, the latest time seen). */
static int64_t story_time(struct deduper *d, struct newsd_record *r)
{
	const struct newsd_host *h = d->host;
	int64_t t;
	double x;
	const char *s;

	if (!d->time_field)
		return wall_clock();
	if (h->rec_get_int(r, d->time_field, &t) == 0)
		return t;
	if (h->rec_get_real(r, d->time_field, &x) == 0 && isfinite(x))
		return (int64_t)x;
	if ((s = h->rec_get_str(r, d->time_field, NULL)) && parse_iso(s, &t) == 0)
		return t;
	return -1; /* unknown: the caller takes the latest time seen */
}

/* ---- state log ---- */

static uint16_t sim16(double s)
{
	return (uint16_t)lround(s < 0 ? 0 : s > 1 ? 10000 : s * 10000);
}

/* Applies one state-log entry (replay, other instances, our own echo). */
static void dd_on_entry(void *opaque, const char *key, size_t klen, const void *val, size_t vlen)
{
	struct deduper *d = opaque;
	struct dd_entry e;

	if (dd_entry_decode(val, vlen, &e) < 0 || klen == 0 || klen > UINT16_MAX) {
		pthread_mutex_lock(&d->lock);
		d->ignored++;
		pthread_mutex_unlock(&d->lock);
		return;
	}
	int same = e.params == d->params;
	struct dd_story st = {
		.id = key, .id_len = klen, .of = e.of, .of_len = e.of_len, .time = e.time,
		.status = e.status, .sim = e.sim, .nshingles = e.nshingles,
		.exact = same && e.status == DD_UNIQUE && e.has_exact ? e.exact : NULL,
		.sk = same && e.status == DD_UNIQUE && e.has_sketch ? &e.sk : NULL,
	};
	pthread_mutex_lock(&d->lock);
	if (dd_index_find_id(&d->ix, key, klen)) {
		d->ignored++; /* our own echo, or a redelivery seen elsewhere first */
	} else if (dd_index_add(&d->ix, &st) == 0) {
		d->applied++;
		if (d->time_field && e.time > d->now_max)
			d->now_max = e.time;
	}
	pthread_mutex_unlock(&d->lock);
}

static void dd_poll(struct deduper *d)
{
	if (!d->state)
		return;
	/* Wait for a worker that is applying entries right now rather than
	 * skipping: judging a story while fetched entries are still being
	 * applied lets the copy of a story another instance accepted through.
	 * Uncontended, this is one mutex per record. */
	pthread_mutex_lock(&d->poll_lock);
	int n = d->host->state_poll(d->state);
	pthread_mutex_unlock(&d->poll_lock);
	if (n < 0)
		d->host->log(d->host, NEWSD_LOG_WARN, "state_poll: %s", strerror(-n));
}

/* ---- scratch ---- */

static struct dd_scratch *scratch_get(struct deduper *d)
{
	struct dd_scratch *s;

	pthread_mutex_lock(&d->pool_lock);
	s = d->pool;
	if (s)
		d->pool = s->next;
	pthread_mutex_unlock(&d->pool_lock);
	return s ? s : calloc(1, sizeof(*s));
}

static void scratch_put(struct deduper *d, struct dd_scratch *s)
{
	pthread_mutex_lock(&d->pool_lock);
	s->next = d->pool;
	d->pool = s;
	pthread_mutex_unlock(&d->pool_lock);
}

static void scratch_free(struct dd_scratch *s)
{
	dd_tokens_free(&s->tok);
	free(s->of);
	free(s);
}

/* ---- init / fini ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Collects the movable marks of every language pack (sorted, unique). */
static int load_marks(const struct newsd_host *h, const struct newsd_config *c, uint32_t *marks,
		      int *n, char *err, size_t errlen)
{
	size_t nl = h->cfg_list_len(c, "languages");

	*n = 0;
	for (size_t i = 0; i < nl; i++) {
		const char *lang = h->cfg_list_str(c, "languages", i);
		const struct newsd_config *pk;
		char file[128];
		int rc;

		snprintf(file, sizeof(file), "lang/%s/deduper.yaml", lang);
		rc = h->data_load(h, file, &pk, err, errlen);
		if (rc < 0)
			return rc;
		for (size_t j = 0, m = h->cfg_list_len(pk, "movable_marks"); j < m; j++) {
			const char *s = h->cfg_list_str(pk, "movable_marks", j);
			char *end = NULL;
			unsigned long v = s ? strtoul(s, &end, 16) : 0;
			int k;
			if (!s || end == s || *end || v == 0 || v > 0x10FFFF) {
				snprintf(err, errlen, "%s: movable_marks[%zu]: want a hex code point such as 0301",
					 file, j);
				return -EINVAL;
			}
			for (k = 0; k < *n && marks[k] != v; k++)
				;
			if (k < *n)
				continue;
			if (*n == DD_MAX_MOVABLE) {
				snprintf(err, errlen, "%s: more than %d movable marks in all", file,
					 DD_MAX_MOVABLE);
				return -EINVAL;
			}
			marks[(*n)++] = (uint32_t)v;
		}
	}
	qsort(marks, (size_t)*n, sizeof(*marks), cmp_u32);
	return 0;
}

static void dd_fini(void *state)
{
	struct deduper *d = state;

	if (!d)
		return;
	if (d->state)
		d->host->state_close(d->state);
	while (d->pool) {
		struct dd_scratch *s = d->pool;
		d->pool = s->next;
		scratch_free(s);
	}
	dd_index_free(&d->ix);
	dd_norm_free(&d->norm);
	free(d->enc);
	pthread_mutex_destroy(&d->lock);
	pthread_mutex_destroy(&d->poll_lock);
	pthread_mutex_destroy(&d->pool_lock);
	free(d);
}

static int dd_init(const struct newsd_host *h, const struct newsd_config *c, void **state,
		   char *err, size_t errlen)
{
	struct deduper *d = calloc(1, sizeof(*d));
	const char *action = h->cfg_str(c, "action"), *log = h->cfg_str(c, "state_log");
	int64_t max = h->cfg_int(c, "max_stories");
	double days = h->cfg_float(c, "window_days");
	uint32_t marks[DD_MAX_MOVABLE];
	int nmarks = 0, rc = NEWSD_ERR_FATAL;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NEWSD_ERR_FATAL;
	}
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->poll_lock, NULL);
	pthread_mutex_init(&d->pool_lock, NULL);
	d->host = h;
	d->shingle = (int)h->cfg_int(c, "shingle");
	d->min_tokens = (int)h->cfg_int(c, "min_tokens");
	d->threshold = h->cfg_float(c, "threshold");
	d->containment = h->cfg_float(c, "containment");
	d->time_field = h->cfg_str(c, "time_field");
	if (d->time_field && !*d->time_field)
		d->time_field = NULL;
	if (!action || (strcmp(action, "tag") && strcmp(action, "drop"))) {
		snprintf(err, errlen, "action: want tag or drop, not '%s'", action ? action : "");
		goto out;
	}
	d->drop = !strcmp(action, "drop");
	if (!(d->threshold > 0 && d->threshold <= 1)) {
		snprintf(err, errlen, "threshold: want a number in (0, 1], not %g", d->threshold);
		goto out;
	}
	if (!(d->containment >= 0 && d->containment <= 1)) {
		snprintf(err, errlen, "containment: want a number in [0, 1], not %g", d->containment);
		goto out;
	}
	if (d->shingle < 1 || d->shingle > 16) {
		snprintf(err, errlen, "shingle: want 1..16 tokens, not %d", d->shingle);
		goto out;
	}
	if (max < 1 || max > (int64_t)(UINT32_MAX / DD_BANDS / 4)) {
		snprintf(err, errlen, "max_stories: want 1..%u, not %lld", UINT32_MAX / DD_BANDS / 4,
			 (long long)max);
		goto out;
	}
	if (!(days >= 0) || days > 36500) {
		snprintf(err, errlen, "window_days: want 0..36500, not %g", days);
		goto out;
	}
	if (load_marks(h, c, marks, &nmarks, err, errlen) < 0)
		goto out;
	if (dd_norm_init(&d->norm, marks, nmarks, err, errlen) < 0)
		goto out;
	d->params = dd_params_id(d->shingle, &d->norm);
	d->enc = malloc(DD_ENTRY_MAX);
	if (!d->enc || dd_index_init(&d->ix, (uint32_t)max, (int64_t)llround(days * 86400)) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (log && *log) {
		int r = h->state_open(h, log, dd_on_entry, d, &d->state, err, errlen);
		if (r == -ENOTSUP) {
			h->log(h, NEWSD_LOG_WARN, "no state service (%s): remembering in memory only",
			       err);
			d->state = NULL;
		} else if (r < 0) {
			goto out;
		}
	}
	dd_index_evict_age(&d->ix, d->time_field ? d->now_max : wall_clock());
	h->log(h, NEWSD_LOG_INFO, "%llu stories remembered from the state log (%llu skipped)",
	       (unsigned long long)dd_index_size(&d->ix), (unsigned long long)d->ignored);
	*state = d;
	d = NULL;
	rc = NEWSD_OK;
out:
	dd_fini(d);
	return rc;
}

/* ---- process ---- */

struct verdict {
	int status;
	double sim;
	const char *of; /* (borrowed from the scratch) */
	size_t of_len;
	int redelivery;
};

static int copy_of(struct dd_scratch *sc, const char *s, size_t n, struct verdict *v)
{
	if (n + 1 > sc->of_cap) {
		char *p = realloc(sc->of, n + 1);
		if (!p)
			return -1;
		sc->of = p;
		sc->of_cap = n + 1;
	}
	memcpy(sc->of, s, n);
	sc->of[n] = '\0';
	v->of = sc->of;
	v->of_len = n;
	return 0;
}

/* Decides, remembers and logs; called with d->lock held. */
static int judge(struct deduper *d, const char *id, size_t idlen, int64_t t,
		 struct dd_scratch *sc, struct verdict *v)
{
	const struct dd_fp *fp = &sc->fp;
	const struct dd_slot *s, *best = NULL;
	double best_sim = 0;

	memset(v, 0, sizeof(*v));
	if ((s = dd_index_find_id(&d->ix, id, idlen))) {
		v->status = s->status;
		v->sim = s->sim / 10000.0;
		v->redelivery = 1;
		return s->of_len ? copy_of(sc, dd_slot_of(&d->ix, s), s->of_len, v) : 0;
	}
	if (fp->ntokens > 0 && (s = dd_index_find_exact(&d->ix, fp->exact))) {
		best = s;
		best_sim = 1;
		v->status = DD_DUPLICATE;
	} else if (fp->has_sketch) {
		const struct dd_slot *cand[MAX_CANDIDATES];
		size_t n = dd_index_candidates(&d->ix, &fp->sk, cand, MAX_CANDIDATES);
		int best_ok = 0;
		for (size_t i = 0; i < n; i++) {
			double j = dd_sketch_jaccard(&fp->sk, &cand[i]->sk);
			int ok = j >= d->threshold ||
				 (d->containment > 0 && j >= d->threshold / 2 &&
				  dd_containment(j, fp->nshingles, cand[i]->nshingles) >=
					  d->containment);
			/* a confirmed candidate beats an unconfirmed one; then the
			 * most similar; then the earliest */
			if (ok > best_ok || (ok == best_ok && (j > best_sim ||
			    (j == best_sim && best && dd_slot_age_rank(&d->ix, cand[i]) <
						      dd_slot_age_rank(&d->ix, best))))) {
				best_sim = j;
				best = cand[i];
				best_ok = ok;
			}
		}
		if (best_ok)
			v->status = DD_NEAR;
	}
	v->sim = best_sim;
	if (v->status != DD_UNIQUE && copy_of(sc, dd_slot_id(&d->ix, best), best->id_len, v) < 0)
		return -1;

	int uniq = v->status == DD_UNIQUE && fp->ntokens > 0;
	struct dd_entry e = {
		.status = (uint8_t)v->status, .sim = sim16(v->sim), .params = d->params,
		.nshingles = fp->nshingles, .time = t, .has_exact = uniq,
		.has_sketch = uniq && fp->has_sketch, .exact = {fp->exact[0], fp->exact[1]},
		.of = v->of, .of_len = v->of_len,
	};
	struct dd_story st = {
		.id = id, .id_len = idlen, .of = v->of, .of_len = v->of_len, .time = t,
		.status = (uint8_t)v->status, .sim = e.sim, .nshingles = fp->nshingles,
		.exact = uniq ? fp->exact : NULL, .sk = e.has_sketch ? &fp->sk : NULL,
	};
	if (e.has_sketch)
		e.sk = fp->sk;
	if (dd_index_add(&d->ix, &st) < 0)
		return -1;
	if (d->state) {
		size_t n = dd_entry_encode(&e, d->enc);
		int r = d->host->state_append(d->state, id, idlen, d->enc, n);
		if (r < 0)
			d->host->log(d->host, NEWSD_LOG_WARN, "state_append: %s", strerror(-r));
	}
	return 0;
}

static int dd_process(void *state, struct newsd_record *r, char *err, size_t errlen)
{
	struct deduper *d = state;
	const struct newsd_host *h = d->host;
	size_t idlen = 0, tlen = 0;
	const char *id = h->rec_get_str(r, "id", &idlen);
	const char *text = h->rec_get_str(r, "text", &tlen);
	struct dd_scratch *sc = NULL;
	struct verdict v;
	int rc = NEWSD_OK;
	int64_t t;

	if (!id || idlen == 0 || idlen > UINT16_MAX) {
		snprintf(err, errlen, id ? "record id is empty or longer than 65535 bytes"
					 : "record has no id");
		return NEWSD_ERR_RECORD;
	}
	dd_poll(d);
	t = story_time(d, r);
	sc = scratch_get(d);
	if (!sc || dd_normalise(&d->norm, text ? text : "", text ? tlen : 0, &sc->tok) < 0) {
		snprintf(err, errlen, "out of memory");
		rc = NEWSD_ERR_RETRY;
		goto out;
	}
	dd_fingerprint(&sc->tok, d->shingle, d->min_tokens, &sc->fp);

	pthread_mutex_lock(&d->lock);
	if (d->time_field) {
		if (t < 0)
			t = d->now_max;
		if (t > d->now_max)
			d->now_max = t;
	}
	dd_index_evict_age(&d->ix, d->time_field ? d->now_max : t);
	int jr = judge(d, id, idlen, t, sc, &v);
	pthread_mutex_unlock(&d->lock);
	if (jr < 0) {
		snprintf(err, errlen, "out of memory");
		rc = NEWSD_ERR_RETRY;
		goto out;
	}

	const char *name = dd_status_name(v.status);
	if (h->rec_set_str(r, "dedup.status", name, strlen(name)) < 0 ||
	    (v.of ? h->rec_set_str(r, "dedup.of", v.of, v.of_len)
		  : h->rec_set_null(r, "dedup.of")) < 0 ||
	    h->rec_set_real(r, "dedup.similarity", round(v.sim * 10000) / 10000) < 0) {
		snprintf(err, errlen, "cannot write dedup: out of memory");
		rc = NEWSD_ERR_RETRY;
		goto out;
	}
	h->count(h, v.redelivery ? "redelivered" : name, 1);
	if (d->drop && v.status != DD_UNIQUE) {
		snprintf(err, errlen, "%s of %s (similarity %.3f)", name, v.of, v.sim);
		rc = NEWSD_DROP;
	}
out:
	if (sc)
		scratch_put(d, sc);
	return rc;
}

static const struct newsd_plugin deduper_plugin = {
	NEWSD_PLUGIN_HEADER,
	.caps = NEWSD_CAP_THREAD_SAFE | NEWSD_CAP_STATEFUL,
	.name = "deduper",
	.version = "1.0.0",
	.license = "Apache-2.0",
	.description = "exact and near-duplicate stories (MinHash/LSH over syllable shingles), "
		       "shared through the state log",
	.options = dd_options,
	.init = dd_init,
	.process = dd_process,
	.fini = dd_fini,
};

NEWSD_PLUGIN_DEFINE(deduper, deduper_plugin)
