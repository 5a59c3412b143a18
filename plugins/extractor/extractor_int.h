/* extractor_int.h — internals of the extractor plugin, shared by its files.
 *
 * Ownership: a `struct xpack` (one language pack) is built once in init()
 * and is read-only afterwards except for its syllable cache (with its
 * front table) and its name cache, which belong to the instance (the
 * plugin is NOT thread-safe: the daemon gives each worker its own
 * instance, so the caches and every scratch buffer are per-instance and
 * never shared).  Everything a pack points to is owned by
 * the pack and freed by xpack_free().  Strings borrowed from the host's
 * config tree stay valid until fini().
 */
#ifndef EXTRACTOR_INT_H
#define EXTRACTOR_INT_H

#include <newsd/plugin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
void *xvec_grow(struct xvec *v); /* doubles the capacity; NULL on ENOMEM */
/* Zeroed new slot, or NULL on ENOMEM.  Inline: the tokenizer and the
 * per-token passes push once per token. */
static inline void *xvec_push(struct xvec *v)
{
	char *slot;

	if (v->len == v->cap && !xvec_grow(v))
		return NULL;
	slot = (char *)v->p + v->len * v->esz;
	memset(slot, 0, v->esz);
	v->len++;
	return slot;
}
void xvec_free(struct xvec *v);
/* A new slot NOT zeroed (the caller sets every member), or NULL. */
static inline void *xvec_push_raw(struct xvec *v)
{
	if (v->len == v->cap && !xvec_grow(v))
		return NULL;
	return (char *)v->p + v->len++ * v->esz;
}
/* Makes room for n elements (len unchanged).  0 or -ENOMEM. */
int xvec_reserve(struct xvec *v, size_t n);
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

/** Multi-pattern matcher over UTF-8 bytes (a trie walked from token
 *  starts; see automaton.c).  Built once; read-only after ac_build(), so
 *  one automaton may be scanned from several threads. */
struct ac;
struct xtok;
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
/* Replaces the contents of out (struct ac_match) with every match whose
 * both ends lie on word boundaries (see xtext_is_wordchar_at), sorted by
 * start, longest first.  toks[0..ntoks) must be xtext_tokenize()'s tokens
 * of the same text (a word-first pattern can only start at a token start;
 * their gap flags tell which gaps hold more than spaces).
 * 0 or -ENOMEM. */
int ac_scan(const struct ac *a, const char *text, size_t len, const struct xtok *toks, size_t ntoks,
	    const uint32_t *tstate, struct xvec *out);
/* tstate (optional, per token): ac_word_state() of the token's bytes, or
 * AC_UNKNOWN to have ac_scan() find out.  NULL = all unknown.  Lets the
 * caller cache the walk through a token with the token's other facts. */
#define AC_UNKNOWN UINT32_MAX
/* The trie state reached from the root by exactly s[0..n), when s is the
 * first word of some pattern; 0 otherwise (nothing can start with s). */
uint32_t ac_word_state(const struct ac *a, const char *s, size_t n);
/* The same for a short string that was not tokenised (html_meta values):
 * tokenises it into temporary storage first. */
int ac_scan_str(const struct ac *a, const char *text, size_t len, struct xvec *out);
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
	XC_NAME_BREAK,      /* Tuy, Nhưng: opens a sentence, never ends a name;
			     * payload XNB_OPENER: Từ, Theo (pack `sentence_openers`):
			     * only dropped from the start of a name */
	XC_CREDIT_CUE,      /* Biên tập:, Editing by: a credit line for another role
			     * (no field, no entities) */
	XC_NCATS
};

enum { XNB_OPENER = 1 };
/* XC_TITLE payload: the head of a unit (pack `unit_titles`), whose next
 * capitalised word may open the unit's name ("Trưởng phòng Tham mưu") */
enum { XTT_UNIT = 1 };
/* XC_DAY_WORD payload: a word that may stand before a time or a date in a
 * date line but opens no word date (pack `date_connectors`: lúc, vào) */
enum { XDW_CONNECTOR = 1 };

struct xtag {
	uint8_t cat;
	uint32_t payload;
};

