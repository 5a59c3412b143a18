/* entities.c — persons, locations and organisations.
 *
 * One left-to-right walk over the tokens, using the automaton's matches:
 *   - a full organisation name (pack `organizations`) is an organisation;
 *   - an organisation head (Ban, Bộ, Sở, UBND, Tỉnh ủy…) starts one, which
 *     extends over capitalised words, organisation words (Thường vụ, Tổ
 *     chức…), places and "tỉnh <place>", and stops before a person's name;
 *   - a location cue (tỉnh, huyện, TP.) makes the next capitalised run a
 *     place unless it is a person's name;
 *   - a capitalised run is a place when the gazetteer says so, a person when
 *     it starts with a surname or follows a person cue or title.
 * Canonical forms: NFC, one tone-mark placement, ALL CAPS title-cased.
 */
#include <string.h>

#include "extractor_int.h"

enum { T_PER = 0, T_LOC = 1, T_ORG = 2 };

static const struct xtok *tok(const struct xctx *x, size_t i)
{
	return &XVEC_AT(&x->toks, struct xtok, i);
}

/* Tokens i-1 and i are joined by plain spaces within a line. */
static int joined(const struct xctx *x, size_t i)
{
	uint32_t f = tok(x, i)->flags;
	return (f & XT_SPACE_BEFORE) && !(f & (XT_NEWLINE_BEFORE | XT_PUNCT_BEFORE));
}

/* Token i right after an abbreviated administrative word ("P. Đinh Tiên
 * Hoàng", "Q.Bình Thạnh", "TP. Vinh"): the cue's own full stop sits
 * between them, which is no sentence end.  Only a short capitalised
 * abbreviation qualifies, so "…ở huyện. Nguyễn Văn A nói" stays two
 * sentences. */
static int joined_after_abbrev(const struct xctx *x, size_t i)
{
	const struct xtok *a = tok(x, i - 1), *b = tok(x, i);
	const char *s = x->text;

	if (i == 0 || (b->flags & XT_NEWLINE_BEFORE) || a->end - a->start > 2 || !(a->flags & (XT_CAP | XT_UPPER)) ||
	    a->end >= b->start || s[a->end] != '.')
		return 0;
	for (size_t g = a->end + 1; g < b->start; g++)
		if (s[g] != ' ')
			return 0;
	/* initials are no place: "P.T.A", "Nguyễn Văn H. A", "N.Th" — the
	 * abbreviation must stand after a space and the name must be a word */
	if ((a->start > 0 && s[a->start - 1] != ' ' && s[a->start - 1] != '(') || b->end - b->start < 2 ||
	    (b->end < x->len && s[b->end] == '.'))
		return 0;
	if (i >= 2 && (tok(x, i - 2)->flags & XT_CAP) && tok(x, i - 2)->end + 1 == a->start)
		return 0; /* "Nguyễn Văn H. Bình": a middle initial */
	return 1;
}

/* Are tokens [a, b) words of the language (frequent in the pack's DF
 * table) or one-letter suffixes ("Vĩnh Lộc B")?  What follows a known
 * place inside one capitalised run is then more of its name ("xã Mỹ
 * Phú"), not a foreign name glued to it ("bang New York Andrew Cuomo"). */
static int common_words(const struct xctx *x, size_t a, size_t b)
{
	for (size_t k = a; k < b; k++) {
		const struct xtok *t = tok(x, k);
		if (t->end - t->start == 1)
			continue;
		const struct xsyl *sy = xpack_syl(x->pack, x->text + t->start, t->end - t->start);
		if (!sy || sy->df < 100)
			return 0;
	}
	return 1;
}

/* A place named right before ", tỉnh …", ", quận …": an address chain
 * ("UBND huyện Trần Văn Thời, tỉnh Cà Mau"), so no person's name even when
 * it opens with a surname. */
static int address_chain_at(const struct xctx *x, size_t k)
{
	const char *s = x->text;
	int comma = 0;

	if (k == 0 || k >= x->toks.len || (tok(x, k)->flags & XT_NEWLINE_BEFORE))
		return 0;
	for (size_t g = tok(x, k - 1)->end; g < tok(x, k)->start; g++) {
		if (s[g] == ',')
			comma++;
		else if (s[g] != ' ')
			return 0;
	}
	return comma == 1 && xctx_match_at_tok(x, k, XC_LOC_CUE, &(uint32_t){0}, &(size_t){0}) >= 0;
}

