/* extractor-bench — throughput and silver-standard entity quality.
 *
 *   extractor-bench CORPUS.jsonl.gz [MAX_ARTICLES]
 *
 * CORPUS rows {id, title, summary, body} (vietnews-val) become records with
 * text = title, lead and body separated by blank lines, as the cleaner
 * would hand them over: NFC (about 5% of the corpus is decomposed; the
 * cleaner composes it, so the extractor's own fallback NFC pass for other
 * producers is left out of the figure).  Prints:
 *   - throughput of the extractor's process() alone (records are built in
 *     batches of 64 before the clock starts; each batch goes through
 *     process() under one clock), one core: articles/s, MB/s, and the same
 *     rate expressed in 5 KB articles (as if all cost were per byte);
 *   - the same on the corpus's own 5-KB articles (4,608-5,632 bytes of
 *     text, about 2,000), timed again once the instance is warm (median
 *     of three passes): the goal's figure, measured rather than converted;
 *   - a crc32 of every output record (keys sorted, input text left out):
 *     a speed change must leave it unchanged;
 *   - title accuracy (extracted title == the corpus title);
 *   - entity precision/recall against two silver standards derived here,
 *     with lexicons of the benchmark's own (independent of the language
 *     pack), described again in the output:
 *     v1 (the original, kept for comparison with older figures):
 *       silver names:     runs of >= 2 capitalised syllables inside a
 *                         sentence (not its first word), outside the title;
 *       silver persons:   silver names of 2-4 syllables whose first syllable
 *                         is one of the 16 commonest Vietnamese surnames;
 *       silver locations: other silver names right after an administrative
 *                         word (tỉnh, huyện, xã, phường, quận, thành phố, TP,
 *                         thị xã).
 *     v1 has two flaws, found by reading a sample of its disagreements:
 *       - a street, ward or district named after a person ("đường Nguyễn
 *         Trãi", "phường Lê Lợi", "quận Hoàng Mai") counts as a person,
 *         since the surname test comes before the administrative word;
 *       - a name opening a clause ("gồm: Nguyễn Văn A (SN 1990); Trần Văn
 *         B") is no silver name, so a correct person there is a false
 *         positive: lists of suspects, candidates and officials are
 *         written that way.
 *     v2 corrects both: a run right after an administrative word (also
 *     "(quận X)") is a location, one after a street or place word (đường,
 *     phố, hẻm, số, cầu, đảo, thôn…) or a house number is no person; a
 *     surname-led run of 2-4 syllables opening a clause (after ':' ';' or
 *     at a paragraph start, the title excepted) is a silver name and
 *     person, unless it is a credit ("Ảnh: X") or alone on its line (a
 *     byline: authors are no mentions).
 *     person/location recall = silver items found with that type;
 *     person/location precision = multi-syllable predictions that are a
 *     silver name and not a silver item of the other type;
 *   - keyword proxies (no hand labels; each a rule stated here and in the
 *     output, syllables compared in the pack's canonical form, i.e. NFC,
 *     lower case, the pack's tone placement):
 *       summary hits: share of emitted keywords whose syllables all occur,
 *         in order and as adjacent tokens, in the article's own summary
 *         (the corpus's human-written lead).  The summary is part of the
 *         text the extractor reads, so the level is inflated; only the
 *         change means something.  A half-word ('uong dang' from 'Trung
 *         uong Dang') still hits: the next figure is for that.
 *       standalone bigrams: share of emitted bigrams seen, somewhere in
 *         the corpus, at least 3 times as a chunk of exactly two
 *         syllables: a run of letter tokens joined by single spaces,
 *         closed on both sides by punctuation, a line break, a token with
 *         a digit, the text's edge or one of the bench's own 30 function
 *         words (FUNC below, not the pack's stop list).  A pair that only
 *         ever occurs inside longer runs ('dinh khoi' in 'quyet dinh khoi
 *         to') fails; so can a true word never written alone, so the
 *         level is a floor.  Independent of the DF table and its
 *         cohesion rule.
 *       code fragments: share of keywords with a syllable whose
 *         occurrences in the article touch '/' (or follow a digit and
 *         '-') at least half the time: the 'ct', 'tu' of '01-CT/TU'.
 *     EXTRACTOR_BENCH_VERBOSE=k prints the keywords of the first 20
 *     articles (k60: the first 60) with their title, '+' on summary hits,
 *     and at the end the bigrams that failed the standalone test most.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "extractor_int.h"
#include "harness.h"

const struct newsd_plugin *newsd_plugin_extractor_describe(void);

static const char *const SURNAMES[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ",
				       "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", NULL};
static const char *const ADMIN[] = {"tỉnh", "huyện", "xã", "phường", "quận", "thành phố", "TP",
				    "thị xã", NULL};
/* v2: words after which a name is a place or a street, never a person */
static const char *const PLACE_WORDS[] = {"đường", "phố", "đại lộ", "Đại lộ", "hẻm", "ngõ", "số", "cầu",
					  "đảo", "thôn", "ấp", "thị trấn", "Đường", "Phố", NULL};
