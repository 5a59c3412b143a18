/* test_deduper.c — cmocka tests of the deduper plugin (texts written for
 * the project; no corpus text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "deduper.h"
#include "harness.h"
#include "record.h"

/* An invented news story, long enough for near matching (~330 syllables). */
static const char *story_title = "Hà Nội khởi công tuyến đường vành đai bốn vùng thủ đô";
static const char *story_paras[] = {
	"Sáng nay, Ủy ban nhân dân thành phố Hà Nội tổ chức lễ khởi công dự án đường vành đai "
	"bốn, tuyến giao thông dài hơn một trăm cây số đi qua ba tỉnh, thành phố của vùng thủ đô.",
	"Theo chủ đầu tư, dự án được chia thành bảy dự án thành phần, trong đó phần giải phóng "
	"mặt bằng do các địa phương tự thực hiện và phải hoàn thành trước tháng mười hai năm sau.",
	"Tổng mức đầu tư của toàn tuyến ước tính khoảng tám mươi lăm nghìn tỷ đồng, lấy từ ngân "
	"sách trung ương, ngân sách địa phương và vốn của nhà đầu tư theo hình thức đối tác công tư.",
	"Phát biểu tại buổi lễ, phó chủ tịch thành phố cho biết tuyến đường sẽ giúp giảm ùn tắc "
	"cho khu vực nội đô, đồng thời mở ra không gian phát triển mới cho các huyện ngoại thành.",
	"Các nhà thầu cam kết huy động đủ máy móc và nhân lực, làm việc ba ca bốn kíp để bảo đảm "
	"tiến độ, chất lượng công trình và an toàn lao động trên toàn bộ công trường.",
	"Người dân xã Tiền Phong có đất bị thu hồi cho biết họ đã nhận tiền bồi thường và được "
	"bố trí tái định cư tại khu đô thị mới cách nhà cũ chưa đầy hai cây số.",
	"Dự kiến toàn tuyến sẽ thông xe kỹ thuật vào cuối năm hai nghìn hai mươi sáu và đưa vào "
	"khai thác đồng bộ từ năm hai nghìn hai mươi bảy, theo kế hoạch được Chính phủ phê duyệt.",
};
#define NPARAS (sizeof(story_paras) / sizeof(story_paras[0]))

/* Another story on the same topic, sharing names and places. */
static const char *other_story =
	"Hà Nội đẩy nhanh giải phóng mặt bằng đường vành đai bốn\n\n"
	"Ủy ban nhân dân thành phố Hà Nội vừa họp với các huyện Đan Phượng, Hoài Đức và Thanh Oai "
	"về tiến độ giải phóng mặt bằng cho dự án đường vành đai bốn vùng thủ đô.\n\n"
	"Theo báo cáo, đến nay các huyện đã bàn giao gần tám mươi phần trăm diện tích đất, phần còn "
	"lại vướng mắc do chưa thống nhất được đơn giá bồi thường với một số hộ dân.\n\n"
	"Phó chủ tịch thành phố yêu cầu các huyện đối thoại trực tiếp với người dân, công khai "
	"phương án bồi thường và hoàn thành việc bàn giao mặt bằng trong quý tới.\n\n"
	"Xã Tiền Phong được nêu là địa phương làm tốt nhất khi đã xây xong khu tái định cư và "
	"chuyển toàn bộ các hộ dân đến nơi ở mới.";

/* Builds the story text with edits: title (or NULL), paragraphs [0, n),
 * an extra paragraph (or NULL), paragraph separator. */
static char *story(const char *title, size_t n, const char *extra, const char *sep)
{
	size_t cap = 8192, len = 0;
	char *s = malloc(cap);

	assert_non_null(s);
	len += (size_t)snprintf(s + len, cap - len, "%s", title ? title : story_title);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%s", sep, story_paras[i]);
	if (extra)
		len += (size_t)snprintf(s + len, cap - len, "%s%s", sep, extra);
	assert_true(len < cap);
	return s;
}

/* Replaces every occurrence of a by b in s (result malloc'd). */
static char *replace(const char *s, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), cap = strlen(s) * 2 + 64, n = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	while (*s) {
		if (!strncmp(s, a, la)) {
			memcpy(out + n, b, lb);
			n += lb;
			s += la;
		} else {
			out[n++] = *s++;
		}
		assert_true(n + lb < cap);
	}
	out[n] = '\0';
	return out;
}