/** Per-syllable facts cached per pack and instance. */
/* XS_AND: a word joining a list's last item (pack `list_conjunctions`) */
enum { XS_STOP = 1u, XS_ALPHA = 2u, XS_NUM = 4u, XS_AND = 8u };
struct xsyl {
	uint32_t canon_off, canon_len; /* lower-case canonical form in cache arena */
	uint32_t dict_id;              /* id in the DF table, UINT32_MAX if absent */
	uint32_t cid;                  /* id of the canonical form (case/tone variants share it) */
	uint32_t df;
	uint32_t flags;
	uint32_t ac_state;             /* ac_word_state() of the raw token in the pack's automaton */
};

#define XTFW_N 64
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
	struct u64map bigram_df;        /* while loading: (dict_a+1)<<32 | (dict_b+1) → df */
	/* bigram DFs, built from bigram_df (then freed): sorted by first
	 * syllable (CSR), and when the ids fit a packed hash table of 8-byte
	 * slots (one probe; the old map took two arrays and two misses) */
	uint32_t *bg_start;             /* ndict + 1 */
	uint32_t *bg_b;                 /* second syllable's dict id, sorted per first */
	uint32_t *bg_df;
	uint64_t *bg_hash;              /* (da * ndict + db + 1) << 32 | df, 0 = empty:
					 * one probe, one cache line (when ndict^2 < 2^32) */
	size_t bg_mask;
	double *idf_tab;                /* IDF of each df 0..idf_n-1 (keywords.c's formula) */
	uint32_t idf_n;
	double tfw_tab[XTFW_N];         /* 1 + log(tf) for tf < XTFW_N (tfw_tab[0] unused) */
	double *ub_idf;                 /* per dict id: the largest IDF a bigram
					 * holding this syllable can have (keywords.c) */
	uint32_t df_docs;               /* documents behind the DF table; 0 = none */
	/* syllable cache: raw token bytes → struct xsyl (per instance) */
	struct strmap cache;             /* tokens longer than 12 bytes → cache_syl index */
	struct strmap canon_ids;        /* canonical form → cid (keys give the strings) */
	struct xvec cache_syl;          /* struct xsyl, one per distinct raw token */
	struct xsylslot *fast;          /* tokens of <= 12 bytes → cache index; see xpack_syl */
	size_t fast_mask, fast_n;
	struct xbuf cache_arena;
	/* name cache (per instance): flag + span bytes → canonical form */
	struct strmap names;            /* val: offset in names_arena */
	struct xbuf names_arena;        /* NUL-terminated canonical forms */
	int title_max_words;
	int byline_max_words;
	/* the pack's `keywords` settings, read by keywords.c on first use
	 * (kw_loaded); see x_keywords */
	int kw_loaded;
	double kw_pair_won;      /* keywords.pair_won */
	double kw_unigram_pair;  /* keywords.unigram_in_pair */
};
struct xpat {
	uint32_t first_tag, ntags;
};
/* A slot of the syllable cache's front table: the token's bytes, zero
 * padded (a token never holds a NUL byte, so the padding fixes the
 * length), and its cache index.  lo == 0: empty. */
struct xsylslot {
	uint64_t lo;
	uint32_t hi;
	uint32_t idx;
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
/* xpack_syl() for every token of text with a letter: tsyl[i] = its index
 * in p->cache_syl and tstate[i] = its ac_state; UINT32_MAX / AC_UNKNOWN
 * for tokens without letters.  0 or -1 (ENOMEM). */
int xpack_syls(struct xpack *p, const char *text, const struct xtok *toks, size_t n, uint32_t *tsyl,
	       uint32_t *tstate);
/* Clears the syllable cache when it has grown past its bound. */
void xpack_cache_trim(struct xpack *p);
int xpack_load_df(struct xpack *p, const char *path, char *err, size_t errlen);
/* The home slot of key in bg_hash (before masking). */
static inline size_t xpack_bg_slot(uint32_t key)
{
	return (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ULL) >> 32);
}
/* The first bg_hash slot that the lookup of (da, db) reads (da, db <
 * ndict = p->dict.ents.len, mask = p->bg_mask): for a caller's loop that
 * holds those fields itself. */
static inline size_t xpack_bigram_home(uint32_t ndict, size_t mask, uint32_t da, uint32_t db)
{
	return xpack_bg_slot(da * ndict + db + 1) & mask;
}
uint32_t xpack_bigram_df_csr(const struct xpack *p, uint32_t da, uint32_t db);
/* Document frequency of the bigram of dict ids (da, db); 0 when unattested.
 * Inline (as is the prefetch below): keywords ask this for every candidate
 * bigram, and the call cost as much as the one-probe lookup. */