/* keyword proxy: function words that close a chunk (the bench's own) */
static const char *const FUNC[] = {"và", "của", "các", "là", "có", "được", "trong", "cho", "với", "này",
				   "những", "một", "để", "đã", "không", "đến", "tại", "về", "ra", "trên",
				   "khi", "từ", "theo", "bị", "do", "sẽ", "đang", "cũng", "nhưng", "vào", NULL};
/* v2: words whose colon opens a credit, not a clause */
static const char *const CREDIT_WORDS[] = {"Ảnh", "ảnh", "Video", "Clip", "Nguồn", NULL};

static double now_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int in_list(const char *const *l, const char *s, size_t n)
{
	for (size_t i = 0; l[i]; i++)
		if (strlen(l[i]) == n && memcmp(l[i], s, n) == 0)
			return 1;
	return 0;
}

/* does the text before byte `at` end with a word of l + space (the word
 * preceded by a space, or by '(' when open_paren)? */
static int after_word_p(const char *const *l, const char *t, size_t at, int open_paren)
{
	for (size_t i = 0; l[i]; i++) {
		size_t n = strlen(l[i]);
		if (at >= n + 1 && t[at - 1] == ' ' && memcmp(t + at - 1 - n, l[i], n) == 0 &&
		    (at == n + 1 || t[at - 2 - n] == ' ' || (open_paren && t[at - 2 - n] == '(')))
			return 1;
	}
	return 0;
}

static int after_word(const char *const *l, const char *t, size_t at)
{
	return after_word_p(l, t, at, 0);
}

static int after_admin(const char *t, size_t at)
{
	return after_word(ADMIN, t, at);
}

struct silver {
	struct strmap names, persons, locations;
};

static int arr_has(json_t *arr, const char *s)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (strcmp(json_string_value(json_array_get(arr, i)), s) == 0)
			return 1;
	return 0;
}

/* End of the run of capitalised syllables joined by spaces from token i. */
static size_t run_end(const struct xtok *tk, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && (tk[j].flags & XT_CAP) && !(tk[j].flags & (XT_UPPER | XT_DIGIT)) &&
	       (tk[j].flags & XT_SPACE_BEFORE) && !(tk[j].flags & (XT_PUNCT_BEFORE | XT_NEWLINE_BEFORE)))
		j++;
	return j;
}

/* Precision/recall counts against one silver standard. */
struct score {
	long ptp, pfn, ltp, lfn, pp_ok, pp_all, lp_ok, lp_all;
	long p_one, l_one; /* one-word predictions, which precision leaves out */
};

static void score_article(struct score *sc, const struct silver *sv, json_t *per, json_t *loc, long art,
			  int verbose)
{
	for (size_t k = 0; k < sv->persons.ents.len; k++) {
		if (arr_has(per, strmap_key(&sv->persons, (long)k))) {
			sc->ptp++;
			continue;
		}
		sc->pfn++;
		if (verbose)
			fprintf(stderr, "person missed [%ld]: %s\n", art, strmap_key(&sv->persons, (long)k));
	}
	for (size_t k = 0; k < sv->locations.ents.len; k++)
		arr_has(loc, strmap_key(&sv->locations, (long)k)) ? sc->ltp++ : sc->lfn++;
	/* precision over multi-syllable predictions */
	for (size_t k = 0; k < json_array_size(per); k++) {
		const char *s = json_string_value(json_array_get(per, k));
		if (!strchr(s, ' ')) {
			sc->p_one++;
			continue;
		}
		sc->pp_all++;
		if (strmap_find(&sv->names, s, strlen(s)) >= 0 && strmap_find(&sv->locations, s, strlen(s)) < 0)
			sc->pp_ok++;
		else if (verbose)
			fprintf(stderr, "person not silver [%ld]: %s\n", art, s);
	}
	for (size_t k = 0; k < json_array_size(loc); k++) {
		const char *s = json_string_value(json_array_get(loc, k));
		if (!strchr(s, ' ')) {
			sc->l_one++;
			continue;
		}
		sc->lp_all++;
		if (strmap_find(&sv->names, s, strlen(s)) >= 0 && strmap_find(&sv->persons, s, strlen(s)) < 0)
			sc->lp_ok++;
	}
}

