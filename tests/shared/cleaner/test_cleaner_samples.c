/* test_cleaner_samples.c — the five scraped samples of $NEWSD_SHARED/samples
 * through the cleaner, checked against a careful reading of each file.
 *
 * The reading is pinned as input line numbers (no text is copied here):
 * `keep` lines are body, heading, dateline, caption or byline lines that
 * must come out exactly once as a paragraph (a caption repeated in the
 * input appears once); `drop` lines are widgets, counters, comment forms,
 * polls, related-article lists, weather boxes and template placeholders
 * that must be gone.  Each input line is normalised with the cleaner's own
 * Unicode pass before it is looked for.  Exit 77 (SKIP) without the data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cltest.h"

struct reading {
	const char *file;
	const char *keep; /* line numbers and ranges "a-b" (odd lines only in ranges) */
	const char *drop;
};

static const struct reading readings[] = {
	{"000_2095f5d62e33b1d6.txt",
	 "1 5 7 9 11 13 15 17 19 21 23 25 27 29 31 33 35 37 39 41 43 45",
	 "48 50 53 56 57 58 59 60 61 62 63 64 65 66"},
	{"001_8278384db1c2370b.txt", "1 3 5 7 9 11 13 15 17 19 21 23", "25 27"},
	{"002_f268abe792094f01.txt", "1 7 13 15 17 19 21 23 25 27 29 31 33 35", ""},
	{"003_52ef51f4b7f1c138.txt", "1-97",
	 "101 102 103 104 106 108 110 112 114 115 117 119 121 122 124 126 128 129 131 133 135 "
	 "136 137 138 139 140 141 142"},
	{"004_39c58d648b6ec2be.txt", "1 3 5 7 9 11 13 17 19 21 25 27 29 31 33 35", "36"},
};

/* number of paragraphs of out equal to p */
static int count_para(const char *out, const char *p, size_t pl)
{
	int n = 0;

	for (const char *s = out; *s;) {
		const char *e = strstr(s, "\n\n");
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (l == pl && memcmp(s, p, pl) == 0)
			n++;
		if (!e)
			break;
		s = e + 2;
	}
	return n;
}

static int check_lines(struct cltest *t, const char *out, char **lines, int nlines,
		       const char *spec, int want_keep, const char *file)
{
	int fails = 0;
	struct cl_ctx *x = cleaner_ctx_get(t->c);
	struct cl_textnorm_stats st;

	for (const char *p = spec; *p;) {
		char *end;
		long a = strtol(p, &end, 10), b = a;
		if (end == p)
			break;
		if (*end == '-') {
			b = strtol(end + 1, &end, 10);
		}
		for (long ln = a; ln <= b; ln += (b > a ? 2 : 1)) {
			if (ln < 1 || ln > nlines) {
				printf("%s: line %ld out of range\n", file, ln);
				fails++;
				continue;
			}
			const char *l = lines[ln - 1];
			if (cl_textnorm(&t->c->tn, l, strlen(l), &x->norm, &x->tn, &st) < 0 ||
			    x->norm.len == 0) {
				if (want_keep) {
					printf("%s:%ld: listed as body but blank\n", file, ln);
					fails++;
				}
				continue;
			}
			int n = count_para(out, x->norm.p, x->norm.len);
			if (want_keep ? n != 1 : n != 0) {
				printf("%s:%ld: %s (found %d times): %.60s\n", file, ln,
				       want_keep ? "body line not kept exactly once" : "furniture kept",
				       n, x->norm.p);
				fails++;
			}
		}
		p = end;
		while (*p == ' ')
			p++;
	}
	cleaner_ctx_put(t->c, x);
	return fails;
}

int main(void)
{
	const char *shared = getenv("NEWSD_SHARED");
	char path[4096], err[512];
	struct cltest t;
	int fails = 0, checked = 0;

	if (!shared || !*shared)
		shared = "../shared";
	snprintf(path, sizeof(path), "%s/samples/%s", shared, readings[0].file);
	FILE *probe = fopen(path, "rb");
	if (!probe) {
		printf("SKIP: %s not found (set NEWSD_SHARED)\n", path);
		return 77;
	}
	fclose(probe);
	if (cltest_open(&t, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "cleaner: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < sizeof(readings) / sizeof(readings[0]); i++) {
		const struct reading *r = &readings[i];
		size_t len;
		char *data, *lines[1024];
		int nl = 0;

		snprintf(path, sizeof(path), "%s/samples/%s", shared, r->file);
		data = cltest_slurp(path, &len);
		if (!data) {
			printf("%s: cannot read\n", path);
			fails++;
			continue;
		}
		/* run through the plugin, as a message */
		struct newsd_record rec = {json_pack("{s:s, s:s%}", "id", r->file, "text", data, len)};
		int rc = harness_process_record(t.h, &rec, NULL, err, sizeof(err));
		const char *out = json_string_value(json_object_get(rec.root, "text"));
		if (rc != NEWSD_OK || !out) {
			printf("%s: status %d %s\n", r->file, rc, err);
			fails++;
		} else {
			for (char *s = data; s && nl < 1024;) {
				lines[nl++] = s;
				s = strchr(s, '\n');
				if (s)
					*s++ = '\0';
			}
			fails += check_lines(&t, out, lines, nl, r->keep, 1, r->file);
			fails += check_lines(&t, out, lines, nl, r->drop, 0, r->file);
			/* no NBSP, no stray Cyrillic letter, Vietnamese detected */
			if (strstr(out, "\xc2\xa0") || strstr(out, "\xd1\x9e")) {
				printf("%s: NBSP or stray Cyrillic left\n", r->file);
				fails++;
			}
			const char *lang = json_string_value(json_object_get(rec.root, "lang"));
			if (!lang || strcmp(lang, "vi") != 0) {
				printf("%s: lang %s\n", r->file, lang ? lang : "(none)");
				fails++;
			}
			checked++;
		}
		record_clear(&rec);
		free(data);
	}
	cltest_close(&t);
	printf("%d samples checked, %d failures\n", checked, fails);
	return fails ? 1 : 0;
}
