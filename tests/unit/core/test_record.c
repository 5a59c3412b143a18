/* test_record.c — record_from_payload in every input format, dumping, and
 * UTF-8 validation. */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "core_tests.h"
#include "record.h"

static int from(struct newsd_record *r, const char *p, size_t len, enum record_format f,
		char *err, size_t errlen)
{
	err[0] = '\0';
	return record_from_payload(r, p, len, f, err, errlen);
}

static void test_json_object(void **st)
{
	const char *p = "{\"id\":\"vn-2024-001\",\"url\":\"https://tin.example.vn/a1\","
			"\"text\":\"Hà Nội: mưa lớn gây ngập nhiều tuyến phố.\",\"lang\":\"vi\"}";
	struct newsd_record r = {0};
	char err[256];
	size_t len;
	char *dump;

	(void)st;
	assert_int_equal(from(&r, p, strlen(p), RECORD_FORMAT_JSON, err, sizeof(err)), 0);
	assert_true(json_is_object(r.root));
	assert_string_equal(json_string_value(json_object_get(r.root, "id")), "vn-2024-001");
	assert_string_equal(json_string_value(json_object_get(r.root, "text")),
			    "Hà Nội: mưa lớn gây ngập nhiều tuyến phố.");
	/* dump keeps field order and is compact */
	dump = record_dump(&r, &len);
	assert_non_null(dump);
	assert_string_equal(dump, p);
	assert_int_equal(len, strlen(p));
	free(dump);
	record_clear(&r);
	assert_null(r.root);
	/* the same record struct is reusable */
	assert_int_equal(from(&r, "{}", 2, RECORD_FORMAT_JSON, err, sizeof(err)), 0);
	assert_int_equal(json_object_size(r.root), 0);
	record_clear(&r);
}

static void test_json_not_an_object(void **st)
{
	const char *bad[] = {"[1,2,3]", "\"Hà Nội\"", "42", "null", "true"};
	struct newsd_record r = {0};
	char err[256];

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(from(&r, bad[i], strlen(bad[i]), RECORD_FORMAT_JSON, err,
				      sizeof(err)),
				 -EINVAL);
		/* arrays parse and are refused; scalars fail jansson's top-level check */
		if (!strstr(err, "not an object") && !strstr(err, "'[' or '{' expected"))
			print_error("%s: unexpected message: %s\n", bad[i], err);
		assert_true(strstr(err, "not an object") || strstr(err, "'[' or '{' expected"));
		assert_contains(err, "line 1");
		assert_null(r.root);
		record_clear(&r);
	}
}

static void test_json_malformed_has_line_and_column(void **st)
{
	/* line 3 holds the bad token: an unquoted value */
	const char *p = "{\n  \"id\": \"vn-7\",\n  \"text\": Hà Nội\n}";
	/* a truncated object: the error is at the end, line 2 */
	const char *q = "{\"id\": \"a\",\n \"text\": \"Tin";
	struct newsd_record r = {0};
	char err[256];

	(void)st;
	assert_int_equal(from(&r, p, strlen(p), RECORD_FORMAT_JSON, err, sizeof(err)), -EINVAL);
	assert_contains(err, "malformed JSON at line 3 column ");
	assert_null(r.root);
	record_clear(&r);
	assert_int_equal(from(&r, q, strlen(q), RECORD_FORMAT_JSON, err, sizeof(err)), -EINVAL);
	assert_contains(err, "malformed JSON at line 2 column ");
	record_clear(&r);
	/* duplicate keys are malformed too */
	q = "{\"id\":\"a\",\"id\":\"b\"}";
	assert_int_equal(from(&r, q, strlen(q), RECORD_FORMAT_JSON, err, sizeof(err)), -EINVAL);
	assert_contains(err, "line 1");
	record_clear(&r);
}

static void test_json_must_be_utf8(void **st)
{
	/* a Latin-1 é inside a JSON string */
	const char p[] = "{\"text\":\"Caf\xe9\"}";
	struct newsd_record r = {0};
	char err[256];

	(void)st;
	assert_int_equal(from(&r, p, sizeof(p) - 1, RECORD_FORMAT_JSON, err, sizeof(err)), -EINVAL);
	assert_contains(err, "malformed JSON");
	record_clear(&r);
}

