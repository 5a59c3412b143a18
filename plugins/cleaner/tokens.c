/* tokens.c — see tokens.h. */
#include "tokens.h"

#include <stdlib.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <xxhash.h>

#include "util.h"

void tokvec_free(struct tokvec *tv)
{
	free(tv->v);
	tv->v = NULL;
	tv->n = tv->cap = 0;
}

/* Latin letters frequent in news text (Latin-1, Latin Extended-A and -B
 * pieces, Latin Extended Additional): lower-case mapping without ICU.
 * Returns -1 when the code point is not in a range handled here. */
static UChar32 fast_lower(UChar32 c, int *upper)
{
	*upper = 0;
	if (c >= 0xC0 && c <= 0xFF && c != 0xD7 && c != 0xF7) {
		*upper = c <= 0xDE;
		return *upper ? c + 32 : c;
	}
	if ((c >= 0x100 && c <= 0x12F) || (c >= 0x14A && c <= 0x177) ||
	    (c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF) || c == 0x1A0 ||
	    c == 0x1A1 || c == 0x1AF || c == 0x1B0) {
		*upper = (c & 1) == 0;
		return *upper ? c + 1 : c;
	}
	return -1;
}

static int is_word_cp(UChar32 c)
{
	int8_t t;

	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	t = u_charType(c);
	return (t >= U_UPPERCASE_LETTER && t <= U_OTHER_LETTER) || t == U_NON_SPACING_MARK ||
	       t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK ||
	       t == U_DECIMAL_DIGIT_NUMBER;
}

int cl_tokenize(const char *s, size_t len, struct tokvec *tv, struct cl_linestats *st)
{
	return cl_tokenize_max(s, len, tv, st, SIZE_MAX) < 0 ? -1 : 0;
}

int cl_tokenize_max(const char *s, size_t len, struct tokvec *tv, struct cl_linestats *st,
		    size_t max_tokens)
{
	const uint8_t *u = (const uint8_t *)s;
	int32_t i = 0, n = (int32_t)len;
	char low[96];
	size_t lowlen = 0;
	struct cl_token cur = {0};
	int in_word = 0, first_letter_seen = 0, all_digits = 1;
	struct cl_linestats dummy;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	tv->n = 0;
	while (i <= n) {
		UChar32 c = -1;
		int32_t at = i;
		int word = 0;

		if (i < n) {
			if (u[i] < 0x80) {
				c = u[i++];
			} else {
				U8_NEXT(u, i, n, c);
				if (c < 0)
					c = 0xFFFD;
			}
			if (c < 0x80) {
				word = is_word_cp(c);
			} else {
				int up;
				word = fast_lower(c, &up) >= 0 || is_word_cp(c);
			}
		} else {
			i++; /* flush the last word */
		}
		if (word) {
			if (!in_word) {
				in_word = 1;
				cur.off = (uint32_t)at;
				cur.flags = 0;
				lowlen = 0;
				first_letter_seen = 0;
				all_digits = 1;
			}
			if (c >= 0x80)
				cur.flags |= TOK_NONASCII;
			int up = 0;
			UChar32 lc = c < 0x80 ? ((c >= 'A' && c <= 'Z') ? c + 32 : c) : fast_lower(c, &up);
			if (c < 0x80)
				up = c >= 'A' && c <= 'Z';
			if (c < 0x80 ? (c >= '0' && c <= '9') : (lc < 0 && u_isdigit(c))) {
				st->n_digits++;
			} else if (c < 0x80 || lc >= 0 || u_isalpha(c)) {
				st->n_letters++;
				all_digits = 0;
				cur.flags |= TOK_LETTER;
				if (!first_letter_seen) {
					first_letter_seen = 1;
					if (c < 0x80 || lc >= 0 ? up : u_isupper(c)) {
						cur.flags |= TOK_UPPER;
						st->n_upper++;
					}
				}
			} else {
				all_digits = 0;
			}
			st->n_chars++;
			if (lc < 0)
				lc = u_tolower(c);
			if (lowlen + 4 < sizeof(low)) {
				UBool err = 0;
				U8_APPEND((uint8_t *)low, lowlen, sizeof(low), lc, err);
				(void)err;
			}
			continue;
		}
		if (in_word) {
			in_word = 0;
			cur.len = (uint32_t)(at - (int32_t)cur.off);
			if (all_digits)
				cur.flags |= TOK_DIGITS;
			cur.hash = XXH3_64bits(low, lowlen);
			if (!cur.hash)
				cur.hash = 1;
			if (vec_reserve((void **)&tv->v, &tv->cap, tv->n + 1, sizeof(*tv->v)) < 0)
				return -1;
			tv->v[tv->n++] = cur;
			if (tv->n >= max_tokens && i < n) {
				/* the rest: code points that are not spaces */
				for (int32_t k = i; k < n; k++)
					st->n_chars += (u[k] & 0xC0) != 0x80 && u[k] != ' ';
				return 1;
			}
		}
		if (c >= 0 && c != ' ' && c != '\t' && !(c >= 0x80 && u_isUWhiteSpace(c))) {
			st->n_chars++;
			st->n_symbols++;
		}
	}
	return 0;
}
