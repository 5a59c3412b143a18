/* xtone_canon() (table path, NFC-only path) against xtone_canon_icu() (ICU
 * normalisers only), byte for byte: every letter of the table's ranges in
 * syllable frames, every pair of vowel letters, sampled triples, and
 * pseudo-random mixed strings with characters the table does not take. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "extractor_int.h"
#include "harness.h"

const struct newsd_plugin *newsd_plugin_extractor_describe(void);

static struct harness *H;
static struct xpack P;

/* The letters to combine: every alphabetic code point of the table's
 * ranges (U+0000..U+024F, U+1E00..U+1EFF), as ICU classifies them. */
static UChar32 letters[1024];
static int nletters;
static UChar32 vowels[1024]; /* those whose NFD starts with a pack vowel */
static int nvowels;

static int setup(void **state)
{
	char err[512];
	UErrorCode ec = U_ZERO_ERROR;
	const UNormalizer2 *nfd = unorm2_getNFDInstance(&ec);

	(void)state;
	H = harness_new(newsd_plugin_extractor_describe(), NULL, err, sizeof(err));
	if (!H) {
		fprintf(stderr, "harness: %s\n", err);
		return -1;
	}
	if (xpack_load(&P, harness_host(H, 0), "vi", err, sizeof(err)) < 0 || !P.tone) {
		fprintf(stderr, "pack: %s\n", err);
		return -1;
	}
	for (UChar32 c = 0; c < 0x1F00; c = c == 0x24F ? 0x1E00 : c + 1) {
		UChar d[8];
		int32_t dl;
		if (!u_isalpha(c))
			continue;
		letters[nletters++] = c;
		ec = U_ZERO_ERROR;
		dl = unorm2_getDecomposition(nfd, c, d, 8, &ec);
		if (dl < 0)
			d[0] = (UChar)c;
		if (U_SUCCESS(ec) && strchr("aeiouyAEIOUY", d[0] < 0x80 ? d[0] : 'x') && d[0] != 0)
			vowels[nvowels++] = c;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xpack_free(&P);
	harness_free(H);
	return 0;
}

static size_t put_cp(char *o, UChar32 c)
{
	size_t k = 0;
	U8_APPEND_UNSAFE(o, k, c);
	return k;
}

static long checked;

/* Both paths, both styles, with and without the tone rules. */
static void same(const char *s, size_t n)
{
	char a[4096], b[4096];

	for (int pass = 0; pass < 3; pass++) {
		const struct xtone *t = pass < 2 ? P.tone : NULL;
		int style = pass == 1;
		long la = xtone_canon(t, s, n, a, sizeof(a), style);
		long lb = xtone_canon_icu(t, s, n, b, sizeof(b), style);
		if (la != lb || (la > 0 && memcmp(a, b, (size_t)la) != 0)) {
			fprintf(stderr, "differ (pass %d) on \"%.*s\": %ld \"%.*s\" vs %ld \"%.*s\"\n", pass,
				(int)n, s, la, la > 0 ? (int)la : 0, a, lb, lb > 0 ? (int)lb : 0, b);
			fail();
		}
		/* too small an output buffer: both fail alike */
		if (lb > 0) {
			la = xtone_canon(t, s, n, a, (size_t)lb - 1, style);
			lb = xtone_canon_icu(t, s, n, b, (size_t)lb - 1, style);
			assert_int_equal(la, lb);
		}
	}
	checked++;
}

static void test_table_sanity(void **state)
{
	(void)state;
	/* the ranges hold the Vietnamese alphabet and more */
	assert_true(nletters > 500);
	assert_true(nvowels > 200);
	char out[64];
	long n = xtone_canon(P.tone, "Thanh Ho\xc3\xa1", 10, out, sizeof(out), 0);
	assert_int_equal(n, 10);
	assert_memory_equal(out, "Thanh H\xc3\xb3" "a", 10);
}

/* Each letter alone and inside onset/coda frames (the glides qu, gi, the
 * closed and open syllables), upper and lower frames. */
static void test_single_letters(void **state)
{
	static const char *const pre[] = {"", "q", "Q", "g", "G", "ng", "th", "qu", "gi", "h", "x"};
	static const char *const post[] = {"", "n", "ng", "c", "ch", "nh", "i", "a", "o", "y", "u", "a "};
	char s[64];

	(void)state;
	for (int i = 0; i < nletters; i++)
		for (size_t p = 0; p < sizeof(pre) / sizeof(pre[0]); p++)
			for (size_t q = 0; q < sizeof(post) / sizeof(post[0]); q++) {
				size_t n = strlen(pre[p]);
				memcpy(s, pre[p], n);
				n += put_cp(s + n, letters[i]);
				memcpy(s + n, post[q], strlen(post[q]));
				n += strlen(post[q]);
				same(s, n);
			}
}

/* Every ordered pair of vowel letters (toned or not), open and closed,
 * after no onset and after the glides. */
static void test_vowel_pairs(void **state)
{
	static const char *const pre[] = {"", "qu", "h", "G"};
	static const char *const post[] = {"", "n"};
	char s[64];

	(void)state;
	for (int i = 0; i < nvowels; i++)
		for (int j = 0; j < nvowels; j++)
			for (size_t p = 0; p < sizeof(pre) / sizeof(pre[0]); p++)
				for (size_t q = 0; q < sizeof(post) / sizeof(post[0]); q++) {
					size_t n = strlen(pre[p]);
					memcpy(s, pre[p], n);
					n += put_cp(s + n, vowels[i]);
					n += put_cp(s + n, vowels[j]);
					memcpy(s + n, post[q], strlen(post[q]));
					n += strlen(post[q]);
					same(s, n);
				}
}

static uint32_t rnd(uint64_t *st)
{
	*st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*st >> 33);
}