static void print_score(const char *tag, const struct score *sc)
{
	printf("persons   (silver %s): precision %.3f (%ld/%ld)  recall %.3f (%ld/%ld)\n", tag,
	       sc->pp_all ? (double)sc->pp_ok / (double)sc->pp_all : 0, sc->pp_ok, sc->pp_all,
	       sc->ptp + sc->pfn ? (double)sc->ptp / (double)(sc->ptp + sc->pfn) : 0, sc->ptp, sc->ptp + sc->pfn);
	printf("locations (silver %s): precision %.3f (%ld/%ld)  recall %.3f (%ld/%ld)\n", tag,
	       sc->lp_all ? (double)sc->lp_ok / (double)sc->lp_all : 0, sc->lp_ok, sc->lp_all,
	       sc->ltp + sc->lfn ? (double)sc->ltp / (double)(sc->ltp + sc->lfn) : 0, sc->ltp, sc->ltp + sc->lfn);
}


/* Keyword proxies (see the header comment). */
struct kwstat {
	long kw, uni, bi, hit, hit_uni, hit_bi, code;
	struct strmap chunks;  /* "a b" -> times seen as a two-syllable chunk */
	struct strmap emitted; /* emitted bigram -> times emitted */
	struct strmap occ;     /* per article: syllable -> total | in code << 16 */
	struct xbuf sum;       /* per article: the summary's syllables, see kw_summary */
};

/* The pack's canonical form of token t of s into out (NUL-terminated);
 * its length, or 0 for a token without a letter or a long one.  A copy:
 * the cache's arena moves when it grows. */
static size_t kw_canon(struct xpack *p, const char *s, const struct xtok *t, char *out, size_t cap)
{
	const struct xsyl *sy;

	if (!(t->flags & XT_ALPHA) || !(sy = xpack_syl(p, s + t->start, t->end - t->start)) ||
	    sy->canon_len + 1 > cap)
		return 0;
	memcpy(out, xpack_syl_str(p, sy), sy->canon_len);
	out[sy->canon_len] = '\0';
	return sy->canon_len;
}

static int gap_has(const char *s, size_t a, size_t b, char c)
{
	return memchr(s + a, c, b - a) != NULL;
}

/* The summary as " syl syl | syl ", a '|' wherever two syllables are not
 * adjacent (anything but spaces between them, or a token without a
 * letter): a keyword hits when " kw " occurs in it. */
static void kw_summary(struct kwstat *ks, struct xpack *p, const char *sum, struct xvec *toks, struct xvec *lines)
{
	size_t sl = strlen(sum), cap = sl * 3 + 16;
	char *nfc = malloc(cap), c[256];
	long m = nfc ? xtone_canon(NULL, sum, sl, nfc, cap, 0) : -1;

	ks->sum.len = 0;
	xbuf_add(&ks->sum, " ", 1);
	if (m < 0)
		goto out;
	xtext_tokenize(nfc, (size_t)m, toks, lines);
	for (size_t i = 0; i < toks->len; i++) {
		const struct xtok *t = &XVEC_AT(toks, struct xtok, i);
		size_t n = kw_canon(p, nfc, t, c, sizeof(c));
		if (i > 0 && (t->flags & (XT_SPACE_BEFORE | XT_NEWLINE_BEFORE | XT_PUNCT_BEFORE)) != XT_SPACE_BEFORE)
			xbuf_add(&ks->sum, "| ", 2);
		if (n && !(t->flags & XT_DIGIT)) {
			xbuf_add(&ks->sum, c, n);
			xbuf_add(&ks->sum, " ", 1);
		} else {
			xbuf_add(&ks->sum, "| ", 2);
		}
	}
out:
	xbuf_add(&ks->sum, "", 1);
	free(nfc);
}

/* The article's two-syllable chunks (into ks->chunks) and each syllable's
 * occurrences in code context (into ks->occ), from the tokens tk of the
 * NFC text s. */
