/* langpack.c — loads config/lang/<lang>/extractor.yaml into one automaton.
 *
 * Every list of cue words and names in the pack becomes patterns of the
 * pack's Aho–Corasick automaton, tagged with a category (enum xcat) and,
 * for names, the index of their canonical form.  Variants are generated
 * here, not written in the pack: the other tone-mark style (Hoá/Hóa), and
 * for cue words the sentence-initial capital and ALL CAPS forms.  An entry
 * "A|B|C" is one name with aliases; A is canonical.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractor_int.h"

enum { V_TONE = 1, V_CAPS = 2 };

struct pending {
	uint32_t pat;
	struct xtag tag;
};

struct loader {
	struct xpack *p;
	const struct newsd_host *h;
	struct xvec pend; /* struct pending */
	char err[256];
};

static long add_canon(struct xpack *p, const char *s, size_t n)
{
	uint32_t *slot;
	char buf[1024];
	long m = xtone_canon(p->tone, s, n, buf, sizeof(buf), 0);

	if (m < 0)
		return -1;
	slot = xvec_push(&p->canon);
	if (!slot)
		return -1;
	*slot = (uint32_t)p->canon_buf.len;
	if (xbuf_add(&p->canon_buf, buf, (size_t)m) < 0)
		return -1;
	p->canon_buf.len++; /* keep the NUL */
	return (long)p->canon.len - 1;
}

static int add_one(struct loader *L, const char *s, size_t n, uint8_t cat, uint32_t payload)
{
	long id = ac_add(L->p->ac, s, n);
	struct pending *pd;

	if (id < 0)
		return -ENOMEM;
	if (!(pd = xvec_push(&L->pend)))
		return -ENOMEM;
	pd->pat = (uint32_t)id;
	pd->tag.cat = cat;
	pd->tag.payload = payload;
	return 0;
}

/* Adds s (and its variants) with the given tag. */
static int add_pattern(struct loader *L, const char *s, size_t n, uint8_t cat, uint32_t payload,
		       int variants)
{
	char forms[8][1024];
	long lens[8];
	int nf = 0, rc;
	struct xtone *t = L->p->tone;

	if (n == 0 || n >= 1000)
		return 0;
	lens[nf] = xtone_canon(t, s, n, forms[nf], sizeof(forms[0]), 0);
	if (lens[nf] < 0) {
		memcpy(forms[nf], s, n);
		lens[nf] = (long)n;
	}
	nf++;
	if (t && (variants & V_TONE)) {
		lens[nf] = xtone_canon(t, s, n, forms[nf], sizeof(forms[0]), 1);
		if (lens[nf] > 0)
			nf++;
	}
	/* the text as written in the pack, in case it differs from both */
	memcpy(forms[nf], s, n);
	lens[nf++] = (long)n;
	if (variants & V_CAPS) {
		int base = nf;
		for (int i = 0; i < base && nf + 3 <= 8; i++) {
			long m = xcase_title_first(forms[i], (size_t)lens[i], forms[nf], sizeof(forms[0]));
			if (m > 0)
				lens[nf++] = m;
			m = xcase_upper(forms[i], (size_t)lens[i], forms[nf], sizeof(forms[0]));
			if (m > 0)
				lens[nf++] = m;
			m = xcase_title_words(forms[i], (size_t)lens[i], forms[nf], sizeof(forms[0]));
			if (m > 0)
				lens[nf++] = m;
		}
	}
	for (int i = 0; i < nf; i++) {
		int dup = 0;
		for (int j = 0; j < i; j++)
			if (lens[j] == lens[i] && memcmp(forms[j], forms[i], (size_t)lens[i]) == 0)
				dup = 1;
		if (dup)
			continue;
		if ((rc = add_one(L, forms[i], (size_t)lens[i], cat, payload)) < 0)
			return rc;
	}
	return 0;
}

/* A list of entries "Canonical|alias|alias" (names) or plain cue words. */
static int add_list(struct loader *L, const struct newsd_config *c, const char *key, uint8_t cat,
		    int named, int variants)
{
	const struct newsd_host *h = L->h;
	size_t n = c ? h->cfg_list_len(c, key) : 0;

	for (size_t i = 0; i < n; i++) {
		const char *e = h->cfg_list_str(c, key, i);
		uint32_t payload = 0;
		int rc;
		if (!e || !*e)
			continue;
		if (named) {
			size_t cl = strcspn(e, "|");
			long ci = add_canon(L->p, e, cl);
			if (ci < 0)
				return -ENOMEM;
			payload = (uint32_t)ci;
		}
		for (const char *a = e; *a;) {
			size_t al = strcspn(a, "|");
			if ((rc = add_pattern(L, a, al, cat, payload, variants)) < 0)
				return rc;
			a += al;
			if (*a == '|')
				a++;
		}
	}
	return 0;
}