static inline uint32_t xpack_bigram_df(const struct xpack *p, uint32_t da, uint32_t db)
{
	uint32_t nd = (uint32_t)p->dict.ents.len, key;

	if (!p->bg_hash)
		return xpack_bigram_df_csr(p, da, db);
	if (da >= nd || db >= nd)
		return 0;
	key = da * nd + db + 1;
	for (size_t i = xpack_bigram_home(nd, p->bg_mask, da, db); p->bg_hash[i]; i = (i + 1) & p->bg_mask)
		if ((uint32_t)(p->bg_hash[i] >> 32) == key)
			return (uint32_t)p->bg_hash[i];
	return 0;
}
/* A hint that xpack_bigram_df(p, da, db) follows soon. */
static inline void xpack_bigram_prefetch(const struct xpack *p, uint32_t da, uint32_t db)
{
#if defined(__GNUC__)
	uint32_t nd = (uint32_t)p->dict.ents.len;
	if (p->bg_hash && da < nd && db < nd)
		__builtin_prefetch(&p->bg_hash[xpack_bigram_home(nd, p->bg_mask, da, db)]);
#else
	(void)p, (void)da, (void)db;
#endif
}

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
/* The same through ICU's normalisers only (UTF-16, NFD, tone moves, NFC):
 * the reference xtone_canon()'s table path falls back to and is tested
 * against. */
long xtone_canon_icu(const struct xtone *t, const char *s, size_t n, char *out, size_t cap,
		     int other_style);

/** Case helpers (ICU ucasemap). Return bytes written or -1. */
long xcase_lower(const char *s, size_t n, char *out, size_t cap);
long xcase_upper(const char *s, size_t n, char *out, size_t cap);
long xcase_title_first(const char *s, size_t n, char *out, size_t cap); /* first letter */
long xcase_title_words(const char *s, size_t n, char *out, size_t cap); /* every word */

/** Character classes of one code point (XCP_*): a table for ASCII and the
 *  Vietnamese alphabet, ICU properties for the rest.  xtext_cp_class_icu()
 *  is the ICU-only reference the table must agree with (tests). */
enum { XCP_WORD = 1u, XCP_ALPHA = 2u, XCP_UPPER = 4u, XCP_DIGIT = 8u, XCP_SPACE = 16u };
uint32_t xtext_cp_class(int32_t c);
uint32_t xtext_cp_class_icu(int32_t c);
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
	struct xvec tokcats;  /* per token: bit c set when a match starting there has
			       * category c (xctx_match_at_tok rejects most asks with it) */
	struct xbuf mstart;   /* bitmap over text bytes: some match starts here
			       * (xctx_match_at answers most questions without a search) */
	struct xvec mbyte;    /* struct xmstart per text byte, set only where mstart has
			       * the bit (never cleared: mstart says which are valid) */
	struct xbuf scratch;  /* generic */
	struct xbuf norm;     /* NFC copy when the input text was not NFC */
	struct xbuf wbuf;     /* pointer/length arrays handed to the host (reused) */
	int default_tz_min;
	/* outputs */
	struct xbuf strs;     /* string arena of all output strings */
	struct xvec title;    /* one struct xstr at most */
	struct xdate pub;
	struct xvec events;   /* struct xdate */
	struct xvec authors, photos, source, persons, locations, orgs, docrefs, keywords;
	struct xvec mentions; /* struct xmention */
	struct xvec credits;  /* struct xspan (start, end only): byline and photo-credit
			       * bytes, in text order; no entities there (x_bylines) */
	struct strmap seen;   /* dedup of output strings per list */
	struct xvec tsyl;     /* uint32 per token: syllable-cache index in pack (tokens
			       * with a letter), UINT32_MAX otherwise; see x_token_syls */
	const struct xpack *tsyl_pack; /* the pack tsyl was computed for */
	struct xvec tstate;   /* uint32 per token for ac_scan(): xsyl.ac_state, AC_UNKNOWN
			       * for tokens without letters */
	struct u64map terms;  /* bigram counts, sized to the article, cleared by
			       * term_slots (reused) */
	struct xvec term_slots; /* uint32: slots of terms in use */
	uint32_t *tf;         /* unigram counts by canonical id (reused, all zero
			       * between articles) */
	size_t tf_cap;
	struct xvec tf_used;  /* uint32: canonical ids counted in tf */
	struct xvec cands;    /* keyword candidates (keywords.c's struct cand; reused) */
	struct xvec kw_next;  /* uint32 per token: the token index of the same bigram's
			       * next occurrence (keywords.c; reused) */
	int header_end;       /* index of the lede line (first long paragraph) */
};
/* The matches starting at one byte: their categories (bit c: some match
 * has category c) and the first one's index in x->matches. */
