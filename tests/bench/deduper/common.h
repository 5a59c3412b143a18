/* common.h — corpus reading and copy generation for the deduper's benchmarks.
 * Everything generated here is built at run time from the corpus passed on
 * the command line; no corpus text is stored in the repository. */
#ifndef DEDUPER_BENCH_COMMON_H
#define DEDUPER_BENCH_COMMON_H

#include <jansson.h>

#include "../../corpus/corpus.h"
#include <stddef.h>
#include <stdint.h>

/** JSON Lines, optionally gzip'd. */

/** xorshift64 */
static inline uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/** Growable string. */
struct sb {
	char *p;
	size_t len, cap;
};
void sb_put(struct sb *b, const char *s, size_t n);
void sb_puts(struct sb *b, const char *s);
void sb_printf(struct sb *b, const char *fmt, ...);
char *sb_take(struct sb *b); /* (owned) NUL-terminated */

/** Paragraphs of a text (split at blank lines): spans into text. */
struct paras {
	const char **s;
	size_t *len;
	size_t n;
};
void paras_split(const char *text, struct paras *p);
void paras_free(struct paras *p);

/* Edits; every result is malloc'd. */
char *edit_tone_style(const char *text);          /* hoá <-> hóa, thuý <-> thúy */
char *edit_nfd(const char *text);                 /* decomposed diacritics */
char *edit_whitespace(const char *text, uint64_t *seed);
char *edit_typos(const char *text, int n, uint64_t *seed);
/* Wraps text in the page furniture of one of several invented sites;
 * related[] are headlines of other stories listed in the footer. */
char *edit_syndicate(const char *text, int keep_title, const char *const *related, size_t nrel,
		     uint64_t *seed);

double now_s(void);

#endif
