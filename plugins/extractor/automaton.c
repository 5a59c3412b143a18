/* automaton.c — multi-pattern matcher over UTF-8 bytes (a trie of every
 * cue word and name of a language pack, built once, read-only after).
 *
 * Every pattern that begins with a word character must begin on a word
 * boundary, i.e. at the start of a token; the others (“(thực hiện)”) begin
 * in the gap between tokens.  So instead of running an Aho–Corasick DFA
 * over every byte (one dependent load per byte into a table of several MB,
 * which the profile showed to be cache-miss bound), the scan walks the trie
 * from each token start and from each gap byte that can begin a pattern
 * (only in gaps holding more than spaces, unless some pattern starts with
 * a space), and stops at the first byte with no edge.  A token start is walked only
 * when the token is the first word of some pattern (a set of hashes of
 * first words), and the walk through the token itself is done once per
 * distinct token: ac_word_state() gives the state after it, which the
 * extractor keeps in its syllable cache and hands back to ac_scan().  The
 * result is the same set of matches as Aho–Corasick with the boundary
 * test, in the order (start ascending, longest first) the extractor wants
 * (a unit test checks it against brute force).
 *
 * The trie is compiled into a dense 256-entry row for the root and, for
 * the other states, nodes numbered in depth-first order with children by
 * ascending byte, so a state's first child is the next state: the node
 * holds that child's byte, and a step along it (most steps: a state has one
 * child) reads one 12-byte node, the next one in memory.  The other
 * children's bytes and states sit in two side arrays (bytes scanned alone).
 * About 0.3 MB for `vi`.  (The old full DFA over byte classes took 18,000
 * states x 137 classes x 4 bytes = 10 MB, and every byte of text was a
 * cache miss.)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <unicode/utf8.h>

#include "extractor_int.h"

struct bnode {
	uint32_t first_child, next_sibling; /* 0 = none (root is node 0) */
	int32_t pat;
	uint8_t byte;
};

struct anode {
	int32_t out;    /* pattern id ending here, -1 none */
	uint32_t e1;    /* the second child's index in ebyte/eto (when ne > 1) */
	uint16_t ne;    /* number of children */
	uint8_t right;  /* the pattern ending here ends with a word character */
	uint8_t b0;     /* the first child's byte (the child is state s + 1) */
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
	struct anode *node;  /* per state, depth-first order */
	uint8_t *ebyte;      /* children after the first, ascending per state */
	uint32_t *eto;
	uint8_t gap_first[256]; /* byte can begin a pattern whose first char is not a word char */
	uint8_t ascii_word[128]; /* xtext_cp_class(c) & XCP_WORD: the boundary test
				  * without a call for ASCII text */
	int space_first;       /* some pattern begins with a space character (XCP_SPACE):
				* only then can a match start in a gap of spaces */
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
	free(a->ebyte);
	free(a->eto);
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
	uint32_t n = (uint32_t)a->nodes.len, nextra = 0, next = 0, sp = 0;
	uint32_t *kstart = NULL, *kids = NULL, *newid = NULL, *stack = NULL;
	int rc = -ENOMEM;

