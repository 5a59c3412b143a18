/* yamltree.c — libyaml document API → jansson, with positions and (for the
 * daemon's config only) ${VAR} expansion. */
#include "yamltree.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define YAML_MAX_DEPTH 64
#define YAML_ALIAS_FACTOR 16  /* converted nodes allowed per document node */
#define YAML_MIN_BUDGET 10000 /* ... and at least this many */
#define VAR_NAME_MAX 255

struct mark_ctx {
	const json_t *parent;
	const char *key; /* (borrowed) NULL unless parent is a mapping */
	size_t index;
	int key_line, key_col;
};

static int mark_push(struct yaml_marks *m, const json_t *node, int line, int col, int quoted,
		     const struct mark_ctx *mc)
{
	char *key = NULL;

	if (!m)
		return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct yaml_mark *v = realloc(m->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		m->v = v;
		m->cap = cap;
	}
	if (mc && mc->key && !(key = strdup(mc->key)))
		return -ENOMEM;
	m->v[m->n++] = (struct yaml_mark){
		.node = node,
		.line = line,
		.col = col,
		.quoted = quoted,
		.parent = mc ? mc->parent : NULL,
		.key = key,
		.index = mc ? mc->index : 0,
		.key_line = mc && mc->key ? mc->key_line : line,
		.key_col = mc && mc->key ? mc->key_col : col,
	};
	return 0;
}

int yaml_marks_add(struct yaml_marks *marks, const json_t *node, int line, int col)
{
	return mark_push(marks, node, line, col, 0, NULL);
}

const struct yaml_mark *yaml_mark_of(const struct yaml_marks *marks, const json_t *node)
{
	for (size_t i = 0; marks && node && i < marks->n; i++)
		if (marks->v[i].node == node)
			return &marks->v[i];
	return NULL;
}

const struct yaml_mark *yaml_mark_at(const struct yaml_marks *marks, const json_t *parent,
				     const char *key)
{
	for (size_t i = 0; marks && parent && key && i < marks->n; i++)
		if (marks->v[i].parent == parent && marks->v[i].key &&
		    strcmp(marks->v[i].key, key) == 0)
			return &marks->v[i];
	return NULL;
}

const struct yaml_mark *yaml_mark_item(const struct yaml_marks *marks, const json_t *parent,
				       size_t index)
{
	for (size_t i = 0; marks && parent && i < marks->n; i++)
		if (marks->v[i].parent == parent && !marks->v[i].key && marks->v[i].index == index)
			return &marks->v[i];
	return NULL;
}

static void marks_truncate(struct yaml_marks *marks, size_t n)
{
	while (marks && marks->n > n)
		free(marks->v[--marks->n].key);
}

void yaml_marks_free(struct yaml_marks *marks)
{
	if (!marks)
		return;
	marks_truncate(marks, 0);
	free(marks->v);
	marks->v = NULL;
	marks->n = marks->cap = 0;
}

/* YAML 1.2 core schema resolution of a plain scalar (s[len] == '\0'). */
static json_t *plain_scalar(const char *s, size_t len)
{
	char *end;

	if (len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0)
		return json_null();
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return json_true();
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return json_false();
	if (strspn(s, "+-0123456789") == len && len > 0 && s[len - 1] >= '0' && s[len - 1] <= '9') {
		errno = 0;
		long long v = strtoll(s, &end, 10);
		if (*end == '\0' && errno == 0)
			return json_integer(v);
	}
	if (strspn(s, "+-0123456789.eE") == len && strpbrk(s, "0123456789")) {
		errno = 0;
		double d = strtod(s, &end);
		if (*end == '\0' && errno == 0)
			return json_real(d);
	}
	return json_stringn(s, len);
}

/* Byte offset in buf of 1-based (line, col) as libyaml counts them
 * (characters; \n, \r\n and \r end lines; a BOM is not counted), or -1. */
