/* langpack.h — a language pack of the cleaner (config/lang/<lang>/cleaner.yaml).
 *
 * Loaded once at init through host->data_load and read-only afterwards, so
 * one pack is shared by every worker thread.  Nothing in the code is
 * specific to a language: the pack gives stop words, the vocabulary of web
 * furniture by role, the syllable model used to score legacy decodings and
 * the classifier's weights.
 */
#ifndef CLEANER_LANGPACK_H
#define CLEANER_LANGPACK_H

#include <newsd/plugin.h>
#include <stddef.h>
#include <stdint.h>
#include <unicode/utypes.h>

#include "tokens.h"
#include "util.h"

/** What a vocabulary category means to the classifier. */
enum cl_role {
	ROLE_WIDGET = 0, /* furniture: a short line made of it is boilerplate */
	ROLE_TAIL,       /* section heading that ends the article */
	ROLE_NAV,        /* site section names (menus) */
	ROLE_BYLINE,     /* byline/credit/source cue: the line is kept */
	ROLE_DATELINE,   /* publication-date cue: the line is kept */
	ROLE_CAPTION,    /* photo caption cue */
	ROLE_COUNT
};

#define CL_MAX_CATS 32
#define CL_MAX_PHRASE_WORDS 6

struct cl_category {
	char name[32];
	enum cl_role role;
	float weight;
};

/** Classifier weights (log-odds that a line is boilerplate).  Defaults in
 *  langpack.c; a pack's `weights:` map overrides any of them by name. */
struct cl_weights {
	double bias, widget, placeholder, digit_symbol, link, label_value, stop_words,
		sentence_end, length, short_line, repeat, cross_source, nav, tail;
	double bad_threshold, good_threshold; /* score > bad: boilerplate; < good: content */
	double bad_penalty_chars; /* weight of a boilerplate line in the body search */
	double widget_max_words;  /* longer lines get no widget evidence */
};

struct langpack {
	char lang[16];
	int scripts[4], n_scripts;             /* UScriptCode */
	int stray_scripts[4], n_stray_scripts; /* UScriptCode */
	struct hset stop;                      /* word hash */
	struct hset phrases;                   /* n-gram hash -> category bitmask */
	struct cl_category cats[CL_MAX_CATS];
	int n_cats;
	uint32_t role_mask[ROLE_COUNT]; /* categories of each role */
	int max_phrase_words;
	/* syllable model (optional) */
	int has_syllables;
	struct hset onsets, rimes; /* xxh3 of NFC UTF-8 strings */
	UChar tone_marks[8];
	int n_tone_marks;
	char legacy[4][32];
	int n_legacy;
	struct cl_weights w;
};

/** Loads lang/<lang>/cleaner.yaml.  0, or negative with err filled. */
int langpack_load(struct langpack *lp, const struct newsd_host *h, const char *lang, char *err,
		  size_t errlen);
void langpack_free(struct langpack *lp);

/** 1 when the word w[0..n) (any case, NFC or not) is a valid syllable of the
 *  pack's syllable model; 0 otherwise or without a model. */
int langpack_syllable_valid(const struct langpack *lp, const UChar *w, int32_t n);

/** Counts the stop words among tokens. */
size_t langpack_count_stop(const struct langpack *lp, const struct cl_token *t, size_t n);

/** Picks the pack whose scripts include `script` and whose stop words are
 *  densest in the tokens.  Returns its index, or -1 when no pack reaches
 *  min_ratio of the words (then the language is left undecided). */
int langpack_detect(const struct langpack *packs, size_t n_packs, int script,
		    const struct cl_token *t, size_t n_tok, double min_ratio);

#endif
