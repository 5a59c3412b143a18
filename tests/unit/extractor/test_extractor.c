/* Unit tests of the extractor plugin on fixtures written for the project
 * (invented Vietnamese and English news text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <unicode/utf8.h>

#include "extractor_int.h"
#include "harness.h"

const struct newsd_plugin *newsd_plugin_extractor_describe(void);

static struct harness *H;

static int setup(void **state)
{
	char err[512];
	(void)state;
	H = harness_new(newsd_plugin_extractor_describe(), NULL, err, sizeof(err));
	if (!H)
		fprintf(stderr, "harness: %s\n", err);
	return H ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	harness_free(H);
	return 0;
}

/* Runs the extractor on {"text": text} plus optional extra members. */
static json_t *run_with(struct harness *h, const char *text, json_t *extra)
{
	json_t *in = extra ? extra : json_object();
	json_t *out = NULL;
	char err[256] = "", *txt;

	json_object_set_new(in, "id", json_string("t"));
	if (text)
		json_object_set_new(in, "text", json_string(text));
	txt = json_dumps(in, JSON_COMPACT);
	assert_int_equal(harness_process_json(h, txt, &out, err, sizeof(err)), NEWSD_OK);
	free(txt);
	json_decref(in);
	assert_non_null(out);
	return out;
}

static json_t *run(const char *text)
{
	return run_with(H, text, NULL);
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* List equality against a NULL-terminated array. */
static void assert_list(json_t *arr, const char *const *want)
{
	size_t n = 0;
	assert_true(json_is_array(arr));
	while (want[n])
		n++;
	if (json_array_size(arr) != n) {
		char *d = json_dumps(arr, 0);
		fprintf(stderr, "got %s\n", d);
		free(d);
	}
	assert_int_equal(json_array_size(arr), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(arr, i)), want[i]);
}

static int list_has(json_t *arr, const char *s)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (strcmp(json_string_value(json_array_get(arr, i)), s) == 0)
			return 1;
	return 0;
}

static json_t *ents(json_t *o, const char *k)
{
	return json_object_get(json_object_get(o, "entities"), k);
}

static const char LEDE[] =
	"Sáng nay, tại hội trường lớn của tỉnh, hội nghị tổng kết công tác năm đã diễn ra "
	"với sự tham dự của đông đảo đại biểu các sở, ban, ngành và địa phương trong tỉnh.";

/* ------------------------------------------------------------ dates */

static void test_date_cap_nhat(void **state)
{
	(void)state;
	char text[2048];
	snprintf(text, sizeof(text),
		 "Cập nhật: Thứ 4, 08/03/2017 | 06:53 GMT+7\n\nKhai mạc hội chợ nông sản đầu xuân\n\n%s", LEDE);
	json_t *o = run(text);
	assert_string_equal(str(o, "published_at"), "2017-03-08T06:53:00+07:00");
	assert_string_equal(str(o, "date_precision"), "minute");
	assert_string_equal(str(o, "title"), "Khai mạc hội chợ nông sản đầu xuân");
	json_decref(o);
}

static void test_date_dash_time(void **state)
{
	(void)state;
	char text[2048];
	snprintf(text, sizeof(text), "Nông dân vui mùa lúa mới\n\n18/02/2021 - 13:15\n\n%s", LEDE);
	json_t *o = run(text);
	assert_string_equal(str(o, "published_at"), "2021-02-18T13:15:00+07:00");
	assert_string_equal(str(o, "date_precision"), "minute");
	assert_string_equal(str(o, "title"), "Nông dân vui mùa lúa mới");
	json_decref(o);
}

static void test_date_month(void **state)
{
	(void)state;
	json_t *o = run(" date 2021-03 Hội nghị được tổ chức trực tuyến tới các huyện trong tỉnh.\n\n"
			"Các đại biểu đã thảo luận về kế hoạch phát triển kinh tế trong năm.");
	assert_string_equal(str(o, "published_at"), "2021-03-01T00:00:00+07:00");
	assert_string_equal(str(o, "date_precision"), "month");
	assert_true(json_is_null(json_object_get(o, "title")));
	json_decref(o);
}

static void test_date_day_only_and_zone(void **state)
{
	(void)state;
	char err[256], text[2048];
	const struct newsd_plugin *p = newsd_plugin_extractor_describe();
	struct harness *h = harness_new(p, "default_timezone: \"+09:00\"\n", err, sizeof(err));
	assert_non_null(h);
	snprintf(text, sizeof(text), "Ngày đăng: 05/11/2021\n\nMưa lớn gây ngập nhiều tuyến phố\n\n%s", LEDE);
	json_t *o = run_with(h, text, NULL);
	assert_string_equal(str(o, "published_at"), "2021-11-05T00:00:00+09:00");
	assert_string_equal(str(o, "date_precision"), "day");
	json_decref(o);
	harness_free(h);
}

static void test_date_meta_and_input(void **state)
{
	(void)state;
	json_t *o = run_with(H, LEDE,
			     json_pack("{s:{s:s}}", "html_meta", "published_time", "2020-05-04T10:20:30Z"));
	assert_string_equal(str(o, "published_at"), "2020-05-04T10:20:30+00:00");
	assert_string_equal(str(o, "date_precision"), "minute");
	json_decref(o);
	o = run_with(H, LEDE, json_pack("{s:s}", "published_at", "2019-12-31T23:59:00+07:00"));
	assert_string_equal(str(o, "published_at"), "2019-12-31T23:59:00+07:00");
	json_decref(o);
}

static void test_date_in_sentence_is_not_published(void **state)
{
	(void)state;
	json_t *o = run("Ngày 5/11/2021, Ban Thường vụ Tỉnh ủy đã tổ chức hội nghị trực tuyến toàn tỉnh "
			"để quán triệt các chương trình trọng tâm của nhiệm kỳ mới.\n\n"
			"Hội nghị được kết nối tới tất cả các xã, phường, thị trấn.");
	assert_true(json_is_null(json_object_get(o, "published_at")));
	assert_true(json_is_null(json_object_get(o, "date_precision")));
	assert_list(json_object_get(o, "event_dates"), (const char *const[]){"2021-11-05", NULL});
	json_decref(o);
}

static void test_event_dates(void **state)
{
	(void)state;
	char text[4096];
	snprintf(text, sizeof(text),
		 "Đường về xã vùng cao đã thông xe\n\n18/02/2021 - 13:15\n\n"
		 "Chiều ngày 17-2-2021, huyện tổ chức lễ thông xe tuyến đường liên xã dài 12 km.\n\n"
		 "Ngày 23-2, đoàn công tác của tỉnh sẽ kiểm tra chất lượng công trình. Trước đó, "
		 "ngày 28-12 nhà thầu đã bàn giao mặt bằng, và từ 5/11/2020 công trình được khởi công. "
		 "Tỷ lệ 8/3 hộ dân không phải là một ngày, còn sáng 31/2 không tồn tại.");
	json_t *o = run(text);
	assert_list(json_object_get(o, "event_dates"),
		    (const char *const[]){"2021-02-17", "2021-02-23", "2020-12-28", "2020-11-05", NULL});
	json_decref(o);
}

static void test_date_word_forms(void **state)
{
	(void)state;
	json_t *o = run("Cập nhật ngày 8 tháng 3 năm 2017\n\nLễ hội hoa ban khai mạc\n\n"
			"Ngày 9 tháng 3, lễ hội sẽ có nhiều hoạt động văn hóa đặc sắc của đồng bào vùng cao.");
	assert_string_equal(str(o, "published_at"), "2017-03-08T00:00:00+07:00");
	assert_list(json_object_get(o, "event_dates"), (const char *const[]){"2017-03-09", NULL});
	json_decref(o);
}

/* ------------------------------------------------------------- tone */

static void test_tone_canonical(void **state)
{
	(void)state;
	char err[256], out[256];
	struct xpack p;
	assert_int_equal(xpack_load(&p, harness_host(H, 0), "vi", err, sizeof(err)), 0);
	static const char *const pairs[][2] = {
		{"Thanh Hoá", "Thanh Hóa"}, {"Uỷ ban", "Ủy ban"},   {"Tỉnh uỷ", "Tỉnh ủy"},
		{"khoẻ", "khỏe"},           {"thuỷ", "thủy"},       {"Hoà Bình", "Hòa Bình"},
		{"quý", "quý"},             {"Huỳnh", "Huỳnh"},     {"Đồng", "Đồng"},
		{"người", "người"},         {"giữa", "giữa"},       {"Nguyễn", "Nguyễn"},
		{"hoàng", "hoàng"},         {"ngoài", "ngoài"},     {"Thanh Hoa\xcc\x81", "Thanh Hóa"},
		{"U\xcc\x89y", "Ủy"},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		long n = xtone_canon(p.tone, pairs[i][0], strlen(pairs[i][0]), out, sizeof(out), 0);
		assert_true(n > 0);
		out[n] = '\0';
		assert_string_equal(out, pairs[i][1]);
	}
	/* the other style, used to generate match variants */
	long n = xtone_canon(p.tone, "Thanh Hóa", strlen("Thanh Hóa"), out, sizeof(out), 1);
	out[n] = '\0';
	assert_string_equal(out, "Thanh Hoá");
	xpack_free(&p);
}

