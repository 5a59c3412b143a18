/* entry.h — the deduper's state-log entry (key = story id).
 *
 * Binary, little endian, versioned:
 *   u8 version (1) | u8 status | u8 flags (1: exact hash, 2: sketch) | u8 0
 *   u16 similarity*10000 | u16 of_len | u32 params id | u32 shingles
 *   i64 time (s) | [u64 exact[2]] | of bytes | [u8 sig[DD_K]]
 * A unique story with a sketch takes 168 bytes plus the key.  An entry
 * whose params id differs from the running configuration (other shingle
 * size, K, bands, normalisation) still counts for redeliveries, but its
 * hashes are not used.
 */
#ifndef DEDUPER_ENTRY_H
#define DEDUPER_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "fingerprint.h"

#define DD_ENTRY_VERSION 1
#define DD_ENTRY_MAX (40 + 65535 + DD_K)

struct dd_entry {
	uint8_t status;
	uint16_t sim;
	uint32_t params;
	uint32_t nshingles;
	int64_t time;
	int has_exact, has_sketch;
	uint64_t exact[2];
	const char *of; /* (borrowed) NULL or of_len bytes */
	size_t of_len;
	struct dd_sketch sk;
};

/** Encodes e into buf (at least DD_ENTRY_MAX bytes); returns the length. */
size_t dd_entry_encode(const struct dd_entry *e, unsigned char *buf);
/** Decodes buf; e->of points into buf.  0, or -1 when malformed. */
int dd_entry_decode(const unsigned char *buf, size_t len, struct dd_entry *e);

#endif
