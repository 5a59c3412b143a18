/* summarizer.c — extractive summaries: document flow and plugin glue.
 *
 * Reads `text` (and `title`, `lang`), writes `summary` (the chosen
 * sentences in article order, joined by a space) and `summary_sentences`
 * (their 0-based indices).  See summarizer.h, sentences.h, rank.h.
 */
#include "summarizer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#define SZ_MAX_LANGS 8

/* ---- one document ---------------------------------------------------- */

int sz_doc_init(struct sz_doc *d, const struct sz_pack *p, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->pack = p;
	sz_rank_init(&d->rank);
	return sz_seg_init(&d->seg, p->locale, &p->rules, err, errlen);
}

void sz_doc_free(struct sz_doc *d)
{
	sz_seg_free(&d->seg);
	sz_rank_free(&d->rank);
	free(d->title);
	free(d->pick);
	free(d->out);
	memset(d, 0, sizeof(*d));
}

static int set_title(struct sz_doc *d, const char *title, size_t tlen)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = 0;

	d->tlen = 0;
	if (!title || tlen == 0)
		return 0;
	if (tlen > 4096)
		tlen = 4096;
	if ((int32_t)tlen + 1 > d->tcap) {
		UChar *t = realloc(d->title, (tlen + 1) * sizeof(UChar));
		if (!t)
			return -1;
		d->title = t;
		d->tcap = (int32_t)tlen + 1;
	}
	u_strFromUTF8Lenient(d->title, d->tcap, &n, title, (int32_t)tlen, &st);
	if (U_FAILURE(st))
		return 0; /* an unusable title is no title */
	d->tlen = n;
	return 0;
}

static int ends_with_terminator(const struct sz_doc *d, const struct sz_sent *s)
{
	const UChar *u = d->seg.u;
	int32_t e = (int32_t)s->u1;

	/* look through closing quotes/brackets */
	while (e > (int32_t)s->u0) {
		UChar c = u[e - 1];
		int q = 0;
		for (int k = 0; k < d->pack->rules.n_quotes; k++)
			if (c == d->pack->rules.q_close[k])
				q = 1;
		if (!q && c != ')' && c != ']')
			break;
		e--;
	}
	if (e <= (int32_t)s->u0)
		return 0;
	for (int k = 0; k < d->pack->n_terminators; k++)
		if (u[e - 1] == d->pack->terminators[k])
			return 1;
	return 0;
}

/* Index of the first candidate sentence: a first paragraph equal to the
 * title, or short and without a sentence terminator, is a heading. */
static size_t skip_heading(const struct sz_doc *d, const char *text)
{
	const struct sz_seg *g = &d->seg;
	size_t k = 0;
	uint32_t words = 0;
	int has_term = 0;

	if (g->n < 2)
		return 0;
	while (k < g->n && g->s[k].para == 0) {
		words += sz_count_words(g->u, (int32_t)g->s[k].u0, (int32_t)g->s[k].u1);
		has_term |= ends_with_terminator(d, &g->s[k]);
		k++;
	}
	if (k == g->n)
		return 0; /* one paragraph: nothing else to summarise */
	if (d->tlen > 0) {
		/* equal to the title (compared in UTF-16, ignoring case) */
		int32_t a = (int32_t)g->s[0].u0, b = (int32_t)g->s[k - 1].u1;
		if (u_strCaseCompare(g->u + a, b - a, d->title, d->tlen, U_FOLD_CASE_DEFAULT,
				     &(UErrorCode){U_ZERO_ERROR}) == 0)
			return k;
	}
	(void)text;
	if (!has_term && (int)words <= d->pack->heading_max_words)
		return k;
	return 0;
}

static int out_reserve(struct sz_doc *d, size_t need)
{
	if (need > d->outcap) {
		size_t c = d->outcap ? d->outcap : 512;
		char *p;
		while (c < need)
			c *= 2;
		p = realloc(d->out, c);
		if (!p)
			return -1;
		d->out = p;
		d->outcap = c;
	}
	return 0;
}