static void test_json_nul_escape_kept(void **st)
{
	const char *p = "{\"text\":\"a\\u0000b\"}";
	struct newsd_record r = {0};
	char err[256];
	const json_t *t;

	(void)st;
	assert_int_equal(from(&r, p, strlen(p), RECORD_FORMAT_JSON, err, sizeof(err)), 0);
	t = json_object_get(r.root, "text");
	assert_int_equal(json_string_length(t), 3);
	assert_memory_equal(json_string_value(t), "a\0b", 3);
	record_clear(&r);
}

/* Raw payloads keep every byte, including invalid UTF-8 and NUL. */
static void test_raw_bytes_intact(void **st)
{
	/* "Việt Nam" in a single-byte charset, with a NUL and a stray 0xFF */
	const char p[] = "Vi\xea\xd2t Nam\0tin\xff";
	const size_t plen = sizeof(p) - 1;
	struct newsd_record r = {0};
	char err[256];
	const json_t *raw;

	(void)st;
	assert_int_equal(from(&r, p, plen, RECORD_FORMAT_RAW, err, sizeof(err)), 0);
	assert_null(json_object_get(r.root, "text"));
	raw = json_object_get(r.root, "raw");
	assert_true(json_is_string(raw));
	assert_int_equal(json_string_length(raw), plen);
	assert_memory_equal(json_string_value(raw), p, plen);
	record_clear(&r);

	/* auto: not JSON, not UTF-8 → raw as well */
	assert_int_equal(from(&r, p, plen, RECORD_FORMAT_AUTO, err, sizeof(err)), 0);
	raw = json_object_get(r.root, "raw");
	assert_int_equal(json_string_length(raw), plen);
	assert_memory_equal(json_string_value(raw), p, plen);
	record_clear(&r);
}

static void test_raw_utf8_becomes_text(void **st)
{
	const char *p = "Đà Nẵng đón 1,2 triệu lượt khách trong dịp lễ.";
	const char q[] = "dòng một\0dòng hai";
	struct newsd_record r = {0};
	char err[256];
	const json_t *t;

	(void)st;
	assert_int_equal(from(&r, p, strlen(p), RECORD_FORMAT_RAW, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(r.root, "text")), p);
	assert_null(json_object_get(r.root, "raw"));
	record_clear(&r);
	/* a JSON object given in raw mode is still just text */
	assert_int_equal(from(&r, "{\"a\":1}", 7, RECORD_FORMAT_RAW, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(r.root, "text")), "{\"a\":1}");
	record_clear(&r);
	/* NUL is valid UTF-8: kept, length intact */
	assert_int_equal(from(&r, q, sizeof(q) - 1, RECORD_FORMAT_RAW, err, sizeof(err)), 0);
	t = json_object_get(r.root, "text");
	assert_int_equal(json_string_length(t), sizeof(q) - 1);
	assert_memory_equal(json_string_value(t), q, sizeof(q) - 1);
	record_clear(&r);
}

static void test_auto_mode(void **st)
{
	struct newsd_record r = {0};
	char err[256];
	const char *obj = "{\"id\":\"x1\",\"html\":\"<p>Tin</p>\"}";
	const char *arr = "[\"không phải object\"]";
	const char *text = "Giá vàng hôm nay tăng mạnh";
	const char *broken = "{\"id\": \"x1\", ";

	(void)st;
	assert_int_equal(from(&r, obj, strlen(obj), RECORD_FORMAT_AUTO, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(r.root, "html")), "<p>Tin</p>");
	record_clear(&r);
	/* JSON that is not an object is text in auto mode */
	assert_int_equal(from(&r, arr, strlen(arr), RECORD_FORMAT_AUTO, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(r.root, "text")), arr);
	record_clear(&r);
	assert_int_equal(from(&r, text, strlen(text), RECORD_FORMAT_AUTO, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(r.root, "text")), text);
	assert_int_equal(json_object_size(r.root), 1);
	record_clear(&r);
	/* broken JSON is text too: auto never rejects a non-empty payload */
	assert_int_equal(from(&r, broken, strlen(broken), RECORD_FORMAT_AUTO, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(r.root, "text")), broken);
	record_clear(&r);
}

