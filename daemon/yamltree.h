/* yamltree.h — YAML files as jansson trees, with source positions.
 *
 * Used for the daemon's config and for plugins' data files (language
 * packs).  Scalars are typed by the YAML 1.2 core schema: plain `true`/
 * `false`, `null`/`~`/empty, integers and floats become JSON values; quoted
 * scalars are always strings.  Anchors/aliases are resolved by libyaml
 * (an alias bomb is refused: at most 16 converted nodes per document node).
 *
 * Environment expansion (only with YAML_LOAD_ENV, i.e. the daemon's config;
 * data files are never expanded): inside every scalar VALUE (not keys),
 * ${VAR} is replaced by $VAR (an unset VAR is an error), ${VAR:-default} by
 * $VAR when it is set and not empty, else by default (taken literally up to
 * the first '}'), and $$ by a single $.  Any other '$' stays as it is.  A
 * plain scalar is typed AFTER expansion, so `workers: ${N:-4}` is an integer;
 * a quoted one stays a string.  VAR is [A-Za-z_][A-Za-z0-9_]*.  ('{' and
 * '}' end a plain scalar inside [...] or {...}, so there a reference must be
 * quoted, or the collection written in block style.)
 */
#ifndef NEWSD_YAMLTREE_H
#define NEWSD_YAMLTREE_H

#include <jansson.h>
#include <stddef.h>

/** Where a node came from (1-based line and column).
 *  Note: jansson's true/false/null are shared singletons, so yaml_mark_of()
 *  cannot tell two `true`s apart; yaml_mark_at()/yaml_mark_item() can. */
struct yaml_mark {
	const json_t *node;
	int line, col;
	int quoted; /* scalar was quoted: it is a string whatever it looks like */
	const json_t *parent;  /* the mapping/sequence holding node; NULL for the root */
	char *key;             /* (owned) node's key when parent is a mapping, else NULL */
	size_t index;          /* node's position in parent (item index or pair order) */
	int key_line, key_col; /* of the key when parent is a mapping, else line/col */
};

struct yaml_marks {
	struct yaml_mark *v; /* (owned) */
	size_t n, cap;
};

/** Flags of yaml_load_buffer_ex / yaml_load_file_ex. */
#define YAML_LOAD_ENV 1u /* expand ${VAR}, ${VAR:-default} and $$ in scalar values */

/** Parses the YAML file at path into a tree (owned by the caller).  When
 *  marks is not NULL it receives the position of every node (free it with
 *  yaml_marks_free).  On error returns NULL with err = "FILE:LINE:COL: what".
 *  An empty file yields an empty object.  Never expands variables. */
json_t *yaml_load_file(const char *path, struct yaml_marks *marks, char *err, size_t errlen);

/** Same, from memory; name is used in messages.  Never expands variables. */
json_t *yaml_load_buffer(const char *name, const char *buf, size_t len, struct yaml_marks *marks,
			 char *err, size_t errlen);

/** The same with flags (YAML_LOAD_ENV). */
json_t *yaml_load_buffer_ex(const char *name, const char *buf, size_t len, unsigned flags,
			    struct yaml_marks *marks, char *err, size_t errlen);
json_t *yaml_load_file_ex(const char *path, unsigned flags, struct yaml_marks *marks, char *err,
			  size_t errlen);

/** Reads a whole file (regular file, pipe, /dev/stdin) into *buf (owned by
 *  the caller, NUL-terminated, *len excludes the NUL).  Returns 0 or -errno
 *  with err = "PATH: strerror". */
int yaml_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen);

/** Position of node, or NULL (ambiguous for true/false/null, see above). */
const struct yaml_mark *yaml_mark_of(const struct yaml_marks *marks, const json_t *node);
/** Position of the value of key in mapping parent, or NULL. */
const struct yaml_mark *yaml_mark_at(const struct yaml_marks *marks, const json_t *parent,
				     const char *key);
/** Position of item index of sequence parent, or NULL. */
const struct yaml_mark *yaml_mark_item(const struct yaml_marks *marks, const json_t *parent,
				       size_t index);
/** Records a position for a node made after loading (e.g. a default block),
 *  so messages about it can point somewhere.  0 or -ENOMEM. */
int yaml_marks_add(struct yaml_marks *marks, const json_t *node, int line, int col);
void yaml_marks_free(struct yaml_marks *marks);

#endif