struct verdict {
	int rc;
	char status[32];
	char of[64];
	double sim;
};

/* Runs one record {id, text[, ts]} through h. */
static struct verdict run(struct harness *h, const char *id, const char *text, long long ts)
{
	struct verdict v = {0};
	json_t *in = json_object(), *out = NULL;
	char err[256] = "", *js;

	json_object_set_new(in, "id", json_string(id));
	if (text)
		json_object_set_new(in, "text", json_string(text));
	if (ts >= 0)
		json_object_set_new(in, "ts", json_integer(ts));
	js = json_dumps(in, JSON_COMPACT);
	v.rc = harness_process_json(h, js, &out, err, sizeof(err));
	free(js);
	json_decref(in);
	assert_non_null(out);
	const char *st = json_string_value(json_object_get(json_object_get(out, "dedup"), "status"));
	const char *of = json_string_value(json_object_get(json_object_get(out, "dedup"), "of"));
	assert_non_null(st);
	snprintf(v.status, sizeof(v.status), "%s", st);
	snprintf(v.of, sizeof(v.of), "%s", of ? of : "");
	v.sim = json_number_value(json_object_get(json_object_get(out, "dedup"), "similarity"));
	if (v.rc == NEWSD_DROP)
		assert_non_null(strstr(err, "duplicate"));
	json_decref(out);
	return v;
}

static struct harness *open_h(const char *yaml, const char *dir)
{
	const struct newsd_plugin *p = newsd_plugin_deduper_describe();
	const char *cfg[1] = {yaml};
	char err[512] = "";
	struct harness *h = harness_new_chain(&p, cfg, 1, dir, err, sizeof(err));

	if (!h)
		fprintf(stderr, "harness: %s\n", err);
	assert_non_null(h);
	return h;
}

#define assert_verdict(v, st, of_id)                                                        \
	do {                                                                                \
		assert_string_equal((v).status, st);                                        \
		assert_string_equal((v).of, of_id);                                         \
	} while (0)

/* ---- normalisation ---- */

static void norm_of(const char *s, char *out, size_t cap)
{
	static const uint32_t marks[] = {0x300, 0x301, 0x303, 0x309, 0x323};
	struct dd_norm nm;
	struct dd_tokens t = {0};
	char err[128];

	assert_int_equal(dd_norm_init(&nm, marks, 5, err, sizeof(err)), 0);
	assert_int_equal(dd_normalise(&nm, s, strlen(s), &t), 0);
	assert_true(t.len < cap);
	memcpy(out, t.text ? t.text : "", t.len);
	out[t.len] = '\0';
	dd_tokens_free(&t);
	dd_norm_free(&nm);
}

static void test_normalise(void **state)
{
	char a[256], b[256];
	(void)state;

	/* old and new tone-mark placement */
	norm_of("hoá", a, sizeof(a)), norm_of("hóa", b, sizeof(b));
	assert_string_equal(a, b);
	norm_of("Uỷ ban", a, sizeof(a)), norm_of("Ủy ban", b, sizeof(b));
	assert_string_equal(a, b);
	norm_of("thuý", a, sizeof(a)), norm_of("thúy", b, sizeof(b));
	assert_string_equal(a, b);
	/* decomposed input, case, punctuation, spaces */
	norm_of("Ho\xcc\x81\x61 ,  CHA\xcc\x82\xcc\x81T!", a, sizeof(a));
	norm_of("hóa chất", b, sizeof(b));
	assert_string_equal(a, b);
	/* the tone mark goes to the end; other marks stay */
	norm_of("Việt", a, sizeof(a));
	assert_string_equal(a, "vie\xcc\x82t\xcc\xa3");
	/* different tones stay different */
	norm_of("má", a, sizeof(a)), norm_of("mà", b, sizeof(b));
	assert_string_not_equal(a, b);
	/* separators, soft hyphen, full-width digits */
	norm_of("Giá\xc2\xa0xăng: ２５.０００đ/lít", a, sizeof(a));
	assert_string_equal(a, "gia\xcc\x81 xa\xcc\x86ng 25 000\xc4\x91 lit\xcc\x81");
	norm_of("in\xc2\xad" "for\xc2\xad" "ma\xc2\xad" "tion", a, sizeof(a));
	assert_string_equal(a, "information");
	/* scripts written without spaces: one token per character */
	norm_of("新闻", a, sizeof(a));
	assert_string_equal(a, "新 闻");
	norm_of("... --- !!!", a, sizeof(a));
	assert_string_equal(a, "");
}

