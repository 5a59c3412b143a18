/* sz_eval.c — see sz_eval.h. */
#include "corpus.h"
#include "sz_eval.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

extern const struct newsd_plugin *newsd_plugin_summarizer_describe(void);

static char *dup_field(json_t *o, const char *k, size_t *len)
{
	const char *s = json_string_value(json_object_get(o, k));
	size_t l = s ? json_string_length(json_object_get(o, k)) : 0;
	char *d = malloc(l + 1);

	if (!d)
		return NULL;
	if (s)
		memcpy(d, s, l);
	d[l] = 0;
	if (len)
		*len = l;
	return d;
}

int sz_corpus_load(struct sz_corpus *c, const char *path)
{
	struct corpus *in = corpus_open(path);
	json_t *o;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (!in) {
		fprintf(stderr, "cannot open %s\n", path);
		goto out;
	}
	while ((o = corpus_next(in))) {
		struct sz_article *a;
		const char *id;

		if (c->n == c->cap) {
			size_t nc = c->cap ? c->cap * 2 : 1024;
			struct sz_article *p = realloc(c->a, nc * sizeof(*p));
			if (!p) {
				json_decref(o);
				goto out;
			}
			c->a = p;
			c->cap = nc;
		}
		a = &c->a[c->n++];
		memset(a, 0, sizeof(*a));
		id = json_string_value(json_object_get(o, "id"));
		a->num = id && strrchr(id, '-') ? strtol(strrchr(id, '-') + 1, NULL, 10) : (long)c->n;
		a->id = dup_field(o, "id", NULL);
		a->title = dup_field(o, "title", &a->title_len);
		a->summary = dup_field(o, "summary", NULL);
		a->body = dup_field(o, "body", &a->body_len);
		json_decref(o);
		if (!a->id || !a->title || !a->summary || !a->body)
			goto out;
	}
	rc = 0;
out:
	if (in)
		corpus_close(in);
	if (rc < 0)
		sz_corpus_free(c);
	return rc;
}

void sz_corpus_free(struct sz_corpus *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->a[i].id);
		free(c->a[i].title);
		free(c->a[i].summary);
		free(c->a[i].body);
	}
	free(c->a);
	memset(c, 0, sizeof(*c));
}

void sz_toks_free(struct sz_toks *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int sz_scorer_init(struct sz_scorer *s)
{
	UErrorCode st = U_ZERO_ERROR;

	memset(s, 0, sizeof(*s));
	s->nfc = unorm2_getNFCInstance(&st);
	return U_FAILURE(st) ? -1 : 0;
}

void sz_scorer_free(struct sz_scorer *s)
{
	free(s->u);
	free(s->w);
	free(s->a);
	free(s->b);
	free(s->row);
	memset(s, 0, sizeof(*s));
}

static int push(struct sz_toks *t, uint64_t h)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		uint64_t *p = realloc(t->v, nc * sizeof(*p));
		if (!p)
			return -1;
		t->v = p;
		t->cap = nc;
	}
	t->v[t->n++] = h;
	return 0;
}

