/* test_cleaner.c — cmocka tests of the cleaner plugin on fixtures written
 * for the project (tests/unit/cleaner/fixtures and inline strings). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <iconv.h>
#include <unicode/ustring.h>

#include "charset.h"
#include "cltest.h"

#ifndef FIXTURES
#define FIXTURES "."
#endif

static const char *para_vi =
	"Việt Nam đang đẩy mạnh chuyển đổi số trong lĩnh vực y tế, với mục tiêu "
	"đến cuối năm nay mọi bệnh viện tuyến tỉnh đều có bệnh án điện tử. "
	"Theo Bộ Y tế, nhiều cơ sở đã hoàn thành việc kết nối dữ liệu với bảo hiểm xã hội.";

struct fx {
	struct cltest t;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[512];

	if (!f || cltest_open(&f->t, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "setup: %s\n", err);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	cltest_close(&f->t);
	free(f);
	return 0;
}

/* Runs one message (JSON object built here) through the plugin. */
static int run_json(struct fx *f, json_t *msg, json_t **out, char *err, size_t errlen)
{
	struct newsd_record r = {0};
	int rc;

	r.root = msg;
	rc = harness_process_record(f->t.h, &r, NULL, err, errlen);
	*out = r.root;
	return rc;
}

static json_t *run_text(struct fx *f, const char *text, int *rc, char *err, size_t errlen)
{
	json_t *out;
	json_t *m = json_pack("{s:s, s:s}", "id", "t1", "text", text);

	*rc = run_json(f, m, &out, err, errlen);
	return out;
}

static json_t *run_raw(struct fx *f, const char *bytes, size_t len, int *rc)
{
	struct newsd_record r = {0};
	char err[256];

	assert_int_equal(record_from_payload(&r, bytes, len, RECORD_FORMAT_RAW, err, sizeof(err)),
			 0);
	*rc = harness_process_record(f->t.h, &r, NULL, err, sizeof(err));
	return r.root;
}

static const char *text_of(json_t *o)
{
	return json_string_value(json_object_get(o, "text"));
}

static json_int_t cleaner_int(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(o, "cleaner"), k));
}

/* ------------------------------------------------------------------ */

static void test_nfd_to_nfc(void **state)
{
	char err[256];
	int rc;
	/* "Việt Nam" and "Hội nghị" in decomposed form */
	const char *nfd = "Vie\xcc\x82\xcc\xa3t Nam to\xcc\x82\xcc\x89 ch\xc6\xb0\xcc\x81\x63 "
			  "Ho\xcc\x82\xcc\xa3i nghi\xcc\xa3 ve\xcc\x82\xcc\x80 kinh te\xcc\x82\xcc\x81 "
			  "va\xcc\x80 xa\xcc\x83 ho\xcc\x82\xcc\xa3i cu\xcc\x89\x61 ca\xcc\x81\x63 "
			  "ti\xcc\x89nh trong khu v\xc6\xb0\xcc\xa3\x63 n\xc4\x83m nay.";
	json_t *o = run_text(*state, nfd, &rc, err, sizeof(err));

	assert_int_equal(rc, NEWSD_OK);
	assert_non_null(strstr(text_of(o), "Việt Nam tổ chức Hội nghị về kinh tế"));
	assert_null(strstr(text_of(o), "\xcc\x82")); /* no combining circumflex left */
	json_decref(o);
}

static void test_windows1258(void **state)
{
	char bytes[2048], *ip = (char *)para_vi, *op = bytes;
	size_t il = strlen(para_vi), ol = sizeof(bytes);
	int rc;

	/* glibc's CP1258 writes tone marks as combining characters, as
	 * windows-1258 requires */
	iconv_t cd = iconv_open("CP1258", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	assert_false(cl_utf8_valid(bytes, (size_t)(op - bytes)));

	json_t *o = run_raw(*state, bytes, (size_t)(op - bytes), &rc);
	assert_int_equal(rc, NEWSD_OK);
	assert_string_equal(text_of(o), para_vi); /* composed back to NFC */
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "cleaner"),
								 "charset")),
			    "windows-1258");
	assert_null(json_object_get(o, "raw"));
	assert_string_equal(json_string_value(json_object_get(o, "lang")), "vi");
	assert_int_equal(cleaner_int(o, "invalid_sequences"), 0);
	json_decref(o);
}

static void check_iconv_charset(struct fx *f, const char *charset)
{
	char bytes[2048], *ip = (char *)para_vi, *op = bytes;
	size_t il = strlen(para_vi), ol = sizeof(bytes);
	iconv_t cd = iconv_open(charset, "UTF-8");
	int rc;

	assert_true(cd != (iconv_t)-1);
	assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	json_t *o = run_raw(f, bytes, (size_t)(op - bytes), &rc);
	assert_int_equal(rc, NEWSD_OK);
	assert_string_equal(text_of(o), para_vi);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "cleaner"),
								 "charset")),
			    charset);
	json_decref(o);
}

static void test_viscii_tcvn(void **state)
{
	check_iconv_charset(*state, "VISCII");
	check_iconv_charset(*state, "TCVN5712-1");
}

