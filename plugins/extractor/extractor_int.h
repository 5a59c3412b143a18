/* extractor_int.h — internals of the extractor plugin, shared by its files.
 *
 * Ownership: a `struct xpack` (one language pack) is built once in init()
 * and is read-only afterwards except for its syllable cache, which belongs
 * to the instance (the plugin is NOT thread-safe: the daemon gives each
 * worker its own instance, so the cache and every scratch buffer are
 * per-instance and never shared).  Everything a pack points to is owned by
 * the pack and freed by xpack_free().  Strings borrowed from the host's
 * config tree stay valid until fini().
 */
#ifndef EXTRACTOR_INT_H
#define EXTRACTOR_INT_H

#include <newsd/plugin.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- util */

/** Growable byte buffer (owned storage). */
struct xbuf {
	char *p;
	size_t len, cap;
};
int xbuf_reserve(struct xbuf *b, size_t need);
int xbuf_add(struct xbuf *b, const char *s, size_t n);
void xbuf_free(struct xbuf *b);

/** Growable array of fixed-size elements (owned storage). */
struct xvec {
	void *p;
	size_t len, cap, esz;
};
void *xvec_push(struct xvec *v); /* zeroed new slot, or NULL on ENOMEM */
void xvec_free(struct xvec *v);
#define XVEC_AT(v, T, i) (((T *)(v)->p)[i])

/** String → uint32 map with owned key storage (open addressing). */
struct strmap {
	uint32_t *slots; /* entry index + 1, 0 = empty */
	size_t nslots;
	struct xvec ents;  /* struct strmap_ent */
	struct xbuf keys;  /* key bytes, NUL-terminated each */
};
struct strmap_ent {
	uint64_t hash;
	uint32_t koff, klen;
	uint32_t val;
};
int strmap_init(struct strmap *m, size_t hint);
void strmap_free(struct strmap *m);
void strmap_clear(struct strmap *m);
/* Index of key, or -1. */
long strmap_find(const struct strmap *m, const char *k, size_t n);
/* Index of key, inserting it with val when absent (*added set).  -1 on ENOMEM. */
long strmap_put(struct strmap *m, const char *k, size_t n, uint32_t val, int *added);
static inline const char *strmap_key(const struct strmap *m, long i)
{
	return m->keys.p + XVEC_AT(&m->ents, struct strmap_ent, i).koff;
}

/** uint64 → uint32 map (open addressing, key 0 not allowed). */
struct u64map {
	uint64_t *keys;
	uint32_t *vals;
	size_t nslots, n;
};
int u64map_init(struct u64map *m, size_t hint);
void u64map_free(struct u64map *m);
int u64map_put(struct u64map *m, uint64_t k, uint32_t v);
int u64map_get(const struct u64map *m, uint64_t k, uint32_t *v); /* 1 found */
/* Adds one to k's count (inserting it); returns the new count, 0 on ENOMEM. */
uint32_t u64map_inc(struct u64map *m, uint64_t k);
void u64map_clear(struct u64map *m);

/* ----------------------------------------------------------- automaton */

/** Aho–Corasick automaton over UTF-8 bytes.  Built once; read-only after
 *  ac_build(). */
struct ac;
struct ac_match {
	uint32_t pat; /* pattern id */
	uint32_t start, end; /* byte span in the scanned text */
};
struct ac *ac_new(void);
/* Adds pattern bytes; returns its id (the same id for a repeated string),
 * or -1 on ENOMEM.  Only before ac_build(). */
long ac_add(struct ac *a, const char *s, size_t n);
int ac_build(struct ac *a);
size_t ac_npatterns(const struct ac *a);
size_t ac_pattern_len(const struct ac *a, uint32_t pat);
size_t ac_nstates(const struct ac *a);
/* Scans text once; appends every match whose both ends lie on word
 * boundaries (see xtext_is_wordchar_at) to out (struct ac_match).  0 or
 * -ENOMEM. */
int ac_scan(const struct ac *a, const char *text, size_t len, struct xvec *out);
void ac_free(struct ac *a);

/* ------------------------------------------------------------ language */

