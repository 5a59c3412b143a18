/* normalise.c — casefold, tone-mark re-placement and tokens (see normalise.h). */
#include "normalise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#define CLASS_MAX 96 /* bytes of one code point's normalised form */

/* Which token class a code point has before normalisation. */
static enum dd_kind base_kind(UChar32 c)
{
	if (U_IS_SURROGATE(c))
		return DD_SEP;
	switch (u_charType(c)) {
	case U_UPPERCASE_LETTER:
	case U_LOWERCASE_LETTER:
	case U_TITLECASE_LETTER:
	case U_MODIFIER_LETTER:
	case U_OTHER_LETTER:
	case U_DECIMAL_DIGIT_NUMBER:
	case U_LETTER_NUMBER:
	case U_OTHER_NUMBER: {
		int lb = u_getIntPropertyValue(c, UCHAR_LINE_BREAK);
		return (lb == U_LB_IDEOGRAPHIC || lb == U_LB_COMPLEX_CONTEXT) ? DD_SINGLE : DD_TOK;
	}
	case U_NON_SPACING_MARK:
	case U_ENCLOSING_MARK:
	case U_COMBINING_SPACING_MARK:
		return DD_MARK;
	case U_FORMAT_CHAR:
		return DD_IGN;
	default:
		return DD_SEP;
	}
}

static int movable_index(const struct dd_norm *nm, UChar32 d)
{
	for (int i = 0; i < nm->n_movable; i++)
		if (nm->movable[i] == (uint32_t)d)
			return i;
	return -1;
}

/* Asks ICU what c becomes: NFKC_Casefold, then NFD; movable marks go to
 * *marks, letters/digits/other marks to out.  Returns the byte count. */
static int classify(const struct dd_norm *nm, UChar32 c, char *out, uint8_t *kind,
		    uint16_t *marks)
{
	const UNormalizer2 *cf, *nfd;
	UErrorCode st = U_ZERO_ERROR;
	UChar src[2], a[CLASS_MAX / 2], b[CLASS_MAX / 2];
	int32_t ns = 0, na, nb, n = 0;

	*marks = 0;
	*kind = (uint8_t)base_kind(c);
	if (*kind == DD_SEP || *kind == DD_IGN)
		return 0;
	cf = unorm2_getNFKCCasefoldInstance(&st);
	nfd = unorm2_getNFDInstance(&st);
	if (U_FAILURE(st))
		return 0;
	U16_APPEND_UNSAFE(src, ns, c);
	na = unorm2_normalize(cf, src, ns, a, (int32_t)(sizeof(a) / sizeof(a[0])), &st);
	nb = U_SUCCESS(st) ? unorm2_normalize(nfd, a, na, b, (int32_t)(sizeof(b) / sizeof(b[0])), &st)
			   : 0;
	if (U_FAILURE(st)) /* an expansion longer than CLASS_MAX: keep it opaque */
		nb = 0;
	for (int32_t i = 0; i < nb;) {
		UChar32 d;
		U16_NEXT(b, i, nb, d);
		int m = movable_index(nm, d);
		if (m >= 0) {
			*marks |= (uint16_t)(1u << m);
			continue;
		}
		enum dd_kind k = base_kind(d);
		if ((k == DD_TOK || k == DD_SINGLE || k == DD_MARK) && n + 4 <= CLASS_MAX) {
			UBool err = 0;
			U8_APPEND(out, n, CLASS_MAX, d, err);
			(void)err;
		}
	}
	if (n == 0 && *marks == 0) {
		*kind = DD_IGN; /* folded away (e.g. U+034F) */
	} else if (*kind == DD_SINGLE && nb > 0) {
		/* the class of what it became: a full-width digit is a digit */
		UChar32 d;
		int32_t i = 0;
		U16_NEXT(b, i, nb, d);
		*kind = (uint8_t)base_kind(d);
	}
	return n;
}

int dd_norm_init(struct dd_norm *nm, const uint32_t *movable, int n, char *err, size_t errlen)
{
	size_t cap = 1u << 20;
	int rc = -1;

	memset(nm, 0, sizeof(*nm));
	if (n > DD_MAX_MOVABLE) {
		snprintf(err, errlen, "at most %d movable marks", DD_MAX_MOVABLE);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		int32_t k = 0;
		if (movable[i] > 0x10FFFF) {
			snprintf(err, errlen, "movable mark U+%X is not a code point", movable[i]);
			goto out;
		}
		nm->movable[i] = movable[i];
		U8_APPEND_UNSAFE((uint8_t *)nm->movable_utf8[i], k, (UChar32)movable[i]);
		nm->movable_len[i] = (uint8_t)k;
	}
	nm->n_movable = n;
	nm->bmp = calloc(0x10000, sizeof(*nm->bmp));
	nm->pool = calloc(1, cap);
	if (!nm->bmp || !nm->pool) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (UChar32 c = 0; c < 0x10000; c++) {
		char tmp[CLASS_MAX];
		struct dd_cp *e = &nm->bmp[c];
		int len = classify(nm, c, tmp, &e->kind, &e->marks);
		if (len > 255)
			len = 255;
		if (nm->pool_len + (size_t)len + 8 > cap) { /* 8: room for word-sized copies */
			char *p = realloc(nm->pool, cap * 2);
			if (!p) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			memset(p + cap, 0, cap);
			nm->pool = p;
			cap *= 2;
		}
		e->off = (uint32_t)nm->pool_len;
		e->len = (uint8_t)len;
		memcpy(nm->pool + nm->pool_len, tmp, (size_t)len);
		nm->pool_len += (size_t)len;
	}
	rc = 0;
out:
	if (rc < 0)
		dd_norm_free(nm);
	return rc;
}