static void test_declared_charset(void **state)
{
	(void)state;
	struct cltest t;
	char err[256];
	struct newsd_record r = {0};
	/* "Hà Nội" in ISO-8859-1 can't be; use Latin-1 French instead */
	const char *latin1 = "Le caf\xe9 de la gare a rouvert ses portes apr\xe8s des travaux.";

	assert_int_equal(cltest_open(&t, "charset: ISO-8859-1\n", err, sizeof(err)), 0);
	assert_int_equal(record_from_payload(&r, latin1, strlen(latin1), RECORD_FORMAT_RAW, err,
					     sizeof(err)),
			 0);
	assert_int_equal(harness_process_record(t.h, &r, NULL, err, sizeof(err)), NEWSD_OK);
	assert_non_null(strstr(text_of(r.root), "café de la gare"));
	assert_non_null(strstr(text_of(r.root), "après"));
	record_clear(&r);
	cltest_close(&t);
}

static void test_stray_cyrillic(void **state)
{
	char err[256];
	int rc;
	/* Cyrillic с (U+0441) and о (U+043E) inside Latin words; a lone ў
	 * between two words */
	const char *in = "Lực lượng \xd1\x81\xc3\xb4ng an đã kịp thời c\xd0\xbe mặt tại hiện "
			 "trường để hỗ trợ người dân trong đêm mưa lớn, cán \xd1\x9e bộ xã "
			 "cùng tham gia.";
	json_t *o = run_text(*state, in, &rc, err, sizeof(err));

	assert_int_equal(rc, NEWSD_OK);
	assert_non_null(strstr(text_of(o), "Lực lượng công an"));
	assert_non_null(strstr(text_of(o), "kịp thời co mặt"));
	assert_non_null(strstr(text_of(o), "cán bộ xã"));
	assert_null(strstr(text_of(o), "\xd1\x9e"));
	assert_true(cleaner_int(o, "repaired_chars") >= 3);
	json_decref(o);
}

static void test_crlf_and_spaces(void **state)
{
	char err[256];
	int rc;
	const char *in = "Ban quản lý dự án cho biết công trình sẽ hoàn thành vào cuối năm nay "
			 "theo đúng kế hoạch đã đề ra.\r\n\r\nCác nhà thầu đang\xc2\xa0tăng ca "
			 "để bù\xe2\x80\x8b lại thời gian\x07 bị mất do mưa bão kéo dài.\rNgười "
			 "dân trong khu vực mong công trình sớm đưa vào sử dụng.";
	json_t *o = run_text(*state, in, &rc, err, sizeof(err));

	assert_int_equal(rc, NEWSD_OK);
	const char *t = text_of(o);
	assert_null(strchr(t, '\r'));
	assert_null(strstr(t, "\xc2\xa0"));
	assert_null(strstr(t, "\xe2\x80\x8b"));
	assert_null(strchr(t, '\x07'));
	assert_non_null(strstr(t, "đề ra.\n\nCác nhà thầu đang tăng ca để bù lại thời gian bị"));
	assert_non_null(strstr(t, "kéo dài.\n\nNgười dân"));
	assert_int_equal(cleaner_int(o, "repaired_chars"), 3);
	json_decref(o);
}

static void test_empty_dead_letter(void **state)
{
	char err[256];
	int rc;
	json_t *o = run_text(*state, " \r\n\xe2\x80\x8b\xc2\xa0 \n\t", &rc, err, sizeof(err));

	assert_int_equal(rc, NEWSD_ERR_RECORD);
	assert_string_equal(err, "empty after cleaning");
	json_decref(o);
	/* nothing but furniture is empty too */
	o = run_text(*state, "Chia sẻ bài viết\n\nBình luận\n\nLượt xem: 1.204\n\nĐăng nhập", &rc,
		     err, sizeof(err));
	assert_int_equal(rc, NEWSD_ERR_RECORD);
	assert_string_equal(err, "empty after cleaning");
	json_decref(o);
	/* no text at all */
	json_t *out;
	rc = run_json(*state, json_pack("{s:s}", "id", "x"), &out, err, sizeof(err));
	assert_int_equal(rc, NEWSD_ERR_RECORD);
	json_decref(out);
}

static void test_big_input(void **state)
{
	size_t target = 10u << 20, n = 0, k = 0;
	char *big = malloc(target + 4096);
	char err[256], line[600];
	int rc;

	assert_non_null(big);
	while (n < target) {
		int l = snprintf(line, sizeof(line),
				 "Đoạn %zu: Hội đồng nhân dân thành phố đã thông qua nghị quyết "
				 "số %zu về đầu tư công trung hạn, trong đó dành phần lớn nguồn "
				 "vốn cho giao thông và trường học ở các xã còn khó khăn.\n\n",
				 k, k * 7 + 3);
		memcpy(big + n, line, (size_t)l);
		n += (size_t)l;
		k++;
	}
	big[n] = '\0';
	json_t *o = run_text(*state, big, &rc, err, sizeof(err));
	assert_int_equal(rc, NEWSD_OK);
	const char *t = text_of(o);
	/* every paragraph kept, in order, nothing else added */
	assert_int_equal(strlen(t), n - 2);
	assert_memory_equal(t, big, 200);
	snprintf(line, sizeof(line), "Đoạn %zu: Hội đồng", k - 1);
	assert_non_null(strstr(t + strlen(t) - 400, line));
	assert_int_equal(cleaner_int(o, "removed_lines"), 0);
	json_decref(o);
	free(big);
}