/* ---- verdicts ---- */

static void test_empty_text(void **state)
{
	struct harness *h = open_h(NULL, NULL);
	(void)state;

	struct verdict v = run(h, "e1", "", -1);
	assert_int_equal(v.rc, NEWSD_OK);
	assert_verdict(v, "unique", "");
	v = run(h, "e2", "  \n\n ... ", -1); /* empty after normalisation */
	assert_verdict(v, "unique", "");
	v = run(h, "e3", NULL, -1); /* no text at all */
	assert_verdict(v, "unique", "");
	assert_true(v.sim == 0);
	harness_free(h);
}

static void test_one_word(void **state)
{
	struct harness *h = open_h(NULL, NULL);
	(void)state;

	assert_verdict(run(h, "w1", "Hoá", -1), "unique", "");
	struct verdict v = run(h, "w2", "  HÓA! ", -1);
	assert_verdict(v, "duplicate", "w1");
	assert_true(v.sim == 1.0);
	assert_verdict(run(h, "w3", "hòa", -1), "unique", ""); /* another tone: another word */
	harness_free(h);
}

static void test_identical_variants(void **state)
{
	struct harness *h = open_h(NULL, NULL);
	char *base = story(NULL, NPARAS, NULL, "\n\n");
	char *spaces = story(NULL, NPARAS, NULL, "\n  \n\t");
	char *old_style = replace(base, "Ủy", "Uỷ");
	char *nfd = replace(old_style, "ộ", "o\xcc\x82\xcc\xa3"); /* decomposed */
	(void)state;

	assert_string_not_equal(base, old_style);
	assert_verdict(run(h, "a", base, -1), "unique", "");
	struct verdict v = run(h, "b", spaces, -1);
	assert_verdict(v, "duplicate", "a");
	assert_true(v.sim == 1.0);
	assert_verdict(run(h, "c", old_style, -1), "duplicate", "a");
	assert_verdict(run(h, "d", nfd, -1), "duplicate", "a");
	free(base), free(spaces), free(old_style), free(nfd);
	harness_free(h);
}

static void test_near_duplicate(void **state)
{
	struct harness *h = open_h(NULL, NULL);
	char *base = story(NULL, NPARAS, NULL, "\n\n");
	/* new title, last paragraph dropped, two typos */
	char *t1 = story("Khởi công đường vành đai bốn: hơn 100 km qua ba địa phương", NPARAS - 1,
			 NULL, "\n\n");
	char *edited = replace(t1, "nhà thầu", "nhà thầuu");
	char *edited2 = replace(edited, "tái định cư", "tái đinh cư");
	/* a paragraph added by a syndicating site */
	char *added = story(NULL, NPARAS, "Theo Báo Tin Tức Mới, bản quyền thuộc về tòa soạn.",
			    "\n\n");
	(void)state;

	assert_verdict(run(h, "orig", base, -1), "unique", "");
	struct verdict v = run(h, "ed", edited2, -1);
	assert_verdict(v, "near_duplicate", "orig");
	assert_true(v.sim >= 0.5 && v.sim < 1.0);
	v = run(h, "add", added, -1);
	assert_verdict(v, "near_duplicate", "orig");
	/* the same-topic story is not a copy */
	v = run(h, "other", other_story, -1);
	assert_verdict(v, "unique", "");
	assert_true(v.sim < 0.3);
	free(base), free(t1), free(edited), free(edited2), free(added);
	harness_free(h);
}