static void test_tone_entities_merge(void **state)
{
	(void)state;
	json_t *o = run("Đoàn công tác làm việc với tỉnh Thanh Hoá về dự án đường ven biển.\n\n"
			"Lãnh đạo tỉnh Thanh Hóa cho biết dự án sẽ khởi công trong quý tới.\n\n"
			"Ông Lê Văn Thuỷ, Phó Chủ tịch UBND tỉnh, phát biểu; ông Lê Văn Thủy nhấn mạnh tiến độ.");
	assert_list(ents(o, "locations"), (const char *const[]){"Thanh Hóa", NULL});
	assert_list(ents(o, "persons"), (const char *const[]){"Lê Văn Thủy", NULL});
	json_t *m = json_object_get(json_object_get(o, "entity_mentions"), "Thanh Hóa");
	assert_non_null(m);
	assert_string_equal(str(m, "type"), "location");
	assert_int_equal(json_integer_value(json_object_get(m, "count")), 2);
	m = json_object_get(json_object_get(o, "entity_mentions"), "Lê Văn Thủy");
	assert_int_equal(json_integer_value(json_object_get(m, "count")), 2);
	json_decref(o);
}

/* ---------------------------------------------------------- doc refs */

static void test_doc_refs(void **state)
{
	(void)state;
	json_t *o = run("Hội nghị quán triệt Kế hoạch số 23-KH/TU của Ban Thường vụ Tỉnh ủy, Quyết định số "
			"621-QĐ/TU ngày 23/7/2021, Chỉ thị 05-CT/TW của Bộ Chính trị, Nghị quyết số 02-NQ/TU "
			"và Chương trình số 13 CTr/TU. Văn bản liên quan: Nghị định 100/2019/NĐ-CP, "
			"Quyết định 1234/QĐ-UBND và Chỉ thị 15/CT-TTg. Chỉ thị 05 của Bộ Chính trị và giai "
			"đoạn 2021-2025 không phải số hiệu văn bản; nhắc lại Kế hoạch 23-KH/TU.");
	assert_list(json_object_get(o, "doc_refs"),
		    (const char *const[]){"23-KH/TU", "621-QĐ/TU", "05-CT/TW", "02-NQ/TU", "13-CTr/TU",
					  "100/2019/NĐ-CP", "1234/QĐ-UBND", "15/CT-TTg", NULL});
	json_decref(o);
}

/* ------------------------------------------------------- no metadata */

static void test_no_metadata(void **state)
{
	(void)state;
	json_t *o = run("mưa kéo dài nhiều ngày khiến mực nước sông dâng cao, người dân ven sông được "
			"khuyến cáo chủ động phòng tránh.\n\n"
			"các lực lượng chức năng đang túc trực tại những điểm xung yếu để hỗ trợ khi cần.");
	assert_true(json_is_null(json_object_get(o, "title")));
	assert_true(json_is_null(json_object_get(o, "published_at")));
	assert_true(json_is_null(json_object_get(o, "date_precision")));
	assert_true(json_is_null(json_object_get(o, "source")));
	assert_int_equal(json_array_size(json_object_get(o, "event_dates")), 0);
	assert_int_equal(json_array_size(json_object_get(o, "authors")), 0);
	assert_int_equal(json_array_size(json_object_get(o, "photo_credits")), 0);
	assert_int_equal(json_array_size(json_object_get(o, "doc_refs")), 0);
	assert_int_equal(json_array_size(ents(o, "persons")), 0);
	assert_int_equal(json_array_size(ents(o, "locations")), 0);
	assert_int_equal(json_array_size(ents(o, "organizations")), 0);
	assert_int_equal(json_object_size(json_object_get(o, "entity_mentions")), 0);
	assert_string_equal(str(o, "lang"), "vi");
	json_decref(o);
	/* no text at all */
	o = run(NULL);
	assert_true(json_is_null(json_object_get(o, "title")));
	assert_true(json_is_null(json_object_get(o, "published_at")));
	assert_int_equal(json_array_size(json_object_get(o, "keywords")), 0);
	json_decref(o);
}

/* ----------------------------------------------------------- bylines */

static void test_bylines(void **state)
{
	(void)state;
	char text[4096];
	struct {
		const char *tail;
		const char *authors[3];
		const char *photos[3];
	} cases[] = {
		{"Tác giả: Minh Châu", {"Minh Châu"}, {NULL}},
		{"Tin, ảnh: Quốc Việt", {"Quốc Việt"}, {"Quốc Việt"}},
		{"Hồng Nhung - Bảo Anh (thực hiện)", {"Hồng Nhung", "Bảo Anh"}, {NULL}},
		{"Nhóm PV", {"Nhóm PV"}, {NULL}},
		{"Theo Thu Hà", {"Thu Hà"}, {NULL}},
		{"Ảnh: TRUNG KIÊN\n\nBài: Ngọc Lan", {"Ngọc Lan"}, {"Trung Kiên"}},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		snprintf(text, sizeof(text), "Nông thôn mới đổi thay từng ngày\n\n%s\n\n%s", LEDE, cases[c].tail);
		json_t *o = run(text);
		assert_list(json_object_get(o, "authors"), cases[c].authors);
		assert_list(json_object_get(o, "photo_credits"), cases[c].photos);
		json_decref(o);
	}
	/* a signature as the last line: name and outlet; names in capitals */
	snprintf(text, sizeof(text), "Mùa vải thiều bội thu\n\n%s\n\nThanh Vân/VOV.VN", LEDE);
	json_t *s1 = run(text);
	assert_list(json_object_get(s1, "authors"), (const char *const[]){"Thanh Vân", NULL});
	assert_string_equal(str(s1, "source"), "VOV");
	json_decref(s1);
	snprintf(text, sizeof(text), "Mùa vải thiều bội thu\n\n%s\n\nĐÌNH THUNG - LÊ KHÁNH", LEDE);
	s1 = run(text);
	assert_list(json_object_get(s1, "authors"), (const char *const[]){"Đình Thung", "Lê Khánh", NULL});
	json_decref(s1);
	snprintf(text, sizeof(text), "Mùa vải thiều bội thu\n\n%s\n\nBÌNH LUẬN", LEDE);
	s1 = run(text);
	assert_int_equal(json_array_size(json_object_get(s1, "authors")), 0);
	json_decref(s1);
	/* an inline credit in a caption, a sentence starting with "Theo" is no byline */
	snprintf(text, sizeof(text),
		 "Cầu mới nối đôi bờ sông\n\n%s\n\nToàn cảnh lễ khánh thành. (Ảnh: Minh Đức)\n\n"
		 "Theo kế hoạch, cây cầu sẽ được đưa vào sử dụng từ tháng sau để phục vụ người dân.",
		 LEDE);
	json_t *o = run(text);
	assert_int_equal(json_array_size(json_object_get(o, "authors")), 0);
	assert_list(json_object_get(o, "photo_credits"), (const char *const[]){"Minh Đức", NULL});
	json_decref(o);
}

/* ------------------------------------------------------------ source */

static void test_source(void **state)
{
	(void)state;
	char text[4096];
	struct {
		const char *head, *tail, *want;
	} cases[] = {
		{"", "Nguồn tin: Báo Nghệ An", "Báo Nghệ An"},
		{"", "Báo Quảng Ninh điện tử", "Báo Quảng Ninh"},
		{"(QT) - ", "", "Báo Quảng Trị"},
		{"BDK.VN - ", "", "Báo Đồng Khởi"},
		{"TTO - ", "", "Tuổi Trẻ"},
		{"(ABC) - ", "", "ABC"},
		{"", "Theo VnExpress", "VnExpress"},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		snprintf(text, sizeof(text), "Khánh thành trường học mới\n\n%s%s\n\n%s", cases[c].head, LEDE,
			 cases[c].tail);
		json_t *o = run(text);
		assert_non_null(str(o, "source"));
		assert_string_equal(str(o, "source"), cases[c].want);
		if (json_array_size(json_object_get(o, "authors")) != 0)
			fprintf(stderr, "case %zu: unexpected author %s\n", c,
				json_string_value(json_array_get(json_object_get(o, "authors"), 0)));
		assert_int_equal(json_array_size(json_object_get(o, "authors")), 0);
		json_decref(o);
	}
	/* HTML site name; an input source is kept */
	json_t *o = run_with(H, LEDE, json_pack("{s:{s:s}}", "html_meta", "og_site_name", "Báo Đà Nẵng"));
	assert_string_equal(str(o, "source"), "Báo Đà Nẵng");
	json_decref(o);
	snprintf(text, sizeof(text), "(QT) - %s", LEDE);
	o = run_with(H, text, json_pack("{s:s}", "source", "feed-42"));
	assert_string_equal(str(o, "source"), "feed-42");
	json_decref(o);
}