static void test_invalid_utf8(void **state)
{
	int rc;
	const char in[] = "Thời tiết hôm nay \xff\xfe rất đẹp, người dân đổ ra đường "
			  "đi chơi và mua sắm chuẩn bị cho kỳ nghỉ lễ sắp tới\xc3.";
	json_t *o = run_raw(*state, in, sizeof(in) - 1, &rc);

	assert_int_equal(rc, NEWSD_OK);
	assert_non_null(strstr(text_of(o), "người dân đổ ra đường"));
	assert_non_null(strstr(text_of(o), "\xef\xbf\xbd"));
	assert_true(cleaner_int(o, "invalid_sequences") >= 2);
	json_decref(o);
	/* random bytes never crash and always yield valid UTF-8 or a dead letter */
	char junk[3000];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (char)(x >> 16);
	}
	o = run_raw(*state, junk, sizeof(junk), &rc);
	assert_true(rc == NEWSD_OK || rc == NEWSD_ERR_RECORD);
	if (rc == NEWSD_OK)
		assert_true(cl_utf8_valid(text_of(o), strlen(text_of(o))));
	json_decref(o);
}

static void test_html_without_body(void **state)
{
	char err[256];
	json_t *out;
	int rc = run_json(*state,
			  json_pack("{s:s, s:s}", "id", "h", "html",
				    "<html><head><title>Chỉ có tiêu đề</title></head></html>"),
			  &out, err, sizeof(err));

	assert_int_equal(rc, NEWSD_ERR_RECORD);
	assert_string_equal(err, "empty after cleaning");
	json_decref(out);
	/* a fragment without html/body still yields its text */
	rc = run_json(*state,
		      json_pack("{s:s, s:s}", "id", "h", "html",
				"<p>Ủy ban nhân dân tỉnh vừa phê duyệt đề án phát triển du lịch "
				"cộng đồng giai đoạn 2024&ndash;2030, với tổng vốn hơn 400 tỷ "
				"đồng.</p>"),
		      &out, err, sizeof(err));
	assert_int_equal(rc, NEWSD_OK);
	assert_non_null(strstr(text_of(out), "giai đoạn 2024–2030"));
	json_decref(out);
}

static void test_html_article(void **state)
{
	size_t len;
	char err[256];
	char *html = cltest_slurp(FIXTURES "/en_article.html", &len);
	json_t *out;

	assert_non_null(html);
	int rc = run_json(*state, json_pack("{s:s, s:s}", "id", "e", "html", html), &out, err,
			  sizeof(err));
	free(html);
	assert_int_equal(rc, NEWSD_OK);
	const char *t = text_of(out);
	/* the body, paragraph by paragraph, entities decoded */
	assert_non_null(strstr(t, "Councillors in Port Allerby voted"));
	assert_non_null(strstr(t, "£7.2 million"));
	assert_non_null(strstr(t, "“This is the front door of our town,”"));
	assert_non_null(strstr(t, "A petition against the plan"));
	assert_non_null(strstr(t, "with a small ferry service to follow."));
	assert_non_null(strstr(t, "walk to the end of the harbour."));
	assert_non_null(strstr(t, "signatures.\n\nEngineers"));
	/* and nothing of the furniture */
	const char *gone[] = {"var tracking", "color: red", "Sport", "Search", "cookies",
			      "Share on Facebook", "Advertisement", "Related stories",
			      "Storm damage closes", "Comments", "About time", "Post comment",
			      "All rights reserved", "Privacy", "Ports", NULL};
	for (const char **g = gone; *g; g++)
		if (strstr(t, *g))
			fail_msg("furniture kept: %s", *g);
	json_t *m = json_object_get(out, "html_meta");
	assert_string_equal(json_string_value(json_object_get(m, "og_title")),
			    "Harbour town votes to rebuild its old ferry pier");
	assert_string_equal(json_string_value(json_object_get(m, "og_site_name")),
			    "The Coastal Ledger");
	assert_string_equal(json_string_value(json_object_get(m, "published_time")),
			    "2023-04-18T09:30:00+01:00");
	assert_string_equal(json_string_value(json_object_get(m, "author")), "Maria Fenwick");
	assert_string_equal(json_string_value(json_object_get(m, "canonical_url")),
			    "https://ledger.example/news/ferry-pier-rebuild");
	assert_string_equal(json_string_value(json_object_get(m, "lang")), "en-GB");
	assert_non_null(json_object_get(m, "title"));
	assert_null(json_object_get(m, "modified_time"));
	assert_string_equal(json_string_value(json_object_get(out, "lang")), "en");
	json_decref(out);
}

