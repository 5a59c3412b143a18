/* dates.c — published_at, date_precision and event_dates.
 *
 * Numeric forms (08/03/2017, 17-2-2021, 2021-03, ISO 8601), times (06:53,
 * 13h15), zones (GMT+7), and word forms (ngày 8 tháng 3 năm 2017,
 * March 8, 2017) whose words come from the pack's `dates` section.
 *
 * published_at: the HTML meta tag; else a header line made only of a date,
 * a time, a zone and cue words ("Cập nhật: Thứ 4, 08/03/2017 | 06:53
 * GMT+7", "18/02/2021 - 13:15"); else any line that starts with a
 * publication cue followed by a date ("date 2021-03 …").  A date inside a
 * sentence ("Ngày 5/11/2021, Ban …") is an event date, never the
 * publication date.
 */
#include <stdio.h>
#include <string.h>

#include "extractor_int.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int xdate_valid(const struct xdate *d)
{
	if (d->prec == XP_NONE)
		return 0;
	if (d->y < 1900 || d->y > 2100 || d->mo < 1 || d->mo > 12)
		return 0;
	if (d->prec >= XP_DAY && (d->d < 1 || d->d > days_in_month(d->y, d->mo)))
		return 0;
	if (d->prec == XP_MINUTE && (d->h < 0 || d->h > 23 || d->mi < 0 || d->mi > 59 || d->s < 0 || d->s > 59))
		return 0;
	return 1;
}

int xdate_iso(const struct xdate *d, char *out, size_t cap)
{
	int off = d->tz_min, a = off < 0 ? -off : off;
	int r = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", d->y, d->mo,
			 d->prec >= XP_DAY ? d->d : 1, d->prec == XP_MINUTE ? d->h : 0,
			 d->prec == XP_MINUTE ? d->mi : 0, d->prec == XP_MINUTE ? d->s : 0,
			 off < 0 ? '-' : '+', a / 60, a % 60);
	return r > 0 && (size_t)r < cap ? r : -1;
}

int xdate_iso_day(const struct xdate *d, char *out, size_t cap)
{
	int r = snprintf(out, cap, "%04d-%02d-%02d", d->y, d->mo, d->d);
	return r > 0 && (size_t)r < cap ? r : -1;
}

static int num(const char *s, size_t len, size_t *i, int maxd, int *v)
{
	size_t k = *i;
	int n = 0, val = 0;

	while (k < len && is_digit(s[k]) && n < maxd + 1) {
		val = val * 10 + (s[k] - '0');
		k++;
		n++;
	}
	if (n == 0 || n > maxd)
		return 0;
	*i = k;
	*v = val;
	return n;
}

/* "+7", "+07", "+07:00", "+0700", "Z" at s[*i]. */
static int parse_offset(const char *s, size_t len, size_t *i, int *minutes)
{
	size_t k = *i;
	int sign, h = 0, m = 0, nd;

	if (k < len && s[k] == 'Z') {
		*minutes = 0;
		*i = k + 1;
		return 1;
	}
	if (k >= len || (s[k] != '+' && s[k] != '-'))
		return 0;
	sign = s[k] == '-' ? -1 : 1;
	k++;
	nd = num(s, len, &k, 4, &h);
	if (!nd)
		return 0;
	if (nd == 4) {
		m = h % 100;
		h /= 100;
	} else if (nd > 2) {
		return 0;
	} else if (k + 1 < len && s[k] == ':' && is_digit(s[k + 1])) {
		k++;
		if (num(s, len, &k, 2, &m) != 2)
			return 0;
	}
	if (h > 14 || m > 59)
		return 0;
	*minutes = sign * (h * 60 + m);
	*i = k;
	return 1;
}

