/* charset.c — see charset.h. */
#include "charset.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <strings.h>
#include <unicode/uchar.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/ucsdet.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

int cl_utf8_valid(const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i = 0;

	while (i < n) {
		/* fast path: 8 ASCII bytes at a time */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, u + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		int32_t j = (int32_t)i, len = n > INT32_MAX ? INT32_MAX : (int32_t)n;
		UChar32 c;
		U8_NEXT(u, j, len, c);
		if (c < 0)
			return 0;
		i = (size_t)j;
	}
	return 1;
}

int cl_sniff_meta_charset(const char *s, size_t n, char *out, size_t outlen)
{
	size_t lim = n < 8192 ? n : 8192;

	for (size_t i = 0; i + 8 < lim; i++) {
		if (strncasecmp(s + i, "charset", 7) != 0)
			continue;
		size_t j = i + 7;
		while (j < lim && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j >= lim || s[j] != '=')
			continue;
		j++;
		while (j < lim && (s[j] == ' ' || s[j] == '"' || s[j] == '\''))
			j++;
		size_t k = 0;
		while (j < lim && k + 1 < outlen &&
		       (isalnum((unsigned char)s[j]) || s[j] == '-' || s[j] == '_' || s[j] == ':' ||
			s[j] == '.'))
			out[k++] = s[j++];
		out[k] = '\0';
		if (k > 0)
			return 1;
	}
	return 0;
}

/* ICU to-Unicode callback: count, then substitute U+FFFD. */
static void count_subst_cb(const void *ctx, UConverterToUnicodeArgs *args, const char *cu,
			   int32_t len, UConverterCallbackReason reason, UErrorCode *err)
{
	if (reason <= UCNV_IRREGULAR)
		(*(uint64_t *)ctx)++;
	UCNV_TO_U_CALLBACK_SUBSTITUTE(NULL, args, cu, len, reason, err);
}

static int u16_to_utf8(const UChar *u, int32_t n, struct buf *out)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t need = 0;

	buf_reset(out);
	if (buf_reserve(out, (size_t)n * 3 + 4) < 0)
		return -1;
	u_strToUTF8WithSub(out->p, (int32_t)out->cap, &need, u, n, 0xFFFD, NULL, &st);
	if (U_FAILURE(st))
		return -1;
	out->len = (size_t)need;
	out->p[out->len] = '\0';
	return 0;
}

static int decode_icu(UConverter *cv, const char *in, size_t len, struct buf *out,
		      struct buf *s16, uint64_t *invalid)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;

	if (len > INT32_MAX / 4)
		return -1;
	ucnv_setToUCallBack(cv, count_subst_cb, invalid, NULL, NULL, &st);
	buf_reset(s16);
	if (U_FAILURE(st) || buf_reserve(s16, (len * 2 + 4) * sizeof(UChar)) < 0)
		return -1;
	n = ucnv_toUChars(cv, (UChar *)(void *)s16->p, (int32_t)(s16->cap / sizeof(UChar)), in,
			  (int32_t)len, &st);
	if (U_FAILURE(st))
		return -1;
	return u16_to_utf8((const UChar *)(void *)s16->p, n, out);
}

static int decode_iconv(iconv_t cd, const char *in, size_t len, struct buf *out,
			uint64_t *invalid)
{
	char *ip = (char *)in;
	size_t il = len;

	buf_reset(out);
	if (buf_reserve(out, len * 3 + 16) < 0)
		return -1;
	while (il > 0) {
		char *op = out->p + out->len;
		size_t ol = out->cap - out->len - 1;
		size_t r = iconv(cd, &ip, &il, &op, &ol);

		out->len = (size_t)(op - out->p);
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			if (buf_reserve(out, il * 3 + 16) < 0)
				return -1;
			continue;
		}
		/* EILSEQ or EINVAL: replace one byte */
		(*invalid)++;
		if (buf_put(out, "\xEF\xBF\xBD", 3) < 0)
			return -1;
		ip++;
		il--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	out->p[out->len] = '\0';
	return 0;
}

int cl_decode_as(const char *charset, const char *in, size_t len, struct buf *out,
		 struct buf *scratch16, uint64_t *invalid)
{
	UErrorCode st = U_ZERO_ERROR;
	UConverter *cv = ucnv_open(charset, &st);
	int rc;

	*invalid = 0;
	if (cv && U_SUCCESS(st)) {
		rc = decode_icu(cv, in, len, out, scratch16, invalid);
		ucnv_close(cv);
		return rc;
	}
	iconv_t cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1)
		return -2;
	rc = decode_iconv(cd, in, len, out, invalid);
	iconv_close(cd);
	return rc;
}

/* Score of a decoding: valid syllables among words with non-ASCII letters,
 * minus invalid ones, minus replacement and C1 control characters. */
