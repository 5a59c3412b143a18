/* test_summarizer.c — the summarizer's sentence rules and output contract.
 *
 * Fixtures are written for the project (invented Vietnamese and English
 * news sentences).  Segmentation is checked on the real vi/en language
 * packs (loaded through the harness host); summaries through the plugin's
 * process() with the real host vtable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "harness.h"
#include "summarizer.h"

extern const struct newsd_plugin *newsd_plugin_summarizer_describe(void);

struct fx {
	struct harness *h;
	struct sz_pack vi, en;
	struct sz_seg seg_vi, seg_en;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[512] = "";

	assert_non_null(f);
	f->h = harness_new(newsd_plugin_summarizer_describe(), NULL, err, sizeof(err));
	if (!f->h)
		fail_msg("harness: %s", err);
	if (sz_pack_load(&f->vi, harness_host(f->h, 0), "vi", err, sizeof(err)) < 0)
		fail_msg("vi pack: %s", err);
	if (sz_pack_load(&f->en, harness_host(f->h, 0), "en", err, sizeof(err)) < 0)
		fail_msg("en pack: %s", err);
	assert_int_equal(sz_seg_init(&f->seg_vi, f->vi.locale, &f->vi.rules, err, sizeof(err)), 0);
	assert_int_equal(sz_seg_init(&f->seg_en, f->en.locale, &f->en.rules, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	sz_seg_free(&f->seg_vi);
	sz_seg_free(&f->seg_en);
	sz_pack_free(&f->vi);
	sz_pack_free(&f->en);
	harness_free(f->h);
	free(f);
	return 0;
}

/* Segments text and checks the sentences are exactly want[0..n). */
static void expect_sentences(struct sz_seg *g, const char *text, const char *const *want,
			     size_t n)
{
	assert_int_equal(sz_seg_run(g, text, strlen(text)), 0);
	if (g->n != n) {
		for (size_t i = 0; i < g->n; i++)
			print_message("  got [%.*s]\n", (int)(g->s[i].b1 - g->s[i].b0),
				      text + g->s[i].b0);
		fail_msg("%zu sentences, want %zu, in: %s", g->n, n, text);
	}
	for (size_t i = 0; i < n; i++) {
		size_t l = g->s[i].b1 - g->s[i].b0;
		if (l != strlen(want[i]) || memcmp(text + g->s[i].b0, want[i], l) != 0)
			fail_msg("sentence %zu is [%.*s], want [%s]", i, (int)l, text + g->s[i].b0,
				 want[i]);
	}
}

#define EXPECT(g, text, ...)                                                                       \
	do {                                                                                       \
		const char *const w_[] = {__VA_ARGS__};                                             \
		expect_sentences((g), (text), w_, sizeof(w_) / sizeof(w_[0]));                     \
	} while (0)

static void test_abbreviations(void **state)
{
	struct fx *f = *state;

	EXPECT(&f->seg_vi,
	       "Ông Hùng sống ở TP. HCM từ năm 2010. PGS. TS. Nguyễn Văn Bình đánh giá cao đề án.",
	       "Ông Hùng sống ở TP. HCM từ năm 2010.",
	       "PGS. TS. Nguyễn Văn Bình đánh giá cao đề án.");
	EXPECT(&f->seg_vi,
	       "Cửa hàng ở P. Bến Nghé, Q. 1 do ThS. Lê Minh quản lý. Chi nhánh ở TT. Phong Điền "
	       "mở cửa tháng sau.",
	       "Cửa hàng ở P. Bến Nghé, Q. 1 do ThS. Lê Minh quản lý.",
	       "Chi nhánh ở TT. Phong Điền mở cửa tháng sau.");
	/* English pack */
	EXPECT(&f->seg_en, "Mr. Smith met Dr. Jones in Boston. They spoke for an hour.",
	       "Mr. Smith met Dr. Jones in Boston.", "They spoke for an hour.");
}

static void test_numbers(void **state)
{
	struct fx *f = *state;

	/* numbers inside a sentence stay whole */
	EXPECT(&f->seg_vi, "Dân số tỉnh là 1.349.506 người, doanh thu đạt 3,2 tỷ đồng.",
	       "Dân số tỉnh là 1.349.506 người, doanh thu đạt 3,2 tỷ đồng.");
	/* a sentence that opens with a number (ICU alone does not break here) */
	EXPECT(&f->seg_vi, "Doanh thu quý I đạt 5 tỷ đồng. 3,2 tỷ đồng trong số đó là lợi nhuận.",
	       "Doanh thu quý I đạt 5 tỷ đồng.", "3,2 tỷ đồng trong số đó là lợi nhuận.");
	EXPECT(&f->seg_vi, "Lượng khách tăng mạnh. 1.349.506 lượt khách đã đến trong năm.",
	       "Lượng khách tăng mạnh.", "1.349.506 lượt khách đã đến trong năm.");
}

