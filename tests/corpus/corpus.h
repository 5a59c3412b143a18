/* corpus.h — the evaluation corpora (JSON Lines, optionally gzip'd), read
 * with zlib one object at a time.  Shared by the benchmarks and the
 * shared-data suite; the corpus path is always given by the caller. */
#ifndef NEWSD_TEST_CORPUS_H
#define NEWSD_TEST_CORPUS_H

#include <jansson.h>

struct corpus;

/** NULL when path cannot be opened. */
struct corpus *corpus_open(const char *path);
/** Next line that is a JSON object (owned by the caller), or NULL at the end. */
json_t *corpus_next(struct corpus *c);
void corpus_close(struct corpus *c);

#endif
