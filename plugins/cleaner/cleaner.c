/* cleaner — raw or HTML message to the clean main text of the article.
 *
 * Reads `html`, else `text`, else `raw` (bytes in any charset); writes
 * `text`, `lang` (only when the message had none and detection is sure),
 * `cleaner {charset, removed_lines, repaired_chars, invalid_sequences}` and,
 * from HTML, `html_meta {...}`; removes `raw`.  Nothing left → dead letter
 * "empty after cleaning".  See cleaner.h for threading, README.md for the
 * classifier and the language packs.
 */
#include "cleaner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/uscript.h>
#include <xxhash.h>

static const struct newsd_option cleaner_options[] = {
	{"langs", NEWSD_OPT_LIST, "[vi, en]", 0,
	 "language packs to load (config/lang/<lang>/cleaner.yaml); the first is the default"},
	{"charset", NEWSD_OPT_STR, NULL, 0,
	 "charset of raw payloads when known (else detected: ICU + language-pack legacy charsets)"},
	{"captions", NEWSD_OPT_STR, "keep_first", 0,
	 "photo captions and other repeated short lines: keep | keep_first | drop"},
	{"detect_lang", NEWSD_OPT_BOOL, "true", 0,
	 "write `lang` when the message has none and the stop-word evidence is clear"},
	{"detect_min_ratio", NEWSD_OPT_FLOAT, "0.08", 0,
	 "share of a pack's stop words among the words needed to name the language"},
	{"cross_source_min", NEWSD_OPT_INT, "3", 0,
	 "a line seen in this many recent articles of the same source is boilerplate (0: off)"},
	{"cross_source_window", NEWSD_OPT_INT, "2000", 0,
	 "how many recent articles the seen-lines table remembers"},
	{"cross_source_capacity", NEWSD_OPT_INT, "65536", 0,
	 "entries of the seen-lines table (bounded memory: 16 bytes each)"},
	{0},
};

/* ---------------------------------------------------------------- pool -- */

struct cl_ctx *cleaner_ctx_get(struct cleaner *c)
{
	struct cl_ctx *x;

	pthread_mutex_lock(&c->pool_mu);
	x = c->pool;
	if (x)
		c->pool = x->next;
	pthread_mutex_unlock(&c->pool_mu);
	if (!x)
		x = calloc(1, sizeof(*x));
	return x;
}

void cleaner_ctx_put(struct cleaner *c, struct cl_ctx *x)
{
	if (!x)
		return;
	pthread_mutex_lock(&c->pool_mu);
	x->next = c->pool;
	c->pool = x;
	pthread_mutex_unlock(&c->pool_mu);
}

static void ctx_free(struct cl_ctx *x)
{
	buf_free(&x->decoded);
	buf_free(&x->s16);
	buf_free(&x->extracted);
	buf_free(&x->norm);
	buf_free(&x->out);
	cl_textnorm_scratch_free(&x->tn);
	cl_bp_scratch_free(&x->bp);
	cl_html_result_free(&x->html);
	cl_html_scratch_free(&x->hs);
	tokvec_free(&x->tv);
	free(x);
}

/* ------------------------------------------------------------ pipeline -- */

