/* cleaner-bench-lines — line-level precision/recall/F1 (weighted by
 * characters) of the boilerplate classifier.
 *
 *   cleaner-bench-lines VIETNEWS.jsonl.gz [N=3000] [--no-source] [--dump K]
 *
 * Each corpus row {title, summary, body} becomes a page: heading, lead and
 * body lines (the truth: kept) plus a dateline and a byline (kept: the
 * extractor reads them), wrapped in furniture from bpgen.c (removed): menus,
 * top bars, share bars, counters, ratings, comment forms with comments,
 * polls, related lists with other articles' headlines and teasers, weather
 * and market boxes, tags, ads, app banners, placeholders, footers, and
 * inline "read more" links between paragraphs.  Pages carry one of eight
 * site names as `source` (--no-source: none, which disables nothing but
 * makes every page one source).  Prints P/R/F1 and the characters leaked
 * or lost per kind of line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpgen.h"
#include "cltest.h"
#include "corpus.h"

struct gl {
	size_t off, len;
	int kind;
};

struct doc {
	struct buf text;
	struct gl *lines;
	size_t n, cap;
};

static void add(struct doc *d, int kind, const char *s, size_t len)
{
	if (len == 0)
		return;
	vec_reserve((void **)&d->lines, &d->cap, d->n + 1, sizeof(*d->lines));
	if (d->text.len)
		buf_put(&d->text, "\n\n", 2);
	d->lines[d->n++] = (struct gl){d->text.len, len, kind};
	buf_put(&d->text, s, len);
}

static void addk(struct doc *d, struct bpgen *g, int site, enum bp_kind k)
{
	struct buf b = {0};
	bpgen_line(g, site, k, &b);
	add(d, k, b.p ? b.p : "", b.len);
	buf_free(&b);
}

static void block(struct doc *d, struct bpgen *g, int site, enum bp_kind k, int lo, int hi)
{
	int n = lo + (int)bpgen_rand(g, (unsigned)(hi - lo + 1));
	for (int i = 0; i < n; i++)
		addk(d, g, site, k);
}

static void related(struct doc *d, struct bpgen *g, int site)
{
	addk(d, g, site, K_RELATED);
	int n = 2 + (int)bpgen_rand(g, 5), teasers = bpgen_rand(g, 3) == 0;
	for (int i = 0; i < n; i++) {
		const char *t = bpgen_other_title(g);
		add(d, K_RELATED, t, strlen(t));
		if (bpgen_rand(g, 2)) {
			struct buf b = {0};
			bpgen_meta(g, 1, &b); /* a timestamp of the other article */
			add(d, K_RELATED, b.p, b.len);
			buf_free(&b);
		}
		if (teasers) {
			const char *l = bpgen_other_lead(g);
			add(d, K_TEASER, l, strlen(l));
		}
	}
}