	a->nstates = n;
	a->node = calloc(n ? n : 1, sizeof(*a->node));
	a->ebyte = calloc(n ? n : 1, 1); /* every state but the root has one parent edge */
	a->eto = calloc(n ? n : 1, sizeof(*a->eto));
	kstart = calloc((size_t)n + 1, sizeof(*kstart));
	kids = calloc(n ? n : 1, sizeof(*kids));
	newid = calloc(n ? n : 1, sizeof(*newid));
	stack = calloc(n ? n : 1, sizeof(*stack));
	if (!a->node || !a->ebyte || !a->eto || !kstart || !kids || !newid || !stack)
		goto out;
	/* each state's children by ascending byte */
	for (uint32_t i = 0, nk = 0; i < n; i++) {
		uint8_t tmp[256][5];
		uint32_t cnt = 0;
		kstart[i] = nk;
		for (uint32_t k = XVEC_AT(&a->nodes, struct bnode, i).first_child; k;
		     k = XVEC_AT(&a->nodes, struct bnode, k).next_sibling) {
			tmp[cnt][0] = XVEC_AT(&a->nodes, struct bnode, k).byte;
			memcpy(&tmp[cnt][1], &k, 4);
			cnt++;
		}
		qsort(tmp, cnt, sizeof(tmp[0]), cmp_edge);
		for (uint32_t j = 0; j < cnt; j++)
			memcpy(&kids[nk++], &tmp[j][1], 4);
		kstart[i + 1] = nk;
	}
	/* depth-first numbering, smallest byte first: a first child is popped
	 * right after its parent, so it is the parent's number + 1 */
	if (n)
		stack[sp++] = 0;
	while (sp) {
		uint32_t v = stack[--sp];
		newid[v] = next++;
		for (uint32_t j = kstart[v + 1]; j > kstart[v]; j--)
			stack[sp++] = kids[j - 1];
	}
	memset(a->root, 0, sizeof(a->root));
	for (uint32_t v = 0; v < n; v++) {
		const struct bnode *b = &XVEC_AT(&a->nodes, struct bnode, v);
		struct anode *nd = &a->node[newid[v]];
		uint32_t cnt = kstart[v + 1] - kstart[v];
		nd->out = b->pat;
		nd->right = b->pat >= 0 && (XVEC_AT(&a->pat_edge, uint8_t, b->pat) & 2);
		nd->ne = (uint16_t)cnt;
		nd->e1 = nextra;
		for (uint32_t j = 0; j < cnt; j++) {
			uint32_t k = kids[kstart[v] + j];
			uint8_t c = XVEC_AT(&a->nodes, struct bnode, k).byte;
			if (v == 0) {
				a->root[c] = newid[k];
			} else if (j == 0) {
				nd->b0 = c;
			} else {
				a->ebyte[nextra] = c;
				a->eto[nextra] = newid[k];
				nextra++;
			}
		}
	}
	for (int c = 0; c < 128; c++)
		a->ascii_word[c] = (xtext_cp_class(c) & XCP_WORD) != 0;
	memset(a->gap_first, 0, sizeof(a->gap_first));
	a->space_first = 0;
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
			int32_t off = 0;
			UChar32 c;
			U8_NEXT(k, off, (int32_t)kl, c);
			/* an invalid first character counts as a space: scan gaps */
			if (c < 0 || (xtext_cp_class(c) & XCP_SPACE))
				a->space_first = 1;
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
	free(kstart);
	free(kids);
	free(newid);
	free(stack);
	return rc;
}