static double score_decoding(const struct langpack *packs, size_t n_packs, const char *s,
			     size_t n)
{
	const uint8_t *u = (const uint8_t *)s;
	int32_t i = 0, len = (int32_t)(n < 65536 ? n : 65536);
	UChar w[16];
	int32_t wl = 0;
	int nonascii = 0, overflow = 0;
	double score = 0;

	while (i <= len) {
		UChar32 c = 0;
		int word = 0;
		if (i < len) {
			U8_NEXT(u, i, len, c);
			if (c < 0)
				c = 0xFFFD;
			if (c == 0xFFFD || (c >= 0x80 && c < 0xA0))
				score -= 3;
			word = c < 0x80 ? isalpha(c) : (u_isalpha(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK));
		} else {
			i++;
		}
		if (word) {
			if (wl < 15 && c <= 0xFFFF)
				w[wl++] = (UChar)c;
			else
				overflow = 1;
			nonascii |= c >= 0x80;
			continue;
		}
		if (wl > 0 && nonascii) {
			int ok = 0;
			for (size_t p = 0; !overflow && p < n_packs && !ok; p++)
				ok = langpack_syllable_valid(&packs[p], w, wl);
			score += ok ? 1.0 : -0.5;
		}
		wl = 0;
		nonascii = overflow = 0;
	}
	return score;
}

int cl_decode(const struct langpack *packs, size_t n_packs, const char *declared, const char *in,
	      size_t len, struct buf *out, struct buf *scratch16, struct cl_charset_result *res)
{
	char cands[16][40];
	double conf[16];
	size_t nc = 0;
	UErrorCode st = U_ZERO_ERROR;
	UCharsetDetector *det = NULL;
	struct buf tmp = {0};
	double best = -1e300;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0) {
		in += 3;
		len -= 3;
	}
	if (cl_utf8_valid(in, len)) {
		snprintf(res->charset, sizeof(res->charset), "UTF-8");
		buf_reset(out);
		rc = buf_put(out, in, len);
		goto out;
	}
	if (declared && *declared) {
		rc = cl_decode_as(declared, in, len, out, scratch16, &res->invalid);
		if (rc != -2) {
			snprintf(res->charset, sizeof(res->charset), "%s", declared);
			goto out;
		}
	}
	/* candidates: ICU's guesses, then every pack's legacy charsets */
	det = ucsdet_open(&st);
	if (det && U_SUCCESS(st)) {
		int32_t nm = 0;
		ucsdet_setText(det, in, (int32_t)(len < (1u << 20) ? len : (1u << 20)), &st);
		const UCharsetMatch **m = ucsdet_detectAll(det, &nm, &st);
		for (int32_t i = 0; U_SUCCESS(st) && i < nm && nc < 4; i++) {
			UErrorCode s2 = U_ZERO_ERROR;
			const char *name = ucsdet_getName(m[i], &s2);
			int32_t cf = ucsdet_getConfidence(m[i], &s2);
			if (U_SUCCESS(s2) && name && cf >= 10) {
				snprintf(cands[nc], sizeof(cands[0]), "%s", name);
				conf[nc++] = cf / 100.0;
			}
		}
	}
	for (size_t p = 0; p < n_packs; p++)
		for (int k = 0; k < packs[p].n_legacy && nc < 15; k++) {
			snprintf(cands[nc], sizeof(cands[0]), "%s", packs[p].legacy[k]);
			conf[nc++] = 0;
		}
	snprintf(cands[nc], sizeof(cands[0]), "UTF-8"); /* mostly UTF-8 with bad bytes */
	conf[nc++] = 0;
	for (size_t i = 0; i < nc; i++) {
		uint64_t inv = 0;
		int r = cl_decode_as(cands[i], in, len, &tmp, scratch16, &inv);
		if (r == -1)
			goto out;
		if (r == -2)
			continue;
		double sc = score_decoding(packs, n_packs, tmp.p, tmp.len) - 3.0 * (double)inv +
			    conf[i];
		if (sc > best) {
			struct buf t = *out;
			best = sc;
			*out = tmp;
			tmp = t;
			res->invalid = inv;
			snprintf(res->charset, sizeof(res->charset), "%s", cands[i]);
		}
	}
	if (best == -1e300) { /* nothing decoded: UTF-8 with replacement */
		UErrorCode s3 = U_ZERO_ERROR;
		UConverter *cv = ucnv_open("UTF-8", &s3);
		if (!cv)
			goto out;
		res->invalid = 0;
		rc = decode_icu(cv, in, len, out, scratch16, &res->invalid);
		ucnv_close(cv);
		snprintf(res->charset, sizeof(res->charset), "UTF-8");
		goto out;
	}
	rc = 0;
out:
	if (det)
		ucsdet_close(det);
	buf_free(&tmp);
	return rc;
}
