/* corpus.c — see corpus.h.  Lines of any length: the buffer grows. */
#include "corpus.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct corpus {
	gzFile f;
	char *line;
	size_t cap;
};

struct corpus *corpus_open(const char *path)
{
	struct corpus *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->f = gzopen(path, "rb");
	if (!c->f) {
		free(c);
		return NULL;
	}
	gzbuffer(c->f, 1 << 20);
	return c;
}

json_t *corpus_next(struct corpus *c)
{
	for (;;) {
		size_t n = 0;
		for (;;) {
			if (n + 2 >= c->cap) {
				size_t cap = c->cap ? c->cap * 2 : 1 << 16;
				char *p = realloc(c->line, cap);
				if (!p)
					return NULL;
				c->line = p;
				c->cap = cap;
			}
			if (!gzgets(c->f, c->line + n, (int)(c->cap - n))) {
				if (n == 0)
					return NULL;
				break;
			}
			n += strlen(c->line + n);
			if (n > 0 && c->line[n - 1] == '\n')
				break;
		}
		json_t *o = json_loadb(c->line, n, 0, NULL);
		if (json_is_object(o))
			return o;
		json_decref(o);
	}
}

void corpus_close(struct corpus *c)
{
	if (!c)
		return;
	gzclose(c->f);
	free(c->line);
	free(c);
}
