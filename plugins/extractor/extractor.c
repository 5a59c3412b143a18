/* extractor — metadata and entities from the cleaner's text and HTML hints.
 *
 * Reads `text` (paragraphs separated by blank lines, heading first),
 * `html_meta`, `lang`, `source`, `published_at`; writes `title`,
 * `published_at`, `date_precision`, `event_dates`, `authors`,
 * `photo_credits`, `source`, `entities`, `entity_mentions`, `doc_refs`,
 * `keywords`, `lang`.  Nothing is invented: a field with no evidence is
 * null or an empty list.
 *
 * Threading: NOT thread-safe (no NEWSD_CAP_THREAD_SAFE): each worker gets
 * its own instance with its own automata, syllable cache and scratch
 * buffers, so process() allocates almost nothing per article.
 *
 * Offsets (entity_mentions.*.first_offset) are UTF-8 byte offsets into
 * `text` (into its NFC form when the input text was not NFC).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractor_int.h"

#define MAX_PACKS 8

_Static_assert(XC_NCATS <= 32, "tokcats holds one bit per category");

struct extractor {
	const struct newsd_host *host; /* (borrowed) valid until fini */
	struct xpack packs[MAX_PACKS];
	size_t npacks;
	int default_pack;
	int tz_min;
	size_t max_keywords;
	struct xctx x;
};

static const struct newsd_option extractor_options[] = {
	{"languages", NEWSD_OPT_LIST, "[vi, en]",
	 0, "language packs to load (config/lang/<lang>/extractor.yaml)"},
	{"default_lang", NEWSD_OPT_STR, "vi", 0, "pack used when the record's language is unknown"},
	{"default_timezone", NEWSD_OPT_STR, "+07:00", 0,
	 "UTC offset for printed times that carry no zone (+HH:MM)"},
	{"max_keywords", NEWSD_OPT_INT, "10", 0, "how many keywords to write"},
	{0},
};

/* ------------------------------------------------------------ context */

int xctx_init(struct xctx *x)
{
	memset(x, 0, sizeof(*x));
	x->toks.esz = sizeof(struct xtok);
	x->lines.esz = sizeof(struct xspan);
	x->matches.esz = sizeof(struct ac_match);
	x->tokmatch.esz = sizeof(uint32_t);
	x->title.esz = x->authors.esz = x->photos.esz = x->source.esz = sizeof(struct xstr);
	x->persons.esz = x->locations.esz = x->orgs.esz = x->docrefs.esz = sizeof(struct xstr);
	x->keywords.esz = x->events.esz = sizeof(struct xstr);
	x->mentions.esz = sizeof(struct xmention);
	x->credits.esz = sizeof(struct xspan);
	x->tokcats.esz = sizeof(uint32_t);
	x->mbyte.esz = sizeof(struct xmstart);
	x->tsyl.esz = x->term_slots.esz = x->tf_used.esz = x->tstate.esz = sizeof(uint32_t);
	return strmap_init(&x->seen, 256);
}

void xctx_free(struct xctx *x)
{
	struct xvec *v[] = {&x->toks, &x->lines, &x->matches, &x->tokmatch, &x->title,
			    &x->events, &x->authors, &x->photos, &x->source, &x->persons,
			    &x->locations, &x->orgs, &x->docrefs, &x->keywords, &x->mentions, &x->credits};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		xvec_free(v[i]);
	xbuf_free(&x->scratch);
	xbuf_free(&x->norm);
	xbuf_free(&x->strs);
	xbuf_free(&x->wbuf);
	xbuf_free(&x->mstart);
	strmap_free(&x->seen);
	u64map_free(&x->terms);
	xvec_free(&x->tsyl);
	xvec_free(&x->tstate);
	xvec_free(&x->tokcats);
	xvec_free(&x->mbyte);
	xvec_free(&x->term_slots);
	xvec_free(&x->tf_used);
	xvec_free(&x->cands);
	xvec_free(&x->kw_next);
	free(x->tf);
}

void xctx_reset(struct xctx *x)
{
	struct xvec *v[] = {&x->toks, &x->lines, &x->matches, &x->tokmatch, &x->title,
			    &x->events, &x->authors, &x->photos, &x->source, &x->persons,
			    &x->locations, &x->orgs, &x->docrefs, &x->keywords, &x->mentions, &x->credits};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		v[i]->len = 0;
	x->strs.len = 0;
	strmap_clear(&x->seen);
	memset(&x->pub, 0, sizeof(x->pub));
	x->header_end = 0;
}

