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
#include <math.h>
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

/* The spellings of one pattern; f[n] is where the next one is written. */
struct forms {
	char f[12][1024];
	long len[12];
	int n;
};

/* Keeps the spelling just written at f[n] unless it repeats an earlier one. */
static void forms_keep(struct forms *fs)
{
	int i = fs->n;

	for (int j = 0; j < i; j++)
		if (fs->len[j] == fs->len[i] && memcmp(fs->f[j], fs->f[i], (size_t)fs->len[i]) == 0)
			return;
	fs->n++;
}

/* Adds s (and its variants) with the given tag: its canonical form, the
 * other tone-mark style (V_TONE), the text as written, and (V_CAPS) each
 * of those with the first letter, every letter and every word's first
 * letter capitalised.  Repeats are dropped as they come, so that every
 * style gets its capitalised forms ("Uỷ ban" as well as "Ủy ban"). */
static int add_pattern(struct loader *L, const char *s, size_t n, uint8_t cat, uint32_t payload,
		       int variants)
{
	struct forms fs; /* 12 KB of stack, at load time only */
	struct xtone *t = L->p->tone;
	int rc;

	if (n == 0 || n >= 1000)
		return 0;
	fs.n = 0;
	fs.len[0] = xtone_canon(t, s, n, fs.f[0], sizeof(fs.f[0]), 0);
	if (fs.len[0] < 0) {
		memcpy(fs.f[0], s, n);
		fs.len[0] = (long)n;
	}
	forms_keep(&fs);
	if (t && (variants & V_TONE)) {
		fs.len[fs.n] = xtone_canon(t, s, n, fs.f[fs.n], sizeof(fs.f[0]), 1);
		if (fs.len[fs.n] > 0)
			forms_keep(&fs);
	}
	/* the text as written in the pack, in case it differs from both */
	memcpy(fs.f[fs.n], s, n);
	fs.len[fs.n] = (long)n;
	forms_keep(&fs);
	if (variants & V_CAPS) {
		int base = fs.n; /* at most 3: room for 3 more each */
		for (int i = 0; i < base; i++) {
			long (*const up[3])(const char *, size_t, char *, size_t) = {
				xcase_title_first, xcase_upper, xcase_title_words};
			for (int u = 0; u < 3; u++) {
				long m = up[u](fs.f[i], (size_t)fs.len[i], fs.f[fs.n], sizeof(fs.f[0]));
				if (m > 0) {
					fs.len[fs.n] = m;
					forms_keep(&fs);
				}
			}
		}
	}
	for (int i = 0; i < fs.n; i++)
		if ((rc = add_one(L, fs.f[i], (size_t)fs.len[i], cat, payload)) < 0)
			return rc;
	return 0;
}

/* A list of entries "Canonical|alias|alias" (names) or plain cue words. */
/* Every entry of list key as a pattern of category cat; payload: the
 * canonical name's index when named, else fixed (a flag of the list). */