static int is_cap(const struct xctx *x, size_t i)
{
	uint32_t f = tok(x, i)->flags;
	return (f & XT_CAP) && !(f & XT_UPPER) && !(f & XT_DIGIT);
}

static int mention(struct xctx *x, int type, const char *name, size_t n, size_t offset)
{
	char key[1100];
	int added = 0;
	long e;
	struct xvec *list = type == T_PER ? &x->persons : type == T_LOC ? &x->locations : &x->orgs;

	if (n == 0 || n > 1000)
		return 0;
	/* one key per name whatever the type: the same name under another
	 * type keeps its first type (and mention), so the first sighting
	 * decides; '0' is no kind of xctx_add_unique() */
	key[0] = '0';
	memcpy(key + 1, name, n);
	e = strmap_put(&x->seen, key, n + 1, (uint32_t)x->mentions.len, &added);
	if (e < 0)
		return -1;
	if (!added) {
		uint32_t mi = XVEC_AT(&x->seen.ents, struct strmap_ent, e).val;
		if (mi < x->mentions.len)
			XVEC_AT(&x->mentions, struct xmention, mi).count++;
		return 0;
	}
	struct xmention *m = xvec_push(&x->mentions);
	if (!m)
		return -1;
	m->name_off = (uint32_t)x->strs.len;
	m->name_len = (uint32_t)n;
	m->type = (uint8_t)type;
	m->count = 1;
	m->first_offset = (uint32_t)offset;
	if (xbuf_add(&x->strs, name, n) < 0)
		return -1;
	x->strs.len++;
	struct xstr *ls = xvec_push(list);
	if (!ls)
		return -1;
	ls->off = m->name_off;
	ls->len = m->name_len;
	return 0;
}

static int mention_span(struct xctx *x, int type, size_t t0, size_t t1)
{
	size_t a = tok(x, t0)->start, b = tok(x, t1 - 1)->end;
	long m = x_canon_span(x, a, b, type == T_PER);

	if (m <= 0)
		return 0;
	/* mention() copies the name into its own key before it touches any
	 * buffer of x, so the canonical form is passed in place (the old
	 * copy-out took a memcpy call per mention); a name that long would
	 * be dropped by mention() anyway */
	if (m >= 1024)
		return 0;
	return mention(x, type, x->scratch.p, (size_t)m, a);
}

static int mention_canon(struct xctx *x, int type, uint32_t canon, size_t offset)
{
	const char *c = xpack_canon(x->pack, canon);
	return mention(x, type, c, strlen(c), offset);
}

/* Longest gazetteer match at token i: end token in *e. */
static int loc_at(const struct xctx *x, size_t i, uint32_t *canon, size_t *e)
{
	return xctx_match_at_tok(x, i, XC_LOC, canon, e) >= 0;
}

static int has(const struct xctx *x, size_t i, enum xcat c, size_t *e)
{
	uint32_t pl;
	size_t ee;
	return xctx_match_at_tok(x, i, c, &pl, e ? e : &ee) >= 0;
}

/* Length (tokens) of the capitalised run starting at i. */
static size_t cap_run(const struct xctx *x, size_t i)
{
	size_t j = i;

	if (i >= x->toks.len || !is_cap(x, i))
		return 0;
	j++;
	while (j < x->toks.len && is_cap(x, j) && joined(x, j))
		j++;
	return j - i;
}

/* A person's name starting at i: surname + at least one more capitalised
 * word, not a place. */
static int person_run_at(const struct xctx *x, size_t i)
{
	size_t r = cap_run(x, i), e;
	uint32_t pl;

	if (r < 2 || r > 5 || !has(x, i, XC_SURNAME, NULL))
		return 0;
	if (loc_at(x, i, &pl, &e) && e - i >= r)
		return 0;
	return 1;
}

int x_pair_is_word(const struct xctx *x, size_t i)
{
	const struct xpack *p = x->pack;

	if (!p->df_docs || i + 1 >= x->toks.len)
		return 0;
	const struct xsyl *a = x_tok_syl(x, i), *b = x_tok_syl(x, i + 1);
	if (!a || !b || (a->flags & XS_STOP) || (b->flags & XS_STOP) || a->dict_id == UINT32_MAX ||
	    b->dict_id == UINT32_MAX)
		return 0;
	uint32_t df = xpack_bigram_df(p, a->dict_id, b->dict_id);
	uint32_t lo = a->df < b->df ? a->df : b->df;
	return lo > 0 && (double)df >= 0.1 * (double)lo;
}