static long src_offset(const char *buf, size_t len, int line, int col)
{
	size_t i = 0;

	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (int l = 1; l < line; l++) {
		while (i < len && buf[i] != '\n' && buf[i] != '\r')
			i++;
		if (i >= len)
			return -1;
		if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
			i++;
		i++;
	}
	for (int c = 1; c < col; c++) {
		if (i >= len || buf[i] == '\n' || buf[i] == '\r')
			return -1;
		i++;
		while (i < len && ((unsigned char)buf[i] & 0xC0) == 0x80)
			i++;
	}
	return (long)i;
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

struct conv {
	yaml_document_t *doc;
	struct yaml_marks *marks;
	const char *name;
	const char *src; /* the whole input, to point inside scalars */
	size_t srclen;
	unsigned flags;
	size_t budget; /* nodes still allowed (alias bombs) */
	char *err;
	size_t errlen;
};

/* Column of byte off of scalar n's value: exact when the text before it
 * stands verbatim on the scalar's first line, else the scalar's start. */
static int value_col(const struct conv *c, const yaml_node_t *n, const char *s, size_t off)
{
	int line = (int)n->start_mark.line + 1, col = (int)n->start_mark.column + 1;
	int quoted = n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		     n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	long at = src_offset(c->src, c->srclen, line, col);

	if (n->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
	    n->data.scalar.style == YAML_FOLDED_SCALAR_STYLE || at < 0)
		return col;
	if (quoted) {
		if (c->src[at] != '\'' && c->src[at] != '"')
			return col;
		at++;
	}
	if ((size_t)at + off > c->srclen || memchr(s, '\n', off) || memchr(s, '\r', off) ||
	    memcmp(c->src + at, s, off) != 0)
		return col;
	return col + quoted + (int)utf8_chars(s, off);
}

struct sbuf {
	char *p;
	size_t n, cap;
};

static int sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

static int is_name_start(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_';
}

static int is_name_char(char ch)
{
	return is_name_start(ch) || (ch >= '0' && ch <= '9');
}

/* Expands ${VAR}, ${VAR:-default} and $$ in the scalar s (s[len] == '\0').
 * Returns 0 with *out NULL when s has no '$' (use s), or *out (owned,
 * NUL-terminated) and *outlen; -EINVAL/-ENOMEM with c->err filled. */
static int expand_env(struct conv *c, const yaml_node_t *n, const char *s, size_t len, char **out,
		      size_t *outlen)
{
	struct sbuf b = {0};
	char name[VAR_NAME_MAX + 1];
	int rc = 0;
	size_t i = 0, lit = 0; /* s[lit..i) is pending literal text */

	*out = NULL;
	*outlen = 0;
	if (!memchr(s, '$', len))
		return 0;
	while (i < len) {
		if (s[i] != '$' || i + 1 >= len || (s[i + 1] != '$' && s[i + 1] != '{')) {
			i++;
			continue;
		}
		if ((rc = sb_add(&b, s + lit, i - lit)) < 0)
			goto oom;
		if (s[i + 1] == '$') { /* $$ → $ */
			if ((rc = sb_add(&b, "$", 1)) < 0)
				goto oom;
			i += 2;
			lit = i;
			continue;
		}
		size_t start = i, j = i + 2;
		int line = (int)n->start_mark.line + 1, col = value_col(c, n, s, start);
		const char *close = memchr(s + j, '}', len - j);
		if (!close) {
			snprintf(c->err, c->errlen,
				 "%s:%d:%d: unterminated '${' in '%.*s': expected '}' (write $$ for a "
				 "literal '$')",
				 c->name, line, col, (int)(len - start > 60 ? 60 : len - start),
				 s + start);
			rc = -EINVAL;
			goto out;
		}
		while (j < len && is_name_char(s[j]))
			j++;
		size_t nlen = j - (start + 2);
		if (nlen == 0 || !is_name_start(s[start + 2]) || nlen > VAR_NAME_MAX ||
		    (s[j] != '}' && !(s[j] == ':' && j + 1 < len && s[j + 1] == '-'))) {
			snprintf(c->err, c->errlen,
				 "%s:%d:%d: bad variable reference '%.*s': expected ${NAME} or "
				 "${NAME:-default}, NAME made of letters, digits and '_' (not starting "
				 "with a digit)",
				 c->name, line, col, (int)(close - (s + start) + 1 > 80 ? 80 : close - (s + start) + 1),
				 s + start);
			rc = -EINVAL;
			goto out;
		}
		memcpy(name, s + start + 2, nlen);
		name[nlen] = '\0';
		const char *val = getenv(name);
		if (s[j] == '}') {
			if (!val) {
				snprintf(c->err, c->errlen,
					 "%s:%d:%d: environment variable '%s' is not set (set it, or "
					 "write ${%s:-default})",
					 c->name, line, col, name, name);
				rc = -EINVAL;
				goto out;
			}
			i = j + 1;
		} else {
			const char *def = s + j + 2;
			if (close - def >= 2 && memmem(def, (size_t)(close - def), "${", 2)) {
				snprintf(c->err, c->errlen,
					 "%s:%d:%d: a default inside ${%s:-...} cannot use ${...}: "
					 "expected literal text",
					 c->name, line, col, name);
				rc = -EINVAL;
				goto out;
			}
			if (!val || !*val)
				val = NULL;
			if ((rc = val ? sb_add(&b, val, strlen(val))
				      : sb_add(&b, def, (size_t)(close - def))) < 0)
				goto oom;
			val = NULL;
			i = (size_t)(close - s) + 1;
		}
		if (val && (rc = sb_add(&b, val, strlen(val))) < 0)
			goto oom;
		lit = i;
	}
	if ((rc = sb_add(&b, s + lit, len - lit)) < 0)
		goto oom;
	*out = b.p;
	*outlen = b.n;
	b.p = NULL;
	goto out;
oom:
	snprintf(c->err, c->errlen, "%s: out of memory", c->name);
out:
	free(b.p);
	return rc;
}

static json_t *scalar(struct conv *c, yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	int quoted = n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	char *exp = NULL;
	size_t explen;
	json_t *out = NULL;

	if ((c->flags & YAML_LOAD_ENV) && expand_env(c, n, s, len, &exp, &explen) < 0)
		return NULL;
	if (exp) {
		s = exp;
		len = explen;
	}
	out = quoted ? json_stringn(s, len) : plain_scalar(s, len);
	if (!out)
		snprintf(c->err, c->errlen, "%s:%zu:%zu: scalar is not valid UTF-8", c->name,
			 n->start_mark.line + 1, n->start_mark.column + 1);
	free(exp);
	return out;
}

static json_t *convert(struct conv *c, yaml_node_t *n, int depth, const struct mark_ctx *mc)
{
	json_t *out = NULL;
	int line = (int)n->start_mark.line + 1, col = (int)n->start_mark.column + 1;

	if (depth > YAML_MAX_DEPTH) {
		snprintf(c->err, c->errlen, "%s:%d:%d: nesting deeper than %d levels", c->name, line,
			 col, YAML_MAX_DEPTH);
		return NULL;
	}
	if (c->budget == 0) {
		snprintf(c->err, c->errlen,
			 "%s:%d:%d: aliases expand to too many nodes (more than %d per node "
			 "written)",
			 c->name, line, col, YAML_ALIAS_FACTOR);
		return NULL;
	}
	c->budget--;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		out = scalar(c, n);
		if (!out)
			return NULL;
		if (mark_push(c->marks, out, line, col, n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE,
			      mc) < 0)
			goto oom;
		return out;
	case YAML_SEQUENCE_NODE:
		out = json_array();
		if (!out || mark_push(c->marks, out, line, col, 0, mc) < 0)
			goto oom;
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			struct mark_ctx sub = {out, NULL, (size_t)(it - n->data.sequence.items.start),
					       0, 0};
			json_t *v = convert(c, yaml_document_get_node(c->doc, *it), depth + 1, &sub);
			if (!v)
				goto fail;
			if (json_array_append_new(out, v) < 0)
				goto oom;
		}
		return out;
	case YAML_MAPPING_NODE:
		out = json_object();
		if (!out || mark_push(c->marks, out, line, col, 0, mc) < 0)
			goto oom;
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
			int kl = (int)k->start_mark.line + 1, kc = (int)k->start_mark.column + 1;
			if (k->type != YAML_SCALAR_NODE) {
				snprintf(c->err, c->errlen, "%s:%d:%d: mapping key must be a scalar",
					 c->name, kl, kc);
				goto fail;
			}
			const char *key = (const char *)k->data.scalar.value;
			if (json_object_get(out, key)) {
				snprintf(c->err, c->errlen, "%s:%d:%d: duplicate key '%s'", c->name, kl,
					 kc, key);
				goto fail;
			}
			struct mark_ctx sub = {out, key, (size_t)(p - n->data.mapping.pairs.start), kl,
					       kc};
			json_t *v = convert(c, yaml_document_get_node(c->doc, p->value), depth + 1,
					    &sub);
			if (!v)
				goto fail;
			if (json_object_set_new(out, key, v) < 0) {
				snprintf(c->err, c->errlen, "%s:%d:%d: mapping key is not valid UTF-8",
					 c->name, kl, kc);
				goto fail;
			}
		}
		return out;
	default:
		snprintf(c->err, c->errlen, "%s:%d:%d: empty YAML node", c->name, line, col);
		return NULL;
	}