static void test_dates(void **state)
{
	struct fx *f = *state;

	EXPECT(&f->seg_vi, "Ngày 25/2, đoàn công tác về xã. Ngày 17-2-2021, dự án khởi công.",
	       "Ngày 25/2, đoàn công tác về xã.", "Ngày 17-2-2021, dự án khởi công.");
	EXPECT(&f->seg_vi, "Sự việc xảy ra hôm 25/2. 17-2-2021 là ngày khởi công dự án.",
	       "Sự việc xảy ra hôm 25/2.", "17-2-2021 là ngày khởi công dự án.");
}

static void test_initials(void **state)
{
	struct fx *f = *state;

	EXPECT(&f->seg_vi, "Bài viết của Bảo Th. Nguyễn được đăng hôm qua. Nhiều người đã đọc.",
	       "Bài viết của Bảo Th. Nguyễn được đăng hôm qua.", "Nhiều người đã đọc.");
	/* a short capitalised word with a vowel is a word, not an initial */
	EXPECT(&f->seg_vi, "Anh ấy học ở Mỹ. Năm sau anh về nước.", "Anh ấy học ở Mỹ.",
	       "Năm sau anh về nước.");
	/* a capital letter after a lower-case word ends the sentence */
	EXPECT(&f->seg_vi, "Quả cam giàu vitamin C. Trẻ em nên ăn hằng ngày.",
	       "Quả cam giàu vitamin C.", "Trẻ em nên ăn hằng ngày.");
	EXPECT(&f->seg_en, "The report by John F. Kennedy was read. It was short.",
	       "The report by John F. Kennedy was read.", "It was short.");
}

static void test_quotes(void **state)
{
	struct fx *f = *state;

	EXPECT(&f->seg_vi,
	       "Ông Tâm nói: “Chúng tôi sẽ làm. Mọi người hãy yên tâm”. Sau đó ông rời cuộc họp.",
	       "Ông Tâm nói: “Chúng tôi sẽ làm. Mọi người hãy yên tâm”.", "Sau đó ông rời cuộc họp.");
	EXPECT(&f->seg_vi, "Bà Lan kể: \"Tôi không biết. Không ai báo cả!\" Cả hội trường im lặng.",
	       "Bà Lan kể: \"Tôi không biết. Không ai báo cả!\"", "Cả hội trường im lặng.");
	/* an unclosed quote does not swallow the rest of the paragraph forever:
	 * the next paragraph is a hard break */
	EXPECT(&f->seg_vi, "Ông nói: “Chưa xong. Còn nhiều việc.\n\nBuổi chiều trời mưa.",
	       "Ông nói: “Chưa xong. Còn nhiều việc.", "Buổi chiều trời mưa.");
}

static void test_ellipses(void **state)
{
	struct fx *f = *state;

	EXPECT(&f->seg_vi, "Anh chờ mãi… Cuối cùng xe cũng đến.", "Anh chờ mãi…",
	       "Cuối cùng xe cũng đến.");
	EXPECT(&f->seg_vi, "Anh chờ mãi... Cuối cùng xe cũng đến.", "Anh chờ mãi...",
	       "Cuối cùng xe cũng đến.");
	/* an ellipsis before a lower-case word does not end the sentence */
	EXPECT(&f->seg_vi, "Họ mang theo gạo, mắm, muối... rồi lên đường sớm.",
	       "Họ mang theo gạo, mắm, muối... rồi lên đường sớm.");
	EXPECT(&f->seg_vi, "Họ mang theo gạo, mắm, muối… rồi lên đường sớm.",
	       "Họ mang theo gạo, mắm, muối… rồi lên đường sớm.");
}