/* The child of state s (not the root) by byte c, 0 none. */
static inline uint32_t step_node(const struct ac *a, uint32_t s, const struct anode *nd, uint8_t c)
{
	if (nd->ne && nd->b0 == c)
		return s + 1;
	if (nd->ne <= 1)
		return 0;
	/* the other children: fan-out below the root is small */
	const uint8_t *b = a->ebyte + nd->e1, *lo = b, *end = b + nd->ne - 1;
	for (const uint8_t *hi = end; hi - lo > 8;) {
		const uint8_t *mid = lo + (hi - lo) / 2;
		if (*mid < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo < end && *lo < c)
		lo++;
	return lo < end && *lo == c ? a->eto[lo - a->ebyte] : 0;
}

/* Is the character at byte i a word character (xtext_is_wordchar_at)? */
static inline int word_at(const struct ac *a, const char *text, size_t len, size_t i)
{
	if (i >= len)
		return 0;
	if ((uint8_t)text[i] < 0x80)
		return a->ascii_word[(uint8_t)text[i]];
	return xtext_is_wordchar_at(text, len, i);
}

/* Appends every pattern that starts at byte p, longest first.  The walk
 * resumes at byte i in state s != 0 (s reached from the root by
 * text[p..i)).  Each step reads one node, for the match ending there and
 * for the next edge. */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

static ALWAYS_INLINE int walk(const struct ac *a, const char *text, size_t len, size_t p, size_t i, uint32_t s,
		       struct xvec *out)
{
	size_t first = out->len;

	for (;;) {
		const struct anode *nd = &a->node[s];
		if (nd->out >= 0 && !(nd->right && word_at(a, text, len, i))) {
			struct ac_match *m = xvec_push_raw(out);
			if (!m)
				return -ENOMEM;
			m->pat = (uint32_t)nd->out;
			m->start = (uint32_t)p;
			m->end = (uint32_t)i;
		}
		if (i >= len || !(s = step_node(a, s, nd, (uint8_t)text[i])))
			break;
		i++;
	}
	/* found shortest first: reverse */
	if (out->len - first > 1) {
		struct ac_match *m = out->p;
		for (size_t k = first, j = out->len; k + 1 < j; k++, j--) {
			struct ac_match t = m[k];
			m[k] = m[j - 1];
			m[j - 1] = t;
		}
	}
	return 0;
}

uint32_t ac_word_state(const struct ac *a, const char *s, size_t n)
{
	uint32_t st;

	if (!a->built || n == 0 || !fw_has(a, s, n))
		return 0;
	st = a->root[(uint8_t)s[0]];
	for (size_t i = 1; i < n && st; i++)
		st = step_node(a, st, &a->node[st], (uint8_t)s[i]);
	return st;
}

/* Walks from every byte of the gap [p, end) that can begin a pattern.
 * Inline: it runs for every gap with punctuation or a line break (one in
 * sixteen tokens), mostly two bytes long, where the call cost as much as
 * the scan. */
static ALWAYS_INLINE int scan_gap(const struct ac *a, const char *text, size_t len, size_t p, size_t end, struct xvec *out)
{
	for (; p < end; p++)
		if (a->gap_first[(uint8_t)text[p]] && walk(a, text, len, p, p + 1, a->root[(uint8_t)text[p]], out) < 0)
			return -ENOMEM;
	return 0;
}

int ac_scan(const struct ac *a, const char *text, size_t len, const struct xtok *toks, size_t ntoks,
	    const uint32_t *tstate, struct xvec *out)
{
	/* a gap of space characters only (the tokenizer's flags say so) can
	 * start no match unless a pattern starts with a space */
	const int all_gaps = a->space_first;

	const uint32_t gap_flags = all_gaps ? UINT32_MAX : (XT_PUNCT_BEFORE | XT_NEWLINE_BEFORE);

	out->len = 0;
	if (!a->built)
		return -EINVAL;
	for (size_t ti = 0; ti < ntoks; ti++) {
		const struct xtok *t = &toks[ti];
		if ((t->flags & gap_flags) &&
		    scan_gap(a, text, len, ti ? toks[ti - 1].end : 0, t->start, out) < 0)
			return -ENOMEM;
		/* a word-first pattern starts with a whole token (its first word):
		 * the walk resumes after the token, in the state the token leads to */
		uint32_t st = tstate ? tstate[ti] : AC_UNKNOWN;
		if (st == AC_UNKNOWN)
			st = ac_word_state(a, text + t->start, t->end - t->start);
		if (!st)
			continue;
		const struct anode *nd = &a->node[st];
		if (!nd->ne) {
			/* a leaf (a quarter of the walks): the pattern ends with the
			 * token, where no word character follows */
			struct ac_match *m = xvec_push_raw(out);
			if (!m)
				return -ENOMEM;
			m->pat = (uint32_t)nd->out;
			m->start = t->start;
			m->end = t->end;
		} else if (walk(a, text, len, t->start, t->end, st, out) < 0) {
			return -ENOMEM;
		}
	}
	return scan_gap(a, text, len, ntoks ? toks[ntoks - 1].end : 0, len, out);
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