/* Token i, capitalised, and the lower-case word after it (spaces between)
 * make one word of the language ("Quốc tế", "Pháp luật", "Quốc lộ"): the
 * capital opens a common noun phrase, no name. */
static int word_goes_on(const struct xctx *x, size_t i)
{
	if (i + 1 >= x->toks.len)
		return 0;
	const struct xtok *nt = tok(x, i + 1);
	if ((nt->flags & (XT_ALPHA | XT_CAP | XT_UPPER | XT_DIGIT)) != XT_ALPHA ||
	    (nt->flags & (XT_SPACE_BEFORE | XT_NEWLINE_BEFORE | XT_PUNCT_BEFORE)) != XT_SPACE_BEFORE)
		return 0;
	return x_pair_is_word(x, i);
}

/* Tokens j-1 and j are joined by '-' or '&' only (LĐ-TB&XH). */
static int gap_is_joiner(const struct xctx *x, size_t j)
{
	for (size_t g = tok(x, j - 1)->end; g < tok(x, j)->start; g++)
		if (x->text[g] != '-' && x->text[g] != '&')
			return 0;
	return 1;
}

/* Organisation starting with a head at i; returns the end token, 0 when
 * there is only the head (a generic "Tỉnh ủy" names nobody in particular). */
static size_t org_extent(struct xctx *x, size_t i, size_t head_end)
{
	size_t j = head_end, e;
	uint32_t pl;
	size_t n = x->toks.len;

	while (j < n && (joined(x, j) || ((tok(x, j)->flags & XT_UPPER) && (tok(x, j - 1)->flags & XT_UPPER) &&
			     gap_is_joiner(x, j)))) {
		if (is_cap(x, j) && person_run_at(x, j))
			break;
		if ((is_cap(x, j) || (tok(x, j)->flags & XT_UPPER)) &&
		    (has(x, j, XC_ORG_WORD, &e) || has(x, j, XC_ORG_HEAD, &e) || has(x, j, XC_ORG, &e) ||
		     loc_at(x, j, &pl, &e))) {
			j = e;
			continue;
		}
		if (has(x, j, XC_LOC_CUE, &e) && e < n && joined(x, e) && loc_at(x, e, &pl, &e)) {
			j = e;
			continue;
		}
		if ((is_cap(x, j) || (tok(x, j)->flags & XT_UPPER)) && !has(x, j, XC_TITLE, NULL) &&
		    !has(x, j, XC_PERSON_CUE, NULL)) {
			j++;
			continue;
		}
		break;
	}
	(void)i;
	return j > head_end ? j : 0;
}

/* Emits places inside [a, b) (organisation names mention places too). */
static int places_inside(struct xctx *x, size_t a, size_t b)
{
	uint32_t pl;
	size_t e;

	for (size_t j = a; j < b; j++)
		if (loc_at(x, j, &pl, &e) && e <= b) {
			/* one syllable right after another capitalised one is part
			 * of a longer name: "Bệnh viện Hoàn Mỹ" names no Mỹ */
			uint32_t pl0;
			size_t e0;
			if (e == j + 1 && j > a && is_cap(x, j - 1) && joined(x, j) && !loc_at(x, j - 1, &pl0, &e0))
				continue;
			if (mention_canon(x, T_LOC, pl, tok(x, j)->start) < 0)
				return -1;
			j = e - 1;
		}
	return 0;
}

/* The end of the credit span holding byte b, or 0.  *quiet: bytes from b
 * up to it lie in no credit (set when the answer is 0), so a caller asking
 * about ascending bytes scans the credits (in no particular order) only
 * at the next credit's start. */
static size_t in_credit(const struct xctx *x, size_t b, size_t *quiet)
{
	size_t next = (size_t)-1;

	for (size_t k = 0; k < x->credits.len; k++) {
		const struct xspan *c = &XVEC_AT(&x->credits, struct xspan, k);
		if (b >= c->start && b < c->end)
			return c->end;
		if (c->start > b && c->start < next)
			next = c->start;
	}
	*quiet = next;
	return 0;
}

