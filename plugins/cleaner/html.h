/* html.h — main text and metadata of an HTML page (libxml2's HTML parser).
 *
 * The page is parsed with HTML_PARSE_RECOVER|NOERROR|NOWARNING|NONET.
 * script, style, nav, header, footer, aside, form, noscript, iframe, svg,
 * comments and hidden elements are dropped.  Every element holding text is
 * scored by the text of its own paragraphs (length, commas, stop-word-free
 * density measures), penalised by link density and rewarded or penalised by
 * class/id hints (article, content, body, story / comment, share, related,
 * sidebar, menu, footer, ad...).  Scores propagate to ancestors as in
 * readability; the best container wins, and its block children (p, h1-h6,
 * li, blockquote, pre, div text) become paragraphs, one per line, so the
 * line classifier can still drop furniture that sits inside the article.
 * A lead (sapo) just before the container is taken with it.  Metadata
 * hints come from meta.c, walked before anything is dropped.
 */
#ifndef CLEANER_HTML_H
#define CLEANER_HTML_H

#include <stddef.h>

#include "util.h"

enum cl_meta_key {
	META_TITLE = 0,
	META_OG_TITLE,
	META_OG_SITE_NAME,
	META_PUBLISHED_TIME,
	META_MODIFIED_TIME,
	META_AUTHOR,
	META_CANONICAL_URL,
	META_DESCRIPTION,
	META_LANG,
	META_COUNT
};

extern const char *const cl_meta_names[META_COUNT];

struct cl_html_result {
	struct buf meta[META_COUNT]; /* empty when absent; reused between pages */
	int container;               /* 1: a main-content container was found */
};

struct cl_html_scratch {
	struct buf nodes; /* per-element scores */
	struct buf tmp;   /* JSON-LD text and joined author names (meta.c) */
};

void cl_html_result_free(struct cl_html_result *r);
void cl_html_scratch_free(struct cl_html_scratch *s);

/** Extracts the main text of html[0..len) into out (reset first):
 *  paragraphs one per line.  encoding: the charset of the bytes (NULL:
 *  UTF-8, or what the page declares).  0, or -1 on ENOMEM/parse failure
 *  (an unparseable page yields an empty text, not an error). */
int cl_html_extract(const char *html, size_t len, const char *encoding, struct buf *out,
		    struct cl_html_result *res, struct cl_html_scratch *s);

#endif
