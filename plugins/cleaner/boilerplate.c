/* boilerplate.c — see boilerplate.h. */
#include "boilerplate.h"

#include <math.h>
#include <string.h>
#include <xxhash.h>

/* ---------------------------------------------------------------- seen -- */

struct cl_seen_ent {
	uint64_t key;
	uint32_t count, stamp;
};

enum { SEEN_PROBE = 8 };

int cl_seen_init(struct cl_seen *s, size_t capacity, uint32_t window)
{
	size_t cap = 64;

	while (cap < capacity)
		cap *= 2;
	memset(s, 0, sizeof(*s));
	s->v = calloc(cap, sizeof(*s->v));
	if (!s->v)
		return -1;
	s->mask = cap - 1;
	s->window = window ? window : 1;
	pthread_mutex_init(&s->mu, NULL);
	return 0;
}

void cl_seen_free(struct cl_seen *s)
{
	if (!s->v)
		return;
	free(s->v);
	s->v = NULL;
	pthread_mutex_destroy(&s->mu);
}

void cl_seen_update(struct cl_seen *s, const uint64_t *keys, size_t n, uint32_t *counts)
{
	pthread_mutex_lock(&s->mu);
	uint32_t now = ++s->clock;
	for (size_t k = 0; k < n; k++) {
		uint64_t key = keys[k] ? keys[k] : 1;
		struct cl_seen_ent *victim = NULL;
		size_t i = key & s->mask;

		counts[k] = 0;
		for (int p = 0; p < SEEN_PROBE; p++, i = (i + 1) & s->mask) {
			struct cl_seen_ent *e = &s->v[i];
			if (e->key == key) {
				victim = e;
				if (now - e->stamp <= s->window)
					counts[k] = e->count;
				else
					e->count = 0;
				break;
			}
			if (e->key == 0) { /* never emptied: the key is not further on */
				victim = e;
				break;
			}
			if (!victim || now - e->stamp > now - victim->stamp)
				victim = e;
		}
		if (victim->key != key) {
			victim->key = key;
			victim->count = 0;
		}
		if (victim->count < UINT32_MAX)
			victim->count++;
		victim->stamp = now;
	}
	pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------------ features -- */

void cl_bp_scratch_free(struct cl_bp_scratch *s)
{
	tokvec_free(&s->tv);
	free(s->lines);
	free(s->rk);
	free(s->rv);
	free(s->rs);
	free(s->keys);
	free(s->counts);
	free(s->idx);
	memset(s, 0, sizeof(*s));
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* d/m/y, y-m-d, d.m.y, y-m, d/m with a 4-digit year, or hh:mm */
static int has_date(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1])))
			continue;
		size_t g[3], ng = 0, j = i;
		char sep = 0;
		while (ng < 3) {
			size_t st = j;
			while (j < n && is_digit(s[j]))
				j++;
			g[ng++] = j - st;
			if (j < n && (s[j] == '/' || s[j] == '-' || s[j] == '.') &&
			    (sep == 0 || s[j] == sep) && j + 1 < n && is_digit(s[j + 1])) {
				sep = s[j];
				j++;
				continue;
			}
			break;
		}
		if (ng == 3 && g[0] <= 4 && g[1] <= 2 && g[2] <= 4 && (g[0] == 4 || g[2] >= 2))
			return 1;
		if (ng == 2 && ((g[0] == 4 && g[1] <= 2) || (g[0] <= 2 && g[1] == 4)))
			return 1;
		if (ng == 1 && g[0] <= 2 && j + 2 < n && s[j] == ':' && is_digit(s[j + 1]) &&
		    is_digit(s[j + 2]))
			return 1;
	}
	return 0;
}

static int has_placeholder(const char *s, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++) {
		if (s[i] == '{') {
			size_t j = i + 1;
			if (s[j] == '{' || s[j] == '$' || s[j] == '%')
				j++;
			size_t st = j;
			while (j < n && ((s[j] | 32) >= 'a' && (s[j] | 32) <= 'z' ? 1 : s[j] == '_' || s[j] == '.'))
				j++;
			if (j > st && j < n && s[j] == '}')
				return 1;
		} else if ((s[i] == '$' && s[i + 1] == '{') || (s[i] == '%' && s[i + 1] == 's') ||
			   (s[i] == '[' && s[i + 1] == '[')) {
			return 1;
		}
	}
	return 0;
}

