/* textnorm.c — see textnorm.h. */
#include "textnorm.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

void cl_textnorm_scratch_free(struct cl_textnorm_scratch *s)
{
	buf_free(&s->a);
	buf_free(&s->b);
	buf_free(&s->words);
}

#define U16(b) ((UChar *)(void *)(b)->p)
#define U16CAP(b) ((int32_t)((b)->cap / sizeof(UChar)))

static int reserve16(struct buf *b, size_t n)
{
	b->len = 0;
	if (n > (size_t)INT32_MAX / 2)
		return -1;
	return buf_reserve(b, (n + 8) * sizeof(UChar));
}

/* Latin without asking ICU: ASCII letters, Latin-1 letters, Latin
 * Extended-A/B, Latin Extended Additional (Vietnamese). */
static int script_of(UChar32 c)
{
	if (c < 0x80)
		return ((c | 32) >= 'a' && (c | 32) <= 'z') ? USCRIPT_LATIN : USCRIPT_COMMON;
	if ((c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x1E00 && c <= 0x1EFF))
		return USCRIPT_LATIN;
	UErrorCode st = U_ZERO_ERROR;
	int s = uscript_getScript(c, &st);
	return U_SUCCESS(st) ? s : USCRIPT_COMMON;
}

static int is_letter_or_mark(UChar32 c)
{
	if (c < 0x80)
		return ((c | 32) >= 'a' && (c | 32) <= 'z');
	return u_isalpha(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0;
}

enum { NSCRIPT_TRACK = 8 };

/* Pass 1: characters.  Returns the output length; counts scripts. */
static int32_t pass_chars(const UChar *in, int32_t n, UChar *out, uint64_t *repaired,
			  int *scripts, uint32_t *counts, int *foreign_seen)
{
	int32_t o = 0, i = 0;
	int pending_space = 0, nl_run = 0;

	while (i < n) {
		UChar32 c;
		U16_NEXT(in, i, n, c);
		if (c == '\r') {
			if (i < n && in[i] == '\n')
				continue;
			c = '\n';
		}
		if (c == '\n' || c == 0x2028 || c == 0x2029 || c == 0x85 || c == 0x0C) {
			pending_space = 0;
			if (o == 0 || nl_run >= 2)
				continue;
			out[o++] = '\n';
			nl_run++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == 0x0B) {
			pending_space = 1;
			continue;
		}
		if (c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
		    c == 0x205F || c == 0x3000) {
			(*repaired)++;
			pending_space = 1;
			continue;
		}
		if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x200B || c == 0x200C ||
		    c == 0x200D || c == 0x2060 || c == 0xFEFF || c == 0xAD || c == 0x180E ||
		    (c >= 0x2061 && c <= 0x2064) || (c >= 0x202A && c <= 0x202E) ||
		    (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F) {
			(*repaired)++;
			continue;
		}
		if (pending_space && nl_run == 0 && o > 0)
			out[o++] = ' ';
		pending_space = 0;
		nl_run = 0;
		if (c >= 0x80 || ((c | 32) >= 'a' && (c | 32) <= 'z')) {
			int s = script_of(c);
			if (s != USCRIPT_COMMON && s != USCRIPT_INHERITED) {
				int k;
				for (k = 0; k < NSCRIPT_TRACK && scripts[k] != s && scripts[k] >= 0; k++)
					;
				if (k < NSCRIPT_TRACK) {
					scripts[k] = s;
					counts[k]++;
				}
				if (s != USCRIPT_LATIN)
					*foreign_seen = 1;
			}
		}
		U16_APPEND_UNSAFE(out, o, c);
	}
	while (o > 0 && out[o - 1] == '\n')
		o--;
	return o;
}

struct wspan {
	int32_t s, e;      /* [s, e) in UTF-16 units */
	int32_t dom, foreign, stray_only, letters;
};

static int is_stray(const struct cl_textnorm_cfg *cfg, int s)
{
	for (int k = 0; k < cfg->n_stray_scripts; k++)
		if (cfg->stray_scripts[k] == s)
			return 1;
	return 0;
}

/* Pass 2: script repair of words mixing the main script with look-alikes
 * and removal of lone stray letters. */
static int pass_scripts(const struct cl_textnorm_cfg *cfg, const UChar *in, int32_t n,
			UChar *out, int32_t *on, int dom, struct buf *wb, uint64_t *repaired)
{
	size_t nw = 0, cap = 0;
	struct wspan *w = NULL;
	int32_t i = 0, o = 0;

	wb->len = 0;
	/* collect words */
	while (i < n) {
		UChar32 c;
		int32_t at = i;
		U16_NEXT(in, i, n, c);
		if (!is_letter_or_mark(c))
			continue;
		if (nw == cap) {
			cap = wb->cap / sizeof(struct wspan);
			if (nw >= cap) {
				if (buf_reserve(wb, (nw + 64) * sizeof(struct wspan)) < 0)
					return -1;
				cap = wb->cap / sizeof(struct wspan);
			}
		}
		w = (struct wspan *)(void *)wb->p;
		struct wspan *ws = &w[nw++];
		memset(ws, 0, sizeof(*ws));
		ws->s = at;
		ws->stray_only = 1;
		i = at;
		while (i < n) {
			int32_t k = i;
			U16_NEXT(in, k, n, c);
			if (!is_letter_or_mark(c))
				break;
			i = k;
			if (U_GET_GC_MASK(c) & U_GC_M_MASK)
				continue;
			int s = script_of(c);
			ws->letters++;
			if (s == dom) {
				ws->dom++;
				ws->stray_only = 0;
			} else if (s != USCRIPT_COMMON && s != USCRIPT_INHERITED) {
				ws->foreign++;
				if (!is_stray(cfg, s))
					ws->stray_only = 0;
			}
		}
		ws->e = i;
	}
	w = (struct wspan *)(void *)wb->p;
	/* rewrite */
	i = 0;
	for (size_t k = 0; k < nw; k++) {
		struct wspan *ws = &w[k];
		int line_prev = k > 0, line_next = k + 1 < nw;
		/* neighbours on the same line */
		for (int32_t j = k > 0 ? w[k - 1].e : 0; line_prev && j < ws->s; j++)
			if (in[j] == '\n')
				line_prev = 0;
		for (int32_t j = ws->e; line_next && j < w[k + 1].s; j++)
			if (in[j] == '\n')
				line_next = 0;
		if (ws->foreign > 0 && ws->dom == 0 && ws->stray_only && ws->letters <= 2 &&
		    (line_prev || line_next) && (!line_prev || w[k - 1].dom > w[k - 1].foreign) &&
		    (!line_next || w[k + 1].dom > w[k + 1].foreign)) {
			/* copy up to the word, drop it and one space after it */
			memcpy(out + o, in + i, (size_t)(ws->s - i) * sizeof(UChar));
			o += ws->s - i;
			i = ws->e;
			if (i < n && in[i] == ' ' && o > 0 && out[o - 1] == ' ')
				i++;
			else if (i < n && in[i] == ' ' && o == 0)
				i++;
			*repaired += (uint64_t)ws->letters;
			continue;
		}
		if (ws->foreign > 0 && ws->dom > 0) {
			memcpy(out + o, in + i, (size_t)(ws->s - i) * sizeof(UChar));
			o += ws->s - i;
			i = ws->s;
			while (i < ws->e) {
				UChar32 c;
				int32_t at = i;
				U16_NEXT(in, i, n, c);
				int s = (U_GET_GC_MASK(c) & U_GC_M_MASK) ? dom : script_of(c);
				if (s != dom && s != USCRIPT_COMMON && s != USCRIPT_INHERITED &&
				    cfg->spoof) {
					UChar sk[8];
					UErrorCode st = U_ZERO_ERROR;
					int32_t sl = uspoof_getSkeleton(cfg->spoof, 0, in + at, i - at,
									sk, 8, &st);
					UChar32 b;
					int32_t bi = 0;
					if (U_SUCCESS(st) && sl > 0) {
						U16_NEXT(sk, bi, sl, b);
						int ok = script_of(b) == dom &&
							 !(u_islower(c) && u_isupper(b));
						for (int32_t q = bi; ok && q < sl; q++)
							ok = (U_GET_GC_MASK(sk[q]) & U_GC_M_MASK) != 0;
						if (ok && sl <= i - at) {
							memcpy(out + o, sk, (size_t)sl * sizeof(UChar));
							o += sl;
							(*repaired)++;
							continue;
						}
					}
				}
				memcpy(out + o, in + at, (size_t)(i - at) * sizeof(UChar));
				o += i - at;
			}
		}
	}
	memcpy(out + o, in + i, (size_t)(n - i) * sizeof(UChar));
	o += n - i;
	*on = o;
	return 0;
}

/* NFC quick check "yes" without asking ICU for the common ranges. */
static int nfc_yes(UChar32 c)
{
	if (c < 0x300 || (c >= 0x1E00 && c <= 0x1EFF) || (c >= 0x2002 && c <= 0x2328))
		return 1;
	return u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) == UNORM_YES;
}