static void test_vi_boilerplate(void **state)
{
	size_t len;
	char err[256];
	int rc;
	char *text = cltest_slurp(FIXTURES "/vi_article.txt", &len);

	assert_non_null(text);
	json_t *o = run_text(*state, text, &rc, err, sizeof(err));
	free(text);
	assert_int_equal(rc, NEWSD_OK);
	const char *t = text_of(o);
	/* kept: dateline, heading first, lead, every body paragraph, caption once, byline */
	const char *kept[] = {"Thứ Sáu, 14/06/2024 - 08:20\n\nNông dân huyện Đức Phong thu hoạch",
			      "(ĐP) - Sáng 13/6", "Theo Phòng Nông nghiệp huyện",
			      "Giá vải tại vườn dao động", "Ông Lê Văn Tâm",
			      "Để giữ vững thị trường", "Minh Khang", NULL};
	for (const char **k = kept; *k; k++)
		if (!strstr(t, *k))
			fail_msg("body lost: %s", *k);
	const char *cap = strstr(t, "Người dân thu hoạch vải tại xã Tân Hòa.");
	assert_non_null(cap);
	assert_null(strstr(cap + 1, "Người dân thu hoạch vải tại xã Tân Hòa."));
	const char *gone[] = {"Trang chủ", "Đăng nhập", "Chia sẻ", "Zalo", "Quảng cáo",
			      "Lượt xem", "hữu ích", "bình luận", "Họ và tên", "email",
			      "Tin cùng chuyên mục", "sàn thương mại điện tử", "cầu dân sinh",
			      "0243", "Bản quyền", NULL};
	for (const char **g = gone; *g; g++)
		if (strstr(t, *g))
			fail_msg("furniture kept: %s", *g);
	assert_true(t == strstr(t, "Thứ Sáu"));
	assert_int_equal(cleaner_int(o, "removed_lines"), 16);
	json_decref(o);
}

static void test_captions_policy(void **state)
{
	(void)state;
	const char *doc = "Tỉnh khởi công tuyến đường ven biển dài 40 km\n\n"
			  "Sáng 2/3, tỉnh đã khởi công tuyến đường ven biển nối ba huyện phía "
			  "nam, tổng mức đầu tư hơn 2.000 tỷ đồng từ ngân sách trung ương.\n\n"
			  "Lãnh đạo tỉnh bấm nút khởi công dự án\n\n"
			  "Tuyến đường được kỳ vọng rút ngắn thời gian đi lại và mở ra quỹ "
			  "đất cho các dự án du lịch, dịch vụ dọc theo bờ biển của tỉnh.\n\n"
			  "Lãnh đạo tỉnh bấm nút khởi công dự án\n\n"
			  "Dự án dự kiến hoàn thành vào năm 2026, theo hình thức đầu tư công "
			  "với sự giám sát của cộng đồng dân cư địa phương.";
	const char *pol[3] = {"captions: keep\n", "captions: keep_first\n", "captions: drop\n"};
	int expect[3] = {2, 1, 0};

	for (int p = 0; p < 3; p++) {
		struct cltest t;
		char err[256];
		json_t *out;
		assert_int_equal(cltest_open(&t, pol[p], err, sizeof(err)), 0);
		struct newsd_record r = {json_pack("{s:s, s:s}", "id", "c", "text", doc)};
		assert_int_equal(harness_process_record(t.h, &r, NULL, err, sizeof(err)), NEWSD_OK);
		out = r.root;
		int n = 0;
		for (const char *s = text_of(out); (s = strstr(s, "bấm nút khởi công")); s++)
			n++;
		assert_int_equal(n, expect[p]);
		assert_non_null(strstr(text_of(out), "Tỉnh khởi công tuyến đường ven biển"));
		assert_non_null(strstr(text_of(out), "giám sát của cộng đồng"));
		json_decref(out);
		cltest_close(&t);
	}
}

static void test_cross_source(void **state)
{
	char err[256];
	int rc;
	char doc[1024];
	json_t *o = NULL;

	/* a footer line that no vocabulary knows, shared by every article of
	 * one source, disappears once the source has shown it often enough */
	for (int i = 0; i < 5; i++) {
		snprintf(doc, sizeof(doc),
			 "Bài số %d về mùa lúa năm nay\n\nNông dân xã An Phú %d đã thu hoạch "
			 "xong vụ lúa đông xuân, năng suất bình quân đạt hơn 7 tấn mỗi héc-ta, "
			 "cao hơn năm trước nhờ giống mới.\n\nBan biên tập Nông thôn Ngày Mai "
			 "trân trọng cảm ơn quý vị đã đồng hành",
			 i, i);
		json_decref(o);
		json_t *out;
		rc = run_json(*state, json_pack("{s:s, s:s, s:s}", "id", "x", "source", "ntnm",
						"text", doc),
			      &out, err, sizeof(err));
		assert_int_equal(rc, NEWSD_OK);
		o = out;
		if (i == 0)
			assert_non_null(strstr(text_of(o), "trân trọng cảm ơn"));
	}
	assert_null(strstr(text_of(o), "trân trọng cảm ơn"));
	assert_non_null(strstr(text_of(o), "giống mới."));
	json_decref(o);
	/* another source is not affected */
	json_t *out;
	rc = run_json(*state, json_pack("{s:s, s:s, s:s}", "id", "y", "source", "other", "text", doc),
		      &out, err, sizeof(err));
	assert_int_equal(rc, NEWSD_OK);
	assert_non_null(strstr(text_of(out), "trân trọng cảm ơn"));
	json_decref(out);
}