/* ------------------------------------------------------------- title */

static void test_title_html(void **state)
{
	(void)state;
	json_t *o = run_with(H, LEDE,
			     json_pack("{s:{s:s, s:s}}", "html_meta", "title",
				       "Hội chợ xuân 2024 thu hút đông khách - Báo Quảng Trị", "og_site_name",
				       "Báo Quảng Trị"));
	assert_string_equal(str(o, "title"), "Hội chợ xuân 2024 thu hút đông khách");
	json_decref(o);
	o = run_with(H, LEDE, json_pack("{s:{s:s, s:s}}", "html_meta", "title", "Trang chủ | X",
					"og_title", "Thu hoạch cà phê: giá tăng, nông dân phấn khởi"));
	assert_string_equal(str(o, "title"), "Thu hoạch cà phê: giá tăng, nông dân phấn khởi");
	json_decref(o);
	/* a byline or a sentence first is no title */
	o = run("Tác giả: Minh Châu\n\nNội dung bài viết bắt đầu từ đây và kéo dài thêm vài câu nữa.");
	assert_true(json_is_null(json_object_get(o, "title")));
	json_decref(o);
	/* a long site name after '|' opening with an outlet word is dropped */
	o = run_with(H, LEDE, json_pack("{s:{s:s}}", "html_meta", "title",
					"Giá xăng dầu đồng loạt giảm | Báo Điện tử Nhân Dân Miền Trung"));
	assert_string_equal(str(o, "title"), "Giá xăng dầu đồng loạt giảm");
	json_decref(o);
	/* a portal's page title that is its own name gives way to the
	 * text's heading; a date line between heading and lede, with a
	 * connector ("lúc") and a day word, is the publication date */
	o = run_with(H,
		     "Lục Nam tổ chức hội nghị tổng kết công tác năm 2026\n\n"
		     "Cập nhật lúc: 08:30 ngày 20/11/2026\n\n"
		     "Sáng ngày 19/11, Huyện ủy Lục Nam tổ chức hội nghị tổng kết công tác xây dựng Đảng năm "
		     "2026, triển khai nhiệm vụ năm 2027 với nhiều giải pháp quan trọng.",
		     json_pack("{s:{s:s}}", "html_meta", "title", "Cổng thông tin điện tử huyện Lục Nam"));
	assert_string_equal(str(o, "title"), "Lục Nam tổ chức hội nghị tổng kết công tác năm 2026");
	assert_string_equal(str(o, "published_at"), "2026-11-20T08:30:00+07:00");
	json_decref(o);
}

/* ---------------------------------------------------------- entities */

static void test_entities(void **state)
{
	(void)state;
	json_t *o = run(
		"Chiều 12/4, đồng chí Nguyễn Văn Bình, Bí thư Tỉnh ủy Quảng Nam, làm việc với huyện Núi "
		"Thành.\n\n"
		"Tham dự có ông Trần Minh Quang, Giám đốc Sở Tài chính, và bà Lan, cán bộ xã Tam Hiệp. "
		"Đại diện UBND tỉnh Quảng Nam cùng Ban Thường vụ Tỉnh ủy dự buổi làm việc. "
		"Đoàn cũng đi thăm đường Lê Lợi và TP. Hội An, sau đó sang Lào. "
		"Tổng thống Mỹ Joe Biden không liên quan đến bài này.");
	json_t *per = ents(o, "persons"), *loc = ents(o, "locations"), *org = ents(o, "organizations");
	assert_true(list_has(per, "Nguyễn Văn Bình"));
	assert_true(list_has(per, "Trần Minh Quang"));
	assert_true(list_has(per, "Lan"));
	assert_true(list_has(per, "Joe Biden"));
	assert_false(list_has(per, "Lê Lợi")); /* a street */
	json_decref(o);
	o = run("Phát biểu tại buổi gặp, ông Nguyễn Thành Lập Tuy nhiên vẫn giữ quan điểm cũ về dự án.");
	assert_list(ents(o, "persons"), (const char *const[]){"Nguyễn Thành Lập", NULL});
	json_decref(o);
	o = run("Chiều 12/4, đồng chí Nguyễn Văn Bình, Bí thư Tỉnh ủy Quảng Nam, làm việc với huyện Núi "
		"Thành.\n\nTham dự có ông Trần Minh Quang, Giám đốc Sở Tài chính, và bà Lan, cán bộ xã Tam Hiệp. "
		"Đại diện UBND tỉnh Quảng Nam cùng Ban Thường vụ Tỉnh ủy dự buổi làm việc. "
		"Đoàn cũng đi thăm đường Lê Lợi và TP. Hội An, sau đó sang Lào. "
		"Tổng thống Mỹ Joe Biden không liên quan đến bài này.");
	per = ents(o, "persons");
	loc = ents(o, "locations");
	org = ents(o, "organizations");
	assert_true(list_has(loc, "Quảng Nam"));
	assert_true(list_has(loc, "Núi Thành"));
	assert_true(list_has(loc, "Tam Hiệp"));
	assert_true(list_has(loc, "Lê Lợi"));
	assert_true(list_has(loc, "Hội An"));
	assert_true(list_has(loc, "Lào"));
	assert_true(list_has(loc, "Mỹ"));
	assert_true(list_has(org, "Sở Tài chính"));
	assert_true(list_has(org, "UBND tỉnh Quảng Nam"));
	assert_true(list_has(org, "Ban Thường vụ Tỉnh ủy"));
	json_t *m = json_object_get(json_object_get(o, "entity_mentions"), "Quảng Nam");
	assert_string_equal(str(m, "type"), "location");
	assert_int_equal(json_integer_value(json_object_get(m, "count")), 2);
	const char *text = NULL;
	(void)text;
	json_decref(o);
}

/* -------------------------------------------------------------- lang */

static void test_lang(void **state)
{
	(void)state;
	json_t *o = run_with(H, LEDE, json_pack("{s:s}", "lang", "en"));
	assert_string_equal(str(o, "lang"), "vi");
	json_decref(o);
	o = run_with(H,
		     "Published: March 8, 2017 10:30\n\nFloods hit the central provinces\n\n"
		     "Heavy rain over the weekend flooded thousands of homes in the central provinces, "
		     "and the authorities said that the water was still rising on Monday.\n\n"
		     "By John Carter",
		     json_pack("{s:s}", "lang", "vi"));
	assert_string_equal(str(o, "lang"), "en");
	assert_string_equal(str(o, "published_at"), "2017-03-08T10:30:00+07:00");
	assert_string_equal(str(o, "title"), "Floods hit the central provinces");
	assert_list(json_object_get(o, "authors"), (const char *const[]){"John Carter", NULL});
	json_decref(o);
	o = run(LEDE);
	assert_string_equal(str(o, "lang"), "vi");
	json_decref(o);
}

/* ------------------------------------------------------------ 1 MB */

static void test_one_megabyte_line(void **state)
{
	(void)state;
	static const char unit[] = "Ông Phạm Văn Đông thăm tỉnh Hà Giang theo Kế hoạch số 45-KH/TU, ";
	size_t ul = strlen(unit), reps = (1u << 20) / ul + 1;
	char *big = malloc(reps * ul + 2);
	assert_non_null(big);
	for (size_t i = 0; i < reps; i++)
		memcpy(big + i * ul, unit, ul);
	big[reps * ul - 2] = '.';
	big[reps * ul - 1] = '\0';
	json_t *o = run(big);
	free(big);
	assert_true(json_is_null(json_object_get(o, "title")));
	assert_true(json_is_null(json_object_get(o, "published_at")));
	assert_list(ents(o, "persons"), (const char *const[]){"Phạm Văn Đông", NULL});
	assert_list(ents(o, "locations"), (const char *const[]){"Hà Giang", NULL});
	assert_list(json_object_get(o, "doc_refs"), (const char *const[]){"45-KH/TU", NULL});
	json_t *m = json_object_get(json_object_get(o, "entity_mentions"), "Phạm Văn Đông");
	assert_int_equal(json_integer_value(json_object_get(m, "count")), (json_int_t)reps);
	assert_int_equal(json_integer_value(json_object_get(m, "first_offset")), strlen("Ông "));
	assert_true(json_array_size(json_object_get(o, "keywords")) > 0);
	json_decref(o);
}

/* ----------------------------------------------------------- keywords */