static void kw_article(struct kwstat *ks, struct xpack *p, const char *s, const struct xtok *tk, size_t n)
{
	char prev[256], c[256];
	size_t run = 0;

	strmap_clear(&ks->occ);
	for (size_t i = 0; i < n; i++) {
		size_t cl = kw_canon(p, s, &tk[i], c, sizeof(c));
		int word = cl && !(tk[i].flags & XT_DIGIT) && !in_list(FUNC, c, cl);
		int joined = i > 0 && (tk[i].flags & (XT_SPACE_BEFORE | XT_NEWLINE_BEFORE | XT_PUNCT_BEFORE)) ==
					      XT_SPACE_BEFORE;
		if (!word || !joined) {
			if (run == 2) {
				long e = strmap_put(&ks->chunks, prev, strlen(prev), 0, NULL);
				if (e >= 0)
					XVEC_AT(&ks->chunks.ents, struct strmap_ent, e).val++;
			}
			run = 0;
		}
		if (word) {
			if (run == 0) {
				memcpy(prev, c, cl + 1);
			} else if (run == 1 && strlen(prev) + 1 + cl < sizeof(prev)) {
				size_t pl = strlen(prev);
				prev[pl] = ' ';
				memcpy(prev + pl + 1, c, cl + 1);
			}
			run++;
		}
		if (cl && !(tk[i].flags & XT_DIGIT)) {
			int code = (i > 0 && gap_has(s, tk[i - 1].end, tk[i].start, '/')) ||
				   (i + 1 < n && gap_has(s, tk[i].end, tk[i + 1].start, '/')) ||
				   (i > 0 && (tk[i - 1].flags & XT_DIGIT) && gap_has(s, tk[i - 1].end, tk[i].start, '-'));
			long e = strmap_put(&ks->occ, c, cl, 0, NULL);
			if (e >= 0) {
				uint32_t *v = &XVEC_AT(&ks->occ.ents, struct strmap_ent, e).val;
				if ((*v & 0xffff) < 0xffff)
					*v += 1 + (code ? 1u << 16 : 0);
			}
		}
	}
	if (run == 2) {
		long e = strmap_put(&ks->chunks, prev, strlen(prev), 0, NULL);
		if (e >= 0)
			XVEC_AT(&ks->chunks.ents, struct strmap_ent, e).val++;
	}
}

/* Scores one article's keywords (after kw_summary and kw_article). */
static void kw_score(struct kwstat *ks, json_t *kws, long art, long nsample, const char *title)
{
	if (art < nsample)
		printf("kw [%ld] %.60s\n    ", art, title);
	for (size_t k = 0; k < json_array_size(kws); k++) {
		const char *kw = json_string_value(json_array_get(kws, k));
		size_t kl = strlen(kw);
		char pat[600];
		int bi = strchr(kw, ' ') != NULL, hit = 0, code = 0;
		if (kl + 3 > sizeof(pat))
			continue;
		snprintf(pat, sizeof(pat), " %s ", kw);
		hit = strstr(ks->sum.p, pat) != NULL;
		/* a code fragment: a syllable mostly seen touching '/' */
		for (const char *a = kw; *a;) {
			const char *b = strchr(a, ' ');
			size_t n = b ? (size_t)(b - a) : strlen(a);
			long e = strmap_find(&ks->occ, a, n);
			if (e >= 0) {
				uint32_t v = XVEC_AT(&ks->occ.ents, struct strmap_ent, e).val;
				if (2 * (v >> 16) >= (v & 0xffff))
					code = 1;
			}
			a += n + (b != NULL);
		}
		ks->kw++;
		ks->hit += hit;
		ks->code += code;
		if (bi) {
			ks->bi++;
			ks->hit_bi += hit;
			long e = strmap_put(&ks->emitted, kw, kl, 0, NULL);
			if (e >= 0)
				XVEC_AT(&ks->emitted.ents, struct strmap_ent, e).val++;
		} else {
			ks->uni++;
			ks->hit_uni += hit;
		}
		if (art < nsample)
			printf("%s%s%s%s", k ? " | " : "", kw, hit ? "+" : "", code ? "#" : "");
	}
	if (art < nsample)
		printf("\n");
}

static int cmp_ent_val_desc(const void *a, const void *b)
{
	const struct strmap_ent *x = a, *y = b;
	return (x->val < y->val) - (x->val > y->val);
}