static void test_redelivery(void **state)
{
	struct harness *h = open_h("action: drop", NULL);
	char *base = story(NULL, NPARAS, NULL, "\n\n");
	char *near = story("Một tiêu đề khác hẳn cho cùng câu chuyện", NPARAS, NULL, "\n\n");
	(void)state;

	struct verdict v = run(h, "r1", base, -1);
	assert_int_equal(v.rc, NEWSD_OK);
	/* the same id again: its earlier verdict, never a duplicate of itself */
	v = run(h, "r1", base, -1);
	assert_int_equal(v.rc, NEWSD_OK);
	assert_verdict(v, "unique", "");
	v = run(h, "r2", base, -1);
	assert_int_equal(v.rc, NEWSD_DROP);
	assert_verdict(v, "duplicate", "r1");
	v = run(h, "r2", base, -1); /* goes where it went the first time */
	assert_int_equal(v.rc, NEWSD_DROP);
	assert_verdict(v, "duplicate", "r1");
	v = run(h, "r3", near, -1);
	assert_int_equal(v.rc, NEWSD_DROP);
	assert_verdict(v, "near_duplicate", "r1");
	double sim = v.sim;
	v = run(h, "r3", near, -1);
	assert_verdict(v, "near_duplicate", "r1");
	assert_true(v.sim == sim);
	/* a redelivery keeps its verdict even if its text changed meanwhile */
	v = run(h, "r1", other_story, -1);
	assert_int_equal(v.rc, NEWSD_OK);
	assert_verdict(v, "unique", "");
	free(base), free(near);
	harness_free(h);
}

/* Five distinct one-paragraph stories (long enough to be sketched). */
static char *para_story(size_t i)
{
	return story(story_paras[i], 0, NULL, "\n\n");
}

static void test_eviction_count(void **state)
{
	struct harness *h = open_h("max_stories: 3", NULL);
	char *s[5];
	(void)state;

	for (size_t i = 0; i < 5; i++)
		s[i] = para_story(i);
	assert_verdict(run(h, "s0", s[0], -1), "unique", "");
	assert_verdict(run(h, "s1", s[1], -1), "unique", "");
	assert_verdict(run(h, "s2", s[2], -1), "unique", "");
	assert_verdict(run(h, "s3", s[3], -1), "unique", ""); /* evicts s0, the oldest */
	/* s1 is still there (and now the oldest: this copy evicts it) */
	assert_verdict(run(h, "c1", s[1], -1), "duplicate", "s1");
	assert_verdict(run(h, "c0", s[0], -1), "unique", ""); /* s0 was forgotten */
	assert_verdict(run(h, "c3", s[3], -1), "duplicate", "s3");
	/* the redelivery of a forgotten id is judged afresh */
	assert_verdict(run(h, "s1", s[4], -1), "unique", "");
	for (size_t i = 0; i < 5; i++)
		free(s[i]);
	harness_free(h);
}

static void test_eviction_age(void **state)
{
	struct harness *h = open_h("window_days: 1\ntime_field: ts", NULL);
	char *s[4];
	(void)state;

	for (size_t i = 0; i < 4; i++)
		s[i] = para_story(i);
	const long long t0 = 1700000000;
	assert_verdict(run(h, "a0", s[0], t0), "unique", "");
	assert_verdict(run(h, "a1", s[1], t0 + 3600), "unique", "");
	assert_verdict(run(h, "a2", s[2], t0 + 50000), "unique", "");
	/* 23 h after a0: still remembered */
	assert_verdict(run(h, "b0", s[0], t0 + 82800), "duplicate", "a0");
	/* 25 h after a0, 24h+1s after a1: both forgotten, a2 kept */
	assert_verdict(run(h, "b1", s[1], t0 + 90001), "unique", "");
	assert_verdict(run(h, "c0", s[0], t0 + 90002), "unique", "");
	assert_verdict(run(h, "c2", s[2], t0 + 90003), "duplicate", "a2");
	/* a record without a time takes the latest time seen */
	assert_verdict(run(h, "c3", s[3], -1), "unique", "");
	for (size_t i = 0; i < 4; i++)
		free(s[i]);
	harness_free(h);
}