/* month_names: a list of twelve entries "January|Jan"; payload = month. */
static int add_months(struct loader *L, const struct newsd_config *c)
{
	const struct newsd_host *h = L->h;
	size_t n = c ? h->cfg_list_len(c, "month_names") : 0;

	for (size_t i = 0; i < n && i < 12; i++) {
		const char *e = h->cfg_list_str(c, "month_names", i);
		for (const char *a = e; a && *a;) {
			size_t al = strcspn(a, "|");
			int rc = add_pattern(L, a, al, XC_MONTH_NAME, (uint32_t)i + 1, V_CAPS);
			if (rc < 0)
				return rc;
			a += al;
			if (*a == '|')
				a++;
		}
	}
	return 0;
}

static int cmp_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->pat != y->pat)
		return x->pat < y->pat ? -1 : 1;
	if (x->tag.cat != y->tag.cat)
		return x->tag.cat < y->tag.cat ? -1 : 1;
	return 0;
}

static int load_stop(struct xpack *p, const struct newsd_host *h, const struct newsd_config *c)
{
	size_t n = h->cfg_list_len(c, "stopwords");

	for (size_t i = 0; i < n; i++) {
		const char *w = h->cfg_list_str(c, "stopwords", i);
		char low[256], can[512];
		long m;
		if (!w)
			continue;
		m = xcase_lower(w, strlen(w), low, sizeof(low));
		if (m < 0)
			continue;
		m = xtone_canon(p->tone, low, (size_t)m, can, sizeof(can), 0);
		if (m < 0)
			continue;
		if (strmap_put(&p->stop, can, (size_t)m, 1, NULL) < 0)
			return -ENOMEM;
	}
	return 0;
}