static int add_list_p(struct loader *L, const struct newsd_config *c, const char *key, uint8_t cat,
		      int named, int variants, uint32_t fixed)
{
	const struct newsd_host *h = L->h;
	size_t n = c ? h->cfg_list_len(c, key) : 0;

	for (size_t i = 0; i < n; i++) {
		const char *e = h->cfg_list_str(c, key, i);
		uint32_t payload = fixed;
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

static int add_list(struct loader *L, const struct newsd_config *c, const char *key, uint8_t cat,
		    int named, int variants)
{
	return add_list_p(L, c, key, cat, named, variants, 0);
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

/* Words of list key into p->stop (a set of lower-case canonical words),
 * their value or-ed with bit: 1 a stop word, 2 a list conjunction. */
static int load_words(struct xpack *p, const struct newsd_host *h, const struct newsd_config *c, const char *key,
		      uint32_t bit)
{
	size_t n = c ? h->cfg_list_len(c, key) : 0;

	for (size_t i = 0; i < n; i++) {
		const char *w = h->cfg_list_str(c, key, i);
		char low[256], can[512];
		long m, e;
		int added;
		if (!w)
			continue;
		m = xcase_lower(w, strlen(w), low, sizeof(low));
		if (m < 0)
			continue;
		m = xtone_canon(p->tone, low, (size_t)m, can, sizeof(can), 0);
		if (m < 0)
			continue;
		if ((e = strmap_put(&p->stop, can, (size_t)m, bit, &added)) < 0)
			return -ENOMEM;
		XVEC_AT(&p->stop.ents, struct strmap_ent, e).val |= bit;
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
	    strmap_init(&p->cache, 16384) < 0 || strmap_init(&p->canon_ids, 16384) < 0 ||
	    strmap_init(&p->names, 1024) < 0 || u64map_init(&p->bigram_df, 1024) < 0 ||
	    !(p->ac = ac_new()))
		goto nomem;
	if ((sec = h->cfg_child(c, "tone"))) {
		p->tone = xtone_new(h, sec, err, errlen);
		if (!p->tone) {
			rc = -EINVAL;
			goto fail;
		}
	}
	for (int tf = 1; tf < XTFW_N; tf++)
		p->tfw_tab[tf] = 1.0 + log((double)tf);
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
		    add_list_p(&L, ent, "unit_titles", XC_TITLE, 0, V_TONE | V_CAPS, XTT_UNIT) < 0 ||
		    add_list(&L, ent, "surnames", XC_SURNAME, 0, V_TONE) < 0 ||
		    add_list(&L, ent, "org_heads", XC_ORG_HEAD, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, ent, "organizations", XC_ORG, 1, V_TONE) < 0 ||
		    add_list(&L, ent, "org_words", XC_ORG_WORD, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, ent, "street_cues", XC_STREET_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, ent, "location_preps", XC_LOC_PREP, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, ent, "name_breakers", XC_NAME_BREAK, 0, V_TONE | V_CAPS) < 0 ||
		    add_list_p(&L, ent, "sentence_openers", XC_NAME_BREAK, 0, V_TONE | V_CAPS, XNB_OPENER) < 0)
			goto nomem;
	}
	if ((sec = h->cfg_child(c, "bylines"))) {
		if (add_list(&L, sec, "author_cues", XC_AUTHOR_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "author_photo_cues", XC_AUTHOR_PHOTO_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "photo_cues", XC_PHOTO_CUE, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "credit_cues", XC_CREDIT_CUE, 0, V_TONE | V_CAPS) < 0 ||
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
		    add_list_p(&L, sec, "date_connectors", XC_DAY_WORD, 0, V_TONE | V_CAPS, XDW_CONNECTOR) < 0 ||
		    add_list(&L, sec, "month_words", XC_MONTH_WORD, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "year_words", XC_YEAR_WORD, 0, V_TONE | V_CAPS) < 0 ||
		    add_list(&L, sec, "time_zones", XC_TZ, 0, V_CAPS) < 0 || add_months(&L, sec) < 0)
			goto nomem;
	}
	if (add_list(&L, c, "doc_codes", XC_DOCCODE, 0, 0) < 0)
		goto nomem;
	if (load_words(p, h, c, "stopwords", 1) < 0 ||
	    load_words(p, h, h->cfg_child(c, "entities"), "list_conjunctions", 2) < 0)
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
	free(p->bg_start);
	free(p->bg_b);
	free(p->bg_df);
	free(p->ub_idf);
	free(p->idf_tab);
	free(p->bg_hash);
	strmap_free(&p->cache);
	strmap_free(&p->canon_ids);
	xvec_free(&p->cache_syl);
	xbuf_free(&p->cache_arena);
	free(p->fast);
	strmap_free(&p->names);
	xbuf_free(&p->names_arena);
	memset(p, 0, sizeof(*p));
}

/* ---- document frequencies: "term<TAB>df" lines, '#' comments;
 *      "# docs: N" gives the number of documents ---- */

static const struct xsyl *syl_slow(struct xpack *p, const char *tok, size_t n, int in_map);

static inline size_t bg_slot(uint32_t key)
{
	return xpack_bg_slot(key);
}

/* Moves the bigram DFs from the hash map into the CSR arrays. */
static int bigrams_compact(struct xpack *p)
{
	size_t nd = p->dict.ents.len, nb = p->bigram_df.n, fill = 0;
	uint32_t *pos = NULL;
	int rc = -ENOMEM;

	free(p->bg_start);
	free(p->bg_b);
	free(p->bg_df);
	p->bg_start = calloc(nd + 2, sizeof(uint32_t));
	p->bg_b = malloc((nb ? nb : 1) * sizeof(uint32_t));
	p->bg_df = malloc((nb ? nb : 1) * sizeof(uint32_t));
	pos = calloc(nd + 1, sizeof(uint32_t));
	if (!p->bg_start || !p->bg_b || !p->bg_df || !pos)
		goto out;
	for (size_t s = 0; s < p->bigram_df.nslots; s++)
		if (p->bigram_df.keys[s])
			p->bg_start[(p->bigram_df.keys[s] >> 32) - 1 + 1]++;
	for (size_t a = 0; a < nd; a++)
		p->bg_start[a + 1] += p->bg_start[a];
	memcpy(pos, p->bg_start, nd * sizeof(uint32_t));
	for (size_t s = 0; s < p->bigram_df.nslots; s++) {
		uint64_t k = p->bigram_df.keys[s];
		if (!k)
			continue;
		uint32_t a = (uint32_t)(k >> 32) - 1, b = (uint32_t)k - 1, i = pos[a]++;
		/* insertion into the sorted run of a (runs are short) */
		while (i > p->bg_start[a] && p->bg_b[i - 1] > b) {
			p->bg_b[i] = p->bg_b[i - 1];
			p->bg_df[i] = p->bg_df[i - 1];
			i--;
		}
		p->bg_b[i] = b;
		p->bg_df[i] = p->bigram_df.vals[s];
		fill++;
	}
	u64map_free(&p->bigram_df);
	rc = fill == nb ? 0 : -EINVAL;
	/* the hash form, when the pair index fits 32 bits; load <= 0.7 */
	free(p->bg_hash);
	p->bg_hash = NULL;
	if (rc == 0 && (uint64_t)nd * nd < UINT32_MAX) {
		size_t slots = 64;
		while (slots * 7 < nb * 10)
			slots *= 2;
		if (!(p->bg_hash = calloc(slots, sizeof(uint64_t)))) {
			rc = -ENOMEM;
			goto out;
		}
		p->bg_mask = slots - 1;
		for (uint32_t a = 0; a < nd; a++)
			for (uint32_t e = p->bg_start[a]; e < p->bg_start[a + 1]; e++) {
				uint32_t key = a * (uint32_t)nd + p->bg_b[e] + 1;
				size_t i = bg_slot(key) & p->bg_mask;
				while (p->bg_hash[i])
					i = (i + 1) & p->bg_mask;
				p->bg_hash[i] = (uint64_t)key << 32 | p->bg_df[e];
			}
	}
out:
	free(pos);
	return rc;
}

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
		goto out;
	}
	rc = bigrams_compact(p);
	if (rc == 0) {
		/* a cohesive bigram has df >= 0.12 x its rarer syllable's df (and
		 * >= 1); the IDF at that bound, a hair larger for rounding */
		double N = (double)p->df_docs;
		free(p->ub_idf);
		p->ub_idf = malloc((p->dict.ents.len ? p->dict.ents.len : 1) * sizeof(double));
		if (!p->ub_idf) {
			rc = -ENOMEM;
			goto out;
		}
		/* logs are a fair share of the keyword time: tabulate them */
		free(p->idf_tab);
		p->idf_n = p->df_docs + 1 < (1u << 22) ? p->df_docs + 1 : (1u << 22);
		if (!(p->idf_tab = malloc(p->idf_n * sizeof(double)))) {
			rc = -ENOMEM;
			goto out;
		}
		for (uint32_t df = 0; df < p->idf_n; df++)
			p->idf_tab[df] = log((N + 1.0) / ((double)df + 1.0)) + 1.0;
		for (size_t i = 0; i < p->dict.ents.len; i++) {
			double d = 0.12 * (double)XVEC_AT(&p->dict.ents, struct strmap_ent, i).val;
			if (d < 1.0)
				d = 1.0;
			p->ub_idf[i] = (log((N + 1.0) / (d + 1.0)) + 1.0) * (1.0 + 1e-9);
		}
	}