/** Categories a pattern can carry (one string may carry several). */
enum xcat {
	XC_LOC = 1,         /* gazetteer name; payload: canonical string index */
	XC_LOC_CUE,         /* tỉnh, huyện, TP.: the next name is a place */
	XC_PERSON_CUE,      /* ông, bà, đồng chí: the next name is a person */
	XC_TITLE,           /* Bí thư, Chủ tịch: a person follows (maybe after an org) */
	XC_SURNAME,         /* Nguyễn, Trần */
	XC_ORG_HEAD,        /* Ban, Bộ, Sở, UBND, Tỉnh ủy */
	XC_ORG,             /* a full organisation name; payload: canonical index */
	XC_AUTHOR_CUE,      /* Tác giả: */
	XC_AUTHOR_PHOTO_CUE,/* Tin, ảnh: (author and photographer) */
	XC_PHOTO_CUE,       /* Ảnh: */
	XC_AUTHOR_SUFFIX,   /* (thực hiện) */
	XC_GROUP_AUTHOR,    /* Nhóm PV: an author by itself; payload: canonical */
	XC_SOURCE_CUE,      /* Nguồn tin: */
	XC_VIA_CUE,         /* Theo */
	XC_OUTLET,          /* an outlet name or alias; payload: canonical index */
	XC_OUTLET_PREFIX,   /* Báo, Tạp chí, Truyền hình */
	XC_OUTLET_SUFFIX,   /* điện tử (dropped from "Báo X điện tử") */
	XC_PUB_CUE,         /* Cập nhật, Ngày đăng, date */
	XC_WEEKDAY,         /* Thứ 4, Chủ nhật */
	XC_EVENT_CUE,       /* ngày, sáng, chiều: a day-month date follows */
	XC_MONTH_NAME,      /* payload: month number */
	XC_MONTH_WORD,      /* tháng */
	XC_YEAR_WORD,       /* năm */
	XC_DAY_WORD,        /* ngày (in "ngày 8 tháng 3 năm 2017") */
	XC_TZ,              /* GMT, UTC */
	XC_DOCCODE,         /* NQ, QĐ, KH, CT, CTr */
	XC_ORG_WORD,        /* a word inside organisation names (Thường vụ, Tổ chức) */
	XC_STREET_CUE,      /* đường, phố: the next name is a place, even a person's */
	XC_LOC_PREP,        /* tại, ở: a one-word gazetteer name after it is a place */
	XC_NAME_BREAK,      /* Tuy, Nhưng: opens a sentence, never ends a name */
	XC_NCATS
};

struct xtag {
	uint8_t cat;
	uint32_t payload;
};

/** Per-syllable facts cached per pack and instance. */
enum { XS_STOP = 1u, XS_ALPHA = 2u, XS_NUM = 4u };
struct xsyl {
	uint32_t canon_off, canon_len; /* lower-case canonical form in cache arena */
	uint32_t dict_id;              /* id in the DF table, UINT32_MAX if absent */
	uint32_t cid;                  /* id of the canonical form (case/tone variants share it) */
	uint32_t df;
	uint32_t flags;
};

struct xtone; /* tone-placement rules (NULL for a language without tones) */

struct xpack {
	char lang[8];
	const struct newsd_config *cfg; /* (borrowed) the pack's YAML tree */
	struct ac *ac;                  /* (owned) every cue and name */
	struct xvec pat_tags;           /* per pattern: struct xpat */
	struct xvec tags;               /* struct xtag */
	struct xvec canon;              /* const char * into canon_buf offsets */
	struct xbuf canon_buf;          /* canonical names, NUL-separated */
	struct xtone *tone;             /* (owned) or NULL */
	struct strmap stop;             /* lower-case canonical stop words */
	/* DF table */
	struct strmap dict;             /* canonical syllable → df */
	struct u64map bigram_df;        /* (dict_a+1)<<32 | (dict_b+1) → df */
	uint32_t df_docs;               /* documents behind the DF table; 0 = none */
	/* syllable cache: raw token bytes → struct xsyl (per instance) */
	struct strmap cache;
	struct strmap canon_ids;        /* canonical form → cid (keys give the strings) */
	struct xvec cache_syl;          /* struct xsyl, parallel to cache entries */
	struct xbuf cache_arena;
	int title_max_words;
	int byline_max_words;
};
struct xpat {
	uint32_t first_tag, ntags;
};