oom:
	snprintf(c->err, c->errlen, "%s: out of memory", c->name);
fail:
	json_decref(out);
	return NULL;
}

json_t *yaml_load_buffer_ex(const char *name, const char *buf, size_t len, unsigned flags,
			    struct yaml_marks *marks, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	json_t *out = NULL;
	int have_doc = 0;
	size_t marks0 = marks ? marks->n : 0;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot initialise the YAML parser", name);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		int line = (int)parser.problem_mark.line + 1, col = (int)parser.problem_mark.column + 1;
		long at = src_offset(buf, len, line, col);
		snprintf(err, errlen, "%s:%d:%d: %s%s%s%s", name, line, col,
			 parser.problem ? parser.problem : "syntax error",
			 parser.context ? " " : "", parser.context ? parser.context : "",
			 at >= 0 && (size_t)at < len && buf[at] == '\t'
				 ? " (a tab: YAML indents with spaces only)"
				 : "");
		goto out;
	}
	have_doc = 1;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		out = json_object();
		if (!out)
			snprintf(err, errlen, "%s: out of memory", name);
		goto out;
	}
	size_t nodes = (size_t)(doc.nodes.top - doc.nodes.start);
	struct conv c = {
		.doc = &doc,
		.marks = marks,
		.name = name,
		.src = buf,
		.srclen = len,
		.flags = flags,
		.budget = nodes > SIZE_MAX / YAML_ALIAS_FACTOR ? SIZE_MAX
				: nodes * YAML_ALIAS_FACTOR + YAML_MIN_BUDGET,
		.err = err,
		.errlen = errlen,
	};
	out = convert(&c, root, 0, NULL);
