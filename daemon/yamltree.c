/* yamltree.c — libyaml document API → jansson. */
#include "yamltree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define YAML_MAX_DEPTH 64

static int mark_add(struct yaml_marks *m, const json_t *node, const yaml_mark_t *ym, int quoted)
{
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
	m->v[m->n++] = (struct yaml_mark){node, (int)ym->line + 1, (int)ym->column + 1, quoted};
	return 0;
}

const struct yaml_mark *yaml_mark_of(const struct yaml_marks *marks, const json_t *node)
{
	for (size_t i = 0; marks && i < marks->n; i++)
		if (marks->v[i].node == node)
			return &marks->v[i];
	return NULL;
}

void yaml_marks_free(struct yaml_marks *marks)
{
	if (!marks)
		return;
	free(marks->v);
	marks->v = NULL;
	marks->n = marks->cap = 0;
}

/* YAML 1.2 core schema resolution of a plain scalar. */
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

struct conv {
	yaml_document_t *doc;
	struct yaml_marks *marks;
	const char *name;
	char *err;
	size_t errlen;
};

static json_t *convert(struct conv *c, yaml_node_t *n, int depth)
{
	json_t *out = NULL;

	if (depth > YAML_MAX_DEPTH) {
		snprintf(c->err, c->errlen, "%s:%zu:%zu: nesting deeper than %d levels", c->name,
			 n->start_mark.line + 1, n->start_mark.column + 1, YAML_MAX_DEPTH);
		return NULL;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		const char *s = (const char *)n->data.scalar.value;
		size_t len = n->data.scalar.length;
		int quoted = n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		out = quoted ? json_stringn(s, len) : plain_scalar(s, len);
		if (!out) {
			snprintf(c->err, c->errlen, "%s:%zu:%zu: scalar is not valid UTF-8", c->name,
				 n->start_mark.line + 1, n->start_mark.column + 1);
			return NULL;
		}
		if (mark_add(c->marks, out, &n->start_mark, quoted) < 0)
			goto oom;
		return out;
	}
	case YAML_SEQUENCE_NODE:
		out = json_array();
		if (!out || mark_add(c->marks, out, &n->start_mark, 0) < 0)
			goto oom;
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			json_t *v = convert(c, yaml_document_get_node(c->doc, *it), depth + 1);
			if (!v || json_array_append_new(out, v) < 0)
				goto fail;
		}
		return out;
	case YAML_MAPPING_NODE:
		out = json_object();
		if (!out || mark_add(c->marks, out, &n->start_mark, 0) < 0)
			goto oom;
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
			if (k->type != YAML_SCALAR_NODE) {
				snprintf(c->err, c->errlen, "%s:%zu:%zu: mapping key must be a scalar",
					 c->name, k->start_mark.line + 1, k->start_mark.column + 1);
				goto fail;
			}
			const char *key = (const char *)k->data.scalar.value;
			if (json_object_get(out, key)) {
				snprintf(c->err, c->errlen, "%s:%zu:%zu: duplicate key '%s'", c->name,
					 k->start_mark.line + 1, k->start_mark.column + 1, key);
				goto fail;
			}
			json_t *v = convert(c, yaml_document_get_node(c->doc, p->value), depth + 1);
			if (!v || json_object_set_new(out, key, v) < 0)
				goto fail;
		}
		return out;
	default:
		snprintf(c->err, c->errlen, "%s: empty YAML node", c->name);
		return NULL;
	}
oom:
	snprintf(c->err, c->errlen, "%s: out of memory", c->name);
fail:
	json_decref(out);
	return NULL;
}

json_t *yaml_load_buffer(const char *name, const char *buf, size_t len, struct yaml_marks *marks,
			 char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	json_t *out = NULL;
	int have_doc = 0;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot initialise the YAML parser", name);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", name, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		goto out;
	}
	have_doc = 1;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		out = json_object();
		goto out;
	}
	struct conv c = {&doc, marks, name, err, errlen};
	out = convert(&c, root, 0);
out:
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return out;
}

json_t *yaml_load_file(const char *path, struct yaml_marks *marks, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long sz;
	json_t *out = NULL;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: cannot size file: %s", path, strerror(errno));
		goto out;
	}
	buf = malloc((size_t)sz + 1);
	if (!buf || fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		snprintf(err, errlen, "%s: read failed", path);
		goto out;
	}
	out = yaml_load_buffer(path, buf, (size_t)sz, marks, err, errlen);
out:
	free(buf);
	fclose(f);
	return out;
}
