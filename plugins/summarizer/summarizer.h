/* summarizer.h — extractive summaries: the plugin's internals, also used
 * directly by tests, the benchmark and the fitting tool.
 *
 * One struct sz_pack per language (config/lang/<lang>/summarizer.yaml,
 * read-only after load).  One struct sz_doc per plugin instance (= per
 * worker; the plugin is not NEWSD_CAP_THREAD_SAFE): the ICU iterator and
 * every buffer are reused from one article to the next.
 *
 * Sentence numbering: summary_sentences are 0-based indices into the
 * sentences of the whole `text` as segmented here (a heading paragraph, if
 * any, is sentence 0 and is never chosen).
 */
#ifndef SUMMARIZER_SUMMARIZER_H
#define SUMMARIZER_SUMMARIZER_H

#include <newsd/plugin.h>
#include <stddef.h>
#include <stdint.h>

#include "rank.h"
#include "sentences.h"

struct sz_pack {
	char lang[16];
	char locale[32];
	struct sz_rules rules;
	struct sz_weights w;       /* used when the record has a title */
	struct sz_weights w_notitle;
	int heading_max_words;     /* a first paragraph this short without a
	                            * sentence terminator is a heading */
	UChar terminators[16];     /* sentence-final characters (heading test) */
	int n_terminators;
	UChar *skip;               /* (owned) `skip_prefixes`, back to back: a sentence */
	int32_t *skip_off;         /* starting with one is never chosen (captions...) */
	size_t n_skip;
};

/** Loads lang/<lang>/summarizer.yaml through the host.  0, or negative
 *  with err filled. */
int sz_pack_load(struct sz_pack *p, const struct newsd_host *h, const char *lang, char *err,
		 size_t errlen);
void sz_pack_free(struct sz_pack *p);

/** Per-instance working state for one language pack. */
struct sz_doc {
	const struct sz_pack *pack; /* (borrowed) */
	struct sz_seg seg;
	struct sz_rank rank;
	UChar *title;              /* (owned) UTF-16 title */
	int32_t tlen, tcap;
	uint32_t *pick;            /* (owned) chosen sentence indices */
	size_t npick, pickcap;
	char *out;                 /* (owned) summary text, NUL-terminated */
	size_t outlen, outcap;
	size_t first;              /* first candidate sentence (after a heading) */
	const struct sz_weights *w; /* (borrowed) the weight set in use */
};

int sz_doc_init(struct sz_doc *d, const struct sz_pack *p, char *err, size_t errlen);
void sz_doc_free(struct sz_doc *d);

/** Segments text, finds a heading, and computes the candidates' features
 *  (d->rank; candidates are sentences d->first.. of d->seg) with the
 *  weight set d->w chosen by the title's presence.  full_graph: also the
 *  similarity matrix and LexRank even if the weights do not need them.
 *  0, or -1 on ENOMEM/ICU error. */
int sz_prepare(struct sz_doc *d, const char *text, size_t len, const char *title, size_t tlen,
	       int use_title, int full_graph);

/** Summarises text (UTF-8, paragraphs separated by blank lines).  title
 *  may be NULL.  On success d->out/outlen hold the summary and
 *  d->pick[0..npick) the chosen sentence indices (ascending).  An article
 *  with no sentence gives an empty summary.  0, or -1 on ENOMEM/ICU error. */
int sz_summarize(struct sz_doc *d, const char *text, size_t len, const char *title,
		 size_t tlen, size_t max_sentences, size_t max_words, int use_title);

#endif