static void test_language(void **state)
{
	char err[256];
	int rc;
	json_t *o = run_text(*state,
			     "The city council said on Monday that the new bridge would open "
			     "to traffic in the spring, after two years of delays caused by "
			     "flooding and a shortage of steel.",
			     &rc, err, sizeof(err));
	assert_int_equal(rc, NEWSD_OK);
	assert_string_equal(json_string_value(json_object_get(o, "lang")), "en");
	json_decref(o);
	o = run_text(*state, para_vi, &rc, err, sizeof(err));
	assert_string_equal(json_string_value(json_object_get(o, "lang")), "vi");
	json_decref(o);
	/* a message's own lang is never overwritten */
	json_t *out;
	rc = run_json(*state, json_pack("{s:s, s:s, s:s}", "id", "l", "lang", "fr", "text", para_vi),
		      &out, err, sizeof(err));
	assert_int_equal(rc, NEWSD_OK);
	assert_string_equal(json_string_value(json_object_get(out, "lang")), "fr");
	json_decref(out);
}

static void test_syllables(void **state)
{
	struct fx *f = *state;
	const struct langpack *vi = &f->t.c->packs[0];
	const char *ok[] = {"nghiêng", "Việt", "quốc", "giường", "gì", "khuya", "ở", "Đảng", NULL};
	const char *bad[] = {"Viêìt", "qwerty", "bsa", "tiếnh", "xyz", NULL};

	assert_string_equal(vi->lang, "vi");
	for (int k = 0; k < 2; k++)
		for (const char **w = k ? bad : ok; *w; w++) {
			UChar u[32];
			int32_t n = 0;
			UErrorCode st = U_ZERO_ERROR;
			u_strFromUTF8(u, 32, &n, *w, -1, &st);
			if (langpack_syllable_valid(vi, u, n) != !k)
				fail_msg("syllable %s judged %s", *w, k ? "valid" : "invalid");
		}
}

static void test_fast_path_equals_full(void **state)
{
	struct fx *f = *state;
	const char *texts[] = {
		para_vi,
		"  Dòng một\xc2\xa0" "có  khoảng trắng \r\n\r\n\r\n\r\nDòng\ttwo\x01\x7f \xe2\x80\x8b\n",
		"Plain ASCII text, with punctuation; and numbers 1,234.5 -- “quotes” … done.\n\n",
		"\n\n\n",
		"",
		"Giá 25.000đ – 30.000đ • Hà Nội\u2003(GMT+7)\u200e",
	};
	struct cl_ctx *x = cleaner_ctx_get(f->t.c);
	struct buf a = {0};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct cl_textnorm_stats s1, s2;
		assert_int_equal(cl_textnorm(&f->t.c->tn, texts[i], strlen(texts[i]), &a, &x->tn, &s1),
				 0);
		assert_int_equal(cl_textnorm_full(&f->t.c->tn, texts[i], strlen(texts[i]), &x->norm,
						  &x->tn, &s2),
				 0);
		assert_int_equal(a.len, x->norm.len);
		if (a.len)
			assert_memory_equal(a.p, x->norm.p, a.len);
		assert_int_equal(s1.repaired, s2.repaired);
		assert_int_equal(s1.invalid, s2.invalid);
	}
	buf_free(&a);
	cleaner_ctx_put(f->t.c, x);
}

/* ---------------------------------------------- realistic news pages -- */

/* What a page must give: body strings kept, furniture strings gone,
 * html_meta values (key, value pairs; value NULL: key absent). */
struct page_expect {
	const char *kept[16];
	const char *gone[32];
	const char *meta[24];
};

static void check_page(json_t *out, const struct page_expect *e)
{
	const char *t = text_of(out);
	json_t *m = json_object_get(out, "html_meta");

	assert_non_null(t);
	for (const char *const *k = e->kept; *k; k++)
		if (!strstr(t, *k))
			fail_msg("body lost: %s\n--- text:\n%s", *k, t);
	for (const char *const *g = e->gone; *g; g++)
		if (strstr(t, *g))
			fail_msg("furniture kept: %s\n--- text:\n%s", *g, t);
	for (const char *const *k = e->meta; *k; k += 2) {
		const char *v = json_string_value(json_object_get(m, k[0]));
		if (!k[1] ? v != NULL : !v || strcmp(v, k[1]) != 0)
			fail_msg("html_meta.%s: got '%s', want '%s'", k[0], v ? v : "(none)",
				 k[1] ? k[1] : "(none)");
	}
}