struct xmstart {
	uint32_t cats, first;
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
/* Appends s[0..n) to b as a JSON string literal.  0 or -1 (ENOMEM). */
/* Appends s to list unless already there (per list key).  0 or -ENOMEM. */
int xctx_add_unique(struct xctx *x, struct xvec *list, char kind, const char *s, size_t n);
static inline const char *xctx_str(const struct xctx *x, const struct xstr *s)
{
	return x->strs.p + s->off;
}

/* Match helpers: first match starting at token ti with category cat
 * (longest first); returns match index or -1. */
long xctx_match_at_tok_slow(const struct xctx *x, size_t ti, enum xcat cat, uint32_t *payload,
			    size_t *end_tok);
/* Inline: entities ask several categories of every token, and most of the
 * answers are "no", which x->tokcats gives without a call. */
static inline long xctx_match_at_tok(const struct xctx *x, size_t ti, enum xcat cat, uint32_t *payload,
				     size_t *end_tok)
{
	if (!(((const uint32_t *)x->tokcats.p)[ti] & (1u << cat)))
		return -1;
	return xctx_match_at_tok_slow(x, ti, cat, payload, end_tok);
}
/* Same, anchored at a byte offset instead of a token.  Inline: dates and
 * bylines ask several categories at many bytes, and most answers are "no",
 * which x->mstart and x->mbyte give without a call or a search. */
long xctx_match_at_slow(const struct xctx *x, size_t byte, enum xcat cat, uint32_t *payload,
			size_t *end_byte);
static inline long xctx_match_at(const struct xctx *x, size_t byte, enum xcat cat, uint32_t *payload,
				 size_t *end_byte)
{
	if (byte >= x->len || !(((const uint8_t *)x->mstart.p)[byte >> 3] & (1u << (byte & 7))) ||
	    !(((const struct xmstart *)x->mbyte.p)[byte].cats & (1u << cat)))
		return -1;
	return xctx_match_at_slow(x, byte, cat, payload, end_byte);
}
/* Token index containing / starting at byte, or -1. */
long xctx_tok_at(const struct xctx *x, size_t byte);

/* Parts, each filling its outputs in x.  0 or -ENOMEM. */
int x_dates(struct xctx *x, const char *meta_published);
int x_title(struct xctx *x, const char *meta_title, const char *meta_og_title,
	    const char *site_name, int max_words);
int x_bylines(struct xctx *x);
int x_source(struct xctx *x, const char *meta_site);
int x_entities(struct xctx *x);
/* Tokens i and i+1 (any case) make one word of the language by the pack's
 * DF table: the pair's document frequency is at least a tenth of its rarer
 * syllable's, and neither is a stop word ("quốc tế", "bình luận"; pairs
 * that merely meet stay far below: "mỹ xâm" 0.012, "ngọc hiển").  Without
 * a DF table, 0. */
int x_pair_is_word(const struct xctx *x, size_t i);
int x_docrefs(struct xctx *x);
int x_keywords(struct xctx *x, size_t k);
/* Fills x->tsyl for pack p (every token with a letter looked up once in
 * the syllable cache, shared by the language check, entities and
 * keywords); sets x->tsyl_pack.  0 or -ENOMEM. */
int x_token_syls(struct xctx *x, struct xpack *p);
/* Syllable facts of token ti in x->tsyl_pack (x->pack once the language
 * is chosen), or NULL for a token without letters. */
static inline const struct xsyl *x_tok_syl(const struct xctx *x, size_t ti)
{
	uint32_t i = ((const uint32_t *)x->tsyl.p)[ti];
	return i == UINT32_MAX ? NULL : &XVEC_AT(&x->tsyl_pack->cache_syl, struct xsyl, i);
}
/* Share of stop words among the first 200 tokens with a letter, by tsyl;
 * -1 when fewer than five such tokens. */
double x_stop_share(const struct xctx *x);
/* Best language among packs by stop-word evidence (index), or -1. */
int x_guess_lang(struct xpack *packs, size_t n, const char *text, size_t len, struct xvec *toks,
		 int known, double known_share); /* pack `known` (or -1) scored known_share
						 * already (x_stop_share: -1 = too few tokens) */

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
