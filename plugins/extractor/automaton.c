/* automaton.c — Aho–Corasick over UTF-8 bytes.
 *
 * Built once at init from every cue word and name of a language pack, then
 * read-only: one pass over an article's bytes finds every pattern.  The
 * trie is compiled into compact arrays: a dense 256-entry table for the
 * root (most bytes of a text restart there) and sorted edge lists for the
 * other states.  Each state keeps its failure link and a "dictionary link"
 * to the nearest state on its failure chain that ends a pattern.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "extractor_int.h"

struct bnode {
	uint32_t first_child, next_sibling; /* 0 = none (root is node 0) */
	int32_t pat;
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
	uint32_t root_next[256];
	uint32_t *edge_start; /* nstates + 1 */
	uint8_t *edge_byte;
	uint32_t *edge_to;
	uint32_t *fail;
	int32_t *out;
	uint32_t *dict;
	/* the full DFA over byte classes: delta[state * nclass + class[byte]] */
	uint8_t cls[256];
	uint32_t nclass;
	uint32_t *delta;
	uint32_t *emit; /* state whose pattern ends here (itself or via dict), 0 none */
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
	free(a->edge_start);
	free(a->edge_byte);
	free(a->edge_to);
	free(a->fail);
	free(a->out);
	free(a->dict);
	free(a->delta);
	free(a->emit);
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

static uint32_t goto_c(const struct ac *a, uint32_t s, uint8_t c)
{
	if (s == 0)
		return a->root_next[c];
	uint32_t lo = a->edge_start[s], hi = a->edge_start[s + 1];
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (a->edge_byte[mid] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < a->edge_start[s + 1] && a->edge_byte[lo] == c)
		return a->edge_to[lo];
	return 0;
}

static int cmp_u8(const void *x, const void *y)
{
	return (int)((const uint8_t *)x)[0] - (int)((const uint8_t *)y)[0];
}

