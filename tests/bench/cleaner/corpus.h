/* corpus.h — JSON Lines (optionally gzip'd) read with zlib, one object at
 * a time, for the cleaner's benchmarks. */
#ifndef CLEANER_CORPUS_H
#define CLEANER_CORPUS_H

#include <jansson.h>
#include <stddef.h>

struct corpus;

struct corpus *corpus_open(const char *path);
/** Next line as a JSON object (owned by the caller), or NULL at the end. */
json_t *corpus_next(struct corpus *c);
void corpus_close(struct corpus *c);

/** Deterministic pseudo-random numbers (xorshift) for generated data. */
static inline unsigned rnd(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (unsigned)(*s >> 11);
}

#endif