/* HH:MM[:SS] or HHhMM at s[*i]. */
static int parse_time(const char *s, size_t len, size_t *i, struct xdate *d)
{
	size_t k = *i;
	int h, m, sec = 0;

	if (!num(s, len, &k, 2, &h) || k >= len)
		return 0;
	if (s[k] == ':' || s[k] == 'h') {
		char sep = s[k];
		k++;
		if (num(s, len, &k, 2, &m) != 2)
			return 0;
		if (sep == ':' && k + 2 < len && s[k] == ':' && is_digit(s[k + 1])) {
			k++;
			if (num(s, len, &k, 2, &sec) != 2)
				return 0;
		}
	} else {
		return 0;
	}
	if (h > 23 || m > 59 || sec > 59 || (k < len && is_digit(s[k])))
		return 0;
	d->h = h;
	d->mi = m;
	d->s = sec;
	d->has_time = 1;
	*i = k;
	return 1;
}

/* A numeric date at s[*i]: ISO (YYYY-MM-DD[THH:MM[:SS][offset]]), YYYY-MM,
 * D/M/YYYY, D-M-YYYY, D.M.YYYY, or D/M, D-M (no year: d->y = 0). */
static int parse_numdate(const char *s, size_t len, size_t *i, struct xdate *d, int allow_partial)
{
	size_t k = *i;
	int a, b, c, na, nb, nc;
	char sep;

	if (*i > 0 && (is_digit(s[*i - 1]) || s[*i - 1] == '/' || s[*i - 1] == '.' ||
		       xtext_wordchar_before(s, *i) ||
		       (s[*i - 1] == '-' && *i > 1 && is_digit(s[*i - 2]))))
		return 0;
	na = num(s, len, &k, 4, &a);
	if (!na || k >= len)
		return 0;
	sep = s[k];
	if (sep != '/' && sep != '-' && sep != '.')
		return 0;
	k++;
	nb = num(s, len, &k, 2, &b);
	if (!nb)
		return 0;
	if (na == 4) {
		/* ISO */
		memset(d, 0, sizeof(*d));
		d->y = a;
		d->mo = b;
		if (sep != '-' && sep != '/')
			return 0;
		if (k + 1 < len && s[k] == sep && is_digit(s[k + 1])) {
			k++;
			if (!num(s, len, &k, 2, &c))
				return 0;
			d->d = c;
			d->prec = XP_DAY;
			if (k + 1 < len && (s[k] == 'T' || s[k] == ' ') && is_digit(s[k + 1])) {
				size_t t = k + 1;
				if (parse_time(s, len, &t, d)) {
					k = t;
					d->prec = XP_MINUTE;
					if (k < len && s[k] == '.') { /* fractions of a second */
						k++;
						while (k < len && is_digit(s[k]))
							k++;
					}
					if (parse_offset(s, len, &k, &d->tz_min))
						d->has_tz = 1;
				}
			}
		} else {
			if (nb != 2 || (k < len && (is_digit(s[k]) || s[k] == '-' || s[k] == '/')))
				return 0;
			d->prec = XP_MONTH;
		}
		if (k < len && xtext_is_wordchar_at(s, len, k) && !d->has_tz)
			return 0;
		*i = k;
		return xdate_valid(d);
	}
	if (na > 2)
		return 0;
	memset(d, 0, sizeof(*d));
	d->d = a;
	d->mo = b;
	d->prec = XP_DAY;
	if (k + 1 < len && s[k] == sep && is_digit(s[k + 1])) {
		size_t t = k + 1;
		nc = num(s, len, &t, 4, &c);
		if (nc != 4)
			return 0;
		d->y = c;
		k = t;
	} else {
		if (!allow_partial || (k < len && (s[k] == '/' || s[k] == '-' || s[k] == '.') &&
				       k + 1 < len && is_digit(s[k + 1])))
			return 0;
		d->y = 0;
	}
	if (k < len && (is_digit(s[k]) || xtext_is_wordchar_at(s, len, k)))
		return 0;
	if (d->mo < 1 || d->mo > 12 || d->d < 1 || d->d > 31)
		return 0;
	if (d->y && !xdate_valid(d))
		return 0;
	*i = k;
	return 1;
}

static size_t skip_spaces(const char *s, size_t len, size_t i)
{
	while (i < len) {
		if (s[i] == ' ' || s[i] == '\t')
			i++;
		else if (i + 1 < len && (uint8_t)s[i] == 0xC2 && (uint8_t)s[i + 1] == 0xA0)
			i += 2;
		else
			break;
	}
	return i;
}

