/* html.c — see html.h.  Ideas from readability (score propagation to
 * ancestors, class/id weights, link density, sibling inclusion) and jusText
 * (link-dense blocks are furniture); the code is our own. */
#include "html.h"
#include "meta.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

const char *const cl_meta_names[META_COUNT] = {
	"title",  "og_title",      "og_site_name", "published_time", "modified_time",
	"author", "canonical_url", "description",  "lang",
};

void cl_html_result_free(struct cl_html_result *r)
{
	for (int k = 0; k < META_COUNT; k++)
		buf_free(&r->meta[k]);
}

void cl_html_scratch_free(struct cl_html_scratch *s)
{
	buf_free(&s->nodes);
	buf_free(&s->tmp);
}

struct nstat {
	double score;
	uint32_t text, link, commas;
	uint8_t scored;
};

#define NAME(n) ((const char *)(n)->name)

static int is_el(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcasecmp(NAME(n), name) == 0;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(s, *list) == 0)
			return 1;
	return 0;
}

static const char *const drop_tags[] = {
	"script", "style", "noscript", "nav", "footer", "aside", "form", "iframe", "svg",
	"button", "select", "input", "textarea", "object", "embed", "canvas", "template",
	"link", "meta", "head", "menu", "dialog", "map", "audio", "video", NULL,
};

static const char *const block_tags[] = {
	"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "pre",
	"table", "tr", "td", "th", "section", "article", "main", "figure", "figcaption", "dl",
	"dt", "dd", "header", "address", "center", "hr", "br", "body", "caption", "details",
	"summary", NULL,
};

/* substrings of class/id (lower case) */
static const char *const unlikely[] = {
	"-ad-", "ads-", "advert", "banner", "breadcrumb", "combx", "comment", "community",
	"cookie", "disqus", "footer", "header", "menu", "related", "remark", "rss", "share",
	"shoutbox", "sidebar", "skyscraper", "social", "sponsor", "popup", "modal", "newsletter",
	"subscribe", "promo", "widget", "tags", "pager", "pagination", "navbar", "navigation",
	"login", "signup", "poll", "rating", "weather", "recommend", "trending", "most-read",
	"mostread", "most-popular", "outbrain", "taboola", "toolbar", "byline-share", "sharing",
	"follow", "author-bio", "gallery-nav", "adsbygoogle", "adslot", "ad-slot", "adsense",
	"dfp-", "gpt-ad", "quangcao", "quang-cao", NULL,
};
static const char *const maybe[] = {"article", "body", "column", "content", "main", "story",
				     "entry", "post-body", "post-content", "text", NULL};
static const char *const positive[] = {"article", "body", "content", "entry", "hentry",
					"main", "page", "post", "text", "blog", "story",
					"detail", "news", NULL};
static const char *const negative[] = {"hidden", "banner", "combx", "comment", "com-",
					"contact", "foot", "masthead", "media", "meta",
					"outbrain", "promo", "related", "scroll", "share",
					"shoutbox", "sidebar", "skyscraper", "sponsor", "shopping",
					"tags", "tool", "widget", "nav", "menu", "social", "ad-",
					NULL};

static int has_sub(const char *hay, const char *const *list)
{
	for (; *list; list++)
		if (strstr(hay, *list))
			return 1;
	return 0;
}

/* whole tokens of class/id (split at space, '-', '_') that mark furniture */
static const char *const furniture_tokens[] = {"ad", "ads", "advert", "advertisement", "adv",
						"banner", "sponsor", "sponsored", "promo", "qc",
						"share", "social", "comment", "comments", "related",
						"sidebar", "footer", "breadcrumb", "breadcrumbs", NULL};

static int has_token(const char *ci, const char *const *list)
{
	const char *p = ci;

	while (*p) {
		size_t n = strcspn(p, " -_");
		for (const char *const *l = list; n && *l; l++)
			if (strlen(*l) == n && strncmp(p, *l, n) == 0)
				return 1;
		p += n;
		while (*p == ' ' || *p == '-' || *p == '_')
			p++;
	}
	return 0;
}

