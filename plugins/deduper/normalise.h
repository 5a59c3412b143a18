/* normalise.h — the deduper's view of a text: a sequence of normalised tokens.
 *
 * A token is a run of letters, digits and combining marks (a syllable in
 * Vietnamese, a word in English); every other character separates tokens.
 * Each character is taken through ICU's NFKC_Casefold and then NFD, so case,
 * compatibility forms (full-width, ligatures) and composed/decomposed input
 * all look the same.  The "movable" combining marks listed by the language
 * packs (Vietnamese tone marks: U+0300 U+0301 U+0303 U+0309 U+0323) are
 * taken off the letter that carries them and re-placed at the end of the
 * token, in a fixed order, so that the old and new tone-mark placements
 * (hoá/hóa, Uỷ/Ủy, thuý/thúy) give the same bytes.  Characters of scripts
 * written without spaces (line-break classes ID and SA: Han, Kana, Thai...)
 * are one token each.  Default-ignorable characters (ZWJ, soft hyphen) vanish.
 *
 * ICU is asked once per BMP code point at init; the answers are kept in a
 * read-only table shared by every thread.  Code points above the BMP are
 * asked per occurrence (rare).
 */
#ifndef DEDUPER_NORMALISE_H
#define DEDUPER_NORMALISE_H

#include <stddef.h>
#include <stdint.h>

#define DD_MAX_MOVABLE 16

/** What one code point contributes (see dd_norm_class). */
enum dd_kind {
	DD_SEP = 0,    /* ends the current token */
	DD_TOK = 1,    /* letters/digits: bytes appended to the token */
	DD_MARK = 2,   /* combining mark: bytes (if any) appended; never starts a token */
	DD_IGN = 3,    /* vanishes (default ignorable) */
	DD_SINGLE = 4, /* a token by itself (scripts without spaces) */
};

struct dd_cp {
	uint32_t off;   /* into pool */
	uint8_t len;    /* bytes of normalised text (movable marks excluded) */
	uint8_t kind;   /* enum dd_kind */
	uint16_t marks; /* bit i: movable mark i is carried */
};

/** Read-only after dd_norm_init; shared by all threads. */
struct dd_norm {
	struct dd_cp *bmp;               /* (owned) 65536 entries */
	char *pool;                      /* (owned) normalised bytes of the BMP */
	size_t pool_len;
	uint32_t movable[DD_MAX_MOVABLE]; /* code points of the movable marks */
	char movable_utf8[DD_MAX_MOVABLE][4];
	uint8_t movable_len[DD_MAX_MOVABLE];
	int n_movable;
};

/** Tokens of one text: bytes of the normalised tokens joined by one space,
 *  and the 64-bit hash of each token.  Buffers are (owned) and reused
 *  between texts; free with dd_tokens_free. */
struct dd_tokens {
	char *text;
	size_t len, cap;
	uint64_t *hash;
	size_t n, hcap;
};

/** Builds the table.  movable[0..n) are the movable mark code points
 *  (n <= DD_MAX_MOVABLE).  0, or -1 with err filled. */
int dd_norm_init(struct dd_norm *nm, const uint32_t *movable, int n, char *err, size_t errlen);
void dd_norm_free(struct dd_norm *nm);

/** Tokenises s[0..len) (UTF-8; invalid bytes are separators) into t (reset
 *  first).  0, or -1 on ENOMEM. */
int dd_normalise(const struct dd_norm *nm, const char *s, size_t len, struct dd_tokens *t);
void dd_tokens_free(struct dd_tokens *t);

#endif