int xpack_load(struct xpack *p, const struct newsd_host *h, const char *lang, char *err,
	       size_t errlen);
void xpack_free(struct xpack *p);
/* Tags of pattern id. */
static inline const struct xtag *xpack_tags(const struct xpack *p, uint32_t pat, uint32_t *n)
{
	const struct xpat *xp = &XVEC_AT(&p->pat_tags, struct xpat, pat);
	*n = xp->ntags;
	return &XVEC_AT(&p->tags, struct xtag, xp->first_tag);
}
static inline const char *xpack_canon(const struct xpack *p, uint32_t i)
{
	return p->canon_buf.p + XVEC_AT(&p->canon, uint32_t, i);
}
/* Looks a token up in the syllable cache (computing it on a miss).
 * NULL on ENOMEM. */
const struct xsyl *xpack_syl(struct xpack *p, const char *tok, size_t n);
static inline const char *xpack_syl_str(const struct xpack *p, const struct xsyl *s)
{
	return p->cache_arena.p + s->canon_off;
}
/* Clears the syllable cache when it has grown past its bound. */
void xpack_cache_trim(struct xpack *p);
int xpack_load_df(struct xpack *p, const char *path, char *err, size_t errlen);

/* ---------------------------------------------------------------- text */

/** Tone-placement rules read from a pack's `tone` section. */
struct xtone *xtone_new(const struct newsd_host *h, const struct newsd_config *c, char *err,
			size_t errlen);
void xtone_free(struct xtone *t);
/* Writes the canonical form of the UTF-8 string s (NFC; each syllable's
 * tone mark on the vowel the rules choose; style 0 = the pack's canonical
 * style, 1 = the other style, for generating match variants) to out.
 * t may be NULL (NFC only).  Returns bytes written, or -1 when out is too
 * small or s is not valid UTF-8. */
long xtone_canon(const struct xtone *t, const char *s, size_t n, char *out, size_t cap,
		 int other_style);

/** Case helpers (ICU ucasemap). Return bytes written or -1. */
long xcase_lower(const char *s, size_t n, char *out, size_t cap);
long xcase_upper(const char *s, size_t n, char *out, size_t cap);
long xcase_title_first(const char *s, size_t n, char *out, size_t cap); /* first letter */
long xcase_title_words(const char *s, size_t n, char *out, size_t cap); /* every word */

/** Character classes at a byte position (ICU properties). */
int xtext_is_wordchar_at(const char *s, size_t len, size_t i); /* letter, digit, mark */
int xtext_wordchar_before(const char *s, size_t i);             /* cp ending at i */
int xtext_has_combining(const char *s, size_t len);             /* U+0300..U+036F */

/** Tokens: maximal runs of letters, digits and combining marks. */
enum {
	XT_CAP = 1u,        /* first letter upper/title case */
	XT_UPPER = 2u,      /* every letter upper case, at least two letters */
	XT_LOWER = 4u,      /* first character a lower-case letter */
	XT_DIGIT = 8u,      /* has a digit */
	XT_ALPHA = 16u,     /* has a letter */
	XT_SENT = 32u,      /* first token of a sentence or paragraph */
	XT_SPACE_BEFORE = 64u, /* gap before is plain spaces within a line (or start) */
	XT_NEWLINE_BEFORE = 128u, /* a line break lies in the gap before */
	XT_PUNCT_BEFORE = 256u,   /* gap before holds punctuation */
};
struct xtok {
	uint32_t start, end;
	uint32_t flags;
	uint32_t line; /* paragraph/line index */
};
/** Tokenises text into out (struct xtok) and line spans into lines
 *  (struct xspan).  0 or -ENOMEM. */
struct xspan {
	uint32_t start, end;   /* trimmed line span */
	uint32_t tok0, tok1;   /* token index range */
};
int xtext_tokenize(const char *s, size_t len, struct xvec *toks, struct xvec *lines);

/* ------------------------------------------------------------- results */

struct xdate {
	int y, mo, d, h, mi, s;
	int has_time, has_tz;
	int tz_min; /* offset in minutes east of UTC */
	int prec;   /* 0 none, 1 month, 2 day, 3 minute */
};
enum { XP_NONE = 0, XP_MONTH, XP_DAY, XP_MINUTE };

