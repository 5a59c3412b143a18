/* tokens.h — word tokens of a line of UTF-8 text, lower-cased and hashed.
 *
 * One pass over a line yields its words (runs of letters, combining marks
 * and digits) with a hash of their lower-cased form, plus character counts
 * the boilerplate classifier uses.  Phrases of the language packs are
 * tokenised the same way, so matching is hash lookups only.
 */
#ifndef CLEANER_TOKENS_H
#define CLEANER_TOKENS_H

#include <stddef.h>
#include <stdint.h>

enum {
	TOK_UPPER = 1u << 0,   /* first letter is upper case */
	TOK_DIGITS = 1u << 1,  /* only digits */
	TOK_NONASCII = 1u << 2,
	TOK_LETTER = 1u << 3,  /* has at least one letter */
};

struct cl_token {
	uint32_t off, len; /* byte span in the line */
	uint64_t hash;     /* xxh3 of the lower-cased UTF-8 form */
	uint32_t flags;
};

struct cl_linestats {
	uint32_t n_chars;   /* code points, spaces excluded */
	uint32_t n_letters;
	uint32_t n_digits;
	uint32_t n_symbols; /* punctuation and symbols */
	uint32_t n_upper;   /* words starting upper case */
};

/** A growable token vector; v is (owned). */
struct tokvec {
	struct cl_token *v;
	size_t n, cap;
};

/** Tokenises s[0..len) into tv (reset first) and fills st (may be NULL).
 *  Returns 0, or -1 on ENOMEM. */
int cl_tokenize(const char *s, size_t len, struct tokvec *tv, struct cl_linestats *st);

/** Same, but stops after max_tokens words: the rest of the line only adds
 *  to st->n_chars (code points that are not spaces).  Returns 1 when the
 *  line was cut, 0 when not, -1 on ENOMEM. */
int cl_tokenize_max(const char *s, size_t len, struct tokvec *tv, struct cl_linestats *st,
		    size_t max_tokens);
void tokvec_free(struct tokvec *tv);

#endif