/* Word forms at s[*i]: "[ngày] 8 tháng 3 [năm 2017]", "tháng 3/2021",
 * "tháng 3 năm 2021", "March 8, 2017", "8 March 2017". */
static int parse_worddate(struct xctx *x, size_t *i, struct xdate *d)
{
	const char *s = x->text;
	size_t len = x->len, k = *i, e;
	int a, b, y;
	uint32_t pl;

	memset(d, 0, sizeof(*d));
	if (xctx_match_at(x, k, XC_DAY_WORD, &pl, &e) >= 0 && pl != XDW_CONNECTOR)
		k = skip_spaces(s, len, e);
	/* Month name first (English) */
	if (xctx_match_at(x, k, XC_MONTH_NAME, &pl, &e) >= 0) {
		size_t t = skip_spaces(s, len, e);
		if (num(s, len, &t, 2, &a)) {
			if (t < len && s[t] == ',')
				t++;
			t = skip_spaces(s, len, t);
			d->mo = (int)pl;
			d->d = a;
			d->prec = XP_DAY;
			if (num(s, len, &t, 4, &y) == 4)
				d->y = y;
			*i = t;
			return 1;
		}
		if (num(s, len, &t, 4, &y) == 4) {
			d->mo = (int)pl;
			d->y = y;
			d->prec = XP_MONTH;
			*i = t;
			return xdate_valid(d);
		}
		return 0;
	}
	if (xctx_match_at(x, k, XC_MONTH_WORD, &pl, &e) >= 0) {
		size_t t = skip_spaces(s, len, e);
		if (!num(s, len, &t, 2, &b))
			return 0;
		if (t + 1 < len && s[t] == '/' && num(s, len, &(size_t){t + 1}, 4, &y) == 4) {
			d->mo = b;
			d->y = y;
			d->prec = XP_MONTH;
			*i = t + 5;
			return xdate_valid(d);
		}
		size_t u = skip_spaces(s, len, t);
		if (xctx_match_at(x, u, XC_YEAR_WORD, &pl, &e) >= 0) {
			u = skip_spaces(s, len, e);
			if (num(s, len, &u, 4, &y) == 4) {
				d->mo = b;
				d->y = y;
				d->prec = XP_MONTH;
				*i = u;
				return xdate_valid(d);
			}
		}
		return 0;
	}
	if (!num(s, len, &k, 2, &a))
		return 0;
	size_t t = skip_spaces(s, len, k);
	if (xctx_match_at(x, t, XC_MONTH_NAME, &pl, &e) >= 0) {
		t = skip_spaces(s, len, e);
		d->d = a;
		d->mo = (int)pl;
		d->prec = XP_DAY;
		if (num(s, len, &t, 4, &y) == 4)
			d->y = y;
		*i = t;
		return 1;
	}
	if (xctx_match_at(x, t, XC_MONTH_WORD, &pl, &e) >= 0) {
		t = skip_spaces(s, len, e);
		if (!num(s, len, &t, 2, &b))
			return 0;
		d->d = a;
		d->mo = b;
		d->prec = XP_DAY;
		size_t u = skip_spaces(s, len, t);
		if (xctx_match_at(x, u, XC_YEAR_WORD, &pl, &e) >= 0) {
			u = skip_spaces(s, len, e);
			if (num(s, len, &u, 4, &y) == 4) {
				d->y = y;
				t = u;
			}
		}
		*i = t;
		return d->mo >= 1 && d->mo <= 12 && d->d >= 1 && d->d <= 31;
	}
	return 0;
}

static int is_sep_byte(char c)
{
	return c == ' ' || c == '\t' || c == '|' || c == '-' || c == ',' || c == ':' || c == '(' ||
	       c == ')' || c == '/' || c == '[' || c == ']' || c == '.';
}

/* Parses line li as a date line.  *pure: the whole line was date, time,
 * zone, separators and cue words.  *cue_first: a publication cue came
 * before the date.  Returns 1 when a date with a year was found. */
