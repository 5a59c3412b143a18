/* automaton.c — multi-pattern matcher over UTF-8 bytes (a trie of every
 * cue word and name of a language pack, built once, read-only after).
 *
 * Every pattern that begins with a word character must begin on a word
 * boundary, i.e. at the start of a token; the others (“(thực hiện)”) begin
 * in the gap between tokens.  So instead of running an Aho–Corasick DFA
 * over every byte (one dependent load per byte into a table of several MB,
 * which the profile showed to be cache-miss bound), the scan walks the trie
 * from each token start and from each gap byte that can begin a pattern,
 * and stops at the first byte with no edge.  A token start is walked only
 * when the token is the first word of some pattern (a set of hashes of
 * first words), and the walk through the token itself is done once per
 * distinct token: ac_word_state() gives the state after it, which the
 * extractor keeps in its syllable cache and hands back to ac_scan().  The
 * result is the same set of matches as Aho–Corasick with the boundary
 * test, in the order (start ascending, longest first) the extractor wants
 * (a unit test checks it against brute force).
 *
 * The trie is compiled into a dense 256-entry row for the root and, for
 * the other states, a node (its edges, its pattern) and sorted edge lists:
 * 20 bytes a state, about 0.4 MB for `vi`.  (The old full DFA over byte
 * classes took 18,000 states x 137 classes x 4 bytes = 10 MB, and every
 * byte of text was a cache miss.)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "extractor_int.h"

struct bnode {
	uint32_t first_child, next_sibling; /* 0 = none (root is node 0) */
	int32_t pat;
	uint8_t byte;
};

struct anode {
	uint32_t e0;    /* first edge */
	uint16_t ne;    /* number of edges */
	uint8_t right;  /* the pattern ending here ends with a word character */
	uint8_t pad;
	int32_t out;    /* pattern id ending here, -1 none */
};
struct aedge {
	uint32_t to;
	uint8_t byte;
};

struct ac {
	/* build */
	struct xvec nodes; /* struct bnode */
	struct strmap pats; /* pattern string → id; key storage holds the bytes */
	struct xvec pat_edge; /* per pattern: uint8 flags (1 = first char is a word char,
			       * 2 = last char is a word char) */
	/* compiled */
	uint32_t nstates;
	uint32_t root[256];  /* the root's children, 0 = none */
	struct anode *node;  /* per state (a walk step reads one node and its edges) */
	struct aedge *edge;  /* sorted by byte within a state */
	uint8_t gap_first[256]; /* byte can begin a pattern whose first char is not a word char */
	uint64_t *first_words; /* hashes (never 0) of the first word of every word-first pattern */
	size_t fw_mask;        /* slots - 1 */
	int built;
};

struct ac *ac_new(void)
{
	struct ac *a = calloc(1, sizeof(*a));
	struct bnode *root;

	if (!a)
		return NULL;
	a->nodes.esz = sizeof(struct bnode);
	a->pat_edge.esz = 1;
	if (strmap_init(&a->pats, 1024) < 0 || !(root = xvec_push(&a->nodes))) {
		ac_free(a);
		return NULL;
	}
	root->pat = -1;
	return a;
}

void ac_free(struct ac *a)
{
	if (!a)
		return;
	xvec_free(&a->nodes);
	strmap_free(&a->pats);
	xvec_free(&a->pat_edge);
	free(a->node);
	free(a->edge);
	free(a->first_words);
	free(a);
}

static uint32_t child_of(const struct ac *a, uint32_t n, uint8_t c)
{
	uint32_t k = XVEC_AT(&a->nodes, struct bnode, n).first_child;

	while (k) {
		const struct bnode *b = &XVEC_AT(&a->nodes, struct bnode, k);
		if (b->byte == c)
			return k;
		k = b->next_sibling;
	}
	return 0;
}

long ac_add(struct ac *a, const char *s, size_t n)
{
	int added = 0;
	long id;
	uint32_t cur = 0;
	uint8_t *edge;

	if (a->built || n == 0)
		return -1;
	id = strmap_put(&a->pats, s, n, 0, &added);
	if (id < 0)
		return -1;
	if (!added)
		return id;
	if (!(edge = xvec_push(&a->pat_edge)))
		return -1;
	*edge = (uint8_t)((xtext_is_wordchar_at(s, n, 0) ? 1 : 0) |
			  (xtext_wordchar_before(s, n) ? 2 : 0));
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		uint32_t k = child_of(a, cur, c);
		if (!k) {
			struct bnode *nb = xvec_push(&a->nodes);
			if (!nb)
				return -1;
			k = (uint32_t)a->nodes.len - 1;
			nb->pat = -1;
			nb->byte = c;
			struct bnode *parent = &XVEC_AT(&a->nodes, struct bnode, cur);
			nb = &XVEC_AT(&a->nodes, struct bnode, k);
			nb->next_sibling = parent->first_child;
			parent->first_child = k;
		}
		cur = k;
	}
	XVEC_AT(&a->nodes, struct bnode, cur).pat = (int32_t)id;
	return id;
}