/* The gap before token k is a comma and spaces (", "). */
static int gap_is_comma(const struct xctx *x, size_t k)
{
	size_t a = tok(x, k - 1)->end, b = tok(x, k)->start;

	if (b <= a + 1 || x->text[a] != ',')
		return 0;
	for (size_t g = a + 1; g < b; g++)
		if (x->text[g] != ' ')
			return 0;
	return 1;
}

/* Where the list item after a place ending at token j starts: after ", ",
 * ", và " or " và " (pack `list_conjunctions`); 0 when none does.  *last:
 * a conjunction led to it (the list's last item). */
static size_t list_next(const struct xctx *x, size_t j, int *last)
{
	size_t n = x->toks.len;
	int comma = j < n && j > 0 && gap_is_comma(x, j);

	*last = 0;
	const struct xsyl *sy = j < n ? x_tok_syl(x, j) : NULL;
	if (sy && (sy->flags & XS_AND) && (comma || joined(x, j)) && j + 1 < n && joined(x, j + 1)) {
		*last = 1;
		return j + 1;
	}
	return comma ? j : 0;
}

/* One item of a list of places: a capitalised run of 1-4 words that no
 * cue, title or organisation opens.  Its length, or 0. */
static size_t list_item(const struct xctx *x, size_t k)
{
	size_t r;

	if (!is_cap(x, k) || has(x, k, XC_TITLE, NULL) || has(x, k, XC_PERSON_CUE, NULL) ||
	    has(x, k, XC_ORG_HEAD, NULL) || has(x, k, XC_ORG, NULL) || has(x, k, XC_LOC_CUE, NULL) ||
	    has(x, k, XC_STREET_CUE, NULL))
		return 0;
	r = cap_run(x, k);
	if (r < 1 || r > 4)
		return 0;
	/* a name led by a surname with a parenthesis after it is a person
	 * being introduced: "… Hải Phòng và Mai Quang Anh (SN 1997)" */
	if (has(x, k, XC_SURNAME, NULL) && k + r < x->toks.len)
		for (size_t g = tok(x, k + r - 1)->end; g < tok(x, k + r)->start; g++)
			if (x->text[g] == '(')
				return 0;
	return r;
}

/* After a place a cue named ("các tuyến phố Hàng Bạc, Mã Mây và Đào Duy
 * Từ", "các xã Vĩnh Ngọc, Vĩnh Phương và Phước Đồng"), the other items of
 * the list are places too, streets named after people included.  Only a
 * list of three items or more that ends with a conjunction counts:
 * "phường Vĩnh Hải, Nguyễn Văn A (SN 1995)" is a place and then a person.  Returns the token after
 * the last item (j when there is no list), or -1 (ENOMEM). */
static long list_places(struct xctx *x, size_t j)
{
	size_t k = j, r;
	int last = 0;
	uint32_t pl;
	size_t le;

	/* first: is it such a list, of three items at least?  ("tỉnh Hà Tĩnh
	 * và Nguyễn Anh Tuấn (SN 1991)" joins a person to a place) */
	for (size_t items = 1; !last; items++) {
		if (!(k = list_next(x, k, &last)) || !(r = list_item(x, k)) || (last && items < 2))
			return (long)j;
		k += r;
	}
	for (k = j, last = 0; !last;) {
		k = list_next(x, k, &last);
		r = list_item(x, k);
		if (loc_at(x, k, &pl, &le) && le == k + r) {
			if (mention_canon(x, T_LOC, pl, tok(x, k)->start) < 0)
				return -1;
		} else if (mention_span(x, T_LOC, k, k + r) < 0) {
			return -1;
		}
		k += r;
	}
	return (long)k;
}

/* Categories of the steps before the capitalised run (5): each asks for a
 * match starting at the token itself. */
#define STEP_CATS                                                                                       \
	((1u << XC_ORG) | (1u << XC_LOC) | (1u << XC_ORG_HEAD) | (1u << XC_STREET_CUE) |                \
	 (1u << XC_LOC_PREP) | (1u << XC_LOC_CUE) | (1u << XC_PERSON_CUE) | (1u << XC_TITLE))