static int link_shape(const char *s, size_t n, uint32_t n_words)
{
	int seps = 0;

	if (memmem(s, n, "http", 4) || memmem(s, n, "www.", 4) || memmem(s, n, ".html", 5) ||
	    memmem(s, n, ".php", 4))
		return 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '|' || c == '>')
			seps++;
		else if (c == 0xC2 && i + 1 < n &&
			 ((unsigned char)s[i + 1] == 0xBB || (unsigned char)s[i + 1] == 0xB7))
			seps++; /* » · */
		else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
			 ((unsigned char)s[i + 2] == 0xBA || (unsigned char)s[i + 2] == 0xA2))
			seps++; /* › • */
	}
	if (n_words <= 25 && n >= 2 && (s[0] == '>' || memcmp(s, "\xc2\xbb", 2) == 0 ||
					(n >= 3 && memcmp(s, "\xe2\x86\x92", 3) == 0)))
		return 1; /* ">> other article", "» ...", "→ ..." */
	return seps >= 2 && n_words <= 20;
}

/* Last character that is not a space or closing quote/bracket. */
static int sentence_end(const char *s, size_t n)
{
	while (n > 0) {
		unsigned char c = (unsigned char)s[n - 1];
		if (c == ' ' || c == '"' || c == '\'' || c == ')' || c == ']') {
			n--;
			continue;
		}
		if (n >= 3 && (unsigned char)s[n - 3] == 0xE2 && (unsigned char)s[n - 2] == 0x80 &&
		    ((unsigned char)s[n - 1] == 0x9D || (unsigned char)s[n - 1] == 0x99)) {
			n -= 3; /* ” ’ */
			continue;
		}
		if (n >= 2 && (unsigned char)s[n - 2] == 0xC2 && c == 0xBB) {
			n -= 2; /* » */
			continue;
		}
		if (c == '.' || c == '!' || c == '?' || c == ';')
			return 1;
		if (n >= 3 && (unsigned char)s[n - 3] == 0xE2 && (unsigned char)s[n - 2] == 0x80 &&
		    c == 0xA6)
			return 1; /* … */
		return 0;
	}
	return 0;
}

/* `label: 123`, `label:` or `label: , label:` (counters, empty widgets) */
static int label_value(const char *s, size_t n, uint32_t n_words)
{
	const char *colon = NULL;

	if (n_words > 6)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ':')
			colon = s + i;
	if (!colon)
		return 0;
	int label = 0; /* the label must have letters: "13:15" is a time */
	for (const char *p = s; p < colon; p++)
		label |= ((*p | 32) >= 'a' && (*p | 32) <= 'z') || (unsigned char)*p >= 0x80;
	if (!label)
		return 0;
	for (const char *p = colon + 1; p < s + n; p++)
		if (!(is_digit(*p) || *p == ' ' || *p == '.' || *p == ',' || *p == '%' || *p == '+' ||
		      *p == '-' || *p == ':' || *p == '/'))
			return 0;
	return 1;
}

void cl_line_features(const struct langpack *lp, const char *line, size_t len,
		      struct tokvec *tv, struct cl_line *L)
{
	struct cl_linestats st;
	const struct cl_weights *w = &lp->w;
	size_t nt, nstop = 0, ndig = 0;
	double s = w->bias;
	uint32_t roles_at0 = 0;

