/* Shared-data suite: the extractor on the five raw samples of
 * $NEWSD_SHARED/samples/, each wrapped as {"text": …} after plain-text
 * normalisation (lines trimmed, blank lines dropped, paragraphs joined by a
 * blank line; the cleaner is not in the loop, so widgets and related-article
 * lists are still there).  Expected values are a careful reader's notes on
 * each article, not the program's output.  Exits 77 (SKIP) without the data.
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
#include "plaintext.h"

const struct newsd_plugin *newsd_plugin_extractor_describe(void);

static const char *shared_dir;
static struct harness *H;

struct reading {
	const char *file;
	const char *title;        /* NULL: the text has no heading */
	const char *published_at; /* NULL: no publication date is printed */
	const char *precision;
	const char *authors[4];
	const char *photo_credits[4];
	const char *source;       /* NULL: the outlet is not named */
	const char *doc_refs[16];
	const char *persons[6];   /* some of the people named (subset) */
	const char *locations[6]; /* some of the places named (subset) */
};

static const struct reading readings[] = {
	{
		/* no heading line: the text opens with the lede; signed off by the
		 * provincial paper; no date with a year, no document numbers */
		.file = "000_2095f5d62e33b1d6.txt",
		.title = NULL, .published_at = NULL, .precision = NULL,
		.authors = {NULL}, .photo_credits = {NULL},
		.source = "Báo Thanh Hóa",
		.doc_refs = {NULL},
		.persons = {"Phạm Minh Chính", "Nguyễn Văn Đọc", "Trịnh Văn Chiến", "Hoàng Thị Thúy Lan", NULL},
		.locations = {"Quảng Ninh", "Thanh Hóa", "Hà Tĩnh", "Vĩnh Phúc", NULL},
	},
	{
		/* heading, then "18/02/2021 - 13:15", lede led by "BDK.VN -" (Báo Đồng
		 * Khởi, Bến Tre); "Tin, ảnh: Hữu Hiệp" signs text and photos */
		.file = "001_8278384db1c2370b.txt",
		.title = "Tổng kết 4 năm thực hiện phương châm \"nắm\"",
		.published_at = "2021-02-18T13:15:00+07:00", .precision = "minute",
		.authors = {"Hữu Hiệp", NULL}, .photo_credits = {"Hữu Hiệp", NULL},
		.source = "Báo Đồng Khởi",
		.doc_refs = {"23-KH/TU", "01-CT/TU", NULL},
		.persons = {"Cao Văn Dũng", "Trần Ngọc Tam", "Phan Văn Mãi", NULL},
		.locations = {NULL},
	},
	{
		/* "date 2021-03" before the first caption: month only; no heading;
		 * "Tác giả: Xuân Hướng", "Nguồn tin: Truyền hình Nghệ An" */
		.file = "002_f268abe792094f01.txt",
		.title = NULL, .published_at = "2021-03-01T00:00:00+07:00", .precision = "month",
		.authors = {"Xuân Hướng", NULL}, .photo_credits = {NULL},
		.source = "Truyền hình Nghệ An",
		.doc_refs = {NULL},
		.persons = {"Thái Thanh Quý", "Nguyễn Văn Thông", "Nguyễn Đức Trung", "Nguyễn Xuân Sơn", NULL},
		.locations = {"Vinh", "Tân Kỳ", "Thái Hòa", "Quỳ Châu", NULL},
	},
	{
		/* "Cập nhật: Thứ 4, 08/03/2017 | 06:53 GMT+7", heading, lede led by
		 * "(QT) -" (Báo Quảng Trị); interviews signed "Nam Bằng - Lệ Như
		 * (thực hiện)"; photos "THÀNH DŨNG" and "T.D"; the related-article
		 * list below the article carries other dates and lead-ins */
		.file = "003_52ef51f4b7f1c138.txt",
		.title = "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8: Dấu ấn riêng về quyết tâm hành động",
		.published_at = "2017-03-08T06:53:00+07:00", .precision = "minute",
		.authors = {"Nam Bằng", "Lệ Như", NULL}, .photo_credits = {"Thành Dũng", "T.D", NULL},
		.source = "Báo Quảng Trị",
		.doc_refs = {"05-CT/TW", NULL},
		.persons = {"Nguyễn Văn Hùng", "Phạm Đức Châu", "Nguyễn Đức Chính", "Lê Tiến Dũng", "Đào Mạnh Hùng", NULL},
		.locations = {"Quảng Trị", "Đakrông", "Cam Lộ", NULL},
	},
	{
		/* long heading; "Ngày 5/11/2021, …" is the event, no publication date
		 * is printed; "Tác giả: Minh Phương"; no outlet named; twelve party
		 * document numbers ("13 CTr/TU" written with a space) */
		.file = "004_39c58d648b6ec2be.txt",
		.title = "Học tập, quán triệt triển khai thực hiện các chương trình trọng tâm, khâu đột phá "
			 "thực hiện Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XIX, nhiệm kỳ 2020-2025 và các "
			 "kết luận mới ban hành của Tỉnh ủy",
		.published_at = NULL, .precision = NULL,
		.authors = {"Minh Phương", NULL}, .photo_credits = {NULL},
		.source = NULL,
		.doc_refs = {"621-QĐ/TU", "623-QĐ/TU", "22-KH/TU", "696-QĐ/TU", "700-QĐ/TU", "701-QĐ/TU",
			     "624-QĐ/TU", "624-KL/TU", "13-CTr/TU", "715-QĐ/TU", "610-KL/TU", "02-NQ/TU", NULL},
		.persons = {"Đỗ Trọng Hưng", "Lại Thế Nguyên", "Đỗ Minh Tuấn", "Trịnh Tuấn Sinh", NULL},
		.locations = {"Thanh Hóa", "Nghi Sơn", NULL},
	},
};

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long sz;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)sz + 1)) && fread(b, 1, (size_t)sz, f) == (size_t)sz) {
		b[sz] = '\0';
		*n = (size_t)sz;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static void check_str(json_t *o, const char *key, const char *want, const char *file)
{
	json_t *v = json_object_get(o, key);
	if (!want) {
		if (!json_is_null(v))
			fprintf(stderr, "%s: %s = %s, expected null\n", file, key, json_string_value(v));
		assert_true(json_is_null(v));
		return;
	}
	if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0)
		fprintf(stderr, "%s: %s = %s, expected %s\n", file, key,
			json_is_string(v) ? json_string_value(v) : "(not a string)", want);
	assert_true(json_is_string(v));
	assert_string_equal(json_string_value(v), want);
}

