/* meta.c — see meta.h.  One recursive walk; JSON-LD parsed with jansson. */
#include "meta.h"

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Source ranks, lower is better (README.md "Metadata"). */
enum {
	R_BEST = 1,      /* JSON-LD article; <link rel=canonical>; <html lang> */
	R_META = 2,      /* Open Graph, article:*, description */
	R_META_WEAK = 3, /* other <meta> names; JSON-LD publisher / language */
	R_MICRODATA = 4, /* itemprop on any element */
	R_DOM = 5,       /* <time datetime> in the article, rel=author */
	R_NONE = 255,
};

/* scope bits passed down the walk */
enum {
	SC_ARTICLE = 1,   /* inside article/main or an Article itemscope */
	SC_FURN = 2,      /* inside aside/nav/footer: other articles' data */
	SC_AUTHOR = 4,    /* inside itemprop=author itemscope */
	SC_PUBLISHER = 8, /* inside itemprop=publisher itemscope */
	SC_SVG = 16,      /* an svg <title> is not the page's */
};

struct mwalk {
	struct cl_html_result *r;
	struct buf *tmp;
	uint8_t rank[META_COUNT];
	int ld_article; /* a JSON-LD article was read: later blocks are skipped */
};

/* the attributes the walk looks at, scanned once per element (no copies) */
struct attrs {
	const char *itemprop, *itemtype, *rel, *datetime, *content, *lang, *property, *name,
		*http_equiv, *type, *href;
	int itemscope, pubdate;
};

struct mkey {
	const char *name;
	uint8_t key, rank;
};

/* <meta property|name|http-equiv=NAME content=...> */
static const struct mkey meta_keys[] = {
	{"og:title", META_OG_TITLE, R_META},
	{"twitter:title", META_OG_TITLE, R_META_WEAK},
	{"parsely-title", META_OG_TITLE, R_META_WEAK},
	{"dable:title", META_OG_TITLE, R_META_WEAK},
	{"title", META_OG_TITLE, R_META_WEAK},
	{"og:site_name", META_OG_SITE_NAME, R_META},
	{"dc.publisher", META_OG_SITE_NAME, R_META_WEAK},
	{"application-name", META_OG_SITE_NAME, R_MICRODATA},
	{"article:published_time", META_PUBLISHED_TIME, R_META},
	{"og:published_time", META_PUBLISHED_TIME, R_META},
	{"pubdate", META_PUBLISHED_TIME, R_META_WEAK},
	{"publishdate", META_PUBLISHED_TIME, R_META_WEAK},
	{"publish-date", META_PUBLISHED_TIME, R_META_WEAK},
	{"publish_date", META_PUBLISHED_TIME, R_META_WEAK},
	{"publication_date", META_PUBLISHED_TIME, R_META_WEAK},
	{"date", META_PUBLISHED_TIME, R_META_WEAK},
	{"dc.date", META_PUBLISHED_TIME, R_META_WEAK},
	{"dc.date.issued", META_PUBLISHED_TIME, R_META_WEAK},
	{"dcterms.created", META_PUBLISHED_TIME, R_META_WEAK},
	{"parsely-pub-date", META_PUBLISHED_TIME, R_META_WEAK},
	{"sailthru.date", META_PUBLISHED_TIME, R_META_WEAK},
	{"dable:published_time", META_PUBLISHED_TIME, R_META_WEAK},
	{"article:modified_time", META_MODIFIED_TIME, R_META},
	{"og:updated_time", META_MODIFIED_TIME, R_META_WEAK},
	{"dc.date.modified", META_MODIFIED_TIME, R_META_WEAK},
	{"dcterms.modified", META_MODIFIED_TIME, R_META_WEAK},
	{"lastmod", META_MODIFIED_TIME, R_META_WEAK},
	{"article:author", META_AUTHOR, R_META},
	{"author", META_AUTHOR, R_META_WEAK},
	{"dc.creator", META_AUTHOR, R_META_WEAK},
	{"parsely-author", META_AUTHOR, R_META_WEAK},
	{"sailthru.author", META_AUTHOR, R_META_WEAK},
	{"dable:author", META_AUTHOR, R_META_WEAK},
	{"description", META_DESCRIPTION, R_META},
	{"og:description", META_DESCRIPTION, R_META_WEAK},
	{"twitter:description", META_DESCRIPTION, R_MICRODATA},
	{"og:url", META_CANONICAL_URL, R_META},
	{"content-language", META_LANG, R_META_WEAK},
	{"language", META_LANG, R_META_WEAK},
	{"dc.language", META_LANG, R_META_WEAK},
	{"og:locale", META_LANG, R_MICRODATA},
	{NULL, 0, 0},
};