/* Appends at most *budget words of sentence s (whole when it fits). */
static void out_append(struct sz_doc *d, const char *text, const struct sz_sent *s, size_t *budget)
{
	size_t b1 = s->b1;

	if (s->words > *budget) {
		/* cut after the budget-th word (only when one sentence alone is
		 * longer than the limit) */
		const UChar *u = d->seg.u;
		int32_t i = (int32_t)s->u0, e = (int32_t)s->u1, cut = e;
		size_t w = 0;
		int in = 0;
		while (i < e) {
			int32_t at = i;
			UChar32 c;
			U16_NEXT(u, i, e, c);
			if (sz_is_word_char(c)) {
				if (!in && w == *budget) {
					cut = at;
					break;
				}
				if (!in)
					w++;
				in = 1;
			} else {
				in = 0;
			}
		}
		while (cut > (int32_t)s->u0 && (u_isUWhiteSpace(u[cut - 1]) || u[cut - 1] == ','))
			cut--;
		b1 = d->seg.u2b[cut];
		*budget = 0;
	} else {
		*budget -= s->words;
	}
	if (d->outlen)
		d->out[d->outlen++] = ' ';
	memcpy(d->out + d->outlen, text + s->b0, b1 - s->b0);
	d->outlen += b1 - s->b0;
	d->out[d->outlen] = 0;
}

/* Flags candidates that start with one of the pack's skip_prefixes. */
static void mark_skipped(struct sz_doc *d)
{
	const struct sz_pack *p = d->pack;

	for (size_t i = 0; p->n_skip && i < d->rank.n; i++) {
		const struct sz_sent *s = &d->seg.s[d->first + i];
		for (size_t k = 0; k < p->n_skip; k++) {
			int32_t l = p->skip_off[k + 1] - p->skip_off[k];
			if (l > 0 && (int32_t)(s->u1 - s->u0) >= l &&
			    memcmp(d->seg.u + s->u0, p->skip + p->skip_off[k], (size_t)l * sizeof(UChar)) ==
				    0) {
				d->rank.skip[i] = 1;
				break;
			}
		}
	}
}

int sz_prepare(struct sz_doc *d, const char *text, size_t len, const char *title, size_t tlen,
	       int use_title, int full_graph)
{
	struct sz_seg *g = &d->seg;

	d->npick = 0;
	d->outlen = 0;
	d->first = 0;
	d->w = &d->pack->w_notitle;
	if (out_reserve(d, len + 2) < 0)
		return -1;
	d->out[0] = 0;
	if (set_title(d, use_title ? title : NULL, tlen) < 0)
		return -1;
	if (sz_seg_run(&d->seg, text, len) < 0)
		return -1;
	if (g->n == 0)
		return 0;
	d->first = skip_heading(d, text);
	if (d->tlen > 0)
		d->w = &d->pack->w;
	if (sz_rank_prepare(&d->rank, g->u, g->s + d->first, g->n - d->first,
			    d->tlen ? d->title : NULL, d->tlen,
			    full_graph || d->w->f[SZ_F_CENTRAL] != 0) < 0)
		return -1;
	mark_skipped(d);
	return 0;
}

int sz_summarize(struct sz_doc *d, const char *text, size_t len, const char *title,
		 size_t tlen, size_t max_sentences, size_t max_words, int use_title)
{
	const struct sz_seg *g = &d->seg;
	size_t k, budget = max_words;

	if (sz_prepare(d, text, len, title, tlen, use_title, 0) < 0)
		return -1;
	if (g->n == 0 || max_sentences == 0 || max_words == 0)
		return 0;
	if (max_sentences + 2 > d->pickcap) {
		uint32_t *p = realloc(d->pick, (max_sentences + 2) * sizeof(*p));
		if (!p)
			return -1;
		d->pick = p;
		d->pickcap = max_sentences + 2;
	}
	k = sz_rank_select(&d->rank, d->w, max_sentences, max_words, d->pick);
	for (size_t i = 0; i < k && budget > 0; i++) {
		d->pick[i] += (uint32_t)d->first;
		out_append(d, text, &g->s[d->pick[i]], &budget);
		d->npick = i + 1;
	}
	return 0;
}

/* ---- plugin ----------------------------------------------------------- */

struct summarizer {
	const struct newsd_host *host; /* (borrowed) until fini */
	struct sz_pack packs[SZ_MAX_LANGS];
	struct sz_doc docs[SZ_MAX_LANGS];
	size_t n_langs;
	size_t def;                    /* index of the default language */
	size_t max_sentences, max_words;
	int use_title;
	char idx[1024];                /* summary_sentences as JSON */
};

static const struct newsd_option sz_options[] = {
	{"max_sentences", NEWSD_OPT_INT, "3", 0, "at most this many sentences in a summary"},
	{"max_words", NEWSD_OPT_INT, "80", 0, "at most this many words (letter/digit runs)"},
	{"langs", NEWSD_OPT_LIST, "[vi, en]", 0,
	 "language packs to load (config/lang/<lang>/summarizer.yaml)"},
	{"default_lang", NEWSD_OPT_STR, "vi", 0, "pack used when `lang` is absent or unknown"},
	{"use_title", NEWSD_OPT_BOOL, "true", 0,
	 "use the record's `title` as a ranking feature (and to spot a heading paragraph)"},
	{0},
};

