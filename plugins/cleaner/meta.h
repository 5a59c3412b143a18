/* meta.h — metadata hints of an HTML page (title, dates, author, site...)
 * gathered in one walk of the parsed tree, before any pruning.
 *
 * Sources, per key, best first (README.md "Metadata"): JSON-LD of the first
 * Article-typed object (<script type="application/ld+json">, also inside
 * @graph, arrays and mainEntity), then <meta> Open Graph / article:*, then
 * other <meta> names (parsely, dable, twitter, Dublin Core...), then
 * microdata (itemprop on any element), then the DOM (<time datetime> inside
 * the article, rel=author links).  A better source replaces a value found
 * earlier; among equals the first in document order wins, so the result
 * does not depend on where in the page each source sits.
 */
#ifndef CLEANER_META_H
#define CLEANER_META_H

#include <libxml/tree.h>

#include "html.h"

/** Fills r->meta (each buffer reset first) from the tree under root.
 *  tmp: scratch for JSON-LD text (kept between pages).  Hints are best
 *  effort: a value that cannot be stored (ENOMEM) is left out. */
void cl_meta_walk(xmlNode *root, struct cl_html_result *r, struct buf *tmp);

#endif
