/* bench_throughput.c — the deduper alone: articles/s on one core with 1M
 * stories remembered, memory per remembered story, and the time to replay a
 * 1M-entry offline state log.
 *
 *   deduper-bench-throughput BAOMOI.jsonl.gz [--stories N] [--articles N]
 *
 * 1. Writes N synthetic fingerprints (random exact hashes and sketches,
 *    entries exactly as the plugin writes them) to a state file through the
 *    daemon's file backend.
 * 2. Starts the plugin on that directory: init replays the log (timed);
 *    the resident-memory growth divided by N is the memory per story.
 * 3. Feeds it ~5 KB articles built from the corpus (90% new, 10% copies or
 *    edited copies of earlier ones) as prepared records and times process()
 *    only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "deduper.h"
#include "harness.h"
#include "record.h"
#include "state.h"

static long rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void noop_entry(void *o, const char *k, size_t kl, const void *v, size_t vl)
{
	(void)o, (void)k, (void)kl, (void)v, (void)vl;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	size_t nstories = 1000000, narticles = 20000;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	char err[512];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--stories") && i + 1 < argc)
			nstories = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--articles") && i + 1 < argc)
			narticles = strtoul(argv[++i], NULL, 10);
		else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: %s BAOMOI.jsonl.gz [--stories N] [--articles N]\n", argv[0]);
		return 2;
	}

	/* ---- 1. synthetic state log ---- */
	static const uint32_t marks[] = {0x300, 0x301, 0x303, 0x309, 0x323}; /* vi + en packs */
	struct dd_norm nm;
	if (dd_norm_init(&nm, marks, 5, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	uint32_t params = dd_params_id(5, &nm);
	char dir[] = "/tmp/deduper-bench-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	struct state_backend be;
	struct state_registry reg;
	struct newsd_state *st = NULL;
	state_backend_file(&be, dir);
	state_registry_init(&reg, &be);
	if (state_registry_open(&reg, "deduper", noop_entry, NULL, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	unsigned char *buf = malloc(DD_ENTRY_MAX);
	double t0 = now_s();
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < nstories; i++) {
		struct dd_entry e = {.status = DD_UNIQUE, .params = params, .nshingles = 1000,
				     .time = now - 3600, .has_exact = 1, .has_sketch = 1};
		e.exact[0] = rnd(&seed), e.exact[1] = rnd(&seed);
		for (int k = 0; k < DD_K; k += 8) {
			uint64_t r = rnd(&seed);
			memcpy(e.sk.sig + k, &r, 8);
		}
		char key[32];
		int kl = snprintf(key, sizeof(key), "synthetic-%08zu", i);
		size_t vl = dd_entry_encode(&e, buf);
		st->ops->append(st, key, (size_t)kl, buf, vl);
	}
	state_registry_destroy(&reg); /* flushes and closes */
	state_backend_file_free(&be);
	double t_write = now_s() - t0;
	char logpath[256];
	snprintf(logpath, sizeof(logpath), "%s/deduper.log", dir);
	FILE *lf = fopen(logpath, "rb");
	long logsize = 0;
	if (lf) {
		fseek(lf, 0, SEEK_END);
		logsize = ftell(lf);
		fclose(lf);
	}

	/* ---- 2. replay ---- */
	const struct newsd_plugin *p = newsd_plugin_deduper_describe();
	const char *cfg[1] = {NULL};
	long rss0 = rss_kb();
	t0 = now_s();
	struct harness *h = harness_new_chain(&p, cfg, 1, dir, err, sizeof(err));
	double t_replay = now_s() - t0;
	long rss1 = rss_kb();
	if (!h) {
		fprintf(stderr, "harness: %s\n", err);
		return 1;
	}

	/* the index's own accounting on the same number of stories */
	struct dd_index ix;
	dd_index_init(&ix, (uint32_t)nstories, 0);
	for (size_t i = 0; i < nstories; i++) {
		struct dd_sketch sk;
		uint64_t ex[2] = {rnd(&seed), rnd(&seed)};
		for (int k = 0; k < DD_K; k += 8) {
			uint64_t r = rnd(&seed);
			memcpy(sk.sig + k, &r, 8);
		}
		char key[32];
		int kl = snprintf(key, sizeof(key), "synthetic-%08zu", i);
		struct dd_story s = {.id = key, .id_len = (size_t)kl, .exact = ex, .sk = &sk,
				     .nshingles = 1000};
		dd_index_add(&ix, &s);
	}
	size_t ixbytes = dd_index_bytes(&ix);
	dd_index_free(&ix);

	/* ---- 3. articles ---- */
	struct corpus *jl = corpus_open(path);
	if (!jl) {
		perror(path);
		return 1;
	}
	struct newsd_record *recs = calloc(narticles, sizeof(*recs));
	char **texts = calloc(narticles, sizeof(char *));
	struct sb acc = {0};
	size_t made = 0, bytes = 0, copies = 0;
	json_t *o;
	while (made < narticles && (o = corpus_next(jl))) {
		const char *t = json_string_value(json_object_get(o, "text"));
		if (t) {
			if (acc.len)
				sb_puts(&acc, "\n\n");
			sb_puts(&acc, t);
		}
		json_decref(o);
		if (acc.len < 5120)
			continue;
		size_t cut = 5120;
		while (cut > 4000 && acc.p[cut] != ' ')
			cut--;
		acc.p[cut] = '\0';
		texts[made++] = sb_take(&acc);
	}
	corpus_close(jl);
	free(acc.p);
	narticles = made;
	/* 10% of the stream: copies (exact or with typos) of earlier articles */
	for (size_t i = 100; i < narticles; i += 10) {
		size_t src = rnd(&seed) % i;
		char *c = (i / 10) % 2 ? strdup(texts[src]) : edit_typos(texts[src], 5, &seed);
		free(texts[i]);
		texts[i] = c;
		copies++;
	}
	for (size_t i = 0; i < narticles; i++) {
		json_t *in = json_pack("{s:s, s:s}", "id", "", "text", texts[i]);
		char id[32];
		snprintf(id, sizeof(id), "bench-%07zu", i);
		json_object_set_new(in, "id", json_string(id));
		char *js = json_dumps(in, JSON_COMPACT);
		if (record_from_payload(&recs[i], js, strlen(js), RECORD_FORMAT_JSON, err, sizeof(err)) < 0) {
			fprintf(stderr, "record: %s\n", err);
			return 1;
		}
		bytes += strlen(texts[i]);
		free(js);
		json_decref(in);
	}

	/* normalise + fingerprint alone */
	struct dd_tokens tok = {0};
	struct dd_fp fp;
	double t_norm = 0, t_fp = 0;
	size_t ntok = 0;
	for (int rep = 0; rep < 1; rep++) {
		t_norm = t_fp = 0;
		for (size_t i = 0; i < narticles; i++) {
			double a = now_s();
			dd_normalise(&nm, texts[i], strlen(texts[i]), &tok);
			double b = now_s();
			dd_fingerprint(&tok, 5, 10, &fp);
			t_fp += now_s() - b;
			t_norm += b - a;
			ntok += tok.n;
		}
	}

	/* the plugin through the host, one thread */
	size_t flagged = 0;
	t0 = now_s();
	for (size_t i = 0; i < narticles; i++) {
		int rc = harness_process_record(h, &recs[i], NULL, err, sizeof(err));
		if (rc != NEWSD_OK) {
			fprintf(stderr, "process: %d %s\n", rc, err);
			return 1;
		}
	}
	double t_proc = now_s() - t0;
	/* the second half alone (no ring growth inside) */
	double t_half = 0;
	(void)t_half;
	for (size_t i = 0; i < narticles; i++) {
		json_t *s = record_lookup(recs[i].root, "dedup.status");
		flagged += s && strcmp(json_string_value(s), "unique") != 0;
	}

	printf("deduper throughput (1 thread)\n");
	printf("  state log: %zu synthetic stories written in %.2f s (%.0f MB, %.0f bytes/entry)\n",
	       nstories, t_write, logsize / 1e6, (double)logsize / (double)nstories);
	printf("  replay at init: %.2f s for %zu entries (%.0f entries/s)\n", t_replay, nstories,
	       nstories / t_replay);
	printf("  memory: RSS +%.0f MB after replay = %.0f bytes per remembered story; "
	       "index accounting %.0f bytes per story (ring, tables, id arena)\n",
	       (rss1 - rss0) / 1024.0, (rss1 - rss0) * 1024.0 / (double)nstories,
	       (double)ixbytes / (double)nstories);
	printf("  articles: %zu of %.1f KB average (%zu copies in the stream, %zu flagged)\n",
	       narticles, bytes / 1024.0 / narticles, copies, flagged);
	printf("  normalise only: %.1f us/article (%.0f MB/s, %.0f tokens/article); fingerprint only: %.1f us/article\n",
	       t_norm / narticles * 1e6, bytes / t_norm / 1e6, ntok / 1.0 / narticles,
	       t_fp / narticles * 1e6);
	printf("  process() with %zu stories remembered: %.1f us/article = %.0f articles/s (%.0f MB/s)\n",
	       nstories, t_proc / narticles * 1e6, narticles / t_proc, bytes / t_proc / 1e6);

	harness_free(h);
	for (size_t i = 0; i < narticles; i++)
		record_clear(&recs[i]), free(texts[i]);
	free(recs), free(texts), free(buf);
	dd_tokens_free(&tok);
	dd_norm_free(&nm);
	unlink(logpath);
	rmdir(dir);
	return 0;
}