static int kw_has(json_t *o, const char *kw)
{
	json_t *a = json_object_get(o, "keywords");
	for (size_t i = 0; i < json_array_size(a); i++)
		if (strcmp(json_string_value(json_array_get(a, i)), kw) == 0)
			return 1;
	return 0;
}

/* Keywords are words: no pair across a word boundary ('ương đảng' of
 * 'Trung ương Đảng', 'định khởi' of 'quyết định khởi tố', 'tịch hđnd' of
 * 'Chủ tịch HĐND'), no piece of a document code ('ct', 'tu' of
 * '01-CT/TU'), no single letter.  Invented text. */
static void test_keywords_whole_words(void **state)
{
	(void)state;
	const char *text =
	    "Hội nghị Trung ương Đảng bàn về công tác cán bộ\n\n"
	    "Sáng nay, Hội nghị Trung ương Đảng khai mạc tại thủ đô. Ban Chấp hành Trung ương Đảng "
	    "thảo luận về công tác cán bộ và phòng chống tham nhũng.\n\n"
	    "Theo Chỉ thị số 01-CT/TU của Ban Thường vụ, các cấp ủy phải quán triệt Chỉ thị 01-CT/TU. "
	    "Chỉ thị 01-CT/TU nêu rõ trách nhiệm của người đứng đầu. Việc thực hiện Chỉ thị 01-CT/TU "
	    "được kiểm tra hằng quý; Chỉ thị 01-CT/TU và Kết luận 02-KL/TU cùng có hiệu lực.\n\n"
	    "Cơ quan điều tra đã ra quyết định khởi tố vụ án. Quyết định khởi tố bị can được phê chuẩn. "
	    "Sau quyết định khởi tố, Chủ tịch HĐND huyện cho biết Chủ tịch HĐND tỉnh đã chỉ đạo. "
	    "Nghị quyết của Trung ương Đảng về tham nhũng được Chủ tịch HĐND quán triệt. "
	    "Ông Nguyễn Văn Đ. và ông Trần Văn Đ. bị khởi tố.";
	json_t *o = run(text);
	json_t *a = json_object_get(o, "keywords");
	assert_true(json_array_size(a) > 0);
	assert_false(kw_has(o, "ương đảng"));
	assert_false(kw_has(o, "định khởi"));
	assert_false(kw_has(o, "tịch hđnd"));
	assert_false(kw_has(o, "ct"));
	assert_false(kw_has(o, "tu"));
	assert_false(kw_has(o, "đ"));
	assert_true(kw_has(o, "trung ương"));
	assert_true(kw_has(o, "khởi tố"));
	json_decref(o);
}

/* The character table agrees with ICU on every code point it could see in
 * news text (and the fallback is ICU itself above that). */
static void test_cp_class_table(void **state)
{
	(void)state;
	for (int32_t c = 0; c < 0x3000; c++)
		if (xtext_cp_class(c) != xtext_cp_class_icu(c)) {
			fprintf(stderr, "U+%04X: table %u, ICU %u\n", (unsigned)c, xtext_cp_class(c),
				xtext_cp_class_icu(c));
			fail();
		}
	assert_int_equal(xtext_cp_class(0x1EA0), XCP_WORD | XCP_ALPHA | XCP_UPPER); /* Ạ */
	assert_int_equal(xtext_cp_class(0x01B0), XCP_WORD | XCP_ALPHA);             /* ư */
	assert_int_equal(xtext_cp_class(0x0301), XCP_WORD);                         /* acute */
	assert_int_equal(xtext_cp_class(0x201C), 0u);                               /* “ */
	assert_int_equal(xtext_cp_class(-1), 0u);
}

/* The tokenizer's spans and character flags by ICU alone: maximal runs of
 * code points with XCP_WORD (an ill-formed sequence is no word character),
 * flags from xtext_cp_class_icu().  Returns the number of tokens. */
static size_t ref_tokens(const char *s, size_t len, struct xtok *out, size_t cap)
{
	size_t n = 0;
	int32_t i = 0;

	while ((size_t)i < len) {
		int32_t start = i, next = i;
		uint32_t fl = 0, k0 = 0;
		int letters = 0, lower = 0;
		for (;;) {
			UChar32 c;
			int32_t j = next;
			if ((size_t)j >= len)
				break;
			U8_NEXT(s, j, (int32_t)len, c);
			uint32_t k = xtext_cp_class_icu(c);
			if (!(k & XCP_WORD))
				break;
			if (next == start)
				k0 = k;
			if (k & XCP_ALPHA) {
				fl |= XT_ALPHA;
				letters++;
				lower |= !(k & XCP_UPPER);
			}
			if (k & XCP_DIGIT)
				fl |= XT_DIGIT;
			next = j;
		}
		if (next == start) {
			UChar32 c;
			U8_NEXT(s, i, (int32_t)len, c);
			(void)c;
			continue;
		}
		fl |= (k0 & XCP_UPPER) ? XT_CAP : 0;
		fl |= (k0 & (XCP_ALPHA | XCP_UPPER)) == XCP_ALPHA ? XT_LOWER : 0;
		fl |= letters >= 2 && !lower ? XT_UPPER : 0;
		assert_true(n < cap);
		out[n].start = (uint32_t)start;
		out[n].end = (uint32_t)next;
		out[n].flags = fl;
		n++;
		i = next;
	}
	return n;
}

/* xtext_tokenize() against ref_tokens() on texts made of the pieces its
 * fast paths tell apart: ASCII, the Vietnamese letters of its tables
 * (two- and three-byte, both cases), their neighbours the tables leave to
 * ICU (× ÷, Ẁ in E1 BA, ą, Ω), combining marks, spaces and NBSP,
 * punctuation and quotes, and ill-formed or cut sequences, at the start,
 * inside and at the end of tokens and of the text. */
static void test_tokenize_reference(void **state)
{
	static const char *const pieces[] = {
		"a", "Z", "7", "ng", "NG", " ", "  ", "\n", "\t", ".", ",", ":", "-", "(", "_",
		"\xC2\xA0", "ư", "Ư", "ơ", "đ", "Đ", "à", "Ả", "ễ", "Ễ", "ộ", "ỹ", "Ỹ", "ß",
		"\xC3\x97", "\xC3\xB7", "\xE1\xBA\x80", "\xC4\x85", "\xCE\xA9", "\xCC\x81", "\xCD\xAF",
		"\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\xA6", "\xE2\x80\x93", "\x80", "\xE1\xBA",
		"\xE1", "\xC3", "\xC6", "\xF0\x9F\x98\x80", "\xE1\xBB\xBF", "\xC4\x80", "Nguyễn", "Hà Nội",
	};
	enum { NP = sizeof(pieces) / sizeof(pieces[0]) };
	struct xvec toks = {.esz = sizeof(struct xtok)}, lines = {.esz = sizeof(struct xspan)};
	static struct xtok want[512];
	char text[512];
	uint32_t rnd = 12345;
	const uint32_t cmp = XT_CAP | XT_UPPER | XT_LOWER | XT_DIGIT | XT_ALPHA;
	(void)state;

	for (int round = 0; round < 20000; round++) {
		size_t len = 0, np;
		rnd = rnd * 1103515245u + 12345u;
		np = 1 + (rnd >> 16) % 24;
		for (size_t k = 0; k < np; k++) {
			rnd = rnd * 1103515245u + 12345u;
			const char *pc = pieces[(rnd >> 16) % NP];
			size_t pl = strlen(pc);
			assert_true(len + pl < sizeof(text));
			memcpy(text + len, pc, pl);
			len += pl;
		}
		size_t nw = ref_tokens(text, len, want, 512);
		assert_int_equal(xtext_tokenize(text, len, &toks, &lines), 0);
		if (toks.len != nw)
			fprintf(stderr, "text \"%.*s\": %zu tokens, ICU %zu\n", (int)len, text, toks.len, nw);
		assert_int_equal(toks.len, nw);
		for (size_t i = 0; i < nw; i++) {
			const struct xtok *t = &XVEC_AT(&toks, struct xtok, i);
			if (t->start != want[i].start || t->end != want[i].end || (t->flags & cmp) != want[i].flags)
				fprintf(stderr, "text \"%.*s\" token %zu: %u-%u %#x, ICU %u-%u %#x\n", (int)len,
					text, i, t->start, t->end, t->flags & cmp, want[i].start, want[i].end,
					want[i].flags);
			assert_int_equal(t->start, want[i].start);
			assert_int_equal(t->end, want[i].end);
			assert_int_equal(t->flags & cmp, want[i].flags);
		}
	}
	xvec_free(&toks);
	xvec_free(&lines);
}

/* ------------------------------------------------- automaton, reference */

/* Every match by brute force: each pattern at each byte, with the word
 * boundary rule of ac_scan(), ordered by start then longest first. */