static void kw_report(struct kwstat *ks, long nsample)
{
	long bi_ok = 0, bi_all = 0;
	struct strmap_ent *bad = calloc(ks->emitted.ents.len + 1, sizeof(*bad));
	size_t nbad = 0;

	for (size_t i = 0; i < ks->emitted.ents.len; i++) {
		const struct strmap_ent *e = &XVEC_AT(&ks->emitted.ents, struct strmap_ent, i);
		const char *kw = ks->emitted.keys.p + e->koff;
		long c = strmap_find(&ks->chunks, kw, e->klen);
		int ok = c >= 0 && XVEC_AT(&ks->chunks.ents, struct strmap_ent, c).val >= 3;
		bi_all += e->val;
		bi_ok += ok ? e->val : 0;
		if (!ok && bad)
			bad[nbad++] = *e;
	}
	printf("keyword proxies (rules in the bench's header; no hand labels):\n"
	       "  summary hits (all syllables adjacent, in order, in the article's own summary; the\n"
	       "    summary is part of the input, so only the change means something):\n"
	       "    all %.3f (%ld/%ld)  unigrams %.3f (%ld/%ld)  bigrams %.3f (%ld/%ld)\n",
	       ks->kw ? (double)ks->hit / (double)ks->kw : 0, ks->hit, ks->kw,
	       ks->uni ? (double)ks->hit_uni / (double)ks->uni : 0, ks->hit_uni, ks->uni,
	       ks->bi ? (double)ks->hit_bi / (double)ks->bi : 0, ks->hit_bi, ks->bi);
	printf("  standalone bigrams (seen >= 3 times in the corpus as a two-syllable chunk between\n"
	       "    punctuation, digits, line ends or the bench's 30 function words): %.3f (%ld/%ld)\n",
	       bi_all ? (double)bi_ok / (double)bi_all : 0, bi_ok, bi_all);
	printf("  code fragments (a syllable touching '/' or after digit-'-' in at least half its\n"
	       "    occurrences in the article): %.4f (%ld/%ld)\n",
	       ks->kw ? (double)ks->code / (double)ks->kw : 0, ks->code, ks->kw);
	if (nsample > 0 && bad) {
		qsort(bad, nbad, sizeof(*bad), cmp_ent_val_desc);
		printf("  bigrams emitted most often that fail the standalone test:\n   ");
		for (size_t i = 0; i < nbad && i < 40; i++)
			printf(" %s (%u)%s", ks->emitted.keys.p + bad[i].koff, bad[i].val, i % 6 == 5 ? "\n   " : ",");
		printf("\n");
	}
	free(bad);
}

/* The texts of about 5 KB (5,120 bytes, within 10 %), kept for a second
 * timing: the issue's goal is stated for 5-KB articles, and the corpus's
 * own of that size measure it directly (the MB/s figure above converts
 * the whole corpus's rate, whose mean article is smaller, into 5-KB
 * units, assuming no cost per article). */
enum { BAND_LO = 4608, BAND_HI = 5632 };
struct band {
	char **text;
	size_t n, cap;
};

/* Takes ownership of text; -1 (text still the caller's) when out of memory. */
static int band_add(struct band *b, char *text)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 1024;
		char **t = realloc(b->text, cap * sizeof(*t));
		if (!t)
			return -1;
		b->text = t;
		b->cap = cap;
	}
	b->text[b->n++] = text;
	return 0;
}

static void band_free(struct band *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->text[i]);
	free(b->text);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One pass over the band, timed as the main loop is (records built before
 * the clock, batches of `batch` under one clock): articles/s, or -1. */
static double band_rate(struct harness *h, const struct band *b, size_t batch)
{
	struct newsd_record *r = calloc(batch, sizeof(*r));
	double cpu = 0, rate = -1;
	char err[512];
	size_t done = 0;

	if (!r)
		goto out;
	while (done < b->n) {
		size_t k = b->n - done < batch ? b->n - done : batch;
		for (size_t i = 0; i < k; i++)
			r[i].root = json_pack("{s:s, s:s}", "id", "b", "text", b->text[done + i]);
		double t0 = now_cpu();
		for (size_t i = 0; i < k; i++)
			if (harness_process_record(h, &r[i], NULL, err, sizeof(err)) != NEWSD_OK)
				fprintf(stderr, "process: %s\n", err);
		cpu += now_cpu() - t0;
		for (size_t i = 0; i < k; i++)
			record_clear(&r[i]);
		done += k;
	}
	if (cpu > 0)
		rate = (double)b->n / cpu;
out:
	free(r);
	return rate;
}