static int find_entities(struct xctx *x)
{
	size_t n = x->toks.len;
	size_t cue_until = (size_t)-1; /* token right after a person cue/title */
	size_t loc_cue_until = (size_t)-1;
	size_t org_until = (size_t)-1;
	size_t pcue_until = (size_t)-1; /* right after ông, bà, đồng chí */
	size_t unit_until = (size_t)-1; /* right after Trưởng phòng, Giám đốc */
	size_t quiet = 0; /* token starts below it lie in no credit (i only grows) */
	const uint32_t *tcats = x->tokcats.p;
	const struct xtok *toks = x->toks.p;

	for (size_t i = 0; i < n;) {
		/* Nothing happens at most tokens: one without a letter, or with
		 * no match starting there (steps 1-4) and not capitalised (step
		 * 5), only moves on.  Skip them in a tight loop before the
		 * per-token work below (the credit test of step 0 only ever
		 * skips tokens too, and `quiet` stays a valid bound). */
		for (;;) {
			uint32_t f = toks[i].flags;
			if ((f & XT_ALPHA) &&
			    ((tcats[i] & STEP_CATS) || (f & (XT_CAP | XT_UPPER | XT_DIGIT)) == XT_CAP))
				break;
			if (++i == n)
				return 0;
		}
		const struct xtok *t = &toks[i];
		uint32_t pl;
		size_t e;
		/* 0. bylines and photo credits name the authors, not people in the story */
		size_t ce = x->credits.len && t->start >= quiet ? in_credit(x, t->start, &quiet) : 0;
		if (ce) {
			while (i < n && tok(x, i)->start < ce)
				i++;
			continue;
		}
		/* steps 1-4 need a match starting here: most tokens have none */
		if (!(tcats[i] & STEP_CATS))
			goto run;
		/* 1. a full organisation name */
		if ((t->flags & (XT_CAP | XT_UPPER)) && xctx_match_at_tok(x, i, XC_ORG, &pl, &e) >= 0) {
			if (mention_canon(x, T_ORG, pl, t->start) < 0 || places_inside(x, i, e) < 0)
				return -1;
			cue_until = e;
			i = e;
			continue;
		}
		/* 2. a place from the gazetteer, when not the start of a person's name */
		size_t le;
		int loc = (t->flags & XT_CAP) && loc_at(x, i, &pl, &le);
		if (loc) {
			size_t run = cap_run(x, i);
			int single = le - i == 1 && !memchr(x->text + t->start, '.', t->end - t->start);
			int cued = loc_cue_until == i || org_until == i;
			int person_cued = pcue_until == i;
			if (has(x, i, XC_SURNAME, NULL) && run > le - i && run <= 5 &&
			    !has(x, le, XC_SURNAME, NULL))
				loc = 0; /* "Hà Văn Tuấn", but "Hà Nội Nguyễn Đức Chung" */
			else if (cue_until == i && has(x, i, XC_SURNAME, NULL) && run >= 2)
				loc = 0;
			else if (single && !cued && ((t->flags & XT_SENT) || person_cued || run > 1))
				loc = 0; /* "Vinh", "Đức": names too, need a cue */
			else if (single && run == 1 && word_goes_on(x, i))
				loc = 0; /* "báo Pháp luật", "Quốc tế" */
			else if (single && run > 1 && cue_until == i && pcue_until != i && has(x, i, XC_PERSON_CUE, NULL) &&
				 !(t->flags & (XT_SENT | XT_NEWLINE_BEFORE)))
				loc = 0; /* "nghệ sĩ Anh Vũ": a name, not England */
			if (loc) {
				long li = (long)le;
				if (mention_canon(x, T_LOC, pl, t->start) < 0 ||
				    (loc_cue_until == i && (li = list_places(x, le)) < 0))
					return -1;
				org_until = (size_t)-1;
				if (cue_until == i && pcue_until != i)
					cue_until = le; /* "Tổng thống Mỹ Joe Biden" */
				i = (size_t)li;
				continue;
			}
		}
		/* 3. an organisation head */
		size_t he;
		if ((t->flags & (XT_CAP | XT_UPPER)) && has(x, i, XC_ORG_HEAD, &he)) {
			int surname_first = has(x, i, XC_SURNAME, NULL);
			size_t oe = org_extent(x, i, he);
			if (surname_first && person_run_at(x, i)) {
				/* "Đoàn Văn Hậu": a name unless organisation words follow */
				size_t k = he;
				if (!(k < n && (has(x, k, XC_ORG_WORD, NULL) || has(x, k, XC_ORG_HEAD, NULL))))
					oe = 0;
				if (!oe)
					goto run;
			}
			if (oe) {
				if (mention_span(x, T_ORG, i, oe) < 0 || places_inside(x, he, oe) < 0)
					return -1;
				i = oe;
			} else {
				i = he;
			}
			org_until = i;
			continue;
		}
		/* 4. cues */
		if (has(x, i, XC_STREET_CUE, &e) && !has(x, i, XC_SURNAME, NULL)) {
			size_t r = e < n ? cap_run(x, e) : 0;
			if (r >= 1 && r <= 5 && joined(x, e) && !has(x, e, XC_ORG_HEAD, NULL) &&
			    !has(x, e, XC_ORG, NULL) && !(r == 1 && word_goes_on(x, e))) {
				long li;
				if (mention_span(x, T_LOC, e, e + r) < 0 || (li = list_places(x, e + r)) < 0)
					return -1;
				i = (size_t)li;
				continue;
			}
			i = e;
			continue;
		}
		if (has(x, i, XC_LOC_PREP, &e) && !(t->flags & XT_CAP)) {
			loc_cue_until = e;
			i = e;
			continue;
		}
		/* "anh H." is a person's initial, not "H." (huyện) */
		if (has(x, i, XC_LOC_CUE, &e) && !has(x, i, XC_SURNAME, NULL) && pcue_until != i) {
			/* "xã Châu Pha", "phường Lương Khánh Thiện": after an
			 * administrative word a name is a place even when it starts
			 * with a surname; only right after an organisation or a
			 * title ("UBND tỉnh Nguyễn Văn A", "Chủ tịch xã Lê Văn B")
			 * does the word stand alone and a person follow */
			int place_first = org_until != i && cue_until != i;
			/* even there, two syllables make a place ("Công an huyện Lâm
			 * Hà"): officials are named in full, with a middle name */
			if (!place_first && e < n && cap_run(x, e) == 2)
				place_first = 1;
			/* and a name in an address chain is a place */
			if (!place_first && e < n && address_chain_at(x, e + cap_run(x, e)))
				place_first = 1;
			loc_cue_until = e;
			/* a known name is a place on its own, unless the capitalised
			 * run goes on without a surname: "xã Tân Hưng Đông" is no
			 * "Tân Hưng" (but "tỉnh Quảng Nam Lê Trí Thanh" is) */
			int known = e < n && loc_at(x, e, &pl, &le);
			size_t le2;
			uint32_t pl2;
			if (known && cap_run(x, e) > le - e && cap_run(x, e) <= 4 && !has(x, le, XC_SURNAME, NULL) &&
			    !loc_at(x, le, &pl2, &le2) /* "huyện Thọ Xuân Thanh Hóa": two places */ &&
			    common_words(x, le, e + cap_run(x, e)))
				known = 0;
			if (e < n && is_cap(x, e) && (place_first || !person_run_at(x, e)) && !known) {
				/* an unknown place: "xã Tóc Tiên" */
				size_t r = cap_run(x, e);
				/* after an abbreviation ("P. Bến Nghé") only a name of two
				 * words or more that opens with no function word: "TT."
				 * is also Tổng thống, and a full stop may end a sentence */
				int abbrev = !joined(x, e) && r >= 2 && joined_after_abbrev(x, e);
				if (abbrev) {
					const struct xsyl *sy =
						xpack_syl(x->pack, x->text + tok(x, e)->start, tok(x, e)->end - tok(x, e)->start);
					if (!sy || (sy->flags & XS_STOP))
						abbrev = 0;
				}
				if (r >= 1 && r <= 4 && (joined(x, e) || abbrev) && !(r == 1 && word_goes_on(x, e)) &&
				    !has(x, e, XC_ORG_HEAD, NULL) &&
				    !has(x, e, XC_TITLE, NULL) && !has(x, e, XC_PERSON_CUE, NULL)) {
					long li;
					if (mention_span(x, T_LOC, e, e + r) < 0 || (li = list_places(x, e + r)) < 0)
						return -1;
					i = (size_t)li;
					continue;
				}
			}
			i = e;
			continue;
		}
		/* right after a title, a kinship word capitalised inside a
		 * sentence opens a name, not a cue: "nghệ sĩ Anh Vũ", "ảo thuật
		 * gia Anh Tú" (a cue there is written in lower case) */
		if (has(x, i, XC_PERSON_CUE, &e) &&
		    !(is_cap(x, i) && cue_until == i && pcue_until != i && !(t->flags & (XT_SENT | XT_NEWLINE_BEFORE)) &&
		      e == i + 1 && e < n && is_cap(x, e) && joined(x, e))) {
			cue_until = e; /* also across a colon: "các đồng chí: Nguyễn Văn A" */
			pcue_until = e;
			i = e;
			continue;
		}
		if (xctx_match_at_tok(x, i, XC_TITLE, &pl, &e) >= 0) {
			cue_until = e;
			loc_cue_until = e; /* "Bí thư Huyện ủy Đakrông" */
			unit_until = pl == XTT_UNIT ? e : (size_t)-1;
			i = e;
			continue;
		}
	run:
		/* 5. a capitalised run */
		if (is_cap(x, i)) {
			size_t r = cap_run(x, i);
			/* a cue ends with its paragraph ("… với trẻ em⏎⏎Việc một …") */
			int cued = cue_until == i && !(t->flags & XT_NEWLINE_BEFORE);
			if (cued && (t->flags & XT_PUNCT_BEFORE) && i > 0)
				for (size_t g = tok(x, i - 1)->end; g < t->start; g++)
					if (x->text[g] != ':' && x->text[g] != ' ')
						cued = 0; /* a cue never reaches past a full stop */
			/* a letter glued to an abbreviation ("T.Ư Võ Văn Thưởng":
			 * T . Ư) is its tail: the name, if any, starts after it */
			if (i > 0 && t->start == tok(x, i - 1)->end + 1 && x->text[t->start - 1] == '.' &&
			    (tok(x, i - 1)->flags & XT_ALPHA) && (tok(x, i - 1)->flags & (XT_UPPER | XT_CAP)) &&
			    t->end - t->start <= 2) {
				i++;
				continue;
			}
			/* a capitalised word opening a sentence before a surname-led
			 * name is no part of it ("Gồm Phan Tiến Sỹ, …"): openers the
			 * pack does not list */
			if ((t->flags & XT_SENT) && r >= 3 && r <= 6 && !has(x, i, XC_SURNAME, NULL) &&
			    has(x, i + 1, XC_SURNAME, NULL)) {
				i++;
				continue;
			}
			/* a sentence opener after a name starts the next sentence
			 * ("Nguyễn Văn A Tuy nhiên …" when a full stop went missing) */
			for (size_t k = 1; k < r; k++)
				if (xctx_match_at_tok(x, i + k, XC_NAME_BREAK, &pl, &e) >= 0 && pl != XNB_OPENER) {
					r = k;
					break;
				}
			/* a capitalised function word glued to a name opens the
			 * sentence: "Theo Nguyễn Văn A", "Từ Lê Văn B" (but "Từ
			 * Minh Hải" is a name: a surname opener stays unless a
			 * surname follows) */
			if (r >= 2 && xctx_match_at_tok(x, i, XC_NAME_BREAK, &pl, &e) >= 0 && e < i + r &&
			    (!has(x, i, XC_SURNAME, NULL) || has(x, e, XC_SURNAME, NULL))) {
				i = e;
				continue;
			}
			/* after the head of a unit, one capitalised word going on in
			 * lower case names the unit ("Trưởng phòng Tham mưu", "Giám
			 * đốc Chi nhánh"): in the corpus, nearly always; a person
			 * there is written in full */
			/* after any cue, one capitalised word opening a common word
			 * with the lower-case one after it is no name: "HLV Giọng hát
			 * Việt", "tư lệnh Quân chủng", "Nghệ sĩ Ưu tú" */
			if (cued && r == 1 && word_goes_on(x, i)) {
				i++;
				continue;
			}
			if (cued && r == 1 && unit_until == i && i + 1 < n &&
			    (toks[i + 1].flags & (XT_ALPHA | XT_CAP | XT_UPPER | XT_DIGIT)) == XT_ALPHA &&
			    (toks[i + 1].flags & (XT_SPACE_BEFORE | XT_NEWLINE_BEFORE | XT_PUNCT_BEFORE)) ==
				    XT_SPACE_BEFORE) {
				i++;
				continue;
			}
			if (r >= 2 && r <= 5 && has(x, i, XC_SURNAME, NULL)) {
				if (mention_span(x, T_PER, i, i + r) < 0)
					return -1;
			} else if (cued && r >= 1 && r <= 4 && !has(x, i, XC_ORG_WORD, NULL) &&
				   !has(x, i, XC_ORG_HEAD, NULL) && !has(x, i, XC_TITLE, NULL)) {
				/* a stop word alone names nobody; "Anh Tú" does */
				const struct xsyl *sy = xpack_syl(x->pack, x->text + t->start, t->end - t->start);
				if (sy && (!(sy->flags & XS_STOP) || r >= 2) && mention_span(x, T_PER, i, i + r) < 0)
					return -1;
			}
			i += r ? r : 1;
			continue;
		}
		i++;
	}
	return 0;
}