static void test_index_eviction_order(void **state)
{
	struct dd_index ix;
	char id[16];
	(void)state;

	assert_int_equal(dd_index_init(&ix, 100, 10), 0);
	for (int i = 0; i < 250; i++) {
		uint64_t ex[2] = {(uint64_t)i * 7919, (uint64_t)i};
		struct dd_sketch sk;
		memset(sk.sig, i % 13, sizeof(sk.sig)); /* crowded buckets */
		int n = snprintf(id, sizeof(id), "id-%d", i);
		struct dd_story st = {.id = id, .id_len = (size_t)n, .time = i / 10,
				      .exact = ex, .sk = &sk};
		assert_int_equal(dd_index_add(&ix, &st), 0);
	}
	assert_int_equal(dd_index_size(&ix), 100);
	for (int i = 0; i < 250; i++) {
		int n = snprintf(id, sizeof(id), "id-%d", i);
		const struct dd_slot *s = dd_index_find_id(&ix, id, (size_t)n);
		assert_true((s != NULL) == (i >= 150));
		if (s)
			assert_int_equal(dd_slot_age_rank(&ix, s), i - 150);
		uint64_t ex[2] = {(uint64_t)i * 7919, (uint64_t)i};
		assert_true((dd_index_find_exact(&ix, ex) != NULL) == (i >= 150));
	}
	/* age: now 30 with a 10 s window forgets times < 20, i.e. ids < 200 */
	dd_index_evict_age(&ix, 30);
	assert_int_equal(dd_index_size(&ix), 50);
	assert_null(dd_index_find_id(&ix, "id-199", 6));
	assert_non_null(dd_index_find_id(&ix, "id-200", 6));
	/* band lookups find only live stories */
	struct dd_sketch q;
	const struct dd_slot *c[64];
	memset(q.sig, 203 % 13, sizeof(q.sig));
	size_t n = dd_index_candidates(&ix, &q, c, 64);
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++)
		assert_true(atoi(dd_slot_id(&ix, c[i]) + 3) >= 200);
	dd_index_free(&ix);
}

static void test_entry_codec(void **state)
{
	unsigned char buf[DD_ENTRY_MAX];
	struct dd_entry e = {.status = DD_NEAR, .sim = 8123, .params = 42, .nshingles = 300,
			     .time = 1700000000, .has_exact = 1, .has_sketch = 1,
			     .exact = {1, 2}, .of = "orig-id", .of_len = 7}, d;
	(void)state;

	for (int i = 0; i < DD_K; i++)
		e.sk.sig[i] = (uint8_t)i;
	size_t n = dd_entry_encode(&e, buf);
	assert_int_equal(dd_entry_decode(buf, n, &d), 0);
	assert_int_equal(d.status, DD_NEAR);
	assert_int_equal(d.sim, 8123);
	assert_int_equal(d.time, 1700000000);
	assert_int_equal(d.of_len, 7);
	assert_memory_equal(d.of, "orig-id", 7);
	assert_memory_equal(&d.sk, &e.sk, sizeof(e.sk));
	assert_int_equal(dd_entry_decode(buf, n - 1, &d), -1); /* torn */
	buf[0] = 99;
	assert_int_equal(dd_entry_decode(buf, n, &d), -1); /* unknown version */
}

/* ---- state log: restart ---- */

static char *tmpdir(void)
{
	char *d = strdup("/tmp/newsd-dedup-XXXXXX");
	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static void rmdir_all(char *dir)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/deduper.log", dir);
	unlink(p);
	rmdir(dir);
	free(dir);
}

static void test_replay_after_restart(void **state)
{
	char *dir = tmpdir();
	char *base = story(NULL, NPARAS, NULL, "\n\n");
	char *near = story("Tiêu đề mới sau khi biên tập lại", NPARAS - 1, NULL, "\n\n");
	char *s4 = para_story(4);
	(void)state;

	struct harness *h = open_h(NULL, dir);
	assert_verdict(run(h, "p1", base, -1), "unique", "");
	assert_verdict(run(h, "p2", base, -1), "duplicate", "p1");
	assert_verdict(run(h, "p3", s4, -1), "unique", "");
	harness_free(h); /* closes (and flushes) the log */

	h = open_h(NULL, dir); /* a new process: replays the file */
	assert_verdict(run(h, "q1", base, -1), "duplicate", "p1");
	assert_verdict(run(h, "q2", near, -1), "near_duplicate", "p1");
	assert_verdict(run(h, "p2", base, -1), "duplicate", "p1"); /* redelivery */
	assert_verdict(run(h, "p1", base, -1), "unique", "");      /* redelivery */
	assert_verdict(run(h, "q3", s4, -1), "duplicate", "p3");
	harness_free(h);

	/* a third start sees what the second one added */
	h = open_h(NULL, dir);
	assert_verdict(run(h, "q2", near, -1), "near_duplicate", "p1");
	assert_verdict(run(h, "q1", base, -1), "duplicate", "p1");
	harness_free(h);

	/* a torn tail (crash mid-append) loses only the last entry */
	char p[512];
	snprintf(p, sizeof(p), "%s/deduper.log", dir);
	FILE *f = fopen(p, "ab");
	assert_non_null(f);
	fwrite("\x10\x00\x00\x00\xff", 1, 5, f);
	fclose(f);
	h = open_h(NULL, dir);
	assert_verdict(run(h, "q4", s4, -1), "duplicate", "p3");
	harness_free(h);

	/* another shingle size: sketches are not reused, ids still are */
	h = open_h("shingle: 3", dir);
	assert_verdict(run(h, "p2", base, -1), "duplicate", "p1");
	assert_verdict(run(h, "q5", near, -1), "unique", "");
	harness_free(h);
	free(base), free(near), free(s4);
	rmdir_all(dir);
}