size_t ac_npatterns(const struct ac *a)
{
	return a->pats.ents.len;
}

size_t ac_pattern_len(const struct ac *a, uint32_t pat)
{
	return XVEC_AT(&a->pats.ents, struct strmap_ent, pat).klen;
}

size_t ac_nstates(const struct ac *a)
{
	return a->nstates;
}

/* Hash of a token's bytes for the first-word set; never 0 (empty slot). */
static inline uint64_t fw_hash(const char *s, size_t n)
{
	uint64_t h = XXH3_64bits(s, n);
	return h ? h : 1;
}

static inline int fw_has(const struct ac *a, const char *s, size_t n)
{
	uint64_t hv = fw_hash(s, n);
	size_t i = (size_t)hv & a->fw_mask;

	while (a->first_words[i]) {
		if (a->first_words[i] == hv)
			return 1;
		i = (i + 1) & a->fw_mask;
	}
	return 0;
}

static int cmp_edge(const void *x, const void *y)
{
	return (int)((const uint8_t *)x)[0] - (int)((const uint8_t *)y)[0];
}

int ac_build(struct ac *a)
{
	uint32_t n = (uint32_t)a->nodes.len, nedges = 0;
	int rc = -ENOMEM;

	a->nstates = n;
	a->node = calloc(n ? n : 1, sizeof(*a->node));
	a->edge = calloc(n ? n : 1, sizeof(*a->edge)); /* every state but the root has one parent edge */
	if (!a->node || !a->edge)
		goto out;
	memset(a->root, 0, sizeof(a->root));
	for (uint32_t i = 0; i < n; i++) {
		const struct bnode *b = &XVEC_AT(&a->nodes, struct bnode, i);
		uint8_t tmp[256][5];
		uint32_t cnt = 0;
		a->node[i].out = b->pat;
		a->node[i].right = b->pat >= 0 && (XVEC_AT(&a->pat_edge, uint8_t, b->pat) & 2);
		a->node[i].e0 = nedges;
		for (uint32_t k = b->first_child; k; k = XVEC_AT(&a->nodes, struct bnode, k).next_sibling) {
			tmp[cnt][0] = XVEC_AT(&a->nodes, struct bnode, k).byte;
			memcpy(&tmp[cnt][1], &k, 4);
			cnt++;
		}
		qsort(tmp, cnt, sizeof(tmp[0]), cmp_edge);
		a->node[i].ne = (uint16_t)cnt;
		for (uint32_t j = 0; j < cnt; j++) {
			a->edge[nedges].byte = tmp[j][0];
			memcpy(&a->edge[nedges].to, &tmp[j][1], 4);
			if (i == 0)
				a->root[tmp[j][0]] = a->edge[nedges].to;
			nedges++;
		}
	}
	memset(a->gap_first, 0, sizeof(a->gap_first));
	size_t slots = 64;
	while (slots < a->pats.ents.len * 2)
		slots *= 2;
	a->first_words = calloc(slots, sizeof(uint64_t));
	if (!a->first_words)
		goto out;
	a->fw_mask = slots - 1;
	for (size_t p = 0; p < a->pats.ents.len; p++) {
		const char *k = strmap_key(&a->pats, (long)p);
		size_t kl = XVEC_AT(&a->pats.ents, struct strmap_ent, p).klen, wl = 0;
		if (!(XVEC_AT(&a->pat_edge, uint8_t, p) & 1)) {
			a->gap_first[(uint8_t)k[0]] = 1;
			continue;
		}
		/* the first word: the bytes up to the first non-word character */
		while (wl < kl && xtext_is_wordchar_at(k, kl, wl)) {
			wl++;
			while (wl < kl && ((uint8_t)k[wl] & 0xC0) == 0x80)
				wl++;
		}
		uint64_t hv = fw_hash(k, wl);
		size_t i = (size_t)hv & a->fw_mask;
		while (a->first_words[i] && a->first_words[i] != hv)
			i = (i + 1) & a->fw_mask;
		a->first_words[i] = hv;
	}
	xvec_free(&a->nodes);
	a->built = 1;
	rc = 0;
out:
	return rc;
}