int xctx_add_unique(struct xctx *x, struct xvec *list, char kind, const char *s, size_t n)
{
	char key[1100];
	int added = 0;
	struct xstr *e;

	if (n == 0 || n > 1000)
		return 0;
	key[0] = kind;
	memcpy(key + 1, s, n);
	if (strmap_put(&x->seen, key, n + 1, 0, &added) < 0)
		return -ENOMEM;
	if (!added)
		return 0;
	if (!(e = xvec_push(list)))
		return -ENOMEM;
	e->off = (uint32_t)x->strs.len;
	e->len = (uint32_t)n;
	if (xbuf_add(&x->strs, s, n) < 0)
		return -ENOMEM;
	x->strs.len++;
	return 0;
}

long xctx_tok_at(const struct xctx *x, size_t byte)
{
	size_t lo = 0, hi = x->toks.len;
	const struct xtok *t = x->toks.p;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t[mid].end <= byte)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < x->toks.len && t[lo].start <= byte + 0 && byte < t[lo].end)
		return (long)lo;
	if (lo < x->toks.len && t[lo].start >= byte)
		return (long)lo; /* the next token */
	return -1;
}

long xctx_match_at_slow(const struct xctx *x, size_t byte, enum xcat cat, uint32_t *payload,
			size_t *end_byte)
{
	const struct ac_match *m = x->matches.p;

	/* xctx_match_at() checked byte < len and its mstart bit */
	for (size_t i = XVEC_AT(&x->mbyte, struct xmstart, byte).first; i < x->matches.len && m[i].start == byte;
	     i++) {
		uint32_t nt;
		const struct xtag *tg = xpack_tags(x->pack, m[i].pat, &nt);
		for (uint32_t k = 0; k < nt; k++)
			if (tg[k].cat == cat) {
				if (payload)
					*payload = tg[k].payload;
				if (end_byte)
					*end_byte = m[i].end;
				return (long)i;
			}
	}
	return -1;
}

long xctx_match_at_tok_slow(const struct xctx *x, size_t ti, enum xcat cat, uint32_t *payload,
			    size_t *end_tok)
{
	uint32_t first = XVEC_AT(&x->tokmatch, uint32_t, ti);
	const struct ac_match *m = x->matches.p;
	const struct xtok *t = x->toks.p;

	if (!first || !(XVEC_AT(&x->tokcats, uint32_t, ti) & (1u << cat)))
		return -1;
	for (size_t i = first - 1; i < x->matches.len && m[i].start == t[ti].start; i++) {
		uint32_t nt;
		const struct xtag *tg = xpack_tags(x->pack, m[i].pat, &nt);
		for (uint32_t k = 0; k < nt; k++)
			if (tg[k].cat == cat) {
				if (payload)
					*payload = tg[k].payload;
				if (end_tok) {
					size_t j = ti;
					while (j < x->toks.len && t[j].start < m[i].end)
						j++;
					*end_tok = j;
				}
				return (long)i;
			}
	}
	return -1;
}

/* ------------------------------------------------------------ plugin */

static int parse_tz(const char *s, int *out)
{
	int h = 0, m = 0, sign;

	if (!s || (s[0] != '+' && s[0] != '-'))
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	if (sscanf(s + 1, "%2d:%2d", &h, &m) < 1 || h > 14 || m > 59)
		return -1;
	*out = sign * (h * 60 + m);
	return 0;
}

static void extractor_fini(void *state)
{
	struct extractor *ex = state;

	if (!ex)
		return;
	for (size_t i = 0; i < ex->npacks; i++)
		xpack_free(&ex->packs[i]);
	xctx_free(&ex->x);
	free(ex);
}