out:
	free(line);
	fclose(f);
	return rc;
}

/* xpack_bigram_df() without the hash form: binary search in the run of
 * da (the CSR arrays). */
uint32_t xpack_bigram_df_csr(const struct xpack *p, uint32_t da, uint32_t db)
{
	uint32_t lo, hi;

	if (!p->bg_start || da >= p->dict.ents.len || db >= p->dict.ents.len)
		return 0;
	lo = p->bg_start[da];
	hi = p->bg_start[da + 1];
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p->bg_b[mid] < db)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->bg_start[da + 1] && p->bg_b[lo] == db ? p->bg_df[lo] : 0;
}

/* ---- syllable cache ---- */

static void fast_clear(struct xpack *p)
{
	if (p->fast && p->fast_n)
		memset(p->fast, 0, (p->fast_mask + 1) * sizeof(*p->fast));
	p->fast_n = 0;
}

void xpack_cache_trim(struct xpack *p)
{
	if (p->cache_syl.len > 200000 || p->cache_arena.len > (8u << 20)) {
		strmap_clear(&p->cache);
		strmap_clear(&p->canon_ids);
		p->cache_syl.len = 0;
		p->cache_arena.len = 0;
		fast_clear(p);
	}
	if (p->names.ents.len > 50000 || p->names_arena.len > (4u << 20)) {
		strmap_clear(&p->names);
		p->names_arena.len = 0;
	}
}

