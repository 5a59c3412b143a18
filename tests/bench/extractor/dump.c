/* extractor-dump — prints the extractor's record for each argument: a .txt
 * file (wrapped as {"text": …} after plain-text normalisation) or a .jsonl
 * file (one input record a line).  With --cleaner first (when the cleaner
 * is built), raw files go through cleaner → extractor.  A developer's
 * tool, not a test. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "plaintext.h"

const struct newsd_plugin *newsd_plugin_extractor_describe(void);
#ifdef WITH_CLEANER
const struct newsd_plugin *newsd_plugin_cleaner_describe(void);
#endif

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long sz;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)sz + 1)) && fread(b, 1, (size_t)sz, f) == (size_t)sz) {
		b[sz] = '\0';
		*n = (size_t)sz;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static void run(struct harness *h, json_t *in)
{
	char *txt = json_dumps(in, JSON_COMPACT), *out = NULL, err[256] = "";
	json_t *o;

	if (harness_process(h, txt, &out, err, sizeof(err)) != NEWSD_OK) {
		printf("error: %s\n", err);
	} else if ((o = json_loads(out, 0, NULL))) {
		json_object_del(o, "text");
		char *pretty = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		printf("%s\n", pretty);
		free(pretty);
		json_decref(o);
	}
	free(out);
	free(txt);
}

int main(int argc, char **argv)
{
	char err[512];
	int chain = argc > 1 && strcmp(argv[1], "--cleaner") == 0;
	struct harness *h;
#ifdef WITH_CLEANER
	const struct newsd_plugin *ps[] = {newsd_plugin_cleaner_describe(), newsd_plugin_extractor_describe()};
	if (chain)
		h = harness_new_chain(ps, (const char *const[]){NULL, NULL}, 2, NULL, err, sizeof(err));
	else
#else
	if (chain) {
		fprintf(stderr, "extractor-dump: built without the cleaner\n");
		return 2;
	}
#endif
		h = harness_new(newsd_plugin_extractor_describe(), NULL, err, sizeof(err));

	if (!h) {
		fprintf(stderr, "extractor-dump: %s\n", err);
		return 1;
	}
	for (int a = 1 + chain; a < argc; a++) {
		size_t n = 0;
		char *b = slurp(argv[a], &n);
		if (!b) {
			fprintf(stderr, "extractor-dump: cannot read %s\n", argv[a]);
			continue;
		}
		printf("== %s\n", argv[a]);
		if (strstr(argv[a], ".jsonl")) {
			for (char *line = strtok(b, "\n"); line; line = strtok(NULL, "\n")) {
				json_t *in = json_loads(line, 0, NULL);
				if (in)
					run(h, in);
				json_decref(in);
			}
		} else {
			/* with the cleaner: the raw file; without: plain paragraphs */
			char *t = chain ? strdup(b) : plaintext_paragraphs(b, n);
			json_t *in = json_pack("{s:s, s:s}", "id", argv[a], "text", t ? t : "");
			run(h, in);
			json_decref(in);
			free(t);
		}
		free(b);
	}
	harness_free(h);
	return 0;
}
