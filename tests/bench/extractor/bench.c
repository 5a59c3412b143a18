/* extractor-bench — throughput and silver-standard entity quality.
 *
 *   extractor-bench CORPUS.jsonl.gz [MAX_ARTICLES]
 *
 * CORPUS rows {id, title, summary, body} (vietnews-val) become records with
 * text = title, lead and body separated by blank lines, as the cleaner
 * would hand them over.  Prints:
 *   - throughput of the extractor's process() alone (records are built
 *     before the clock starts), one core: articles/s, MB/s, and the same
 *     rate expressed in 5 KB articles;
 *   - title accuracy (extracted title == the corpus title);
 *   - entity precision/recall against a silver standard derived here, with
 *     lexicons of the benchmark's own (independent of the language pack):
 *       silver names:     runs of >= 2 capitalised syllables inside a
 *                         sentence (not its first word), outside the title;
 *       silver persons:   silver names of 2-4 syllables whose first syllable
 *                         is one of the 16 commonest Vietnamese surnames;
 *       silver locations: silver names right after an administrative word
 *                         (tỉnh, huyện, xã, phường, quận, thành phố, TP, thị xã).
 *     person/location recall = silver items found with that type;
 *     person/location precision = multi-syllable predictions that are a
 *     silver name and not a silver item of the other type.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "extractor_int.h"
#include "harness.h"

const struct newsd_plugin *newsd_plugin_extractor_describe(void);

static const char *const SURNAMES[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ",
				       "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", NULL};
static const char *const ADMIN[] = {"tỉnh", "huyện", "xã", "phường", "quận", "thành phố", "TP",
				    "thị xã", NULL};

static double now_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int in_list(const char *const *l, const char *s, size_t n)
{
	for (size_t i = 0; l[i]; i++)
		if (strlen(l[i]) == n && memcmp(l[i], s, n) == 0)
			return 1;
	return 0;
}

/* does the text before byte `at` end with an admin word + space? */
static int after_admin(const char *t, size_t at)
{
	for (size_t i = 0; ADMIN[i]; i++) {
		size_t n = strlen(ADMIN[i]);
		if (at >= n + 1 && t[at - 1] == ' ' && memcmp(t + at - 1 - n, ADMIN[i], n) == 0 &&
		    (at == n + 1 || t[at - 2 - n] == ' '))
			return 1;
	}
	return 0;
}

struct silver {
	struct strmap names, persons, locations;
};