	memset(L, 0, sizeof(*L));
	/* long lines are prose or not by their first words; the rest is counted */
	int cut = cl_tokenize_max(line, len, tv, &st, 96);
	if (cut < 0)
		tv->n = 0;
	nt = tv->n;
	L->len = (uint32_t)len;
	L->n_chars = st.n_chars;
	L->n_words = (uint32_t)nt;
	{
		uint64_t h = 0;
		for (size_t i = 0; i < nt; i++)
			h = ngram_mix(h, tv->v[i].hash);
		L->hash = nt && cut == 0 ? h : (XXH3_64bits(line, len) | 1);
	}
	for (size_t i = 0; i < nt; i++) {
		nstop += (size_t)hset_get(&lp->stop, tv->v[i].hash, NULL);
		ndig += (tv->v[i].flags & TOK_DIGITS) != 0;
	}
	/* vocabulary by role, on lines short enough to be furniture */
	double wmax = 0;
	if (nt > 0 && nt <= 64 && (double)nt <= w->widget_max_words + 6) {
		uint8_t cov[64][3];
		const char *lastpar = NULL;
		memset(cov, 0, sizeof(cov));
		if (len > 0 && line[len - 1] == ')')
			lastpar = memrchr(line, '(', len);
		for (size_t i = 0; i < nt; i++) {
			uint64_t h = 0;
			for (size_t k = 0; k < (size_t)lp->max_phrase_words && i + k < nt; k++) {
				uint32_t mask;
				h = ngram_mix(h, tv->v[i + k].hash);
				if (!hset_get(&lp->phrases, h, &mask))
					continue;
				for (int c = 0; c < lp->n_cats; c++) {
					if (!(mask & (1u << c)))
						continue;
					enum cl_role r = lp->cats[c].role;
					if (r <= ROLE_NAV) {
						for (size_t q = i; q <= i + k; q++)
							cov[q][r] = 1;
						if (r == ROLE_WIDGET && lp->cats[c].weight > wmax)
							wmax = lp->cats[c].weight;
						if (r == ROLE_TAIL && lp->cats[c].weight > wmax)
							wmax = lp->cats[c].weight;
					}
					if (i == 0)
						roles_at0 |= 1u << r;
					if (r == ROLE_BYLINE && lastpar &&
					    line + tv->v[i].off > lastpar)
						L->byline = 1;
				}
			}
		}
		uint32_t cw = 0, ct = 0, cn = 0, words = 0;
		for (size_t i = 0; i < nt; i++) {
			int dig = (tv->v[i].flags & TOK_DIGITS) != 0;
			words += !dig;
			cw += cov[i][ROLE_WIDGET] || cov[i][ROLE_TAIL];
			ct += cov[i][ROLE_TAIL];
			cn += cov[i][ROLE_NAV];
		}
		if (words > 0) {
			L->widget_cov = cw ? (float)(cw + ndig) / (float)nt : 0;
			if (L->widget_cov > 1)
				L->widget_cov = 1;
			L->tail_cov = (float)(ct) / (float)words;
			L->nav_cov = (float)cn / (float)words;
		}
		L->tail_bare = L->tail_cov >= 0.6f && words <= 6;
	}
	L->placeholder = (uint8_t)has_placeholder(line, len);
	L->link = nt <= 40 ? (uint8_t)link_shape(line, len, L->n_words) : 0;
	L->label_value = (uint8_t)label_value(line, len, L->n_words);
	L->sent_end = (uint8_t)sentence_end(line, len);
	L->caption_cue = (roles_at0 >> ROLE_CAPTION) & 1;
	if (nt <= 12 && ((roles_at0 >> ROLE_BYLINE) & 1))
		L->byline = 1;
	if (nt > 12)
		L->byline = 0;
	if (nt <= 14 && has_date(line, len) &&
	    (((roles_at0 >> ROLE_DATELINE) & 1) || nt - ndig <= 5))
		L->dateline = 1;

	/* score: log-odds of boilerplate */
	double cov = L->widget_cov;
	double weak = 1.0 - (cov > 0.9 ? 0.9 : cov); /* furniture mutes prose evidence */
	int inline_tail = !L->tail_bare && ((roles_at0 >> ROLE_TAIL) & 1) &&
			  !((roles_at0 >> ROLE_BYLINE) & 1) &&
			  memchr(line, ':', len) && nt <= 30;
	if (inline_tail || L->link)
		weak = weak < 0.4 ? weak : 0.4;
	if (cov > 0)
		s += w->widget * wmax * (cov >= 0.5 ? cov : cov * 0.3);
	if (L->tail_bare)
		s += w->tail * 3.0;
	else if (inline_tail)
		s += w->tail * 3.0; /* "Xem thêm: <other article>" */
	if (L->nav_cov >= 0.99f && nt <= 15) {
		/* a line made only of section names: a menu when it has several */
		s += w->nav * (nt >= 3 ? 3.0 : 1.0);
	}
	if (L->placeholder)
		s += w->placeholder;
	if (st.n_chars > 0) {
		double ds = (double)(st.n_digits + st.n_symbols) / (double)st.n_chars;
		if (ds > 0.3)
			s += w->digit_symbol * (ds - 0.3);
	}
	if (L->link)
		s += w->link;
	if (L->label_value)
		s += w->label_value;
	if (nt > 0) {
		double dens = (double)nstop / (double)nt;
		double f = ((double)nt - 3.0) / 10.0;
		f = f < 0 ? 0 : f > 1 ? 1 : f;
		s -= w->stop_words * (dens > 0.4 ? 0.4 : dens) * f * weak;
	}
	if (L->sent_end && nt >= 8)
		s -= w->sentence_end;
	s -= w->length * log2(1.0 + st.n_chars / 80.0) * weak;
	if (nt <= 2)
		s += w->short_line;
	L->score = (float)s;
}