static int parse_line(struct xctx *x, size_t li, struct xdate *out, int *pure, int *cue_first)
{
	const struct xspan *sp = &XVEC_AT(&x->lines, struct xspan, li);
	const char *s = x->text;
	size_t i = sp->start, end = sp->end, e;
	struct xdate d = {0}, t = {0};
	int have_date = 0, have_time = 0, have_tz = 0, tz = 0, saw_cue = 0;
	uint32_t pl;

	*pure = 0;
	*cue_first = 0;
	while (i < end) {
		if (is_sep_byte(s[i])) {
			i++;
			continue;
		}
		if ((uint8_t)s[i] == 0xC2 && i + 1 < end && (uint8_t)s[i + 1] == 0xA0) {
			i += 2;
			continue;
		}
		if ((uint8_t)s[i] == 0xE2 && i + 2 < end && (uint8_t)s[i + 1] == 0x80 &&
		    ((uint8_t)s[i + 2] == 0x93 || (uint8_t)s[i + 2] == 0x94)) { /* – — */
			i += 3;
			continue;
		}
		/* a line of text ends the parse at its first word: with no match
		 * starting there, no digit and no zone offset, every ask below
		 * fails (parse_worddate needs a match or a digit), so the start
		 * bitmap decides at once */
		if (!is_digit(s[i]) && !(s[i] == '+' && have_time) &&
		    !(((const uint8_t *)x->mstart.p)[i >> 3] & (1u << (i & 7))))
			break;
		if (xctx_match_at(x, i, XC_PUB_CUE, &pl, &e) >= 0) {
			if (!have_date)
				saw_cue = 1;
			i = e;
			continue;
		}
		if (xctx_match_at(x, i, XC_TZ, &pl, &e) >= 0) {
			size_t k = e;
			if (parse_offset(s, end, &k, &tz)) {
				have_tz = 1;
				i = k;
				continue;
			}
			i = e;
			continue;
		}
		if (xctx_match_at(x, i, XC_WEEKDAY, &pl, &e) >= 0) {
			i = e;
			continue;
		}
		if (is_digit(s[i])) {
			size_t k = i;
			struct xdate nd;
			if (!have_date && parse_numdate(s, end, &k, &nd, 0)) {
				d = nd;
				have_date = 1;
				if (nd.has_tz) {
					have_tz = 1;
					tz = nd.tz_min;
				}
				i = k;
				continue;
			}
			k = i;
			if (!have_time && parse_time(s, end, &k, &t)) {
				have_time = 1;
				i = k;
				continue;
			}
			k = i;
			if (!have_date && parse_worddate(x, &k, &nd) && nd.y) {
				d = nd;
				have_date = 1;
				i = k;
				continue;
			}
			if (!have_date && (k = i, parse_offset(s, end, &k, &tz))) {
				i = k;
				continue;
			}
			break;
		}
		if (s[i] == '+' && have_time) {
			size_t k = i;
			if (parse_offset(s, end, &k, &tz)) {
				have_tz = 1;
				i = k;
				continue;
			}
		}
		size_t k = i;
		struct xdate nd;
		if (!have_date && parse_worddate(x, &k, &nd) && nd.y) {
			d = nd;
			have_date = 1;
			i = k;
			continue;
		}
		/* "ngày", "lúc" before a number: "Cập nhật lúc: 08:30 ngày
		 * 20/11/2026" (day words and the pack's `date_connectors`) */
		if (xctx_match_at(x, i, XC_DAY_WORD, &pl, &e) >= 0 && (k = skip_spaces(s, end, e)) < end &&
		    is_digit(s[k])) {
			i = k;
			continue;
		}
		break;
	}
	if (!have_date || !d.y)
		return 0;
	*pure = i >= end;
	*cue_first = saw_cue;
	if (have_time && d.prec == XP_DAY) {
		d.h = t.h;
		d.mi = t.mi;
		d.s = t.s;
		d.prec = XP_MINUTE;
	}
	d.has_tz = have_tz;
	d.tz_min = have_tz ? tz : x->default_tz_min;
	*out = d;
	return xdate_valid(&d);
}