#define NAME(n) ((const char *)(n)->name)

static int is_el(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcasecmp(NAME(n), name) == 0;
}

static void get_attrs(const xmlNode *n, struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	for (const xmlAttr *p = n->properties; p; p = p->next) {
		const char *k = (const char *)p->name;
		/* the HTML parser stores an attribute's value as one text node */
		const char *v = p->children && p->children->type == XML_TEXT_NODE
					? (const char *)p->children->content
					: "";
		switch (k[0] | 0x20) {
		case 'c':
			if (!strcasecmp(k, "content"))
				a->content = v;
			break;
		case 'd':
			if (!strcasecmp(k, "datetime"))
				a->datetime = v;
			break;
		case 'h':
			if (!strcasecmp(k, "href"))
				a->href = v;
			else if (!strcasecmp(k, "http-equiv"))
				a->http_equiv = v;
			break;
		case 'i':
			if (!strcasecmp(k, "itemprop"))
				a->itemprop = v;
			else if (!strcasecmp(k, "itemtype"))
				a->itemtype = v;
			else if (!strcasecmp(k, "itemscope"))
				a->itemscope = 1;
			break;
		case 'l':
			if (!strcasecmp(k, "lang"))
				a->lang = v;
			break;
		case 'n':
			if (!strcasecmp(k, "name"))
				a->name = v;
			break;
		case 'p':
			if (!strcasecmp(k, "property"))
				a->property = v;
			else if (!strcasecmp(k, "pubdate"))
				a->pubdate = 1;
			break;
		case 'r':
			if (!strcasecmp(k, "rel"))
				a->rel = v;
			break;
		case 't':
			if (!strcasecmp(k, "type"))
				a->type = v;
			break;
		default:
			break;
		}
	}
}

/* 1 when the space-separated list holds word (case-insensitive) */
static int has_word(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; p && *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		size_t n = strcspn(p, " \t\n");
		if (n == wl && strncasecmp(p, word, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* 1 when s contains sub (ASCII, case-insensitive) */
static int has_sub_ci(const char *s, const char *sub)
{
	size_t n = strlen(sub);

	for (; *s; s++)
		if (strncasecmp(s, sub, n) == 0)
			return 1;
	return 0;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
}

/* Values that cannot be what the key means (an author that is a profile
 * URL or a whole bio, a date without digits) would mislead the extractor
 * more than no hint. */
static int plausible(int k, const char *p, size_t n)
{
	if (k == META_AUTHOR) {
		if (n > 120 || *p == '@' || strncasecmp(p, "www.", 4) == 0)
			return 0;
		for (size_t i = 0; i + 2 < n; i++)
			if (p[i] == ':' && p[i + 1] == '/' && p[i + 2] == '/')
				return 0;
		return 1;
	}
	if (k == META_PUBLISHED_TIME || k == META_MODIFIED_TIME) {
		if (n > 64)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (p[i] >= '0' && p[i] <= '9')
				return 1;
		return 0;
	}
	return n <= 4096;
}

static int put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_put(b, u, n);
}

/* The code point of the entity at p ("&name;", "&#123;", "&#x1F;") and its
 * length in *len, or 0.  JSON-LD text is not entity-decoded by the parser
 * and many CMSs store titles already escaped ("&quot;", "&amp;amp;"). */
static uint32_t entity(const char *p, const char *e, size_t *len)
{
	char name[16];
	size_t n = 0;
	uint32_t cp = 0;

	for (const char *q = p + 1; q < e && n + 1 < sizeof(name); q++, n++) {
		if (*q == ';') {
			name[n] = '\0';
			*len = n + 2;
			if (n >= 2 && name[0] == '#') {
				int hex = name[1] == 'x' || name[1] == 'X';
				for (const char *d = name + 1 + hex; *d; d++) {
					int v = *d >= '0' && *d <= '9'	 ? *d - '0'
						: hex && (*d | 0x20) >= 'a' && (*d | 0x20) <= 'f'
							? (*d | 0x20) - 'a' + 10
							: -1;
					if (v < 0 || cp > 0x10FFFF)
						return 0;
					cp = cp * (hex ? 16 : 10) + (uint32_t)v;
				}
				return cp ? cp : 0xFFFD;
			}
			const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *)name);
			return d ? d->value : 0;
		}
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		      (*q >= '0' && *q <= '9') || *q == '#'))
			return 0;
		name[n] = *q;
	}
	return 0;
}