/* class + " " + id, lower-cased, into buf (truncated) */
static void class_id(const xmlNode *n, char *buf, size_t len)
{
	size_t k = 0;
	const char *attrs[2] = {"class", "id"};

	buf[0] = '\0';
	for (int a = 0; a < 2; a++) {
		xmlChar *v = xmlGetProp((xmlNode *)n, (const xmlChar *)attrs[a]);
		if (!v)
			continue;
		for (const xmlChar *p = v; *p && k + 2 < len; p++)
			buf[k++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		buf[k++] = ' ';
		buf[k] = '\0';
		xmlFree(v);
	}
}

static int attr_has(const xmlNode *n, const char *attr, const char *sub)
{
	xmlChar *v = xmlGetProp((xmlNode *)n, (const xmlChar *)attr);
	int r = 0;

	if (!v)
		return 0;
	if (!sub) {
		r = 1;
	} else {
		char low[256];
		size_t k = 0;
		for (const xmlChar *p = v; *p && k + 1 < sizeof(low); p++)
			if (*p != ' ')
				low[k++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		low[k] = '\0';
		r = strstr(low, sub) != NULL;
	}
	xmlFree(v);
	return r;
}

static int is_hidden(const xmlNode *n)
{
	return attr_has(n, "hidden", NULL) || attr_has(n, "aria-hidden", "true") ||
	       attr_has(n, "style", "display:none") || attr_has(n, "style", "visibility:hidden");
}

static int inside_article(const xmlNode *n)
{
	for (n = n->parent; n && n->type == XML_ELEMENT_NODE; n = n->parent)
		if (is_el(n, "article") || is_el(n, "main"))
			return 1;
	return 0;
}

/* 1 when n holds a titled h1 (not a logo: no link inside, some text) —
 * "post-header", "detail-header" and the like are the article's own head
 * (title, lead, byline), not the site's. */
static int holds_heading(const xmlNode *n, int depth)
{
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || is_el(c, "a"))
			continue;
		if (is_el(c, "h1")) {
			size_t len = 0;
			for (const xmlNode *t = c->children; t; t = t->next) {
				if (t->type == XML_ELEMENT_NODE && !is_el(t, "span"))
					return 0;
				if (t->type == XML_TEXT_NODE && t->content)
					len += strlen((const char *)t->content);
			}
			return len > 15;
		}
		if (depth < 3 && holds_heading(c, depth + 1))
			return 1;
	}
	return 0;
}

/* Removes furniture in place. */
static void prune(xmlNode *n)
{
	xmlNode *c = n->children;

	while (c) {
		xmlNode *next = c->next;
		int drop = 0;

		if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE ||
		    c->type == XML_DTD_NODE) {
			drop = 1;
		} else if (c->type == XML_ELEMENT_NODE) {
			char ci[512];
			if (in_list(NAME(c), drop_tags) || is_hidden(c) ||
			    (is_el(c, "header") && !inside_article(c))) {
				drop = 1;
			} else if (!is_el(c, "body") && !is_el(c, "article") && !is_el(c, "main")) {
				class_id(c, ci, sizeof(ci));
				if (ci[0] && ((has_sub(ci, unlikely) && !has_sub(ci, maybe) &&
					       !holds_heading(c, 0)) ||
					      has_token(ci, furniture_tokens)))
					drop = 1;
			}
		}
		if (drop) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		} else if (c->type == XML_ELEMENT_NODE) {
			prune(c);
		}
		c = next;
	}
}

static struct nstat *st_of(struct cl_html_scratch *s, const xmlNode *n)
{
	uintptr_t i = (uintptr_t)n->_private;
	return i ? (struct nstat *)(void *)s->nodes.p + (i - 1) : NULL;
}

/* Counts text and link text per element (post-order); assigns stats. */
static int measure(struct cl_html_scratch *s, xmlNode *n, int in_link, uint32_t *text,
		   uint32_t *link, uint32_t *commas)
{
	*text = *link = *commas = 0;
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			uint32_t t = 0, cm = 0;
			for (const xmlChar *p = c->content; p && *p; p++) {
				if (*p > ' ' && (*p & 0xC0) != 0x80)
					t++;
				cm += *p == ',';
			}
			*text += t;
			*commas += cm;
			if (in_link)
				*link += t;
		} else if (c->type == XML_ELEMENT_NODE) {
			uint32_t t, l, cm;
			if (measure(s, c, in_link || is_el(c, "a"), &t, &l, &cm) < 0)
				return -1;
			*text += t;
			*link += l;
			*commas += cm;
		}
	}
	size_t idx = s->nodes.len / sizeof(struct nstat);
	if (buf_reserve(&s->nodes, sizeof(struct nstat)) < 0)
		return -1;
	struct nstat *ns = (struct nstat *)(void *)s->nodes.p + idx;
	memset(ns, 0, sizeof(*ns));
	ns->text = *text;
	ns->link = *link;
	ns->commas = *commas;
	s->nodes.len += sizeof(struct nstat);
	n->_private = (void *)(idx + 1);
	return 0;
}

