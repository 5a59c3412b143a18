/* charset.h — raw payload bytes to UTF-8.
 *
 * Order of evidence: valid UTF-8 as is; a declared charset (the plugin's
 * `charset` option or an HTML <meta charset>); otherwise a contest between
 * ICU's detector (ucsdet) guesses and the language packs' legacy charsets
 * (e.g. windows-1258 through ICU, VISCII and TCVN5712-1 through glibc
 * iconv): each candidate decoding is scored by the number of valid
 * syllables it yields under the packs' syllable models, and the best wins.
 * Invalid sequences become U+FFFD and are counted; nothing here crashes on
 * any input.
 */
#ifndef CLEANER_CHARSET_H
#define CLEANER_CHARSET_H

#include <stddef.h>
#include <stdint.h>

#include "langpack.h"
#include "util.h"

struct cl_charset_result {
	char charset[40];      /* name of the charset used */
	uint64_t invalid;      /* invalid sequences replaced by U+FFFD */
};

/** 1 when s[0..n) is valid UTF-8. */
int cl_utf8_valid(const char *s, size_t n);

/** Finds a charset declared in the first bytes of an HTML document
 *  (<meta charset=...> or http-equiv content=...charset=...).  Writes it to
 *  out and returns 1, or returns 0. */
int cl_sniff_meta_charset(const char *s, size_t n, char *out, size_t outlen);

/** Decodes in[0..len) into out (reset first) as UTF-8.  declared may be
 *  NULL.  scratch16 is a reusable buffer.  0, or -1 on ENOMEM. */
int cl_decode(const struct langpack *packs, size_t n_packs, const char *declared, const char *in,
	      size_t len, struct buf *out, struct buf *scratch16, struct cl_charset_result *res);

/** Decodes with one named charset (ICU first, then iconv).  0, -1 on
 *  ENOMEM, -2 when the charset is unknown to both. */
int cl_decode_as(const char *charset, const char *in, size_t len, struct buf *out,
		 struct buf *scratch16, uint64_t *invalid);

#endif
