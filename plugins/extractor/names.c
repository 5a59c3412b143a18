/* names.c — title, bylines (authors, photo credits) and source.
 *
 * Every cue comes from the pack through the automaton; this file only
 * knows shapes: where a cue sits in a line, how long a byline may be, what
 * a printed name looks like (capitalised words, initials).
 */
#include <stdio.h>
#include <string.h>

#include "extractor_int.h"

static const struct xspan *line_at(const struct xctx *x, size_t li)
{
	return &XVEC_AT(&x->lines, struct xspan, li);
}

static const struct xtok *tok(const struct xctx *x, size_t i)
{
	return &XVEC_AT(&x->toks, struct xtok, i);
}

static int is_space_byte(const char *s, size_t i, size_t end, size_t *adv)
{
	if (s[i] == ' ' || s[i] == '\t') {
		*adv = 1;
		return 1;
	}
	if (i + 1 < end && (uint8_t)s[i] == 0xC2 && (uint8_t)s[i + 1] == 0xA0) {
		*adv = 2;
		return 1;
	}
	return 0;
}

static size_t trim_left(const char *s, size_t a, size_t b)
{
	size_t adv;
	while (a < b && is_space_byte(s, a, b, &adv))
		a += adv;
	return a;
}

static size_t trim_right(const char *s, size_t a, size_t b)
{
	while (b > a) {
		if (s[b - 1] == ' ' || s[b - 1] == '\t')
			b--;
		else if (b - a >= 2 && (uint8_t)s[b - 2] == 0xC2 && (uint8_t)s[b - 1] == 0xA0)
			b -= 2;
		else
			break;
	}
	return b;
}

/* Canonical text of a span into x->scratch: spaces collapsed; names in
 * ALL CAPS title-cased (when titlecase_caps); tone marks canonical, NFC. */
/* Why a cache: a name's canonical form costs four ICU conversions (UTF-16,
 * NFD, NFC, UTF-8), and the same few hundred names recur in every
 * article.  Keyed by the flag and the span's bytes as printed, so the
 * result is exactly what the computation below gives. */
static long canon_span(struct xctx *x, size_t start, size_t end, int titlecase_caps);

long x_canon_span(struct xctx *x, size_t start, size_t end, int titlecase_caps)
{
	struct xpack *p = x->pack;
	char key[258];
	size_t kl = end > start ? end - start : 0;
	long m;

	if (kl == 0 || kl > 256)
		return canon_span(x, start, end, titlecase_caps);
	key[0] = titlecase_caps ? '1' : '0';
	memcpy(key + 1, x->text + start, kl);
	long e = strmap_find(&p->names, key, kl + 1);
	if (e >= 0) {
		uint32_t off = XVEC_AT(&p->names.ents, struct strmap_ent, e).val;
		const char *c = p->names_arena.p + off;
		size_t cl = strlen(c);
		if (xbuf_reserve(&x->scratch, cl + 1) < 0)
			return -1;
		memcpy(x->scratch.p, c, cl + 1);
		return cl ? (long)cl : -1;
	}
	m = canon_span(x, start, end, titlecase_caps);
	/* a failure (-1) is cached as the empty string */
	uint32_t off = (uint32_t)p->names_arena.len;
	if (xbuf_add(&p->names_arena, m > 0 ? x->scratch.p : "", m > 0 ? (size_t)m : 0) < 0)
		return -1;
	p->names_arena.len++;
	if (strmap_put(&p->names, key, kl + 1, off, NULL) < 0)
		return -1;
	return m;
}

/* The canonical form of the span, computed (see x_canon_span). */
static long canon_span(struct xctx *x, size_t start, size_t end, int titlecase_caps)
{
	const char *s = x->text;
	char tmp[1024], tc[1024];
	size_t n = 0, adv;
	int space = 0, lower = 0, letters = 0;

	start = trim_left(s, start, end);
	end = trim_right(s, start, end);
	for (size_t i = start; i < end && n + 4 < sizeof(tmp);) {
		if (is_space_byte(s, i, end, &adv) || s[i] == '\n' || s[i] == '\r') {
			space = 1;
			i += s[i] == '\n' || s[i] == '\r' ? 1 : adv;
			continue;
		}
		if (space && n)
			tmp[n++] = ' ';
		space = 0;
		tmp[n++] = s[i++];
	}
	if (n == 0)
		return -1;
	const char *src = tmp;
	size_t sl = n;
	if (titlecase_caps && !memchr(tmp, '.', n)) {
		for (size_t i = 0; i < n; i++) {
			char c = tmp[i];
			if (c >= 'a' && c <= 'z')
				lower = 1;
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (uint8_t)c >= 0x80)
				letters++;
		}
		if (!lower && letters > 3) {
			/* non-ASCII letters: compare with the upper-cased form */
			char up[1024];
			long m = xcase_upper(tmp, n, up, sizeof(up));
			if (m == (long)n && memcmp(up, tmp, n) == 0) {
				char low[1024];
				long l2 = xcase_lower(tmp, n, low, sizeof(low));
				long t2 = l2 > 0 ? xcase_title_words(low, (size_t)l2, tc, sizeof(tc)) : -1;
				if (t2 > 0) {
					src = tc;
					sl = (size_t)t2;
				}
			}
		}
	}
	if (xbuf_reserve(&x->scratch, sl * 2 + 16) < 0)
		return -1;
	long m = xtone_canon(x->pack->tone, src, sl, x->scratch.p, x->scratch.cap, 0);
	if (m < 0) {
		memcpy(x->scratch.p, src, sl);
		m = (long)sl;
	}
	x->scratch.p[m] = '\0';
	return m;
}

