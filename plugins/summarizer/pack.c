/* pack.c — the summarizer's language pack (config/lang/<lang>/summarizer.yaml). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "summarizer.h"

/* UTF-8 -> UTF-16 into buf[cap]; length or -1. */
static int32_t u16(const char *s, UChar *buf, int32_t cap)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = 0;

	u_strFromUTF8(buf, cap, &n, s, -1, &st);
	return U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING ? -1 : n;
}

static int load_weights(const struct newsd_host *h, const struct newsd_config *c,
			struct sz_weights *w, const char *file, const char *key, char *err,
			size_t errlen)
{
	const char *k;

	memset(w, 0, sizeof(*w));
	if (!c) {
		snprintf(err, errlen, "%s: missing map `%s`", file, key);
		return -EINVAL;
	}
	for (size_t i = 0; (k = h->cfg_key_at(c, i)) != NULL; i++) {
		int found = 0;
		for (int f = 0; f < SZ_NF; f++)
			if (strcmp(k, sz_feature_names[f]) == 0) {
				w->f[f] = h->cfg_float(c, k);
				found = 1;
			}
		if (strcmp(k, "mmr") == 0)
			w->mmr = h->cfg_float(c, k), found = 1;
		else if (strcmp(k, "target_words") == 0)
			w->target_words = h->cfg_float(c, k), found = 1;
		else if (strcmp(k, "min_words") == 0)
			w->min_words = h->cfg_float(c, k), found = 1;
		if (!found) {
			snprintf(err, errlen, "%s: unknown key `%s.%s`", file, key, k);
			return -EINVAL;
		}
	}
	if (w->target_words <= 0)
		w->target_words = 1e9;
	return 0;
}

/* A list of strings as UTF-16, back to back, with n + 1 offsets. */
static int load_u16_list(const struct newsd_host *h, const struct newsd_config *c, const char *key,
			 UChar **buf, int32_t **off, size_t *n, const char *file, char *err,
			 size_t errlen)
{
	size_t len = h->cfg_list_len(c, key), total = 1;

	for (size_t i = 0; i < len; i++) {
		const char *s = h->cfg_list_str(c, key, i);
		if (!s) {
			snprintf(err, errlen, "%s: %s[%zu] is not a string", file, key, i);
			return -EINVAL;
		}
		total += strlen(s) + 1;
	}
	*buf = malloc(total * sizeof(UChar));
	*off = malloc((len + 1) * sizeof(int32_t));
	if (!*buf || !*off) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	(*off)[0] = 0;
	for (size_t i = 0; i < len; i++) {
		int32_t at = (*off)[i];
		int32_t m = u16(h->cfg_list_str(c, key, i), *buf + at, (int32_t)total - at);
		if (m < 0) {
			snprintf(err, errlen, "%s: %s[%zu] is not UTF-8", file, key, i);
			return -EINVAL;
		}
		(*off)[i + 1] = at + m;
	}
	*n = len;
	return 0;
}

