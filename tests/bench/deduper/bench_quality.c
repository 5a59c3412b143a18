/* bench_quality.c — precision/recall of the deduper on a stream built from a
 * corpus (VietNews: {id, title, summary, body}).
 *
 *   deduper-bench-quality VIETNEWS.jsonl.gz [--copies N] [--seed S]
 *                         [--config YAML] [--pairs] [--limit N]
 *
 * The stream: every article in corpus order (the corpus's own duplicates —
 * the same body under other ids — count as true duplicates of the first),
 * plus N generated copies, each placed a little after its original:
 * exact copies, whitespace changes, tone-mark style switched, decomposed
 * diacritics, title replaced, last paragraph dropped, paragraph added,
 * typos, all edits at once, syndicated copies wrapped in another site's
 * furniture (with and without edits).  Hard negatives are articles that
 * share at least 3 rare capitalised names with an earlier article (same
 * topic, other story).  Prints recall per kind, precision/recall/F1 per
 * group and overall, and the false-positive rate on hard negatives.
 * --pairs adds the similarity distributions of every pair and the MinHash
 * vs SimHash comparison (best F1 of each at its best threshold, and cost).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <xxhash.h>

#include "common.h"
#include "deduper.h"
#include "harness.h"

enum kind {
	K_ORIG, K_HN, K_NATDUP, K_EXACT, K_WS, K_TONE, K_NFD, K_TITLE, K_DROP, K_ADD, K_TYPO,
	K_COMBO, K_SYND, K_SYND_EDIT, K_N
};
static const char *kind_name[K_N] = {
	"original", "hard_negative", "corpus_dup", "exact", "whitespace", "tone_style", "nfd",
	"title_changed", "last_para_dropped", "para_added", "typos", "all_edits", "syndicated",
	"syndicated_edited",
};
/* group: 0 negatives, 1 exact, 2 near, 3 syndicated */
static const int kind_group[K_N] = {0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3};
static const char *group_name[4] = {"negatives", "exact", "near", "syndicated"};

struct art {
	const char *id;
	char *text, *title;
	int natdup_of; /* earliest article with the same body, or -1 */
	int partner;   /* same-topic earlier article, or -1 */
	int npara;
};

struct item {
	double pos;
	char *id, *text;
	int own_text;
	int kind, art; /* art: the article (original) or the source of the copy */
	int gt_of;     /* article index of the expected "of", or -1 */
	/* result */
	int flagged;
	char of[96];
	double sim;
};

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

struct u64v {
	uint64_t *v;
	size_t n, cap;
};
static void u64_push(struct u64v *v, uint64_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->v = realloc(v->v, v->cap * sizeof(*v->v));
	}
	v->v[v->n++] = x;
}
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Runs of >= 2 capitalised syllables, as hashes (sorted, unique). */
static void entities(const char *s, struct u64v *out)
{
	size_t len = strlen(s), i = 0, run_start = 0;
	int run = 0;
	out->n = 0;
	while (i <= len) {
		size_t ws = i;
		while (i < len && s[i] != ' ' && s[i] != '\n' && s[i] != ',' && s[i] != '.' &&
		       s[i] != '"' && s[i] != '(' && s[i] != ')' && s[i] != ':')
			i++;
		int cap = 0;
		if (i > ws) {
			UChar32 c;
			size_t k = ws;
			U8_NEXT(s, k, len, c);
			cap = c > 0 && u_isupper(c);
		}
		if (cap) {
			if (!run)
				run_start = ws;
			run++;
		}
		int sep_end = i >= len || s[i] != ' ';
		if ((!cap || sep_end) && run) {
			size_t end = cap ? i : ws - 1;
			if (run >= 2 && end > run_start)
				u64_push(out, XXH3_64bits(s + run_start, end - run_start));
			run = 0;
		}
		i++;
	}
	qsort(out->v, out->n, sizeof(uint64_t), cmp_u64);
	size_t m = 0;
	for (size_t k = 0; k < out->n; k++)
		if (!m || out->v[m - 1] != out->v[k])
			out->v[m++] = out->v[k];
	out->n = m;
}