int x_add_name(struct xctx *x, struct xvec *list, char kind, size_t start, size_t end)
{
	long m = x_canon_span(x, start, end, 1);

	if (m <= 0)
		return 0;
	return xctx_add_unique(x, list, kind, x->scratch.p, (size_t)m);
}

/* Tokens [t0, t1) covering exactly [start, end). */
static int tok_range(const struct xctx *x, size_t start, size_t end, size_t *t0, size_t *t1)
{
	long a = xctx_tok_at(x, start);
	size_t i;

	if (a < 0)
		return 0;
	i = (size_t)a;
	*t0 = i;
	while (i < x->toks.len && tok(x, i)->end <= end)
		i++;
	*t1 = i;
	return *t1 > *t0;
}

int x_name_shaped(struct xctx *x, size_t start, size_t end)
{
	const char *s = x->text;
	size_t t0, t1, adv;

	start = trim_left(s, start, end);
	end = trim_right(s, start, end);
	while (end > start && (s[end - 1] == '.' || s[end - 1] == ','))
		end--;
	if (end <= start || !tok_range(x, start, end, &t0, &t1))
		return 0;
	if (tok(x, t0)->start != start || tok(x, t1 - 1)->end != end)
		return 0;
	if (t1 - t0 > 5)
		return 0;
	for (size_t i = t0; i < t1; i++) {
		const struct xtok *t = tok(x, i);
		if (!(t->flags & XT_CAP) || (t->flags & XT_DIGIT))
			return 0;
		if (i > t0) {
			/* gap: spaces, or an initial's dot */
			for (size_t g = tok(x, i - 1)->end; g < t->start;) {
				if (s[g] == '.')
					g++;
				else if (is_space_byte(s, g, t->start, &adv))
					g += adv;
				else
					return 0;
			}
		}
	}
	/* a lone capitalised stop word ("Các", "The") is no name */
	if (t1 - t0 == 1) {
		const struct xtok *t = tok(x, t0);
		const struct xsyl *sy = xpack_syl(x->pack, s + t->start, t->end - t->start);
		if (!sy || (sy->flags & XS_STOP))
			return 0;
	}
	return 1;
}

/* Splits [a,b) at name separators (, ; & / " - " " – " and lower-case
 * words such as "và", "and") and adds each name-shaped part. */
/* A weekday that opens a date glued to a name ("Bài: Lâm Phúc Thứ Năm,
 * 02/11/2023" when a page puts byline and date on one line): the weekday
 * is followed by a comma, a digit or the end; returns its end, or 0. */
static size_t weekday_at(const struct xctx *x, size_t i, size_t b)
{
	const char *s = x->text;
	uint32_t pl;
	size_t e, adv;

	if (xctx_match_at(x, i, XC_WEEKDAY, &pl, &e) < 0 || e > b)
		return 0;
	size_t j = e;
	while (j < b && is_space_byte(s, j, b, &adv))
		j += adv;
	return j == b || s[j] == ',' || s[j] == '-' || (s[j] >= '0' && s[j] <= '9') ? e : 0;
}

/* Does the part starting at byte p open with an organisation or an outlet
 * ("Ảnh: Công an Nghệ An", "Nguồn: Báo Lao động")?  Such a part is credited
 * whole: its lower-case words ("an") are part of the name. */
static int org_part_at(const struct xctx *x, size_t p)
{
	static const enum xcat cats[] = {XC_ORG_HEAD, XC_ORG, XC_OUTLET, XC_OUTLET_PREFIX};
	uint32_t pl;
	size_t e;

	for (size_t k = 0; k < sizeof(cats) / sizeof(cats[0]); k++)
		if (xctx_match_at(x, p, cats[k], &pl, &e) >= 0)
			return 1;
	return 0;
}

static int add_names(struct xctx *x, struct xvec *list, char kind, size_t a, size_t b)
{
	const char *s = x->text;
	size_t part = a;
	int rc, added = 0, org = -1; /* org: this part opens with an organisation */

	for (size_t i = a; i <= b;) {
		size_t cut = 0, skip = 1;
		if (org < 0 && i >= trim_left(s, part, b))
			org = org_part_at(x, trim_left(s, part, b));
		if (i == b) {
			cut = 1;
			skip = 0;
		} else if (s[i] == ',' || s[i] == ';' || s[i] == '&' || s[i] == '/') {
			cut = 1;
		} else if (s[i] == '-' && i > a && s[i - 1] == ' ' && i + 1 < b && s[i + 1] == ' ') {
			cut = 1;
		} else if ((uint8_t)s[i] == 0xE2 && i + 2 < b && (uint8_t)s[i + 1] == 0x80 &&
			   ((uint8_t)s[i + 2] == 0x93 || (uint8_t)s[i + 2] == 0x94)) {
			cut = 1;
			skip = 3;
		} else {
			long ti = xctx_tok_at(x, i);
			size_t we;
			if (ti >= 0 && tok(x, (size_t)ti)->start == i && (tok(x, (size_t)ti)->flags & XT_LOWER)) {
				if (org > 0) {
					i = tok(x, (size_t)ti)->end;
					continue;
				}
				cut = 1;
				skip = tok(x, (size_t)ti)->end - i;
			} else if (ti >= 0 && tok(x, (size_t)ti)->start == i && (we = weekday_at(x, i, b))) {
				cut = 1;
				skip = we - i;
			}
		}
		if (cut) {
			if (org > 0 || x_name_shaped(x, part, i)) {
				size_t e = trim_right(s, part, i);
				while (e > part && (s[e - 1] == '.' || s[e - 1] == ',' ||
						    (org > 0 && (s[e - 1] == ')' || s[e - 1] == ']'))))
					e--;
				if ((rc = x_add_name(x, list, kind, part, e)) < 0)
					return rc;
				added++;
			}
			part = i + skip;
			i += skip;
			org = -1;
			if (!skip)
				break;
			continue;
		}
		i++;
	}
	return added;
}

