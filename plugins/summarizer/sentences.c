/* sentences.c — ICU sentence breaks plus news rules; see sentences.h. */
#include "sentences.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#define ELLIPSIS 0x2026

UChar32 sz_lower_icu(UChar32 c)
{
	return u_tolower(c);
}

int sz_is_word_char_icu(UChar32 c)
{
	return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK | U_GC_MN_MASK | U_GC_MC_MASK)) != 0;
}

static int is_newline(UChar c)
{
	return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029 || c == 0x85;
}

static int is_space(UChar32 c)
{
	if (c < 0x80)
		return c == ' ' || (c >= '\t' && c <= '\r');
	return u_isUWhiteSpace(c) || c == 0xFEFF;
}

/* Is c a character sentences.c looks at again (terminator or quote)? */
static int is_mark(const struct sz_rules *r, UChar c)
{
	if (c == '.' || c == '!' || c == '?' || c == ELLIPSIS)
		return 1;
	for (int k = 0; k < r->n_quotes; k++)
		if (c == r->q_open[k] || c == r->q_close[k])
			return 1;
	return 0;
}

void sz_rules_free(struct sz_rules *r)
{
	free(r->abbr);
	free(r->abbr_off);
	memset(r, 0, sizeof(*r));
}

int sz_seg_init(struct sz_seg *g, const char *locale, const struct sz_rules *rules, char *err,
		size_t errlen)
{
	UErrorCode st = U_ZERO_ERROR;

	memset(g, 0, sizeof(*g));
	g->rules = rules;
	g->bi = ubrk_open(UBRK_SENTENCE, locale, NULL, 0, &st);
	if (U_FAILURE(st)) {
		snprintf(err, errlen, "ICU sentence iterator for '%s': %s", locale, u_errorName(st));
		g->bi = NULL;
		return -1;
	}
	for (int c = 0; c < 128; c++)
		g->amark[c] = (uint8_t)is_mark(rules, (UChar)c);
	g->mark_min = ELLIPSIS;
	g->mark_max = ELLIPSIS;
	for (int k = 0; k < rules->n_quotes; k++) {
		UChar q[2] = {rules->q_open[k], rules->q_close[k]};
		for (int j = 0; j < 2; j++)
			if (q[j] >= 0x80) {
				if (q[j] < g->mark_min)
					g->mark_min = q[j];
				if (q[j] > g->mark_max)
					g->mark_max = q[j];
			}
	}
	g->nfd = unorm2_getNFDInstance(&st);
	if (U_FAILURE(st)) {
		snprintf(err, errlen, "ICU NFD: %s", u_errorName(st));
		ubrk_close(g->bi);
		g->bi = NULL;
		return -1;
	}
	return 0;
}