static void test_paragraphs_and_enumerators(void **state)
{
	struct fx *f = *state;
	struct sz_seg *g = &f->seg_vi;

	EXPECT(g, "Các bước cần làm\n\n1. Đăng ký tài khoản trên cổng dịch vụ.\n\n2. Nộp hồ sơ.",
	       "Các bước cần làm", "1. Đăng ký tài khoản trên cổng dịch vụ.", "2. Nộp hồ sơ.");
	assert_int_equal(g->s[0].para, 0);
	assert_int_equal(g->s[1].para, 1);
	assert_int_equal(g->s[2].para, 2);
	/* no sentence punctuation at all: one sentence per paragraph */
	EXPECT(g, "Dòng thứ nhất không có dấu chấm\n\nDòng thứ hai cũng vậy",
	       "Dòng thứ nhất không có dấu chấm", "Dòng thứ hai cũng vậy");
	assert_int_equal(sz_seg_run(g, "", 0), 0);
	assert_int_equal(g->n, 0);
	assert_int_equal(sz_seg_run(g, " \n\n ", 4), 0);
	assert_int_equal(g->n, 0);
}

/* Invalid UTF-8 (possible through the C API, not through records): bad
 * bytes become U+FFFD and byte offsets still point into the input. */
static void test_invalid_utf8(void **state)
{
	struct fx *f = *state;
	const char text[] = "Giá tăng \xff\xfe mạnh. Người dân lo lắng \xc3.";
	struct sz_seg *g = &f->seg_vi;

	assert_int_equal(sz_seg_run(g, text, sizeof(text) - 1), 0);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->s[0].b0, 0);
	assert_memory_equal(text + g->s[0].b1 - 1, ".", 1);
	assert_memory_equal(text + g->s[1].b0, "Người", strlen("Người"));
	assert_int_equal(g->s[1].b1, sizeof(text) - 1);
}

/* ---- through the plugin ------------------------------------------------ */

static json_t *summarize(const char *config, json_t *in)
{
	char err[512] = "", *txt = json_dumps(in, JSON_COMPACT);
	struct harness *h = harness_new(newsd_plugin_summarizer_describe(), config, err, sizeof(err));
	json_t *out = NULL;

	if (!h)
		fail_msg("harness: %s", err);
	assert_non_null(txt);
	assert_int_equal(harness_process_json(h, txt, &out, err, sizeof(err)), NEWSD_OK);
	free(txt);
	json_decref(in);
	harness_free(h);
	return out;
}

