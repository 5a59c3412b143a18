/* example — the whole plugin contract in one file; read this first.
 *
 * It counts the words of the record's text and, when `tag` is set, writes
 * it to a field.  A record with no text is dead-lettered when
 * `require_text` is true.
 */
#include <errno.h>
#include <newsd/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct example {
	const struct newsd_host *host; /* (borrowed) valid until fini */
	const char *tag;               /* (borrowed from the config) */
	int require_text;
};

static const struct newsd_option example_options[] = {
	{"tag", NEWSD_OPT_STR, NULL, 0, "value written to the record's `example_tag` field"},
	{"require_text", NEWSD_OPT_BOOL, "false", 0, "dead-letter records without `text`"},
	{0},
};

static int example_init(const struct newsd_host *h, const struct newsd_config *c, void **state,
			char *err, size_t errlen)
{
	struct example *ex = calloc(1, sizeof(*ex));

	if (!ex) {
		snprintf(err, errlen, "out of memory");
		return NEWSD_ERR_FATAL;
	}
	ex->host = h;
	ex->tag = h->cfg_str(c, "tag");
	ex->require_text = h->cfg_bool(c, "require_text");
	*state = ex;
	return NEWSD_OK;
}

static int example_process(void *state, struct newsd_record *r, char *err, size_t errlen)
{
	struct example *ex = state;
	const struct newsd_host *h = ex->host;
	size_t len = 0;
	const char *text = h->rec_get_str(r, "text", &len);
	int64_t words = 0;

	if (!text) {
		if (ex->require_text) {
			snprintf(err, errlen, "record has no text");
			return NEWSD_ERR_RECORD;
		}
		return NEWSD_OK;
	}
	for (size_t i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\n' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n'))
			words++;
	if (h->rec_set_int(r, "example.words", words) < 0 ||
	    (ex->tag && h->rec_set_str(r, "example.tag", ex->tag, strlen(ex->tag)) < 0)) {
		snprintf(err, errlen, "cannot write fields: out of memory");
		return NEWSD_ERR_RETRY;
	}
	h->count(h, "records", 1);
	return NEWSD_OK;
}

static void example_fini(void *state)
{
	free(state);
}

static const struct newsd_plugin example_plugin = {
	NEWSD_PLUGIN_HEADER,
	.name = "example",
	.version = "1.0.0",
	.license = "Apache-2.0",
	.description = "counts words; shows the plugin contract",
	.options = example_options,
	.init = example_init,
	.process = example_process,
	.fini = example_fini,
};

NEWSD_PLUGIN_DEFINE(example, example_plugin)