static void sz_fini(void *state)
{
	struct summarizer *s = state;

	if (!s)
		return;
	for (size_t i = 0; i < s->n_langs; i++) {
		sz_doc_free(&s->docs[i]);
		sz_pack_free(&s->packs[i]);
	}
	free(s);
}

static int sz_init(const struct newsd_host *h, const struct newsd_config *c, void **state,
		   char *err, size_t errlen)
{
	struct summarizer *s = calloc(1, sizeof(*s));
	const char *def = h->cfg_str(c, "default_lang");
	int64_t ms = h->cfg_int(c, "max_sentences"), mw = h->cfg_int(c, "max_words");
	size_t nl = h->cfg_list_len(c, "langs");
	int rc = NEWSD_ERR_FATAL, found = 0;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	s->host = h;
	s->use_title = h->cfg_bool(c, "use_title");
	if (ms < 1 || mw < 1) {
		snprintf(err, errlen, "max_sentences and max_words must be at least 1");
		goto out;
	}
	s->max_sentences = (size_t)ms;
	s->max_words = (size_t)mw;
	if (nl == 0 || nl > SZ_MAX_LANGS) {
		snprintf(err, errlen, "langs: between 1 and %d language packs", SZ_MAX_LANGS);
		goto out;
	}
	for (size_t i = 0; i < nl; i++) {
		const char *lang = h->cfg_list_str(c, "langs", i);
		if (!lang || sz_pack_load(&s->packs[i], h, lang, err, errlen) < 0)
			goto out;
		if (sz_doc_init(&s->docs[i], &s->packs[i], err, errlen) < 0) {
			sz_pack_free(&s->packs[i]);
			goto out;
		}
		s->n_langs = i + 1;
		if (def && strcmp(def, lang) == 0) {
			s->def = i;
			found = 1;
		}
	}
	if (!found) {
		snprintf(err, errlen, "default_lang '%s' is not in langs", def ? def : "");
		goto out;
	}
	*state = s;
	s = NULL;
	rc = NEWSD_OK;
out:
	sz_fini(s);
	return rc;
}

static int sz_process(void *state, struct newsd_record *r, char *err, size_t errlen)
{
	struct summarizer *s = state;
	const struct newsd_host *h = s->host;
	size_t len = 0, tlen = 0, li = s->def, at = 0;
	const char *text = h->rec_get_str(r, "text", &len);
	const char *title = h->rec_get_str(r, "title", &tlen);
	const char *lang = h->rec_get_str(r, "lang", NULL);
	struct sz_doc *d;

	if (!text)
		return NEWSD_OK; /* nothing to summarise */
	if (lang)
		for (size_t i = 0; i < s->n_langs; i++)
			if (strcmp(lang, s->packs[i].lang) == 0)
				li = i;
	d = &s->docs[li];
	if (sz_summarize(d, text, len, title, tlen, s->max_sentences, s->max_words,
			 s->use_title) < 0) {
		snprintf(err, errlen, "summarizer: out of memory or ICU failure");
		return NEWSD_ERR_RETRY;
	}
	s->idx[at++] = '[';
	for (size_t i = 0; i < d->npick && at + 16 < sizeof(s->idx); i++)
		at += (size_t)snprintf(s->idx + at, sizeof(s->idx) - at, "%s%u", i ? "," : "",
				       d->pick[i]);
	s->idx[at++] = ']';
	if (h->rec_set_str(r, "summary", d->out, d->outlen) < 0 ||
	    h->rec_set_json(r, "summary_sentences", s->idx, at) < 0) {
		snprintf(err, errlen, "summarizer: cannot write fields");
		return NEWSD_ERR_RETRY;
	}
	h->count(h, "records", 1);
	return NEWSD_OK;
}

static const struct newsd_plugin summarizer_plugin = {
	NEWSD_PLUGIN_HEADER,
	.name = "summarizer",
	.version = "1.0.0",
	.license = "Apache-2.0",
	.description = "extractive summary: ICU sentences + news rules, position/title/LexRank "
		       "ranking with MMR, weights fitted per language pack",
	.options = sz_options,
	.init = sz_init,
	.process = sz_process,
	.fini = sz_fini,
};

NEWSD_PLUGIN_DEFINE(summarizer, summarizer_plugin)