void dd_norm_free(struct dd_norm *nm)
{
	free(nm->bmp);
	free(nm->pool);
	nm->bmp = NULL;
	nm->pool = NULL;
}

void dd_tokens_free(struct dd_tokens *t)
{
	free(t->text);
	free(t->hash);
	memset(t, 0, sizeof(*t));
}

static int reserve(struct dd_tokens *t, size_t more)
{
	if (t->len + more <= t->cap)
		return 0;
	size_t cap = t->cap ? t->cap : 4096;
	while (cap < t->len + more)
		cap *= 2;
	char *p = realloc(t->text, cap);
	if (!p)
		return -1;
	t->text = p;
	t->cap = cap;
	return 0;
}

/* Closes the open token: movable marks at its end, then its hash. */
static int end_token(const struct dd_norm *nm, struct dd_tokens *t, size_t start, uint16_t marks)
{
	for (int i = 0; marks; i++, marks >>= 1) {
		if (marks & 1) {
			memcpy(t->text + t->len, nm->movable_utf8[i], nm->movable_len[i]);
			t->len += nm->movable_len[i];
		}
	}
	if (t->len == start) { /* nothing in it: take back the separator */
		if (t->len > 0)
			t->len--;
		return 0;
	}
	if (t->n == t->hcap) {
		size_t cap = t->hcap ? t->hcap * 2 : 1024;
		uint64_t *h = realloc(t->hash, cap * sizeof(*h));
		if (!h)
			return -1;
		t->hash = h;
		t->hcap = cap;
	}
	t->hash[t->n++] = XXH3_64bits(t->text + start, t->len - start);
	return 0;
}

int dd_normalise(const struct dd_norm *nm, const char *s, size_t len, struct dd_tokens *t)
{
	/* room for one code point's bytes (copied 8 at a time), the movable
	 * marks and a space */
	const size_t room = CLASS_MAX + 8 + 4 * DD_MAX_MOVABLE + 2;
	const struct dd_cp *bmp = nm->bmp;
	size_t i = 0, start = 0;
	int in_tok = 0, single = 0;
	uint16_t marks = 0;

	t->len = 0;
	t->n = 0;
	while (i < len) {
		UChar32 c;
		const char *bytes;
		char tmp[CLASS_MAX + 8];
		struct dd_cp slow;
		const struct dd_cp *e;
		unsigned char b0 = (unsigned char)s[i];

		/* invariant: an iteration writes less than `room` bytes */
		if (t->cap - t->len < room && reserve(t, room) < 0)
			return -1;
		if (b0 < 0x80) {
			c = b0;
			i++;
			e = &bmp[c];
			/* ASCII letter or digit inside a token: the common case */
			if (in_tok && e->kind == DD_TOK && !single) {
				t->text[t->len++] = nm->pool[e->off];
				continue;
			}
		} else {
			unsigned char b1 = i + 1 < len ? (unsigned char)s[i + 1] : 0;
			if ((b0 & 0xE0) == 0xC0 && b0 >= 0xC2 && (b1 & 0xC0) == 0x80) {
				c = (UChar32)((b0 & 0x1F) << 6 | (b1 & 0x3F)); /* 2 bytes: Latin */
				i += 2;
			} else if ((b0 & 0xF0) == 0xE0 && (b1 & 0xC0) == 0x80 && i + 2 < len &&
				   ((unsigned char)s[i + 2] & 0xC0) == 0x80 &&
				   (b0 != 0xE0 || b1 >= 0xA0) && (b0 != 0xED || b1 < 0xA0)) {
				c = (UChar32)((b0 & 0x0F) << 12 | (b1 & 0x3F) << 6 |
					      ((unsigned char)s[i + 2] & 0x3F)); /* 3 bytes: BMP */
				i += 3;
			} else {
				U8_NEXT(s, i, len, c);
				if (c < 0)
					c = ' ';
			}
			e = c < 0x10000 ? &bmp[c] : NULL;
			/* a letter inside a token: the common case of Vietnamese */
			if (e && in_tok && e->kind == DD_TOK && !single && e->len <= 8) {
				memcpy(t->text + t->len, nm->pool + e->off, 8);
				t->len += e->len;
				marks |= e->marks;
				continue;
			}
		}
		if (e) {
			bytes = nm->pool + e->off;
		} else {
			memset(tmp, 0, sizeof(tmp));
			slow.len = (uint8_t)classify(nm, c, tmp, &slow.kind, &slow.marks);
			e = &slow;
			bytes = tmp;
		}
		switch (e->kind) {
		case DD_SEP:
			if (in_tok && end_token(nm, t, start, marks) < 0)
				return -1;
			in_tok = 0;
			continue;
		case DD_IGN:
			continue;
		case DD_MARK:
			if (!in_tok)
				continue;
			break;
		case DD_TOK:
		case DD_SINGLE:
			if (in_tok && (single || e->kind == DD_SINGLE)) {
				if (end_token(nm, t, start, marks) < 0)
					return -1;
				in_tok = 0;
			}
			if (!in_tok) {
				if (t->len > 0)
					t->text[t->len++] = ' ';
				start = t->len;
				in_tok = 1;
				marks = 0;
				single = e->kind == DD_SINGLE;
			}
			break;
		}
		if (e->len <= 8) {
			memcpy(t->text + t->len, bytes, 8); /* pool and tmp are padded */
		} else {
			memcpy(t->text + t->len, bytes, e->len);
		}
		t->len += e->len;
		marks |= e->marks;
	}
	if (in_tok && end_token(nm, t, start, marks) < 0)
		return -1;
	return 0;
}
