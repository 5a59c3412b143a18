/* langpack.c — loading language packs; syllable check; language detection. */
#include "langpack.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <xxhash.h>

static const struct cl_weights default_weights = {
	.bias = -0.5,
	.widget = 1.0,
	.placeholder = 6.0,
	.digit_symbol = 5.0,
	.link = 4.0,
	.label_value = 2.5,
	.stop_words = 8.0,
	.sentence_end = 1.5,
	.length = 1.2,
	.short_line = 0.5,
	.repeat = 1.0,
	.cross_source = 3.5,
	.nav = 1.0,
	.tail = 1.0,
	.bad_threshold = 0.5,
	.good_threshold = -1.0,
	.bad_penalty_chars = 150.0,
	.widget_max_words = 25.0,
};

static const struct {
	const char *name;
	size_t off;
} weight_names[] = {
#define W(n) {#n, offsetof(struct cl_weights, n)}
	W(bias), W(widget), W(placeholder), W(digit_symbol), W(link), W(label_value),
	W(stop_words), W(sentence_end), W(length), W(short_line), W(repeat), W(cross_source),
	W(nav), W(tail), W(bad_threshold), W(good_threshold), W(bad_penalty_chars),
	W(widget_max_words),
#undef W
};

void langpack_free(struct langpack *lp)
{
	hset_free(&lp->stop);
	hset_free(&lp->phrases);
	hset_free(&lp->onsets);
	hset_free(&lp->rimes);
}

static uint64_t str_hash(const char *s, size_t n)
{
	uint64_t h = XXH3_64bits(s, n);
	return h ? h : 1;
}

/* Hash of a phrase as a sequence of word tokens; 0 when it has no word. */
static uint64_t phrase_hash(const char *s, struct tokvec *tv, int *n_words)
{
	uint64_t h = 0;

	*n_words = 0;
	if (cl_tokenize(s, strlen(s), tv, NULL) < 0 || tv->n == 0)
		return 0;
	for (size_t i = 0; i < tv->n; i++)
		h = ngram_mix(h, tv->v[i].hash);
	*n_words = (int)tv->n;
	return h;
}

static int parse_scripts(const struct newsd_host *h, const struct newsd_config *c, const char *key,
			 int *out, int *n, const char *lang, char *err, size_t errlen)
{
	size_t len = h->cfg_list_len(c, key);

	*n = 0;
	for (size_t i = 0; i < len && *n < 4; i++) {
		const char *s = h->cfg_list_str(c, key, i);
		int code = s ? u_getPropertyValueEnum(UCHAR_SCRIPT, s) : -1;
		if (code < 0) {
			snprintf(err, errlen, "lang/%s/cleaner.yaml: %s[%zu] is not an ICU script name",
				 lang, key, i);
			return -EINVAL;
		}
		out[(*n)++] = code;
	}
	return 0;
}

static const char *const role_names[ROLE_COUNT] = {"widget", "tail", "nav", "byline", "dateline",
						   "caption"};

