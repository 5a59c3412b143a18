/* docrefs.c — numbers of legal and party documents.
 *
 * Anchored on the document-type codes of the pack (NQ, QĐ, KH, CT, CTr…)
 * found by the automaton, then read over the neighbouring tokens:
 *   party style   <number>[-| ]<CODE>/<ISSUER>        23-KH/TU, 13 CTr/TU
 *   state style   <number>[/<year>]/<CODE>-<ISSUER>   45/2019/NĐ-CP
 * Party-style numbers are written canonically as NUMBER-CODE/ISSUER.
 */
#include <stdio.h>
#include <string.h>

#include "extractor_int.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Upper-case letters (ASCII or Đ), digits and inner hyphens. */
static size_t issuer_len(const char *s, size_t len, size_t i)
{
	size_t k = i, letters = 0;

	while (k < len) {
		char c = s[k];
		if ((c >= 'A' && c <= 'Z') || is_digit(c) || (c >= 'a' && c <= 'z' && letters > 0)) {
			letters += !is_digit(c);
			k++;
		} else if ((uint8_t)c == 0xC4 && k + 1 < len && (uint8_t)s[k + 1] == 0x90) { /* Đ */
			letters++;
			k += 2;
		} else if (c == '-' && k > i && k + 1 < len &&
			   ((s[k + 1] >= 'A' && s[k + 1] <= 'Z') || (uint8_t)s[k + 1] == 0xC4)) {
			k++;
		} else {
			break;
		}
		if (k - i > 24)
			return 0;
	}
	if (!letters || (k < len && xtext_is_wordchar_at(s, len, k)))
		return 0;
	return k - i;
}

int x_docrefs(struct xctx *x)
{
	const char *s = x->text;
	size_t len = x->len;
	char buf[96];

	for (size_t m = 0; m < x->matches.len; m++) {
		const struct ac_match *am = &XVEC_AT(&x->matches, struct ac_match, m);
		uint32_t nt;
		const struct xtag *tg = xpack_tags(x->pack, am->pat, &nt);
		int code = 0;
		for (uint32_t k = 0; k < nt; k++)
			if (tg[k].cat == XC_DOCCODE)
				code = 1;
		if (!code || am->start < 2 || am->end >= len)
			continue;
		size_t cs = am->start, ce = am->end;
		char before = s[cs - 1];
		if ((before == '-' || before == ' ') && s[ce] == '/') {
			/* party style */
			size_t ne = cs - 1, nb = ne;
			while (nb > 0 && is_digit(s[nb - 1]) && ne - nb < 5)
				nb--;
			if (nb == ne || (nb > 0 && xtext_wordchar_before(s, nb)) || (nb > 0 && s[nb - 1] == '/'))
				continue;
			size_t il = issuer_len(s, len, ce + 1);
			if (!il)
				continue;
			int r = snprintf(buf, sizeof(buf), "%.*s-%.*s/%.*s", (int)(ne - nb), s + nb,
					 (int)(ce - cs), s + cs, (int)il, s + ce + 1);
			if (r > 0 && (size_t)r < sizeof(buf) &&
			    xctx_add_unique(x, &x->docrefs, 'd', buf, (size_t)r) < 0)
				return -1;
		} else if (before == '/' && s[ce] == '-') {
			/* state style */
			size_t k = cs - 1, nb;
			size_t il = issuer_len(s, len, ce + 1);
			if (!il)
				continue;
			/* optional "/YYYY" then the number */
			nb = k;
			while (nb > 0 && is_digit(s[nb - 1]) && k - nb < 5)
				nb--;
			if (nb == k)
				continue;
			if (k - nb == 4 && nb > 1 && s[nb - 1] == '/' && is_digit(s[nb - 2])) {
				size_t y = nb - 1;
				nb = y;
				while (nb > 0 && is_digit(s[nb - 1]) && y - nb < 6)
					nb--;
			}
			if (nb > 0 && (xtext_wordchar_before(s, nb) || s[nb - 1] == '/'))
				continue;
			size_t end = ce + 1 + il;
			if (end - nb >= sizeof(buf))
				continue;
			if (xctx_add_unique(x, &x->docrefs, 'd', s + nb, end - nb) < 0)
				return -1;
		}
	}
	return 0;
}
