/* text.c — characters, tokens, case and tone-mark canonicalisation (ICU).
 *
 * The tone normaliser works on ICU's NFD decomposition of one syllable:
 * it finds the tone mark (a combining mark listed in the pack), finds the
 * vowel nucleus, chooses the vowel that carries the tone by the pack's
 * rules, moves the mark there and recomposes with NFC.  No table of words.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ucasemap.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "extractor_int.h"

/* ---------------------------------------------------------- characters */

uint32_t xtext_cp_class_icu(UChar32 c)
{
	uint32_t f = 0;

	if (c < 0)
		return 0;
	if (u_isalnum(c) || u_getCombiningClass(c) > 0 || u_charType(c) == U_NON_SPACING_MARK)
		f |= XCP_WORD;
	if (u_isalpha(c)) {
		f |= XCP_ALPHA;
		if (u_isupper(c) || u_istitle(c))
			f |= XCP_UPPER;
	}
	if (u_isdigit(c))
		f |= XCP_DIGIT;
	if (c == ' ' || c == '\t' || c == 0xA0 || u_isspace(c))
		f |= XCP_SPACE;
	return f;
}

/* The tokenizer's class of each byte: for ASCII the XCP_* bits of the code
 * point (what xtext_cp_class_icu() gives), plus TK_LOWER on a lower-case
 * letter; TK_MB on a byte >= 0x80 (a multi-byte sequence starts: decode
 * it), and TK_L2 besides on the leads C3..C6 (see lat_cls).  One table
 * serves cp_class() (masked) and the tokenizer's inner loop, which thus
 * tests "word character, and ASCII" with one load. */
enum { TK_LOWER = 0x20u, /* XCP_ALPHA without XCP_UPPER */
       TK_MB = 0x40u,
       TK_L2 = 0x80u,
       XCP_ALL = XCP_WORD | XCP_ALPHA | XCP_UPPER | XCP_DIGIT | XCP_SPACE };
#define SP_ XCP_SPACE
#define DG_ (XCP_WORD | XCP_DIGIT)
#define UP_ (XCP_WORD | XCP_ALPHA | XCP_UPPER)
#define LO_ (XCP_WORD | XCP_ALPHA | TK_LOWER)
#define MB_ TK_MB
#define L2_ (TK_MB | TK_L2)
#define MB16_ MB_, MB_, MB_, MB_, MB_, MB_, MB_, MB_, MB_, MB_, MB_, MB_, MB_, MB_, MB_, MB_
static const uint8_t byte_cls[256] = {
	  0,   0,   0,   0,   0,   0,   0,   0,   0, SP_, SP_, SP_, SP_, SP_,   0,   0,
	  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, SP_, SP_, SP_, SP_,
	SP_,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	DG_, DG_, DG_, DG_, DG_, DG_, DG_, DG_, DG_, DG_,   0,   0,   0,   0,   0,   0,
	  0, UP_, UP_, UP_, UP_, UP_, UP_, UP_, UP_, UP_, UP_, UP_, UP_, UP_, UP_, UP_,
	UP_, UP_, UP_, UP_, UP_, UP_, UP_, UP_, UP_, UP_, UP_,   0,   0,   0,   0,   0,
	  0, LO_, LO_, LO_, LO_, LO_, LO_, LO_, LO_, LO_, LO_, LO_, LO_, LO_, LO_, LO_,
	LO_, LO_, LO_, LO_, LO_, LO_, LO_, LO_, LO_, LO_, LO_,   0,   0,   0,   0,   0,
	MB16_, MB16_, MB16_, MB16_,
	MB_, MB_, MB_, L2_, L2_, L2_, L2_, MB_, MB_, MB_, MB_, MB_, MB_, MB_, MB_, MB_,
	MB16_, MB16_, MB16_,
};
#undef SP_
#undef DG_
#undef UP_
#undef LO_
#undef MB_
#undef L2_
#undef MB16_

/* The letters of Vietnamese by their bytes, as the tokenizer classes them
 * (TK_LOWER included); 0: not given here, the rules of cp_class_mb() below
 * decide.  Why tables: these leads carry nearly every non-ASCII letter of
 * Vietnamese, and one load indexed by the raw bytes classes one, trail
 * byte checked, without decoding it.  cp_class_mb() reads them too, so the
 * unit test that holds cp_class() to ICU holds these tables as well.
 * TK_UL, TK_LL: the class of an upper- and of a lower-case letter.
 *
 * lat_cls[LAT(lead, trail)], leads C3..C6: U+00C0..U+01BF. */
#define TK_UL (XCP_WORD | XCP_ALPHA | XCP_UPPER)
#define TK_LL (XCP_WORD | XCP_ALPHA | TK_LOWER)
#define LAT(b, t) (((unsigned)(b) - 0xC3u) << 8 | (unsigned)(t))
#define U7_ TK_UL, TK_UL, TK_UL, TK_UL, TK_UL, TK_UL, TK_UL
#define L7_ TK_LL, TK_LL, TK_LL, TK_LL, TK_LL, TK_LL, TK_LL
static const uint8_t lat_cls[4 << 8] = {
	/* U+00C0..U+00FF: Latin-1 letters but the signs × and ÷; ß is lower */
	[LAT(0xC3, 0x80)] = U7_, TK_UL, U7_, TK_UL, U7_, 0, U7_, TK_LL,
	L7_, TK_LL, L7_, TK_LL, L7_, 0, L7_, TK_LL,
	/* the eight Latin Extended letters of Vietnamese: Ă ă Đ đ Ĩ ĩ Ũ ũ Ơ ơ Ư ư */
	[LAT(0xC4, 0x82)] = TK_UL, [LAT(0xC4, 0x83)] = TK_LL, [LAT(0xC4, 0x90)] = TK_UL,
	[LAT(0xC4, 0x91)] = TK_LL, [LAT(0xC4, 0xA8)] = TK_UL, [LAT(0xC4, 0xA9)] = TK_LL,
	[LAT(0xC5, 0xA8)] = TK_UL, [LAT(0xC5, 0xA9)] = TK_LL, [LAT(0xC6, 0xA0)] = TK_UL,
	[LAT(0xC6, 0xA1)] = TK_LL, [LAT(0xC6, 0xAF)] = TK_UL, [LAT(0xC6, 0xB0)] = TK_LL,
};
#undef U7_
#undef L7_

