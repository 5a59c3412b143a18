/* yamltree.h — YAML files as jansson trees, with source positions.
 *
 * Used for the daemon's config and for plugins' data files (language
 * packs).  Scalars are typed by the YAML 1.2 core schema: plain `true`/
 * `false`, `null`/`~`/empty, integers and floats become JSON values; quoted
 * scalars are always strings.  Anchors/aliases are resolved by libyaml.
 */
#ifndef NEWSD_YAMLTREE_H
#define NEWSD_YAMLTREE_H

#include <jansson.h>
#include <stddef.h>

/** Where a node came from (1-based line and column). */
struct yaml_mark {
	const json_t *node;
	int line, col;
	int quoted; /* scalar was quoted: it is a string whatever it looks like */
};

struct yaml_marks {
	struct yaml_mark *v; /* (owned) */
	size_t n, cap;
};

/** Parses the YAML file at path into a tree (owned by the caller).  When
 *  marks is not NULL it receives the position of every node (free it with
 *  yaml_marks_free).  On error returns NULL with err = "FILE:LINE:COL: what".
 *  An empty file yields an empty object. */
json_t *yaml_load_file(const char *path, struct yaml_marks *marks, char *err, size_t errlen);

/** Same, from memory; name is used in messages. */
json_t *yaml_load_buffer(const char *name, const char *buf, size_t len, struct yaml_marks *marks,
			 char *err, size_t errlen);

/** Position of node, or NULL. */
const struct yaml_mark *yaml_mark_of(const struct yaml_marks *marks, const json_t *node);
void yaml_marks_free(struct yaml_marks *marks);

#endif
