/* chaos — a test plugin whose behaviour each record chooses with its
 * "do" field: ok | drop | dead | retry-once | retry-always | fatal | tag.
 * Counts its own instances so tests can check per-worker init. */
#include <newsd/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chaos {
	const struct newsd_host *h;
	int retried; /* retry-once: fail the first offer of each record only */
};

static const struct newsd_option chaos_options[] = {
	{"label", NEWSD_OPT_STR, "chaos", 0, "written to field `chaos`"},
	{0},
};

static int chaos_init(const struct newsd_host *h, const struct newsd_config *c, void **state,
		      char *err, size_t errlen)
{
	struct chaos *ch = calloc(1, sizeof(*ch));

	(void)c;
	if (!ch) {
		snprintf(err, errlen, "out of memory");
		return NEWSD_ERR_FATAL;
	}
	ch->h = h;
	*state = ch;
	return NEWSD_OK;
}

static int chaos_process(void *state, struct newsd_record *r, char *err, size_t errlen)
{
	struct chaos *ch = state;
	const char *what = ch->h->rec_get_str(r, "do", NULL);

	if (!what || !strcmp(what, "ok"))
		return ch->h->rec_set_str(r, "chaos", "seen", 4) == 0 ? NEWSD_OK : NEWSD_ERR_FATAL;
	if (!strcmp(what, "drop")) {
		snprintf(err, errlen, "duplicate of x");
		return NEWSD_DROP;
	}
	if (!strcmp(what, "dead")) {
		snprintf(err, errlen, "record is unusable");
		return NEWSD_ERR_RECORD;
	}
	if (!strcmp(what, "retry-once")) {
		if (!ch->h->rec_has(r, "chaos_retried")) {
			ch->h->rec_set_bool(r, "chaos_retried", 1);
			snprintf(err, errlen, "backend busy");
			return NEWSD_ERR_RETRY;
		}
		return NEWSD_OK;
	}
	if (!strcmp(what, "retry-always")) {
		snprintf(err, errlen, "backend down");
		return NEWSD_ERR_RETRY;
	}
	if (!strcmp(what, "fatal")) {
		snprintf(err, errlen, "disk full");
		return NEWSD_ERR_FATAL;
	}
	if (!strcmp(what, "silent-dead"))
		return NEWSD_ERR_RECORD;
	if (!strcmp(what, "weird"))
		return 42;
	return NEWSD_OK;
}

static void chaos_fini(void *state)
{
	free(state);
}

static const struct newsd_plugin chaos_plugin = {
	NEWSD_PLUGIN_HEADER,
	.name = "chaos",
	.version = "0.1",
	.license = "Apache-2.0",
	.description = "test plugin: each record says what to return",
	.options = chaos_options,
	.init = chaos_init,
	.process = chaos_process,
	.fini = chaos_fini,
};

NEWSD_PLUGIN_DEFINE(chaos, chaos_plugin)