/* ---- state log: two instances on one shared log ----
 *
 * The file backend belongs to one process at a time (flock), so two live
 * instances cannot share it.  Here each instance runs in its own harness
 * behind a thin wrapper plugin that lends the deduper the harness's real
 * host with the state service swapped for an in-memory log shared by both,
 * with the Kafka backend's semantics: state_open replays everything,
 * state_poll delivers what any instance appended since, our own appends
 * echo back.  `visible` holds entries back to simulate propagation delay. */

struct shared_log {
	struct {
		char *key, *val;
		size_t klen, vlen;
	} e[64];
	size_t n, visible;
	int hold; /* appends stay invisible until released */
};

struct fake_state {
	struct shared_log *log;
	newsd_state_entry_fn fn;
	void *opaque;
	size_t cursor;
};

struct wrapped {
	struct newsd_host vt; /* the host the deduper sees */
	const struct newsd_host *real;
	struct fake_state st;
	struct shared_log *log;
	void *inner;
};

static int fake_deliver(struct fake_state *s)
{
	int n = 0;
	for (; s->cursor < s->log->visible; s->cursor++, n++)
		s->fn(s->opaque, s->log->e[s->cursor].key, s->log->e[s->cursor].klen,
		      s->log->e[s->cursor].val, s->log->e[s->cursor].vlen);
	return n;
}

static int fake_open(const struct newsd_host *h, const char *name, newsd_state_entry_fn fn,
		     void *opaque, struct newsd_state **out, char *err, size_t errlen)
{
	struct wrapped *w = (struct wrapped *)h;
	(void)name, (void)err, (void)errlen;
	w->st.log = w->log;
	w->st.fn = fn;
	w->st.opaque = opaque;
	fake_deliver(&w->st);
	*out = (struct newsd_state *)&w->st;
	return 0;
}

static int fake_append(struct newsd_state *s, const char *k, size_t kl, const void *v, size_t vl)
{
	struct shared_log *l = ((struct fake_state *)s)->log;
	if (l->n == 64)
		return -ENOSPC;
	l->e[l->n].key = malloc(kl), l->e[l->n].val = malloc(vl);
	memcpy(l->e[l->n].key, k, kl), memcpy(l->e[l->n].val, v, vl);
	l->e[l->n].klen = kl, l->e[l->n].vlen = vl;
	l->n++;
	if (!l->hold)
		l->visible = l->n;
	return 0;
}

static int fake_poll(struct newsd_state *s)
{
	return fake_deliver((struct fake_state *)s);
}

static void fake_close(struct newsd_state *s)
{
	(void)s;
}

/* Host members that take the host pointer go back to the real host. */
static void w_log(const struct newsd_host *h, enum newsd_log_level level, const char *fmt, ...)
{
	const struct newsd_host *real = ((const struct wrapped *)h)->real;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	real->log(real, level, "%s", buf);
}
static int w_log_enabled(const struct newsd_host *h, enum newsd_log_level level)
{
	const struct newsd_host *real = ((const struct wrapped *)h)->real;
	return real->log_enabled(real, level);
}
static void w_count(const struct newsd_host *h, const char *metric, uint64_t n)
{
	const struct newsd_host *real = ((const struct wrapped *)h)->real;
	real->count(real, metric, n);
}
static int w_data_find(const struct newsd_host *h, const char *name, char *buf, size_t len)
{
	const struct newsd_host *real = ((const struct wrapped *)h)->real;
	return real->data_find(real, name, buf, len);
}
static int w_data_load(const struct newsd_host *h, const char *name,
		       const struct newsd_config **out, char *err, size_t errlen)
{
	const struct newsd_host *real = ((const struct wrapped *)h)->real;
	return real->data_load(real, name, out, err, errlen);
}