static size_t line_words(const struct xctx *x, size_t li)
{
	const struct xspan *sp = line_at(x, li);
	return sp->tok1 - sp->tok0;
}

/* Matches of cat starting at the line's first byte (after an opening
 * parenthesis or bracket). */
static long cue_at_line_start(const struct xctx *x, size_t li, enum xcat cat, size_t *end)
{
	const struct xspan *sp = line_at(x, li);
	uint32_t pl;
	size_t at = sp->start;

	if (at < sp->end && (x->text[at] == '(' || x->text[at] == '['))
		at++;
	return xctx_match_at(x, at, cat, &pl, end);
}

/* The credit cue starting at byte at, the longest of the four kinds
 * (author, author and photo, photo/visual, other role): its category, or
 * 0 when there is none; *end = the cue's end. */
static int credit_cue_at(const struct xctx *x, size_t at, size_t *end)
{
	static const enum xcat cats[] = {XC_AUTHOR_PHOTO_CUE, XC_AUTHOR_CUE, XC_PHOTO_CUE, XC_CREDIT_CUE};
	uint32_t pl;
	size_t e;
	int best = 0;

	*end = 0;
	/* asked of every line: most start no match at all, which the match
	 * index by start byte tells at once (the four asks below would each
	 * test it again) */
	if (at >= x->len || !(((const uint8_t *)x->mstart.p)[at >> 3] & (1u << (at & 7))) ||
	    !(XVEC_AT(&x->mbyte, struct xmstart, at).cats &
	      ((1u << XC_AUTHOR_PHOTO_CUE) | (1u << XC_AUTHOR_CUE) | (1u << XC_PHOTO_CUE) | (1u << XC_CREDIT_CUE))))
		return 0;
	for (size_t k = 0; k < sizeof(cats) / sizeof(cats[0]); k++)
		if (xctx_match_at(x, at, cats[k], &pl, &e) >= 0 && e > *end) {
			best = (int)cats[k];
			*end = e;
		}
	return best;
}

/* Is [a,b) made only of credited names: name-shaped parts, outlets or
 * codes in capitals (VTV24), separated by punctuation or conjunctions
 * (stop words)?  A visual cue is also a caption label ("Video: Cận cảnh
 * vụ cháy", "Ảnh: minh họa"): only a list of names makes it a credit.
 * first_only: only the first part must be a name (an author's credit
 * may go on with a job title: "Tác giả: Nguyễn Văn A - Giám đốc Sở"). */
static int names_only(struct xctx *x, size_t a, size_t b, int first_only)
{
	const char *s = x->text;
	size_t part = a;
	int names = 0, org = -1; /* org: the part opens with an organisation or outlet */

	for (size_t i = a; i <= b;) {
		size_t skip = 1;
		int cut = 0;
		if (org < 0 && i > trim_left(s, part, b)) {
			/* "Ảnh: Công an Hà Tĩnh", "Nguồn clip: Báo Lao động" (but
			 * "Clip: Công an làm bảo mẫu cho bé trai đi lạc" is a caption:
			 * five words at most) */
			size_t p0 = trim_left(s, part, b), e;
			uint32_t pl;
			org = xctx_match_at(x, p0, XC_ORG_HEAD, &pl, &e) >= 0 || xctx_match_at(x, p0, XC_ORG, &pl, &e) >= 0 ||
			      xctx_match_at(x, p0, XC_OUTLET, &pl, &e) >= 0 ||
			      xctx_match_at(x, p0, XC_OUTLET_PREFIX, &pl, &e) >= 0;
		}
		if (i == b) {
			cut = 1;
		} else if (strchr(",;&/()[]|-", s[i])) {
			cut = 1;
		} else if ((uint8_t)s[i] == 0xE2 && i + 2 < b && (uint8_t)s[i + 1] == 0x80 &&
			   ((uint8_t)s[i + 2] == 0x93 || (uint8_t)s[i + 2] == 0x94)) {
			cut = 1;
			skip = 3;
		} else if (xctx_tok_at(x, i) >= 0 && tok(x, (size_t)xctx_tok_at(x, i))->start == i &&
			   weekday_at(x, i, b)) {
			cut = 1;
			skip = weekday_at(x, i, b) - i;
		} else {
			long ti = xctx_tok_at(x, i);
			if (ti >= 0 && tok(x, (size_t)ti)->start == i && (tok(x, (size_t)ti)->flags & XT_LOWER)) {
				const struct xtok *t = tok(x, (size_t)ti);
				const struct xsyl *sy = xpack_syl(x->pack, s + t->start, t->end - t->start);
				if (org > 0) {
					i = t->end;
					continue;
				}
				if (!sy || !(sy->flags & XS_STOP))
					return first_only && names; /* a lower-case word of a sentence */
				cut = 1;
				skip = t->end - i;
			}
		}
		if (!cut) {
			i++;
			continue;
		}
		size_t p0 = trim_left(s, part, i), p1 = trim_right(s, part, i);
		while (p1 > p0 && strchr(".:+!", s[p1 - 1]))
			p1--; /* "Vietnam+" */
		if (p1 > p0) {
			size_t t0, t1, e;
			uint32_t pl;
			int caps = tok_range(x, p0, p1, &t0, &t1) && t1 - t0 <= 2;
			for (size_t k = t0; caps && k < t1; k++)
				if (!(tok(x, k)->flags & XT_UPPER) && !(tok(x, k)->flags & XT_DIGIT))
					caps = 0;
			int short_org = org > 0 && tok_range(x, p0, p1, &t0, &t1) && t1 - t0 <= 5;
			if (short_org || x_name_shaped(x, p0, p1) || caps ||
			    (xctx_match_at(x, p0, XC_OUTLET, &pl, &e) >= 0 && e == p1))
				names++;
			else
				return 0;
			if (first_only)
				return 1;
		}
		if (i == b)
			break;
		i += skip;
		part = i;
		org = -1;
	}
	return names > 0;
}