int sz_tokenize(struct sz_scorer *s, const char *text, size_t len, struct sz_toks *t)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = 0, m, i = 0;
	int32_t need = (int32_t)len * 3 + 16;
	uint64_t h = 0xcbf29ce484222325ull;
	int in = 0;

	if (need > s->cap) {
		UChar *u = realloc(s->u, (size_t)need * sizeof(UChar));
		UChar *w;
		if (!u)
			return -1;
		s->u = u;
		w = realloc(s->w, (size_t)need * sizeof(UChar));
		if (!w)
			return -1;
		s->w = w;
		s->cap = need;
	}
	u_strFromUTF8Lenient(s->u, s->cap, &n, text, (int32_t)len, &st);
	if (U_FAILURE(st))
		return -1;
	m = unorm2_normalize(s->nfc, s->u, n, s->w, s->cap, &st);
	if (U_FAILURE(st))
		return -1;
	n = u_strToLower(s->u, s->cap, s->w, m, "", &st);
	if (U_FAILURE(st))
		return -1;
	while (i <= n) {
		UChar32 c = 0;
		int word = 0;
		if (i < n) {
			U16_NEXT(s->u, i, n, c);
			word = sz_is_word_char(c);
		} else {
			i++;
		}
		if (word) {
			h = (h ^ (uint64_t)c) * 0x100000001b3ull;
			in = 1;
		} else if (in) {
			if (push(t, h) < 0)
				return -1;
			h = 0xcbf29ce484222325ull;
			in = 0;
		}
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static double f1(size_t o, size_t nc, size_t nr)
{
	double p, r;

	if (!o || !nc || !nr)
		return 0;
	p = (double)o / (double)nc;
	r = (double)o / (double)nr;
	return 2 * p * r / (p + r);
}

/* Clipped overlap of the n-gram multisets (n = 1 or 2). */
static double rouge_n(struct sz_scorer *s, const uint64_t *c, size_t nc, const uint64_t *r,
		      size_t nr, int n)
{
	size_t ga = nc >= (size_t)n ? nc - (size_t)n + 1 : 0;
	size_t gb = nr >= (size_t)n ? nr - (size_t)n + 1 : 0;
	size_t i = 0, j = 0, o = 0;

	for (size_t k = 0; k < ga; k++)
		s->a[k] = n == 1 ? c[k] : c[k] * 0x9E3779B97F4A7C15ull ^ (c[k + 1] + 0x7F4A7C15ull);
	for (size_t k = 0; k < gb; k++)
		s->b[k] = n == 1 ? r[k] : r[k] * 0x9E3779B97F4A7C15ull ^ (r[k + 1] + 0x7F4A7C15ull);
	qsort(s->a, ga, sizeof(uint64_t), cmp_u64);
	qsort(s->b, gb, sizeof(uint64_t), cmp_u64);
	while (i < ga && j < gb) {
		if (s->a[i] == s->b[j]) {
			o++;
			i++;
			j++;
		} else if (s->a[i] < s->b[j]) {
			i++;
		} else {
			j++;
		}
	}
	return f1(o, ga, gb);
}

static size_t lcs(struct sz_scorer *s, const uint64_t *c, size_t nc, const uint64_t *r, size_t nr)
{
	uint32_t *prev = s->row, *cur = s->row + nr + 1;

	memset(prev, 0, (nr + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < nc; i++) {
		uint32_t *t;
		cur[0] = 0;
		for (size_t j = 0; j < nr; j++)
			cur[j + 1] = c[i] == r[j] ? prev[j] + 1
						  : (prev[j + 1] > cur[j] ? prev[j + 1] : cur[j]);
		t = prev;
		prev = cur;
		cur = t;
	}
	return prev[nr];
}

struct sz_rouge sz_rouge(struct sz_scorer *s, const uint64_t *c, size_t nc, const uint64_t *r,
			 size_t nr)
{
	struct sz_rouge out = {0, 0, 0};
	size_t need = (nc > nr ? nc : nr) + 2;

	if (need * 2 > s->scap) {
		size_t cap = need * 2;
		uint64_t *a = realloc(s->a, cap * sizeof(uint64_t));
		uint64_t *b;
		uint32_t *row;
		if (!a)
			return out;
		s->a = a;
		if (!(b = realloc(s->b, cap * sizeof(uint64_t))))
			return out;
		s->b = b;
		if (!(row = realloc(s->row, cap * sizeof(uint32_t))))
			return out;
		s->row = row;
		s->scap = cap;
	}
	out.r1 = rouge_n(s, c, nc, r, nr, 1);
	out.r2 = rouge_n(s, c, nc, r, nr, 2);
	out.rl = f1(lcs(s, c, nc, r, nr), nc, nr);
	return out;
}

int sz_inst_open(struct sz_inst *in, const char *config, const char *lang)
{
	char err[512];

	memset(in, 0, sizeof(*in));
	in->h = harness_new(newsd_plugin_summarizer_describe(), config, err, sizeof(err));
	if (!in->h) {
		fprintf(stderr, "summarizer: %s\n", err);
		return -1;
	}
	if (sz_pack_load(&in->pack, harness_host(in->h, 0), lang, err, sizeof(err)) < 0) {
		fprintf(stderr, "summarizer pack %s: %s\n", lang, err);
		sz_inst_close(in);
		return -1;
	}
	in->have_pack = 1;
	if (sz_doc_init(&in->doc, &in->pack, err, sizeof(err)) < 0) {
		fprintf(stderr, "summarizer: %s\n", err);
		sz_inst_close(in);
		return -1;
	}
	in->have_doc = 1;
	return 0;
}

void sz_inst_close(struct sz_inst *in)
{
	if (in->have_doc)
		sz_doc_free(&in->doc);
	if (in->have_pack)
		sz_pack_free(&in->pack);
	if (in->h)
		harness_free(in->h);
	memset(in, 0, sizeof(*in));
}