/* e1_cls[E1X(second, third)] for E1 BA..BB xx: U+1E80..U+1EFF, of which
 * U+1EA0..U+1EF9 (Ạ..ỹ) are letters, the upper-case ones at even code
 * points. */
#define E1X(t, u) (((unsigned)(t) - 0xBAu) << 8 | (unsigned)(u))
#define P1_ TK_UL, TK_LL
#define P4_ P1_, P1_, P1_, P1_
#define P16_ P4_, P4_, P4_, P4_
static const uint8_t e1_cls[2 << 8] = {
	[E1X(0xBA, 0xA0)] = P16_,              /* U+1EA0..U+1EBF */
	[E1X(0xBB, 0x80)] = P16_, P4_, P4_, P4_, P1_, /* U+1EC0..U+1EF9 */
};
#undef P1_
#undef P4_
#undef P16_

/* Why a hand-written table: ICU's property lookups cost a function call
 * and a trie walk per character, and Vietnamese text is one third non-ASCII
 * letters.  The ranges below are the letters of the Vietnamese alphabet
 * (Latin-1, the eight Latin Extended letters, Latin Extended Additional
 * U+1EA0..U+1EF9), the combining marks and the common punctuation; they
 * give exactly what xtext_cp_class_icu() gives (checked by a unit test over
 * every code point below U+3000).  Anything else asks ICU.  c >= 0x80. */
static inline uint32_t cp_class_mb(UChar32 c)
{
	uint32_t k;

	if (c >= 0xC0 && c <= 0x1BF && (k = lat_cls[LAT(0xC0 | c >> 6, 0x80 | (c & 0x3F))]) != 0)
		return k & XCP_ALL;
	if (c >= 0x1E80 && c <= 0x1EFF && (k = e1_cls[E1X(0xBA + ((c >> 6) & 1), 0x80 | (c & 0x3F))]) != 0)
		return k & XCP_ALL;
	if (c == 0xA0)
		return XCP_SPACE;
	if (c >= 0x0300 && c <= 0x036F)
		return XCP_WORD; /* combining marks (NFD input) */
	if (c >= 0x2010 && c <= 0x2027)
		return 0; /* dashes, quotes, bullets, ellipsis */
	return xtext_cp_class_icu(c);
}

static inline uint32_t cp_class(UChar32 c)
{
	if (c < 0x80)
		return c < 0 ? 0 : (byte_cls[c] & XCP_ALL);
	return cp_class_mb(c);
}

uint32_t xtext_cp_class(UChar32 c)
{
	return cp_class(c);
}

static int cp_is_word(UChar32 c)
{
	return (cp_class(c) & XCP_WORD) != 0;
}

int xtext_is_wordchar_at(const char *s, size_t len, size_t i)
{
	UChar32 c;
	int32_t k = (int32_t)i;

	if (i >= len)
		return 0;
	if ((uint8_t)s[i] < 0x80)
		return cp_is_word((UChar32)(uint8_t)s[i]);
	U8_NEXT(s, k, (int32_t)len, c);
	return c >= 0 && cp_is_word(c);
}

int xtext_wordchar_before(const char *s, size_t i)
{
	UChar32 c;
	int32_t k = (int32_t)i;

	if (i == 0)
		return 0;
	if ((uint8_t)s[i - 1] < 0x80)
		return cp_is_word((UChar32)(uint8_t)s[i - 1]);
	U8_PREV(s, 0, k, c);
	return c >= 0 && cp_is_word(c);
}

int xtext_has_combining(const char *s, size_t len)
{
	/* U+0300..U+036F are encoded CC 80..CD AF */
	for (const char *p = memchr(s, 0xCC, len); p; p = memchr(p + 1, 0xCC, len - (size_t)(p + 1 - s)))
		if (p + 1 < s + len && ((uint8_t)p[1] & 0xC0) == 0x80)
			return 1;
	for (const char *p = memchr(s, 0xCD, len); p; p = memchr(p + 1, 0xCD, len - (size_t)(p + 1 - s)))
		if (p + 1 < s + len && (uint8_t)p[1] >= 0x80 && (uint8_t)p[1] <= 0xAF)
			return 1;
	return 0;
}

/* ---------------------------------------------------------- tokenizer */

/* The code point starting at *p (a byte >= 0x80, p < e; *pc, < 0 when
 * ill-formed) and its class with TK_LOWER, advancing *pp past it: exactly
 * what U8_NEXT and cp_class() give.  Why inline decoding: the two-byte
 * letters (C2..DF) and the three-byte ones (E1..EF but ED: U+1000..U+FFFF
 * outside the surrogates, where any two trail bytes are well-formed) are
 * nearly every non-ASCII character of the text; the rest goes through
 * U8_NEXT. */