static double class_weight(const xmlNode *n)
{
	char ci[512];
	double w = 0;

	class_id(n, ci, sizeof(ci));
	if (!ci[0])
		return 0;
	if (has_sub(ci, negative))
		w -= 25;
	if (has_sub(ci, positive))
		w += 25;
	return w;
}

static void init_score(struct nstat *ns, const xmlNode *n)
{
	const char *t = NAME(n);

	if (ns->scored)
		return;
	ns->scored = 1;
	ns->score = class_weight(n);
	if (!strcasecmp(t, "div") || !strcasecmp(t, "article") || !strcasecmp(t, "main") ||
	    !strcasecmp(t, "section"))
		ns->score += 5;
	else if (!strcasecmp(t, "pre") || !strcasecmp(t, "td") || !strcasecmp(t, "blockquote"))
		ns->score += 3;
	else if (!strcasecmp(t, "form") || !strcasecmp(t, "ol") || !strcasecmp(t, "ul") ||
		 !strcasecmp(t, "dl") || !strcasecmp(t, "li"))
		ns->score -= 3;
	else if (t[0] == 'h' && t[1] >= '1' && t[1] <= '6' && !t[2])
		ns->score -= 5;
	if (!strcasecmp(t, "article"))
		ns->score += 10;
}

static int paragraph_like(const xmlNode *n)
{
	if (is_el(n, "p") || is_el(n, "pre"))
		return 1;
	if (!is_el(n, "div") && !is_el(n, "section") && !is_el(n, "span") && !is_el(n, "td") &&
	    !is_el(n, "blockquote"))
		return 0;
	/* a div holding text directly, without block children */
	int text = 0;
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && in_list(NAME(c), block_tags) && !is_el(c, "br"))
			return 0;
		if (c->type == XML_TEXT_NODE && c->content) {
			for (const xmlChar *p = c->content; *p; p++)
				if (*p > ' ') {
					text = 1;
					break;
				}
		}
	}
	return text;
}

static void score_tree(struct cl_html_scratch *s, xmlNode *n)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		score_tree(s, c);
		struct nstat *ns = st_of(s, c);
		if (!ns || !paragraph_like(c) || ns->text < 25)
			continue;
		double add = 1 + ns->commas + (ns->text / 100.0 < 3 ? ns->text / 100.0 : 3);
		xmlNode *a = c->parent;
		for (int lvl = 0; lvl < 3 && a && a->type == XML_ELEMENT_NODE; lvl++, a = a->parent) {
			struct nstat *as = st_of(s, a);
			if (!as)
				break;
			init_score(as, a);
			as->score += lvl == 0 ? add : lvl == 1 ? add / 2 : add / (lvl * 3);
		}
	}
}

static double link_density(const struct nstat *ns)
{
	return ns->text ? (double)ns->link / ns->text : 0;
}

static void best_of(struct cl_html_scratch *s, xmlNode *n, xmlNode **best, double *bs)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		struct nstat *ns = st_of(s, c);
		if (ns && ns->scored) {
			double v = ns->score * (1 - link_density(ns));
			if (v > *bs) {
				*bs = v;
				*best = c;
			}
		}
		best_of(s, c, best, bs);
	}
}

/* The lead (sapo, standfirst) of many sites sits just before the body
 * container, as one heading, div or paragraph of prose without a score of
 * its own (it holds no paragraphs, or is a heading). */
static int lead_like(const xmlNode *n, const struct nstat *ns)
{
	const char *t = NAME(n);

	if (!is_el(n, "p") && !is_el(n, "div") && !is_el(n, "section") &&
	    !is_el(n, "blockquote") && !(t[0] == 'h' && t[1] >= '2' && t[1] <= '6' && !t[2]))
		return 0;
	return ns->text > 80 && link_density(ns) < 0.25 && class_weight(n) >= 0;
}

/* --- emitting text --- */