/* Unaligned little-endian loads (the key's byte order is fixed whatever
 * the host; a fixed-size memcpy compiles to one load). */
static inline uint64_t ld64le(const char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline uint32_t ld32le(const char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

/* The token's bytes as a zero-padded 12-byte key; 0 when it is longer.
 * tok must have at least `before` readable bytes in front of it (its
 * offset in the text): why two whole-word loads instead of a byte loop
 * (half of xpack_syls' instructions were that loop).  Every load stays
 * inside [tok - before, tok + n): a token of 8+ bytes is read from its
 * start, a shorter one as the 8 bytes ending at its end, shifted down. */
static inline int fast_key(const char *tok, size_t n, size_t before, uint64_t *lo, uint32_t *hi)
{
	uint64_t l = 0;
	uint32_t h = 0;

	if (n - 1 >= 12) /* n == 0 or n > 12 */
		return 0;
	if (n >= 8) {
		l = ld64le(tok);
		if (n > 8)
			h = ld32le(tok + n - 4) >> (8 * (12 - n));
	} else if (before + n >= 8) {
		l = ld64le(tok + n - 8) >> (8 * (8 - n));
	} else {
		for (size_t i = 0; i < n; i++)
			l |= (uint64_t)(uint8_t)tok[i] << (8 * i);
	}
	*lo = l;
	*hi = h;
	return 1;
}

/* fast_key() of a token with 12 readable bytes from its start: two loads
 * masked to its length n, 1..12 (byte i of the key is byte i of the
 * token either way), no branch on the length. */
static const uint64_t key_lo_mask[13] = {
	0, 0xFFull, 0xFFFFull, 0xFFFFFFull, 0xFFFFFFFFull, 0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull,
	0xFFFFFFFFFFFFFFull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull,
};
static const uint32_t key_hi_mask[13] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFFu, 0xFFFFu, 0xFFFFFFu, 0xFFFFFFFFu,
};

/* Fibonacci hashing: the slot is the top bits of the product (the best
 * mixed ones), so no further mixing is needed. */
static inline uint64_t fast_hash(uint64_t lo, uint32_t hi)
{
	return (lo ^ ((uint64_t)hi << 29)) * 0x9E3779B97F4A7C15ULL;
}

/* 64 - log2(slots) of a table of mask + 1 slots (a power of two). */
static inline unsigned fast_shift(size_t mask)
{
#if defined(__GNUC__)
	return 64u - (unsigned)__builtin_popcountll((unsigned long long)mask);
#else
	unsigned b = 0;
	while (b < 64 && (mask >> b))
		b++;
	return 64u - b;
#endif
}

/* Doubles the front table (16384 slots at first); the slots move, the
 * cache indices they hold do not. */
static int fast_grow(struct xpack *p)
{
	size_t ns = p->fast ? (p->fast_mask + 1) * 2 : 16384, i;
	struct xsylslot *t = calloc(ns, sizeof(*t));

	if (!t)
		return -1;
	for (size_t j = 0; p->fast && j <= p->fast_mask; j++) {
		if (!p->fast[j].lo)
			continue;
		i = (size_t)(fast_hash(p->fast[j].lo, p->fast[j].hi) >> fast_shift(ns - 1));
		while (t[i].lo)
			i = (i + 1) & (ns - 1);
		t[i] = p->fast[j];
	}
	free(p->fast);
	p->fast = t;
	p->fast_mask = ns - 1;
	return 0;
}

static int fast_put(struct xpack *p, uint64_t lo, uint32_t hi, uint32_t idx)
{
	size_t i;

	if ((p->fast_n + 1) * 2 > (p->fast ? p->fast_mask + 1 : 0) && fast_grow(p) < 0)
		return -1;
	i = (size_t)(fast_hash(lo, hi) >> fast_shift(p->fast_mask));
	while (p->fast[i].lo)
		i = (i + 1) & p->fast_mask;
	p->fast[i].lo = lo;
	p->fast[i].hi = hi;
	p->fast[i].idx = idx;
	p->fast_n++;
	return 0;
}

/* Why a front table: the general cache (strmap) needs three dependent
 * memory reads per lookup (slot, entry, key bytes), and every token of
 * every article is looked up; short tokens (nearly all syllables) are
 * found here with one. */
const struct xsyl *xpack_syl(struct xpack *p, const char *tok, size_t n)
{
	uint64_t lo;
	uint32_t hi;
	const struct xsyl *s;

	if (!fast_key(tok, n, 0, &lo, &hi))
		return syl_slow(p, tok, n, 1);
	if (p->fast) {
		size_t i = (size_t)(fast_hash(lo, hi) >> fast_shift(p->fast_mask));
		for (; p->fast[i].lo; i = (i + 1) & p->fast_mask)
			if (p->fast[i].lo == lo && p->fast[i].hi == hi)
				return &XVEC_AT(&p->cache_syl, struct xsyl, p->fast[i].idx);
	}
	s = syl_slow(p, tok, n, 0);
	if (s && fast_put(p, lo, hi, (uint32_t)(s - (const struct xsyl *)p->cache_syl.p)) < 0)
		return NULL;
	return s;
}

#if defined(__GNUC__)
#define PREFETCH(a) __builtin_prefetch(a)
#else
#define PREFETCH(a) ((void)(a))
#endif

/* Why a pipeline: the lookups of one article are independent, and each is
 * a likely cache miss (front table slot, then the xsyl it names).  Token
 * i + D has its key made and its slot prefetched while token i is looked
 * up for good (and its xsyl prefetched); a last pass reads the ac_states,
 * by then in cache: the misses overlap instead of queueing one after
 * another.  Tokens are resolved in order, so the cache grows exactly as
 * one xpack_syl() per token would make it. */
enum { SYLP_D = 8, SYLP_R = 16 /* > SYLP_D, a power of two */ };
struct sylpipe {
	/* the ring of made keys; lo 0: none (no letter, or over 12 bytes) */
	uint64_t lo[SYLP_R], h[SYLP_R]; /* h: the full hash (the table may grow before its use) */
	uint32_t hi[SYLP_R];
	/* the front table, refreshed after a miss (which may grow it) */
	const struct xsylslot *ft;
	size_t fm;
	unsigned sh;
};

/* Stage 1 of token i: its key, and its slot prefetched.  fwd (a constant
 * once inlined): the token has 12 readable bytes from its start. */
static inline void sylpipe_key(struct sylpipe *q, const char *text, const struct xtok *t, size_t i, const int fwd)
{
	uint64_t lo = 0;
	uint32_t hi = 0;
	size_t n = t->end - t->start;

	if (fwd && (t->flags & XT_ALPHA) && n - 1 < 12) {
		lo = ld64le(text + t->start) & key_lo_mask[n];
		hi = ld32le(text + t->start + 8) & key_hi_mask[n];
	}
	if (fwd ? lo != 0 : (t->flags & XT_ALPHA) && fast_key(text + t->start, n, t->start, &lo, &hi)) {
		uint64_t h = fast_hash(lo, hi);
		q->hi[i % SYLP_R] = hi;
		q->h[i % SYLP_R] = h;
		PREFETCH(&q->ft[h >> q->sh]);
	}
	q->lo[i % SYLP_R] = lo;
}

/* Stage 2 of token c: tsyl[c], and its xsyl prefetched.  0 or -1. */
static inline int sylpipe_find(struct sylpipe *q, struct xpack *p, const char *text, const struct xtok *t,
			       size_t c, uint32_t *tsyl)
{
	uint32_t idx = UINT32_MAX;
	uint64_t lo = q->lo[c % SYLP_R];

	if (lo) {
		/* the probe of xpack_syl, with the key already made */
		uint32_t hi = q->hi[c % SYLP_R];
		for (size_t k = (size_t)(q->h[c % SYLP_R] >> q->sh); q->ft[k].lo; k = (k + 1) & q->fm)
			if (q->ft[k].lo == lo && q->ft[k].hi == hi) {
				idx = q->ft[k].idx;
				goto found;
			}
	}
	if (!(t->flags & XT_ALPHA)) {
		tsyl[c] = UINT32_MAX;
		return 0;
	}
	const struct xsyl *sy = xpack_syl(p, text + t->start, t->end - t->start);
	if (!sy)
		return -1;
	idx = (uint32_t)(sy - (const struct xsyl *)p->cache_syl.p);
	q->ft = p->fast;
	q->fm = p->fast_mask;
	q->sh = fast_shift(q->fm);
found:
	tsyl[c] = idx;
	PREFETCH(&XVEC_AT(&p->cache_syl, struct xsyl, idx));
	return 0;
}

int xpack_syls(struct xpack *p, const char *text, const struct xtok *toks, size_t n, uint32_t *tsyl,
	       uint32_t *tstate)
{
	struct sylpipe q;
	const struct xsyl *cs;
	size_t i, m;

	if (!p->fast && fast_grow(p) < 0)
		return -1;
	q.ft = p->fast;
	q.fm = p->fast_mask;
	q.sh = fast_shift(q.fm);
	/* tokens [0, m) have 12 readable bytes from their start: the text
	 * reaches to the last token's end at least */
	for (m = n; m > 0 && (size_t)toks[m - 1].start + 12 > (size_t)toks[n - 1].end; m--)
		;
	/* fill, run, drain: no stage tests its bounds per token */
	for (i = 0; i < n && i < SYLP_D; i++)
		sylpipe_key(&q, text, &toks[i], i, 0);
	for (i = SYLP_D; i < m; i++) {
		sylpipe_key(&q, text, &toks[i], i, 1);
		if (sylpipe_find(&q, p, text, &toks[i - SYLP_D], i - SYLP_D, tsyl) < 0)
			return -1;
	}
	for (i = m > SYLP_D ? m : SYLP_D; i < n; i++) {
		sylpipe_key(&q, text, &toks[i], i, 0);
		if (sylpipe_find(&q, p, text, &toks[i - SYLP_D], i - SYLP_D, tsyl) < 0)
			return -1;
	}
	for (i = n > SYLP_D ? n - SYLP_D : 0; i < n; i++)
		if (sylpipe_find(&q, p, text, &toks[i], i, tsyl) < 0)
			return -1;
	/* after the loops: a miss above may have moved cache_syl */
	cs = p->cache_syl.p;
	for (size_t c = 0; c < n; c++)
		tstate[c] = tsyl[c] == UINT32_MAX ? AC_UNKNOWN : cs[tsyl[c]].ac_state;
	return 0;
}

/* The general cache: any token length. */
/* A cache entry for the token: found in the general map (in_map: tokens
 * longer than the front table's keys) or made.  A short token is only
 * ever asked for here after the front table missed, so it needs no map
 * entry: the front table is its index. */
static const struct xsyl *syl_slow(struct xpack *p, const char *tok, size_t n, int in_map)
{
	int added = 0;
	long e = in_map ? strmap_put(&p->cache, tok, n, (uint32_t)p->cache_syl.len, &added) : 0;
	char low[512], can[1024];
	long m;
	struct xsyl *s;

	if (e < 0)
		return NULL;
	if (in_map && !added)
		return &XVEC_AT(&p->cache_syl, struct xsyl, XVEC_AT(&p->cache.ents, struct strmap_ent, e).val);
	if (!(s = xvec_push(&p->cache_syl))) {
		/* keep the cache consistent: forget everything */
		strmap_clear(&p->cache);
		strmap_clear(&p->canon_ids);
		p->cache_syl.len = 0;
		p->cache_arena.len = 0;
		fast_clear(p);
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
	long sw = strmap_find(&p->stop, can, (size_t)m);
	if (sw >= 0) {
		uint32_t v = XVEC_AT(&p->stop.ents, struct strmap_ent, sw).val;
		s->flags |= (v & 1 ? XS_STOP : 0) | (v & 2 ? XS_AND : 0);
	}
	s->ac_state = p->ac ? ac_word_state(p->ac, tok, n) : 0;
	for (long k = 0; k < m; k++) {
		if (can[k] >= '0' && can[k] <= '9')
			s->flags |= XS_NUM;
		else if ((uint8_t)can[k] >= 0x80 || ((can[k] | 0x20) >= 'a' && (can[k] | 0x20) <= 'z'))
			s->flags |= XS_ALPHA;
	}
	return s;
}