static int wrap_init(const struct newsd_host *h, const struct newsd_config *c, void **state,
		     char *err, size_t errlen)
{
	struct wrapped *w = calloc(1, sizeof(*w));
	const char *log = h->cfg_str(c, "test_log");

	if (!w || !log || sscanf(log, "%p", (void **)&w->log) != 1) {
		free(w);
		snprintf(err, errlen, "test_log");
		return NEWSD_ERR_FATAL;
	}
	w->vt = *h;
	w->real = h;
	w->vt.log = w_log;
	w->vt.log_enabled = w_log_enabled;
	w->vt.count = w_count;
	w->vt.data_find = w_data_find;
	w->vt.data_load = w_data_load;
	w->vt.state_open = fake_open;
	w->vt.state_append = fake_append;
	w->vt.state_poll = fake_poll;
	w->vt.state_close = fake_close;
	int rc = newsd_plugin_deduper_describe()->init(&w->vt, c, &w->inner, err, errlen);
	if (rc < 0) {
		free(w);
		return rc;
	}
	*state = w;
	return 0;
}

static int wrap_process(void *state, struct newsd_record *r, char *err, size_t errlen)
{
	struct wrapped *w = state;
	return newsd_plugin_deduper_describe()->process(w->inner, r, err, errlen);
}

static void wrap_fini(void *state)
{
	struct wrapped *w = state;
	newsd_plugin_deduper_describe()->fini(w->inner);
	free(w);
}

static struct newsd_option wrap_options[16];

static struct harness *open_shared(struct shared_log *log, struct newsd_plugin *desc)
{
	const struct newsd_option *o = newsd_plugin_deduper_describe()->options;
	const struct newsd_plugin *p = desc;
	char yaml[64], err[256] = "";
	const char *cfg[1] = {yaml};
	size_t n = 0;

	while (o[n].name)
		n++;
	assert_true(n + 2 <= 16);
	memcpy(wrap_options, o, n * sizeof(*o));
	wrap_options[n] = (struct newsd_option){"test_log", NEWSD_OPT_STR, NULL, 1, "shared log"};
	*desc = *newsd_plugin_deduper_describe();
	desc->options = wrap_options;
	desc->init = wrap_init;
	desc->process = wrap_process;
	desc->fini = wrap_fini;
	snprintf(yaml, sizeof(yaml), "test_log: \"%p\"", (void *)log);
	struct harness *h = harness_new_chain(&p, cfg, 1, NULL, err, sizeof(err));
	if (!h)
		fprintf(stderr, "harness: %s\n", err);
	assert_non_null(h);
	return h;
}

static void test_two_instances(void **state)
{
	struct shared_log log = {0};
	struct newsd_plugin da, db;
	char *x = story(NULL, NPARAS, NULL, "\n\n");
	char *x_near = story("Một tiêu đề khác cho cùng bài báo", NPARAS - 1, NULL, "\n\n");
	char *y = para_story(4);
	(void)state;

	struct harness *a = open_shared(&log, &da);
	assert_verdict(run(a, "x1", x, -1), "unique", "");
	/* b starts after a's entry was written: it replays it */
	struct harness *b = open_shared(&log, &db);
	assert_verdict(run(b, "x2", x, -1), "duplicate", "x1");
	/* a follows b's entries (and ignores the echo of its own) */
	assert_verdict(run(a, "x3", x_near, -1), "near_duplicate", "x1");
	assert_verdict(run(a, "x2", x, -1), "duplicate", "x1"); /* b's verdict, redelivered to a */
	assert_verdict(run(b, "x3", x_near, -1), "near_duplicate", "x1");
	assert_int_equal(log.n, 3); /* x1, x2, x3: one entry per story, no echo re-appended */

	/* the race: both accept a copy before either sees the other's entry */
	log.hold = 1;
	assert_verdict(run(a, "y1", y, -1), "unique", "");
	assert_verdict(run(b, "y2", y, -1), "unique", "");
	log.hold = 0;
	log.visible = log.n;
	assert_verdict(run(a, "y3", y, -1), "duplicate", "y1");
	struct verdict v = run(b, "y4", y, -1);
	assert_string_equal(v.status, "duplicate");
	assert_true(!strcmp(v.of, "y1") || !strcmp(v.of, "y2"));

	/* a third instance replays the whole log */
	struct newsd_plugin dc;
	struct harness *c = open_shared(&log, &dc);
	assert_verdict(run(c, "x9", x, -1), "duplicate", "x1");
	assert_verdict(run(c, "y2", y, -1), "unique", ""); /* redelivery: its first verdict */
	harness_free(a), harness_free(b), harness_free(c);
	for (size_t i = 0; i < log.n; i++)
		free(log.e[i].key), free(log.e[i].val);
	free(x), free(x_near), free(y);
}