/** Everything one article yields; scratch owned by the instance. */
struct xctx {
	const struct newsd_host *h;
	struct xpack *pack;
	const char *text;
	size_t len;
	struct xvec toks;     /* struct xtok */
	struct xvec lines;    /* struct xspan */
	struct xvec matches;  /* struct ac_match (sorted by start) */
	struct xvec tokmatch; /* per token: first match index + 1 starting there, 0 none */
	struct xbuf scratch;  /* generic */
	struct xbuf norm;     /* NFC copy when the input text was not NFC */
	int default_tz_min;
	/* outputs */
	struct xbuf strs;     /* string arena of all output strings */
	struct xvec title;    /* one struct xstr at most */
	struct xdate pub;
	struct xvec events;   /* struct xdate */
	struct xvec authors, photos, source, persons, locations, orgs, docrefs, keywords;
	struct xvec mentions; /* struct xmention */
	struct strmap seen;   /* dedup of output strings per list */
	struct u64map terms;  /* keyword counts (reused) */
	int header_end;       /* index of the lede line (first long paragraph) */
};
struct xstr {
	uint32_t off, len;
};
struct xmention {
	uint32_t name_off, name_len;
	uint8_t type; /* 0 person, 1 location, 2 organization */
	uint32_t count, first_offset;
};

int xctx_init(struct xctx *x);
void xctx_free(struct xctx *x);
void xctx_reset(struct xctx *x);
/* Appends s to list unless already there (per list key).  0 or -ENOMEM. */
int xctx_add_unique(struct xctx *x, struct xvec *list, char kind, const char *s, size_t n);
static inline const char *xctx_str(const struct xctx *x, const struct xstr *s)
{
	return x->strs.p + s->off;
}

/* Match helpers: first match starting at token ti with category cat
 * (longest first); returns match index or -1. */
long xctx_match_at_tok(const struct xctx *x, size_t ti, enum xcat cat, uint32_t *payload,
		       size_t *end_tok);
/* Same, anchored at a byte offset instead of a token. */
long xctx_match_at(const struct xctx *x, size_t byte, enum xcat cat, uint32_t *payload,
		   size_t *end_byte);
/* Token index containing / starting at byte, or -1. */
long xctx_tok_at(const struct xctx *x, size_t byte);

/* Parts, each filling its outputs in x.  0 or -ENOMEM. */
int x_dates(struct xctx *x, const char *meta_published);
int x_title(struct xctx *x, const char *meta_title, const char *meta_og_title,
	    const char *site_name, int max_words);
int x_bylines(struct xctx *x);
int x_source(struct xctx *x, const char *meta_site);
int x_entities(struct xctx *x);
int x_docrefs(struct xctx *x);
int x_keywords(struct xctx *x, size_t k);
/* Best language among packs by stop-word evidence (index), or -1. */
int x_guess_lang(struct xpack *packs, size_t n, const char *text, size_t len, struct xvec *toks);

/* Date helpers (dates.c). */
int xdate_valid(const struct xdate *d);
/* Formats ISO 8601 with offset ("2017-03-08T06:53:00+07:00"). */
int xdate_iso(const struct xdate *d, char *out, size_t cap);
int xdate_iso_day(const struct xdate *d, char *out, size_t cap); /* "2017-03-08" */
/* Parses an ISO 8601 timestamp or date (meta tags, input published_at). */
int xdate_parse_iso(const char *s, size_t n, struct xdate *d, int default_tz_min);
/* True when line li is a date line (date/time and cue words only). */
int x_is_date_line(struct xctx *x, size_t li);

/* Names (names.c) */
/* Does the byte range look like a person's name as printed in a byline? */
int x_name_shaped(struct xctx *x, size_t start, size_t end);
/* Appends the canonical form (NFC, tone, title-cased if all caps) of
 * the name s[start,end) to list. */
int x_add_name(struct xctx *x, struct xvec *list, char kind, size_t start, size_t end);
/* Canonical form of a text span into x->scratch (tone rules + NFC, spaces
 * collapsed).  Returns length or -1. */
long x_canon_span(struct xctx *x, size_t start, size_t end, int titlecase_caps);

#endif