/* Stores v as key k when rank beats what is there: trimmed, inner
 * whitespace collapsed, entities decoded. */
static void set_meta(struct mwalk *w, int k, const char *v, int rank)
{
	struct buf *b = &w->r->meta[k];
	const char *p = v, *e;

	if (!v || rank >= w->rank[k])
		return;
	while (is_space((unsigned char)*p))
		p++;
	e = p + strlen(p);
	while (e > p && is_space((unsigned char)e[-1]))
		e--;
	if (e == p || !plausible(k, p, (size_t)(e - p)))
		return;
	buf_reset(b);
	for (const char *q = p; q < e; q++) {
		size_t el = 0;
		uint32_t cp;
		int rc;
		if (is_space((unsigned char)*q)) {
			if (b->len > 0 && b->p[b->len - 1] == ' ')
				continue;
			rc = buf_putc(b, ' ');
		} else if (*q == '&' && (cp = entity(q, e, &el)) != 0) {
			rc = cp == 0xA0 ? buf_putc(b, ' ') : put_utf8(b, cp);
			q += el - 1;
		} else {
			rc = buf_putc(b, *q);
		}
		if (rc < 0) {
			buf_reset(b);
			return;
		}
	}
	w->rank[k] = (uint8_t)rank;
}

/* The element's text as key k, read only when it could win. */
static void set_text(struct mwalk *w, int k, xmlNode *n, int rank)
{
	if (rank >= w->rank[k])
		return;
	xmlChar *t = xmlNodeGetContent(n);
	set_meta(w, k, (const char *)t, rank);
	xmlFree(t);
}

/* --- JSON-LD --- */

/* "NewsArticle", "schema:Article", "http://schema.org/ReportageNewsArticle" */
static int type_ends(const char *s, const char *suffix)
{
	const char *b = strrchr(s, '/');
	b = b ? b + 1 : s;
	const char *c = strrchr(b, ':');
	b = c ? c + 1 : b;
	size_t n = strlen(b), m = strlen(suffix);
	return n >= m && strcmp(b + n - m, suffix) == 0;
}

static int ld_type(json_t *o, int (*pred)(const char *))
{
	json_t *t = json_object_get(o, "@type"), *x;
	size_t i;

	if (json_is_string(t))
		return pred(json_string_value(t));
	json_array_foreach(t, i, x) {
		if (json_is_string(x) && pred(json_string_value(x)))
			return 1;
	}
	return 0;
}

static int article_type(const char *s)
{
	return type_ends(s, "Article") || type_ends(s, "BlogPosting") || type_ends(s, "Report");
}

static int org_type(const char *s)
{
	return type_ends(s, "Organization") || type_ends(s, "Corporation");
}

/* the first Article-typed object: top level, arrays, @graph, mainEntity */
static json_t *ld_find(json_t *v, int depth)
{
	json_t *x, *f;
	size_t i;

	if (depth > 5)
		return NULL;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if ((f = ld_find(x, depth + 1)))
				return f;
		}
		return NULL;
	}
	if (!json_is_object(v))
		return NULL;
	if (ld_type(v, article_type))
		return v;
	if ((f = ld_find(json_object_get(v, "@graph"), depth + 1)))
		return f;
	return ld_find(json_object_get(v, "mainEntity"), depth + 1);
}

