/* cltest.c — see cltest.h. */
#include "cltest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "options.h"
#include "yamltree.h"

int cltest_open(struct cltest *t, const char *yaml, char *err, size_t errlen)
{
	void *state = NULL;

	memset(t, 0, sizeof(*t));
	t->h = harness_new(&cleaner_plugin, yaml, err, errlen);
	if (!t->h)
		return -1;
	t->cfg = yaml_load_buffer("<cltest>", yaml ? yaml : "", yaml ? strlen(yaml) : 0, NULL, err,
				  errlen);
	if (t->cfg && !json_is_object(t->cfg)) {
		json_decref(t->cfg);
		t->cfg = json_object();
	}
	if (!t->cfg ||
	    options_check(t->cfg, "cleaner", cleaner_plugin.options, NULL, "<cltest>", err, errlen) <
		    0 ||
	    cleaner_plugin.init(harness_host(t->h, 0), config_view(t->cfg), &state, err, errlen) <
		    0) {
		cltest_close(t);
		return -1;
	}
	t->c = state;
	return 0;
}

void cltest_close(struct cltest *t)
{
	if (t->c)
		cleaner_plugin.fini(t->c);
	harness_free(t->h);
	json_decref(t->cfg);
	memset(t, 0, sizeof(*t));
}

char *cltest_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 65536 > cap) {
			cap = (cap + 65536) * 2;
			char *q = realloc(p, cap + 1);
			if (!q) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = q;
		}
		r = fread(p + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	p[n] = '\0';
	*len = n;
	return p;
}