/* The common case in one UTF-8 pass: the same character rules as
 * pass_chars, no UTF-16.  Returns 1 when the text needs the full path
 * (letters of a second script, or characters that may not be NFC), 0 when
 * out is final, -1 on ENOMEM. */
static int fast_utf8(const char *in, size_t len, struct buf *out, struct cl_textnorm_stats *st)
{
	const uint8_t *u = (const uint8_t *)in;
	int32_t i = 0, n = (int32_t)len;
	int pending_space = 0, nl_run = 0;
	uint32_t latin = 0;
	char *o;
	size_t ol = 0;

	if (buf_reserve(out, len + 8) < 0)
		return -1;
	o = out->p;
	while (i < n) {
		UChar32 c;
		int32_t at = i;
		if (u[i] < 0x80) {
			c = u[i++];
			if (c > ' ' && c != 0x7F) {
				if (pending_space && nl_run == 0 && ol > 0)
					o[ol++] = ' ';
				pending_space = 0;
				nl_run = 0;
				latin += ((c | 32) >= 'a' && (c | 32) <= 'z');
				o[ol++] = (char)c;
				continue;
			}
		} else {
			U8_NEXT(u, i, n, c);
			if (c < 0)
				return 1; /* invalid: the full path replaces and counts */
		}
		if (c == '\r') {
			if (i < n && u[i] == '\n')
				continue;
			c = '\n';
		}
		if (c == '\n' || c == 0x2028 || c == 0x2029 || c == 0x85 || c == 0x0C) {
			pending_space = 0;
			if (ol == 0 || nl_run >= 2)
				continue;
			o[ol++] = '\n';
			nl_run++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == 0x0B) {
			pending_space = 1;
			continue;
		}
		if (c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
		    c == 0x205F || c == 0x3000) {
			st->repaired++;
			pending_space = 1;
			continue;
		}
		if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x200B || c == 0x200C ||
		    c == 0x200D || c == 0x2060 || c == 0xFEFF || c == 0xAD || c == 0x180E ||
		    (c >= 0x2061 && c <= 0x2064) || (c >= 0x202A && c <= 0x202E) ||
		    (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F) {
			st->repaired++;
			continue;
		}
		if (!nfc_yes(c))
			return 1;
		int sc = script_of(c);
		if (sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED) {
			if (sc != USCRIPT_LATIN)
				return 1;
			latin++;
		}
		if (pending_space && nl_run == 0 && ol > 0)
			o[ol++] = ' ';
		pending_space = 0;
		nl_run = 0;
		memcpy(o + ol, in + at, (size_t)(i - at));
		ol += (size_t)(i - at);
	}
	while (ol > 0 && o[ol - 1] == '\n')
		ol--;
	out->len = ol;
	o[ol] = '\0';
	st->script = latin ? USCRIPT_LATIN : -1;
	return 0;
}