/* The fixture as an `html` field (UTF-8 string). */
static json_t *run_html_file(struct fx *f, const char *name)
{
	char path[512], err[256];
	size_t len;
	json_t *out;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	char *html = cltest_slurp(path, &len);
	assert_non_null(html);
	int rc = run_json(f, json_pack("{s:s, s:s}", "id", name, "html", html), &out, err,
			  sizeof(err));
	free(html);
	if (rc != NEWSD_OK)
		fail_msg("%s: rc %d (%s)", name, rc, err);
	return out;
}

/* The fixture as `raw` bytes, converted to charset first (NULL: as is). */
static json_t *run_raw_file(struct fx *f, const char *name, const char *charset,
			    const char *from, const char *to)
{
	char path[512];
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	char *html = cltest_slurp(path, &len);
	assert_non_null(html);
	if (from) { /* same length or shorter: rewrite in place */
		char *p = strstr(html, from);
		assert_non_null(p);
		assert_true(strlen(to) <= strlen(from));
		memcpy(p, to, strlen(to));
		memset(p + strlen(to), ' ', strlen(from) - strlen(to));
	}
	char *bytes = html;
	size_t blen = len;
	if (charset) {
		char *ip = html, *op;
		size_t il = len, ol = len * 2;
		bytes = op = malloc(ol);
		assert_non_null(bytes);
		iconv_t cd = iconv_open(charset, "UTF-8");
		assert_true(cd != (iconv_t)-1);
		assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
		iconv_close(cd);
		blen = (size_t)(op - bytes);
	}
	json_t *o = run_raw(f, bytes, blen, &rc);
	if (bytes != html)
		free(bytes);
	free(html);
	assert_int_equal(rc, NEWSD_OK);
	return o;
}

static const struct page_expect vi_full = {
	.kept = {"Năm nay tỉnh đặt mục tiêu nâng diện tích bưởi đạt chuẩn VietGAP lên 600 ha",
		 "Sáng 19/9, Sở Nông nghiệp tỉnh", "Theo ông Phan Văn Lộc",
		 "Nông dân xã Hương Trà thu hoạch bưởi sớm", "Để hỗ trợ nông dân",
		 "Bà Nguyễn Thị Hoa", "Tuy vậy, nhiều hộ vẫn lo ngại",
		 "trước cuối năm 2025.", "Thu Hà - Minh Quân", NULL},
	.gone = {"cookie", "Đăng nhập", "Trang chủ", "Thời sự", "Quảng cáo", "Chia sẻ", "Zalo",
		 "Sao chép", "Xem thêm", "Giá bưởi tăng mạnh", "Nông dân lãi lớn", "Từ khóa",
		 "In bài", "Ý kiến bạn đọc", "Lê Văn Nam", "sai quả", "hữu ích", "Gửi bình luận",
		 "Tin cùng chuyên mục", "Giá lúa tăng nhẹ", "Đọc nhiều nhất", "Cao tốc Bắc Nam",
		 "Cơ quan chủ quản", "Trần Phú", "Bản quyền", "dataLayer", NULL},
	.meta = {"og_title", "Hà Tĩnh mở rộng vùng trồng bưởi Phúc Trạch theo chuẩn VietGAP",
		 "title",
		 "Hà Tĩnh mở rộng vùng trồng bưởi Phúc Trạch theo chuẩn VietGAP - Báo Sông Lam "
		 "Điện Tử",
		 "published_time", "2024-09-20T06:45:00+07:00", "modified_time",
		 "2024-09-20T09:10:00+07:00", "author", "Nguyễn Thu Hà, Trần Minh Quân",
		 "og_site_name", "Sông Lam Điện Tử", "lang", "vi", "canonical_url",
		 "https://songlam.example/kinh-te/ha-tinh-mo-rong-vung-trong-buoi-1234.html",
		 "description",
		 "Năm nay tỉnh đặt mục tiêu nâng diện tích bưởi đạt chuẩn VietGAP lên 600 ha.", NULL},
};

/* JSON-LD (@graph, author array with an organisation), furniture of a big
 * Vietnamese site around a body with figure, ads and a "Xem thêm" box */
static void test_page_vi_full(void **state)
{
	json_t *o = run_html_file(*state, "vi_full.html");
	check_page(o, &vi_full);
	json_decref(o);
}

static const struct page_expect vi_divsoup = {
	.kept = {"Sau hai năm chờ bố trí vốn, tuyến đường ven sông dài 3,2 km",
		 "Tuyến đường hiện chỉ rộng khoảng 5 m", "Theo thiết kế, mặt đường",
		 "Ông Trương Văn Bình", "Nhiều hộ dân đồng tình",
		 "Dự kiến công trình hoàn thành trong 18 tháng", NULL},
	.gone = {"Trang chủ", "Thời sự", "Đời sống", "Gửi bài", "Tags", "mở rộng đường",
		 "Facebook", "Thích", "Các tin khác", "Khánh thành cầu", "Bến phà", "Tin nổi bật",
		 "Mùa nước nổi", "Trang thông tin điện tử", "lienhe@", NULL},
	.meta = {"og_title", "Đường ven sông được mở rộng sau hai năm chờ vốn", "published_time",
		 "2023-11-02T15:30:00+07:00", "author", "Lâm Hoàng Phúc", "og_site_name", NULL,
		 NULL},
};