/* The next credit cue in line li after byte from, opening a new part of
 * the credit ("Bài: A - Ảnh: B", "Reporting by A; Editing by B"): its
 * start (the byte after the separator), or the line's end. */
static size_t next_credit_cue(const struct xctx *x, const struct xspan *sp, size_t from, size_t *cue_start)
{
	const char *s = x->text;
	size_t e;

	for (size_t ti = sp->tok0; ti < sp->tok1; ti++) {
		const struct xtok *t = tok(x, ti);
		if (t->start <= from || ti == sp->tok0 || !(t->flags & XT_PUNCT_BEFORE))
			continue;
		size_t g = tok(x, ti - 1)->end;
		int sep = 0;
		for (size_t k = g; k < t->start; k++)
			if (strchr(",;|-(/", s[k]) || (uint8_t)s[k] == 0xE2)
				sep = 1;
		if (sep && credit_cue_at(x, t->start, &e)) {
			*cue_start = t->start;
			return g;
		}
	}
	*cue_start = sp->end;
	return sp->end;
}

/* A line opening with credit cues: each part goes to its field.  1 when
 * the line is a credit, 0 when it is not (a caption after a visual cue),
 * -1 on ENOMEM. */
static int do_credit_parts(struct xctx *x, size_t li, size_t at, size_t lend)
{
	const struct xspan *sp = line_at(x, li);
	const char *s = x->text;
	size_t words = line_words(x, li), maxw = (size_t)x->pack->byline_max_words, nparts = 0;
	size_t e, cs, pe;
	int cat;

	/* every part first: a caption anywhere makes the line no credit */
	for (size_t c = at; c < lend; c = cs) {
		if (!(cat = credit_cue_at(x, c, &e)))
			return 0;
		pe = next_credit_cue(x, sp, e, &cs);
		if (pe > lend)
			pe = lend;
		if (cat == XC_PHOTO_CUE && !names_only(x, e, pe, 0))
			return 0;
		if ((cat == XC_AUTHOR_CUE || cat == XC_AUTHOR_PHOTO_CUE) && !names_only(x, e, pe, 1) &&
		    xctx_match_at(x, trim_left(s, e, pe), XC_GROUP_AUTHOR, &(uint32_t){0}, &(size_t){0}) < 0)
			return 0;
		nparts++;
	}
	if (words > nparts * (maxw + 3))
		return 0;
	for (size_t c = at; c < lend; c = cs) {
		uint32_t pl;
		size_t e2, k;
		cat = credit_cue_at(x, c, &e);
		pe = next_credit_cue(x, sp, e, &cs);
		if (pe > lend)
			pe = lend;
		switch (cat) {
		case XC_AUTHOR_PHOTO_CUE:
			if (add_names(x, &x->authors, 'a', e, pe) < 0 || add_names(x, &x->photos, 'p', e, pe) < 0)
				return -1;
			break;
		case XC_AUTHOR_CUE:
			k = trim_left(s, e, pe);
			if (xctx_match_at(x, k, XC_GROUP_AUTHOR, &pl, &e2) >= 0) {
				if (xctx_add_unique(x, &x->authors, 'a', xpack_canon(x->pack, pl),
						    strlen(xpack_canon(x->pack, pl))) < 0)
					return -1;
			} else if (add_names(x, &x->authors, 'a', e, pe) < 0) {
				return -1;
			}
			break;
		case XC_PHOTO_CUE:
			if (add_names(x, &x->photos, 'p', e, pe) < 0)
				return -1;
			break;
		default:
			break; /* another role (editing): a credit, no field */
		}
	}
	return 1;
}

static int do_byline_line(struct xctx *x, size_t li)
{
	const struct xspan *sp = line_at(x, li);
	const char *s = x->text;
	size_t e, words = line_words(x, li), at = sp->start, maxw = (size_t)x->pack->byline_max_words;
	size_t lend = sp->end;
	int rc;

	/* a closing parenthesis of "(Ảnh: X)" or "(Tác giả: X)" */
	if (lend > sp->start && (s[lend - 1] == ')' || s[lend - 1] == ']') &&
	    (s[sp->start] == '(' || s[sp->start] == '['))
		lend--;
	if (at < lend && (s[at] == '(' || s[at] == '['))
		at++;
	if (credit_cue_at(x, at, &e) && (rc = do_credit_parts(x, li, at, lend)) != 0)
		return rc;
	{
		uint32_t pl;
		size_t e2;
		if (xctx_match_at(x, sp->start, XC_GROUP_AUTHOR, &pl, &e2) >= 0 &&
		    trim_left(s, e2, sp->end) >= sp->end)
			return xctx_add_unique(x, &x->authors, 'a', xpack_canon(x->pack, pl),
					       strlen(xpack_canon(x->pack, pl))) < 0 ? -1 : 1;
	}
	/* "Nam Bằng - Lệ Như (thực hiện)" */
	if (words <= maxw + 3) {
		/* matches are sorted by start: only those starting inside the
		 * line (from the first one there, by binary search) can lie
		 * in it, and only one with the suffix's category can count
		 * (the index by start byte says which starts have one) */
		const struct ac_match *ms = x->matches.p;
		const struct xmstart *mb = x->mbyte.p;
		size_t lo = 0, hi = x->matches.len;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (ms[mid].start < sp->start)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t m = lo; m < x->matches.len && ms[m].start < sp->end; m++) {
			const struct ac_match *am = &ms[m];
			uint32_t nt;
			const struct xtag *tg;
			if (am->end > sp->end || !(mb[am->start].cats & (1u << XC_AUTHOR_SUFFIX)))
				continue;
			if (trim_left(s, am->end, sp->end) < sp->end)
				continue;
			tg = xpack_tags(x->pack, am->pat, &nt);
			for (uint32_t k = 0; k < nt; k++)
				if (tg[k].cat == XC_AUTHOR_SUFFIX && am->start > sp->start)
					return add_names(x, &x->authors, 'a', sp->start, am->start) < 0 ? -1 : 1;
		}
	}
	/* "Theo Minh Anh" / "Theo Minh Anh/VOV" (outlets are the source's job) */
	if (xctx_match_at(x, sp->start, XC_VIA_CUE, &(uint32_t){0}, &e) >= 0 && words <= 7 &&
	    s[sp->end - 1] != ':' ) {
		size_t k = trim_left(s, e, sp->end), e2, slash;
		uint32_t pl;
		if (xctx_match_at(x, k, XC_OUTLET, &pl, &e2) >= 0 && trim_left(s, e2, sp->end) >= sp->end)
			return 0;
		for (slash = k; slash < sp->end && s[slash] != '/'; slash++)
			;
		if (x_name_shaped(x, k, slash))
			return x_add_name(x, &x->authors, 'a', k, trim_right(s, k, slash)) < 0 ? -1 : 1;
	}
	return 0;
}