/* --------------------------------------------------------- the article -- */

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
	return vec_reserve(p, cap, n, elem);
}

/* Occurrence numbers of each line's hash inside the article. */
static int count_repeats(struct cl_bp_scratch *s)
{
	size_t need = 16;

	while (need < s->n_lines * 2 + 2)
		need *= 2;
	if (need > s->rcap) {
		free(s->rk);
		free(s->rv);
		free(s->rs);
		s->rk = malloc(need * sizeof(*s->rk));
		s->rv = malloc(need * sizeof(*s->rv));
		s->rs = malloc(need * sizeof(*s->rs));
		if (!s->rk || !s->rv || !s->rs) {
			s->rcap = 0;
			return -1;
		}
		s->rcap = need;
	}
	memset(s->rk, 0, need * sizeof(*s->rk));
	size_t mask = need - 1;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < s->n_lines; i++) {
			struct cl_line *L = &s->lines[i];
			if (L->cls == LC_EMPTY)
				continue;
			size_t j = L->hash & mask;
			while (s->rk[j] && s->rk[j] != L->hash)
				j = (j + 1) & mask;
			if (pass == 0) {
				if (!s->rk[j]) {
					s->rk[j] = L->hash;
					s->rv[j] = 0;
					s->rs[j] = 0;
				}
				s->rv[j]++;
			} else {
				L->occ = s->rs[j]++;
				L->occ_total = s->rv[j];
			}
		}
	return 0;
}

static int cross_source(struct cl_bp_scratch *s, struct cl_seen *seen, uint64_t source_hash,
			const struct cl_weights *w, uint32_t cross_min)
{
	size_t n = 0;

	if (grow((void **)&s->keys, &s->kcap, s->n_lines, sizeof(*s->keys)) < 0 ||
	    grow((void **)&s->counts, &s->ccap, s->n_lines, sizeof(*s->counts)) < 0 ||
	    grow((void **)&s->idx, &s->icap, s->n_lines, sizeof(*s->idx)) < 0)
		return -1;
	for (size_t i = 0; i < s->n_lines; i++) {
		struct cl_line *L = &s->lines[i];
		if (L->cls == LC_EMPTY || L->occ > 0 || L->n_words > 40)
			continue;
		s->keys[n] = ngram_mix(source_hash, L->hash);
		s->idx[n++] = (int32_t)i;
	}
	cl_seen_update(seen, s->keys, n, s->counts);
	for (size_t k = 0; k < n; k++) {
		struct cl_line *L = &s->lines[s->idx[k]];
		L->cross = s->counts[k];
		if (L->cross >= cross_min && L->n_words <= 40)
			L->score += (float)w->cross_source;
	}
	return 0;
}

static int headline_like(const struct cl_line *L)
{
	return (L->cls == LC_NEUTRAL || L->cls == LC_GOOD) && !L->sent_end && L->n_words >= 3 &&
	       L->n_words <= 25 && !L->byline && !L->dateline;
}

/* Lists of other articles: three or more headline-like lines in a row
 * (datelines between them do not count), or headlines each followed by a
 * dateline (and maybe a teaser) repeated, after the body has begun. */
static void mark_lists(struct cl_line *v, size_t n, double total_good)
{
	double before = 0;
	size_t i = 0;

	while (i < n) {
		size_t j = i, heads = 0, dated = 0, lines = 0;
		while (j < n) {
			struct cl_line *L = &v[j];
			if (headline_like(L)) {
				heads++;
				if (j + 1 < n && v[j + 1].cls == LC_META && v[j + 1].dateline)
					dated++;
			} else if (L->cls == LC_META && L->dateline && heads > 0) {
				/* transparent */
			} else if (dated > 0 && L->cls == LC_GOOD && L->n_chars < 500 && j > 0 &&
				   v[j - 1].cls == LC_META && v[j - 1].dateline) {
				/* a teaser after "headline, date" */
			} else {
				break;
			}
			j++;
			lines++;
		}
		int list = (heads >= 3 && dated == 0 && j - i == lines &&
			    (before > 0 || total_good > 0)) ||
			   (dated >= 2 && before >= 0.5 * total_good);
		if (heads >= 3 && dated == 0) {
			/* consecutive headlines only: require them to be adjacent */
			size_t run = 0, best = 0;
			for (size_t k = i; k < j; k++) {
				run = headline_like(&v[k]) ? run + 1 : (v[k].dateline ? run : 0);
				best = run > best ? run : best;
			}
			list = best >= 3;
		}
		if (list && j > i) {
			for (size_t k = i; k < j; k++) {
				if (v[k].cls == LC_GOOD)
					before -= 0; /* removed from the body */
				v[k].cls = LC_BAD;
			}
			i = j;
			continue;
		}
		if (v[i].cls == LC_GOOD)
			before += v[i].n_chars;
		i++;
	}
}