static int emit_nl(struct buf *out)
{
	if (out->len == 0 || out->p[out->len - 1] == '\n')
		return 0;
	return buf_putc(out, '\n');
}

static int emit_text(struct buf *out, const xmlChar *t)
{
	for (const xmlChar *p = t; p && *p; p++) {
		int sp = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == '\f';
		if (sp) {
			if (out->len > 0 && out->p[out->len - 1] != ' ' && out->p[out->len - 1] != '\n' &&
			    buf_putc(out, ' ') < 0)
				return -1;
			continue;
		}
		if (buf_putc(out, (char)*p) < 0)
			return -1;
	}
	return 0;
}

static int emit(struct cl_html_scratch *s, const xmlNode *n, struct buf *out)
{
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (emit_text(out, c->content) < 0)
				return -1;
			continue;
		}
		if (c->type != XML_ELEMENT_NODE)
			continue;
		int block = in_list(NAME(c), block_tags);
		if (block) {
			struct nstat *ns = st_of(s, c);
			/* link lists inside the article (related links, tag clouds) */
			if (ns && !is_el(c, "p") && ns->text > 0 && ns->text < 400 &&
			    link_density(ns) > 0.5)
				continue;
			if (emit_nl(out) < 0)
				return -1;
		}
		if (emit(s, c, out) < 0)
			return -1;
		if (block && emit_nl(out) < 0)
			return -1;
	}
	return 0;
}

static xmlNode *find_el(xmlNode *n, const char *name)
{
	for (xmlNode *c = n; c; c = c->next) {
		if (is_el(c, name))
			return c;
		if (c->type == XML_ELEMENT_NODE && c->children) {
			xmlNode *f = find_el(c->children, name);
			if (f)
				return f;
		}
	}
	return NULL;
}

int cl_html_extract(const char *html, size_t len, const char *encoding, struct buf *out,
		    struct cl_html_result *res, struct cl_html_scratch *s)
{
	htmlDocPtr doc = NULL;
	xmlNode *root, *body, *best = NULL;
	double bs = 0;
	uint32_t t, l, cm;
	int rc = 0;

	buf_reset(out);
	for (int k = 0; k < META_COUNT; k++)
		buf_reset(&res->meta[k]);
	res->container = 0;
	s->nodes.len = 0;
	if (len == 0 || len > INT32_MAX)
		return 0;
	doc = htmlReadMemory(html, (int)len, NULL, encoding,
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
				     HTML_PARSE_NONET | HTML_PARSE_COMPACT);
	if (!doc)
		return 0;
	root = xmlDocGetRootElement(doc);
	if (!root)
		goto out;
	/* before prune: JSON-LD lives in <script>, dates in <time> of headers */
	cl_meta_walk(root, res, &s->tmp);
	body = find_el(root, "body");
	if (!body)
		goto out;
	prune(body);
	rc = -1;
	if (measure(s, body, 0, &t, &l, &cm) < 0)
		goto out;
	score_tree(s, body);
	best_of(s, body, &best, &bs);
	if (!best || bs < 10) {
		rc = emit(s, body, out);
		goto out;
	}
	/* the best container and its worthy siblings, in document order */
	res->container = 1;
	{
		struct nstat *bns = st_of(s, best);
		double thr = bns->score * 0.5 > 10 ? bns->score * 0.5 : 10;
		xmlNode *parent = best->parent;
		int seen_best = 0;
		for (xmlNode *c = parent ? parent->children : best; c; c = c->next) {
			struct nstat *ns = c->type == XML_ELEMENT_NODE ? st_of(s, c) : NULL;
			int take = c == best;
			seen_best |= take;
			if (!take && ns) {
				double ld = link_density(ns);
				if (ns->scored && ns->score * (1 - ld) >= thr)
					take = 1;
				else if (is_el(c, "p") && ns->text > 80 && ld < 0.25)
					take = 1;
				else if (!seen_best && lead_like(c, ns))
					take = 1;
			}
			if (!take)
				continue;
			if (emit_nl(out) < 0)
				goto out;
			if ((is_el(c, "p") ? emit(s, c, out) : emit(s, c, out)) < 0)
				goto out;
			if (emit_nl(out) < 0)
				goto out;
			if (!parent)
				break;
		}
	}
	rc = 0;
out:
	if (doc) {
		/* _private pointed into our scratch: clear nothing, the doc goes */
		xmlFreeDoc(doc);
	}
	return rc;
}