static int load_vocab(struct langpack *lp, const struct newsd_host *h,
		      const struct newsd_config *vocab, struct tokvec *tv, char *err, size_t errlen)
{
	const char *name;

	for (size_t k = 0; vocab && (name = h->cfg_key_at(vocab, k)) != NULL; k++) {
		const struct newsd_config *cat = h->cfg_child(vocab, name);
		const char *role = cat ? h->cfg_str(cat, "role") : NULL;
		struct cl_category *cc;
		int r;

		if (lp->n_cats >= CL_MAX_CATS) {
			snprintf(err, errlen, "lang/%s/cleaner.yaml: more than %d vocab categories",
				 lp->lang, CL_MAX_CATS);
			return -EINVAL;
		}
		for (r = 0; r < ROLE_COUNT; r++)
			if (role && strcmp(role, role_names[r]) == 0)
				break;
		if (r == ROLE_COUNT) {
			snprintf(err, errlen,
				 "lang/%s/cleaner.yaml: vocab.%s.role must be one of widget, tail, "
				 "nav, byline, dateline, caption",
				 lp->lang, name);
			return -EINVAL;
		}
		cc = &lp->cats[lp->n_cats];
		snprintf(cc->name, sizeof(cc->name), "%s", name);
		cc->role = (enum cl_role)r;
		cc->weight = (float)h->cfg_float(cat, "weight");
		lp->role_mask[r] |= 1u << lp->n_cats;
		for (size_t i = 0, n = h->cfg_list_len(cat, "phrases"); i < n; i++) {
			const char *p = h->cfg_list_str(cat, "phrases", i);
			int nw;
			uint64_t hh = p ? phrase_hash(p, tv, &nw) : 0;

			if (!hh || nw > CL_MAX_PHRASE_WORDS)
				continue;
			if (nw > lp->max_phrase_words)
				lp->max_phrase_words = nw;
			if (hset_add(&lp->phrases, hh, 1u << lp->n_cats) < 0)
				return -ENOMEM;
		}
		lp->n_cats++;
	}
	return 0;
}

static int load_syllables(struct langpack *lp, const struct newsd_host *h,
			  const struct newsd_config *syl)
{
	static const char *const keys[2] = {"onsets", "rimes"};
	struct hset *sets[2] = {&lp->onsets, &lp->rimes};

	if (!syl)
		return 0;
	for (int k = 0; k < 2; k++) {
		size_t n = h->cfg_list_len(syl, keys[k]);
		for (size_t i = 0; i < n; i++) {
			const char *s = h->cfg_list_str(syl, keys[k], i);
			if (s && *s && hset_add(sets[k], str_hash(s, strlen(s)), 1) < 0)
				return -ENOMEM;
		}
	}
	for (size_t i = 0, n = h->cfg_list_len(syl, "tone_marks"); i < n && lp->n_tone_marks < 8;
	     i++) {
		const char *s = h->cfg_list_str(syl, "tone_marks", i);
		UChar u[4];
		int32_t ul = 0;
		UErrorCode st = U_ZERO_ERROR;

		if (!s)
			continue;
		u_strFromUTF8(u, 4, &ul, s, -1, &st);
		if (U_SUCCESS(st) && ul == 1)
			lp->tone_marks[lp->n_tone_marks++] = u[0];
	}
	lp->has_syllables = lp->rimes.n > 0;
	return 0;
}

