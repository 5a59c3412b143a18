/* common.c — see common.h. */
#include "common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <zlib.h>

void sb_put(struct sb *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			abort();
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sb_puts(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

void sb_printf(struct sb *b, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sb_put(b, tmp, n < 0 ? 0 : (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

char *sb_take(struct sb *b)
{
	char *p = b->p ? b->p : strdup("");
	memset(b, 0, sizeof(*b));
	return p;
}

void paras_split(const char *text, struct paras *p)
{
	size_t cap = 16;
	const char *s = text;

	p->n = 0;
	p->s = malloc(cap * sizeof(*p->s));
	p->len = malloc(cap * sizeof(*p->len));
	while (*s) {
		const char *e = strstr(s, "\n\n");
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n) {
			if (p->n == cap) {
				cap *= 2;
				p->s = realloc(p->s, cap * sizeof(*p->s));
				p->len = realloc(p->len, cap * sizeof(*p->len));
			}
			p->s[p->n] = s;
			p->len[p->n++] = n;
		}
		s += n;
		while (*s == '\n')
			s++;
	}
}

void paras_free(struct paras *p)
{
	free(p->s);
	free(p->len);
}

/* ---- ICU round trips ---- */

static UChar *to16(const char *s, int32_t *n)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len = 0;
	u_strFromUTF8(NULL, 0, &len, s, -1, &st);
	UChar *u = malloc(((size_t)len + 1) * sizeof(UChar));
	st = U_ZERO_ERROR;
	u_strFromUTF8(u, len + 1, n, s, -1, &st);
	return u;
}

static char *to8(const UChar *u, int32_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len = 0;
	u_strToUTF8(NULL, 0, &len, u, n, &st);
	char *s = malloc((size_t)len + 1);
	st = U_ZERO_ERROR;
	u_strToUTF8(s, len + 1, NULL, u, n, &st);
	return s;
}

static UChar *normalise16(const UChar *u, int32_t n, int nfc, int32_t *out_n)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nm = nfc ? unorm2_getNFCInstance(&st) : unorm2_getNFDInstance(&st);
	int32_t cap = n * 3 + 16;
	UChar *o = malloc((size_t)cap * sizeof(UChar));
	*out_n = unorm2_normalize(nm, u, n, o, cap, &st);
	return o;
}

char *edit_nfd(const char *text)
{
	int32_t n, m;
	UChar *u = to16(text, &n), *d = normalise16(u, n, 0, &m);
	char *s = to8(d, m);
	free(u), free(d);
	return s;
}

static int is_tone(UChar c)
{
	return c == 0x300 || c == 0x301 || c == 0x303 || c == 0x309 || c == 0x323;
}

static int is_letter16(UChar c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0xC0;
}

/* In NFD: word-final "oa", "oe", "uy" (not after q): moves the tone mark
 * from one vowel to the other, in either direction. */
char *edit_tone_style(const char *text)
{
	int32_t n, m;
	UChar *u = to16(text, &n), *d = normalise16(u, n, 0, &m);
	free(u);
	for (int32_t i = 0; i + 2 < m; i++) {
		UChar a = (UChar)(d[i] | 0x20), c;
		if (a != 'o' && a != 'u')
			continue;
		if (i > 0 && is_letter16(d[i - 1]) && (d[i - 1] | 0x20) == 'q')
			continue;
		/* form 1: V1 T V2 end  -> V1 V2 T */
		if (is_tone(d[i + 1]) && i + 2 < m) {
			c = (UChar)(d[i + 2] | 0x20);
			if (((a == 'o' && (c == 'a' || c == 'e')) || (a == 'u' && c == 'y')) &&
			    (i + 3 >= m || !(is_letter16(d[i + 3]) || (d[i + 3] >= 0x300 && d[i + 3] < 0x370)))) {
				UChar t = d[i + 1];
				d[i + 1] = d[i + 2];
				d[i + 2] = t;
				i += 2;
			}
			continue;
		}
		/* form 2: V1 V2 T end -> V1 T V2 */
		c = (UChar)(d[i + 1] | 0x20);
		if (((a == 'o' && (c == 'a' || c == 'e')) || (a == 'u' && c == 'y')) &&
		    is_tone(d[i + 2]) &&
		    (i + 3 >= m || !(is_letter16(d[i + 3]) || (d[i + 3] >= 0x300 && d[i + 3] < 0x370))) &&
		    (i == 0 || !is_letter16(d[i - 1]) || 1)) {
			UChar t = d[i + 2];
			d[i + 2] = d[i + 1];
			d[i + 1] = t;
			i += 2;
		}
	}
	int32_t k;
	UChar *c = normalise16(d, m, 1, &k);
	char *s = to8(c, k);
	free(d), free(c);
	return s;
}

char *edit_whitespace(const char *text, uint64_t *seed)
{
	struct sb b = {0};
	for (const char *s = text; *s; s++) {
		if (*s == ' ' && rnd(seed) % 8 == 0)
			sb_puts(&b, "  ");
		else if (s[0] == '\n' && s[1] == '\n')
			sb_puts(&b, rnd(seed) % 2 ? " \n \n" : "\n");
		else
			sb_put(&b, s, 1);
	}
	return sb_take(&b);
}

/* n typos at random ASCII letters inside words: delete, double or swap. */
char *edit_typos(const char *text, int n, uint64_t *seed)
{
	struct sb b = {0};
	size_t len = strlen(text);
	sb_put(&b, text, len);
	for (int t = 0; t < n && b.len > 4; t++) {
		for (int tries = 0; tries < 50; tries++) {
			size_t i = 1 + rnd(seed) % (b.len - 2);
			char c = b.p[i];
			if (!((c >= 'a' && c <= 'z') && b.p[i - 1] != ' ' && b.p[i + 1] != ' '))
				continue;
			switch (rnd(seed) % 3) {
			case 0: /* delete */
				memmove(b.p + i, b.p + i + 1, b.len - i);
				b.len--;
				break;
			case 1: { /* double */
				char ch[1] = {c};
				sb_put(&b, ch, 1);
				memmove(b.p + i + 1, b.p + i, b.len - i - 1);
				b.p[i] = c;
				break;
			}
			default: /* replace by a neighbour letter */
				b.p[i] = c == 'z' ? 'y' : (char)(c + 1);
			}
			break;
		}
	}
	return sb_take(&b);
}

/* Invented page furniture of four news sites. */
static const char *const site_head[4][3] = {
	{"Trang chủ › Thời sự › Xã hội", "Báo Điện Tử Tin Nhanh Mỗi Ngày", "Cập nhật lúc %02d:%02d ngày %d/%d/2018"},
	{"TIN TỨC 24 GIỜ - Đọc báo online", "Đăng nhập | Đăng ký | Liên hệ quảng cáo", "Thứ %d, %d/%d/2018 - %02d:%02d (GMT+7)"},
	{"Cổng thông tin Đời Sống Và Pháp Luật Việt", "Chuyên mục: Tin trong nước", "(Ngày đăng: %d/%d/%d %02d:%02d)"},
	{"Người Quan Sát Mới", "Kinh tế | Xã hội | Thể thao | Giải trí | Công nghệ", "%02d:%02d %d/%d/2018"},
};
static const char *const site_foot[4][4] = {
	{"Theo Báo Tin Nhanh", "Tin liên quan:", "Chia sẻ bài viết qua Facebook, Zalo hoặc email cho bạn bè.",
	 "© Bản quyền thuộc về Báo Điện Tử Tin Nhanh. Cấm sao chép dưới mọi hình thức khi chưa có sự đồng ý."},
	{"Nguồn: Tin Tức 24 Giờ tổng hợp", "Xem thêm:", "Bạn đọc có ý kiến xin gửi về hộp thư tòa soạn, chúng tôi sẽ phản hồi sớm nhất.",
	 "Giấy phép số 321/GP-BTTTT do Bộ Thông tin và Truyền thông cấp. Tổng biên tập: Trần Văn Minh."},
	{"(Nguồn tổng hợp)", "Các tin khác:", "Ý kiến bạn đọc (0) - Gửi bình luận của bạn, vui lòng gõ tiếng Việt có dấu.",
	 "Đời Sống Và Pháp Luật Việt - Cơ quan ngôn luận của Hội Luật gia Tỉnh Nam. Địa chỉ: 12 Hàng Bài, Hà Nội."},
	{"Theo Người Quan Sát Mới", "Đọc nhiều nhất:", "Đánh giá bài viết: Hay | Bình thường | Chưa hay. Lượt xem: 1.245",
	 "Mọi thông tin đóng góp xin liên hệ đường dây nóng 0912 345 678. Ghi rõ nguồn khi phát hành lại thông tin từ website này."},
};

char *edit_syndicate(const char *text, int keep_title, const char *const *related, size_t nrel,
		     uint64_t *seed)
{
	struct sb b = {0};
	int s = (int)(rnd(seed) % 4), h = (int)(rnd(seed) % 24), mi = (int)(rnd(seed) % 60),
	    d = 1 + (int)(rnd(seed) % 28), mo = 1 + (int)(rnd(seed) % 12);
	const char *body = text;

	sb_puts(&b, site_head[s][0]);
	sb_puts(&b, "\n\n");
	sb_puts(&b, site_head[s][1]);
	sb_puts(&b, "\n\n");
	if (!keep_title) { /* the syndicating site's own headline: drop the title paragraph */
		const char *e = strstr(text, "\n\n");
		if (e)
			body = e + 2;
	}
	if (s == 1)
		sb_printf(&b, site_head[s][2], 2 + d % 6, d, mo, h, mi);
	else if (s == 2)
		sb_printf(&b, site_head[s][2], d, mo, 2018, h, mi);
	else if (s == 0)
		sb_printf(&b, site_head[s][2], h, mi, d, mo);
	else
		sb_printf(&b, site_head[s][2], h, mi, d, mo);
	sb_puts(&b, "\n\n");
	sb_puts(&b, body);
	sb_puts(&b, "\n\n");
	sb_puts(&b, site_foot[s][0]);
	sb_puts(&b, "\n\n");
	sb_puts(&b, site_foot[s][1]);
	for (size_t i = 0; i < nrel; i++) {
		sb_puts(&b, "\n\n");
		sb_puts(&b, related[i]);
	}
	sb_puts(&b, "\n\n");
	sb_puts(&b, site_foot[s][2]);
	sb_puts(&b, "\n\n");
	sb_puts(&b, site_foot[s][3]);
	return sb_take(&b);
}

double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
