/* corpus.h — the shared corpus reader plus the cleaner benchmarks' generator
 * helper. */
#ifndef CLEANER_CORPUS_H
#define CLEANER_CORPUS_H

#include "../../corpus/corpus.h"

/** Deterministic pseudo-random numbers (xorshift) for generated data. */
static inline unsigned rnd(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (unsigned)(*s >> 11);
}

#endif