/* ---- one instance, several workers ---- */

struct worker {
	struct harness *h;
	char *const *texts;
	size_t n;
	int who;
	int unique, dup;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	for (size_t i = 0; i < w->n; i++) {
		char id[32], err[256], *js;
		json_t *in = json_object(), *out = NULL;
		snprintf(id, sizeof(id), "w%d-%zu", w->who, i);
		json_object_set_new(in, "id", json_string(id));
		json_object_set_new(in, "text", json_string(w->texts[i]));
		js = json_dumps(in, JSON_COMPACT);
		harness_process_json(w->h, js, &out, err, sizeof(err));
		const char *st =
			json_string_value(json_object_get(json_object_get(out, "dedup"), "status"));
		if (st && !strcmp(st, "unique"))
			w->unique++;
		else if (st)
			w->dup++;
		json_decref(in), json_decref(out), free(js);
	}
	return NULL;
}

static void test_threads(void **state)
{
	/* four workers race on the same 40 distinct stories (random syllables):
	 * each story must be judged unique exactly once, whoever wins */
	static const char *syl[] = {"nhà", "nước", "đường", "phố", "người", "dân", "công", "ty",
				    "thành", "phố", "huyện", "xã", "tỉnh", "mới", "cũ", "lớn",
				    "học", "sinh", "giáo", "viên", "bệnh", "viện", "chợ", "cầu",
				    "sông", "núi", "biển", "mưa", "nắng", "gió", "lúa", "gạo"};
	struct harness *h = open_h(NULL, NULL);
	char *texts[40];
	struct worker w[4];
	pthread_t th[4];
	uint64_t seed = 88172645463325252ULL;
	(void)state;

	for (size_t i = 0; i < 40; i++) {
		char *t = malloc(80 * 12), *p = t;
		for (int k = 0; k < 80; k++) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			p += sprintf(p, "%s ", syl[seed % 32]);
		}
		texts[i] = t;
	}
	for (int k = 0; k < 4; k++) {
		w[k] = (struct worker){.h = h, .texts = texts, .n = 40, .who = k};
		assert_int_equal(pthread_create(&th[k], NULL, worker_run, &w[k]), 0);
	}
	int uniq = 0, dup = 0;
	for (int k = 0; k < 4; k++) {
		pthread_join(th[k], NULL);
		uniq += w[k].unique, dup += w[k].dup;
	}
	assert_int_equal(uniq + dup, 160);
	assert_int_equal(uniq, 40);
	assert_int_equal(dup, 120);
	for (size_t i = 0; i < 40; i++)
		free(texts[i]);
	harness_free(h);
}

static void test_bad_options(void **state)
{
	const struct newsd_plugin *p = newsd_plugin_deduper_describe();
	const char *bad[] = {"action: delete", "threshold: 1.5", "shingle: 0", "max_stories: 0",
			     "languages: [xx]"};
	char err[512];
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		struct harness *h = harness_new(p, bad[i], err, sizeof(err));
		assert_null(h);
		assert_true(err[0] != '\0');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_empty_text),
		cmocka_unit_test(test_one_word),
		cmocka_unit_test(test_identical_variants),
		cmocka_unit_test(test_near_duplicate),
		cmocka_unit_test(test_redelivery),
		cmocka_unit_test(test_eviction_count),
		cmocka_unit_test(test_eviction_age),
		cmocka_unit_test(test_index_eviction_order),
		cmocka_unit_test(test_entry_codec),
		cmocka_unit_test(test_replay_after_restart),
		cmocka_unit_test(test_two_instances),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_bad_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
