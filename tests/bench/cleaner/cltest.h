/* cltest.h — a cleaner instance outside the record path, for tests,
 * benchmarks and the CLI: the real host vtable (from the harness) and the
 * plugin's own init, so internals (line classes, contexts) can be looked at.
 */
#ifndef CLEANER_CLTEST_H
#define CLEANER_CLTEST_H

#include <jansson.h>

#include "cleaner.h"
#include "harness.h"

struct cltest {
	struct harness *h;  /* (owned) a chain with the cleaner, for records */
	struct cleaner *c;  /* (owned) a second instance, for direct calls */
	json_t *cfg;        /* (owned) its config block */
};

/** yaml: the plugin's config block (NULL: defaults).  0 or -1 with err. */
int cltest_open(struct cltest *t, const char *yaml, char *err, size_t errlen);
void cltest_close(struct cltest *t);

/** Reads a whole file (NUL-terminated, malloc'd) or NULL. */
char *cltest_slurp(const char *path, size_t *len);

#endif