int main(int argc, char **argv)
{
	char err[512];
	struct harness *h = NULL;
	struct xpack pack;
	gzFile gz;
	char *line = malloc(1 << 22);
	long max = argc > 2 ? atol(argv[2]) : -1;
	long n = 0, title_ok = 0;
	double cpu = 0, bytes = 0;
	uLong digest = crc32(0L, Z_NULL, 0);
	struct score s1 = {0}, s2 = {0};
	const char *verbose = getenv("EXTRACTOR_BENCH_VERBOSE"); /* "1": v1 disagreements, "2": v2,
								   * "k" or "kN": keywords of N articles */
	long nsample = 0;
	struct kwstat ks = {0};
	struct xvec toks = {.esz = sizeof(struct xtok)}, lines = {.esz = sizeof(struct xspan)};
	struct silver sv, sv2;
	struct band band = {0};

	if (verbose && verbose[0] == 'k') {
		nsample = verbose[1] ? atol(verbose + 1) : 20;
		verbose = NULL;
	}
	if (argc < 2 || !line) {
		fprintf(stderr, "usage: %s CORPUS.jsonl.gz [MAX_ARTICLES]\n", argv[0]);
		return 2;
	}
	if (!(h = harness_new(newsd_plugin_extractor_describe(), NULL, err, sizeof(err))) ||
	    xpack_load(&pack, harness_host(h, 0), "vi", err, sizeof(err)) < 0) {
		fprintf(stderr, "extractor-bench: %s\n", err);
		return 1;
	}
	if (!(gz = gzopen(argv[1], "rb"))) {
		perror(argv[1]);
		return 1;
	}
	strmap_init(&sv.names, 64);
	strmap_init(&ks.chunks, 1 << 16);
	strmap_init(&ks.emitted, 1 << 12);
	strmap_init(&ks.occ, 256);
	strmap_init(&sv.persons, 64);
	strmap_init(&sv.locations, 64);
	strmap_init(&sv2.names, 64);
	strmap_init(&sv2.persons, 64);
	strmap_init(&sv2.locations, 64);
	/* records are built in batches of BATCH, then process() runs over a
	 * batch under one clock: a thread-CPU clock read costs over a
	 * microsecond here, and evaluating between articles would evict the
	 * plugin's tables from the cache, which a daemon's worker does not;
	 * batches (not the whole corpus at once) recycle memory as a daemon
	 * does and keep each text as fresh in the cache as a message just
	 * fetched */
	enum { BATCH = 64 };
	struct item {
		char *text, *title, *summary;
		struct newsd_record r;
		int rc;
	} items[BATCH];
	size_t nitems = 0;
	for (int more = 1; more;) {
		nitems = 0;
		while (nitems < BATCH && (more = (max < 0 || n + (long)nitems < max) && gzgets(gz, line, 1 << 22))) {
			json_t *row = json_loads(line, 0, NULL);
			if (!row)
				continue;
			const char *title = json_string_value(json_object_get(row, "title"));
			const char *sum = json_string_value(json_object_get(row, "summary"));
			const char *body = json_string_value(json_object_get(row, "body"));
			size_t tl = title ? strlen(title) : 0, sl = sum ? strlen(sum) : 0, bl = body ? strlen(body) : 0;
			char *text = malloc(tl + sl + bl + 8);
			snprintf(text, tl + sl + bl + 8, "%s\n\n%s\n\n%s", title ? title : "", sum ? sum : "", body ? body : "");
			if (xtext_has_combining(text, strlen(text))) {
				size_t tn = strlen(text), cap = tn * 3 + 16;
				char *nfc = malloc(cap);
				long m = nfc ? xtone_canon(NULL, text, tn, nfc, cap, 0) : -1;
				if (m >= 0) {
					nfc[m] = '\0';
					free(text);
					text = nfc;
				} else {
					free(nfc);
				}
			}
			items[nitems].text = text;
			items[nitems].title = strdup(title ? title : "");
			items[nitems].summary = strdup(sum ? sum : "");
			items[nitems].r.root = json_pack("{s:s, s:s}", "id", "b", "text", text);
			nitems++;
			json_decref(row);
		}
		{
			double t0 = now_cpu();
			for (size_t it = 0; it < nitems; it++)
				if ((items[it].rc = harness_process_record(h, &items[it].r, NULL, err, sizeof(err))) !=
				    NEWSD_OK)
					fprintf(stderr, "process: %s\n", err);
			cpu += now_cpu() - t0;
		}
		for (size_t it = 0; it < nitems; it++) {
			char *text = items[it].text, *title_copy = items[it].title, *summary = items[it].summary;
			const char *title = title_copy;
			size_t tl = strlen(title);
			struct newsd_record r = items[it].r;
			int rc = items[it].rc;
			bytes += (double)strlen(text);
			n++;
			if (rc != NEWSD_OK) {
				free(summary);
				free(title_copy);
				record_clear(&r);
				free(text);
				continue;
			}
			{
				/* every output byte in one checksum (the input text
				 * left out): a speed change must leave it as it was */
				json_object_del(r.root, "text");
				char *dump = json_dumps(r.root, JSON_COMPACT | JSON_SORT_KEYS);
				if (dump) {
					digest = crc32(digest, (const Bytef *)dump, (uInt)strlen(dump));
					free(dump);
				}
			}
			/* NFC text for the silver standard (the corpus is partly NFD) */
			char *nt = malloc(strlen(text) * 3 + 16), *ntitle = malloc(tl * 3 + 16);
			long m = xtone_canon(NULL, text, strlen(text), nt, strlen(text) * 3 + 16, 0);
			long mt = xtone_canon(NULL, title ? title : "", tl, ntitle, tl * 3 + 16, 0);
			if (m < 0 || mt < 0) {
				free(summary);
				free(nt);
				free(ntitle);
				free(title_copy);
				record_clear(&r);
				free(text);
				continue;
			}
			nt[m] = '\0';
			ntitle[mt] = '\0';
			const char *got = json_string_value(json_object_get(r.root, "title"));
			if (got && strcmp(got, ntitle) == 0)
				title_ok++;
			else if (verbose)
				fprintf(stderr, "title: got [%s] want [%s]\n", got ? got : "(null)", ntitle);

			strmap_clear(&sv.names);
			strmap_clear(&sv.persons);
			strmap_clear(&sv.locations);
			strmap_clear(&sv2.names);
			strmap_clear(&sv2.persons);
			strmap_clear(&sv2.locations);
			xtext_tokenize(nt, (size_t)m, &toks, &lines);
			const struct xtok *tk = toks.p;
			/* v1: as it always was */
			for (size_t i = 0; i < toks.len;) {
				if (tk[i].line == 0 || !(tk[i].flags & XT_CAP) || (tk[i].flags & (XT_UPPER | XT_DIGIT)) ||
				    (tk[i].flags & XT_SENT)) {
					i++;
					continue;
				}
				size_t j = run_end(tk, toks.len, i);
				if (j - i >= 2) {
					char can[1024];
					long cl = xtone_canon(pack.tone, nt + tk[i].start, tk[j - 1].end - tk[i].start, can,
							      sizeof(can), 0);
					if (cl > 0) {
						strmap_put(&sv.names, can, (size_t)cl, 0, NULL);
						if (j - i <= 4 && in_list(SURNAMES, nt + tk[i].start, tk[i].end - tk[i].start))
							strmap_put(&sv.persons, can, (size_t)cl, 0, NULL);
						else if (after_admin(nt, tk[i].start))
							strmap_put(&sv.locations, can, (size_t)cl, 0, NULL);
					}
				}
				i = j;
			}
			/* v2 */
			for (size_t i = 0; i < toks.len;) {
				int sur = in_list(SURNAMES, nt + tk[i].start, tk[i].end - tk[i].start);
				/* a surname opening a clause: after ':' or ';', or first on its line */
				int opener = 0;
				if ((tk[i].flags & XT_SENT) && sur && i > 0) {
					opener = (tk[i].flags & XT_NEWLINE_BEFORE) != 0;
					for (size_t g = tk[i - 1].end; g < tk[i].start && !opener; g++)
						opener = nt[g] == ':' || nt[g] == ';';
					/* "Ảnh: Tên" is a credit */
					if (opener && !(tk[i].flags & XT_NEWLINE_BEFORE) &&
					    in_list(CREDIT_WORDS, nt + tk[i - 1].start, tk[i - 1].end - tk[i - 1].start))
						opener = 0;
				}
				if (tk[i].line == 0 || !(tk[i].flags & XT_CAP) || (tk[i].flags & (XT_UPPER | XT_DIGIT)) ||
				    ((tk[i].flags & XT_SENT) && !opener)) {
					i++;
					continue;
				}
				size_t j = run_end(tk, toks.len, i);
				if (j - i >= 2) {
					char can[1024];
					long cl = xtone_canon(pack.tone, nt + tk[i].start, tk[j - 1].end - tk[i].start, can,
							      sizeof(can), 0);
					/* a name alone on its line (a byline) opens nothing */
					size_t le = j;
					while (le < toks.len && tk[le].line == tk[i].line)
						le++;
					if (opener && (j - i > 4 || ((tk[i].flags & XT_NEWLINE_BEFORE) && le - j < 3))) {
						i = j;
						continue;
					}
					if (cl > 0) {
						strmap_put(&sv2.names, can, (size_t)cl, 0, NULL);
						if (after_word_p(ADMIN, nt, tk[i].start, 1))
							strmap_put(&sv2.locations, can, (size_t)cl, 0, NULL);
						else if (sur && j - i <= 4 && !after_word_p(PLACE_WORDS, nt, tk[i].start, 1) &&
							 !(i > 0 && (tk[i - 1].flags & XT_DIGIT) && (tk[i].flags & XT_SPACE_BEFORE)))
							strmap_put(&sv2.persons, can, (size_t)cl, 0, NULL);
					}
				}
				i = j;
			}
			/* a name that is a place somewhere in the article is no person */
			for (size_t k = 0; k < sv2.locations.ents.len; k++) {
				const char *l = strmap_key(&sv2.locations, (long)k);
				long e = strmap_find(&sv2.persons, l, strlen(l));
				if (e >= 0)
					XVEC_AT(&sv2.persons.ents, struct strmap_ent, e).val = 1; /* dropped below */
			}
			json_t *ents = json_object_get(r.root, "entities");
			json_t *per = json_object_get(ents, "persons"), *loc = json_object_get(ents, "locations");
			score_article(&s1, &sv, per, loc, n - 1, verbose && strcmp(verbose, "2") != 0);
			{
				/* v2 persons without those dropped */
				struct strmap keep;
				strmap_init(&keep, 64);
				for (size_t k = 0; k < sv2.persons.ents.len; k++)
					if (!XVEC_AT(&sv2.persons.ents, struct strmap_ent, k).val)
						strmap_put(&keep, strmap_key(&sv2.persons, (long)k),
							   XVEC_AT(&sv2.persons.ents, struct strmap_ent, k).klen, 0, NULL);
				struct strmap tmp = sv2.persons;
				sv2.persons = keep;
				score_article(&s2, &sv2, per, loc, n - 1, verbose && strcmp(verbose, "2") == 0);
				sv2.persons = tmp;
				strmap_free(&keep);
			}
			/* keyword proxies: the article's tokens first (toks is
			 * reused for the summary) */
			kw_article(&ks, &pack, nt, toks.p, toks.len);
			kw_summary(&ks, &pack, summary, &toks, &lines);
			kw_score(&ks, json_object_get(r.root, "keywords"), n - 1, nsample, ntitle);
			free(summary);
			free(nt);
			free(ntitle);
			free(title_copy);
			record_clear(&r);
			if (strlen(text) >= BAND_LO && strlen(text) <= BAND_HI && band_add(&band, text) == 0)
				text = NULL; /* the band keeps it */
			free(text);
		}
	}
	gzclose(gz);
	if (n == 0 || cpu <= 0) {
		fprintf(stderr, "extractor-bench: no articles read\n");
		return 1;
	}
	printf("extractor-bench: %ld articles, %.1f MB of text, mean %.0f bytes\n", n, bytes / 1e6,
	       bytes / (double)n);
	printf("throughput (process() only, one core): %.0f articles/s, %.1f MB/s, "
	       "%.0f 5-KB articles/s\n",
	       (double)n / cpu, bytes / cpu / 1e6, bytes / cpu / 5120.0);
	if (band.n >= BATCH) {
		double rate[3];
		for (int pass = 0; pass < 3; pass++)
			if ((rate[pass] = band_rate(h, &band, BATCH)) < 0)
				return 1;
		qsort(rate, 3, sizeof(rate[0]), cmp_double);
		printf("throughput on 5-KB articles (the %zu texts of %u-%u bytes, again on the warm instance,\n"
		       "  median of 3 passes): %.0f articles/s (passes %.0f-%.0f)\n",
		       band.n, (unsigned)BAND_LO, (unsigned)BAND_HI, rate[1], rate[0], rate[2]);
	}
	band_free(&band);
	printf("output digest (crc32 of every record, keys sorted, input text left out): %08lx\n", digest);
	printf("title accuracy: %.4f (%ld/%ld)\n", (double)title_ok / (double)n, title_ok, n);
	printf("silver standards (derived from the text by the bench's own rules, not hand labels;\n"
	       "  names = runs of >= 2 capitalised syllables outside the title):\n"
	       "  v1: names inside a sentence only; persons = names of 2-4 syllables led by one of 16\n"
	       "      common surnames; locations = other names after tinh/huyen/xa/phuong/quan/TP/thi xa\n"
	       "  v2: v1, but after an administrative word (also in parentheses) a name is a location\n"
	       "      even when led by a surname (phuong Le Loi); after a street or place word (duong,\n"
	       "      pho, hem, so, cau, dao, thon, ...) or a house number it is no person; and a\n"
	       "      surname-led name opening a clause (after ':' ';' or a paragraph start) counts,\n"
	       "      except credits (Anh: X) and a name alone on its line (a byline)\n");
	print_score("v1", &s1);
	print_score("v2", &s2);
	printf("one-word predictions (no silver judges them): persons %ld of %ld, locations %ld of %ld\n",
	       s2.p_one, s2.p_one + s2.pp_all, s2.l_one, s2.l_one + s2.lp_all);
	kw_report(&ks, nsample);
	xpack_free(&pack);
	harness_free(h);
	xvec_free(&toks);
	xvec_free(&lines);
	strmap_free(&sv.names);
	strmap_free(&sv.persons);
	strmap_free(&sv.locations);
	strmap_free(&sv2.names);
	strmap_free(&sv2.persons);
	strmap_free(&sv2.locations);
	strmap_free(&ks.chunks);
	strmap_free(&ks.emitted);
	strmap_free(&ks.occ);
	xbuf_free(&ks.sum);
	free(line);
	return 0;
}
