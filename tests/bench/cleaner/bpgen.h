/* bpgen.h — web furniture generated programmatically for the cleaner's
 * benchmarks: menus, share bars, counters, ratings, comment forms and
 * comments, polls, related-article lists with teasers, weather and market
 * boxes, tags, ads, app banners, template placeholders, footers — varied
 * wording (much of it absent from the language packs), random numbers,
 * eight "sites" each with its own recurring template.  Written for the
 * project; headlines and teasers of related lists are taken from OTHER
 * articles of the corpus being measured, as on real pages. */
#ifndef CLEANER_BPGEN_H
#define CLEANER_BPGEN_H

#include <stddef.h>

#include "util.h"

struct bpgen;

/** kinds of generated lines (for the error breakdown) */
enum bp_kind {
	K_BODY = 0, K_TITLE, K_META, K_NAV, K_SHARE, K_COUNTER, K_RATING, K_COMMENTFORM,
	K_COMMENT, K_POLL, K_RELATED, K_TEASER, K_WEATHER, K_TAGS, K_ADS, K_APP, K_PLACEHOLDER,
	K_FOOTER, K_INLINE, K_COUNT
};
extern const char *const bp_kind_names[K_COUNT];

struct bpgen *bpgen_new(unsigned long long seed);
void bpgen_free(struct bpgen *g);
/** Remembers an article's title and lead for later related lists. */
void bpgen_remember(struct bpgen *g, const char *title, const char *lead);
/** Site index (0..7) for the next article. */
int bpgen_site(struct bpgen *g);
const char *bpgen_site_name(int site);

/** Appends one line of kind k to out (no newline).  site selects the
 *  site's recurring variants. */
void bpgen_line(struct bpgen *g, int site, enum bp_kind k, struct buf *out);
/** A random number in [0, n). */
unsigned bpgen_rand(struct bpgen *g, unsigned n);
/** A positive meta line (dateline or byline). */
void bpgen_meta(struct bpgen *g, int dateline, struct buf *out);
/** Another article's title / lead (or a fixed one when none remembered). */
const char *bpgen_other_title(struct bpgen *g);
const char *bpgen_other_lead(struct bpgen *g);

#endif