int x_is_date_line(struct xctx *x, size_t li)
{
	struct xdate d;
	int pure, cue;

	return parse_line(x, li, &d, &pure, &cue) && (pure || cue);
}

int xdate_parse_iso(const char *s, size_t n, struct xdate *d, int default_tz_min)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	if (!parse_numdate(s, n, &i, d, 0))
		return 0;
	if (!d->has_tz)
		d->tz_min = default_tz_min;
	if (!d->y)
		return 0;
	return xdate_valid(d);
}

static long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int add_event(struct xctx *x, struct xdate *d, size_t at)
{
	char iso[16];
	(void)at;

	if (!d->y) {
		if (x->pub.prec < XP_DAY)
			return 0; /* no year to infer from: leave it out */
		d->y = x->pub.y;
		/* a day-month after the publication date is last year's */
		if (days_from_civil(d->y, d->mo, d->d) > days_from_civil(x->pub.y, x->pub.mo, x->pub.d) + 7)
			d->y--;
	}
	d->prec = XP_DAY;
	if (!xdate_valid(d))
		return 0;
	if (xdate_iso_day(d, iso, sizeof(iso)) < 0)
		return 0;
	return xctx_add_unique(x, &x->events, 'e', iso, strlen(iso));
}

int x_dates(struct xctx *x, const char *meta_published)
{
	size_t nlines = x->lines.len, pub_line = (size_t)-1;
	int rc;

	memset(&x->pub, 0, sizeof(x->pub));
	if (meta_published) {
		struct xdate d;
		if (xdate_parse_iso(meta_published, strlen(meta_published), &d, x->default_tz_min))
			x->pub = d;
	}
	/* header lines: a pure date line, or a cue-led date */
	size_t hdr = (size_t)x->header_end + 1;
	if (hdr > 4)
		hdr = 4;
	for (size_t li = 0; li < nlines && x->pub.prec == XP_NONE; li++) {
		struct xdate d;
		int pure, cue;
		if (parse_line(x, li, &d, &pure, &cue) && ((pure && li < hdr) || cue)) {
			x->pub = d;
			pub_line = li;
		}
	}
	/* event dates */
	const struct xtok *toks = x->toks.p;
	const uint32_t *tcats = x->tokcats.p;
	const size_t ntoks = x->toks.len;
	for (size_t ti = 0; ti < ntoks; ti++) {
		const struct xtok *t = &toks[ti];
		struct xdate d;
		size_t e, k;
		uint32_t pl;
		/* only a cue or a token with a digit can start a date: one test
		 * on the categories and flags passes over the other tokens */
		if (!(tcats[ti] & (1u << XC_EVENT_CUE)) && !(t->flags & XT_DIGIT))
			continue;
		if (t->line == pub_line)
			continue;
		if (xctx_match_at_tok(x, ti, XC_EVENT_CUE, &pl, NULL) >= 0) {
			xctx_match_at(x, t->start, XC_EVENT_CUE, &pl, &e);
			k = skip_spaces(x->text, x->len, e);
			/* "Chiều ngày 17-2": a second cue */
			size_t e2;
			if (xctx_match_at(x, k, XC_EVENT_CUE, &pl, &e2) >= 0)
				k = skip_spaces(x->text, x->len, e2);
			size_t k0 = k;
			if (k < x->len && is_digit(x->text[k]) && parse_numdate(x->text, x->len, &k, &d, 1)) {
				if ((rc = add_event(x, &d, k0)) < 0)
					return rc;
			} else if (k = k0, parse_worddate(x, &k, &d) && d.prec == XP_DAY) {
				if ((rc = add_event(x, &d, k0)) < 0)
					return rc;
			}
			continue;
		}
		if ((t->flags & XT_DIGIT) && x->text[t->start] >= '0' && x->text[t->start] <= '9') {
			k = t->start;
			if (parse_numdate(x->text, x->len, &k, &d, 0) && d.y && d.prec == XP_DAY) {
				if ((rc = add_event(x, &d, t->start)) < 0)
					return rc;
			}
		}
	}
	return 0;
}