static int extractor_init(const struct newsd_host *h, const struct newsd_config *c, void **state,
			  char *err, size_t errlen)
{
	struct extractor *ex = calloc(1, sizeof(*ex));
	const char *def;
	size_t nl;
	int rc;

	if (!ex || xctx_init(&ex->x) < 0) {
		free(ex);
		snprintf(err, errlen, "out of memory");
		return NEWSD_ERR_FATAL;
	}
	ex->host = h;
	ex->x.h = h;
	if (parse_tz(h->cfg_str(c, "default_timezone"), &ex->tz_min) < 0) {
		snprintf(err, errlen, "default_timezone: expected +HH:MM or -HH:MM, got '%s'",
			 h->cfg_str(c, "default_timezone") ? h->cfg_str(c, "default_timezone") : "");
		rc = NEWSD_ERR_FATAL;
		goto fail;
	}
	ex->x.default_tz_min = ex->tz_min;
	ex->max_keywords = h->cfg_int(c, "max_keywords") > 0 ? (size_t)h->cfg_int(c, "max_keywords") : 0;
	nl = h->cfg_list_len(c, "languages");
	for (size_t i = 0; i < nl && ex->npacks < MAX_PACKS; i++) {
		const char *lang = h->cfg_list_str(c, "languages", i);
		if (!lang || strlen(lang) > 7 || strchr(lang, '/') || strchr(lang, '.')) {
			snprintf(err, errlen, "languages[%zu]: expected an ISO 639-1 code", i);
			rc = NEWSD_ERR_FATAL;
			goto fail;
		}
		if (xpack_load(&ex->packs[ex->npacks], h, lang, err, errlen) < 0) {
			rc = NEWSD_ERR_FATAL;
			goto fail;
		}
		ex->npacks++;
	}
	if (!ex->npacks) {
		snprintf(err, errlen, "languages: at least one language pack is needed");
		rc = NEWSD_ERR_FATAL;
		goto fail;
	}
	def = h->cfg_str(c, "default_lang");
	ex->default_pack = 0;
	for (size_t i = 0; def && i < ex->npacks; i++)
		if (strcmp(ex->packs[i].lang, def) == 0)
			ex->default_pack = (int)i;
	*state = ex;
	return NEWSD_OK;
fail:
	extractor_fini(ex);
	return rc;
}

static int pack_index(const struct extractor *ex, const char *lang)
{
	for (size_t i = 0; lang && i < ex->npacks; i++)
		if (strcmp(ex->packs[i].lang, lang) == 0)
			return (int)i;
	return -1;
}

/* A list of output strings as one array (ABI 1.1): the pointer and length
 * arrays live in x->wbuf, reused across articles. */
static int write_list(const struct newsd_host *h, struct newsd_record *r, const char *path,
		      struct xctx *x, const struct xvec *v)
{
	size_t n = v->len;

	if (xbuf_reserve(&x->wbuf, n * (sizeof(char *) + sizeof(size_t)) + 1) < 0)
		return -1;
	/* malloc'd, so aligned for both arrays (pointers first, same size) */
	const char **ptr = (const char **)(void *)x->wbuf.p;
	size_t *len = (size_t *)(void *)(x->wbuf.p + n * sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const struct xstr *s = &XVEC_AT(v, struct xstr, i);
		ptr[i] = xctx_str(x, s);
		len[i] = s->len;
	}
	return h->rec_set_str_array(r, path, ptr, len, n);
}

static int write_one(const struct newsd_host *h, struct newsd_record *r, const char *path,
		     const struct xctx *x, const struct xvec *v)
{
	if (!v->len)
		return h->rec_set_null(r, path);
	const struct xstr *s = &XVEC_AT(v, struct xstr, 0);
	return h->rec_set_str(r, path, xctx_str(x, s), s->len);
}

/* entity_mentions through the host's structured writes (ABI 1.1): one
 * call per name, no JSON text for the daemon to parse again (that parse
 * was a sixth of process()).  Names are unique in x->mentions (mention()
 * merges repeats), so no key repeats. */
static int write_mentions(const struct newsd_host *h, struct newsd_record *r, struct xctx *x)
{
	static const char *const types[] = {"person", "location", "organization"};
	struct newsd_field f[3] = {
		{.name = "type", .type = NEWSD_FIELD_STR},
		{.name = "count", .type = NEWSD_FIELD_INT},
		{.name = "first_offset", .type = NEWSD_FIELD_INT},
	};

	if (h->rec_set_object(r, "entity_mentions", NULL, 0, NULL, 0) < 0)
		return -1;
	for (size_t i = 0; i < x->mentions.len; i++) {
		const struct xmention *m = &XVEC_AT(&x->mentions, struct xmention, i);
		f[0].s = types[m->type];
		f[0].len = strlen(types[m->type]);
		f[1].i = m->count;
		f[2].i = m->first_offset;
		if (h->rec_set_object(r, "entity_mentions", x->strs.p + m->name_off, m->name_len, f, 3) < 0)
			return -1;
	}
	return 0;
}

static const char *precision_name(int p)
{
	return p == XP_MINUTE ? "minute" : p == XP_DAY ? "day" : p == XP_MONTH ? "month" : NULL;
}