static size_t ref_matches(const char *const *pats, const char *t, size_t len, struct ac_match *out,
			  size_t cap)
{
	size_t n = 0;

	for (size_t p = 0; p < len; p++) {
		size_t first = n;
		for (size_t k = 0; pats[k]; k++) {
			size_t pl = strlen(pats[k]);
			if (p + pl > len || memcmp(t + p, pats[k], pl) != 0)
				continue;
			if (xtext_is_wordchar_at(pats[k], pl, 0) && p > 0 && xtext_wordchar_before(t, p))
				continue;
			if (xtext_wordchar_before(pats[k], pl) && xtext_is_wordchar_at(t, len, p + pl))
				continue;
			assert_true(n < cap);
			out[n].pat = (uint32_t)k;
			out[n].start = (uint32_t)p;
			out[n].end = (uint32_t)(p + pl);
			n++;
		}
		/* longest first among those starting at p */
		for (size_t i = first; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (out[j].end > out[i].end) {
					struct ac_match tmp = out[i];
					out[i] = out[j];
					out[j] = tmp;
				}
	}
	return n;
}

static void test_ac_scan_reference(void **state)
{
	static const char *const pats[] = {"Nguyễn", "Nguyễn Văn", "ông", "Ông", "an", "Hà Nội", "Hà",
					   "xã", "TP.", "(thực hiện)", "Ảnh:", "công an", "Công an tỉnh", NULL};
	static const char *const texts[] = {
		"Ông Nguyễn Văn An, Công an tỉnh Hà Nội, và ông Hà (thực hiện). Ảnh: TP.HCM",
		"toàn an ninh; xã Hà Nội Nguyễn Nguyễn Văn (thực hiện)xã công an an",
		"Hà", "", "(thực hiện", "Nguyễn Văn", "ôngông ông"};
	struct ac *a = ac_new();
	struct xvec toks = {.esz = sizeof(struct xtok)}, lines = {.esz = sizeof(struct xspan)};
	struct xvec got = {.esz = sizeof(struct ac_match)}, st = {.esz = sizeof(uint32_t)};
	long ids[32];
	(void)state;

	assert_non_null(a);
	for (size_t k = 0; pats[k]; k++)
		assert_true((ids[k] = ac_add(a, pats[k], strlen(pats[k]))) >= 0);
	assert_int_equal(ac_build(a), 0);
	for (size_t ti = 0; ti < sizeof(texts) / sizeof(texts[0]); ti++) {
		const char *t = texts[ti];
		size_t len = strlen(t);
		struct ac_match want[256];
		size_t nw = ref_matches(pats, t, len, want, 256);
		assert_int_equal(xtext_tokenize(t, len, &toks, &lines), 0);
		/* without and with the per-token states the cache would give */
		for (int pass = 0; pass < 2; pass++) {
			st.len = 0;
			for (size_t i = 0; i < toks.len; i++) {
				const struct xtok *tk = &XVEC_AT(&toks, struct xtok, i);
				uint32_t *s = xvec_push(&st);
				assert_non_null(s);
				*s = ac_word_state(a, t + tk->start, tk->end - tk->start);
			}
			assert_int_equal(ac_scan(a, t, len, toks.p, toks.len, pass ? st.p : NULL, &got), 0);
			assert_int_equal(got.len, nw);
			for (size_t i = 0; i < nw; i++) {
				const struct ac_match *g = &XVEC_AT(&got, struct ac_match, i);
				assert_int_equal(g->pat, (uint32_t)ids[want[i].pat]);
				assert_int_equal(g->start, want[i].start);
				assert_int_equal(g->end, want[i].end);
			}
		}
	}
	xvec_free(&toks);
	xvec_free(&lines);
	xvec_free(&got);
	xvec_free(&st);
	ac_free(a);
}

/* --------------------------------------------- pack: DF table, caches */

static void test_pack_tables(void **state)
{
	struct xpack p;
	char err[256], path[4096], line[512];
	FILE *f;
	int checked = 0;
	(void)state;

	assert_int_equal(xpack_load(&p, harness_host(H, 0), "vi", err, sizeof(err)), 0);
	assert_true(p.df_docs > 0);
	/* every bigram of the table's first lines, through both lookups */
	assert_int_equal(harness_host(H, 0)->data_find(harness_host(H, 0), "lang/vi/df.tsv", path, sizeof(path)), 0);
	assert_non_null(f = fopen(path, "r"));
	uint64_t *hash = p.bg_hash;
	while (fgets(line, sizeof(line), f) && checked < 400) {
		char *tab = strchr(line, '\t'), *sp = strchr(line, ' ');
		if (line[0] == '#' || !tab || !sp || sp > tab)
			continue;
		long a = strmap_find(&p.dict, line, (size_t)(sp - line));
		long b2 = strmap_find(&p.dict, sp + 1, (size_t)(tab - sp - 1));
		if (a < 0 || b2 < 0)
			continue;
		uint32_t want = (uint32_t)strtoul(tab + 1, NULL, 10);
		p.bg_hash = hash;
		assert_int_equal(xpack_bigram_df(&p, (uint32_t)a, (uint32_t)b2), want);
		p.bg_hash = NULL; /* the sorted arrays */
		assert_int_equal(xpack_bigram_df(&p, (uint32_t)a, (uint32_t)b2), want);
		checked++;
	}
	fclose(f);
	p.bg_hash = hash;
	assert_true(checked > 100);
	assert_int_equal(xpack_bigram_df(&p, 0, (uint32_t)p.dict.ents.len + 5), 0);

	/* syllable cache: the front table (short tokens), the general cache
	 * (long ones) and the pipelined pass agree */
	static const char text[] = "Ông Nguyễn Văn A nói rằng Supercalifragilistic và HÀ NỘI, hà nội, 2021.";
	struct xvec toks = {.esz = sizeof(struct xtok)}, lines = {.esz = sizeof(struct xspan)};
	assert_int_equal(xtext_tokenize(text, strlen(text), &toks, &lines), 0);
	uint32_t tsyl[64], tstate[64];
	assert_true(toks.len < 64);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(xpack_syls(&p, text, toks.p, toks.len, tsyl, tstate), 0);
		for (size_t i = 0; i < toks.len; i++) {
			const struct xtok *t = &XVEC_AT(&toks, struct xtok, i);
			if (!(t->flags & XT_ALPHA)) {
				assert_int_equal(tsyl[i], UINT32_MAX);
				continue;
			}
			const struct xsyl *sy = xpack_syl(&p, text + t->start, t->end - t->start);
			assert_non_null(sy);
			assert_int_equal(tsyl[i], (uint32_t)(sy - (const struct xsyl *)p.cache_syl.p));
			assert_int_equal(tstate[i], sy->ac_state);
			assert_int_equal(sy->ac_state, ac_word_state(p.ac, text + t->start, t->end - t->start));
		}
	}
	/* case variants share their canonical id */
	const struct xsyl *s1 = xpack_syl(&p, "HÀ", strlen("HÀ")), *s2 = xpack_syl(&p, "hà", strlen("hà"));
	assert_int_equal(s1->cid, s2->cid);
	assert_string_equal(xpack_syl_str(&p, s1), "hà");
	xvec_free(&toks);
	xvec_free(&lines);
	xpack_free(&p);
}

/* ------------------------------------------- entities: precision rules */

static void test_entities_credits_and_places(void **state)
{
	(void)state;
	json_t *o = run("Xe khách gặp nạn ở huyện miền núi\n\n"
			"Sáng nay, ông Trần Văn Bình, trú tại xã Châu Pha, thị xã Phú Mỹ, cho biết chiếc xe "
			"đã bị lật ở phường Lương Khánh Thiện (Ảnh: Nguyễn Văn Cường). Chủ tịch UBND tỉnh "
			"Nguyễn Văn Sơn và Công an huyện Lâm Hà đã có mặt tại hiện trường.\n\n"
			"Lê Minh Hà");
	json_t *per = ents(o, "persons"), *loc = ents(o, "locations");
	assert_true(list_has(per, "Trần Văn Bình"));
	assert_true(list_has(per, "Nguyễn Văn Sơn")); /* after an organisation: a person */
	assert_false(list_has(per, "Châu Pha"));     /* after xã: a place */
	assert_true(list_has(loc, "Châu Pha"));
	assert_false(list_has(per, "Lương Khánh Thiện"));
	assert_true(list_has(loc, "Lương Khánh Thiện"));
	assert_false(list_has(per, "Lâm Hà")); /* two syllables after "Công an huyện" */
	/* credits: authors and photographers, no mentions */
	assert_true(list_has(json_object_get(o, "authors"), "Lê Minh Hà"));
	assert_false(list_has(per, "Lê Minh Hà"));
	assert_true(list_has(json_object_get(o, "photo_credits"), "Nguyễn Văn Cường"));
	assert_false(list_has(per, "Nguyễn Văn Cường"));
	assert_null(json_object_get(json_object_get(o, "entity_mentions"), "Lê Minh Hà"));
	json_decref(o);
}

