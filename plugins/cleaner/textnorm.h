/* textnorm.h — Unicode clean-up of decoded text.
 *
 * In one UTF-16 round trip: invalid UTF-8 replaced by U+FFFD and counted;
 * CR and CRLF to LF; NBSP and other odd spaces to a space; zero-width
 * characters, soft hyphens and control characters removed; runs of spaces
 * collapsed and lines trimmed; letters of another script inside words of the
 * text's main script replaced by their look-alike (ICU confusables
 * skeleton: Cyrillic "с" in a Latin word becomes "c"); a lone letter of a
 * "stray" script between two words of the main script removed; then NFC
 * (skipped when ICU's quick check says the text already is NFC).
 */
#ifndef CLEANER_TEXTNORM_H
#define CLEANER_TEXTNORM_H

#include <stddef.h>
#include <stdint.h>
#include <unicode/uspoof.h>

#include "util.h"

struct cl_textnorm_cfg {
	const USpoofChecker *spoof; /* (borrowed) shared, used read-only */
	int stray_scripts[8];       /* UScriptCode of letters removed when alone */
	int n_stray_scripts;
};

struct cl_textnorm_stats {
	uint64_t repaired; /* characters replaced or removed (not CR/LF, not space runs) */
	uint64_t invalid;  /* invalid UTF-8 sequences replaced */
	int script;        /* main script of the letters (UScriptCode), or -1 */
};

/** Scratch buffers reused between calls (owned by a worker context). */
struct cl_textnorm_scratch {
	struct buf a, b;  /* UTF-16 */
	struct buf words; /* word spans for the script repair */
};

void cl_textnorm_scratch_free(struct cl_textnorm_scratch *s);

/** Normalises in[0..len) into out (reset first).  0, or -1 on ENOMEM. */
int cl_textnorm(const struct cl_textnorm_cfg *cfg, const char *in, size_t len, struct buf *out,
		struct cl_textnorm_scratch *s, struct cl_textnorm_stats *st);

/** The same without the one-pass UTF-8 shortcut (always through UTF-16):
 *  cl_textnorm takes the shortcut when the text is valid UTF-8 of one
 *  script whose characters are all NFC quick-check "yes"; results are
 *  identical (tests compare both). */
int cl_textnorm_full(const struct cl_textnorm_cfg *cfg, const char *in, size_t len,
		     struct buf *out, struct cl_textnorm_scratch *s, struct cl_textnorm_stats *st);

#endif
