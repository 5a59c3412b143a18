/* cleaner.h — the cleaner plugin's instance and per-call contexts.
 *
 * Threading: the plugin is NEWSD_CAP_THREAD_SAFE.  One instance serves every
 * worker: the language packs, the options and the spoof checker are
 * read-only after init; the table of lines seen per source (struct cl_seen)
 * has its own mutex; the scratch buffers of a call live in a struct cl_ctx
 * taken from a pool (mutex-guarded free list) for the call and returned
 * afterwards, so buffers are reused across articles and workers never share
 * one.  Sharing the seen-lines table is why the plugin is thread-safe rather
 * than per-worker: every worker benefits from what the others have seen.
 */
#ifndef CLEANER_CLEANER_H
#define CLEANER_CLEANER_H

#include <newsd/plugin.h>
#include <pthread.h>
#include <unicode/uspoof.h>

#include "boilerplate.h"
#include "charset.h"
#include "html.h"
#include "langpack.h"
#include "textnorm.h"

#define CL_MAX_PACKS 8

struct cl_ctx {
	struct cl_ctx *next; /* free list */
	struct buf decoded, s16, extracted, norm, out;
	struct cl_textnorm_scratch tn;
	struct cl_bp_scratch bp;
	struct cl_html_result html;
	struct cl_html_scratch hs;
	struct tokvec tv;
};

struct cleaner {
	const struct newsd_host *host; /* (borrowed) until fini */
	struct langpack packs[CL_MAX_PACKS];
	size_t n_packs;
	size_t default_pack;
	const char *charset;        /* (borrowed from config) declared charset or NULL */
	double detect_min_ratio;
	int set_lang;
	struct cl_bp_opts bp;
	USpoofChecker *spoof;       /* (owned) */
	struct cl_textnorm_cfg tn;
	struct cl_seen seen;        /* shared, locked */
	int use_seen;
	pthread_mutex_t pool_mu;
	struct cl_ctx *pool;        /* (owned) free contexts */
};

/** The outcome of cleaning one message, for tests and benchmarks that want
 *  to drive the steps without a record. */
struct cl_result {
	const char *text;   /* (borrowed from ctx) */
	size_t len;
	const char *charset;
	int lang;           /* pack index or -1 */
	int lang_detected;  /* 1 when chosen by detection */
	int from_html;      /* 1 when the text came from HTML (html_meta is valid) */
	size_t removed;
	uint64_t repaired, invalid;
};

/** Runs decode → (html) → normalise → language → boilerplate.  Exactly one
 *  of text/html/raw is used (html first, then text, then raw).  lang may be
 *  NULL.  0, or -1 on ENOMEM. */
int cleaner_run(struct cleaner *c, struct cl_ctx *x, const char *html, size_t html_len,
		const char *text, size_t text_len, const char *raw, size_t raw_len,
		const char *lang, const char *source, struct cl_result *res);

struct cl_ctx *cleaner_ctx_get(struct cleaner *c);
void cleaner_ctx_put(struct cleaner *c, struct cl_ctx *x);

extern const struct newsd_plugin cleaner_plugin;

#endif