/* Content and visual credits (pack `bylines`): writers are authors,
 * video/graphics/design are photo credits, editors a credit with no
 * field; none of those names is a person.  A visual cue before a sentence
 * is a caption label, not a credit. */
static void test_visual_credits(void **state)
{
	(void)state;
	json_t *o = run("Lễ hội hoa ở vùng cao thu hút du khách\n\n"
			"Hàng nghìn du khách đã đến thăm lễ hội hoa trong ngày khai mạc, theo ban tổ chức "
			"cho biết sáng nay, khi trời nắng đẹp sau nhiều ngày mưa.\n\n"
			"Video: Cảnh du khách xếp hàng dài chờ vào lễ hội\n\n"
			"Nội dung: Phạm Thu Trang - Đồ họa: Đặng Quốc Việt\n\n"
			"Thiết kế: Vũ Hải Yến\n\n"
			"Nguồn clip: Lương Thế Anh\n\n"
			"Biên tập: Hoàng Đức Minh");
	json_t *per = ents(o, "persons"), *au = json_object_get(o, "authors"),
	       *ph = json_object_get(o, "photo_credits");
	assert_true(list_has(au, "Phạm Thu Trang"));
	assert_true(list_has(ph, "Đặng Quốc Việt"));
	assert_true(list_has(ph, "Vũ Hải Yến"));
	assert_true(list_has(ph, "Lương Thế Anh"));
	assert_false(list_has(au, "Hoàng Đức Minh")); /* an editor: no field */
	assert_false(list_has(ph, "Hoàng Đức Minh"));
	assert_false(list_has(ph, "Cảnh")); /* the caption is no credit */
	assert_int_equal(json_array_size(per), 0);
	json_decref(o);

	o = run("Storm floods coastal towns\n\n"
		"Heavy rain flooded several coastal towns on Monday, officials said, and more rain is "
		"expected later this week across the region.\n\n"
		"Video: Rescue boats reach stranded families\n\n"
		"Reporting by Anna Kovacs; Editing by Peter Lindqvist");
	assert_true(list_has(json_object_get(o, "authors"), "Anna Kovacs"));
	assert_false(list_has(json_object_get(o, "authors"), "Peter Lindqvist"));
	assert_false(list_has(json_object_get(o, "authors"), "Editing"));
	json_decref(o);
}

/* A page that prints byline and date on one line: the weekday opening
 * the date is not part of the name, whatever the credit. */
static void test_byline_glued_to_date(void **state)
{
	(void)state;
	json_t *o = run("Chợ nổi mở lại sau mùa nước lớn\n\n"
			"Bài và ảnh: Đỗ Minh Khoa Thứ Bảy, 14/09/2024 08:10\n\n"
			"Sau gần một tháng tạm nghỉ vì nước lên cao, các ghe hàng đã quay lại bến từ "
			"sáng sớm, người mua và người bán đều vui vì giá cả ổn định.");
	json_t *au = json_object_get(o, "authors");
	assert_true(list_has(au, "Đỗ Minh Khoa"));
	assert_int_equal(json_array_size(au), 1);
	assert_false(list_has(ents(o, "persons"), "Đỗ Minh Khoa Thứ Bảy"));
	json_decref(o);

	o = run("Chợ nổi mở lại sau mùa nước lớn\n\n"
		"Tác giả: Đỗ Minh Khoa - Chủ nhật, 15/09/2024\n\n"
		"Sau gần một tháng tạm nghỉ vì nước lên cao, các ghe hàng đã quay lại bến từ "
		"sáng sớm, người mua và người bán đều vui vì giá cả ổn định.");
	au = json_object_get(o, "authors");
	assert_true(list_has(au, "Đỗ Minh Khoa"));
	assert_int_equal(json_array_size(au), 1);
	json_decref(o);
}

/* Districts and streets named after people, and abbreviated
 * administrative words, are places; never persons. */
static void test_places_named_after_people(void **state)
{
	(void)state;
	json_t *o = run("Khánh thành trường học mới ở vùng biển\n\n"
			"Sáng nay, huyện Trần Văn Thời đã khánh thành trường học trên đường Nguyễn "
			"Văn Cừ. Ngôi trường ở P. Đinh Tiên Hoàng cũng được sửa lại, còn H. Châu Thành và "
			"Q. Lê Chân sẽ xây thêm hai trường, anh H. cho biết.");
	json_t *per = ents(o, "persons"), *loc = ents(o, "locations");
	assert_false(list_has(per, "Trần Văn Thời"));
	assert_false(list_has(per, "Nguyễn Văn Cừ"));
	assert_true(list_has(loc, "Nguyễn Văn Cừ"));
	/* an unknown place after an abbreviation, its full stop no sentence end */
	assert_true(list_has(loc, "Đinh Tiên Hoàng"));
	assert_false(list_has(per, "Đinh Tiên Hoàng"));
	assert_true(list_has(loc, "Châu Thành"));
	assert_true(list_has(loc, "Lê Chân"));
	assert_false(list_has(per, "Lê Chân"));
	json_decref(o);

	/* initials are no place; a full stop after a long word still ends a
	 * sentence */
	o = run("Bắt đối tượng trộm xe máy\n\n"
		"Đối tượng P.T.A khai nhận đã trộm xe. Anh Nguyễn Văn H. Bình là người báo tin. "
		"Vụ việc xảy ra ở huyện. Nguyễn Văn Hùng là chủ xe.");
	per = ents(o, "persons");
	loc = ents(o, "locations");
	assert_int_equal(json_array_size(loc), 0);
	assert_true(list_has(per, "Nguyễn Văn Hùng"));
	json_decref(o);

	/* after an organisation, a name in an address chain is a place, a
	 * name alone an official */
	o = run("Chỉ đạo khắc phục hậu quả bão\n\n"
		"Ông Trần Văn Bình, Chủ tịch UBND huyện Trần Văn Thời, tỉnh Cà Mau đã chỉ đạo các đơn "
		"vị. Phó Chủ tịch UBND tỉnh Nguyễn Văn Sơn cũng có mặt.");
	per = ents(o, "persons");
	loc = ents(o, "locations");
	assert_true(list_has(loc, "Trần Văn Thời"));
	assert_false(list_has(per, "Trần Văn Thời"));
	assert_true(list_has(loc, "Cà Mau"));
	assert_true(list_has(per, "Trần Văn Bình"));
	assert_true(list_has(per, "Nguyễn Văn Sơn"));
	json_decref(o);
}

/* After an administrative word, a known place followed by more words of
 * one capitalised run is a longer name ("xã Mỹ Phú" is no "Mỹ", the USA);
 * a foreign name glued to a place is not ("bang New York Andrew Cuomo"). */
static void test_longer_place_after_cue(void **state)
{
	(void)state;
	json_t *o = run("Mưa lớn gây ngập nhiều nơi\n\n"
			"Nước dâng cao ở xã Mỹ Phú và xã Tân Hưng Đông khiến người dân phải sơ tán. "
			"Thống đốc bang New York Andrew Cuomo cũng cảnh báo mưa bão, còn Chủ tịch UBND "
			"tỉnh Quảng Nam Lê Văn Thanh chỉ đạo ứng phó.");
	json_t *loc = ents(o, "locations"), *per = ents(o, "persons");
	assert_true(list_has(loc, "Mỹ Phú"));
	assert_false(list_has(loc, "Mỹ"));
	assert_true(list_has(loc, "Tân Hưng Đông"));
	assert_false(list_has(loc, "Tân Hưng"));
	assert_true(list_has(loc, "New York"));
	assert_true(list_has(loc, "Quảng Nam"));
	assert_true(list_has(per, "Lê Văn Thanh"));
	json_decref(o);
}

/* A credit naming an organisation or an outlet is credited whole, and
 * is no entity. */
static void test_org_credit(void **state)
{
	(void)state;
	json_t *o = run("Bắt giữ đối tượng trộm cắp tài sản\n\n"
			"Công an đã bắt giữ đối tượng tại nhà riêng vào sáng nay.\n\n"
			"Đối tượng tại cơ quan điều tra. (Ảnh: Công an Nghệ An)\n\n"
			"Vụ việc đang được điều tra làm rõ.");
	json_t *ph = json_object_get(o, "photo_credits");
	assert_int_equal(json_array_size(ph), 1);
	assert_true(list_has(ph, "Công an Nghệ An"));
	assert_false(list_has(ents(o, "organizations"), "Công an Nghệ An"));
	assert_false(list_has(ents(o, "locations"), "Nghệ An"));
	json_decref(o);
}

