/* bpgen.c — see bpgen.h. */
#include "bpgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"

const char *const bp_kind_names[K_COUNT] = {
	"body", "title", "meta", "nav", "share", "counter", "rating", "commentform", "comment",
	"poll", "related", "teaser", "weather", "tags", "ads", "app", "placeholder", "footer",
	"inline",
};

enum { NREM = 256 };

struct bpgen {
	unsigned long long s;
	char *titles[NREM], *leads[NREM];
	size_t n, at;
};

static const char *const sites[8] = {"Báo Sông Hồng", "Tin Nhanh Miền Trung", "Đời Sống 24h",
				     "Nhịp Cầu Phương Nam", "Thời Báo Cao Nguyên",
				     "Cổng thông tin Hải Đăng", "Tạp chí Ven Biển",
				     "Truyền hình Đồng Bằng"};
static const char *const names[] = {"Minh Anh", "Thanh Tùng", "Hoàng Lan", "Quốc Bảo",
				    "Ngọc Hà", "Đức Thịnh", "Thu Trang", "Văn Khoa",
				    "Bảo Ngọc", "Hải Yến", "Trọng Nghĩa", "Phương Thảo"};
static const char *const secs[] = {"Trang chủ", "Thời sự", "Thế giới", "Kinh doanh", "Giải trí",
				   "Thể thao", "Pháp luật", "Giáo dục", "Sức khỏe", "Đời sống",
				   "Du lịch", "Khoa học", "Số hóa", "Xe", "Ý kiến", "Tâm sự",
				   "Video", "Podcast", "Bất động sản", "Nhịp sống trẻ",
				   "Chính trị", "Văn hóa", "Quốc phòng", "Nông thôn mới"};
static const char *const words[] = {"giao thông", "ngân sách", "học sinh", "mùa mưa", "nông sản",
				    "đầu tư công", "bảo hiểm", "du lịch biển", "an toàn thực phẩm",
				    "chuyển đổi số", "điện mặt trời", "lũ quét", "xuất khẩu"};
static const char *const brands[] = {"Điện máy Sao Việt", "Siêu thị An Khang", "Vinh Gia Land",
				     "Nha khoa Răng Xinh", "Bảo hiểm Tâm An"};

