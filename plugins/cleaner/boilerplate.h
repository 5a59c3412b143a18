/* boilerplate.h — line classifier: article body versus web furniture.
 *
 * Each non-empty line gets features (length, sentence-final punctuation,
 * stop-word density, digit/symbol ratio, widget vocabulary coverage by role,
 * link-like shape, template placeholders, `label: number` shape, position,
 * repetition inside the article and across recent articles of the same
 * source) and a score: the log-odds that it is boilerplate, a weighted sum
 * whose weights come from the language pack (struct cl_weights).  Lines are
 * then BAD (score above bad_threshold), GOOD (below good_threshold),
 * NEUTRAL, or META (bylines, credits, source and date lines, kept because
 * the extractor reads them).
 *
 * Structure: a section heading of role `tail` ("Xem thêm", "Comments")
 * after which less body text follows than precedes ends the article; the
 * body is the span of lines maximising GOOD characters minus a penalty per
 * BAD line (Finn et al.'s body-text extraction); before it, up to one
 * heading line and the META lines next to it are kept; after it, the META
 * and short lines up to the first BAD line (bylines, source).  Inside the
 * body BAD lines are dropped and repeated lines follow the caption policy.
 */
#ifndef CLEANER_BOILERPLATE_H
#define CLEANER_BOILERPLATE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "langpack.h"
#include "tokens.h"
#include "util.h"

enum cl_caption_policy {
	CAPTIONS_KEEP = 0,  /* keep every caption line, repeats included */
	CAPTIONS_KEEP_FIRST, /* keep the first occurrence, drop repeats (default) */
	CAPTIONS_DROP,       /* drop caption-like lines */
};

enum cl_line_class { LC_EMPTY = 0, LC_GOOD, LC_NEUTRAL, LC_BAD, LC_META };

struct cl_line {
	uint32_t off, len;
	uint32_t n_chars, n_words;
	uint64_t hash;     /* of its word sequence (case and punctuation ignored) */
	uint32_t occ;      /* 0 for the first occurrence in the article */
	uint32_t occ_total;
	uint32_t cross;    /* recent articles of the source that had this line */
	float score;
	float widget_cov, tail_cov, nav_cov;
	uint8_t cls;
	uint8_t keep;
	uint8_t sent_end, placeholder, link, label_value, dateline, byline, caption_cue, tail_bare;
};

/** Lines recently seen per source: a bounded table shared by all workers
 *  (the plugin is NEWSD_CAP_THREAD_SAFE), guarded by its mutex.  An entry
 *  counts the articles in which (source, line) occurred; entries idle for
 *  more than `window` articles count as new, and a full probe window evicts
 *  its least recently used entry. */
struct cl_seen {
	pthread_mutex_t mu;
	struct cl_seen_ent *v; /* (owned) */
	size_t mask;
	uint32_t clock, window;
};

int cl_seen_init(struct cl_seen *s, size_t capacity, uint32_t window);
void cl_seen_free(struct cl_seen *s);
/** For each key: writes how many earlier articles had it, then records this
 *  article.  Keys must be distinct. */
void cl_seen_update(struct cl_seen *s, const uint64_t *keys, size_t n, uint32_t *counts);

struct cl_bp_opts {
	enum cl_caption_policy captions;
	uint32_t cross_min;  /* articles before a shared line counts as boilerplate */
	int structural;      /* 1: body search, head and tail (text); 0: lines only (HTML) */
};

struct cl_bp_scratch {
	struct tokvec tv;
	struct cl_line *lines;
	size_t n_lines, cap_lines;
	uint64_t *rk;   /* repetition table keys (owned) */
	uint32_t *rv, *rs;
	size_t rcap;
	uint64_t *keys; /* cross-article keys (owned) */
	uint32_t *counts;
	size_t kcap, ccap;
	int32_t *idx;
	size_t icap;
};

void cl_bp_scratch_free(struct cl_bp_scratch *s);

/** Classifies the lines of text (NFC, LF-separated) and writes the kept
 *  ones to out, separated by a blank line.  seen may be NULL; source_hash
 *  identifies the source.  *removed receives the number of non-empty lines
 *  dropped.  0, or -1 on ENOMEM. */
int cl_boilerplate(const struct langpack *lp, const struct cl_bp_opts *o, struct cl_seen *seen,
		   uint64_t source_hash, const char *text, size_t len, struct buf *out,
		   struct cl_bp_scratch *s, size_t *removed);

/** Computes the features and score of one line (exposed for tests). */
void cl_line_features(const struct langpack *lp, const char *line, size_t len,
		      struct tokvec *tv, struct cl_line *L);

#endif