static int load_rules(struct sz_rules *r, const struct newsd_host *h,
		      const struct newsd_config *c, const char *file, char *err, size_t errlen)
{
	size_t n = h->cfg_list_len(c, "abbreviations"), total = 0;
	const struct newsd_config *ini = h->cfg_child(c, "initials");
	const char *v;

	for (size_t i = 0; i < n; i++) {
		const char *s = h->cfg_list_str(c, "abbreviations", i);
		if (!s) {
			snprintf(err, errlen, "%s: abbreviations[%zu] is not a string", file, i);
			return -EINVAL;
		}
		total += strlen(s) + 1;
	}
	r->abbr = malloc((total + 1) * sizeof(UChar));
	r->abbr_off = malloc((n + 1) * sizeof(int32_t));
	if (!r->abbr || !r->abbr_off) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r->abbr_off[0] = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = h->cfg_list_str(c, "abbreviations", i);
		size_t l = strlen(s);
		int32_t at = r->abbr_off[i], m;

		if (l && s[l - 1] == '.') /* accept "TP." as well as "TP" */
			l--;
		{
			char tmp[64];
			if (l >= sizeof(tmp)) {
				snprintf(err, errlen, "%s: abbreviations[%zu] too long", file, i);
				return -EINVAL;
			}
			memcpy(tmp, s, l);
			tmp[l] = 0;
			m = u16(tmp, r->abbr + at, (int32_t)(total + 1) - at);
		}
		if (m < 0) {
			snprintf(err, errlen, "%s: abbreviations[%zu] is not UTF-8", file, i);
			return -EINVAL;
		}
		r->abbr_off[i + 1] = at + m;
	}
	r->n_abbr = n;
	n = h->cfg_list_len(c, "quotes");
	for (size_t i = 0; i < n && r->n_quotes < SZ_MAX_QUOTES; i++) {
		const char *s = h->cfg_list_str(c, "quotes", i);
		UChar q[8];
		int32_t m = s ? u16(s, q, 8) : -1;
		if (m != 2) {
			snprintf(err, errlen, "%s: quotes[%zu] must be two characters (open, close)",
				 file, i);
			return -EINVAL;
		}
		r->q_open[r->n_quotes] = q[0];
		r->q_close[r->n_quotes] = q[1];
		r->n_quotes++;
	}
	r->quote_max_chars = (int32_t)h->cfg_int(c, "quote_max_chars");
	if (r->quote_max_chars <= 0)
		r->quote_max_chars = 600;
	if (ini) {
		r->initial_max_letters = (int)h->cfg_int(ini, "max_letters");
		v = h->cfg_str(ini, "vowels");
		if (v) {
			int32_t m = u16(v, r->vowels, 64);
			if (m < 0) {
				snprintf(err, errlen, "%s: initials.vowels: at most 63 UTF-16 units", file);
				return -EINVAL;
			}
			r->n_vowels = m;
		}
	}
	return 0;
}

int sz_pack_load(struct sz_pack *p, const struct newsd_host *h, const char *lang, char *err,
		 size_t errlen)
{
	const struct newsd_config *c = NULL;
	char file[96];
	const char *s;
	int rc;

	memset(p, 0, sizeof(*p));
	snprintf(p->lang, sizeof(p->lang), "%s", lang);
	snprintf(file, sizeof(file), "lang/%s/summarizer.yaml", lang);
	rc = h->data_load(h, file, &c, err, errlen);
	if (rc < 0)
		goto out;
	s = h->cfg_str(c, "locale");
	snprintf(p->locale, sizeof(p->locale), "%s", s ? s : lang);
	rc = load_rules(&p->rules, h, c, file, err, errlen);
	if (rc < 0)
		goto out;
	rc = load_weights(h, h->cfg_child(c, "weights"), &p->w, file, "weights", err, errlen);
	if (rc < 0)
		goto out;
	rc = load_weights(h, h->cfg_child(c, "weights_no_title"), &p->w_notitle, file,
			  "weights_no_title", err, errlen);
	if (rc < 0)
		goto out;
	rc = load_u16_list(h, c, "skip_prefixes", &p->skip, &p->skip_off, &p->n_skip, file, err,
			   errlen);
	if (rc < 0)
		goto out;
	p->heading_max_words = (int)h->cfg_int(c, "heading_max_words");
	s = h->cfg_str(c, "terminators");
	p->n_terminators = 0;
	if (s) {
		int32_t m = u16(s, p->terminators, 16);
		if (m < 0) {
			snprintf(err, errlen, "%s: terminators: at most 15 UTF-16 units", file);
			rc = -EINVAL;
			goto out;
		}
		p->n_terminators = m;
	}
	rc = 0;
out:
	if (rc < 0)
		sz_pack_free(p);
	return rc;
}

void sz_pack_free(struct sz_pack *p)
{
	sz_rules_free(&p->rules);
	free(p->skip);
	free(p->skip_off);
	p->skip = NULL;
	p->skip_off = NULL;
	p->n_skip = 0;
}