#if defined(__GNUC__)
#define TK_INLINE inline __attribute__((always_inline))
#else
#define TK_INLINE inline
#endif
static TK_INLINE uint32_t tok_class_mb(const uint8_t *p, const uint8_t *e, const uint8_t **pp, UChar32 *pc,
					 uint32_t kb, const int guarded)
{
	uint8_t b = p[0];
	UChar32 c;
	uint32_t k;
	unsigned t;

	/* The letters of Vietnamese first, from the tables (kb: byte_cls[b];
	 * guarded: e[-1] is ASCII, so p[1] exists, and p[2] once p[1] is not
	 * ASCII).  A table entry is 0 unless its last byte is a trail byte. */
	if ((kb & TK_L2) && (guarded || e - p >= 2) && (k = lat_cls[LAT(b, p[1])]) != 0) {
		*pp = p + 2;
		*pc = (UChar32)((b & 0x1F) << 6 | (p[1] & 0x3F));
		return k;
	}
	if (b == 0xE1 && (guarded || e - p >= 3) && ((t = p[1]) & 0xFE) == 0xBA && (k = e1_cls[E1X(t, p[2])]) != 0) {
		*pp = p + 3;
		*pc = (UChar32)(0x1000 | (t & 0x3F) << 6 | (p[2] & 0x3F));
		return k;
	}
	if (b >= 0xC2 && b <= 0xDF && e - p >= 2 && (p[1] & 0xC0) == 0x80) {
		c = ((UChar32)(b & 0x1F) << 6) | (p[1] & 0x3F);
		*pp = p + 2;
		k = cp_class_mb(c);
	} else if (b >= 0xE1 && b <= 0xEF && b != 0xED && e - p >= 3 && (p[1] & 0xC0) == 0x80 &&
		   (p[2] & 0xC0) == 0x80) {
		c = ((UChar32)(b & 0x0F) << 12) | ((UChar32)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
		*pp = p + 3;
		k = cp_class_mb(c);
	} else {
		int32_t i = 0, n = e - p > INT32_MAX ? INT32_MAX : (int32_t)(e - p);
		U8_NEXT(p, i, n, c);
		*pp = p + i;
		k = c >= 0 ? cp_class_mb(c) : 0;
	}
	*pc = c;
	return k | ((k & (XCP_ALPHA | XCP_UPPER)) == XCP_ALPHA ? TK_LOWER : 0);
}

/* 1 when [p, e) (a token) holds two letters or more. */
static int tok_letters2(const uint8_t *p, const uint8_t *e)
{
	int letters = 0;

	while (p < e) {
		uint32_t k;
		UChar32 c;
		if (*p < 0x80)
			k = byte_cls[*p++];
		else
			k = tok_class_mb(p, e, &p, &c, byte_cls[*p], 0);
		if ((k & XCP_ALPHA) && ++letters >= 2)
			return 1;
	}
	return 0;
}

static int is_sentence_end(UChar32 c)
{
	return c == '.' || c == '!' || c == '?' || c == ':' || c == 0x2026 || c == ';';
}

/* Why this shape: a token is 4-5 characters on average, so what is paid
 * per token (its start, flags and store, the space after it) weighs as
 * much as what is paid per byte; ASCII runs cost one table load a byte. */
#if defined(__GNUC__) && !defined(__clang__)
/* (the four member stores of a token are cheaper than GCC's vector
 * packing of them) */
#define TK_NOSLP __attribute__((optimize("no-tree-slp-vectorize")))
#else
#define TK_NOSLP
#endif
/* A token's flags from character classes (class values < 0x80: no TK_MB
 * nor TK_L2), one load each instead of shifts and masks per token:
 * tok_fl0[the first character's class]: XT_CAP, XT_LOWER;
 * tok_fl1[the OR of all its characters' classes]: XT_ALPHA, XT_DIGIT, and
 * XT_UPPER when its letters may all be upper-case (none lower, one upper
 * at least: it has then still to count two letters). */
#define TKF0(i) ((((i) & XCP_UPPER) ? XT_CAP : 0) | (((i) & TK_LOWER) ? XT_LOWER : 0))
#define TKF1(i)                                                                                  \
	((((i) & XCP_ALPHA) ? XT_ALPHA : 0) | (((i) & XCP_DIGIT) ? XT_DIGIT : 0) |               \
	 ((((i) & (XCP_UPPER | TK_LOWER)) == XCP_UPPER) ? XT_UPPER : 0))
#define TKF4(F, i) F(i), F((i) + 1), F((i) + 2), F((i) + 3)
#define TKF16(F, i) TKF4(F, i), TKF4(F, (i) + 4), TKF4(F, (i) + 8), TKF4(F, (i) + 12)
#define TKF64(F, i) TKF16(F, i), TKF16(F, (i) + 16), TKF16(F, (i) + 32), TKF16(F, (i) + 48)
static const uint8_t tok_fl0[128] = {TKF64(TKF0, 0), TKF64(TKF0, 64)};
static const uint8_t tok_fl1[128] = {TKF64(TKF1, 0), TKF64(TKF1, 64)};
#undef TKF0
#undef TKF1
#undef TKF4
#undef TKF16
#undef TKF64

/* The tokenizer's state between the ranges it is run on. */
struct tkstate {
	const uint8_t *p;  /* next byte */
	struct xtok *tk;   /* the next token's slot in toks->p (room reserved) */
	uint32_t line;     /* line index of the next token */
	uint32_t gapflags; /* of the gap so far; XT_SENT: the next token opens a sentence */
};

/* Tokenizes [st->p, e) of the text s0, going on from st.  guarded (a
 * constant once inlined): e[-1] is an ASCII byte that is no word
 * character, so no token reaches e and the scans inside a token need no
 * bound test.  0 or -ENOMEM. */
static TK_INLINE TK_NOSLP int tokenize_range(struct tkstate *st, const uint8_t *s0, const uint8_t *e,
					     struct xvec *toks, struct xvec *lines, const int guarded)
{
	const uint8_t *p = st->p;
	uint32_t line = st->line, gapflags = st->gapflags;
	struct xspan *cur;
	struct xtok *tk = st->tk;

	while (p < e) {
		const uint8_t *start = p;
		UChar32 c;
		uint32_t k;

		k = byte_cls[*p];
		if (!(k & TK_MB))
			c = *p++;
		else
			k = tok_class_mb(p, e, &p, &c, k, guarded);
		if (k & XCP_WORD) {
			/* any: OR of the classes (TK_LOWER: a lower-case letter) */
			uint32_t any = k, fl0 = tok_fl0[k], fl;

			for (;;) {
				/* the ASCII run: one table load per byte (guarded: the
				 * load of the next byte leads, no bound to test) */
				if (guarded) {
					k = byte_cls[*p];
					while (k & XCP_WORD) {
						any |= k;
						k = byte_cls[*++p];
					}
				} else {
					while (p < e && ((k = byte_cls[*p]) & XCP_WORD)) {
						any |= k;
						p++;
					}
				}
				if ((!guarded && p >= e) || !(k & TK_MB))
					break;
				const uint8_t *q;
				UChar32 cc;
				k = tok_class_mb(p, e, &q, &cc, k, guarded);
				if (!(k & XCP_WORD))
					break;
				any |= k;
				p = q;
			}
			fl = tok_fl1[any];
			/* XT_UPPER: two letters or more, none lower-case; the letters
			 * are counted only for a token that can qualify (rare) */
			if ((fl & XT_UPPER) && !(p - start > 1 && tok_letters2(start, p)))
				fl &= ~(uint32_t)XT_UPPER;
			fl |= fl0 | gapflags;
			tk->start = (uint32_t)(start - s0);
			tk->end = (uint32_t)(p - s0);
			tk->flags = fl;
			tk->line = line;
			tk++;
			/* the commonest gap, one plain space, taken here: what the
			 * gap branch below would make of it */
			gapflags = 0;
			if ((guarded || p < e) && *p == ' ') {
				gapflags = XT_SPACE_BEFORE;
				p++;
			}
			continue;
		}
		/* gap character */
		if (c == '\n') {
			size_t nt = (size_t)(tk - (struct xtok *)toks->p);
			/* close the line; a line without tokens is reused */
			cur = &XVEC_AT(lines, struct xspan, lines->len - 1);
			cur->end = (uint32_t)(start - s0);
			cur->tok1 = (uint32_t)nt;
			if (cur->tok1 > cur->tok0) {
				if (!(cur = xvec_push(lines))) {
					toks->len = nt;
					return -ENOMEM;
				}
				line++;
			}
			cur->start = (uint32_t)(p - s0);
			cur->tok0 = (uint32_t)nt;
			gapflags |= XT_NEWLINE_BEFORE | XT_SENT;
		} else if (k & XCP_SPACE) {
			if (!(gapflags & (XT_PUNCT_BEFORE | XT_NEWLINE_BEFORE)))
				gapflags |= XT_SPACE_BEFORE;
		} else {
			gapflags |= XT_PUNCT_BEFORE;
			gapflags &= ~(uint32_t)XT_SPACE_BEFORE;
			if (is_sentence_end(c))
				gapflags |= XT_SENT;
		}
	}
	toks->len = (size_t)(tk - (struct xtok *)toks->p);
	st->p = p;
	st->tk = tk;
	st->line = line;
	st->gapflags = gapflags;
	return 0;
}

TK_NOSLP int xtext_tokenize(const char *s, size_t len, struct xvec *toks, struct xvec *lines)
{
	int32_t n = (int32_t)len;
	const uint8_t *const s0 = (const uint8_t *)s, *const e = s0 + (n > 0 ? n : 0), *g = e;
	struct tkstate st = {.p = s0, .line = 0, .gapflags = XT_SENT | XT_SPACE_BEFORE};
	struct xspan *cur;

	toks->len = 0;
	lines->len = 0;
	if (!(cur = xvec_push(lines)))
		return -ENOMEM;
	cur->start = 0;
	cur->tok0 = 0;
	/* room for every token at once, so that no token tests it: a token
	 * takes a byte at least, and a gap one at least lies between two */
	if (xvec_reserve(toks, (size_t)(e - s0 + 1) / 2 + 1) < 0)
		return -ENOMEM;
	st.tk = toks->p;
	/* the text up to its last ASCII non-word byte runs guarded (texts
	 * mostly end with a word: a byline, a source) */
	while (g > s0 && (g[-1] >= 0x80 || (byte_cls[g[-1]] & XCP_WORD)))
		g--;
	if (g > s0 && tokenize_range(&st, s0, g, toks, lines, 1) < 0)
		return -ENOMEM;
	if (tokenize_range(&st, s0, e, toks, lines, 0) < 0)
		return -ENOMEM;
	cur = &XVEC_AT(lines, struct xspan, lines->len - 1);
	cur->end = (uint32_t)len;
	cur->tok1 = (uint32_t)toks->len;
	if (cur->tok1 == cur->tok0 && lines->len > 1)
		lines->len--;
	/* Trim line spans to their first and last non-space bytes. */
	for (size_t l = 0; l < lines->len; l++) {
		struct xspan *sp = &XVEC_AT(lines, struct xspan, l);
		while (sp->start < sp->end && (s[sp->start] == ' ' || s[sp->start] == '\t' || s[sp->start] == '\r'))
			sp->start++;
		while (sp->end > sp->start && (s[sp->end - 1] == ' ' || s[sp->end - 1] == '\t' || s[sp->end - 1] == '\r'))
			sp->end--;
		/* NBSP (C2 A0) at either end */
		while (sp->end - sp->start >= 2 && (uint8_t)s[sp->start] == 0xC2 && (uint8_t)s[sp->start + 1] == 0xA0)
			sp->start += 2;
		while (sp->end - sp->start >= 2 && (uint8_t)s[sp->end - 2] == 0xC2 && (uint8_t)s[sp->end - 1] == 0xA0)
			sp->end -= 2;
	}
	return 0;
}

/* ---------------------------------------------------------------- case */

static long casemap(int op, const char *s, size_t n, char *out, size_t cap)
{
	UErrorCode ec = U_ZERO_ERROR;
	UCaseMap *cm = NULL;
	int32_t r;

	/* ASCII fast path */
	size_t k;
	for (k = 0; k < n && (uint8_t)s[k] < 0x80; k++)
		;
	if (k == n && op != 2) {
		if (n > cap)
			return -1;
		for (k = 0; k < n; k++) {
			char c = s[k];
			out[k] = op == 0 ? (char)((c >= 'A' && c <= 'Z') ? c + 32 : c)
					 : (char)((c >= 'a' && c <= 'z') ? c - 32 : c);
		}
		return (long)n;
	}
	cm = ucasemap_open("", 0, &ec);
	if (U_FAILURE(ec))
		return -1;
	if (op == 0)
		r = ucasemap_utf8ToLower(cm, out, (int32_t)cap, s, (int32_t)n, &ec);
	else if (op == 1)
		r = ucasemap_utf8ToUpper(cm, out, (int32_t)cap, s, (int32_t)n, &ec);
	else
		r = ucasemap_utf8ToTitle(cm, out, (int32_t)cap, s, (int32_t)n, &ec);
	ucasemap_close(cm);
	if (U_FAILURE(ec) || ec == U_STRING_NOT_TERMINATED_WARNING)
		return U_FAILURE(ec) ? -1 : r;
	return r;
}

long xcase_lower(const char *s, size_t n, char *out, size_t cap)
{
	return casemap(0, s, n, out, cap);
}

long xcase_upper(const char *s, size_t n, char *out, size_t cap)
{
	return casemap(1, s, n, out, cap);
}

long xcase_title_words(const char *s, size_t n, char *out, size_t cap)
{
	return casemap(2, s, n, out, cap);
}

long xcase_title_first(const char *s, size_t n, char *out, size_t cap)
{
	int32_t i = 0, a = 0;
	UChar32 c;
	long m;

	if (n == 0)
		return 0;
	/* the first letter, after any leading punctuation: "(thực hiện)" is
	 * printed "(Thực hiện)" */
	for (;;) {
		a = i;
		U8_NEXT(s, i, (int32_t)n, c);
		if (c < 0)
			return -1;
		if (u_isalpha(c) || i >= (int32_t)n)
			break;
	}
	if ((size_t)a > cap)
		return -1;
	memcpy(out, s, (size_t)a);
	m = casemap(1, s + a, (size_t)(i - a), out + a, cap - (size_t)a);
	if (m < 0 || (size_t)a + (size_t)m + (n - (size_t)i) > cap)
		return -1;
	memcpy(out + a + m, s + i, n - (size_t)i);
	return a + m + (long)(n - (size_t)i);
}

/* ---------------------------------------------------------------- tone */

/* The table path.  Nearly every string canonicalised is NFC made of ASCII
 * and precomposed Latin letters.  For those, NFD, the tone move and NFC can
 * be done letter by letter on the UTF-8 from a table instead of converting
 * to UTF-16 and running ICU's two normalisers (about 1,300 instructions a
 * name or syllable, 11% of process()).  The table is built at init by
 * asking ICU about every code point of the ranges below: no Unicode data is
 * written here.  Whatever the table cannot vouch for (combining marks in
 * the input, other scripts, a recomposition it lacks) takes the ICU path,
 * xtone_canon_icu(), which stays the reference the table path is tested
 * against, byte for byte. */
#define XTC_LO_END 0x250u  /* U+0000..U+024F: ASCII, Latin-1, Latin Extended-A and -B */
#define XTC_HI_BEG 0x1E00u /* U+1E00..U+1EFF: Latin Extended Additional */
#define XTC_HI_END 0x1F00u
#define XTC_NCP ((int)(XTC_LO_END + (XTC_HI_END - XTC_HI_BEG)))
#define XTC_MAXM 3         /* combining marks of one letter's NFD (Latin letters have <= 2) */
#define XTC_MAXU 64        /* place_tone() leaves syllables longer than this (NFD units) alone */
#define XTC_FALLBACK (-2)  /* canon_table(): ask ICU */

enum {
	XTC_OK = 1,    /* the table path may take it: see build_table() */
	XTC_ALPHA = 2, /* a letter: part of a syllable */
	XTC_VOWEL = 4, /* its lower-cased base is one of the pack's vowels */
	XTC_QUAL = 8,  /* carries a vowel-quality mark */
};

/* One code point as place_tone() sees it in the NFD. */
struct xtone_cp {
	UChar base;          /* first unit of the NFD, a starter */
	UChar lower;         /* u_tolower(base) */
	UChar mark[XTC_MAXM]; /* the rest of the NFD: combining marks in canonical order */
	uint8_t nmarks;
	uint8_t flags;  /* XTC_* */
	uint8_t ntones; /* how many of the marks are tone marks */
	uint8_t tone;   /* index in mark[] of the tone mark (when ntones == 1) */
};

/* NFD -> code point, for recomposing the two letters a tone moved between. */
struct xtone_comp {
	uint64_t key; /* base and marks, 16 bits each, from the top */
	uint32_t cp;
};

struct xtone {
	UChar marks[8];      /* tone marks (combining) */
	int nmarks;
	UChar quality[8];    /* vowel-quality marks: the vowel carrying one takes the tone */
	int nquality;
	UChar vowels[16];    /* lower-case base vowels */
	int nvowels;
	UChar glide_pairs[8][2]; /* consonant + vowel read as one consonant (qu, gi) */
	int nglide;
	UChar second_pairs[8][2]; /* open two-vowel nuclei toned on the second vowel
				   * in the non-canonical style */
	int nsecond;
	int canonical_second; /* 1: canonical style tones those pairs on the second vowel */
	const UNormalizer2 *nfd, *nfc;
	struct xtone_cp cps[XTC_NCP]; /* by xtc_index() */
	struct xtone_comp comp[XTC_NCP]; /* sorted by key */
	int ncomp;
};

static int read_units(const struct newsd_host *h, const struct newsd_config *c, const char *key,
		      UChar *out, int max)
{
	int n = 0;
	size_t len = h->cfg_list_len(c, key);

	for (size_t i = 0; i < len && n < max; i++) {
		const char *s = h->cfg_list_str(c, key, i);
		UChar u[4];
		int32_t ul = 0;
		UErrorCode ec = U_ZERO_ERROR;
		if (!s)
			continue;
		u_strFromUTF8(u, 4, &ul, s, -1, &ec);
		if (U_SUCCESS(ec) && ul == 1)
			out[n++] = u[0];
	}
	return n;
}

static int read_pairs(const struct newsd_host *h, const struct newsd_config *c, const char *key,
		      UChar out[][2], int max)
{
	int n = 0;
	size_t len = h->cfg_list_len(c, key);

	for (size_t i = 0; i < len && n < max; i++) {
		const char *s = h->cfg_list_str(c, key, i);
		UChar u[4];
		int32_t ul = 0;
		UErrorCode ec = U_ZERO_ERROR;
		if (!s)
			continue;
		u_strFromUTF8(u, 4, &ul, s, -1, &ec);
		if (U_SUCCESS(ec) && ul == 2) {
			out[n][0] = u[0];
			out[n][1] = u[1];
			n++;
		}
	}
	return n;
}

static int in_set(const UChar *set, int n, UChar c)
{
	for (int i = 0; i < n; i++)
		if (set[i] == c)
			return 1;
	return 0;
}

/* Table slot of code point c, or -1 outside the ranges. */
static inline int xtc_index(uint32_t c)
{
	if (c < XTC_LO_END)
		return (int)c;
	if (c - XTC_HI_BEG < XTC_HI_END - XTC_HI_BEG)
		return (int)(c - XTC_HI_BEG + XTC_LO_END);
	return -1;
}

static uint64_t xtc_key(UChar base, const UChar *m, int nm)
{
	uint64_t k = (uint64_t)base << 48;

	for (int i = 0; i < nm; i++)
		k |= (uint64_t)m[i] << (32 - 16 * i);
	return k;
}

static int comp_cmp(const void *a, const void *b)
{
	const struct xtone_comp *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* Fills t->cps and t->comp.  A code point is XTC_OK when every step of the
 * ICU path can be done on it letter by letter and give the same bytes:
 *  - NFC leaves it alone and it has an NFC boundary before it, so NFC of a
 *    string of such letters is the string itself (copied through);
 *  - its NFD is a starter with an NFC boundary before it plus at most
 *    XTC_MAXM marks, so the NFD of the string is the concatenation of the
 *    letters' NFDs and the NFC of an edited NFD can be done per letter;
 *  - the starter is a letter when there are marks (the ICU path cuts
 *    syllables at non-letters and marks join the run: with a non-letter
 *    base the two would disagree), and the starter alone is XTC_OK too, so
 *    taking the tone off it recomposes to a known code point. */
static void build_table(struct xtone *t)
{
	for (int i = 0; i < XTC_NCP; i++) {
		UChar32 c = i < (int)XTC_LO_END ? i : i - (int)XTC_LO_END + (int)XTC_HI_BEG;
		struct xtone_cp *e = &t->cps[i];
		UChar one = (UChar)c, d[8];
		UErrorCode ec = U_ZERO_ERROR;
		int32_t dl;
		int ok = 1;

		memset(e, 0, sizeof(*e));
		if (!unorm2_isNormalized(t->nfc, &one, 1, &ec) || U_FAILURE(ec) ||
		    !unorm2_hasBoundaryBefore(t->nfc, c))
			continue;
		dl = unorm2_getDecomposition(t->nfd, c, d, (int32_t)(sizeof(d) / sizeof(d[0])), &ec);
		if (U_FAILURE(ec))
			continue;
		if (dl < 0) { /* no decomposition: its own NFD */
			d[0] = one;
			dl = 1;
		}
		if (dl - 1 > XTC_MAXM || u_getCombiningClass(d[0]) != 0 || U16_IS_SURROGATE(d[0]) ||
		    !unorm2_hasBoundaryBefore(t->nfc, d[0]) || in_set(t->marks, t->nmarks, d[0]))
			continue;
		e->base = d[0];
		e->lower = (UChar)u_tolower(d[0]);
		e->nmarks = (uint8_t)(dl - 1);
		if (u_isalpha(d[0]))
			e->flags |= XTC_ALPHA;
		else if (dl > 1)
			ok = 0;
		if (in_set(t->vowels, t->nvowels, e->lower))
			e->flags |= XTC_VOWEL;
		for (int k = 1; k < dl; k++) {
			UChar m = d[k];
			if (U16_IS_SURROGATE(m) || u_getCombiningClass(m) == 0)
				ok = 0;
			e->mark[k - 1] = m;
			if (in_set(t->marks, t->nmarks, m)) {
				e->ntones++;
				e->tone = (uint8_t)(k - 1);
			}
			if (in_set(t->quality, t->nquality, m))
				e->flags |= XTC_QUAL;
		}
		if (ok)
			e->flags |= XTC_OK;
	}
	t->ncomp = 0;
	for (int i = 0; i < XTC_NCP; i++) {
		struct xtone_cp *e = &t->cps[i];
		int b;
		if (!(e->flags & XTC_OK) || !e->nmarks)
			continue;
		b = xtc_index(e->base);
		if (b < 0 || !(t->cps[b].flags & XTC_OK) || t->cps[b].nmarks) {
			e->flags &= (uint8_t)~XTC_OK;
			continue;
		}
		t->comp[t->ncomp].key = xtc_key(e->base, e->mark, e->nmarks);
		t->comp[t->ncomp].cp = (uint32_t)(i < (int)XTC_LO_END ? i : i - (int)XTC_LO_END + (int)XTC_HI_BEG);
		t->ncomp++;
	}
	qsort(t->comp, (size_t)t->ncomp, sizeof(t->comp[0]), comp_cmp);
}

struct xtone *xtone_new(const struct newsd_host *h, const struct newsd_config *c, char *err,
			size_t errlen)
{
	struct xtone *t;
	UErrorCode ec = U_ZERO_ERROR;
	const char *style;

	if (!c)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->nfd = unorm2_getNFDInstance(&ec);
	t->nfc = unorm2_getNFCInstance(&ec);
	if (U_FAILURE(ec)) {
		snprintf(err, errlen, "ICU normalizer: %s", u_errorName(ec));
		free(t);
		return NULL;
	}
	t->nmarks = read_units(h, c, "marks", t->marks, 8);
	t->nquality = read_units(h, c, "quality_marks", t->quality, 8);
	t->nvowels = read_units(h, c, "vowels", t->vowels, 16);
	t->nglide = read_pairs(h, c, "onset_glides", t->glide_pairs, 8);
	t->nsecond = read_pairs(h, c, "second_vowel_pairs", t->second_pairs, 8);
	style = h->cfg_str(c, "canonical_style");
	t->canonical_second = style && strcmp(style, "second") == 0;
	if (!t->nmarks || !t->nvowels) {
		snprintf(err, errlen, "tone section needs `marks` and `vowels`");
		free(t);
		return NULL;
	}
	build_table(t);
	return t;
}

void xtone_free(struct xtone *t)
{
	free(t);
}

/* Which of the nb base letters of one syllable takes its tone, from their
 * lower-cased forms, vowel flags and quality-mark flags; -1 when the rules
 * do not apply.  place_tone() and the table path both call it, so the two
 * cannot disagree on the rules. */
static int tone_target(const struct xtone *t, const UChar *lc, const uint8_t *isv,
		       const uint8_t *hasq, int nb, int other)
{
	int v0 = -1, v1;
	for (int b = 0; b < nb; b++)
		if (isv[b]) {
			v0 = b;
			break;
		}
	if (v0 < 0)
		return -1;
	/* onset glides: qu, gi (when another vowel follows) */
	if (v0 > 0 && v0 + 1 < nb && isv[v0 + 1]) {
		UChar pc = lc[v0 - 1], vc = lc[v0];
		for (int g = 0; g < t->nglide; g++)
			if (t->glide_pairs[g][0] == pc && t->glide_pairs[g][1] == vc && !hasq[v0]) {
				v0++;
				break;
			}
	}
	v1 = v0;
	while (v1 < nb && isv[v1])
		v1++;
	for (int b = v1; b < nb; b++)
		if (isv[b])
			return -1; /* two vowel groups: not one syllable */
	int nv = v1 - v0, target = -1;
	if (nv == 0 || nv > 3)
		return -1;
	for (int b = v0; b < v1; b++)
		if (hasq[b])
			target = b; /* the last vowel carrying a quality mark */
	if (target < 0) {
		if (nv == 1)
			target = v0;
		else if (v1 < nb)
			target = v1 - 1; /* closed syllable: last vowel */
		else if (nv == 3)
			target = v0 + 1;
		else {
			int second = 0;
			UChar a = lc[v0], b = lc[v0 + 1];
			for (int p = 0; p < t->nsecond; p++)
				if (t->second_pairs[p][0] == a && t->second_pairs[p][1] == b)
					second = 1;
			int use_second = second && (t->canonical_second ? !other : other);
			target = use_second ? v0 + 1 : v0;
		}
	}
	return target;
}

/* One syllable (no spaces) in NFD, d[0..n): moves its tone mark in place
 * (the length does not change); leaves d alone when the rules do not apply. */
static void place_tone(const struct xtone *t, UChar *d, int32_t n, int other)
{
	int base_idx[XTC_MAXU], nb = 0, tone_at = -1, ntones = 0;
	UChar tone = 0, lc[XTC_MAXU];
	uint8_t isv[XTC_MAXU], hasq[XTC_MAXU];

	if (n > XTC_MAXU)
		return;
	for (int i = 0; i < n; i++) {
		if (in_set(t->marks, t->nmarks, d[i])) {
			tone_at = i;
			tone = d[i];
			ntones++;
		} else if (u_getCombiningClass(d[i]) == 0) {
			base_idx[nb++] = i;
		}
	}
	if (ntones != 1 || nb == 0)
		return;
	/* vowel flags per base letter */
	for (int b = 0; b < nb; b++) {
		int end = b + 1 < nb ? base_idx[b + 1] : n;
		lc[b] = (UChar)u_tolower(d[base_idx[b]]);
		isv[b] = (uint8_t)in_set(t->vowels, t->nvowels, lc[b]);
		hasq[b] = 0;
		for (int k = base_idx[b] + 1; k < end; k++)
			if (in_set(t->quality, t->nquality, d[k]))
				hasq[b] = 1;
	}
	int target = tone_target(t, lc, isv, hasq, nb, other);
	if (target < 0)
		return;
	/* remove the tone, insert it after the target letter's other marks */
	int ins = base_idx[target] + 1;
	while (ins < n && u_getCombiningClass(d[ins]) > 0 && ins != tone_at)
		ins++;
	if (ins == tone_at)
		return; /* already there */
	if (tone_at < ins) {
		memmove(d + tone_at, d + tone_at + 1, (size_t)(ins - 1 - tone_at) * sizeof(UChar));
		d[ins - 1] = tone;
	} else if (tone_at > ins) {
		memmove(d + ins + 1, d + ins, (size_t)(tone_at - ins) * sizeof(UChar));
		d[ins] = tone;
	}
}

/* NFC of base + marks (marks in canonical order): the code point whose NFD
 * that is, or 0 when the table has none (the ICU path then decides). */
static uint32_t xtc_compose(const struct xtone *t, UChar base, const UChar *m, int nm)
{
	uint64_t key;
	int lo = 0, hi = t->ncomp;

	if (nm == 0)
		return base; /* build_table() checked the base alone is XTC_OK */
	if (nm > XTC_MAXM)
		return 0;
	key = xtc_key(base, m, nm);
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (t->comp[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->ncomp && t->comp[lo].key == key ? t->comp[lo].cp : 0;
}

static size_t put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	o[0] = (char)(0xE0 | (c >> 12));
	o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[2] = (char)(0x80 | (c & 0x3F));
	return 3;
}

/* Appends len bytes to out[*o..cap); -1 when they do not fit. */
static int put(char *out, size_t cap, size_t *o, const void *p, size_t len)
{
	if (len > cap - *o)
		return -1;
	memcpy(out + *o, p, len);
	*o += len;
	return 0;
}

/* The table path of xtone_canon() (t != NULL): bytes written, -1 when out
 * is too small, XTC_FALLBACK when the string needs ICU.  The input is copied
 * through except where a syllable's tone moves: only the two letters it
 * moves between are re-encoded. */
static long canon_table(const struct xtone *t, const char *s, size_t n, char *out, size_t cap,
			int other)
{
	const uint8_t *p = (const uint8_t *)s;
	const struct xtone_cp *let[XTC_MAXU]; /* the current syllable's letters */
	size_t off[XTC_MAXU + 1];                /* and their byte offsets */
	size_t i = 0, done = 0, o = 0;
	int nl = 0, units = 0, ntones = 0, tl = 0;

	for (;;) {
		const struct xtone_cp *e = NULL;
		size_t len = 0;
		if (i < n) {
			uint32_t c = p[i];
			int x;
			if (c < 0x80) {
				len = 1;
			} else if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
				c = ((c & 0x1F) << 6) | (p[i + 1] & 0x3F);
				len = 2;
			} else if (c == 0xE1 && i + 2 < n && p[i + 1] >= 0xB8 && p[i + 1] <= 0xBB &&
				   (p[i + 2] & 0xC0) == 0x80) { /* U+1E00..U+1EFF */
				c = 0x1000 | ((uint32_t)(p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
				len = 3;
			} else {
				return XTC_FALLBACK;
			}
			x = xtc_index(c);
			if (x < 0 || !(t->cps[x].flags & XTC_OK))
				return XTC_FALLBACK;
			e = &t->cps[x];
			if (e->flags & XTC_ALPHA) {
				if (nl < XTC_MAXU) {
					let[nl] = e;
					off[nl] = i;
				}
				nl++;
				units += 1 + e->nmarks;
				if (e->ntones) {
					ntones += e->ntones;
					tl = nl - 1;
				}
				i += len;
				continue;
			}
		}
		/* a syllable ends at i: place_tone() acts on one tone in <= XTC_MAXU units */
		if (ntones == 1 && units <= XTC_MAXU) {
			UChar lc[XTC_MAXU];
			uint8_t isv[XTC_MAXU], hasq[XTC_MAXU];
			for (int b = 0; b < nl; b++) {
				lc[b] = let[b]->lower;
				isv[b] = (let[b]->flags & XTC_VOWEL) != 0;
				hasq[b] = (let[b]->flags & XTC_QUAL) != 0;
			}
			int tg = tone_target(t, lc, isv, hasq, nl, other);
			if (tg >= 0 && tg != tl) {
				/* the tone leaves letter tl for letter tg, which puts it
				 * after its marks and NFC reorders by combining class */
				const struct xtone_cp *src = let[tl], *dst = let[tg];
				UChar tone = src->mark[src->tone], sm[XTC_MAXM], dm[XTC_MAXM + 1];
				uint8_t tcc = u_getCombiningClass(tone);
				int ns = 0, nd = 0, a = tl < tg ? tl : tg, z = tl < tg ? tg : tl;
				uint32_t sc, dc;
				char enc[3];
				for (int k = 0; k < src->nmarks; k++)
					if (k != src->tone)
						sm[ns++] = src->mark[k];
				for (int k = 0; k < dst->nmarks; k++) {
					if (nd == k && u_getCombiningClass(dst->mark[k]) > tcc)
						dm[nd++] = tone;
					dm[nd++] = dst->mark[k];
				}
				if (nd == dst->nmarks)
					dm[nd++] = tone;
				sc = xtc_compose(t, src->base, sm, ns);
				dc = xtc_compose(t, dst->base, dm, nd);
				if (!sc || !dc)
					return XTC_FALLBACK;
				off[nl] = i;
				if (put(out, cap, &o, s + done, off[a] - done) < 0 ||
				    put(out, cap, &o, enc, put_utf8(enc, a == tl ? sc : dc)) < 0 ||
				    put(out, cap, &o, s + off[a + 1], off[z] - off[a + 1]) < 0 ||
				    put(out, cap, &o, enc, put_utf8(enc, z == tl ? sc : dc)) < 0)
					return -1;
				done = off[z + 1];
			}
		}
		nl = units = ntones = 0;
		if (i >= n)
			break;
		i += len;
	}
	if (put(out, cap, &o, s + done, n - done) < 0)
		return -1;
	return (long)o;
}

/* The last step of both ICU paths: NFC of src[0..len) (through tmp, tcap
 * units) written to out as UTF-8.  Its length, or -1 when ICU fails or out
 * is too small. */
static long nfc_utf8(const UNormalizer2 *nfc, const UChar *src, int32_t len, UChar *tmp, int32_t tcap,
		     char *out, size_t cap)
{
	UErrorCode ec = U_ZERO_ERROR;
	int32_t tl = unorm2_normalize(nfc, src, len, tmp, tcap, &ec), ol = 0;

	if (U_FAILURE(ec))
		return -1;
	u_strToUTF8(out, (int32_t)cap, &ol, tmp, tl, &ec);
	if (U_FAILURE(ec) || (size_t)ol > cap)
		return -1;
	return ol;
}

/* xtone_canon() without a tone section: NFC only.  NFC(NFD(s)) is NFC(s),
 * so the reference's NFD pass is skipped, and a string ICU's quick check
 * finds NFC already (nearly all of them) is copied through. */
static long canon_nfc(const char *s, size_t n, char *out, size_t cap)
{
	/* UTF-16 takes at most one unit per UTF-8 byte; NFC may grow it, so
	 * the composing pass gets the reference's n * 4 + 8 (and a buffer of
	 * its own only when it runs: titles stay on the stack) */
	UChar stackbuf[1024], stackd[1024];
	UChar *u = stackbuf, *d = stackd;
	int32_t ul = 0, ucap = 1024, dcap = 1024;
	UErrorCode ec = U_ZERO_ERROR;
	long rc = -1;
	const UNormalizer2 *nfc = unorm2_getNFCInstance(&ec);

	if (U_FAILURE(ec))
		return -1;
	if (n + 1 > (size_t)ucap) {
		ucap = (int32_t)(n + 1);
		if (!(u = malloc((size_t)ucap * sizeof(UChar))))
			goto out;
	}
	u_strFromUTF8(u, ucap, &ul, s, (int32_t)n, &ec);
	if (U_FAILURE(ec))
		goto out;
	if (unorm2_spanQuickCheckYes(nfc, u, ul, &ec) == ul && U_SUCCESS(ec)) {
		if (n <= cap) {
			memcpy(out, s, n);
			rc = (long)n;
		}
		goto out;
	}
	ec = U_ZERO_ERROR;
	if (n * 4 + 8 > (size_t)dcap) {
		dcap = (int32_t)(n * 4 + 8);
		if (!(d = malloc((size_t)dcap * sizeof(UChar))))
			goto out;
	}
	rc = nfc_utf8(nfc, u, ul, d, dcap, out, cap);
out:
	if (u != stackbuf)
		free(u);
	if (d != stackd)
		free(d);
	return rc;
}

/* ASCII is its own NFD and NFC and carries no tone mark: copied as is,
 * no ICU.  1 when s is ASCII (*rc: its length, or -1 when it does not fit
 * in cap), else 0. */
static int ascii_canon(const char *s, size_t n, char *out, size_t cap, long *rc)
{
	size_t k;

	for (k = 0; k < n && (uint8_t)s[k] < 0x80; k++)
		;
	if (k < n)
		return 0;
	*rc = n > cap ? -1 : (long)n;
	if (n <= cap)
		memcpy(out, s, n);
	return 1;
}

long xtone_canon(const struct xtone *t, const char *s, size_t n, char *out, size_t cap,
		 int other_style)
{
	long rc;

	if (ascii_canon(s, n, out, cap, &rc))
		return rc;
	if (!t)
		return canon_nfc(s, n, out, cap);
	rc = canon_table(t, s, n, out, cap, other_style);
	if (rc == XTC_FALLBACK)
		rc = xtone_canon_icu(t, s, n, out, cap, other_style);
	return rc;
}

long xtone_canon_icu(const struct xtone *t, const char *s, size_t n, char *out, size_t cap,
		     int other_style)
{
	UChar stackbuf[512], stackd[512];
	UChar *u = stackbuf, *d = stackd;
	int32_t ul = 0, dl;
	UErrorCode ec = U_ZERO_ERROR;
	long rc = -1;
	const UNormalizer2 *nfd, *nfc;

	if (ascii_canon(s, n, out, cap, &rc))
		return rc;
	nfd = t ? t->nfd : unorm2_getNFDInstance(&ec);
	nfc = t ? t->nfc : unorm2_getNFCInstance(&ec);
	if (U_FAILURE(ec))
		return -1;
	int32_t ucap = 512, dcap = 512;
	if (n * 4 + 8 > 512) {
		ucap = dcap = (int32_t)(n * 4 + 8);
		u = malloc((size_t)ucap * sizeof(UChar));
		d = malloc((size_t)dcap * sizeof(UChar));
		if (!u || !d)
			goto out;
	}
	u_strFromUTF8(u, ucap, &ul, s, (int32_t)n, &ec);
	if (U_FAILURE(ec))
		goto out;
	dl = unorm2_normalize(nfd, u, ul, d, dcap, &ec);
	if (U_FAILURE(ec))
		goto out;
	if (t) {
		/* syllable by syllable: runs of letters and marks */
		int32_t i = 0;
		while (i < dl) {
			while (i < dl && !(u_isalpha(d[i]) || u_getCombiningClass(d[i]) > 0))
				i++;
			int32_t j = i;
			while (j < dl && (u_isalpha(d[j]) || u_getCombiningClass(d[j]) > 0))
				j++;
			if (j > i)
				place_tone(t, d + i, j - i, other_style);
			i = j;
		}
	}
	rc = nfc_utf8(nfc, d, dl, u, ucap, out, cap);
out:
	if (u != stackbuf)
		free(u);
	if (d != stackd)
		free(d);
	return rc;
}