/* Keeps the entries of list (struct xstr) whose name is still a mention. */
static void list_keep_mentioned(struct xvec *list, const struct xmention *ms, size_t nm, int type)
{
	struct xstr *ls = list->p;
	size_t n = 0;

	for (size_t i = 0; i < list->len; i++) {
		int still = 0;
		for (size_t k = 0; k < nm && !still; k++)
			still = ms[k].type == type && ms[k].name_off == ls[i].off;
		if (still)
			ls[n++] = ls[i];
	}
	list->len = n;
}

/* One character (a letter of an initial, "anh H.", "Q."): no name a
 * reader could use, whatever its type. */
static int one_char(const char *s, size_t n)
{
	size_t cps = 0;

	for (size_t i = 0; i < n; i++)
		cps += ((uint8_t)s[i] & 0xC0) != 0x80;
	return cps <= 1;
}

/* A person named once in full and then by one word ("Phó Thủ tướng Vũ Đức
 * Đam … ông Đam") is one person: the short name's mentions are counted
 * under the full name and the short one leaves the list.  The word is the
 * full name's last (the given name in Vietnamese, the surname in English
 * usage alike).  When several full names end with it, the one named last
 * before the short name's first mention takes it (else the first one).
 * What is left of one character names nobody and goes too.  Runs after
 * every mention(): it compacts x->mentions and the lists, which x->seen's
 * indices then no longer follow. */
