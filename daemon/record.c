/* record.c — jansson-backed records and dotted-path access. */
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_SEG_MAX 128

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned c = *p;
		size_t n;
		unsigned cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= n)
			return 0;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		/* overlong, surrogate, out of range */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		p += n + 1;
	}
	return 1;
}

int record_from_payload(struct newsd_record *r, const char *payload, size_t len,
			enum record_format fmt, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *v = NULL;
	int rc = 0;

	r->root = NULL;
	if (fmt != RECORD_FORMAT_RAW) {
		/* JSON_ALLOW_NUL: a \u0000 escape is legal JSON; the cleaner strips it. */
		v = json_loadb(payload, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
		if (v && !json_is_object(v)) {
			json_decref(v);
			v = NULL;
			snprintf(jerr.text, sizeof(jerr.text), "JSON value is not an object");
			jerr.line = 1;
			jerr.column = 1;
		}
		if (v) {
			r->root = v;
			goto out;
		}
		if (fmt == RECORD_FORMAT_JSON) {
			snprintf(err, errlen, "malformed JSON at line %d column %d: %s", jerr.line,
				 jerr.column, jerr.text);
			rc = -EINVAL;
			goto out;
		}
	}
	/* raw (or auto that did not parse): UTF-8 text becomes `text`; other
	 * bytes are kept as they came in `raw` for the cleaner to decode. */
	if (len == 0) {
		snprintf(err, errlen, "empty payload");
		rc = -EINVAL;
		goto out;
	}
	r->root = json_object();
	v = json_stringn_nocheck(payload, len);
	if (!r->root || !v ||
	    json_object_set_new(r->root, utf8_valid(payload, len) ? "text" : "raw", v) != 0) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
out:
	return rc;
}

void record_clear(struct newsd_record *r)
{
	json_decref(r->root);
	r->root = NULL;
}

char *record_dump(const struct newsd_record *r, size_t *len)
{
	/* 6 significant digits: a similarity of 0.898 stays 0.898 on the wire */
	char *s = json_dumps(r->root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));

	if (s && len)
		*len = strlen(s);
	return s;
}

/* The next dotted segment of *path: *seg and *n (not NUL-terminated: it
 * points into path); advances *path past it.  -1 if it is empty or too
 * long.  Keys are looked up by length (json_object_getn), so a path walk
 * copies nothing. */
static int next_segment(const char **path, const char **seg, size_t *n)
{
	const char *p = *path, *dot = strchr(p, '.');

	*n = dot ? (size_t)(dot - p) : strlen(p);
	if (*n == 0 || *n >= PATH_SEG_MAX || (dot && !dot[1]))
		return -1;
	*seg = p;
	*path = dot ? dot + 1 : p + *n;
	return 0;
}

/* 1 when every dotted segment of path is non-empty and short enough. */
static int path_valid(const char *path)
{
	const char *seg;
	size_t n;

	if (!path || !*path)
		return 0;
	while (*path)
		if (next_segment(&path, &seg, &n) < 0)
			return 0;
	return 1;
}

json_t *record_lookup(const json_t *root, const char *path)
{
	const json_t *cur = root;
	const char *seg;
	size_t n;

	if (!path || !*path)
		return NULL;
	while (*path) {
		if (!json_is_object(cur) || next_segment(&path, &seg, &n) < 0)
			return NULL;
		cur = json_object_getn(cur, seg, n);
		if (!cur)
			return NULL;
	}
	return (json_t *)cur;
}

int record_put(json_t *root, const char *path, json_t *value)
{
	json_t *cur = root;
	const char *seg;
	size_t n;
	int rc = 0;

	if (!value) {
		rc = -ENOMEM;
		goto out;
	}
	/* checked whole first: a bad path must not leave objects behind */
	if (!path_valid(path)) {
		rc = -EINVAL;
		goto out;
	}
	for (;;) {
		if (next_segment(&path, &seg, &n) < 0) {
			rc = -EINVAL;
			goto out;
		}
		if (!*path)
			break;
		json_t *next = json_object_getn(cur, seg, n);
		if (!json_is_object(next)) {
			next = json_object();
			if (!next || json_object_setn_new(cur, seg, n, next) != 0) {
				rc = -ENOMEM;
				goto out;
			}
		}
		cur = next;
	}
	rc = json_object_setn_new(cur, seg, n, value) == 0 ? 0 : -ENOMEM;
	value = NULL; /* json_object_setn_new consumed it, success or not */
out:
	json_decref(value);
	return rc;
}

int record_del(json_t *root, const char *path)
{
	const char *dot = strrchr(path, '.');
	json_t *parent = root;
	char buf[PATH_SEG_MAX * 4];

	if (dot) {
		size_t n = (size_t)(dot - path);
		if (n >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, path, n);
		buf[n] = '\0';
		parent = record_lookup(root, buf);
		path = dot + 1;
	}
	if (!json_is_object(parent) || json_object_del(parent, path) != 0)
		return -ENOENT;
	return 0;
}