static const char *const tpl[K_COUNT][16] = {
	[K_NAV] = {"@NAV", "@NAV", "Đăng nhập | Đăng ký", "Đăng nhập", "Tìm kiếm...",
		   "Trang chủ > {sec} > {sec}", "{sec} » {sec}", "Mục lục", "English | Tiếng Việt",
		   "Đặt mua báo in", "Thứ {wd}, {d}/{m}/{y}", "Hotline: 09{n4}{n4}", NULL},
	[K_SHARE] = {"Chia sẻ", "Facebook Zalo Twitter", "Chia sẻ: Facebook | Zalo | Copy link",
		     "Lưu tin", "In trang", "Gửi email", "Thích {n} | Chia sẻ {n}",
		     "Bookmark bài viết", "Chia sẻ bài viết lên mạng xã hội", "Sao chép đường dẫn",
		     "Zalo", "Tweet", NULL},
	[K_COUNTER] = {"Lượt xem: {n}", "{n} lượt xem", "Đã xem {n} lần", "Truy cập hôm nay: {n}",
		       "Tổng truy cập: {n}", "Đang online: {n}", "{n} lượt thích",
		       "Lượt đọc {n}", "Số người đang xem: {n}", "Hôm qua: {n}", NULL},
	[K_RATING] = {"Đánh giá bài viết: ★★★★☆ ({n} lượt)", "Bài viết có hữu ích với bạn không?",
		      "Có ({n}) | Không ({n})", "Chấm điểm: 1 2 3 4 5",
		      "Cảm xúc của bạn: Vui - Buồn - Ngạc nhiên - Phẫn nộ",
		      "Bạn thấy bài viết thế nào?", "Điểm trung bình: {d},{d}/5", NULL},
	[K_COMMENTFORM] = {"Bình luận ({n})", "Gửi bình luận của bạn", "Viết bình luận...",
			   "Họ tên *", "Email (không bắt buộc)", "Nhập mã xác nhận", "Gửi",
			   "Bình luận của bạn sẽ được kiểm duyệt trước khi hiển thị",
			   "Sắp xếp theo: Mới nhất | Cũ nhất | Quan tâm nhất", "Xem thêm bình luận",
			   "Chưa có bình luận nào. Hãy là người đầu tiên bình luận!",
			   "Ý kiến bạn đọc", NULL},
	[K_COMMENT] = {"{name} · {n} giờ trước", "{name} - {hh}:{mm} {d}/{m}/{y}",
		       "Trả lời · Thích ({d})", "Bài viết rất hay, cảm ơn tác giả!",
		       "Mong cơ quan chức năng sớm vào cuộc xử lý dứt điểm.",
		       "Đọc xong thấy buồn quá, thương bà con vùng lũ.", "Đồng ý với bạn {name}.",
		       NULL},
	[K_POLL] = {"Thăm dò ý kiến", "Bạn có đồng ý với đề xuất này?", "Đồng ý", "Không đồng ý",
		    "Ý kiến khác", "Biểu quyết", "Xem kết quả", "Bạn đánh giá thế nào về {w}?",
		    "Rất tốt ({n}%)", "Bình thường ({n}%)", NULL},
	[K_RELATED] = {"Tin liên quan", "Bài viết liên quan", "Xem thêm", "Có thể bạn quan tâm",
		       "Tin cùng chuyên mục", "Đọc nhiều nhất", "Tin mới", "Tin khác",
		       "Đọc tiếp", "Nổi bật", "Tiêu điểm", "Mới nhất", "TIN LIÊN QUAN:",
		       "Cùng chuyên mục", NULL},
	[K_WEATHER] = {"Thời tiết", "Hà Nội {n2}°C", "TP.HCM {n2}°C Nắng", "Đà Nẵng {n2}°C Có mây",
		       "Độ ẩm {n2}%", "Giá vàng SJC {n2},{d}0 triệu/lượng", "USD/VND 24.{n3}",
		       "VN-Index 1.{n3},{n2} (+0,{n2}%)", "Xăng RON95 23.{n3} đ/lít",
		       "Mưa rào rải rác, gió nhẹ", "Tỷ giá ngoại tệ", NULL},
	[K_TAGS] = {"Tags: {w}, {w}, {w}", "Từ khóa: {w}, {w}", "#{w} #{w}", "Chủ đề: {w}",
		    "Tag: {w}", NULL},
	[K_ADS] = {"Quảng cáo", "QUẢNG CÁO", "Advertisement", "Nội dung tài trợ",
		   "Tài trợ bởi {brand}", "Khuyến mãi lớn tại {brand} - giảm đến {n2}%",
		   "Mua ngay", "Đăng ký nhận bản tin", "Nhập email của bạn", "Liên hệ quảng cáo",
		   NULL},
	[K_APP] = {"Tải ứng dụng {site} trên App Store và Google Play",
		   "Theo dõi {site} trên Facebook, YouTube, TikTok", "Nhận tin nhanh qua Zalo",
		   "Đọc báo nhanh hơn trên ứng dụng", "Bật thông báo để không bỏ lỡ tin nóng",
		   NULL},
	[K_PLACEHOLDER] = {"{author} - {date}", "{{title}}", "[[ads_zone_3]]",
			   "{comment_count} bình luận", "%s lượt xem", "${share_url}",
			   "{name_user}: {content}", NULL},
	[K_FOOTER] = {"© {y} Bản quyền thuộc về {site}", "Cơ quan chủ quản: Sở Thông tin và Truyền thông",
		      "Giấy phép hoạt động số {n}/GP-BTTTT", "Tổng biên tập: {name}",
		      "Địa chỉ: {n2} Lê Lợi, phường {n2}, quận {d}", "Điện thoại: 024 {n4} {n4} - Email: toasoan@example.vn",
		      "Ghi rõ nguồn {site} khi phát hành lại thông tin từ website này",
		      "Về đầu trang ↑", "Chính sách bảo mật | Điều khoản sử dụng",
		      "Liên hệ tòa soạn", "Sơ đồ trang", NULL},
	[K_INLINE] = {"Xem thêm: {title}", "ĐỌC THÊM: {title}", ">> {title}", "Video: {title}",
		      "Quảng cáo", "Xem thêm", "Clip: {title}", NULL},
};

struct bpgen *bpgen_new(unsigned long long seed)
{
	struct bpgen *g = calloc(1, sizeof(*g));

	if (g)
		g->s = seed ? seed : 88172645463325252ull;
	return g;
}

void bpgen_free(struct bpgen *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < NREM; i++) {
		free(g->titles[i]);
		free(g->leads[i]);
	}
	free(g);
}

unsigned bpgen_rand(struct bpgen *g, unsigned n)
{
	return n ? rnd(&g->s) % n : 0;
}

void bpgen_remember(struct bpgen *g, const char *title, const char *lead)
{
	size_t i = g->at++ % NREM;

	free(g->titles[i]);
	free(g->leads[i]);
	g->titles[i] = strdup(title ? title : "");
	g->leads[i] = strdup(lead ? lead : "");
	if (g->n < NREM)
		g->n++;
}

const char *bpgen_other_title(struct bpgen *g)
{
	return g->n ? g->titles[bpgen_rand(g, (unsigned)g->n)] : "Khai mạc hội chợ nông sản";
}

const char *bpgen_other_lead(struct bpgen *g)
{
	return g->n ? g->leads[bpgen_rand(g, (unsigned)g->n)] : "Hội chợ diễn ra trong ba ngày.";
}

int bpgen_site(struct bpgen *g)
{
	return (int)bpgen_rand(g, 8);
}

const char *bpgen_site_name(int site)
{
	return sites[site & 7];
}