static void merge_short_names(struct xctx *x)
{
	struct xmention *ms = x->mentions.p;
	size_t nm = x->mentions.len, kept = 0;

	/* first the counts (a merged name's count becomes 0), then the
	 * compaction: merging while compacting would add to entries already
	 * moved */
	for (size_t i = 0; i < nm; i++) {
		struct xmention *m = &ms[i];
		const char *name = x->strs.p + m->name_off;
		long into = -1;
		if (m->type != T_PER || memchr(name, ' ', m->name_len))
			continue;
		for (size_t j = 0; j < nm; j++) {
			const struct xmention *f = &ms[j];
			const char *fn = x->strs.p + f->name_off;
			if (f->type != T_PER || f->name_len <= m->name_len + 1 || fn[f->name_len - m->name_len - 1] != ' ' ||
			    memcmp(fn + f->name_len - m->name_len, name, m->name_len) != 0)
				continue;
			if (into < 0 || (f->first_offset < m->first_offset &&
					 (ms[into].first_offset > m->first_offset || f->first_offset > ms[into].first_offset)))
				into = (long)j;
		}
		if (into >= 0) {
			ms[into].count += m->count; /* a full name: never merged itself */
			m->count = 0;
		}
	}
	for (size_t i = 0; i < nm; i++)
		if (ms[i].count > 0 && !one_char(x->strs.p + ms[i].name_off, ms[i].name_len))
			ms[kept++] = ms[i];
	if (kept == nm)
		return;
	x->mentions.len = kept;
	list_keep_mentioned(&x->persons, ms, kept, T_PER);
	list_keep_mentioned(&x->locations, ms, kept, T_LOC);
	list_keep_mentioned(&x->orgs, ms, kept, T_ORG);
}

int x_entities(struct xctx *x)
{
	if (find_entities(x) < 0)
		return -1;
	merge_short_names(x);
	return 0;
}