void sz_seg_free(struct sz_seg *g)
{
	if (g->bi)
		ubrk_close(g->bi);
	free(g->u);
	free(g->u2b);
	free(g->cand);
	free(g->marks);
	free(g->s);
	memset(g, 0, sizeof(*g));
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* UTF-8 -> UTF-16 with a map from each unit back to its byte offset, and
 * the positions of terminators and quotes (g->marks), in one pass. */
static int to_utf16(struct sz_seg *g, const char *text, size_t len)
{
	size_t need = len + 1;
	size_t cap = (size_t)g->ucap;
	int32_t i = 0, n = 0;
	size_t nm = 0;

	if (len > INT32_MAX / 2)
		return -1;
	if (need > cap) {
		UChar *u = realloc(g->u, need * sizeof(*u));
		uint32_t *m;
		int32_t *mk;

		if (!u)
			return -1;
		g->u = u;
		m = realloc(g->u2b, need * sizeof(*m));
		if (!m)
			return -1;
		g->u2b = m;
		mk = realloc(g->marks, need * sizeof(*mk));
		if (!mk)
			return -1;
		g->marks = mk;
		g->ucap = (int32_t)need;
	}
	{
		/* fast path: ICU's converter, then byte offsets from the code
		 * points (valid UTF-8 has one encoding length per code point) */
		UErrorCode st = U_ZERO_ERROR;
		uint32_t b = 0;

		u_strFromUTF8(g->u, g->ucap, &n, text, (int32_t)len, &st);
		if (U_SUCCESS(st)) {
			for (int32_t k = 0; k < n; k++) {
				UChar c = g->u[k];
				g->u2b[k] = b;
				if (c < 0x80) {
					if (g->amark[c])
						g->marks[nm++] = k;
					b += 1;
				} else if (c < 0x800) {
					b += 2;
				} else if (U16_IS_LEAD(c)) {
					g->u2b[++k] = b; /* trail unit of a 4-byte sequence */
					b += 4;
				} else {
					if (c >= g->mark_min && c <= g->mark_max &&
					    is_mark(g->rules, c))
						g->marks[nm++] = k;
					b += 3;
				}
			}
			g->u2b[n] = b;
			g->ulen = n;
			g->nmarks = nm;
			return 0;
		}
		n = 0;
	}
	/* invalid UTF-8: decode by hand-off to ICU's macro, U+FFFD for bad bytes */
	while (i < (int32_t)len) {
		int32_t at = i;
		UChar32 c;
		UBool bad = 0;

		if ((uint8_t)text[i] < 0x80) {
			uint8_t b = (uint8_t)text[i];
			if (g->amark[b])
				g->marks[nm++] = n;
			g->u2b[n] = (uint32_t)i;
			g->u[n++] = (UChar)b;
			i++;
			continue;
		}
		U8_NEXT((const uint8_t *)text, i, (int32_t)len, c);
		if (c < 0)
			c = 0xFFFD;
		g->u2b[n] = (uint32_t)at;
		if (U_IS_BMP(c)) {
			if (is_mark(g->rules, (UChar)c))
				g->marks[nm++] = n;
			g->u[n++] = (UChar)c;
		} else {
			g->u2b[n + 1] = (uint32_t)at;
			U16_APPEND(g->u, n, g->ucap, c, bad);
		}
		(void)bad;
	}
	g->u2b[n] = (uint32_t)len;
	g->ulen = n;
	g->nmarks = nm;
	return 0;
}

static int add_cand(struct sz_seg *g, int32_t b)
{
	if (grow((void **)&g->cand, &g->candcap, g->ncand + 1, sizeof(*g->cand)) < 0)
		return -1;
	g->cand[g->ncand++] = b;
	return 0;
}

/* Inserts b into the sorted candidate list (extra splits are rare). */
static int insert_cand(struct sz_seg *g, int32_t b)
{
	size_t lo = 0, hi = g->ncand;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (g->cand[mid] < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->ncand && g->cand[lo] == b)
		return 0;
	if (add_cand(g, 0) < 0)
		return -1;
	memmove(g->cand + lo + 1, g->cand + lo, (g->ncand - 1 - lo) * sizeof(*g->cand));
	g->cand[lo] = b;
	return 0;
}

/* Extra split points ICU misses: terminator + space + digit, and
 * ellipsis + space + upper-case letter. */
static int extra_splits(struct sz_seg *g)
{
	const UChar *u = g->u;
	int32_t n = g->ulen;

	for (size_t m = 0; m < g->nmarks; m++) {
		int32_t i = g->marks[m], j = i + 1;
		UChar c = u[i];
		UChar32 nx;

		if (c != '.' && c != '!' && c != '?' && c != ELLIPSIS)
			continue;
		while (j < n && is_space(u[j]) && !is_newline(u[j]))
			j++;
		if (j == i + 1 || j >= n || is_newline(u[j]))
			continue;
		{
			int32_t k = j;
			U16_NEXT(u, k, n, nx);
		}
		if (c == ELLIPSIS ? u_isupper(nx) : u_isdigit(nx))
			if (insert_cand(g, j) < 0)
				return -1;
	}
	return 0;
}

static int is_vowel(const struct sz_seg *g, UChar32 c)
{
	UChar buf[8];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = unorm2_getDecomposition(g->nfd, c, buf, 8, &st);
	UChar32 base = c;

	if (U_SUCCESS(st) && n > 0)
		U16_GET(buf, 0, 0, n, base);
	base = u_tolower(base);
	for (int i = 0; i < g->rules->n_vowels; i++)
		if (g->rules->vowels[i] == base)
			return 1;
	return 0;
}

static int is_abbrev(const struct sz_rules *r, const UChar *t, int32_t n)
{
	for (size_t i = 0; i < r->n_abbr; i++) {
		int32_t a = r->abbr_off[i], l = r->abbr_off[i + 1] - a;
		if (l == n && memcmp(r->abbr + a, t, (size_t)n * sizeof(UChar)) == 0)
			return 1;
	}
	return 0;
}

/* Capitalised token (upper first letter, lower rest) of at most max
 * letters with no vowel, preceded by a capitalised word: "Bảo Th." */
static int is_initial(const struct sz_seg *g, int32_t cs, int32_t t0, int32_t t1)
{
	const UChar *u = g->u;
	int32_t i = t0, letters = 0, p;
	UChar32 c;

	if (g->rules->initial_max_letters <= 0)
		return 0;
	while (i < t1) {
		U16_NEXT(u, i, t1, c);
		if (U_GET_GC_MASK(c) & (U_GC_MN_MASK | U_GC_MC_MASK))
			continue;
		if (letters == 0 ? !u_isupper(c) : !u_islower(c))
			return 0;
		if (is_vowel(g, c))
			return 0;
		letters++;
	}
	if (letters == 0 || letters > g->rules->initial_max_letters)
		return 0;
	/* previous word must be capitalised */
	p = t0;
	if (p <= cs || !is_space(u[p - 1]))
		return 0;
	while (p > cs && is_space(u[p - 1]))
		p--;
	if (p <= cs)
		return 0;
	{
		int32_t w = p;
		while (w > cs) {
			int32_t q = w;
			UChar32 d;
			U16_PREV(u, cs, q, d);
			if (!sz_is_word_char(d))
				break;
			w = q;
		}
		if (w == p)
			return 0;
		U16_GET(u, 0, w, p, c);
		return u_isupper(c) != 0;
	}
}

/* Quote depths of the current sentence, scanned incrementally over the
 * marks. */
struct qstate {
	size_t mi; /* next mark to look at */
	int depth[SZ_MAX_QUOTES];
};

static int inside_quote(const struct sz_seg *g, struct qstate *q, int32_t cs, int32_t e)
{
	const struct sz_rules *r = g->rules;
	int *depth = q->depth;

	if (r->n_quotes == 0)
		return 0;
	for (; q->mi < g->nmarks && g->marks[q->mi] < e; q->mi++) {
		UChar c = g->u[g->marks[q->mi]];
		if (g->marks[q->mi] < cs)
			continue;
		for (int k = 0; k < r->n_quotes; k++) {
			if (r->q_open[k] == r->q_close[k]) {
				if (c == r->q_open[k])
					depth[k] ^= 1;
			} else if (c == r->q_open[k]) {
				depth[k]++;
			} else if (c == r->q_close[k] && depth[k] > 0) {
				depth[k]--;
			}
		}
	}
	if (e - cs > r->quote_max_chars)
		return 0;
	for (int k = 0; k < r->n_quotes; k++)
		if (depth[k] > 0)
			return 1;
	return 0;
}

/* Should the break at the end of [cs, e) be dropped? */
static int should_merge(const struct sz_seg *g, struct qstate *q, int32_t cs, int32_t e)
{
	const UChar *u = g->u;
	int32_t t0, t1;
	int digits = 1;

	if (e <= cs)
		return 0;
	if (u[e - 1] == '.') {
		t1 = e - 1;
		t0 = t1;
		while (t0 > cs) {
			int32_t q = t0;
			UChar32 c;
			U16_PREV(u, cs, q, c);
			if (!sz_is_word_char(c))
				break;
			if (!u_isdigit(c))
				digits = 0;
			t0 = q;
		}
		if (t0 < t1) {
			if (is_abbrev(g->rules, u + t0, t1 - t0))
				return 1;
			/* enumerator: the piece is only "12." or "a." */
			if (t0 == cs && (digits || t1 - t0 == 1))
				return 1;
			if (is_initial(g, cs, t0, t1))
				return 1;
		}
	}
	return inside_quote(g, q, cs, e);
}

uint32_t sz_count_words(const UChar *u, int32_t a, int32_t b)
{
	uint32_t n = 0;
	int in = 0;

	while (a < b) {
		UChar32 c;
		U16_NEXT(u, a, b, c);
		if (sz_is_word_char(c)) {
			if (!in)
				n++;
			in = 1;
		} else {
			in = 0;
		}
	}
	return n;
}

int sz_seg_run(struct sz_seg *g, const char *text, size_t len)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t b, cs = 0;
	uint32_t para = 0;
	int nl_seen = 0;
	struct qstate q = {0};

	g->n = 0;
	g->ncand = 0;
	if (to_utf16(g, text, len) < 0)
		return -1;
	if (g->ulen == 0)
		return 0;
	ubrk_setText(g->bi, g->u, g->ulen, &st);
	if (U_FAILURE(st))
		return -1;
	for (b = ubrk_first(g->bi); (b = ubrk_next(g->bi)) != UBRK_DONE;)
		if (add_cand(g, b) < 0)
			return -1;
	if (extra_splits(g) < 0)
		return -1;
	for (size_t k = 0; k < g->ncand; k++) {
		int32_t e, s0, end = g->cand[k];
		int hard = end >= g->ulen;

		e = end;
		while (e > cs && is_space(g->u[e - 1])) {
			if (is_newline(g->u[e - 1]))
				hard = 1;
			e--;
		}
		if (!hard && should_merge(g, &q, cs, e))
			continue;
		s0 = cs;
		while (s0 < e && is_space(g->u[s0])) {
			if (is_newline(g->u[s0]))
				nl_seen = 1;
			s0++;
		}
		if (s0 < e) {
			struct sz_sent *s;
			if (nl_seen && g->n > 0)
				para++;
			nl_seen = 0;
			if (grow((void **)&g->s, &g->cap, g->n + 1, sizeof(*g->s)) < 0)
				return -1;
			s = &g->s[g->n++];
			s->u0 = (uint32_t)s0;
			s->u1 = (uint32_t)e;
			s->b0 = g->u2b[s0];
			s->b1 = g->u2b[e];
			s->para = para;
			s->words = 0;
		}
		if (hard && end < g->ulen)
			nl_seen = 1;
		cs = end;
		memset(q.depth, 0, sizeof(q.depth));
	}
	return 0;
}