static int arr_has(json_t *arr, const char *s)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (strcmp(json_string_value(json_array_get(arr, i)), s) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	char err[512];
	struct harness *h = NULL;
	struct xpack pack;
	gzFile gz;
	char *line = malloc(1 << 22);
	long max = argc > 2 ? atol(argv[2]) : -1;
	long n = 0, title_ok = 0;
	double cpu = 0, bytes = 0;
	long ptp = 0, pfn = 0, ltp = 0, lfn = 0, pp_ok = 0, pp_all = 0, lp_ok = 0, lp_all = 0;
	struct xvec toks = {.esz = sizeof(struct xtok)}, lines = {.esz = sizeof(struct xspan)};
	struct silver sv;

	if (argc < 2 || !line) {
		fprintf(stderr, "usage: %s CORPUS.jsonl.gz [MAX_ARTICLES]\n", argv[0]);
		return 2;
	}
	if (!(h = harness_new(newsd_plugin_extractor_describe(), NULL, err, sizeof(err))) ||
	    xpack_load(&pack, harness_host(h, 0), "vi", err, sizeof(err)) < 0) {
		fprintf(stderr, "extractor-bench: %s\n", err);
		return 1;
	}
	if (!(gz = gzopen(argv[1], "rb"))) {
		perror(argv[1]);
		return 1;
	}
	strmap_init(&sv.names, 64);
	strmap_init(&sv.persons, 64);
	strmap_init(&sv.locations, 64);
	while ((max < 0 || n < max) && gzgets(gz, line, 1 << 22)) {
		json_t *row = json_loads(line, 0, NULL);
		if (!row)
			continue;
		const char *title = json_string_value(json_object_get(row, "title"));
		const char *sum = json_string_value(json_object_get(row, "summary"));
		const char *body = json_string_value(json_object_get(row, "body"));
		size_t tl = title ? strlen(title) : 0, sl = sum ? strlen(sum) : 0, bl = body ? strlen(body) : 0;
		char *text = malloc(tl + sl + bl + 8);
		snprintf(text, tl + sl + bl + 8, "%s\n\n%s\n\n%s", title ? title : "", sum ? sum : "", body ? body : "");
		struct newsd_record r = {.root = json_pack("{s:s, s:s}", "id", "b", "text", text)};
		char *title_copy = strdup(title ? title : "");
		json_decref(row);
		title = title_copy;

		double t0 = now_cpu();
		int rc = harness_process_record(h, &r, NULL, err, sizeof(err));
		cpu += now_cpu() - t0;
		bytes += (double)strlen(text);
		n++;
		if (rc != NEWSD_OK) {
			fprintf(stderr, "process: %s\n", err);
			free(title_copy);
			record_clear(&r);
			free(text);
			continue;
		}
		/* NFC text for the silver standard (the corpus is partly NFD) */
		char *nt = malloc(strlen(text) * 3 + 16), *ntitle = malloc(tl * 3 + 16);
		long m = xtone_canon(NULL, text, strlen(text), nt, strlen(text) * 3 + 16, 0);
		long mt = xtone_canon(NULL, title ? title : "", tl, ntitle, tl * 3 + 16, 0);
		if (m < 0 || mt < 0) {
			free(nt);
			free(ntitle);
			free(title_copy);
			record_clear(&r);
			free(text);
			continue;
		}
		nt[m] = '\0';
		ntitle[mt] = '\0';
		const char *got = json_string_value(json_object_get(r.root, "title"));
		if (got && strcmp(got, ntitle) == 0)
			title_ok++;
		else if (getenv("EXTRACTOR_BENCH_VERBOSE"))
			fprintf(stderr, "title: got [%s] want [%s]\n", got ? got : "(null)", ntitle);

		strmap_clear(&sv.names);
		strmap_clear(&sv.persons);
		strmap_clear(&sv.locations);
		xtext_tokenize(nt, (size_t)m, &toks, &lines);
		const struct xtok *tk = toks.p;
		for (size_t i = 0; i < toks.len;) {
			if (tk[i].line == 0 || !(tk[i].flags & XT_CAP) || (tk[i].flags & (XT_UPPER | XT_DIGIT)) ||
			    (tk[i].flags & XT_SENT)) {
				i++;
				continue;
			}
			size_t j = i + 1;
			while (j < toks.len && (tk[j].flags & XT_CAP) && !(tk[j].flags & (XT_UPPER | XT_DIGIT)) &&
			       (tk[j].flags & XT_SPACE_BEFORE) && !(tk[j].flags & (XT_PUNCT_BEFORE | XT_NEWLINE_BEFORE)))
				j++;
			if (j - i >= 2) {
				char can[1024];
				long cl = xtone_canon(pack.tone, nt + tk[i].start, tk[j - 1].end - tk[i].start, can,
						      sizeof(can), 0);
				if (cl > 0) {
					strmap_put(&sv.names, can, (size_t)cl, 0, NULL);
					if (j - i <= 4 && in_list(SURNAMES, nt + tk[i].start, tk[i].end - tk[i].start))
						strmap_put(&sv.persons, can, (size_t)cl, 0, NULL);
					else if (after_admin(nt, tk[i].start))
						strmap_put(&sv.locations, can, (size_t)cl, 0, NULL);
				}
			}
			i = j;
		}
		json_t *ents = json_object_get(r.root, "entities");
		json_t *per = json_object_get(ents, "persons"), *loc = json_object_get(ents, "locations");
		for (size_t k = 0; k < sv.persons.ents.len; k++)
			arr_has(per, strmap_key(&sv.persons, (long)k)) ? ptp++ : pfn++;
		for (size_t k = 0; k < sv.locations.ents.len; k++)
			arr_has(loc, strmap_key(&sv.locations, (long)k)) ? ltp++ : lfn++;
		/* precision over multi-syllable predictions */
		for (size_t k = 0; k < json_array_size(per); k++) {
			const char *s = json_string_value(json_array_get(per, k));
			if (!strchr(s, ' '))
				continue;
			pp_all++;
			if (strmap_find(&sv.names, s, strlen(s)) >= 0 && strmap_find(&sv.locations, s, strlen(s)) < 0)
				pp_ok++;
			else if (getenv("EXTRACTOR_BENCH_VERBOSE"))
				fprintf(stderr, "person not silver: %s\n", s);
		}
		for (size_t k = 0; k < json_array_size(loc); k++) {
			const char *s = json_string_value(json_array_get(loc, k));
			if (!strchr(s, ' '))
				continue;
			lp_all++;
			if (strmap_find(&sv.names, s, strlen(s)) >= 0 && strmap_find(&sv.persons, s, strlen(s)) < 0)
				lp_ok++;
		}
		free(nt);
		free(ntitle);
		free(title_copy);
		record_clear(&r);
		free(text);
	}
	gzclose(gz);
	if (n == 0 || cpu <= 0) {
		fprintf(stderr, "extractor-bench: no articles read\n");
		return 1;
	}
	printf("extractor-bench: %ld articles, %.1f MB of text, mean %.0f bytes\n", n, bytes / 1e6,
	       bytes / (double)n);
	printf("throughput (process() only, one core): %.0f articles/s, %.1f MB/s, "
	       "%.0f 5-KB articles/s\n",
	       (double)n / cpu, bytes / cpu / 1e6, bytes / cpu / 5120.0);
	printf("title accuracy: %.4f (%ld/%ld)\n", (double)title_ok / (double)n, title_ok, n);
	printf("persons   (silver): precision %.3f (%ld/%ld)  recall %.3f (%ld/%ld)\n",
	       pp_all ? (double)pp_ok / (double)pp_all : 0, pp_ok, pp_all,
	       ptp + pfn ? (double)ptp / (double)(ptp + pfn) : 0, ptp, ptp + pfn);
	printf("locations (silver): precision %.3f (%ld/%ld)  recall %.3f (%ld/%ld)\n",
	       lp_all ? (double)lp_ok / (double)lp_all : 0, lp_ok, lp_all,
	       ltp + lfn ? (double)ltp / (double)(ltp + lfn) : 0, ltp, ltp + lfn);
	xpack_free(&pack);
	harness_free(h);
	xvec_free(&toks);
	xvec_free(&lines);
	strmap_free(&sv.names);
	strmap_free(&sv.persons);
	strmap_free(&sv.locations);
	free(line);
	return 0;
}