static int extractor_process(void *state, struct newsd_record *r, char *err, size_t errlen)
{
	struct extractor *ex = state;
	const struct newsd_host *h = ex->host;
	struct xctx *x = &ex->x;
	size_t len = 0;
	const char *text = h->rec_get_str(r, "text", &len);
	const char *in_lang = h->rec_get_str(r, "lang", NULL);
	int pi, guess;
	char lang_in[8] = "";

	xctx_reset(x);
	if (in_lang && strlen(in_lang) < sizeof(lang_in))
		snprintf(lang_in, sizeof(lang_in), "%s", in_lang);
	if (!text) {
		text = "";
		len = 0;
	}
	/* The cleaner hands over NFC; anything else is normalised here. */
	if (xtext_has_combining(text, len)) {
		if (xbuf_reserve(&x->norm, len * 3 + 16) < 0)
			goto nomem;
		long m = xtone_canon(NULL, text, len, x->norm.p, x->norm.cap, 0);
		if (m >= 0) {
			text = x->norm.p;
			len = (size_t)m;
		}
	}
	x->text = text;
	x->len = len;
	if (xtext_tokenize(text, len, &x->toks, &x->lines) < 0)
		goto nomem;

	/* language: confirm or correct */
	for (size_t i = 0; i < ex->npacks; i++)
		xpack_cache_trim(&ex->packs[i]);
	pi = pack_index(ex, lang_in);
	guess = -1;
	{
		/* the record's language (else the default), when its stop words are
		 * there, is kept without scoring the other packs; its syllables are
		 * looked up once here and serve every later stage */
		int first = pi >= 0 ? pi : ex->default_pack;
		if (x_token_syls(x, &ex->packs[first]) < 0)
			goto nomem;
		if (ex->npacks > 1) {
			double share = x_stop_share(x);
			if (share >= 0.2) {
				guess = first;
			} else {
				guess = x_guess_lang(ex->packs, ex->npacks, text, len, &x->toks, first, share);
			}
		}
	}
	if (guess >= 0 && guess != pi)
		pi = guess;
	if (pi < 0)
		pi = ex->default_pack;
	x->pack = &ex->packs[pi];
	/* x_guess_lang looked the tokens up in the other packs only: tsyl
	 * stands unless another pack won */
	if (x->tsyl_pack != x->pack && x_token_syls(x, x->pack) < 0)
		goto nomem;

	/* one pass of the automaton; matches come out sorted (start, longest first) */
	if (ac_scan(x->pack->ac, text, len, x->toks.p, x->toks.len, x->tstate.p, &x->matches) < 0)
		goto nomem;
	/* the index of the matches by start byte (xctx_match_at) and by token
	 * (xctx_match_at_tok): matches come sorted by start */
	if (xbuf_reserve(&x->mstart, len / 8 + 1) < 0 || xvec_reserve(&x->mbyte, len) < 0)
		goto nomem;
	memset(x->mstart.p, 0, len / 8 + 1);
	{
		const struct ac_match *m = x->matches.p;
		struct xmstart *mb = x->mbyte.p;
		for (size_t i = 0; i < x->matches.len; i++) {
			uint32_t st = m[i].start, nt, c = 0;
			const struct xtag *tg = xpack_tags(x->pack, m[i].pat, &nt);
			for (uint32_t g = 0; g < nt; g++)
				c |= 1u << tg[g].cat;
			if (i == 0 || m[i - 1].start != st) {
				((uint8_t *)x->mstart.p)[st >> 3] |= (uint8_t)(1u << (st & 7));
				mb[st].first = (uint32_t)i;
				mb[st].cats = c;
			} else {
				mb[st].cats |= c;
			}
		}
	}
	x->tokmatch.len = 0;
	x->tokcats.len = 0;
	if (xvec_reserve(&x->tokmatch, x->toks.len) < 0 || xvec_reserve(&x->tokcats, x->toks.len) < 0)
		goto nomem;
	{
		const struct xtok *t = x->toks.p;
		const uint8_t *bits = (const uint8_t *)x->mstart.p;
		const struct xmstart *mb = x->mbyte.p;
		uint32_t *slot = x->tokmatch.p, *cats = x->tokcats.p;
		for (size_t ti = 0; ti < x->toks.len; ti++) {
			uint32_t st = t[ti].start;
			int has = (bits[st >> 3] >> (st & 7)) & 1;
			slot[ti] = has ? mb[st].first + 1 : 0;
			cats[ti] = has ? mb[st].cats : 0;
		}
		x->tokmatch.len = x->tokcats.len = x->toks.len;
	}
	/* the lede: the first line that reads as a paragraph */
	x->header_end = 0;
	for (size_t li = 0; li < x->lines.len; li++) {
		const struct xspan *sp = &XVEC_AT(&x->lines, struct xspan, li);
		char last = sp->end > sp->start ? text[sp->end - 1] : 0;
		int fin = last == '.' || last == '!' || last == '?' || last == ':' ||
			  (sp->end - sp->start >= 3 && (uint8_t)text[sp->end - 1] == 0xA6);
		if (sp->tok1 - sp->tok0 >= 15 && fin) {
			x->header_end = (int)li;
			break;
		}
	}

	const char *m_title = h->rec_get_str(r, "html_meta.title", NULL);
	const char *m_og = h->rec_get_str(r, "html_meta.og_title", NULL);
	const char *m_site = h->rec_get_str(r, "html_meta.og_site_name", NULL);
	const char *m_pub = h->rec_get_str(r, "html_meta.published_time", NULL);
	const char *m_author = h->rec_get_str(r, "html_meta.author", NULL);
	const char *in_pub = h->rec_get_str(r, "published_at", NULL);
	struct xdate inp;
	int have_in_pub = in_pub && xdate_parse_iso(in_pub, strlen(in_pub), &inp, ex->tz_min);

	if (x_dates(x, have_in_pub ? in_pub : m_pub) < 0 ||
	    x_title(x, m_title, m_og, m_site, x->pack->title_max_words) < 0 || x_bylines(x) < 0)
		goto nomem;
	if (m_author && *m_author && x->authors.len == 0 &&
	    xctx_add_unique(x, &x->authors, 'a', m_author, strlen(m_author)) < 0)
		goto nomem;
	const char *in_src = h->rec_get_str(r, "source", NULL);
	if (!(in_src && *in_src) && x_source(x, m_site) < 0)
		goto nomem;
	if (x_entities(x) < 0 || x_docrefs(x) < 0 || x_keywords(x, ex->max_keywords) < 0)
		goto nomem;

	/* write */
	char iso[40];
	int wr = 0;
	wr |= write_one(h, r, "title", x, &x->title);
	if (x->pub.prec != XP_NONE && xdate_iso(&x->pub, iso, sizeof(iso)) > 0) {
		wr |= h->rec_set_str(r, "published_at", iso, strlen(iso));
		wr |= h->rec_set_str(r, "date_precision", precision_name(x->pub.prec),
				     strlen(precision_name(x->pub.prec)));
	} else {
		wr |= h->rec_set_null(r, "published_at");
		wr |= h->rec_set_null(r, "date_precision");
	}
	wr |= write_list(h, r, "event_dates", x, &x->events);
	wr |= write_list(h, r, "authors", x, &x->authors);
	wr |= write_list(h, r, "photo_credits", x, &x->photos);
	if (!(in_src && *in_src))
		wr |= write_one(h, r, "source", x, &x->source);
	wr |= write_list(h, r, "entities.persons", x, &x->persons);
	wr |= write_list(h, r, "entities.locations", x, &x->locations);
	wr |= write_list(h, r, "entities.organizations", x, &x->orgs);
	wr |= write_mentions(h, r, x);
	wr |= write_list(h, r, "doc_refs", x, &x->docrefs);
	wr |= write_list(h, r, "keywords", x, &x->keywords);
	if (strcmp(lang_in, x->pack->lang) != 0 && (guess >= 0 || !*lang_in))
		wr |= h->rec_set_str(r, "lang", x->pack->lang, strlen(x->pack->lang));
	if (wr < 0)
		goto nomem;
	h->count(h, "records", 1);
	return NEWSD_OK;
nomem:
	snprintf(err, errlen, "extractor: out of memory");
	return NEWSD_ERR_RETRY;
}

static const struct newsd_plugin extractor_plugin = {
	NEWSD_PLUGIN_HEADER,
	.name = "extractor",
	.version = "1.0.0",
	.license = "Apache-2.0",
	.description = "title, dates, bylines, source, entities, document numbers, keywords, language",
	.options = extractor_options,
	.init = extractor_init,
	.process = extractor_process,
	.fini = extractor_fini,
};

NEWSD_PLUGIN_DEFINE(extractor, extractor_plugin)