static const char *ld_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* author: a string, a Person, or an array of them; organisations named as
 * the author are the outlet, not a byline, and are skipped. */
static void ld_author(struct mwalk *w, json_t *a)
{
	size_t n = json_is_array(a) ? json_array_size(a) : 1;

	if (R_BEST >= w->rank[META_AUTHOR])
		return;
	buf_reset(w->tmp);
	for (size_t i = 0; i < n && i < 8; i++) {
		json_t *x = json_is_array(a) ? json_array_get(a, i) : a;
		const char *name = json_is_string(x) ? json_string_value(x)
				   : json_is_object(x) && !ld_type(x, org_type) ? ld_str(x, "name")
										 : NULL;
		if (!name)
			continue;
		while (is_space((unsigned char)*name))
			name++;
		size_t l = strlen(name);
		while (l > 0 && is_space((unsigned char)name[l - 1]))
			l--;
		if (l == 0 || !plausible(META_AUTHOR, name, l))
			continue;
		if ((w->tmp->len > 0 && buf_put(w->tmp, ", ", 2) < 0) || buf_put(w->tmp, name, l) < 0)
			return;
	}
	if (w->tmp->len > 0)
		set_meta(w, META_AUTHOR, w->tmp->p, R_BEST);
}

static void ld_article(struct mwalk *w, json_t *o)
{
	json_t *pub = json_object_get(o, "publisher");

	set_meta(w, META_OG_TITLE, ld_str(o, "headline"), R_BEST);
	set_meta(w, META_OG_TITLE, ld_str(o, "name"), R_META_WEAK);
	set_meta(w, META_PUBLISHED_TIME, ld_str(o, "datePublished"), R_BEST);
	set_meta(w, META_PUBLISHED_TIME, ld_str(o, "dateCreated"), R_META_WEAK);
	set_meta(w, META_MODIFIED_TIME, ld_str(o, "dateModified"), R_BEST);
	set_meta(w, META_DESCRIPTION, ld_str(o, "description"), R_META_WEAK);
	set_meta(w, META_LANG, ld_str(o, "inLanguage"), R_META);
	if (json_is_array(pub))
		pub = json_array_get(pub, 0);
	/* og:site_name is the name the site gives itself; publisher.name is
	 * sometimes the company behind it */
	if (json_is_object(pub))
		set_meta(w, META_OG_SITE_NAME, ld_str(pub, "name"), R_META_WEAK);
	ld_author(w, json_object_get(o, "author"));
}

static void jsonld(struct mwalk *w, const xmlNode *script)
{
	struct buf *t = w->tmp;
	json_t *root, *art;
	const char *p;

	buf_reset(t);
	for (const xmlNode *c = script->children; c; c = c->next) {
		if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
			continue;
		for (const xmlChar *q = c->content; q && *q; q++)
			/* raw newlines and tabs inside strings are common and
			 * invalid JSON; outside strings a space is the same */
			if (buf_putc(t, *q < 0x20 ? ' ' : (char)*q) < 0)
				return;
		if (t->len > (1u << 20))
			return;
	}
	if (t->len == 0)
		return;
	/* skip "<!--", "//<![CDATA[" and the like before the value */
	p = t->p + strcspn(t->p, "{[");
	if (!*p)
		return;
	/* DISABLE_EOF_CHECK: a trailing "-->", ";" or a second value is ignored */
	root = json_loadb(p, t->len - (size_t)(p - t->p), JSON_DISABLE_EOF_CHECK, NULL);
	if (!root)
		return;
	art = ld_find(root, 0);
	if (art) {
		w->ld_article = 1;
		ld_article(w, art);
	}
	json_decref(root);
}

/* --- the walk --- */

static void meta_tag(struct mwalk *w, const struct attrs *a)
{
	const char *keys[3] = {a->property, a->name, a->http_equiv};

	if (!a->content)
		return;
	for (int i = 0; i < 3; i++) {
		if (!keys[i])
			continue;
		for (const struct mkey *m = meta_keys; m->name; m++)
			if (!strcasecmp(keys[i], m->name)) {
				set_meta(w, m->key, a->content, m->rank);
				break;
			}
	}
}