/* Cue words match in both tone-mark styles, capitalised too: "Uỷ ban" is
 * the head "ủy ban" written the other way, not a man named Ủy; and the
 * spelled-out "Ủy ban nhân dân" is one head, as UBND is, so an official
 * named after it is no place. */
static void test_org_head_styles(void **state)
{
	(void)state;
	json_t *o = run("Hội nghị triển khai nhiệm vụ năm mới\n\n"
			"Phát biểu khai mạc, Phó Chủ tịch Uỷ ban nhân dân tỉnh Quảng Ninh cho biết kết quả tốt. "
			"Ông Trương Văn Bình, chủ nhiệm Uỷ ban kiểm tra, cũng phát biểu. "
			"Dự hội nghị có ông Nguyễn Văn Nam, Chủ tịch Ủy ban nhân dân tỉnh Lê Văn Hưng và các đại biểu.");
	json_t *per = ents(o, "persons");
	assert_false(list_has(per, "Ủy"));
	assert_false(list_has(per, "Uỷ"));
	assert_true(list_has(per, "Trương Văn Bình"));
	assert_true(list_has(per, "Lê Văn Hưng"));
	assert_false(list_has(ents(o, "locations"), "Lê Văn Hưng"));
	assert_true(list_has(ents(o, "locations"), "Quảng Ninh"));
	json_decref(o);
}

/* A person named in full and then by the last word of the name is one
 * person: the short mentions count under the full name.  With two full
 * names ending alike, the one named last before takes them; a short name
 * with no full name stays. */
static void test_short_name_merged(void **state)
{
	(void)state;
	json_t *o = run("Lãnh đạo thành phố thăm các công trình trọng điểm\n\n"
			"Phó Thủ tướng Vũ Đức Đam dự lễ khởi công. Ông Đam cho biết công trình rất quan trọng. "
			"Anh Nguyễn Văn Hùng và ông Trần Hùng cũng đến dự. Ông Hùng phát biểu. "
			"Ông Tuấn vắng mặt vì bận công tác. Anh H. (25 tuổi) và ông Lê Văn K. cũng có mặt, ông K. "
			"phát biểu sau cùng. Ông Hùng kết thúc buổi lễ.");
	json_t *per = ents(o, "persons");
	json_t *em = json_object_get(o, "entity_mentions");
	assert_true(list_has(per, "Vũ Đức Đam"));
	assert_false(list_has(per, "Đam"));
	assert_false(list_has(per, "Hùng"));
	assert_true(list_has(per, "Tuấn"));
	assert_null(json_object_get(em, "Đam"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(em, "Vũ Đức Đam"), "count")), 2);
	/* the last "ông Hùng" goes to the Hùng named last before it */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(em, "Trần Hùng"), "count")), 3);
	/* an initial alone names nobody; after its full name it counts there */
	assert_false(list_has(per, "H"));
	assert_null(json_object_get(em, "H"));
	assert_true(list_has(per, "Lê Văn K"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(em, "Lê Văn K"), "count")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(em, "Nguyễn Văn Hùng"), "count")), 1);
	json_decref(o);
}

/* After the head of a unit (pack `unit_titles`), one capitalised word that
 * goes on in lower case opens the unit's name, not a person's; a rank
 * (`titles`) before a given name still names a person. */
static void test_unit_title_no_person(void **state)
{
	(void)state;
	json_t *o = run("Công an tỉnh triển khai kế hoạch bảo vệ Tết\n\n"
			"Hội nghị do Trưởng phòng Tham mưu chủ trì, Giám đốc Chi nhánh ngân hàng tham dự. "
			"Phó trưởng phòng Xuất nhập khẩu công ty cũng có mặt. Thượng tá Khải cho biết lực lượng "
			"đã sẵn sàng.");
	json_t *per = ents(o, "persons");
	assert_false(list_has(per, "Tham"));
	assert_false(list_has(per, "Chi"));
	assert_false(list_has(per, "Xuất"));
	assert_true(list_has(per, "Khải"));
	json_decref(o);
}

/* A capitalised word the pack does not list, opening a sentence before a
 * surname-led name, is no part of it; a letter glued to an abbreviation
 * ("T.Ư") is no part of the name after it. */
static void test_name_after_opener_or_abbrev(void **state)
{
	(void)state;
	json_t *o = run("Khởi tố nhiều cán bộ quản lý rừng\n\n"
			"Cơ quan điều tra đã khởi tố ba bị can. Gồm Phan Tiến Sỹ, nguyên Trưởng ban quản lý rừng. "
			"Trưởng Ban Tuyên giáo T.Ư Võ Văn Thưởng dự lễ.");
	json_t *per = ents(o, "persons");
	assert_true(list_has(per, "Phan Tiến Sỹ"));
	assert_false(list_has(per, "Gồm Phan Tiến Sỹ"));
	assert_true(list_has(per, "Võ Văn Thưởng"));
	json_decref(o);
}

/* A one-syllable place that opens a common word with the lower-case
 * syllable after it ("báo Pháp luật", "cửa khẩu Quốc tế") is no place, and
 * one glued to another capitalised word inside an organisation's name
 * ("Bệnh viện Việt Đức") is part of that name; France and Germany named as
 * such stay places. */
static void test_place_inside_word(void **state)
{
	(void)state;
	json_t *o = run("Nhiều bệnh nhân được chuyển lên tuyến trên\n\n"
			"Theo báo Pháp luật, bệnh nhân được chuyển đến Bệnh viện Việt Đức để điều trị. "
			"Lực lượng biên phòng cửa khẩu Quốc tế phối hợp kiểm tra. Các bác sĩ từng tu nghiệp "
			"tại Pháp và Đức nhiều năm.");
	json_t *loc = ents(o, "locations");
	assert_false(list_has(loc, "Quốc"));
	assert_true(list_has(loc, "Pháp"));
	assert_true(list_has(loc, "Đức"));
	json_t *em = json_object_get(o, "entity_mentions");
	/* only the mentions as countries count */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(em, "Pháp"), "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(em, "Đức"), "count")), 1);
	json_decref(o);
}

/* After a place a cue named, the other items of a list of three or more
 * ending in a conjunction are places too, streets named after people
 * included; a person joined to a place by the conjunction stays a person. */
static void test_list_of_places(void **state)
{
	(void)state;
	json_t *o = run("Hà Nội cải tạo các tuyến phố cổ\n\n"
			"Theo kế hoạch, các tuyến phố Hàng Bạc, Mã Mây, Tạ Hiện và Đào Duy Từ sẽ được lát lại vỉa hè. "
			"Mưa lớn gây ngập các xã Vĩnh Ngọc, Vĩnh Phương và Phước Đồng. Bị bắt gồm Lê Văn Bình (SN 1990), "
			"trú tại phường Đông Hải, quận Hải An, Hải Phòng và Mai Quang Anh (SN 1997), trú tại tỉnh Hà "
			"Tĩnh và Nguyễn Anh Tuấn (SN 1991).");
	json_t *loc = ents(o, "locations"), *per = ents(o, "persons");
	assert_true(list_has(loc, "Mã Mây"));
	assert_true(list_has(loc, "Đào Duy Từ"));
	assert_false(list_has(per, "Đào Duy Từ"));
	assert_true(list_has(loc, "Vĩnh Phương"));
	assert_true(list_has(loc, "Phước Đồng"));
	assert_true(list_has(per, "Mai Quang Anh"));
	assert_true(list_has(per, "Nguyễn Anh Tuấn"));
	assert_false(list_has(loc, "Mai Quang Anh"));
	json_decref(o);
}

/* A caption's credit after its last sentence, to the end of the line, is
 * a photo credit; a caption label after a sentence ("Ảnh: minh họa …")
 * credits nobody. */
static void test_caption_credit_after_sentence(void **state)
{
	(void)state;
	json_t *o = run("Phố cổ Hà Nội rực rỡ trong đêm hội\n\n"
			"Hàng nghìn người dân và du khách đã đổ về khu phố cổ trong đêm hội.\n\n"
			"Phố Tạ Hiện về đêm. Ảnh: Ngọc Thành\n\n"
			"Lễ hội kéo dài đến hết tuần. Ảnh: minh họa cho bài viết về lễ hội");
	json_t *ph = json_object_get(o, "photo_credits");
	assert_int_equal(json_array_size(ph), 1);
	assert_true(list_has(ph, "Ngọc Thành"));
	assert_false(list_has(ents(o, "persons"), "Ngọc Thành"));
	json_decref(o);
}

/* A lone ALL-CAPS name as the last line signs the article ("NGỌC HIỂN", as
 * several outlets sign), a widget label there ("TIN LIÊN QUAN") does not;
 * a caption's credit after a dash is a photo credit. */