out:
	if (!out)
		marks_truncate(marks, marks0);
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return out;
}

json_t *yaml_load_buffer(const char *name, const char *buf, size_t len, struct yaml_marks *marks,
			 char *err, size_t errlen)
{
	return yaml_load_buffer_ex(name, buf, len, 0, marks, err, errlen);
}

int yaml_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *p = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	*buf = NULL;
	*len = 0;
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = -EISDIR;
		snprintf(err, errlen, "%s: %s", path, strerror(EISDIR));
		goto out;
	}
	for (;;) {
		if (cap - n < 4096 + 1) {
			size_t ncap = cap ? cap * 2 : 8192;
			char *np = realloc(p, ncap);
			if (!np) {
				rc = -ENOMEM;
				snprintf(err, errlen, "%s: out of memory", path);
				goto out;
			}
			p = np;
			cap = ncap;
		}
		size_t got = fread(p + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				rc = errno ? -errno : -EIO;
				snprintf(err, errlen, "%s: %s", path, strerror(-rc));
				goto out;
			}
			break;
		}
	}
	p[n] = '\0';
	*buf = p;
	*len = n;
	p = NULL;
out:
	free(p);
	fclose(f);
	return rc;
}

json_t *yaml_load_file_ex(const char *path, unsigned flags, struct yaml_marks *marks, char *err,
			  size_t errlen)
{
	char *buf;
	size_t len;
	json_t *out;

	if (yaml_read_file(path, &buf, &len, err, errlen) < 0)
		return NULL;
	out = yaml_load_buffer_ex(path, buf, len, flags, marks, err, errlen);
	free(buf);
	return out;
}

json_t *yaml_load_file(const char *path, struct yaml_marks *marks, char *err, size_t errlen)
{
	return yaml_load_file_ex(path, 0, marks, err, errlen);
}