static void microdata(struct mwalk *w, xmlNode *c, const struct attrs *a, unsigned sc,
		      unsigned *csc)
{
	const char *ip = a->itemprop;
	const char *v = a->content ? a->content : a->datetime;
	int k = -1;

	if (has_word(ip, "author") && a->itemscope) {
		*csc |= SC_AUTHOR;
		return;
	}
	if (has_word(ip, "publisher") && a->itemscope) {
		*csc |= SC_PUBLISHER;
		return;
	}
	if (has_word(ip, "datePublished"))
		k = META_PUBLISHED_TIME;
	else if (has_word(ip, "dateModified"))
		k = META_MODIFIED_TIME;
	else if (has_word(ip, "headline"))
		k = META_OG_TITLE;
	else if (has_word(ip, "author"))
		k = META_AUTHOR;
	else if (has_word(ip, "inLanguage"))
		k = META_LANG;
	else if (has_word(ip, "name") && (sc & SC_AUTHOR))
		k = META_AUTHOR;
	else if (has_word(ip, "name") && (sc & SC_PUBLISHER))
		k = META_OG_SITE_NAME;
	if (k < 0)
		return;
	if (v)
		set_meta(w, k, v, R_MICRODATA);
	else if (!is_el(c, "meta") && !is_el(c, "link"))
		set_text(w, k, c, R_MICRODATA);
}

static void walk(struct mwalk *w, xmlNode *n, unsigned sc)
{
	for (xmlNode *c = n; c; c = c->next) {
		struct attrs a;
		unsigned csc = sc;
		const char *tag;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		tag = NAME(c);
		get_attrs(c, &a);
		if (!strcasecmp(tag, "meta")) {
			meta_tag(w, &a);
		} else if (!strcasecmp(tag, "html")) {
			set_meta(w, META_LANG, a.lang, R_BEST);
		} else if (!strcasecmp(tag, "title")) {
			if (!(sc & SC_SVG))
				set_text(w, META_TITLE, c, R_META);
		} else if (!strcasecmp(tag, "link")) {
			if (a.rel && has_word(a.rel, "canonical"))
				set_meta(w, META_CANONICAL_URL, a.href, R_BEST);
		} else if (!strcasecmp(tag, "script")) {
			if (!w->ld_article && a.type && has_sub_ci(a.type, "ld+json"))
				jsonld(w, c);
			continue; /* nothing else inside a script */
		} else if (!strcasecmp(tag, "svg")) {
			csc |= SC_SVG;
		} else if (!strcasecmp(tag, "article") || !strcasecmp(tag, "main")) {
			csc |= SC_ARTICLE;
		} else if (!strcasecmp(tag, "aside") || !strcasecmp(tag, "nav") ||
			   !strcasecmp(tag, "footer")) {
			csc |= SC_FURN;
		} else if (!strcasecmp(tag, "time")) {
			/* the first dated element of the article is its date;
			 * dates in lists of other articles are not */
			if (a.datetime && !(sc & SC_FURN) && ((sc & SC_ARTICLE) || a.pubdate))
				set_meta(w, META_PUBLISHED_TIME, a.datetime, R_DOM);
		} else if (!strcasecmp(tag, "a")) {
			if (a.rel && has_word(a.rel, "author") && !(sc & SC_FURN))
				set_text(w, META_AUTHOR, c, R_DOM);
		}
		if (a.itemscope) {
			csc &= ~(unsigned)(SC_AUTHOR | SC_PUBLISHER);
			if (a.itemtype && article_type(a.itemtype))
				csc |= SC_ARTICLE;
		}
		if (a.itemprop && !(sc & SC_FURN))
			microdata(w, c, &a, sc, &csc);
		if (c->children)
			walk(w, c->children, csc);
	}
}

void cl_meta_walk(xmlNode *root, struct cl_html_result *r, struct buf *tmp)
{
	struct mwalk w = {.r = r, .tmp = tmp};

	for (int k = 0; k < META_COUNT; k++) {
		buf_reset(&r->meta[k]);
		w.rank[k] = R_NONE;
	}
	walk(&w, root, 0);
}