static inline uint32_t step(const struct ac *a, uint32_t s, uint8_t c)
{
	if (s == 0)
		return a->root[c];
	/* fan-out below the root is small (one child for most states) */
	const struct aedge *e = a->edge + a->node[s].e0, *end = e + a->node[s].ne;
	for (const struct aedge *hi = end; hi - e > 8;) {
		const struct aedge *mid = e + (hi - e) / 2;
		if (mid->byte < c)
			e = mid + 1;
		else
			hi = mid;
	}
	while (e < end && e->byte < c)
		e++;
	return e < end && e->byte == c ? e->to : 0;
}

/* Records the pattern ending in state s at byte end when it ends on a
 * boundary. */
static inline int emit(const struct ac *a, const char *text, size_t len, uint32_t s, size_t p, size_t end,
		       struct xvec *out)
{
	const struct anode *nd = &a->node[s];

	if (nd->out < 0)
		return 0;
	if (nd->right && end < len && xtext_is_wordchar_at(text, len, end))
		return 0;
	struct ac_match *m = xvec_push_raw(out);
	if (!m)
		return -ENOMEM;
	m->pat = (uint32_t)nd->out;
	m->start = (uint32_t)p;
	m->end = (uint32_t)end;
	return 0;
}

/* Appends every pattern that starts at byte p, longest first.  The walk
 * resumes at byte i in state s (s reached from the root by text[p..i));
 * i == p, s == 0 walks from the start. */
static int walk(const struct ac *a, const char *text, size_t len, size_t p, size_t i, uint32_t s,
		struct xvec *out)
{
	size_t first = out->len;

	if (s && emit(a, text, len, s, p, i, out) < 0)
		return -ENOMEM;
	for (; i < len; i++) {
		if (!(s = step(a, s, (uint8_t)text[i])))
			break;
		if (emit(a, text, len, s, p, i + 1, out) < 0)
			return -ENOMEM;
	}
	/* found shortest first: reverse */
	struct ac_match *m = out->p;
	for (size_t k = first, j = out->len; k + 1 < j; k++, j--) {
		struct ac_match t = m[k];
		m[k] = m[j - 1];
		m[j - 1] = t;
	}
	return 0;
}

uint32_t ac_word_state(const struct ac *a, const char *s, size_t n)
{
	uint32_t st = 0;

	if (!a->built || n == 0 || !fw_has(a, s, n))
		return 0;
	for (size_t i = 0; i < n && (i == 0 || st); i++)
		st = step(a, st, (uint8_t)s[i]);
	return st;
}

int ac_scan(const struct ac *a, const char *text, size_t len, const struct xtok *toks, size_t ntoks,
	    const uint32_t *tstate, struct xvec *out)
{
	size_t gap = 0;

	out->len = 0;
	if (!a->built)
		return -EINVAL;
	for (size_t ti = 0; ti <= ntoks; ti++) {
		size_t gap_end = ti < ntoks ? toks[ti].start : len;
		for (size_t p = gap; p < gap_end; p++)
			if (a->gap_first[(uint8_t)text[p]] && walk(a, text, len, p, p, 0, out) < 0)
				return -ENOMEM;
		if (ti == ntoks)
			break;
		/* a word-first pattern starts with a whole token (its first word):
		 * the walk resumes after the token, in the state the token leads to */
		const struct xtok *t = &toks[ti];
		uint32_t st = tstate ? tstate[ti] : AC_UNKNOWN;
		if (st == AC_UNKNOWN)
			st = ac_word_state(a, text + t->start, t->end - t->start);
		if (st && walk(a, text, len, t->start, t->end, st, out) < 0)
			return -ENOMEM;
		gap = t->end;
	}
	return 0;
}

int ac_scan_str(const struct ac *a, const char *text, size_t len, struct xvec *out)
{
	struct xvec toks = {.esz = sizeof(struct xtok)}, lines = {.esz = sizeof(struct xspan)};
	int rc;

	rc = xtext_tokenize(text, len, &toks, &lines);
	if (rc == 0)
		rc = ac_scan(a, text, len, toks.p, toks.len, NULL, out);
	xvec_free(&toks);
	xvec_free(&lines);
	return rc;
}