/* entity hash -> article list (open addressing) */
struct emap {
	uint64_t *key;
	struct u64v *list;
	size_t cap;
};
static struct u64v *emap_get(struct emap *m, uint64_t k)
{
	size_t i = (size_t)(k * 0x9e3779b97f4a7c15ULL >> 20) & (m->cap - 1);
	while (m->key[i] && m->key[i] != k)
		i = (i + 1) & (m->cap - 1);
	m->key[i] = k;
	return &m->list[i];
}

static void find_partners(struct art *a, size_t n)
{
	struct emap m = {calloc(1 << 22, 8), calloc(1 << 22, sizeof(struct u64v)), 1 << 22};
	int *cnt = calloc(n, sizeof(int));
	size_t *touched = malloc(n * sizeof(size_t)), nt;
	struct u64v ents = {0};

	for (size_t i = 0; i < n; i++) {
		a[i].partner = -1;
		entities(a[i].text, &ents);
		nt = 0;
		for (size_t e = 0; e < ents.n; e++) {
			struct u64v *l = emap_get(&m, ents.v[e] | 1);
			if (l->n > 100) /* too common to say anything about the topic */
				continue;
			for (size_t k = 0; k < l->n; k++)
				if (cnt[l->v[k]]++ == 0)
					touched[nt++] = l->v[k];
		}
		int best = -1, bc = 2;
		for (size_t k = 0; k < nt; k++) {
			size_t j = touched[k];
			if (cnt[j] > bc && a[i].natdup_of < 0 && a[j].natdup_of != (int)i &&
			    !(a[j].natdup_of >= 0 && a[j].natdup_of == a[i].natdup_of))
				bc = cnt[j], best = (int)j;
			cnt[j] = 0;
		}
		a[i].partner = best;
		for (size_t e = 0; e < ents.n; e++)
			u64_push(emap_get(&m, ents.v[e] | 1), i);
	}
	for (size_t i = 0; i < m.cap; i++)
		free(m.list[i].v);
	free(m.key), free(m.list), free(cnt), free(touched), free(ents.v);
}

static char *join_paras(const struct paras *p, size_t skip, size_t drop_last, const char *insert,
			size_t at, const char *title)
{
	struct sb b = {0};
	int first = 1;
	if (title) {
		sb_puts(&b, title);
		first = 0;
		skip = 1;
	}
	for (size_t i = skip; i + drop_last < p->n; i++) {
		if (insert && i == at) {
			if (!first)
				sb_puts(&b, "\n\n");
			sb_puts(&b, insert);
			first = 0;
		}
		if (!first)
			sb_puts(&b, "\n\n");
		sb_put(&b, p->s[i], p->len[i]);
		first = 0;
	}
	return sb_take(&b);
}

static char *make_copy(int kind, const struct art *a, const struct art *all, size_t n,
		       uint64_t *seed)
{
	struct paras p;
	char *t = NULL, *u = NULL;
	const struct art *other = &all[rnd(seed) % n];
	const char *rel[4];
	for (int i = 0; i < 4; i++)
		rel[i] = all[rnd(seed) % n].title;

	paras_split(a->text, &p);
	switch (kind) {
	case K_EXACT: t = strdup(a->text); break;
	case K_WS: t = edit_whitespace(a->text, seed); break;
	case K_TONE: t = edit_tone_style(a->text); break;
	case K_NFD: t = edit_nfd(a->text); break;
	case K_TITLE: t = join_paras(&p, 0, 0, NULL, 0, other->title); break;
	case K_DROP: t = join_paras(&p, 0, 1, NULL, 0, NULL); break;
	case K_ADD: {
		struct paras q;
		paras_split(other->text, &q);
		size_t k = q.n > 2 ? 2 + rnd(seed) % (q.n - 2) : 0;
		char *para = strndup(q.s[k], q.len[k]);
		t = join_paras(&p, 0, 0, para, 1 + rnd(seed) % (p.n - 1), NULL);
		free(para);
		paras_free(&q);
		break;
	}
	case K_TYPO: {
		int words = 0;
		for (const char *s = a->text; *s; s++)
			words += *s == ' ';
		t = edit_typos(a->text, words / 80 > 3 ? words / 80 : 3, seed);
		break;
	}
	case K_COMBO:
		u = join_paras(&p, 0, 1, NULL, 0, other->title);
		t = edit_typos(u, 3, seed);
		free(u);
		u = t;
		t = edit_tone_style(u);
		break;
	case K_SYND: t = edit_syndicate(a->text, (int)(rnd(seed) % 2), rel, 3 + rnd(seed) % 2, seed); break;
	case K_SYND_EDIT:
		u = join_paras(&p, 0, 1, NULL, 0, NULL);
		t = edit_syndicate(u, 0, rel, 3 + rnd(seed) % 2, seed);
		break;
	}
	free(u);
	paras_free(&p);
	return t;
}