static void build(struct doc *d, struct bpgen *g, int site, json_t *row)
{
	const char *title = json_string_value(json_object_get(row, "title"));
	const char *lead = json_string_value(json_object_get(row, "summary"));
	const char *body = json_string_value(json_object_get(row, "body"));
	struct buf b = {0};

	d->n = 0;
	buf_reset(&d->text);
	/* head */
	if (bpgen_rand(g, 4))
		block(d, g, site, K_NAV, 1, 3);
	if (bpgen_rand(g, 3) == 0)
		block(d, g, site, K_WEATHER, 1, 4);
	if (bpgen_rand(g, 6) == 0)
		addk(d, g, site, K_PLACEHOLDER);
	if (bpgen_rand(g, 2)) {
		bpgen_meta(g, 1, &b);
		add(d, K_META, b.p, b.len);
		buf_reset(&b);
	}
	add(d, K_TITLE, title, strlen(title));
	if (bpgen_rand(g, 3) == 0)
		block(d, g, site, K_SHARE, 1, 2);
	add(d, K_BODY, lead, strlen(lead));
	/* body, with inline furniture between paragraphs */
	for (const char *p = body; p && *p;) {
		const char *e = strstr(p, "\n");
		size_t l = e ? (size_t)(e - p) : strlen(p);
		while (l > 0 && p[l - 1] == ' ')
			l--;
		if (l > 0) {
			add(d, K_BODY, p, l);
			if (bpgen_rand(g, 14) == 0)
				addk(d, g, site, K_INLINE);
			else if (bpgen_rand(g, 40) == 0)
				addk(d, g, site, K_ADS);
		}
		p = e ? e + 1 : NULL;
	}
	if (bpgen_rand(g, 3)) {
		bpgen_meta(g, 0, &b);
		add(d, K_META, b.p, b.len);
	}
	buf_free(&b);
	/* tail blocks in a random order */
	int order[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	for (int i = 9; i > 0; i--) {
		int j = (int)bpgen_rand(g, (unsigned)i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < 10; i++) {
		if (bpgen_rand(g, 5) < 2)
			continue;
		switch (order[i]) {
		case 0: block(d, g, site, K_SHARE, 1, 3); break;
		case 1: block(d, g, site, K_COUNTER, 1, 4); break;
		case 2: block(d, g, site, K_RATING, 1, 3); break;
		case 3:
			block(d, g, site, K_COMMENTFORM, 2, 6);
			block(d, g, site, K_COMMENT, 0, 4);
			break;
		case 4: block(d, g, site, K_POLL, 2, 5); break;
		case 5: related(d, g, site); break;
		case 6: block(d, g, site, K_WEATHER, 1, 4); break;
		case 7: block(d, g, site, K_TAGS, 1, 1); break;
		case 8: block(d, g, site, K_APP, 1, 2); break;
		case 9: block(d, g, site, K_ADS, 1, 2); break;
		}
	}
	if (bpgen_rand(g, 5) == 0)
		block(d, g, site, K_PLACEHOLDER, 1, 2);
	block(d, g, site, K_FOOTER, 1, 5);
}

/* 1 when line is a paragraph of out, or two consecutive paragraphs that
 * the cleaner split at one space (a byline glued to the last sentence). */
static int kept_in(const char *out, const char *line, size_t n)
{
	for (const char *s = out; *s;) {
		const char *e = strstr(s, "\n\n");
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (l == n && memcmp(s, line, n) == 0)
			return 1;
		if (e && l < n && memcmp(s, line, l) == 0 && line[l] == ' ') {
			const char *s2 = e + 2, *e2 = strstr(s2, "\n\n");
			size_t l2 = e2 ? (size_t)(e2 - s2) : strlen(s2);
			if (l + 1 + l2 == n && memcmp(s2, line + l + 1, l2) == 0)
				return 1;
		}
		if (!e)
			break;
		s = e + 2;
	}
	return 0;
}

static size_t cps(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	long want = 3000, dump = 0;
	int use_source = 1;
	char err[512];
	struct cltest t;
	double tp = 0, fp = 0, fn = 0, leak[K_COUNT] = {0}, lost[K_COUNT] = {0},
	       total[K_COUNT] = {0};

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-source"))
			use_source = 0;
		else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
			dump = atol(argv[++i]);
		else if (!path)
			path = argv[i];
		else
			want = atol(argv[i]);
	}
	if (!path) {
		fprintf(stderr, "usage: cleaner-bench-lines VIETNEWS.jsonl.gz [N] [--no-source]\n");
		return 2;
	}
	struct corpus *c = corpus_open(path);
	struct bpgen *g = bpgen_new(42);
	if (!c || !g || cltest_open(&t, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "cannot start: %s\n", c ? err : path);
		return 1;
	}
	struct doc d = {0};
	struct cl_ctx *x = cleaner_ctx_get(t.c), *y = cleaner_ctx_get(t.c);
	long done = 0;
	json_t *row;
	while (done < want && (row = corpus_next(c))) {
		int site = bpgen_site(g);
		build(&d, g, site, row);
		bpgen_remember(g, json_string_value(json_object_get(row, "title")),
			       json_string_value(json_object_get(row, "summary")));
		json_decref(row);
		struct cl_result res;
		if (cleaner_run(t.c, x, NULL, 0, d.text.p, d.text.len, NULL, 0, NULL,
				use_source ? bpgen_site_name(site) : NULL, &res) < 0) {
			fprintf(stderr, "out of memory\n");
			return 1;
		}
		/* a line counts as kept when its normalised form is an output paragraph */
		for (size_t i = 0; i < d.n; i++) {
			struct gl *L = &d.lines[i];
			struct cl_textnorm_stats st;
			cl_textnorm(&t.c->tn, d.text.p + L->off, L->len, &y->norm, &y->tn, &st);
			size_t w = cps(y->norm.p, y->norm.len);
			int kept = kept_in(res.text, y->norm.p, y->norm.len);
			int pos = L->kind == K_BODY || L->kind == K_TITLE || L->kind == K_META;
			total[L->kind] += w;
			if (pos && kept)
				tp += w;
			else if (pos && !kept)
				fn += w, lost[L->kind] += w;
			else if (!pos && kept)
				fp += w, leak[L->kind] += w;
		}
		if (done < dump)
			printf("=== page %ld\n%s\n--- out\n%s\n", done, d.text.p, res.text);
		done++;
	}
	double p = tp / (tp + fp), r = tp / (tp + fn);
	printf("pages %ld (source %s)\n", done, use_source ? "set" : "unset");
	printf("line-level, weighted by characters: precision %.4f recall %.4f F1 %.4f\n", p, r,
	       2 * p * r / (p + r));
	printf("%-12s %12s %12s %12s\n", "kind", "chars", "leaked", "lost");
	for (int k = 0; k < K_COUNT; k++)
		if (total[k] > 0)
			printf("%-12s %12.0f %12.0f %12.0f\n", bp_kind_names[k], total[k], leak[k],
			       lost[k]);
	cleaner_ctx_put(t.c, x);
	cleaner_ctx_put(t.c, y);
	buf_free(&d.text);
	free(d.lines);
	bpgen_free(g);
	corpus_close(c);
	cltest_close(&t);
	return 0;
}