/* Triples of vowel letters (the three-vowel rule), sampled. */
static void test_vowel_triples(void **state)
{
	uint64_t st = 42;
	char s[64];

	(void)state;
	for (int k = 0; k < 300000; k++) {
		size_t n = 0;
		if (k & 1)
			s[n++] = 'q';
		for (int v = 0; v < 3; v++)
			n += put_cp(s + n, vowels[rnd(&st) % (uint32_t)nvowels]);
		if (k & 2)
			s[n++] = 'n';
		same(s, n);
	}
}

/* Random strings: table letters, ASCII, separators and code points the
 * table leaves to ICU (combining marks, other scripts, punctuation),
 * and malformed UTF-8. */
static void test_mixed_strings(void **state)
{
	static const UChar32 other[] = {0x0300, 0x0301, 0x0303, 0x0309, 0x0323, 0x0302, 0x031B,
					0x0306, 0x0338, 0x00A0, 0x2013, 0x201C, 0x201D, 0x2019,
					0x0410, 0x4E2D, 0x212B, 0x1F600, 0x0958, 0x1100, 0x1161};
	static const char *const bad[] = {"\xC0\xAF", "\xED\xA0\x80", "\xE1\xBA", "\xFF", "\x80",
					  "\xF4\x90\x80\x80"};
	static const char ascii[] = "aeiouyqgnhtc AEIOUYQGNHTC,.-019";
	uint64_t st = 7;
	char s[512];

	(void)state;
	for (int k = 0; k < 200000; k++) {
		size_t n = 0;
		int len = 1 + (int)(rnd(&st) % 24);
		for (int i = 0; i < len; i++) {
			uint32_t r = rnd(&st) % 100;
			if (r < 45)
				n += put_cp(s + n, vowels[rnd(&st) % (uint32_t)nvowels]);
			else if (r < 60)
				n += put_cp(s + n, letters[rnd(&st) % (uint32_t)nletters]);
			else if (r < 90)
				s[n++] = ascii[rnd(&st) % (sizeof(ascii) - 1)];
			else if (r < 99 || k % 7)
				n += put_cp(s + n, other[rnd(&st) % (sizeof(other) / sizeof(other[0]))]);
			else {
				const char *b = bad[rnd(&st) % (sizeof(bad) / sizeof(bad[0]))];
				memcpy(s + n, b, strlen(b));
				n += strlen(b);
			}
		}
		same(s, n);
	}
	/* a syllable over place_tone()'s 64-unit limit, and at it */
	for (int len = 60; len < 68; len++) {
		size_t n = 0;
		for (int i = 0; i < len - 2; i++)
			s[n++] = 'h';
		n += put_cp(s + n, 0x1ECF); /* o with hook above */
		s[n++] = 'a';
		same(s, n);
		memcpy(s + n, " ho\xc3\xa1", 5);
		same(s, n + 5);
	}
	fprintf(stderr, "compared %ld strings\n", checked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sanity),
		cmocka_unit_test(test_single_letters),
		cmocka_unit_test(test_vowel_pairs),
		cmocka_unit_test(test_vowel_triples),
		cmocka_unit_test(test_mixed_strings),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
