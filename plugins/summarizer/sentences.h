/* sentences.h — sentence segmentation for the summarizer.
 *
 * ICU's sentence BreakIterator (run on UTF-16: about twice as fast as a
 * UTF-8 UText here) plus rules that ICU gets wrong on news text.  Every
 * language-specific word comes from the language pack (struct sz_rules):
 *
 *   merges (ICU broke, we join):
 *     - abbreviations: "TP. HCM", "PGS. TS. Nguyễn" (pack `abbreviations`);
 *     - initials: "Bảo Th. Nguyễn" (a capitalised token of at most
 *       `initials.max_letters` letters, none of them a pack vowel);
 *     - enumerators: "1. Nội dung" (a piece that is only a number or a
 *       single letter followed by '.');
 *     - quotes: a break inside an open quotation (pack `quotes`) is
 *       dropped, up to `quote_max_chars` UTF-16 units per sentence;
 *   splits (ICU joined, we break):
 *     - numbers and dates opening a sentence: "đạt 5 tỷ. 3,2 tỷ đồng...",
 *       "25/2. 17-2-2021 là..." (ICU only breaks before an upper-case
 *       letter; we also break at '.', '!', '?' + space + digit unless the
 *       token before the '.' is an abbreviation);
 *     - ellipses: "…" + space + upper-case letter ("..." ICU handles).
 *   Newlines are hard breaks (paragraphs never merge).
 *
 * A struct sz_seg is reused for every document (one per plugin instance,
 * not thread-safe): the ICU iterator and every buffer are kept.
 */
#ifndef SUMMARIZER_SENTENCES_H
#define SUMMARIZER_SENTENCES_H

#include <stddef.h>
#include <stdint.h>
#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/utypes.h>

#define SZ_MAX_QUOTES 8

/** Language rules for segmentation (filled by the pack loader). */
struct sz_rules {
	UChar *abbr;           /* (owned) abbreviations without their final '.', back to back */
	int32_t *abbr_off;     /* (owned) n_abbr + 1 offsets into abbr */
	size_t n_abbr;
	UChar q_open[SZ_MAX_QUOTES], q_close[SZ_MAX_QUOTES];
	int n_quotes;
	UChar vowels[64];      /* lower-case base letters */
	int n_vowels;
	int initial_max_letters; /* 0: no initials rule */
	int32_t quote_max_chars;
};

/** One sentence: byte range in the UTF-8 text and unit range in the
 *  UTF-16 copy, both trimmed of surrounding white space. */
struct sz_sent {
	uint32_t b0, b1;
	uint32_t u0, u1;
	uint32_t para; /* paragraph number (0-based; a newline starts a new one) */
	uint32_t words; /* letter/digit runs: filled by sz_rank_prepare */
};

struct sz_seg {
	UBreakIterator *bi;           /* (owned) reused */
	const UNormalizer2 *nfd;      /* (borrowed) ICU singleton */
	const struct sz_rules *rules; /* (borrowed) */
	UChar *u;                     /* (owned) UTF-16 copy of the text */
	uint32_t *u2b;                /* (owned) UTF-16 unit -> byte offset */
	int32_t ulen, ucap;
	int32_t *marks;               /* (owned) positions of terminators and quotes */
	size_t nmarks;
	uint8_t amark[128];           /* ASCII characters that are marks */
	UChar mark_min, mark_max;     /* range of the non-ASCII marks */
	int32_t *cand;                /* (owned) candidate boundaries */
	size_t ncand, candcap;
	struct sz_sent *s;            /* (owned) result */
	size_t n, cap;
};

/** 0, or -1 with err filled.  rules: (borrowed) until sz_seg_free. */
int sz_seg_init(struct sz_seg *g, const char *locale, const struct sz_rules *rules, char *err,
		size_t errlen);
void sz_seg_free(struct sz_seg *g);

/** Segments text[0..len) (UTF-8; invalid bytes become U+FFFD).  Results in
 *  g->s[0..g->n), g->u.  0, or -1 on ENOMEM / ICU failure. */
int sz_seg_run(struct sz_seg *g, const char *text, size_t len);

/** Number of letter/digit runs in u[a..b). */
uint32_t sz_count_words(const UChar *u, int32_t a, int32_t b);

/** Is c a letter or digit, or a combining mark (decomposed text)?  ASCII
 *  is decided inline; the rest asks ICU. */
int sz_is_word_char_icu(UChar32 c);
static inline int sz_is_word_char(UChar32 c)
{
	if (c < 0x80)
		return (uint32_t)((c | 0x20) - 'a') < 26u || (uint32_t)(c - '0') < 10u;
	return sz_is_word_char_icu(c);
}

/** ICU simple lower-case mapping with an inline ASCII path. */
UChar32 sz_lower_icu(UChar32 c);
static inline UChar32 sz_lower(UChar32 c)
{
	if (c < 0x80)
		return (uint32_t)(c - 'A') < 26u ? c + 32 : c;
	return sz_lower_icu(c);
}

void sz_rules_free(struct sz_rules *r);

#endif
