/* cleaner-cli — run the cleaner on one file and print the record.
 *
 *   cleaner-cli [--html|--raw] [--lines] [--config YAML] FILE
 *
 * Default: FILE's bytes are the message's `text` (must be UTF-8); --html:
 * the `html` field; --raw: undecoded bytes (the `raw` field).  --lines
 * prints each line's class, score and features.  For looking at outputs
 * by eye; not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cltest.h"

static const char *const cls_names[] = {"empty", "GOOD", "neutral", "BAD", "meta"};

int main(int argc, char **argv)
{
	const char *mode = "text", *config = NULL, *path = NULL;
	char err[512];
	size_t len = 0;
	int lines = 0, rc = 1;
	struct cltest t;
	struct newsd_record r = {0};

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--html"))
			mode = "html";
		else if (!strcmp(argv[i], "--raw"))
			mode = "raw";
		else if (!strcmp(argv[i], "--lines"))
			lines = 1;
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[++i];
		else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: cleaner-cli [--html|--raw] [--lines] [--config YAML] FILE\n");
		return 2;
	}
	char *data = cltest_slurp(path, &len);
	if (!data || cltest_open(&t, config, err, sizeof(err)) < 0) {
		fprintf(stderr, "cleaner-cli: %s\n", data ? err : "cannot read file");
		free(data);
		return 1;
	}
	if (lines) {
		struct cl_ctx *x = cleaner_ctx_get(t.c);
		struct cl_result res;
		int is_html = !strcmp(mode, "html"), is_raw = !strcmp(mode, "raw");
		if (cleaner_run(t.c, x, is_html ? data : NULL, len, (!is_html && !is_raw) ? data : NULL,
				len, is_raw ? data : NULL, len, NULL, NULL, &res) == 0) {
			for (size_t i = 0; i < x->bp.n_lines; i++) {
				struct cl_line *L = &x->bp.lines[i];
				printf("%c %-7s %6.2f w%-3u wc%.2f t%d n%.2f se%d lv%d dl%d by%d oc%u/%u | %.*s\n",
				       L->keep ? '+' : '-', cls_names[L->cls], L->score, L->n_words,
				       L->widget_cov, L->tail_bare, L->nav_cov, L->sent_end,
				       L->label_value, L->dateline, L->byline, L->occ, L->occ_total,
				       (int)(L->len > 100 ? 100 : L->len), x->norm.p + L->off);
			}
		}
		cleaner_ctx_put(t.c, x);
		rc = 0;
		goto out;
	}
	if (!strcmp(mode, "raw")) {
		if (record_from_payload(&r, data, len, RECORD_FORMAT_RAW, err, sizeof(err)) < 0)
			goto out;
	} else {
		r.root = json_object();
		json_object_set_new(r.root, "id", json_string("cli"));
		json_object_set_new(r.root, mode, json_stringn_nocheck(data, len));
	}
	int st = harness_process_record(t.h, &r, NULL, err, sizeof(err));
	if (st != NEWSD_OK) {
		printf("status %d: %s\n", st, err);
	} else {
		json_t *tx = json_incref(json_object_get(r.root, "text"));
		json_object_del(r.root, "text");
		json_object_del(r.root, "html");
		char *d = json_dumps(r.root, JSON_INDENT(1));
		printf("%s\n----\n%s\n", d, json_string_value(tx));
		free(d);
		json_decref(tx);
	}
	rc = 0;
out:
	record_clear(&r);
	cltest_close(&t);
	free(data);
	return rc;
}