int cl_textnorm(const struct cl_textnorm_cfg *cfg, const char *in, size_t len, struct buf *out,
		struct cl_textnorm_scratch *s, struct cl_textnorm_stats *st)
{
	if (len < (size_t)INT32_MAX) {
		memset(st, 0, sizeof(*st));
		buf_reset(out);
		int r = fast_utf8(in, len, out, st);
		if (r <= 0)
			return r;
	}
	return cl_textnorm_full(cfg, in, len, out, s, st);
}

int cl_textnorm_full(const struct cl_textnorm_cfg *cfg, const char *in, size_t len,
		     struct buf *out, struct cl_textnorm_scratch *s, struct cl_textnorm_stats *st)
{
	UErrorCode e = U_ZERO_ERROR;
	int32_t n16 = 0, n1, span;
	int32_t subs = 0;
	int scripts[NSCRIPT_TRACK];
	uint32_t counts[NSCRIPT_TRACK] = {0};
	int foreign = 0, dom = -1;
	struct buf *cur, *oth;
	const UNormalizer2 *nfc;

	memset(st, 0, sizeof(*st));
	st->script = -1;
	for (int k = 0; k < NSCRIPT_TRACK; k++)
		scripts[k] = -1;
	buf_reset(out);
	if (len > (size_t)INT32_MAX / 4)
		return -1;
	if (reserve16(&s->a, len) < 0 || reserve16(&s->b, len * 2) < 0)
		return -1;
	u_strFromUTF8WithSub(U16(&s->a), U16CAP(&s->a), &n16, in, (int32_t)len, 0xFFFD, &subs, &e);
	if (U_FAILURE(e))
		return -1;
	st->invalid = (uint64_t)subs;
	n1 = pass_chars(U16(&s->a), n16, U16(&s->b), &st->repaired, scripts, counts, &foreign);
	for (int k = 0; k < NSCRIPT_TRACK && scripts[k] >= 0; k++)
		if (dom < 0 || counts[k] > counts[dom])
			dom = k;
	if (dom >= 0)
		dom = scripts[dom];
	st->script = dom;
	cur = &s->b;
	oth = &s->a;
	if (foreign) {
		int32_t n2 = 0;
		if (pass_scripts(cfg, U16(cur), n1, U16(oth), &n2, dom, &s->words, &st->repaired) <
		    0)
			return -1;
		cur = &s->a;
		oth = &s->b;
		n1 = n2;
	}
	nfc = unorm2_getNFCInstance(&e);
	if (U_FAILURE(e))
		return -1;
	span = unorm2_spanQuickCheckYes(nfc, U16(cur), n1, &e);
	if (U_FAILURE(e))
		return -1;
	if (span < n1) {
		int32_t cap = U16CAP(oth);
		if (cap < n1 * 2 + 8) {
			oth->len = 0;
			if (buf_reserve(oth, ((size_t)n1 * 2 + 8) * sizeof(UChar)) < 0)
				return -1;
			cap = U16CAP(oth);
		}
		memcpy(U16(oth), U16(cur), (size_t)span * sizeof(UChar));
		n1 = unorm2_normalizeSecondAndAppend(nfc, U16(oth), span, cap, U16(cur) + span,
						     n1 - span, &e);
		if (U_FAILURE(e))
			return -1;
		cur = oth;
	}
	if (buf_reserve(out, (size_t)n1 * 3 + 4) < 0)
		return -1;
	int32_t n8 = 0;
	u_strToUTF8WithSub(out->p, (int32_t)out->cap, &n8, U16(cur), n1, 0xFFFD, NULL, &e);
	if (U_FAILURE(e))
		return -1;
	out->len = (size_t)n8;
	out->p[out->len] = '\0';
	return 0;
}