/* A byline glued after the last sentence of a long line ("... cuối năm.
 * Minh Anh (T/h)"): returns the fragment's offset in the line, or 0. */
static size_t glued_byline(const struct langpack *lp, const char *line, size_t len,
			   struct tokvec *tv)
{
	size_t cut = 0;

	if (len < 120)
		return 0;
	/* last ". " (or ! ? … or a closing quote after them) in the final 80 bytes */
	for (size_t i = len - 2; i > len - 80 && i > 0; i--) {
		char c = line[i];
		if (line[i + 1] == ' ' && (c == '.' || c == '!' || c == '?' || c == '"' ||
					   (i >= 2 && (unsigned char)line[i - 2] == 0xE2 &&
					    ((unsigned char)c == 0x9D || (unsigned char)c == 0xA6)))) {
			cut = i + 2;
			break;
		}
	}
	if (!cut || len - cut > 60 || cl_tokenize(line + cut, len - cut, tv, NULL) < 0 ||
	    tv->n == 0 || tv->n > 6)
		return 0;
	size_t upper = 0;
	uint64_t h = 0;
	uint32_t mask = 0;
	for (size_t i = 0; i < tv->n; i++) {
		upper += (tv->v[i].flags & TOK_UPPER) != 0 || tv->v[i].len <= 2;
		if (tv->v[i].flags & TOK_DIGITS)
			return 0;
		if (i < 2) {
			h = ngram_mix(h, tv->v[i].hash);
			uint32_t m;
			if (hset_get(&lp->phrases, h, &m))
				mask |= m;
		}
	}
	if ((mask & lp->role_mask[ROLE_BYLINE]) || upper * 10 >= tv->n * 6)
		return cut;
	return 0;
}

static int caption_like(const struct cl_line *v, size_t n, size_t i)
{
	const struct cl_line *L = &v[i];

	if (L->caption_cue || (L->occ_total >= 2 && L->n_words <= 30))
		return 1;
	if (L->cls != LC_NEUTRAL || L->sent_end || L->n_words < 4 || L->n_words > 30)
		return 0;
	/* a non-sentence between two body paragraphs */
	size_t a = i, b = i;
	while (a > 0 && v[a - 1].cls == LC_EMPTY)
		a--;
	while (b + 1 < n && v[b + 1].cls == LC_EMPTY)
		b++;
	return a > 0 && b + 1 < n && v[a - 1].cls == LC_GOOD && v[b + 1].cls == LC_GOOD;
}

int cl_boilerplate(const struct langpack *lp, const struct cl_bp_opts *o, struct cl_seen *seen,
		   uint64_t source_hash, const char *text, size_t len, struct buf *out,
		   struct cl_bp_scratch *s, size_t *removed)
{
	const struct cl_weights *w = &lp->w;
	size_t n = 0, first = 0, last = 0;
	double total_good = 0;