int xpack_load(struct xpack *p, const struct newsd_host *h, const char *lang, char *err,
	       size_t errlen)
{
	struct loader L = {.p = p, .h = h};
	char name[128];
	const struct newsd_config *c, *sec;
	int rc = -ENOMEM;

	memset(p, 0, sizeof(*p));
	L.pend.esz = sizeof(struct pending);
	p->pat_tags.esz = sizeof(struct xpat);
	p->tags.esz = sizeof(struct xtag);
	p->canon.esz = sizeof(uint32_t);
	p->cache_syl.esz = sizeof(struct xsyl);
	snprintf(p->lang, sizeof(p->lang), "%s", lang);
	snprintf(name, sizeof(name), "lang/%s/extractor.yaml", lang);
	if ((rc = h->data_load(h, name, &c, err, errlen)) < 0)
		goto fail;
	p->cfg = c;
	rc = -ENOMEM;
	if (strmap_init(&p->stop, 512) < 0 || strmap_init(&p->dict, 1024) < 0 ||
	    strmap_init(&p->cache, 16384) < 0 || strmap_init(&p->canon_ids, 16384) < 0 || u64map_init(&p->bigram_df, 1024) < 0 ||
	    !(p->ac = ac_new()))
		goto nomem;
	if ((sec = h->cfg_child(c, "tone"))) {
		p->tone = xtone_new(h, sec, err, errlen);
		if (!p->tone) {
			rc = -EINVAL;
			goto fail;
		}
	}
	p->title_max_words = h->cfg_int(c, "title_max_words") > 0 ? (int)h->cfg_int(c, "title_max_words") : 60;
	p->byline_max_words = h->cfg_int(c, "byline_max_words") > 0 ? (int)h->cfg_int(c, "byline_max_words") : 10;

	const struct newsd_config *ent = h->cfg_child(c, "entities");
	const struct newsd_config *loc = ent ? h->cfg_child(ent, "locations") : NULL;
	if (loc)
		for (size_t i = 0; h->cfg_key_at(loc, i); i++)
			if ((rc = add_list(&L, loc, h->cfg_key_at(loc, i), XC_LOC, 1, V_TONE)) < 0)
				goto nomem;
	if (ent) {
		if (add_list(&L, ent, "location_cues", XC_LOC_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, ent, "person_cues", XC_PERSON_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, ent, "titles", XC_TITLE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, ent, "surnames", XC_SURNAME, 0, V_TONE) < 0 ||
		    add_list(&L, ent, "org_heads", XC_ORG_HEAD, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, ent, "organizations", XC_ORG, 1, V_TONE) < 0 ||
		    add_list(&L, ent, "org_words", XC_ORG_WORD, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, ent, "street_cues", XC_STREET_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, ent, "location_preps", XC_LOC_PREP, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, ent, "name_breakers", XC_NAME_BREAK, 0, V_TONE | V_CAPS) < 0)
			goto nomem;
	}
	if ((sec = h->cfg_child(c, "bylines"))) {
		if (add_list(&L, sec, "author_cues", XC_AUTHOR_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "author_photo_cues", XC_AUTHOR_PHOTO_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "photo_cues", XC_PHOTO_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "author_suffixes", XC_AUTHOR_SUFFIX, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "group_authors", XC_GROUP_AUTHOR, 1, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "via_cues", XC_VIA_CUE, 0, V_TONE | V_CAPS) < 0)
			goto nomem;
	}
	if ((sec = h->cfg_child(c, "source"))) {
		if (add_list(&L, sec, "cues", XC_SOURCE_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "outlets", XC_OUTLET, 1, V_TONE) < 0 ||
		    add_list(&L, sec, "outlet_prefixes", XC_OUTLET_PREFIX, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "outlet_suffixes", XC_OUTLET_SUFFIX, 0, V_TONE | V_CAPS) < 0)
			goto nomem;
	}
	if ((sec = h->cfg_child(c, "dates"))) {
		if (add_list(&L, sec, "published_cues", XC_PUB_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "weekdays", XC_WEEKDAY, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "event_cues", XC_EVENT_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "day_words", XC_DAY_WORD, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "month_words", XC_MONTH_WORD, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "year_words", XC_YEAR_WORD, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "time_zones", XC_TZ, 0, V_CAPS) < 0 || add_months(&L, sec) < 0)
			goto nomem;
	}
	if (add_list(&L, c, "doc_codes", XC_DOCCODE, 0, 0) < 0)
		goto nomem;
	if (load_stop(p, h, c) < 0)
		goto nomem;
	if (ac_build(p->ac) < 0)
		goto nomem;
	/* Group the tags by pattern id. */
	if (L.pend.len)
		qsort(L.pend.p, L.pend.len, sizeof(struct pending), cmp_pending);
	for (size_t i = 0; i < ac_npatterns(p->ac); i++)
		if (!xvec_push(&p->pat_tags))
			goto nomem;
	for (size_t i = 0; i < L.pend.len; i++) {
		const struct pending *pd = &XVEC_AT(&L.pend, struct pending, i);
		struct xpat *xp = &XVEC_AT(&p->pat_tags, struct xpat, pd->pat);
		struct xtag *tg;
		if (i > 0) {
			const struct pending *pv = &XVEC_AT(&L.pend, struct pending, i - 1);
			if (pv->pat == pd->pat && pv->tag.cat == pd->tag.cat)
				continue; /* first canonical wins for one category */
		}
		if (!(tg = xvec_push(&p->tags)))
			goto nomem;
		*tg = pd->tag;
		if (xp->ntags == 0)
			xp->first_tag = (uint32_t)p->tags.len - 1;
		xp->ntags++;
	}
	xvec_free(&L.pend);
	/* Document frequencies, when the pack names a table. */
	const char *df = h->cfg_str(c, "df_table");
	if (df) {
		char path[4096];
		if (h->data_find(h, df, path, sizeof(path)) < 0) {
			/* keywords fall back to term frequency */
			h->log(h, NEWSD_LOG_WARN, "%s: df_table '%s' not found; keywords by frequency only",
			       name, df);
		} else if ((rc = xpack_load_df(p, path, err, errlen)) < 0) {
			goto fail;
		}
	}
	return 0;
nomem:
	snprintf(err, errlen, "%s: out of memory building the automaton", name);
	rc = -ENOMEM;
fail:
	xvec_free(&L.pend);
	xpack_free(p);
	return rc;
}

void xpack_free(struct xpack *p)
{
	ac_free(p->ac);
	xvec_free(&p->pat_tags);
	xvec_free(&p->tags);
	xvec_free(&p->canon);
	xbuf_free(&p->canon_buf);
	xtone_free(p->tone);
	strmap_free(&p->stop);
	strmap_free(&p->dict);
	u64map_free(&p->bigram_df);
	strmap_free(&p->cache);
	strmap_free(&p->canon_ids);
	xvec_free(&p->cache_syl);
	xbuf_free(&p->cache_arena);
	memset(p, 0, sizeof(*p));
}

