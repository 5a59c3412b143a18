/* cleaner-bench-html — token-level P/R/F1 of the article body extracted
 * from HTML pages assembled around vietnews articles.
 *
 *   cleaner-bench-html VIETNEWS.jsonl.gz [N=2000] [--dump K]
 *
 * Four page layouts written for the project (semantic HTML5; a div-soup
 * news site with Vietnamese class names and a sidebar of teasers; an old
 * table layout without class hints; <br>-separated body text with comment
 * paragraphs), each with menus, share bars, related lists (other articles'
 * headlines and teasers), comments, polls, footers.  The truth is the
 * article's lead and body (not the headline), as in the ScrapingHub
 * article-extraction benchmark; scores are bag-of-token overlaps
 * (micro over all tokens and macro per page).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpgen.h"
#include "cltest.h"
#include "corpus.h"

static void esc(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '<')
			buf_put(b, "&lt;", 4);
		else if (*s == '>')
			buf_put(b, "&gt;", 4);
		else if (*s == '&')
			buf_put(b, "&amp;", 5);
		else
			buf_putc(b, *s);
	}
}

static void P(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static void gl(struct buf *b, struct bpgen *g, int site, enum bp_kind k)
{
	struct buf t = {0};
	bpgen_line(g, site, k, &t);
	esc(b, t.p);
	buf_free(&t);
}

static void links(struct buf *b, struct bpgen *g, int n, const char *li_open, const char *li_close,
		  int teasers)
{
	for (int i = 0; i < n; i++) {
		P(b, li_open);
		P(b, "<a href=\"/tin/");
		char num[16];
		snprintf(num, sizeof(num), "%u", bpgen_rand(g, 99999));
		P(b, num);
		P(b, ".html\">");
		esc(b, bpgen_other_title(g));
		P(b, "</a>");
		if (teasers) {
			P(b, "<p>");
			esc(b, bpgen_other_lead(g));
			P(b, "</p>");
		}
		P(b, li_close);
	}
}

static void paras(struct buf *b, const char *lead, const char *body, const char *open,
		  const char *close, struct bpgen *g, int site)
{
	P(b, open);
	esc(b, lead);
	P(b, close);
	for (const char *p = body; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l > 1) {
			char *t = strndup(p, l);
			P(b, open);
			esc(b, t);
			P(b, close);
			free(t);
			if (bpgen_rand(g, 12) == 0) {
				P(b, "<div class=\"inline-ad\">");
				gl(b, g, site, K_ADS);
				P(b, "</div>");
			}
		}
		p = e ? e + 1 : NULL;
	}
}

static void page(struct buf *b, struct bpgen *g, int layout, const char *title, const char *lead,
		 const char *body)
{
	int site = bpgen_site(g);

	buf_reset(b);
	P(b, "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>");
	esc(b, title);
	P(b, " - ");
	P(b, bpgen_site_name(site));
	P(b, "</title><meta property=\"og:title\" content=\"");
	esc(b, title);
	P(b, "\"><script>window.dataLayer=[];function track(){}</script>"
	     "<style>body{font:14px Arial}</style></head><body>");
	switch (layout) {
	case 0:
		P(b, "<header><div class=\"logo\">");
		P(b, bpgen_site_name(site));
		P(b, "</div><nav><ul>");
		for (int i = 0; i < 6; i++) {
			P(b, "<li><a href=\"#\">");
			gl(b, g, site, K_NAV);
			P(b, "</a></li>");
		}
		P(b, "</ul></nav></header><main><article><h1>");
		esc(b, title);
		P(b, "</h1><time>12/05/2023 08:30</time><div class=\"share\">");
		gl(b, g, site, K_SHARE);
		P(b, "</div><div class=\"content\">");
		paras(b, lead, body, "<p>", "</p>", g, site);
		P(b, "</div><p class=\"author\"><strong>");
		gl(b, g, 0, K_COMMENT);
		P(b, "</strong></p></article><aside><h3>Tin liên quan</h3><ul>");
		links(b, g, 5, "<li>", "</li>", 1);
		P(b, "</ul></aside><section class=\"comments\"><h3>Bình luận</h3>");
		for (int i = 0; i < 3; i++) {
			P(b, "<div class=\"comment-item\"><p>");
			gl(b, g, site, K_COMMENT);
			P(b, "</p></div>");
		}
		P(b, "</section></main><footer><p>");
		gl(b, g, site, K_FOOTER);
		P(b, "</p><p>");
		gl(b, g, site, K_FOOTER);
		P(b, "</p></footer>");
		break;
	case 1:
		P(b, "<div id=\"wrapper\"><div class=\"top-bar\">");
		gl(b, g, site, K_WEATHER);
		P(b, " ");
		gl(b, g, site, K_NAV);
		P(b, "</div><div class=\"menu-main\"><ul>");
		for (int i = 0; i < 8; i++) {
			P(b, "<li><a href=\"#\">");
			gl(b, g, site, K_NAV);
			P(b, "</a></li>");
		}
		P(b, "</ul></div><div class=\"container\"><div class=\"col-left\"><div class=\"detail\">"
		     "<h1 class=\"title-detail\">");
		esc(b, title);
		P(b, "</h1><div class=\"date-time\">Thứ hai, 12/05/2023 08:30</div>"
		     "<div class=\"detail-content\">");
		paras(b, lead, body, "<p>", "</p>", g, site);
		P(b, "</div><div class=\"box-tags\">");
		gl(b, g, site, K_TAGS);
		P(b, "</div><div class=\"box-cmt\"><div class=\"title-box\">Ý kiến bạn đọc</div>");
		for (int i = 0; i < 2; i++) {
			P(b, "<div class=\"cmt-item\"><p>");
			gl(b, g, site, K_COMMENT);
			P(b, "</p></div>");
		}
		P(b, "</div></div><div class=\"box-tin-cung-chuyen-muc\"><h3>Tin cùng chuyên mục</h3>");
		links(b, g, 4, "<div class=\"item\">", "</div>", 1);
		P(b, "</div></div><div class=\"col-right\"><div class=\"box-doc-nhieu\"><h3>Đọc nhiều</h3>");
		links(b, g, 6, "<div class=\"item\">", "</div>", bpgen_rand(g, 2));
		P(b, "</div><div class=\"box-poll\">");
		for (int i = 0; i < 4; i++) {
			P(b, "<div>");
			gl(b, g, site, K_POLL);
			P(b, "</div>");
		}
		P(b, "</div></div></div><div class=\"bottom\">");
		gl(b, g, site, K_FOOTER);
		P(b, "<br>");
		gl(b, g, site, K_FOOTER);
		P(b, "</div></div>");
		break;
	case 2:
		P(b, "<table width=\"100%\"><tr><td colspan=\"3\"><b>");
		P(b, bpgen_site_name(site));
		P(b, "</b></td></tr><tr><td width=\"150\" valign=\"top\">");
		for (int i = 0; i < 8; i++) {
			P(b, "<a href=\"#\">");
			gl(b, g, site, K_NAV);
			P(b, "</a><br>");
		}
		P(b, "</td><td valign=\"top\"><font size=\"4\"><b>");
		esc(b, title);
		P(b, "</b></font><br>");
		paras(b, lead, body, "<p>", "</p>", g, site);
		P(b, "<p>");
		gl(b, g, site, K_COUNTER);
		P(b, "</p></td><td width=\"200\" valign=\"top\">");
		links(b, g, 6, "", "<br>", 1);
		P(b, "</td></tr><tr><td colspan=\"3\">");
		gl(b, g, site, K_FOOTER);
		P(b, "</td></tr></table>");
		break;
	default:
		P(b, "<div class=\"nav\">");
		for (int i = 0; i < 6; i++) {
			P(b, "<a href=\"#\">");
			gl(b, g, site, K_NAV);
			P(b, "</a> | ");
		}
		P(b, "</div><div class=\"main\"><h2>");
		esc(b, title);
		P(b, "</h2><div class=\"text\">");
		paras(b, lead, body, "", "<br><br>\n", g, site);
		P(b, "</div><div class=\"social\">");
		gl(b, g, site, K_SHARE);
		P(b, "</div><div class=\"cmt\"><b>Bình luận</b>");
		for (int i = 0; i < 3; i++) {
			P(b, "<p>");
			gl(b, g, site, K_COMMENT);
			P(b, "</p>");
		}
		P(b, "</div><div class=\"more\"><b>Tin khác</b><ul>");
		links(b, g, 5, "<li>", "</li>", 0);
		P(b, "</ul></div></div><div class=\"foot\">");
		gl(b, g, site, K_FOOTER);
		P(b, "</div>");
		break;
	}
	P(b, "</body></html>");
}

static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static size_t hashes(const char *s, size_t n, struct tokvec *tv, uint64_t **out, size_t *cap)
{
	cl_tokenize(s, n, tv, NULL);
	vec_reserve((void **)out, cap, tv->n + 1, sizeof(**out));
	for (size_t i = 0; i < tv->n; i++)
		(*out)[i] = tv->v[i].hash;
	qsort(*out, tv->n, sizeof(**out), cmp64);
	return tv->n;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	long want = 2000, dump = 0;
	char err[512];
	struct cltest t;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dump") && i + 1 < argc)
			dump = atol(argv[++i]);
		else if (!path)
			path = argv[i];
		else
			want = atol(argv[i]);
	}
	if (!path) {
		fprintf(stderr, "usage: cleaner-bench-html VIETNEWS.jsonl.gz [N] [--dump K]\n");
		return 2;
	}
	struct corpus *c = corpus_open(path);
	struct bpgen *g = bpgen_new(7);
	if (!c || !g || cltest_open(&t, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "cannot start: %s\n", c ? err : path);
		return 1;
	}
	struct cl_ctx *x = cleaner_ctx_get(t.c);
	struct buf html = {0}, truth = {0};
	struct tokvec tv = {0};
	uint64_t *ht = NULL, *ho = NULL;
	size_t capt = 0, capo = 0;
	double inter = 0, nout = 0, ntruth = 0, sp[4] = {0}, sr[4] = {0}, sf[4] = {0}, cnt[4] = {0};
	long done = 0;
	json_t *row;

	while (done < want && (row = corpus_next(c))) {
		const char *title = json_string_value(json_object_get(row, "title"));
		const char *lead = json_string_value(json_object_get(row, "summary"));
		const char *body = json_string_value(json_object_get(row, "body"));
		int layout = (int)(done % 4);
		page(&html, g, layout, title, lead, body);
		bpgen_remember(g, title, lead);
		buf_reset(&truth);
		buf_put(&truth, lead, strlen(lead));
		buf_putc(&truth, '\n');
		buf_put(&truth, body, strlen(body));
		json_decref(row);
		struct cl_result res;
		if (cleaner_run(t.c, x, html.p, html.len, NULL, 0, NULL, 0, NULL, NULL, &res) < 0)
			return 1;
		size_t a = hashes(truth.p, truth.len, &tv, &ht, &capt);
		size_t b = hashes(res.text, res.len, &tv, &ho, &capo);
		size_t i = 0, j = 0, k = 0;
		while (i < a && j < b) {
			if (ht[i] == ho[j])
				k++, i++, j++;
			else if (ht[i] < ho[j])
				i++;
			else
				j++;
		}
		inter += k;
		nout += b;
		ntruth += a;
		double p = b ? (double)k / b : 0, r = a ? (double)k / a : 0;
		sp[layout] += p;
		sr[layout] += r;
		sf[layout] += p + r > 0 ? 2 * p * r / (p + r) : 0;
		cnt[layout]++;
		if (done < dump)
			printf("=== page %ld (layout %d) P %.3f R %.3f\n%s\n--- out\n%s\n", done, layout, p,
			       r, html.p, res.text);
		done++;
	}
	double p = inter / nout, r = inter / ntruth;
	printf("pages %ld\nmicro: precision %.4f recall %.4f F1 %.4f\n", done, p, r,
	       2 * p * r / (p + r));
	double mp = 0, mr = 0, mf = 0, n = 0;
	for (int l = 0; l < 4; l++) {
		if (!cnt[l])
			continue;
		printf("layout %d: precision %.4f recall %.4f F1 %.4f (%g pages)\n", l, sp[l] / cnt[l],
		       sr[l] / cnt[l], sf[l] / cnt[l], cnt[l]);
		mp += sp[l], mr += sr[l], mf += sf[l], n += cnt[l];
	}
	printf("macro (per page): precision %.4f recall %.4f F1 %.4f\n", mp / n, mr / n, mf / n);
	cleaner_ctx_put(t.c, x);
	buf_free(&html);
	buf_free(&truth);
	tokvec_free(&tv);
	free(ht);
	free(ho);
	bpgen_free(g);
	corpus_close(c);
	cltest_close(&t);
	return 0;
}
