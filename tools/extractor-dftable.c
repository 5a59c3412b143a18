/* extractor-dftable — builds the extractor's document-frequency table.
 *
 *   extractor-dftable CORPUS.jsonl.gz OUT.tsv [MIN_DF [LANG [SOURCE_NOTE]]]
 *
 * CORPUS: one JSON object a line with `text`, or `title`/`summary`/`body`
 * (e.g. ../shared/corpus/vietnews-val.jsonl.gz).  For every document it
 * counts the distinct terms the plugin's keyword extractor would see
 * (lower-case canonical syllables and adjacent-syllable bigrams, stop words
 * and numbers excluded, using the same tokenizer, language pack and
 * canonical forms through extractor_static) and writes those found in at
 * least MIN_DF documents (default 20): "term<TAB>df", unigrams first, with a
 * header naming the source.  Only counts are written, never text.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "extractor_int.h"
#include "harness.h"

const struct newsd_plugin *newsd_plugin_extractor_describe(void);

struct term {
	uint64_t key;
	uint32_t df;
};

static int cmp_term(const void *a, const void *b)
{
	const struct term *x = a, *y = b;
	int xb = (x->key >> 32) != 0, yb = (y->key >> 32) != 0;
	if (xb != yb)
		return xb - yb;
	if (x->df != y->df)
		return x->df < y->df ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

int main(int argc, char **argv)
{
	char err[512], cfg[64];
	const char *lang = argc > 4 ? argv[4] : "vi";
	unsigned long min_df = argc > 3 ? strtoul(argv[3], NULL, 10) : 20;
	struct harness *h = NULL;
	struct xpack pack;
	int have_pack = 0, rc = 1;
	gzFile gz = NULL;
	FILE *out = NULL;
	struct u64map df, doc;
	struct xvec toks = {.esz = sizeof(struct xtok)}, lines = {.esz = sizeof(struct xspan)};
	struct xbuf text = {0}, norm = {0};
	char *line = NULL;
	size_t cap = 1 << 20;
	unsigned long ndocs = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s CORPUS.jsonl.gz OUT.tsv [MIN_DF [LANG]]\n", argv[0]);
		return 2;
	}
	if (u64map_init(&df, 1 << 20) < 0 || u64map_init(&doc, 4096) < 0 || !(line = malloc(cap)))
		goto out;
	snprintf(cfg, sizeof(cfg), "languages: [%s]\ndefault_lang: %s\n", lang, lang);
	if (!(h = harness_new(newsd_plugin_extractor_describe(), cfg, err, sizeof(err))) ||
	    xpack_load(&pack, harness_host(h, 0), lang, err, sizeof(err)) < 0) {
		fprintf(stderr, "extractor-dftable: %s\n", err);
		goto out;
	}
	have_pack = 1;
	if (!(gz = gzopen(argv[1], "rb"))) {
		perror(argv[1]);
		goto out;
	}
	while (gzgets(gz, line, (int)cap)) {
		size_t ll = strlen(line);
		while (ll == cap - 1 && line[ll - 1] != '\n') { /* a longer line */
			char *n2 = realloc(line, cap * 2);
			if (!n2)
				goto out;
			line = n2;
			if (!gzgets(gz, line + ll, (int)(cap * 2 - ll)))
				break;
			cap *= 2;
			ll = strlen(line);
		}
		json_t *o = json_loads(line, 0, NULL);
		if (!o)
			continue;
		text.len = 0;
		static const char *const fields[] = {"text", "title", "summary", "body"};
		for (size_t f = 0; f < 4; f++) {
			const char *v = json_string_value(json_object_get(o, fields[f]));
			if (v && (xbuf_add(&text, v, strlen(v)) < 0 || xbuf_add(&text, "\n\n", 2) < 0))
				goto out;
		}
		json_decref(o);
		const char *t = text.p ? text.p : "";
		size_t tl = text.len;
		if (xtext_has_combining(t, tl) && xbuf_reserve(&norm, tl * 3 + 16) == 0) {
			long m = xtone_canon(NULL, t, tl, norm.p, norm.cap, 0);
			if (m >= 0) {
				t = norm.p;
				tl = (size_t)m;
			}
		}
		if (xtext_tokenize(t, tl, &toks, &lines) < 0)
			goto out;
		u64map_free(&doc);
		if (u64map_init(&doc, toks.len + 16) < 0)
			goto out;
		uint32_t prev = UINT32_MAX;
		for (size_t i = 0; i < toks.len; i++) {
			const struct xtok *tk = &XVEC_AT(&toks, struct xtok, i);
			const struct xsyl *sy;
			if (!(tk->flags & XT_ALPHA) || (tk->flags & XT_DIGIT) || tk->end - tk->start < 2) {
				prev = UINT32_MAX;
				continue;
			}
			if (!(sy = xpack_syl(&pack, t + tk->start, tk->end - tk->start)))
				goto out;
			if (sy->flags & (XS_STOP | XS_NUM)) {
				prev = UINT32_MAX;
				continue;
			}
			if (!(tk->flags & XT_SPACE_BEFORE) || (tk->flags & (XT_NEWLINE_BEFORE | XT_PUNCT_BEFORE)))
				prev = UINT32_MAX;
			uint32_t id = sy->cid;
			if (u64map_put(&doc, (uint64_t)id + 1, 1) < 0)
				goto out;
			if (prev != UINT32_MAX &&
			    u64map_put(&doc, ((uint64_t)(prev + 1) << 32) | (uint64_t)(id + 1), 1) < 0)
				goto out;
			prev = id;
		}
		for (size_t s = 0; s < doc.nslots; s++) {
			uint32_t c = 0;
			if (!doc.keys[s])
				continue;
			(void)u64map_get(&df, doc.keys[s], &c);
			if (u64map_put(&df, doc.keys[s], c + 1) < 0)
				goto out;
		}
		ndocs++;
	}
	/* write */
	struct xvec terms = {.esz = sizeof(struct term)};
	for (size_t s = 0; s < df.nslots; s++) {
		struct term *tm;
		if (!df.keys[s] || df.vals[s] < min_df)
			continue;
		if (!(tm = xvec_push(&terms)))
			goto out;
		tm->key = df.keys[s];
		tm->df = df.vals[s];
	}
	qsort(terms.p, terms.len, sizeof(struct term), cmp_term);
	if (!(out = fopen(argv[2], "w"))) {
		perror(argv[2]);
		xvec_free(&terms);
		goto out;
	}
	fprintf(out, "# newsd extractor document frequencies, language '%s'\n", lang);
	fprintf(out, "# source: %s%s%s (document counts only; no text)\n",
		strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1], argc > 5 ? ", " : "",
		argc > 5 ? argv[5] : "");
	fprintf(out, "# built by tools/extractor-dftable.c; terms are lower-case canonical syllables and bigrams\n");
	fprintf(out, "# docs: %lu\n# min_df: %lu\n", ndocs, min_df);
	for (size_t i = 0; i < terms.len; i++) {
		const struct term *tm = &XVEC_AT(&terms, struct term, i);
		uint32_t a = (uint32_t)(tm->key >> 32), b = (uint32_t)tm->key;
		if (a)
			fprintf(out, "%s %s\t%u\n", strmap_key(&pack.canon_ids, a - 1),
				strmap_key(&pack.canon_ids, b - 1), tm->df);
		else
			fprintf(out, "%s\t%u\n", strmap_key(&pack.canon_ids, b - 1), tm->df);
	}
	fprintf(stderr, "extractor-dftable: %lu documents, %zu terms with df >= %lu\n", ndocs, terms.len, min_df);
	xvec_free(&terms);
	rc = 0;
out:
	if (out && fclose(out) != 0)
		rc = 1;
	if (gz)
		gzclose(gz);
	if (have_pack)
		xpack_free(&pack);
	harness_free(h);
	u64map_free(&df);
	u64map_free(&doc);
	xvec_free(&toks);
	xvec_free(&lines);
	xbuf_free(&text);
	xbuf_free(&norm);
	free(line);
	return rc;
}