/* Remembers bytes [a, b) as a credit (byline, photo credit): the names
 * there are the article's authors, not people it mentions, and
 * x_entities() leaves them out. */
static int add_credit(struct xctx *x, size_t a, size_t b)
{
	struct xspan *c = xvec_push(&x->credits);

	if (!c)
		return -1;
	c->start = (uint32_t)a;
	c->end = (uint32_t)b;
	return 0;
}

/* Was line li recorded whole as a credit? */
static int is_credit_line(const struct xctx *x, size_t li)
{
	const struct xspan *sp = line_at(x, li);

	for (size_t k = 0; k < x->credits.len; k++) {
		const struct xspan *c = &XVEC_AT(&x->credits, struct xspan, k);
		if (c->start == sp->start && c->end == sp->end)
			return 1;
	}
	return 0;
}

int x_bylines(struct xctx *x)
{
	const char *s = x->text;
	int rc;

	x->credits.len = 0;
	for (size_t li = 0; li < x->lines.len; li++) {
		if ((rc = do_byline_line(x, li)) < 0)
			return rc;
		if (rc > 0 && add_credit(x, line_at(x, li)->start, line_at(x, li)->end) < 0)
			return -1;
	}
	/* inline photo credits: "(Ảnh: Minh Anh)", and a caption's credit
	 * after its last sentence or a dash, "Phố cổ về đêm. Ảnh: Ngọc Thành",
	 * "Cầu mới nhìn từ trên cao - Ảnh: ĐOÀN CƯỜNG", to the end of the
	 * line */
	for (size_t m = 0; m < x->matches.len; m++) {
		const struct ac_match *am = &XVEC_AT(&x->matches, struct ac_match, m);
		uint32_t nt;
		/* the tests below that do not depend on the tag, first: few
		 * matches follow a '(' or a sentence's end (and fewer start a
		 * photo cue) */
		if (am->start < 2)
			continue;
		char b1 = s[am->start - 1], b2 = s[am->start - 2];
		int paren = b1 == '(';
		if (!(paren || (b1 == ' ' && (b2 == '.' || b2 == '!' || b2 == '?' || b2 == '-'))) ||
		    !(XVEC_AT(&x->mbyte, struct xmstart, am->start).cats & (1u << XC_PHOTO_CUE)))
			continue;
		const struct xtag *tg = xpack_tags(x->pack, am->pat, &nt);
		for (uint32_t k = 0; k < nt; k++) {
			if (tg[k].cat != XC_PHOTO_CUE)
				continue;
			size_t lim = x->len - am->end < 120 ? x->len - am->end : 120, end;
			const char *close = memchr(s + am->end, paren ? ')' : '\n', lim);
			if (close)
				end = (size_t)(close - s);
			else if (!paren && x->len - am->end <= 120)
				end = x->len; /* the text's last line */
			else
				continue;
			if (names_only(x, am->end, end, 0) &&
			    ((rc = add_names(x, &x->photos, 'p', am->end, end)) < 0 || add_credit(x, am->start, end) < 0))
				return -1;
		}
	}
	/* A bare name as the very last line ("Hữu Hiệp", "Thanh Vân/VOV.VN")
	 * when no cue named anyone. */
	if (x->authors.len == 0 && x->lines.len >= 3) {
		/* the last line that is not itself a credit ("Lê Anh" above
		 * "Ảnh: Khoa Nguyễn") */
		size_t last = x->lines.len - 1;
		while (last > 2 && (is_credit_line(x, last) || credit_cue_at(x, line_at(x, last)->start, &(size_t){0})))
			last--; /* also a caption after a visual cue ("Video: Cận cảnh …") */
		const struct xspan *sp = line_at(x, last);
		const char *slash = memchr(s + sp->start, '/', sp->end - sp->start);
		if (slash && sp->tok1 - sp->tok0 <= 8 && x_name_shaped(x, sp->start, (size_t)(slash - s)) &&
		    xctx_match_at(x, sp->start, XC_VIA_CUE, &(uint32_t){0}, &(size_t){0}) < 0)
			return x_add_name(x, &x->authors, 'a', sp->start,
					  trim_right(s, sp->start, (size_t)(slash - s))) < 0 ||
				       add_credit(x, sp->start, sp->end) < 0
				   ? -1
				   : 0;
		size_t w = sp->tok1 - sp->tok0;
		int caps = 1, joined_names = 0;
		for (size_t i = sp->start; i + 2 < sp->end; i++)
			if ((s[i] == ' ' && s[i + 1] == '-' && s[i + 2] == ' ') || s[i] == ',')
				joined_names = 1;
		/* ALL CAPS for several names ("ĐÌNH THUNG - LÊ KHÁNH"), and for
		 * one name ("NGỌC HIỂN", as several outlets sign) when no two of
		 * its words make a word of the language: never for a widget
		 * label ("BÌNH LUẬN", "TIN LIÊN QUAN", "XEM THÊM") */
		for (size_t i = sp->tok0; i < sp->tok1; i++)
			if ((tok(x, i)->flags & XT_UPPER) && !joined_names) {
				int word = !x->pack->df_docs || w > 4;
				for (size_t k = sp->tok0; !word && k + 1 < sp->tok1; k++) {
					const struct xsyl *sy = x_tok_syl(x, k);
					word = !sy || (sy->flags & XS_STOP) || x_pair_is_word(x, k);
				}
				const struct xsyl *sl = x_tok_syl(x, sp->tok1 - 1);
				if (word || !sl || (sl->flags & XS_STOP))
					caps = 0;
				break;
			}
		if (w >= 2 && w <= 8 && caps && x_name_shaped(x, sp->start, sp->end) &&
		    xctx_match_at(x, sp->start, XC_OUTLET_PREFIX, &(uint32_t){0}, &(size_t){0}) < 0 &&
		    xctx_match_at(x, sp->start, XC_OUTLET, &(uint32_t){0}, &(size_t){0}) < 0 &&
		    xctx_match_at(x, sp->start, XC_VIA_CUE, &(uint32_t){0}, &(size_t){0}) < 0)
			return add_names(x, &x->authors, 'a', sp->start, sp->end) < 0 ||
				       add_credit(x, sp->start, sp->end) < 0
				   ? -1
				   : 0;
		if (w >= 3 && w <= 8 && caps) {
			/* "Nam Bằng - Lệ Như": capitalised words joined by dashes or commas */
			int ok = 1;
			for (size_t i = sp->tok0; i < sp->tok1 && ok; i++) {
				if (!(tok(x, i)->flags & XT_CAP) || (tok(x, i)->flags & XT_DIGIT))
					ok = 0;
				if (i > sp->tok0)
					for (size_t g = tok(x, i - 1)->end; g < tok(x, i)->start; g++)
						if (s[g] != ' ' && s[g] != '-' && s[g] != ',' && s[g] != '.')
							ok = 0;
			}
			if (ok && (add_names(x, &x->authors, 'a', sp->start, sp->end) < 0 ||
				   add_credit(x, sp->start, sp->end) < 0))
				return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- title */

static int ends_sentence(const char *s, size_t a, size_t b)
{
	b = trim_right(s, a, b);
	if (b == a)
		return 1;
	char c = s[b - 1];
	if (c == '.' || c == ':' || c == ';' || c == ',')
		return 1;
	if (b - a >= 3 && (uint8_t)s[b - 3] == 0xE2 && (uint8_t)s[b - 2] == 0x80 && (uint8_t)s[b - 1] == 0xA6)
		return 1; /* … */
	return 0;
}

static int set_title(struct xctx *x, const char *s, size_t n)
{
	char buf[2048];
	long m;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (!n)
		return 0;
	x->title.len = 0;
	m = n < 1000 ? xtone_canon(NULL, s, n, buf, sizeof(buf), 0) : -1; /* NFC only */
	if (m > 0) {
		s = buf;
		n = (size_t)m;
	}
	return xctx_add_unique(x, &x->title, 't', s, n);
}

/* t[0..n) opens with an outlet word of the pack ("Báo", "Cổng thông tin
 * điện tử") or an outlet's name; whole: the outlet's name must be all of
 * it (an outlet word may open a longer name either way). */
static int opens_with_outlet(struct xctx *x, const char *t, size_t n, int whole)
{
	struct xvec m = {.esz = sizeof(struct ac_match)};
	int yes = 0;

	if (ac_scan_str(x->pack->ac, t, n, &m) == 0)
		for (size_t i = 0; i < m.len && !yes; i++) {
			const struct ac_match *am = &XVEC_AT(&m, struct ac_match, i);
			uint32_t nt;
			const struct xtag *tg = xpack_tags(x->pack, am->pat, &nt);
			for (uint32_t k = 0; k < nt; k++)
				if (am->start == 0 && (tg[k].cat == XC_OUTLET_PREFIX ||
						       (tg[k].cat == XC_OUTLET && (!whole || am->end == n))))
					yes = 1;
		}
	xvec_free(&m);
	return yes;
}

/* Drops a trailing " - Site" / " | Site" from an HTML title. */
static size_t strip_site(struct xctx *x, const char *t, size_t n, const char *site)
{
	static const char *const seps[] = {" | ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", " :: ", " \xC2\xBB "};
	size_t best = 0, bl = 0;

	for (size_t k = 0; k < sizeof(seps) / sizeof(seps[0]); k++) {
		size_t sl = strlen(seps[k]);
		for (size_t i = n > sl ? n - sl : 0; i > 0; i--)
			if (memcmp(t + i, seps[k], sl) == 0) {
				if (i > best) {
					best = i;
					bl = sl;
				}
				break;
			}
	}
	if (!best)
		return n;
	const char *suf = t + best + bl;
	size_t sn = n - best - bl, words = 1, dots = 0;
	for (size_t i = 0; i < sn; i++) {
		if (suf[i] == ' ')
			words++;
		if (suf[i] == '.')
			dots++;
	}
	int strip = 0;
	if (site && strlen(site) == sn && strncasecmp(site, suf, sn) == 0)
		strip = 1;
	else if (dots && words == 1)
		strip = 1; /* a domain */
	else if (words <= 8) {
		/* an outlet name of the pack, or a name opening with an outlet
		 * word ("Báo Điện tử Nhân Dân Việt") */
		strip = opens_with_outlet(x, suf, sn, 0);
		if (!strip && words <= 4 && best > sn && bl == 3 && t[best + 1] == '|')
			strip = 1; /* "Title | Section or Site" */
	}
	return strip ? best : n;
}

/* The text's own heading: the first line that is not a date line, when it
 * reads as one (see x_title).  1 and its span, or 0. */
static int text_heading(struct xctx *x, int max_words, size_t *a, size_t *b)
{
	const char *s = x->text;

	for (size_t li = 0; li < x->lines.len && li < 4; li++) {
		const struct xspan *sp = line_at(x, li);
		size_t w = line_words(x, li);
		if (x_is_date_line(x, li))
			continue;
		if (li + 1 >= x->lines.len)
			return 0; /* no lede after it */
		if (w < 2 || (int)w > max_words || ends_sentence(s, sp->start, sp->end))
			return 0;
		if (s[sp->start] == '(')
			return 0; /* a lead-in "(QT) -" */
		size_t e;
		uint32_t pl;
		/* a credit is no heading; a caption label is ("Video: Cận cảnh …") */
		int cue = credit_cue_at(x, sp->start, &e);
		if ((cue && (cue != XC_PHOTO_CUE || names_only(x, e, sp->end, 0))) ||
		    xctx_match_at(x, sp->start, XC_SOURCE_CUE, &pl, &e) >= 0)
			return 0;
		/* a heading is shorter than the paragraph after it */
		const struct xspan *nx = line_at(x, li + 1);
		if (x_is_date_line(x, li + 1) && li + 2 < x->lines.len)
			nx = line_at(x, li + 2);
		if (nx->tok1 - nx->tok0 < w)
			return 0;
		*a = sp->start;
		*b = sp->end;
		return 1;
	}
	return 0;
}

/* An HTML title that names the site, not the article: the site's name,
 * or an outlet's name or a name opening with an outlet word ("Cổng thông
 * tin điện tử huyện Lục Nam"), with nothing before it. */
static int title_is_site(struct xctx *x, const char *t, size_t n, const char *site)
{
	if (site && strlen(site) == n && strncasecmp(site, t, n) == 0)
		return 1;
	return opens_with_outlet(x, t, n, 1);
}

int x_title(struct xctx *x, const char *meta_title, const char *meta_og_title,
	    const char *site_name, int max_words)
{
	const char *mt = meta_og_title && *meta_og_title ? meta_og_title : meta_title;
	size_t a, b;

	if (mt && *mt) {
		size_t n = strip_site(x, mt, strlen(mt), site_name);
		/* a portal's page title is often the portal's name: the text's
		 * heading (the page's headline) is the article's then */
		if (!(mt == meta_title && title_is_site(x, mt, n, site_name) && text_heading(x, max_words, &a, &b)))
			return set_title(x, mt, n);
		return set_title(x, x->text + a, b - a);
	}
	return text_heading(x, max_words, &a, &b) ? set_title(x, x->text + a, b - a) : 0;
}

/* --------------------------------------------------------------- source */

static int set_source(struct xctx *x, const char *s, size_t n)
{
	x->source.len = 0;
	return xctx_add_unique(x, &x->source, 's', s, n);
}

/* [a,b) names a known outlet exactly: its canonical name. */
static const char *outlet_exact(struct xctx *x, size_t a, size_t b)
{
	uint32_t pl;
	size_t e;

	a = trim_left(x->text, a, b);
	b = trim_right(x->text, a, b);
	if (xctx_match_at(x, a, XC_OUTLET, &pl, &e) >= 0 && e == b)
		return xpack_canon(x->pack, pl);
	return NULL;
}

static int source_from_span(struct xctx *x, size_t a, size_t b)
{
	const char *s = x->text;
	const char *o;
	long m;

	a = trim_left(s, a, b);
	b = trim_right(s, a, b);
	while (b > a && (s[b - 1] == '.' || s[b - 1] == ',' || s[b - 1] == ')'))
		b--;
	if (b <= a)
		return 0;
	if ((o = outlet_exact(x, a, b)))
		return set_source(x, o, strlen(o)) < 0 ? -1 : 1;
	m = x_canon_span(x, a, b, 0);
	if (m <= 0)
		return 0;
	return set_source(x, x->scratch.p, (size_t)m) < 0 ? -1 : 1;
}

/* "Báo Thanh Hóa điện tử" → "Báo Thanh Hóa" (a whole short line). */
static int outlet_line(struct xctx *x, size_t li)
{
	const struct xspan *sp = line_at(x, li);
	const char *s = x->text;
	uint32_t pl;
	size_t e, w = line_words(x, li), end = sp->end;

	if (w < 2 || w > 9 || ends_sentence(s, sp->start, sp->end))
		return 0;
	if (outlet_exact(x, sp->start, sp->end))
		return source_from_span(x, sp->start, sp->end);
	if (xctx_match_at(x, sp->start, XC_OUTLET_PREFIX, &pl, &e) < 0)
		return 0;
	/* drop a trailing suffix ("điện tử") */
	for (size_t m = 0; m < x->matches.len; m++) {
		const struct ac_match *am = &XVEC_AT(&x->matches, struct ac_match, m);
		uint32_t nt;
		if (am->start <= e || am->end != sp->end)
			continue;
		const struct xtag *tg = xpack_tags(x->pack, am->pat, &nt);
		for (uint32_t k = 0; k < nt; k++)
			if (tg[k].cat == XC_OUTLET_SUFFIX)
				end = trim_right(s, sp->start, am->start);
	}
	/* everything after the prefix is capitalised */
	long t0 = xctx_tok_at(x, trim_left(s, e, end));
	if (t0 < 0)
		return 0;
	for (size_t i = (size_t)t0; i < sp->tok1 && tok(x, i)->end <= end; i++)
		if (!(tok(x, i)->flags & (XT_CAP | XT_DIGIT)))
			return 0;
	return source_from_span(x, sp->start, end);
}

/* Lead-in at the start of the lede: "(QT) -", "BDK.VN -", "TTO -". */
static int lead_in(struct xctx *x, size_t li)
{
	const struct xspan *sp = line_at(x, li);
	const char *s = x->text;
	size_t i = sp->start, a, b, limit = sp->start + 48 < sp->end ? sp->start + 48 : sp->end;
	int paren = 0;

	if (i < sp->end && s[i] == '(') {
		paren = 1;
		i++;
	}
	a = i;
	while (i < limit && s[i] != '-' && s[i] != ')' && !((uint8_t)s[i] == 0xE2 && i + 2 < limit && (uint8_t)s[i + 1] == 0x80 && ((uint8_t)s[i + 2] == 0x93 || (uint8_t)s[i + 2] == 0x94)))
		i++;
	if (i >= limit)
		return 0;
	b = trim_right(s, a, i);
	if (paren) {
		if (s[i] != ')')
			return 0;
		i++;
		i = trim_left(s, i, sp->end);
		if (i >= sp->end || !(s[i] == '-' || (uint8_t)s[i] == 0xE2))
			return 0;
	} else if (i == b || s[i - 1] != ' ') {
		return 0; /* "BDK.VN -" needs the spaced dash */
	}
	if (b <= a)
		return 0;
	const char *o = outlet_exact(x, a, b);
	if (o)
		return set_source(x, o, strlen(o)) < 0 ? -1 : 1;
	/* unknown: an upper-case code or a domain, at most 3 tokens */
	size_t t0, t1;
	if (!tok_range(x, a, b, &t0, &t1) || t1 - t0 > 3)
		return 0;
	int shaped = 1, dotted = memchr(s + a, '.', b - a) != NULL;
	for (size_t k = t0; k < t1; k++)
		if (!(tok(x, k)->flags & (XT_UPPER | XT_CAP)))
			shaped = 0;
	if (!shaped || (!dotted && !(tok(x, t0)->flags & XT_UPPER) && !paren))
		return 0;
	return source_from_span(x, a, b);
}

int x_source(struct xctx *x, const char *meta_site)
{
	const char *s = x->text;
	int rc;
	size_t e;
	uint32_t pl;

	/* 1. "Nguồn tin: X" */
	for (size_t li = x->lines.len; li-- > 0;) {
		const struct xspan *sp = line_at(x, li);
		if (line_words(x, li) > 14)
			continue;
		if (cue_at_line_start(x, li, XC_SOURCE_CUE, &e) >= 0) {
			size_t end = sp->end;
			if (s[sp->start] == '(' && s[end - 1] == ')')
				end--;
			if ((rc = source_from_span(x, e, end)) != 0)
				return rc;
		}
	}
	/* 2. "Theo VnExpress" */
	for (size_t li = x->lines.len; li-- > 0;) {
		const struct xspan *sp = line_at(x, li);
		if (line_words(x, li) > 8)
			continue;
		if (cue_at_line_start(x, li, XC_VIA_CUE, &e) >= 0) {
			size_t k = trim_left(s, e, sp->end), slash;
			const char *o;
			for (slash = k; slash < sp->end && s[slash] != '/'; slash++)
				;
			size_t end = sp->end;
			if (s[end - 1] == ')')
				end--;
			if ((o = outlet_exact(x, k, end)))
				return set_source(x, o, strlen(o)) < 0 ? -1 : 1;
			if (slash < sp->end && (rc = source_from_span(x, slash + 1, end)) != 0)
				return rc;
		}
	}
	/* 2b. "Thanh Vân/VOV.VN" as the last line: the part after the slash */
	if (x->lines.len >= 2) {
		size_t li = x->lines.len - 1;
		const struct xspan *sp = line_at(x, li);
		const char *slash = memchr(s + sp->start, '/', sp->end - sp->start);
		if (slash && line_words(x, li) <= 8 && x_name_shaped(x, sp->start, (size_t)(slash - s)) &&
		    (rc = source_from_span(x, (size_t)(slash - s) + 1, sp->end)) != 0)
			return rc;
	}
	/* 3. a lead-in on the lede or the lines before it */
	for (size_t li = 0; li < x->lines.len && li <= (size_t)x->header_end + 1 && li < 5; li++)
		if ((rc = lead_in(x, li)) != 0)
			return rc;
	/* 4. the HTML site name */
	if (meta_site && *meta_site) {
		struct xvec m = {.esz = sizeof(struct ac_match)};
		const char *canon = NULL;
		size_t n = strlen(meta_site);
		if (ac_scan_str(x->pack->ac, meta_site, n, &m) == 0)
			for (size_t i = 0; i < m.len; i++) {
				const struct ac_match *am = &XVEC_AT(&m, struct ac_match, i);
				uint32_t nt;
				const struct xtag *tg = xpack_tags(x->pack, am->pat, &nt);
				for (uint32_t k = 0; k < nt; k++)
					if (tg[k].cat == XC_OUTLET && am->start == 0 && am->end == n)
						canon = xpack_canon(x->pack, tg[k].payload);
			}
		xvec_free(&m);
		if (canon)
			return set_source(x, canon, strlen(canon)) < 0 ? -1 : 1;
		return set_source(x, meta_site, n) < 0 ? -1 : 1;
	}
	/* 5. an outlet's name on a line of its own ("Báo Thanh Hóa điện tử") */
	for (size_t li = x->lines.len; li-- > 0;)
		if ((rc = outlet_line(x, li)) != 0)
			return rc;
	(void)pl;
	return 0;
}