/* no <article>, deeply nested divs, body split over sibling divs with an
 * ad between them, microdata only */
static void test_page_vi_divsoup(void **state)
{
	json_t *o = run_html_file(*state, "vi_divsoup.html");
	check_page(o, &vi_divsoup);
	json_decref(o);
}

/* the same page as raw windows-1258 bytes, declared only in
 * <meta http-equiv> (tone marks as combining characters) */
static void test_page_windows1258(void **state)
{
	json_t *o = run_raw_file(*state, "vi_divsoup.html", "CP1258", NULL, NULL);
	check_page(o, &vi_divsoup);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "cleaner"),
								 "charset")),
			    "windows-1258");
	json_decref(o);
}

static const struct page_expect vi_short = {
	.kept = {"Mưa lớn kéo dài từ chiều 5/10 khiến một đoạn taluy dương",
		 "Lực lượng quản lý đường bộ đã điều máy xúc", NULL},
	.gone = {"Đọc thêm", "Sạt lở vùi lấp", "Cảnh báo lũ quét", "Tin mới nhất", "40 tỷ đồng",
		 "Ngư dân vươn khơi", "xe buýt điện", "Giá rau xanh", "Giấy phép", "Thời sự",
		 "Lê Lợi", NULL},
	.meta = {"published_time", "2024-10-05T21:12:00+07:00", "author", "Phạm Ngọc Diệp",
		 "og_site_name", "Báo Đất Mới", "og_title", NULL, NULL},
};

/* two paragraphs next to a sidebar of teasers with more text than the
 * article; date from <time>, author from rel=author */
static void test_page_vi_short(void **state)
{
	json_t *o = run_html_file(*state, "vi_short.html");
	check_page(o, &vi_short);
	json_decref(o);
}

/* the same page as raw bytes declared windows-1252 but written in UTF-8
 * (a common CMS misconfiguration): valid UTF-8 wins over the declaration */
static void test_page_declared_1252_utf8(void **state)
{
	json_t *o = run_raw_file(*state, "vi_short.html", NULL, "<meta charset=\"utf-8\">",
				 "<meta charset=cp1252>");
	check_page(o, &vi_short);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "cleaner"),
								 "charset")),
			    "UTF-8");
	json_decref(o);
}

/* live blog: timestamped entries with headings, a key-events link list,
 * JSON-LD in an array inside an HTML comment, raw newline in a string,
 * an escaped entity in the headline */
static void test_page_en_liveblog(void **state)
{
	static const struct page_expect e = {
		.kept = {"Water levels on the lower river dropped overnight",
			 "Trains are running again between Ashby Cross",
			 "A drop-in centre has opened at the leisure centre",
			 "Volunteers said more than two hundred people",
			 "The Environment Office says the river at Ferrybridge",
			 "Police have lifted the evacuation orders", NULL},
		.gone = {"Skip to main", "Sign up", "morning briefing", "Key events", "3h ago",
			 "Copy link", "Most viewed", "Dog rescued", "cookies", "Accept all",
			 "Registered in England", "Contact us", "Weather", NULL},
		.meta = {"og_title", "Flooding live: river levels fall & evacuation orders lifted",
			 "published_time", "2024-01-08T06:05:00+00:00", "modified_time",
			 "2024-01-08T18:40:00+00:00", "author", "Priya Castellano", "og_site_name",
			 "Northern Courier", "description",
			 "Updates through the day as the river falls.", "lang", "en", NULL},
	};
	json_t *o = run_html_file(*state, "en_liveblog.html");
	check_page(o, &e);
	assert_string_equal(json_string_value(json_object_get(o, "lang")), "en");
	json_decref(o);
}

/* photo story: captions are most of the text */
static void test_page_vi_photo(void **state)
{
	static const struct page_expect e = {
		.kept = {"Cuối tháng 9, những thửa ruộng bậc thang",
			 "Những thửa ruộng uốn lượn theo sườn đồi",
			 "Người dân tranh thủ ngày nắng để gặt lúa",
			 "Trẻ em theo cha mẹ ra đồng", "Du khách dừng chân bên đường",
			 "Năm nay thời tiết thuận lợi nên lúa được mùa", NULL},
		.gone = {"Trang chủ", "Video", "Chủ đề", "mùa vàng", "Chia sẻ", "Bình luận",
			 "Lễ hội cơm mới", "Chịu trách nhiệm", "0912", NULL},
		.meta = {"og_title", "Mùa lúa chín trên ruộng bậc thang", "published_time",
			 "2024-09-28T10:00:00+07:00", "author", "Đỗ Quang Vinh", "og_site_name",
			 "Người Đưa Tin Vùng Cao", NULL},
	};
	json_t *o = run_html_file(*state, "vi_photo.html");
	check_page(o, &e);
	json_decref(o);
}

/* an old table layout with unclosed <p>/<div>, stray end tags, upper-case
 * tags and a "Xem thêm:" line inside the body */