int ac_build(struct ac *a)
{
	uint32_t n = (uint32_t)a->nodes.len;
	uint32_t *queue = NULL, nedges = 0, qh = 0, qt = 0;
	int rc = -ENOMEM;

	a->nstates = n;
	a->edge_start = calloc((size_t)n + 1, sizeof(uint32_t));
	a->fail = calloc(n, sizeof(uint32_t));
	a->out = calloc(n, sizeof(int32_t));
	a->dict = calloc(n, sizeof(uint32_t));
	queue = calloc(n, sizeof(uint32_t));
	if (!a->edge_start || !a->fail || !a->out || !a->dict || !queue)
		goto out;
	for (uint32_t i = 0; i < n; i++)
		a->out[i] = XVEC_AT(&a->nodes, struct bnode, i).pat;
	/* Children in CSR order, sorted by byte. */
	for (uint32_t i = 0; i < n; i++) {
		a->edge_start[i] = nedges;
		for (uint32_t k = XVEC_AT(&a->nodes, struct bnode, i).first_child; k;
		     k = XVEC_AT(&a->nodes, struct bnode, k).next_sibling)
			nedges++;
	}
	a->edge_start[n] = nedges;
	a->edge_byte = malloc(nedges ? nedges : 1);
	a->edge_to = malloc((nedges ? nedges : 1) * sizeof(uint32_t));
	if (!a->edge_byte || !a->edge_to)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t e = a->edge_start[i], cnt = a->edge_start[i + 1] - e;
		uint8_t tmp[256][5];
		uint32_t j = 0;
		for (uint32_t k = XVEC_AT(&a->nodes, struct bnode, i).first_child; k;
		     k = XVEC_AT(&a->nodes, struct bnode, k).next_sibling, j++) {
			tmp[j][0] = XVEC_AT(&a->nodes, struct bnode, k).byte;
			memcpy(&tmp[j][1], &k, 4);
		}
		qsort(tmp, cnt, sizeof(tmp[0]), cmp_u8);
		for (j = 0; j < cnt; j++) {
			a->edge_byte[e + j] = tmp[j][0];
			memcpy(&a->edge_to[e + j], &tmp[j][1], 4);
		}
	}
	memset(a->root_next, 0, sizeof(a->root_next));
	for (uint32_t e = a->edge_start[0]; e < a->edge_start[1]; e++) {
		a->root_next[a->edge_byte[e]] = a->edge_to[e];
		a->fail[a->edge_to[e]] = 0;
		queue[qt++] = a->edge_to[e];
	}
	/* Breadth first: failure and dictionary links. */
	while (qh < qt) {
		uint32_t s = queue[qh++];
		for (uint32_t e = a->edge_start[s]; e < a->edge_start[s + 1]; e++) {
			uint32_t t = a->edge_to[e];
			uint8_t c = a->edge_byte[e];
			uint32_t f = a->fail[s];
			for (;;) {
				uint32_t g = goto_c(a, f, c);
				if (g && g != t) {
					a->fail[t] = g;
					break;
				}
				if (f == 0) {
					a->fail[t] = 0;
					break;
				}
				f = a->fail[f];
			}
			uint32_t ft = a->fail[t];
			a->dict[t] = a->out[ft] >= 0 ? ft : a->dict[ft];
			queue[qt++] = t;
		}
	}
	/* Byte classes: bytes that occur in no pattern share class 0 and always
	 * lead back to the root. */
	memset(a->cls, 0, sizeof(a->cls));
	a->nclass = 1;
	for (uint32_t e = 0; e < nedges; e++)
		if (!a->cls[a->edge_byte[e]])
			a->cls[a->edge_byte[e]] = (uint8_t)a->nclass++;
	a->delta = calloc((size_t)n * a->nclass, sizeof(uint32_t));
	a->emit = calloc(n, sizeof(uint32_t));
	if (!a->delta || !a->emit)
		goto out;
	/* root row, then every state in breadth-first order from its failure row */
	for (uint32_t e = a->edge_start[0]; e < a->edge_start[1]; e++)
		a->delta[a->cls[a->edge_byte[e]]] = a->edge_to[e];
	for (uint32_t q = 0; q < qt; q++) {
		uint32_t s = queue[q];
		uint32_t *row = a->delta + (size_t)s * a->nclass;
		memcpy(row, a->delta + (size_t)a->fail[s] * a->nclass, a->nclass * sizeof(uint32_t));
		for (uint32_t e = a->edge_start[s]; e < a->edge_start[s + 1]; e++)
			row[a->cls[a->edge_byte[e]]] = a->edge_to[e];
		a->emit[s] = a->out[s] >= 0 ? s : a->dict[s];
	}
	xvec_free(&a->nodes);
	a->built = 1;
	rc = 0;
out:
	free(queue);
	return rc;
}

int ac_scan(const struct ac *a, const char *text, size_t len, struct xvec *out)
{
	uint32_t s = 0;

	if (!a->built)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		s = a->delta[(size_t)s * a->nclass + a->cls[(uint8_t)text[i]]];
		if (!a->emit[s])
			continue;
		uint32_t o = a->emit[s];
		while (o) {
			uint32_t pat = (uint32_t)a->out[o];
			const struct strmap_ent *pe = &XVEC_AT(&a->pats.ents, struct strmap_ent, pat);
			uint8_t edge = XVEC_AT(&a->pat_edge, uint8_t, pat);
			size_t end = i + 1, start = end - pe->klen;
			if (!((edge & 1) && start > 0 && xtext_wordchar_before(text, start)) &&
			    !((edge & 2) && end < len && xtext_is_wordchar_at(text, len, end))) {
				struct ac_match *m = xvec_push(out);
				if (!m)
					return -ENOMEM;
				m->pat = pat;
				m->start = (uint32_t)start;
				m->end = (uint32_t)end;
			}
			o = a->dict[o];
		}
	}
	return 0;
}