static int looks_like_html(const char *s, size_t n)
{
	size_t lim = n < 2048 ? n : 2048, i = 0;

	while (i < lim && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
		i++;
	if (i + 3 < lim && memcmp(s + i, "\xEF\xBB\xBF", 3) == 0)
		i += 3;
	if (i >= lim || s[i] != '<')
		return 0;
	for (; i + 5 < lim; i++)
		if (strncasecmp(s + i, "<html", 5) == 0 || strncasecmp(s + i, "<body", 5) == 0 ||
		    strncasecmp(s + i, "<!doc", 5) == 0 || strncasecmp(s + i, "<head", 5) == 0 ||
		    strncasecmp(s + i, "<div", 4) == 0 || strncasecmp(s + i, "<p>", 3) == 0)
			return 1;
	return 0;
}

static int pack_by_code(const struct cleaner *c, const char *lang)
{
	for (size_t i = 0; lang && i < c->n_packs; i++) {
		size_t n = strlen(c->packs[i].lang);
		if (strncasecmp(lang, c->packs[i].lang, n) == 0 &&
		    (lang[n] == '\0' || lang[n] == '-' || lang[n] == '_'))
			return (int)i;
	}
	return -1;
}

static uint64_t source_key(const char *source)
{
	const char *p, *e;

	if (!source || !*source)
		return 0x5eed;
	/* a URL counts by its host */
	p = strstr(source, "://");
	p = p ? p + 3 : source;
	e = p + strcspn(p, "/?#");
	return XXH3_64bits(p, (size_t)(e - p)) | 1;
}

int cleaner_run(struct cleaner *c, struct cl_ctx *x, const char *html, size_t html_len,
		const char *text, size_t text_len, const char *raw, size_t raw_len,
		const char *lang, const char *source, struct cl_result *res)
{
	struct cl_charset_result cr;
	struct cl_textnorm_stats ts;
	const char *src;
	size_t src_len;
	int pack, from_html = 0;

	memset(res, 0, sizeof(*res));
	res->lang = -1;
	res->charset = "UTF-8";
	for (int k = 0; k < META_COUNT; k++)
		buf_reset(&x->html.meta[k]);
	/* a page sent as a raw payload arrives as `text` when its bytes are
	 * valid UTF-8 (the host decodes only that far): markup is markup */
	if (!html && text && looks_like_html(text, text_len)) {
		html = text;
		html_len = text_len;
		text = NULL;
	}
	if (html) {
		if (cl_html_extract(html, html_len, "UTF-8", &x->extracted, &x->html, &x->hs) < 0)
			return -1;
		from_html = 1;
		src = x->extracted.p ? x->extracted.p : "";
		src_len = x->extracted.len;
	} else if (text) {
		src = text;
		src_len = text_len;
	} else if (raw) {
		char declared[48];
		const char *d = c->charset;
		int is_html = looks_like_html(raw, raw_len);

		if (!d && is_html && cl_sniff_meta_charset(raw, raw_len, declared, sizeof(declared)))
			d = declared;
		if (cl_decode(c->packs, c->n_packs, d, raw, raw_len, &x->decoded, &x->s16, &cr) < 0)
			return -1;
		res->invalid += cr.invalid;
		if (is_html) {
			if (cl_html_extract(x->decoded.p ? x->decoded.p : "", x->decoded.len, "UTF-8",
					    &x->extracted, &x->html, &x->hs) < 0)
				return -1;
			from_html = 1;
			src = x->extracted.p ? x->extracted.p : "";
			src_len = x->extracted.len;
		} else {
			src = x->decoded.p ? x->decoded.p : "";
			src_len = x->decoded.len;
		}
		/* keep the charset name in the context (cr is on this stack) */
		buf_reset(&x->s16);
		if (buf_put(&x->s16, cr.charset, strlen(cr.charset) + 1) < 0)
			return -1;
		res->charset = x->s16.p;
	} else {
		src = "";
		src_len = 0;
	}
	/* hints get the text's normalisation (NFC above all: a windows-1258
	 * page decodes to combining tone marks); swapping buffers keeps the
	 * capacity of both */
	for (int k = 0; from_html && k < META_COUNT; k++) {
		struct buf tb;
		if (x->html.meta[k].len == 0)
			continue;
		if (cl_textnorm(&c->tn, x->html.meta[k].p, x->html.meta[k].len, &x->norm, &x->tn,
				&ts) < 0)
			return -1;
		tb = x->html.meta[k];
		x->html.meta[k] = x->norm;
		x->norm = tb;
	}
	if (cl_textnorm(&c->tn, src, src_len, &x->norm, &x->tn, &ts) < 0)
		return -1;
	res->repaired = ts.repaired;
	res->invalid += ts.invalid;
	/* language: the message's, else detected, else the default pack */
	pack = pack_by_code(c, lang);
	if (pack < 0 && x->norm.len > 0) {
		size_t lim = x->norm.len < 3072 ? x->norm.len : 3072;
		while (lim < x->norm.len && lim > 0 && ((uint8_t)x->norm.p[lim] & 0xC0) == 0x80)
			lim--;
		if (cl_tokenize(x->norm.p, lim, &x->tv, NULL) < 0)
			return -1;
		pack = langpack_detect(c->packs, c->n_packs, ts.script, x->tv.v, x->tv.n,
				       c->detect_min_ratio);
		res->lang_detected = pack >= 0 && !lang;
	}
	res->lang = pack;
	if (pack < 0)
		pack = (int)c->default_pack;
	/* inside a chosen HTML container, lines are judged one by one */
	struct cl_bp_opts o = c->bp;
	if (from_html && x->html.container)
		o.structural = 0;
	res->from_html = from_html;
	if (cl_boilerplate(&c->packs[pack], &o, c->use_seen ? &c->seen : NULL,
			   source_key(source), x->norm.p ? x->norm.p : "", x->norm.len, &x->out,
			   &x->bp, &res->removed) < 0)
		return -1;
	res->text = x->out.p ? x->out.p : "";
	res->len = x->out.len;
	return 0;
}

/* -------------------------------------------------------------- plugin -- */

static void cleaner_fini(void *state)
{
	struct cleaner *c = state;

	if (!c)
		return;
	for (size_t i = 0; i < c->n_packs; i++)
		langpack_free(&c->packs[i]);
	if (c->spoof)
		uspoof_close(c->spoof);
	cl_seen_free(&c->seen);
	while (c->pool) {
		struct cl_ctx *x = c->pool;
		c->pool = x->next;
		ctx_free(x);
	}
	pthread_mutex_destroy(&c->pool_mu);
	free(c);
}

static int cleaner_init(const struct newsd_host *h, const struct newsd_config *cfg, void **state,
			char *err, size_t errlen)
{
	struct cleaner *c = calloc(1, sizeof(*c));
	const char *cap;
	UErrorCode st = U_ZERO_ERROR;
	int64_t cmin, cwin, ccap;
	int rc = NEWSD_ERR_FATAL;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NEWSD_ERR_FATAL;
	}
	pthread_mutex_init(&c->pool_mu, NULL);
	c->host = h;
	for (size_t i = 0, n = h->cfg_list_len(cfg, "langs"); i < n; i++) {
		const char *l = h->cfg_list_str(cfg, "langs", i);
		if (!l)
			continue;
		if (c->n_packs == CL_MAX_PACKS) {
			snprintf(err, errlen, "langs: at most %d language packs", CL_MAX_PACKS);
			goto out;
		}
		if (langpack_load(&c->packs[c->n_packs], h, l, err, errlen) < 0)
			goto out;
		c->n_packs++;
	}
	if (c->n_packs == 0) {
		snprintf(err, errlen, "langs: at least one language pack is needed");
		goto out;
	}
	c->charset = h->cfg_str(cfg, "charset");
	c->set_lang = h->cfg_bool(cfg, "detect_lang");
	c->detect_min_ratio = h->cfg_float(cfg, "detect_min_ratio");
	cap = h->cfg_str(cfg, "captions");
	if (!cap || strcmp(cap, "keep_first") == 0) {
		c->bp.captions = CAPTIONS_KEEP_FIRST;
	} else if (strcmp(cap, "keep") == 0) {
		c->bp.captions = CAPTIONS_KEEP;
	} else if (strcmp(cap, "drop") == 0) {
		c->bp.captions = CAPTIONS_DROP;
	} else {
		snprintf(err, errlen, "captions: '%s' is not one of keep, keep_first, drop", cap);
		goto out;
	}
	c->bp.structural = 1;
	cmin = h->cfg_int(cfg, "cross_source_min");
	cwin = h->cfg_int(cfg, "cross_source_window");
	ccap = h->cfg_int(cfg, "cross_source_capacity");
	if (cmin < 0 || cwin <= 0 || ccap <= 0 || ccap > (1 << 26)) {
		snprintf(err, errlen,
			 "cross_source_min must be >= 0, cross_source_window > 0 and "
			 "cross_source_capacity in 1..67108864");
		goto out;
	}
	c->bp.cross_min = (uint32_t)cmin;
	c->use_seen = cmin > 0;
	if (c->use_seen && cl_seen_init(&c->seen, (size_t)ccap, (uint32_t)cwin) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	c->spoof = uspoof_open(&st);
	if (U_FAILURE(st)) {
		snprintf(err, errlen, "ICU spoof checker: %s", u_errorName(st));
		goto out;
	}
	c->tn.spoof = c->spoof;
	for (size_t p = 0; p < c->n_packs; p++)
		for (int k = 0; k < c->packs[p].n_stray_scripts && c->tn.n_stray_scripts < 8; k++) {
			int s = c->packs[p].stray_scripts[k], dup = 0;
			for (int q = 0; q < c->tn.n_stray_scripts; q++)
				dup |= c->tn.stray_scripts[q] == s;
			if (!dup)
				c->tn.stray_scripts[c->tn.n_stray_scripts++] = s;
		}
	*state = c;
	rc = NEWSD_OK;
out:
	if (rc != NEWSD_OK)
		cleaner_fini(c);
	return rc;
}

static int set_meta(const struct newsd_host *h, struct newsd_record *r,
		    const struct cl_html_result *hr)
{
	char path[64];

	for (int k = 0; k < META_COUNT; k++) {
		if (hr->meta[k].len == 0)
			continue;
		snprintf(path, sizeof(path), "html_meta.%s", cl_meta_names[k]);
		if (h->rec_set_str(r, path, hr->meta[k].p, hr->meta[k].len) < 0)
			return -1;
	}
	return 0;
}

static int cleaner_process(void *state, struct newsd_record *r, char *err, size_t errlen)
{
	struct cleaner *c = state;
	const struct newsd_host *h = c->host;
	size_t hl = 0, tl = 0, rl = 0;
	const char *html = h->rec_get_str(r, "html", &hl);
	const char *text = h->rec_get_str(r, "text", &tl);
	const char *raw = h->rec_get_str(r, "raw", &rl);
	const char *lang = h->rec_get_str(r, "lang", NULL);
	const char *source = h->rec_get_str(r, "source", NULL);
	struct cl_ctx *x = cleaner_ctx_get(c);
	struct cl_result res;
	int rc = NEWSD_ERR_RETRY;

	if (!x) {
		snprintf(err, errlen, "out of memory");
		return NEWSD_ERR_RETRY;
	}
	if (!source)
		source = h->rec_get_str(r, "url", NULL);
	if (html && hl == 0 && (text || raw))
		html = NULL;
	if (cleaner_run(c, x, html, hl, html ? NULL : text, tl, (html || text) ? NULL : raw, rl,
			lang && *lang ? lang : NULL, source, &res) < 0) {
		snprintf(err, errlen, "out of memory cleaning the article");
		goto out;
	}
	if (res.from_html && set_meta(h, r, &x->html) < 0) {
		snprintf(err, errlen, "cannot write html_meta");
		goto out;
	}
	if (res.len == 0) {
		snprintf(err, errlen, "empty after cleaning");
		h->count(h, "empty", 1);
		rc = NEWSD_ERR_RECORD;
		goto out;
	}
	if (h->rec_set_str(r, "text", res.text, res.len) < 0 ||
	    h->rec_set_str(r, "cleaner.charset", res.charset, strlen(res.charset)) < 0 ||
	    h->rec_set_int(r, "cleaner.removed_lines", (int64_t)res.removed) < 0 ||
	    h->rec_set_int(r, "cleaner.repaired_chars", (int64_t)res.repaired) < 0 ||
	    h->rec_set_int(r, "cleaner.invalid_sequences", (int64_t)res.invalid) < 0) {
		snprintf(err, errlen, "cannot write the cleaned text");
		goto out;
	}
	if (!lang && c->set_lang && res.lang_detected && res.lang >= 0 &&
	    h->rec_set_str(r, "lang", c->packs[res.lang].lang, strlen(c->packs[res.lang].lang)) <
		    0) {
		snprintf(err, errlen, "cannot write lang");
		goto out;
	}
	if (raw)
		h->rec_remove(r, "raw");
	h->count(h, "records", 1);
	h->count(h, "removed_lines", res.removed);
	rc = NEWSD_OK;
out:
	cleaner_ctx_put(c, x);
	return rc;
}

const struct newsd_plugin cleaner_plugin = {
	NEWSD_PLUGIN_HEADER,
	.caps = NEWSD_CAP_THREAD_SAFE,
	.name = "cleaner",
	.version = "1.0.0",
	.license = "Apache-2.0",
	.description = "decodes, normalises and strips boilerplate: the article's main text",
	.options = cleaner_options,
	.init = cleaner_init,
	.process = cleaner_process,
	.fini = cleaner_fini,
};

NEWSD_PLUGIN_DEFINE(cleaner, cleaner_plugin)