static void check_list(json_t *arr, const char *const *want, const char *what, const char *file)
{
	size_t n = 0;
	while (want[n])
		n++;
	char *d = json_dumps(arr, 0);
	if (json_array_size(arr) != n)
		fprintf(stderr, "%s: %s = %s\n", file, what, d);
	free(d);
	assert_int_equal(json_array_size(arr), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(arr, i)), want[i]);
}

static void check_subset(json_t *arr, const char *const *want, const char *what, const char *file)
{
	for (size_t i = 0; want[i]; i++) {
		int found = 0;
		for (size_t k = 0; k < json_array_size(arr); k++)
			if (strcmp(json_string_value(json_array_get(arr, k)), want[i]) == 0)
				found = 1;
		if (!found)
			fprintf(stderr, "%s: %s lacks %s\n", file, what, want[i]);
		assert_true(found);
	}
}

static void test_sample(void **state)
{
	const struct reading *r = *state;
	char path[4096], err[256] = "";
	size_t n = 0;
	json_t *out = NULL;

	snprintf(path, sizeof(path), "%s/samples/%s", shared_dir, r->file);
	char *raw = slurp(path, &n);
	assert_non_null(raw);
	char *text = plaintext_paragraphs(raw, n);
	free(raw);
	assert_non_null(text);
	json_t *in = json_pack("{s:s, s:s}", "id", r->file, "text", text);
	free(text);
	char *txt = json_dumps(in, JSON_COMPACT);
	json_decref(in);
	assert_int_equal(harness_process_json(H, txt, &out, err, sizeof(err)), NEWSD_OK);
	free(txt);

	check_str(out, "title", r->title, r->file);
	check_str(out, "published_at", r->published_at, r->file);
	check_str(out, "date_precision", r->precision, r->file);
	check_list(json_object_get(out, "authors"), r->authors, "authors", r->file);
	check_list(json_object_get(out, "photo_credits"), r->photo_credits, "photo_credits", r->file);
	check_str(out, "source", r->source, r->file);
	check_list(json_object_get(out, "doc_refs"), r->doc_refs, "doc_refs", r->file);
	json_t *ents = json_object_get(out, "entities");
	check_subset(json_object_get(ents, "persons"), r->persons, "persons", r->file);
	check_subset(json_object_get(ents, "locations"), r->locations, "locations", r->file);
	check_str(out, "lang", "vi", r->file);
	json_decref(out);
}

int main(void)
{
	char err[512], probe[4096];
	struct CMUnitTest tests[sizeof(readings) / sizeof(readings[0])];

	shared_dir = getenv("NEWSD_SHARED");
	if (!shared_dir)
		return 77;
	snprintf(probe, sizeof(probe), "%s/samples/%s", shared_dir, readings[0].file);
	FILE *f = fopen(probe, "rb");
	if (!f)
		return 77;
	fclose(f);
	H = harness_new(newsd_plugin_extractor_describe(), NULL, err, sizeof(err));
	if (!H) {
		fprintf(stderr, "harness: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < sizeof(readings) / sizeof(readings[0]); i++) {
		tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate(test_sample, (void *)&readings[i]);
		tests[i].name = readings[i].file;
	}
	int rc = _cmocka_run_group_tests("extractor-samples", tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
	harness_free(H);
	return rc;
}