/* ---- pair analysis ---- */

struct pair {
	int kind;
	double j, c, est;
	int ham;
};

static void quantiles(const char *label, double *v, size_t n)
{
	if (!n)
		return;
	for (size_t i = 1; i < n; i++) /* insertion sort: n is small */
		for (size_t k = i; k > 0 && v[k - 1] > v[k]; k--) {
			double t = v[k];
			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	printf("    %-10s min %.3f  p1 %.3f  p5 %.3f  p50 %.3f  p95 %.3f  max %.3f\n", label, v[0],
	       v[n / 100], v[n / 20], v[n / 2], v[n * 95 / 100], v[n - 1]);
}

int main(int argc, char **argv)
{
	const char *path = NULL, *config = NULL;
	size_t ncopies = 6000, limit = 0;
	uint64_t seed = 0x5eed1234abcdULL;
	int pairs = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--copies") && i + 1 < argc)
			ncopies = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10) | 1;
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[++i];
		else if (!strcmp(argv[i], "--limit") && i + 1 < argc)
			limit = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--pairs"))
			pairs = 1;
		else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: %s VIETNEWS.jsonl.gz [--copies N] [--seed S] [--config YAML] "
				"[--pairs] [--limit N]\n", argv[0]);
		return 2;
	}
	struct corpus *jl = corpus_open(path);
	if (!jl) {
		perror(path);
		return 1;
	}
	/* ---- load ---- */
	size_t n = 0, cap = 1024;
	struct art *a = malloc(cap * sizeof(*a));
	uint64_t *bodyh = NULL;
	json_t *o;
	while ((o = corpus_next(jl)) && (!limit || n < limit)) {
		const char *id = json_string_value(json_object_get(o, "id"));
		const char *ti = json_string_value(json_object_get(o, "title"));
		const char *su = json_string_value(json_object_get(o, "summary"));
		const char *bo = json_string_value(json_object_get(o, "body"));
		if (!id || !bo) {
			json_decref(o);
			continue;
		}
		if (n == cap)
			a = realloc(a, (cap *= 2) * sizeof(*a));
		struct sb b = {0};
		sb_puts(&b, ti ? ti : "");
		sb_puts(&b, "\n\n");
		sb_puts(&b, su ? su : "");
		sb_puts(&b, "\n\n");
		sb_puts(&b, bo);
		a[n].id = strdup(id);
		a[n].title = strdup(ti ? ti : "");
		a[n].text = sb_take(&b);
		bodyh = realloc(bodyh, (n + 1) * 2 * sizeof(uint64_t));
		bodyh[2 * n] = XXH3_64bits(bo, strlen(bo));
		bodyh[2 * n + 1] = n;
		struct paras p;
		paras_split(a[n].text, &p);
		a[n].npara = (int)p.n;
		paras_free(&p);
		n++;
		json_decref(o);
	}
	json_decref(o);
	corpus_close(jl);
	/* corpus duplicates: same body */
	qsort(bodyh, n, 2 * sizeof(uint64_t), cmp_u64);
	for (size_t i = 0; i < n; i++)
		a[i].natdup_of = -1;
	size_t natdups = 0;
	for (size_t i = 1; i < n; i++) {
		if (bodyh[2 * i] != bodyh[2 * (i - 1)])
			continue;
		size_t k = i;
		while (k > 0 && bodyh[2 * (k - 1)] == bodyh[2 * i])
			k--;
		/* earliest of the group: the smallest index */
		size_t first = bodyh[2 * k + 1];
		for (size_t q = k; q <= i; q++)
			if (bodyh[2 * q + 1] < first)
				first = bodyh[2 * q + 1];
		for (size_t q = k; q <= i; q++)
			if (bodyh[2 * q + 1] != first && a[bodyh[2 * q + 1]].natdup_of < 0) {
				a[bodyh[2 * q + 1]].natdup_of = (int)first;
				natdups++;
			}
	}
	free(bodyh);
	find_partners(a, n);

	/* ---- stream ---- */
	size_t ni = 0, icap = n + ncopies;
	struct item *it = calloc(icap, sizeof(*it));
	for (size_t i = 0; i < n; i++) {
		struct item *x = &it[ni++];
		x->pos = (double)i;
		x->id = (char *)a[i].id;
		x->text = a[i].text;
		x->art = (int)i;
		x->kind = a[i].natdup_of >= 0 ? K_NATDUP : a[i].partner >= 0 ? K_HN : K_ORIG;
		x->gt_of = a[i].natdup_of;
	}
	const int copy_kinds[] = {K_EXACT, K_WS, K_TONE, K_NFD, K_TITLE, K_DROP, K_ADD,
				  K_TYPO, K_COMBO, K_SYND, K_SYND_EDIT};
	const size_t nck = sizeof(copy_kinds) / sizeof(copy_kinds[0]);
	for (size_t c = 0; c < ncopies; c++) {
		size_t src;
		do
			src = rnd(&seed) % n;
		while (a[src].natdup_of >= 0 || a[src].npara < 4);
		struct item *x = &it[ni++];
		x->kind = copy_kinds[c % nck];
		x->text = make_copy(x->kind, &a[src], a, n, &seed);
		x->own_text = 1;
		char idb[64];
		snprintf(idb, sizeof(idb), "copy-%06zu-%s", c, kind_name[x->kind]);
		x->id = strdup(idb);
		x->art = (int)src;
		x->gt_of = (int)src;
		x->pos = (double)src + 1 + (double)(rnd(&seed) % 2000) + 0.5;
	}
	qsort(it, ni, sizeof(*it), cmp_item);

	/* ---- run ---- */
	const struct newsd_plugin *p = newsd_plugin_deduper_describe();
	const char *cfgs[1] = {config};
	char err[512];
	struct harness *h = harness_new_chain(&p, cfgs, 1, NULL, err, sizeof(err));
	if (!h) {
		fprintf(stderr, "harness: %s\n", err);
		return 1;
	}
	double t0 = now_s();
	size_t bytes = 0;
	for (size_t i = 0; i < ni; i++) {
		json_t *in = json_pack("{s:s, s:s}", "id", it[i].id, "text", it[i].text), *out = NULL;
		char *js = json_dumps(in, JSON_COMPACT);
		bytes += strlen(it[i].text);
		harness_process_json(h, js, &out, err, sizeof(err));
		json_t *dd = json_object_get(out, "dedup");
		const char *st = json_string_value(json_object_get(dd, "status"));
		const char *of = json_string_value(json_object_get(dd, "of"));
		it[i].flagged = st && strcmp(st, "unique") != 0;
		snprintf(it[i].of, sizeof(it[i].of), "%s", of ? of : "");
		it[i].sim = json_number_value(json_object_get(dd, "similarity"));
		json_decref(in), json_decref(out), free(js);
	}
	double el = now_s() - t0;
	harness_free(h);

	/* ---- score ---- */
	size_t kn[K_N] = {0}, kflag[K_N] = {0}, kok[K_N] = {0};
	for (size_t i = 0; i < ni; i++) {
		struct item *x = &it[i];
		kn[x->kind]++;
		if (x->flagged) {
			kflag[x->kind]++;
			if (x->gt_of >= 0 && !strcmp(x->of, a[x->gt_of].id))
				kok[x->kind]++;
		}
	}
	printf("deduper quality: %zu articles (%zu corpus duplicates, %zu hard negatives), %zu copies; config: %s\n",
	       n, natdups, kn[K_HN], ncopies, config ? config : "(defaults)");
	printf("%-20s %7s %8s %8s %8s\n", "kind", "n", "flagged", "recall", "of-ok");
	for (int k = 0; k < K_N; k++) {
		if (kind_group[k] == 0)
			printf("%-20s %7zu %8zu %8s %8s   (false-positive rate %.4f)\n", kind_name[k],
			       kn[k], kflag[k], "-", "-", kn[k] ? (double)kflag[k] / kn[k] : 0);
		else
			printf("%-20s %7zu %8zu %8.4f %8zu\n", kind_name[k], kn[k], kflag[k],
			       kn[k] ? (double)kok[k] / kn[k] : 0, kok[k]);
	}
	size_t fp_neg = kflag[K_ORIG] + kflag[K_HN];
	size_t TP = 0, FPw = 0, FN = 0;
	printf("%-12s %7s %7s %7s %8s %8s %8s\n", "group", "n", "TP", "FN", "P", "R", "F1");
	for (int g = 1; g < 4; g++) {
		size_t gn = 0, tp = 0, fl = 0;
		for (int k = 0; k < K_N; k++)
			if (kind_group[k] == g)
				gn += kn[k], tp += kok[k], fl += kflag[k];
		/* a flag naming the wrong original counts as a false positive;
		 * false positives on negatives are shared out by group size */
		double fpg = (double)(fl - tp) + (double)fp_neg * gn / (double)(ni - kn[K_ORIG] - kn[K_HN]);
		double P = tp + fpg > 0 ? tp / (tp + fpg) : 1, R = gn ? (double)tp / gn : 0;
		printf("%-12s %7zu %7zu %7zu %8.4f %8.4f %8.4f\n", group_name[g], gn, tp, gn - tp, P,
		       R, P + R > 0 ? 2 * P * R / (P + R) : 0);
		TP += tp, FPw += fl - tp, FN += gn - tp;
	}
	double P = (double)TP / (double)(TP + FPw + fp_neg), R = (double)TP / (double)(TP + FN);
	printf("%-12s %7zu %7zu %7zu %8.4f %8.4f %8.4f   (FP: %zu on negatives, %zu wrong original)\n",
	       "overall", TP + FN, TP, FN, P, R, 2 * P * R / (P + R), fp_neg, FPw);
	printf("hard negatives: %zu, false-positive rate %.4f; other originals: %zu, FP rate %.5f\n",
	       kn[K_HN], kn[K_HN] ? (double)kflag[K_HN] / kn[K_HN] : 0, kn[K_ORIG],
	       kn[K_ORIG] ? (double)kflag[K_ORIG] / kn[K_ORIG] : 0);
	printf("stream: %zu records, %.1f MB in %.2f s (%.0f records/s through harness + JSON)\n", ni,
	       bytes / 1e6, el, ni / el);

	/* ---- why: the misses and the false positives, by true similarity ---- */
	{
		static const uint32_t marks[] = {0x300, 0x301, 0x303, 0x309, 0x323};
		struct dd_norm nm;
		struct dd_tokens ta = {0}, tb = {0};
		dd_norm_init(&nm, marks, 5, err, sizeof(err));
		int shown = 0;
		for (size_t i = 0; i < ni && shown < 25; i++) {
			struct item *x = &it[i];
			int dup = x->gt_of >= 0, bad = dup ? !x->flagged : x->flagged;
			if (!bad)
				continue;
			int ref = dup ? x->gt_of : -1;
			if (!dup)
				for (size_t k = 0; k < n; k++)
					if (!strcmp(a[k].id, x->of))
						ref = (int)k;
			if (ref < 0)
				continue;
			dd_normalise(&nm, x->text, strlen(x->text), &ta);
			dd_normalise(&nm, a[ref].text, strlen(a[ref].text), &tb);
			printf("  %s %-18s %s vs %s: reported %.3f, true Jaccard %.3f (%zu vs %zu tokens)\n",
			       dup ? "MISS" : "FP  ", kind_name[x->kind], x->id, a[ref].id, x->sim,
			       dd_exact_jaccard(&ta, &tb, 5), ta.n, tb.n);
			shown++;
		}
		if (pairs) {
			/* every copy and hard negative against its reference */
			size_t np = 0;
			struct pair *pp = calloc(ni, sizeof(*pp));
			double tmh = 0, tsh = 0;
			struct dd_fp fa, fb;
			for (size_t i = 0; i < ni; i++) {
				struct item *x = &it[i];
				int ref = x->kind == K_HN ? a[x->art].partner : x->gt_of;
				if (ref < 0 || x->kind == K_ORIG)
					continue;
				dd_normalise(&nm, x->text, strlen(x->text), &ta);
				dd_normalise(&nm, a[ref].text, strlen(a[ref].text), &tb);
				struct pair *q = &pp[np++];
				q->kind = x->kind;
				q->j = dd_exact_jaccard(&ta, &tb, 5);
				double t1 = now_s();
				dd_fingerprint(&ta, 5, 10, &fa);
				dd_fingerprint(&tb, 5, 10, &fb);
				double t2 = now_s();
				uint64_t sa = dd_simhash(&ta, 5), sbh = dd_simhash(&tb, 5);
				double t3 = now_s();
				tmh += t2 - t1, tsh += t3 - t2;
				q->est = dd_sketch_jaccard(&fa.sk, &fb.sk);
				q->ham = __builtin_popcountll(sa ^ sbh);
				double inter = q->j / (1 + q->j) * (double)(fa.nshingles + fb.nshingles);
				double mn = fa.nshingles < fb.nshingles ? fa.nshingles : fb.nshingles;
				q->c = mn > 0 ? inter / mn : 0;
			}
			double *v = malloc(np * sizeof(double));
			printf("\npairs (copy or hard negative vs its reference), 5-syllable shingles:\n");
			for (int k = K_HN; k < K_N; k++) {
				size_t m = 0;
				printf("  %s\n", kind_name[k]);
				for (size_t i = 0; i < np; i++)
					if (pp[i].kind == k)
						v[m++] = pp[i].j;
				quantiles("jaccard", v, m);
				m = 0;
				for (size_t i = 0; i < np; i++)
					if (pp[i].kind == k)
						v[m++] = pp[i].c;
				quantiles("contain", v, m);
				m = 0;
				for (size_t i = 0; i < np; i++)
					if (pp[i].kind == k)
						v[m++] = pp[i].est;
				quantiles("minhash", v, m);
				m = 0;
				for (size_t i = 0; i < np; i++)
					if (pp[i].kind == k)
						v[m++] = pp[i].ham;
				quantiles("simhash", v, m);
			}
			/* pairwise classification: positives = copies, negatives = hard negatives */
			double bestf[2] = {0}, bestt[2] = {0}, bp[2] = {0}, br[2] = {0};
			for (int method = 0; method < 2; method++) {
				for (int step = 0; step <= 40; step++) {
					double thr = method == 0 ? 0.2 + step * 0.02 : step;
					size_t tp = 0, fp = 0, fn = 0;
					for (size_t i = 0; i < np; i++) {
						int pos = method == 0 ? pp[i].est >= thr : pp[i].ham <= thr;
						int truth = pp[i].kind != K_HN;
						tp += pos && truth, fp += pos && !truth, fn += !pos && truth;
					}
					double P2 = tp + fp ? (double)tp / (tp + fp) : 1, R2 = (double)tp / (tp + fn);
					double F = P2 + R2 > 0 ? 2 * P2 * R2 / (P2 + R2) : 0;
					if (F > bestf[method])
						bestf[method] = F, bestt[method] = thr, bp[method] = P2, br[method] = R2;
				}
			}
			printf("\nMinHash (K=%d, b-bit 8) best: estimated J >= %.2f: P %.4f R %.4f F1 %.4f; "
			       "fingerprint %.1f us/article\n",
			       DD_K, bestt[0], bp[0], br[0], bestf[0], tmh / (2.0 * np) * 1e6);
			printf("SimHash (64 bit)       best: Hamming <= %.0f:  P %.4f R %.4f F1 %.4f; "
			       "fingerprint %.1f us/article\n",
			       bestt[1], bp[1], br[1], bestf[1], tsh / (2.0 * np) * 1e6);
			free(v);
			free(pp);
		}
		dd_tokens_free(&ta), dd_tokens_free(&tb);
		dd_norm_free(&nm);
	}
	for (size_t i = 0; i < ni; i++)
		if (it[i].own_text)
			free(it[i].text), free(it[i].id);
	for (size_t i = 0; i < n; i++)
		free((char *)a[i].id), free(a[i].text), free(a[i].title);
	free(a);
	free(it);
	return 0;
}