static void test_page_vi_broken(void **state)
{
	static const struct page_expect e = {
		.kept = {"Sau thời gian dài vắng vẻ, chợ nổi", "Theo ban quản lý chợ",
			 "Bà Sáu Hiền", "Khách nước ngoài quay lại nhiều",
			 "Chính quyền địa phương đang lập đề án",
			 "Các công ty lữ hành cũng xây dựng thêm tour", NULL},
		.gone = {"Danh mục", "Kinh tế", "Văn hóa", "Liên hệ", "Xem thêm",
			 "Du lịch đường sông", "Tin liên quan", "Mùa nước nổi", "Làng nghề bánh",
			 "In trang", "Gửi cho bạn bè", "Bản quyền", "0292", NULL},
		.meta = {"author", "Võ Thị Kim Ngân", "published_time", "2022-03-15", "title",
			 "Chợ nổi đón khách trở lại - Cổng Thông Tin Sông Nước", NULL},
	};
	json_t *o = run_html_file(*state, "vi_broken.html");
	check_page(o, &e);
	json_decref(o);
}

/* the article's head inside a "post-header" (a furniture-looking class),
 * a lead beside the body container, ad slots, an inline link list, an
 * author profile URL in article:author */
static void test_page_en_feature(void **state)
{
	static const struct page_expect e = {
		.kept = {"The last lighthouse keeper of Gull Point hands over the keys\n\nAfter "
			 "forty-one years of climbing",
			 "Walter Rennick still wakes at four", "On Friday he handed a ring",
			 "The authority says the tower", "Rennick plans to move", NULL},
		.gone = {"Subscribe", "Sponsored", "Read more", "Ferry route", "Advertisement",
			 "Storm season", "unlicensed moorings", "covers the coast", "Topics",
			 "Lighthouses", "Never miss", "Copyright", NULL},
		.meta = {"og_title", "The last lighthouse keeper hands over the keys", "author",
			 "Jo Marsh", "published_time", "2023-06-30T12:00:00-04:00", "modified_time",
			 "2023-07-01T08:15:00-04:00", "og_site_name", "Harbour Weekly", "lang",
			 "en-US", NULL},
	};
	json_t *o = run_html_file(*state, "en_feature.html");
	check_page(o, &e);
	json_decref(o);
}

/* JSON-LD edge cases: a broken block is skipped, the article is found
 * under mainEntity with a prefixed @type, an organisation as author gives
 * way to <meta name=author>, entities and spaces are cleaned */
static void test_jsonld_edges(void **state)
{
	static const char *page =
		"<html><head><title>T</title>"
		"<meta property=\"og:title\" content=\"Og title\">"
		"<meta name=\"author\" content=\"  Mai   Lan \">"
		"<meta property=\"article:published_time\" content=\"2021-01-01T00:00:00Z\">"
		"<script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", "
		"\"headline\": \"broken\",}</script>"
		"<script type=\"application/ld+json\">{\"@type\":\"WebPage\",\"mainEntity\":"
		"{\"@type\":[\"http://schema.org/NewsArticle\"],\"headline\":\"Tôm &quot;sạch&quot;"
		" xuất khẩu\",\"datePublished\":\"2021-02-03T04:05:06+07:00\",\"author\":"
		"{\"@type\":\"Organization\",\"name\":\"Báo X\"}}}</script>"
		"<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"headline\":"
		"\"a later article\"}</script>"
		"</head><body><article><p>Người nuôi tôm ở các tỉnh ven biển đang chuyển sang "
		"quy trình nuôi sạch để đáp ứng yêu cầu của thị trường nhập khẩu, dù chi phí "
		"đầu tư ban đầu cao hơn khá nhiều so với cách nuôi truyền thống.</p>"
		"<time datetime=\"1999-01-01\">x</time></article></body></html>";
	static const struct page_expect e = {
		.kept = {"Người nuôi tôm ở các tỉnh ven biển", NULL},
		.gone = {NULL},
		.meta = {"og_title", "Tôm \"sạch\" xuất khẩu", "published_time",
			 "2021-02-03T04:05:06+07:00", "author", "Mai Lan", NULL},
	};
	char err[256];
	json_t *out;
	int rc = run_json(*state, json_pack("{s:s, s:s}", "id", "j", "html", page), &out, err,
			  sizeof(err));

	assert_int_equal(rc, NEWSD_OK);
	check_page(out, &e);
	json_decref(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nfd_to_nfc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_windows1258, setup, teardown),
		cmocka_unit_test_setup_teardown(test_viscii_tcvn, setup, teardown),
		cmocka_unit_test(test_declared_charset),
		cmocka_unit_test_setup_teardown(test_stray_cyrillic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crlf_and_spaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_dead_letter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html_without_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html_article, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vi_boilerplate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_vi_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_vi_divsoup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_windows1258, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_vi_short, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_declared_1252_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_en_liveblog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_vi_photo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_vi_broken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_en_feature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jsonld_edges, setup, teardown),
		cmocka_unit_test(test_captions_policy),
		cmocka_unit_test_setup_teardown(test_cross_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_language, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syllables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_path_equals_full, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