/* ---- document frequencies: "term<TAB>df" lines, '#' comments;
 *      "# docs: N" gives the number of documents ---- */

int xpack_load_df(struct xpack *p, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	unsigned long lineno = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (line[0] == '#') {
			unsigned long docs;
			if (sscanf(line, "# docs: %lu", &docs) == 1)
				p->df_docs = (uint32_t)docs;
			continue;
		}
		char *tab = strchr(line, '\t');
		if (!tab) {
			snprintf(err, errlen, "%s:%lu: expected term<TAB>count", path, lineno);
			rc = -EINVAL;
			goto out;
		}
		unsigned long df = strtoul(tab + 1, NULL, 10);
		size_t tl = (size_t)(tab - line);
		char *sp = memchr(line, ' ', tl);
		if (!sp) {
			long e = strmap_put(&p->dict, line, tl, (uint32_t)df, NULL);
			if (e < 0) {
				rc = -ENOMEM;
				goto out;
			}
			XVEC_AT(&p->dict.ents, struct strmap_ent, e).val = (uint32_t)df;
		} else {
			long a = strmap_find(&p->dict, line, (size_t)(sp - line));
			long b = strmap_find(&p->dict, sp + 1, tl - (size_t)(sp + 1 - line));
			if (a < 0 || b < 0)
				continue; /* a bigram whose parts fell under the cutoff */
			uint64_t key = ((uint64_t)(a + 1) << 32) | (uint64_t)(b + 1);
			if (u64map_put(&p->bigram_df, key, (uint32_t)df) < 0) {
				rc = -ENOMEM;
				goto out;
			}
		}
	}
	if (!p->df_docs) {
		snprintf(err, errlen, "%s: missing '# docs: N' header", path);
		rc = -EINVAL;
	}
out:
	free(line);
	fclose(f);
	return rc;
}

/* ---- syllable cache ---- */

void xpack_cache_trim(struct xpack *p)
{
	if (p->cache.ents.len > 200000 || p->cache_arena.len > (8u << 20)) {
		strmap_clear(&p->cache);
		strmap_clear(&p->canon_ids);
		p->cache_syl.len = 0;
		p->cache_arena.len = 0;
	}
}

const struct xsyl *xpack_syl(struct xpack *p, const char *tok, size_t n)
{
	int added = 0;
	long e = strmap_put(&p->cache, tok, n, 0, &added);
	char low[512], can[1024];
	long m;
	struct xsyl *s;

	if (e < 0)
		return NULL;
	if (!added)
		return &XVEC_AT(&p->cache_syl, struct xsyl, e);
	if (!(s = xvec_push(&p->cache_syl))) {
		/* keep the cache consistent: forget everything */
		strmap_clear(&p->cache);
		p->cache_syl.len = 0;
		return NULL;
	}
	m = n < 200 ? xcase_lower(tok, n, low, sizeof(low)) : -1;
	if (m >= 0)
		m = xtone_canon(p->tone, low, (size_t)m, can, sizeof(can), 0);
	if (m < 0) {
		size_t k = n < sizeof(can) ? n : sizeof(can);
		memcpy(can, tok, k);
		m = (long)k;
	}
	s->canon_off = (uint32_t)p->cache_arena.len;
	s->canon_len = (uint32_t)m;
	if (xbuf_add(&p->cache_arena, can, (size_t)m) < 0)
		return NULL;
	p->cache_arena.len++;
	long cid = strmap_put(&p->canon_ids, can, (size_t)m, (uint32_t)(p->cache_syl.len - 1), NULL);
	if (cid < 0)
		return NULL;
	s->cid = (uint32_t)cid;
	s->dict_id = UINT32_MAX;
	long d = strmap_find(&p->dict, can, (size_t)m);
	if (d >= 0) {
		s->dict_id = (uint32_t)d;
		s->df = XVEC_AT(&p->dict.ents, struct strmap_ent, d).val;
	}
	if (strmap_find(&p->stop, can, (size_t)m) >= 0)
		s->flags |= XS_STOP;
	for (long k = 0; k < m; k++) {
		if (can[k] >= '0' && can[k] <= '9')
			s->flags |= XS_NUM;
		else if ((uint8_t)can[k] >= 0x80 || ((can[k] | 0x20) >= 'a' && (can[k] | 0x20) <= 'z'))
			s->flags |= XS_ALPHA;
	}
	return s;
}