static size_t count_words(const char *s)
{
	size_t n = 0;
	int in = 0;

	for (; *s; s++) {
		int w = (unsigned char)*s >= 0x80 || (*s >= '0' && *s <= '9') ||
			((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z');
		if (w && !in)
			n++;
		in = w;
	}
	return n;
}

static const char *summary_of(json_t *r)
{
	const char *s = json_string_value(json_object_get(r, "summary"));
	assert_non_null(s);
	return s;
}

static void assert_indices(json_t *r, const size_t *want, size_t n)
{
	json_t *a = json_object_get(r, "summary_sentences");

	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(json_integer_value(json_array_get(a, i)), want[i]);
}

/* A long article: many sentences, bounded output. */
static void test_many_sentences(void **state)
{
	size_t cap = 600 * 64, len = 0;
	char *t = malloc(cap);
	json_t *r;

	(void)state;
	assert_non_null(t);
	for (int i = 0; i < 500; i++)
		len += (size_t)snprintf(t + len, cap - len, "%sCâu số %d nói về chủ đề thứ %d.",
					i ? (i % 5 ? " " : "\n\n") : "", i, i % 17);
	r = summarize(NULL, json_pack("{s:s, s:s}", "id", "m1", "text", t));
	assert_true(json_array_size(json_object_get(r, "summary_sentences")) >= 1);
	assert_true(json_array_size(json_object_get(r, "summary_sentences")) <= 3);
	assert_true(count_words(summary_of(r)) <= 80);
	json_decref(r);
	free(t);
}

static void test_one_sentence(void **state)
{
	const char *t = "Mưa lớn kéo dài khiến nhiều tuyến phố ở trung tâm thành phố ngập sâu.";
	json_t *r = summarize(NULL, json_pack("{s:s, s:s}", "id", "a1", "text", t));
	const size_t want[] = {0};

	(void)state;
	assert_string_equal(summary_of(r), t);
	assert_indices(r, want, 1);
	json_decref(r);
}

static void test_two_sentences_whole(void **state)
{
	const char *t = "Sáng nay, cầu Thăng Long tạm cấm xe tải để sửa mặt đường.\n\nViệc sửa chữa "
			"dự kiến xong trong hai tuần.";
	json_t *r = summarize(NULL, json_pack("{s:s, s:s}", "id", "a2", "text", t));
	const size_t want[] = {0, 1};

	(void)state;
	assert_string_equal(summary_of(r), "Sáng nay, cầu Thăng Long tạm cấm xe tải để sửa mặt "
					   "đường. Việc sửa chữa dự kiến xong trong hai tuần.");
	assert_indices(r, want, 2);
	json_decref(r);
}

static void test_no_punctuation(void **state)
{
	const char *t = "Người dân đổ về trung tâm thành phố từ sáng sớm để xem lễ hội pháo hoa";
	json_t *r = summarize(NULL, json_pack("{s:s, s:s}", "id", "a3", "text", t));
	const size_t want[] = {0};
	char longer[4096] = "";

	(void)state;
	assert_string_equal(summary_of(r), t);
	assert_indices(r, want, 1);
	json_decref(r);
	/* 150 words without punctuation: cut to the word limit, a prefix */
	for (int i = 0; i < 10; i++)
		strcat(longer, i ? " người dân đổ về trung tâm thành phố từ sáng sớm để xem lễ hội"
				 : "Người dân đổ về trung tâm thành phố từ sáng sớm để xem lễ hội");
	r = summarize("max_words: 40", json_pack("{s:s, s:s}", "id", "a4", "text", longer));
	assert_int_equal(count_words(summary_of(r)), 40);
	assert_memory_equal(summary_of(r), longer, strlen(summary_of(r)));
	json_decref(r);
}

/* A ten-sentence article written for the tests. */
static const char *article =
	"Sở Giao thông vận tải Hà Nội vừa công bố phương án phân luồng mới quanh hồ Gươm trong "
	"dịp lễ.\n\n"
	"Theo phương án, các tuyến phố Đinh Tiên Hoàng, Lê Thái Tổ và Hàng Khay sẽ cấm ô tô từ "
	"19h tối thứ sáu đến 24h chủ nhật.\n\n"
	"Xe buýt đi qua khu vực sẽ được điều chỉnh lộ trình sang phố Bà Triệu và Hai Bà Trưng.\n\n"
	"Người dân có thể gửi xe tại các điểm trông giữ ở phố Lý Thái Tổ và Tràng Tiền.\n\n"
	"Lực lượng cảnh sát giao thông sẽ túc trực tại các nút giao để hướng dẫn người đi đường.\n\n"
	"Năm ngoái, lượng khách đến phố đi bộ hồ Gươm vào dịp lễ tăng gấp đôi so với ngày thường.\n\n"
	"Nhiều hộ kinh doanh ven hồ cho biết doanh thu tăng mạnh vào các tối cuối tuần.\n\n"
	"Tuy nhiên, một số cư dân phàn nàn về tiếng ồn và rác thải sau các buổi biểu diễn.\n\n"
	"Sở cho biết sẽ phối hợp với quận Hoàn Kiếm để tăng cường thu gom rác.\n\n"
	"Phương án phân luồng quanh hồ Gươm có thể được điều chỉnh sau khi lấy ý kiến người dân.";

static void test_word_limit(void **state)
{
	json_t *r;

	(void)state;
	r = summarize(NULL, json_pack("{s:s, s:s}", "id", "b1", "text", article));
	assert_true(count_words(summary_of(r)) <= 80);
	assert_true(json_array_size(json_object_get(r, "summary_sentences")) <= 3);
	assert_true(json_array_size(json_object_get(r, "summary_sentences")) >= 1);
	json_decref(r);
	r = summarize("max_words: 25\nmax_sentences: 5",
		      json_pack("{s:s, s:s}", "id", "b2", "text", article));
	assert_true(count_words(summary_of(r)) <= 25);
	assert_true(count_words(summary_of(r)) > 0);
	json_decref(r);
	r = summarize("max_sentences: 1", json_pack("{s:s, s:s}", "id", "b3", "text", article));
	assert_int_equal(json_array_size(json_object_get(r, "summary_sentences")), 1);
	json_decref(r);
}

/* The output lists its sentences in article order, and the summary is
 * exactly those sentences joined by a space. */
static void test_order(void **state)
{
	struct fx *f = *state;
	json_t *r, *a;
	const char *s;
	char joined[4096] = "";
	long prev = -1;

	r = summarize("max_words: 200\nmax_sentences: 3",
		      json_pack("{s:s, s:s, s:s}", "id", "c1", "text", article, "title",
				"Thu gom rác và tiếng ồn quanh hồ Gươm sau các buổi biểu diễn"));
	s = summary_of(r);
	a = json_object_get(r, "summary_sentences");
	assert_true(json_array_size(a) >= 2);
	assert_int_equal(sz_seg_run(&f->seg_vi, article, strlen(article)), 0);
	for (size_t i = 0; i < json_array_size(a); i++) {
		long k = (long)json_integer_value(json_array_get(a, i));
		const struct sz_sent *st;
		assert_true(k > prev);
		assert_true(k < (long)f->seg_vi.n);
		prev = k;
		st = &f->seg_vi.s[k];
		if (i)
			strcat(joined, " ");
		strncat(joined, article + st->b0, st->b1 - st->b0);
	}
	assert_string_equal(s, joined);
	/* the title pulls in a sentence beyond the lead */
	assert_true(prev >= 3);
	json_decref(r);
}

static void test_heading_skipped(void **state)
{
	char text[4096];
	json_t *r, *a;
	const char *title = "Phân luồng giao thông quanh hồ Gươm dịp lễ";

	(void)state;
	snprintf(text, sizeof(text), "%s\n\n%s", title, article);
	r = summarize(NULL, json_pack("{s:s, s:s, s:s}", "id", "d1", "text", text, "title", title));
	a = json_object_get(r, "summary_sentences");
	assert_true(json_array_size(a) >= 1);
	for (size_t i = 0; i < json_array_size(a); i++)
		assert_true(json_integer_value(json_array_get(a, i)) >= 1);
	assert_null(strstr(summary_of(r), "dịp lễ Sở"));
	json_decref(r);
	/* without a title, a short unpunctuated first paragraph is a heading too */
	r = summarize(NULL, json_pack("{s:s, s:s}", "id", "d2", "text", text));
	a = json_object_get(r, "summary_sentences");
	for (size_t i = 0; i < json_array_size(a); i++)
		assert_true(json_integer_value(json_array_get(a, i)) >= 1);
	json_decref(r);
}

/* A photo caption (pack skip_prefixes) is never chosen, even when it
 * matches the title best. */
static void test_caption_skipped(void **state)
{
	const char *t = "Ảnh: Cầu Bồ Đề Mới bắc qua sông Châu trong ngày khánh thành.\n\n"
			"Sáng 13-3, tỉnh tổ chức lễ khánh thành cầu mới nối hai huyện.\n\n"
			"Công trình dài 520 m, vốn đầu tư 300 tỷ đồng.\n\n"
			"Cây cầu giúp rút ngắn quãng đường đi lại của người dân.";
	json_t *r;
	json_t *a;

	(void)state;
	r = summarize(NULL, json_pack("{s:s, s:s, s:s}", "id", "f1", "text", t, "title",
				      "Cầu Bồ Đề Mới bắc qua sông Châu khánh thành"));
	a = json_object_get(r, "summary_sentences");
	assert_true(json_array_size(a) >= 1);
	for (size_t i = 0; i < json_array_size(a); i++)
		assert_int_not_equal(json_integer_value(json_array_get(a, i)), 0);
	assert_null(strstr(summary_of(r), "Ảnh:"));
	json_decref(r);
}

static void test_no_text_and_english(void **state)
{
	json_t *r;
	const size_t want[] = {0, 1};

	(void)state;
	r = summarize(NULL, json_pack("{s:s}", "id", "e1"));
	assert_null(json_object_get(r, "summary"));
	json_decref(r);
	r = summarize(NULL, json_pack("{s:s, s:s, s:s}", "id", "e2", "lang", "en", "text",
				      "Mr. Smith met Dr. Jones in Boston. They spoke for an hour."));
	assert_string_equal(summary_of(r), "Mr. Smith met Dr. Jones in Boston. They spoke for an hour.");
	assert_indices(r, want, 2);
	json_decref(r);
}

static void test_bad_options(void **state)
{
	char err[512] = "";
	struct harness *h;

	(void)state;
	h = harness_new(newsd_plugin_summarizer_describe(), "max_words: 0", err, sizeof(err));
	assert_null(h);
	assert_non_null(strstr(err, "max_words"));
	h = harness_new(newsd_plugin_summarizer_describe(), "default_lang: fr", err, sizeof(err));
	assert_null(h);
	assert_non_null(strstr(err, "default_lang"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abbreviations),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_initials),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_ellipses),
		cmocka_unit_test(test_paragraphs_and_enumerators),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_many_sentences),
		cmocka_unit_test(test_one_sentence),
		cmocka_unit_test(test_two_sentences_whole),
		cmocka_unit_test(test_no_punctuation),
		cmocka_unit_test(test_word_limit),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_heading_skipped),
		cmocka_unit_test(test_caption_skipped),
		cmocka_unit_test(test_no_text_and_english),
		cmocka_unit_test(test_bad_options),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