#define PICK(a) (a)[bpgen_rand(g, sizeof(a) / sizeof((a)[0]))]

static void fill(struct bpgen *g, int site, const char *t, struct buf *out)
{
	char tmp[64];

	for (const char *p = t; *p; p++) {
		if (*p != '{' && *p != '@') {
			buf_putc(out, *p);
			continue;
		}
		const char *e = *p == '{' ? strchr(p, '}') : NULL;
		if (*p == '@' && !strncmp(p, "@NAV", 4)) {
			static const char *const seps[] = {" | ", " · ", "   ", " / ", " "};
			const char *sep = seps[site % 5];
			int n = 4 + (int)bpgen_rand(g, 6);
			for (int i = 0; i < n; i++) {
				if (i)
					buf_put(out, sep, strlen(sep));
				const char *s = secs[(site * 3 + i * 5) % (sizeof(secs) / sizeof(secs[0]))];
				buf_put(out, s, strlen(s));
			}
			p += 3;
			continue;
		}
		if (!e) {
			buf_putc(out, *p);
			continue;
		}
		size_t kl = (size_t)(e - p - 1);
		const char *k = p + 1;
		const char *v = NULL;
		if (kl == 1 && *k == 'n')
			snprintf(tmp, sizeof(tmp), "%u", bpgen_rand(g, 5000) + 1), v = tmp;
		else if (kl == 2 && !strncmp(k, "n2", 2))
			snprintf(tmp, sizeof(tmp), "%u", bpgen_rand(g, 80) + 10), v = tmp;
		else if (kl == 2 && !strncmp(k, "n3", 2))
			snprintf(tmp, sizeof(tmp), "%03u", bpgen_rand(g, 1000)), v = tmp;
		else if (kl == 2 && !strncmp(k, "n4", 2))
			snprintf(tmp, sizeof(tmp), "%04u", bpgen_rand(g, 10000)), v = tmp;
		else if (kl == 1 && *k == 'd')
			snprintf(tmp, sizeof(tmp), "%u", bpgen_rand(g, 28) + 1), v = tmp;
		else if (kl == 1 && *k == 'm')
			snprintf(tmp, sizeof(tmp), "%u", bpgen_rand(g, 12) + 1), v = tmp;
		else if (kl == 1 && *k == 'y')
			snprintf(tmp, sizeof(tmp), "%u", 2015 + bpgen_rand(g, 9)), v = tmp;
		else if (kl == 2 && !strncmp(k, "hh", 2))
			snprintf(tmp, sizeof(tmp), "%02u", bpgen_rand(g, 24)), v = tmp;
		else if (kl == 2 && !strncmp(k, "mm", 2))
			snprintf(tmp, sizeof(tmp), "%02u", bpgen_rand(g, 60)), v = tmp;
		else if (kl == 2 && !strncmp(k, "wd", 2))
			snprintf(tmp, sizeof(tmp), "%u", bpgen_rand(g, 6) + 2), v = tmp;
		else if (kl == 4 && !strncmp(k, "name", 4))
			v = PICK(names);
		else if (kl == 4 && !strncmp(k, "site", 4))
			v = sites[site & 7];
		else if (kl == 3 && !strncmp(k, "sec", 3))
			v = PICK(secs);
		else if (kl == 1 && *k == 'w')
			v = PICK(words);
		else if (kl == 5 && !strncmp(k, "brand", 5))
			v = PICK(brands);
		else if (kl == 5 && !strncmp(k, "title", 5))
			v = bpgen_other_title(g);
		if (!v) { /* a template placeholder left as is */
			buf_put(out, p, kl + 2);
		} else {
			buf_put(out, v, strlen(v));
		}
		p = e;
	}
}

void bpgen_line(struct bpgen *g, int site, enum bp_kind k, struct buf *out)
{
	const char *const *t = tpl[k];
	size_t n = 0;

	while (n < 16 && t[n])
		n++;
	if (n == 0)
		return;
	/* each site prefers its own third of the variants */
	size_t i = bpgen_rand(g, 3) ? (size_t)(site * 7 + bpgen_rand(g, 3)) % n : bpgen_rand(g, (unsigned)n);
	fill(g, site, t[i], out);
}

void bpgen_meta(struct bpgen *g, int dateline, struct buf *out)
{
	static const char *const dl[] = {"Thứ {wd}, {d}/{m}/{y} {hh}:{mm} (GMT+7)",
					 "Cập nhật lúc {hh}:{mm} ngày {d}/{m}/{y}",
					 "{d}/{m}/{y} - {hh}:{mm}", "{hh}:{mm} | {d}/{m}/{y}",
					 "Ngày đăng: {d}/{m}/{y}"};
	static const char *const by[] = {"{name}", "Theo {site}", "{name} - {name}",
					 "Tin, ảnh: {name}", "Bài và ảnh: {name}", "Nhóm PV",
					 "{name} (thực hiện)", "Nguồn: {site}"};
	fill(g, 0, dateline ? PICK(dl) : PICK(by), out);
}