int langpack_load(struct langpack *lp, const struct newsd_host *h, const char *lang, char *err,
		  size_t errlen)
{
	const struct newsd_config *c = NULL, *wc;
	struct tokvec tv = {0};
	char name[128];
	int rc;

	memset(lp, 0, sizeof(*lp));
	lp->w = default_weights;
	snprintf(lp->lang, sizeof(lp->lang), "%s", lang);
	snprintf(name, sizeof(name), "lang/%s/cleaner.yaml", lang);
	rc = h->data_load(h, name, &c, err, errlen);
	if (rc < 0)
		goto out;
	rc = -ENOMEM;
	if (hset_init(&lp->stop, 256) < 0 || hset_init(&lp->phrases, 1024) < 0 ||
	    hset_init(&lp->onsets, 64) < 0 || hset_init(&lp->rimes, 256) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((rc = parse_scripts(h, c, "scripts", lp->scripts, &lp->n_scripts, lang, err, errlen)) <
		    0 ||
	    (rc = parse_scripts(h, c, "stray_letter_scripts", lp->stray_scripts,
				&lp->n_stray_scripts, lang, err, errlen)) < 0)
		goto out;
	if (lp->n_scripts == 0)
		lp->scripts[lp->n_scripts++] = USCRIPT_LATIN;
	for (size_t i = 0, n = h->cfg_list_len(c, "stop_words"); i < n; i++) {
		const char *s = h->cfg_list_str(c, "stop_words", i);
		if (s && cl_tokenize(s, strlen(s), &tv, NULL) == 0 && tv.n == 1 &&
		    hset_add(&lp->stop, tv.v[0].hash, 1) < 0) {
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = load_vocab(lp, h, h->cfg_child(c, "vocab"), &tv, err, errlen);
	if (rc < 0)
		goto out;
	rc = load_syllables(lp, h, h->cfg_child(c, "syllables"));
	if (rc < 0)
		goto out;
	for (size_t i = 0, n = h->cfg_list_len(c, "legacy_charsets"); i < n && lp->n_legacy < 4;
	     i++) {
		const char *s = h->cfg_list_str(c, "legacy_charsets", i);
		if (s)
			snprintf(lp->legacy[lp->n_legacy++], sizeof(lp->legacy[0]), "%s", s);
	}
	wc = h->cfg_child(c, "weights");
	for (size_t i = 0; wc && i < sizeof(weight_names) / sizeof(weight_names[0]); i++) {
		const char *k;
		for (size_t j = 0; (k = h->cfg_key_at(wc, j)) != NULL; j++)
			if (strcmp(k, weight_names[i].name) == 0)
				*(double *)((char *)&lp->w + weight_names[i].off) =
					h->cfg_float(wc, k);
	}
	rc = 0;
out:
	tokvec_free(&tv);
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory loading %s", name);
		langpack_free(lp);
	}
	return rc;
}

int langpack_syllable_valid(const struct langpack *lp, const UChar *w, int32_t n)
{
	UChar low[24], nfd[48], strip[48], nfc[24];
	char u8[64];
	int32_t nl, nd, ns = 0, nc, n8;
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *d, *c;

	if (!lp->has_syllables || n <= 0 || n > 12)
		return 0;
	d = unorm2_getNFDInstance(&st);
	c = unorm2_getNFCInstance(&st);
	nl = u_strToLower(low, 24, w, n, "", &st);
	nd = U_SUCCESS(st) ? unorm2_normalize(d, low, nl, nfd, 48, &st) : 0;
	if (U_FAILURE(st))
		return 0;
	for (int32_t i = 0; i < nd; i++) {
		int tone = 0;
		for (int k = 0; k < lp->n_tone_marks; k++)
			tone |= nfd[i] == lp->tone_marks[k];
		if (!tone)
			strip[ns++] = nfd[i];
	}
	nc = unorm2_normalize(c, strip, ns, nfc, 24, &st);
	if (U_FAILURE(st))
		return 0;
	u_strToUTF8(u8, sizeof(u8), &n8, nfc, nc, &st);
	if (U_FAILURE(st) || n8 <= 0 || n8 >= (int32_t)sizeof(u8))
		return 0;
	/* onset: 0..3 code points, the rest must be a rime */
	for (int32_t k = 0, cps = 0; k < n8 && cps <= 3; cps++) {
		if ((k == 0 || hset_get(&lp->onsets, str_hash(u8, (size_t)k), NULL)) &&
		    hset_get(&lp->rimes, str_hash(u8 + k, (size_t)(n8 - k)), NULL))
			return 1;
		k++;
		while (k < n8 && ((uint8_t)u8[k] & 0xC0) == 0x80)
			k++;
	}
	return 0;
}

size_t langpack_count_stop(const struct langpack *lp, const struct cl_token *t, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += (size_t)hset_get(&lp->stop, t[i].hash, NULL);
	return k;
}

int langpack_detect(const struct langpack *packs, size_t n_packs, int script,
		    const struct cl_token *t, size_t n_tok, double min_ratio)
{
	int best = -1;
	double best_r = 0;

	if (n_tok == 0)
		return -1;
	for (size_t p = 0; p < n_packs; p++) {
		int ok = 0;
		for (int s = 0; s < packs[p].n_scripts; s++)
			ok |= packs[p].scripts[s] == script;
		if (!ok)
			continue;
		double r = (double)langpack_count_stop(&packs[p], t, n_tok) / (double)n_tok;
		if (r > best_r) {
			best_r = r;
			best = (int)p;
		}
	}
	return best_r >= min_ratio ? best : -1;
}
