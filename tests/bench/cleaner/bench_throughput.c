/* cleaner-bench-throughput — text-mode throughput on one core.
 *
 *   cleaner-bench-throughput BAOMOI.jsonl.gz [N=all] [--sample K OUT.jsonl]
 *
 * Loads the articles first (not timed), then times the cleaner's whole
 * work per article (normalise, detect language, classify lines, build the
 * text) through cleaner_run, and separately through the plugin's process()
 * on records (adds the record field writes).  Prints articles/s and MB/s of
 * input text.  --sample writes K evenly spread outputs for reading by eye.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cltest.h"
#include "corpus.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *sample_out = NULL;
	long want = -1, sample_k = 0;
	char err[512];
	struct cltest t;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sample") && i + 2 < argc) {
			sample_k = atol(argv[++i]);
			sample_out = argv[++i];
		} else if (!path) {
			path = argv[i];
		} else {
			want = atol(argv[i]);
		}
	}
	if (!path) {
		fprintf(stderr, "usage: cleaner-bench-throughput BAOMOI.jsonl.gz [N] [--sample K OUT]\n");
		return 2;
	}
	struct corpus *c = corpus_open(path);
	if (!c || cltest_open(&t, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "cannot start: %s\n", c ? err : path);
		return 1;
	}
	json_t *rows = json_array(), *row;
	size_t bytes = 0;
	while ((want < 0 || (long)json_array_size(rows) < want) && (row = corpus_next(c))) {
		json_t *tx = json_object_get(row, "text");
		if (json_is_string(tx)) {
			bytes += json_string_length(tx);
			json_array_append(rows, row);
		}
		json_decref(row);
	}
	corpus_close(c);
	size_t n = json_array_size(rows);
	struct cl_ctx *x = cleaner_ctx_get(t.c);
	struct cl_result res;
	size_t out_bytes = 0, removed = 0;
	double t0 = now();
	for (size_t i = 0; i < n; i++) {
		json_t *tx = json_object_get(json_array_get(rows, i), "text");
		if (cleaner_run(t.c, x, NULL, 0, json_string_value(tx), json_string_length(tx), NULL, 0,
				NULL, NULL, &res) < 0)
			return 1;
		out_bytes += res.len;
		removed += res.removed;
	}
	double dt = now() - t0;
	cleaner_ctx_put(t.c, x);
	printf("articles %zu, input %.1f MB, output %.1f MB, lines removed %zu\n", n, bytes / 1e6,
	       out_bytes / 1e6, removed);
	printf("cleaner_run: %.0f articles/s, %.1f MB/s (one core, %.2f s)\n", n / dt,
	       bytes / 1e6 / dt, dt);
	/* through process() on records */
	double tp = 0;
	size_t dead = 0;
	FILE *so = sample_out ? fopen(sample_out, "w") : NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *src = json_array_get(rows, i);
		struct newsd_record r = {json_deep_copy(src)};
		double a = now();
		int rc = harness_process_record(t.h, &r, NULL, err, sizeof(err));
		tp += now() - a;
		dead += rc != NEWSD_OK;
		if (so && sample_k > 0 && i % (n / (size_t)sample_k + 1) == 0) {
			json_object_set(r.root, "input", json_object_get(src, "text"));
			json_dumpf(r.root, so, JSON_COMPACT);
			fputc('\n', so);
		}
		record_clear(&r);
	}
	if (so)
		fclose(so);
	printf("process(): %.0f articles/s, %.1f MB/s (%zu dead letters)\n", n / tp,
	       bytes / 1e6 / tp, dead);
	json_decref(rows);
	cltest_close(&t);
	return 0;
}