static void test_empty_payload(void **st)
{
	struct newsd_record r = {0};
	char err[256];
	const enum record_format fmts[] = {RECORD_FORMAT_AUTO, RECORD_FORMAT_JSON,
					   RECORD_FORMAT_RAW};

	(void)st;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(from(&r, "", 0, fmts[i], err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
		assert_null(r.root);
		record_clear(&r);
	}
	assert_int_equal(from(&r, "", 0, RECORD_FORMAT_RAW, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "empty payload");
}

/* ---- UTF-8 validation ---- */

struct u8case {
	const char *s;
	size_t len;
	int valid;
	const char *what;
};

#define U8(lit, v, w) {lit, sizeof(lit) - 1, v, w}

static void test_utf8_valid(void **st)
{
	const struct u8case cases[] = {
		U8("", 1, "empty"),
		U8("plain ASCII", 1, "ascii"),
		U8("Tiếng Việt có dấu: ă â ê ô ơ ư đ", 1, "vietnamese"),
		U8("\x00", 1, "NUL"),
		U8("\xc2\x80", 1, "U+0080"),
		U8("\xdf\xbf", 1, "U+07FF"),
		U8("\xe0\xa0\x80", 1, "U+0800"),
		U8("\xed\x9f\xbf", 1, "U+D7FF, below the surrogates"),
		U8("\xee\x80\x80", 1, "U+E000, above the surrogates"),
		U8("\xef\xbf\xbf", 1, "U+FFFF"),
		U8("\xf0\x90\x80\x80", 1, "U+10000"),
		U8("\xf0\x9f\x93\xb0", 1, "U+1F4F0 newspaper emoji"),
		U8("\xf4\x8f\xbf\xbf", 1, "U+10FFFF"),
		/* overlongs */
		U8("\xc0\x80", 0, "overlong NUL"),
		U8("\xc1\xbf", 0, "overlong 2-byte"),
		U8("\xe0\x80\x80", 0, "overlong 3-byte NUL"),
		U8("\xe0\x9f\xbf", 0, "overlong 3-byte U+07FF"),
		U8("\xf0\x80\x80\x80", 0, "overlong 4-byte NUL"),
		U8("\xf0\x8f\xbf\xbf", 0, "overlong 4-byte U+FFFF"),
		/* surrogates */
		U8("\xed\xa0\x80", 0, "U+D800 high surrogate"),
		U8("\xed\xbf\xbf", 0, "U+DFFF low surrogate"),
		U8("\xed\xa0\xbd\xed\xb3\xb0", 0, "CESU-8 surrogate pair"),
		/* out of range and bad bytes */
		U8("\xf4\x90\x80\x80", 0, "U+110000"),
		U8("\xf5\x80\x80\x80", 0, "lead byte F5"),
		U8("\xff", 0, "FF"),
		U8("\x80", 0, "lone continuation"),
		U8("a\xbf", 0, "continuation after ASCII"),
		/* truncated sequences */
		U8("\xc3", 0, "truncated 2-byte at end"),
		U8("\xe1\xba", 0, "truncated 3-byte at end"),
		U8("\xf0\x9f\x93", 0, "truncated 4-byte at end"),
		U8("\xe1\xba" "a", 0, "3-byte cut by ASCII"),
		U8("Vi\xea\xd2t", 0, "single-byte Vietnamese charset"),
	};

	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = utf8_valid(cases[i].s, cases[i].len);
		if (got != cases[i].valid)
			print_error("utf8_valid(%s) = %d, want %d\n", cases[i].what, got,
				    cases[i].valid);
		assert_int_equal(got, cases[i].valid);
	}
}

/* The validator agrees with jansson's decoder on every 2- and 3-byte
 * sequence (jansson rejects what a JSON record may not carry). */
static void test_utf8_agrees_with_jansson(void **st)
{
	char buf[8];

	(void)st;
	for (unsigned a = 0xC0; a <= 0xEF; a++) {
		for (unsigned b = 0x70; b <= 0xCF; b++) {
			for (unsigned c = 0x70; c <= (a >= 0xE0 ? 0xCFu : 0x70u); c++) {
				size_t n = a >= 0xE0 ? 3 : 2;
				buf[0] = (char)a, buf[1] = (char)b, buf[2] = (char)c;
				json_t *s = json_stringn(buf, n);
				int j = s != NULL;
				json_decref(s);
				if (utf8_valid(buf, n) != j)
					print_error("disagree on %02x %02x %02x\n", a, b, c);
				assert_int_equal(utf8_valid(buf, n), j);
			}
		}
	}
}

int run_record_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_object),
		cmocka_unit_test(test_json_not_an_object),
		cmocka_unit_test(test_json_malformed_has_line_and_column),
		cmocka_unit_test(test_json_must_be_utf8),
		cmocka_unit_test(test_json_nul_escape_kept),
		cmocka_unit_test(test_raw_bytes_intact),
		cmocka_unit_test(test_raw_utf8_becomes_text),
		cmocka_unit_test(test_auto_mode),
		cmocka_unit_test(test_empty_payload),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_agrees_with_jansson),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