static void test_caps_byline_and_dash_credit(void **state)
{
	(void)state;
	json_t *o = run("Đà Nẵng khánh thành cầu mới bắc qua sông\n\n"
			"Sáng nay, thành phố tổ chức lễ khánh thành cây cầu mới, nối hai quận ven sông.\n\n"
			"Cầu mới nhìn từ trên cao - Ảnh: ĐOÀN CƯỜNG\n\n"
			"Công trình được khởi công từ năm trước và hoàn thành sớm hơn kế hoạch hai tháng.\n\n"
			"NGỌC HIỂN");
	assert_true(list_has(json_object_get(o, "authors"), "Ngọc Hiển"));
	assert_true(list_has(json_object_get(o, "photo_credits"), "Đoàn Cường"));
	json_decref(o);
	o = run("Đà Nẵng khánh thành cầu mới bắc qua sông\n\n"
		"Sáng nay, thành phố tổ chức lễ khánh thành cây cầu mới, nối hai quận ven sông.\n\n"
		"Công trình được khởi công từ năm trước và hoàn thành sớm hơn kế hoạch hai tháng.\n\n"
		"TIN LIÊN QUAN");
	assert_int_equal(json_array_size(json_object_get(o, "authors")), 0);
	json_decref(o);
}

/* A cue ends with its paragraph; after a cue a capitalised word opening a
 * common word is no name ("HLV Giọng hát Việt"); right after a title a
 * capitalised kinship word opens a name ("nghệ sĩ Anh Vũ"), not England. */
static void test_cue_limits(void **state)
{
	(void)state;
	json_t *o = run("Khởi tố nam sinh quấy rối nữ sinh\n\n"
			"Liên quan đến vụ việc, công an đã vào cuộc điều tra làm rõ trách nhiệm.\n\n"
			"Chương trình có sự tham gia của nghệ sĩ Anh Vũ. HLV Giọng hát Việt đứng dậy vỗ tay. "
			"Ông Trần Văn Chí, phó tư lệnh Quân chủng Phòng không, cũng có mặt.");
	json_t *per = ents(o, "persons");
	assert_false(list_has(per, "Liên"));
	assert_false(list_has(per, "Giọng"));
	assert_false(list_has(per, "Quân"));
	assert_true(list_has(per, "Anh Vũ"));
	assert_false(list_has(per, "Vũ"));
	assert_false(list_has(ents(o, "locations"), "Anh"));
	json_decref(o);
}

/* A capitalised function word opening a sentence is no part of the name
 * after it (pack `sentence_openers`); a surname among them stays when no
 * surname follows. */
static void test_sentence_openers(void **state)
{
	(void)state;
	json_t *o = run("Hội nghị tổng kết năm của ngành\n\n"
			"Theo Nguyễn Hữu Phúc, kết quả năm nay rất tốt. Từ Lê Thị Mai đến các cán bộ trẻ đều "
			"được khen thưởng. Với Trần Quang Khải, đây là năm đáng nhớ. Từ Minh Hải cũng phát biểu.");
	json_t *per = ents(o, "persons");
	assert_true(list_has(per, "Nguyễn Hữu Phúc"));
	assert_true(list_has(per, "Lê Thị Mai"));
	assert_true(list_has(per, "Trần Quang Khải"));
	assert_true(list_has(per, "Từ Minh Hải"));
	assert_false(list_has(per, "Theo Nguyễn Hữu Phúc"));
	assert_false(list_has(per, "Từ Lê Thị Mai"));
	assert_false(list_has(per, "Với Trần Quang Khải"));
	json_decref(o);
}

/* Keywords and names do not depend on what the instance saw before (the
 * syllable and name caches, and the order terms were counted in). */
static void test_history_independent(void **state)
{
	static const char a[] = "Giá vàng hôm nay tăng mạnh\n\nGiá vàng trong nước hôm nay tăng mạnh theo "
				"giá vàng thế giới, các nhà đầu tư vàng lo ngại lãi suất ngân hàng tăng.";
	static const char b[] = "Bão số 3 đổ bộ\n\nBão số 3 đổ bộ vào tỉnh Quảng Ninh, ông Nguyễn Văn Hải "
				"cho biết người dân đã sơ tán, mưa lớn kéo dài ở Quảng Ninh và Hải Phòng.";
	char err[256];
	struct harness *h2 = harness_new(newsd_plugin_extractor_describe(), NULL, err, sizeof(err));
	(void)state;

	assert_non_null(h2);
	json_t *o1 = run(b);
	json_decref(run_with(h2, a, NULL));
	json_t *o2 = run_with(h2, b, NULL);
	json_t *o3 = run_with(h2, b, NULL); /* every cache warm */
	char *d1 = json_dumps(o1, JSON_SORT_KEYS), *d2 = json_dumps(o2, JSON_SORT_KEYS),
	     *d3 = json_dumps(o3, JSON_SORT_KEYS);
	assert_string_equal(d1, d2);
	assert_string_equal(d1, d3);
	assert_true(list_has(ents(o1, "persons"), "Nguyễn Văn Hải"));
	free(d1);
	free(d2);
	free(d3);
	json_decref(o1);
	json_decref(o2);
	json_decref(o3);
	harness_free(h2);
}

/* Cue variants capitalise the first letter, past leading punctuation, and
 * a byline above the photo credit is still the byline. */
static void test_byline_variants(void **state)
{
	char out[64];
	long m = xcase_title_first("(thực hiện)", strlen("(thực hiện)"), out, sizeof(out));
	(void)state;

	assert_true(m > 0);
	out[m] = '\0';
	assert_string_equal(out, "(Thực hiện)");
	m = xcase_title_first("ảnh:", strlen("ảnh:"), out, sizeof(out));
	assert_true(m > 0);
	out[m] = '\0';
	assert_string_equal(out, "Ảnh:");

	json_t *o = run("Mưa lớn gây ngập nhiều tuyến phố\n\n" "Chiều qua, mưa lớn kéo dài khiến nhiều tuyến phố "
			"ngập sâu, giao thông ùn tắc kéo dài nhiều giờ liền.\n\nMộc Lan (Tổng hợp)");
	assert_list(json_object_get(o, "authors"), (const char *const[]){"Mộc Lan", NULL});
	json_decref(o);
	o = run("Mưa lớn gây ngập nhiều tuyến phố\n\n" "Chiều qua, mưa lớn kéo dài khiến nhiều tuyến phố "
		"ngập sâu, giao thông ùn tắc kéo dài nhiều giờ liền.\n\nLê Văn Tâm\n\nẢnh: Trần Minh Khoa");
	assert_list(json_object_get(o, "authors"), (const char *const[]){"Lê Văn Tâm", NULL});
	assert_list(json_object_get(o, "photo_credits"), (const char *const[]){"Trần Minh Khoa", NULL});
	assert_false(list_has(ents(o, "persons"), "Lê Văn Tâm"));
	assert_false(list_has(ents(o, "persons"), "Trần Minh Khoa"));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_cap_nhat),
		cmocka_unit_test(test_date_dash_time),
		cmocka_unit_test(test_date_month),
		cmocka_unit_test(test_date_day_only_and_zone),
		cmocka_unit_test(test_date_meta_and_input),
		cmocka_unit_test(test_date_in_sentence_is_not_published),
		cmocka_unit_test(test_event_dates),
		cmocka_unit_test(test_date_word_forms),
		cmocka_unit_test(test_tone_canonical),
		cmocka_unit_test(test_tone_entities_merge),
		cmocka_unit_test(test_doc_refs),
		cmocka_unit_test(test_no_metadata),
		cmocka_unit_test(test_bylines),
		cmocka_unit_test(test_source),
		cmocka_unit_test(test_title_html),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_lang),
		cmocka_unit_test(test_one_megabyte_line),
		cmocka_unit_test(test_cp_class_table),
		cmocka_unit_test(test_tokenize_reference),
		cmocka_unit_test(test_ac_scan_reference),
		cmocka_unit_test(test_pack_tables),
		cmocka_unit_test(test_entities_credits_and_places),
		cmocka_unit_test(test_history_independent),
		cmocka_unit_test(test_byline_variants),
		cmocka_unit_test(test_visual_credits),
		cmocka_unit_test(test_places_named_after_people),
		cmocka_unit_test(test_org_credit),
		cmocka_unit_test(test_org_head_styles),
		cmocka_unit_test(test_short_name_merged),
		cmocka_unit_test(test_unit_title_no_person),
		cmocka_unit_test(test_name_after_opener_or_abbrev),
		cmocka_unit_test(test_place_inside_word),
		cmocka_unit_test(test_list_of_places),
		cmocka_unit_test(test_caption_credit_after_sentence),
		cmocka_unit_test(test_caps_byline_and_dash_credit),
		cmocka_unit_test(test_cue_limits),
		cmocka_unit_test(test_longer_place_after_cue),
		cmocka_unit_test(test_sentence_openers),
		cmocka_unit_test(test_byline_glued_to_date),
		cmocka_unit_test(test_keywords_whole_words),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