	*removed = 0;
	buf_reset(out);
	/* split into lines and featurise */
	for (size_t i = 0; i <= len;) {
		const char *nl = i < len ? memchr(text + i, '\n', len - i) : NULL;
		size_t e = nl ? (size_t)(nl - text) : len;
		if (grow((void **)&s->lines, &s->cap_lines, n + 1, sizeof(*s->lines)) < 0)
			return -1;
		struct cl_line *L = &s->lines[n];
		if (e > i) {
			cl_line_features(lp, text + i, e - i, &s->tv, L);
			L->off = (uint32_t)i;
			L->cls = LC_NEUTRAL;
			n++;
		}
		if (!nl)
			break;
		i = e + 1;
	}
	s->n_lines = n;
	if (n == 0)
		return 0;
	if (count_repeats(s) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (s->lines[i].occ_total >= 2)
			s->lines[i].score += (float)w->repeat;
	if (seen && cross_source(s, seen, source_hash, w, o->cross_min) < 0)
		return -1;
	/* classes */
	for (size_t i = 0; i < n; i++) {
		struct cl_line *L = &s->lines[i];
		if (L->dateline && !L->placeholder && L->widget_cov < 0.5f && !L->link)
			L->cls = LC_META;
		else if (L->score > w->bad_threshold)
			L->cls = LC_BAD;
		else if ((L->byline || L->dateline) && L->score > w->good_threshold - 2.0)
			L->cls = LC_META;
		else if (L->score < w->good_threshold)
			L->cls = LC_GOOD;
		else
			L->cls = LC_NEUTRAL;
		if (L->cls == LC_GOOD)
			total_good += L->n_chars;
	}
	/* a bare tail heading with more body before it than after ends the article */
	{
		double before = 0;
		for (size_t i = 0; i < n; i++) {
			struct cl_line *L = &s->lines[i];
			if (L->tail_bare && L->cls == LC_BAD && before >= total_good - before &&
			    before > 0) {
				for (size_t j = i; j < n; j++) {
					if (s->lines[j].cls == LC_GOOD)
						total_good -= s->lines[j].n_chars;
					s->lines[j].cls = LC_BAD;
				}
				n = i; /* nothing after can be kept */
				break;
			}
			if (L->cls == LC_GOOD)
				before += L->n_chars;
		}
	}
	if (n == 0) {
		*removed = s->n_lines;
		return 0;
	}
	if (!o->structural) {
		first = 0;
		last = n - 1;
		goto body;
	}
	mark_lists(s->lines, n, total_good);
	/* body: the span maximising GOOD characters minus BAD penalties */
	{
		double best = -1e300, cur = 0;
		size_t cs = 0;
		for (size_t i = 0; i < n; i++) {
			struct cl_line *L = &s->lines[i];
			double v = L->cls == LC_GOOD ? (double)L->n_chars
				   : L->cls == LC_BAD ? -(w->bad_penalty_chars + 0.5 * L->n_chars)
						      : 0.0;
			if (cur <= 0) {
				cur = 0;
				cs = i;
			}
			cur += v;
			if (cur > best) {
				best = cur;
				first = cs;
				last = i;
			}
		}
		if (best <= 0) { /* no body text at all: keep the non-BAD lines */
			first = 0;
			last = n - 1;
		}
	}
	/* head: META lines and at most one heading just before the body; short
	 * furniture (a share bar) between them is stepped over (and dropped) */
	{
		int headings = 0, metas = 0, skipped = 0;
		int title_inside = headline_like(&s->lines[first]);
		size_t at = first;
		while (at > 0) {
			struct cl_line *L = &s->lines[at - 1];
			if (L->cls == LC_BAD) {
				if (title_inside || headings > 0 || L->n_words > 8 || ++skipped > 2 ||
				    L->placeholder)
					break;
				at--;
				continue;
			}
			at--;
			if (L->cls == LC_META) {
				if (++metas > 4)
					break;
			} else if (++headings > 1 || L->n_words > 60) {
				break;
			}
			first = at;
		}
	}
	/* tail: META and short lines up to the first BAD line */
	{
		int k = 0;
		while (last + 1 < n && k < 4) {
			struct cl_line *L = &s->lines[last + 1];
			if (L->cls == LC_BAD || (L->cls != LC_META && L->n_words > 8))
				break;
			if (L->cls != LC_META && L->n_words > 6 && !L->byline)
				break;
			last++;
			k++;
		}
	}
body:
	for (size_t i = 0; i < s->n_lines; i++) {
		struct cl_line *L = &s->lines[i];
		int keep = i >= first && i <= last && L->cls != LC_BAD;
		if (keep && L->occ > 0 && o->captions != CAPTIONS_KEEP)
			keep = 0;
		if (keep && o->captions == CAPTIONS_DROP && i != first &&
		    caption_like(s->lines, s->n_lines, i))
			keep = 0;
		L->keep = (uint8_t)keep;
		if (!keep) {
			(*removed)++;
			continue;
		}
		if (out->len > 0 && buf_put(out, "\n\n", 2) < 0)
			return -1;
		size_t g = o->structural && L->cls == LC_GOOD && L->n_words >= 20
				   ? glued_byline(lp, text + L->off, L->len, &s->tv)
				   : 0;
		if (g) { /* the byline becomes its own paragraph */
			size_t e = g - 1;
			while (e > 0 && text[L->off + e - 1] == ' ')
				e--;
			if (buf_put(out, text + L->off, e) < 0 || buf_put(out, "\n\n", 2) < 0 ||
			    buf_put(out, text + L->off + g, L->len - g) < 0)
				return -1;
			continue;
		}
		if (buf_put(out, text + L->off, L->len) < 0)
			return -1;
	}
	return 0;
}
