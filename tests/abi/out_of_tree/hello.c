/* hello — a plugin built out of tree with nothing but
 *   cc -shared -fPIC $(pkg-config --cflags newsd-plugin) -o hello.so hello.c
 * It writes `hello.greeting` into every record.  -DHELLO_ABI_MAJOR=N
 * makes it claim another ABI major (the loader must refuse it). */
#include <newsd/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hello {
	const struct newsd_host *host; /* (borrowed) valid until fini */
	const char *greeting;          /* (borrowed from the config) */
};

static const struct newsd_option hello_options[] = {
	{"greeting", NEWSD_OPT_STR, "hello", 0, "text written to `hello.greeting`"},
	{0},
};

static int hello_init(const struct newsd_host *h, const struct newsd_config *c, void **state,
		      char *err, size_t errlen)
{
	struct hello *he = calloc(1, sizeof(*he));

	if (!he) {
		snprintf(err, errlen, "out of memory");
		return NEWSD_ERR_FATAL;
	}
	he->host = h;
	he->greeting = h->cfg_str(c, "greeting");
	if (!he->greeting)
		he->greeting = "hello";
	*state = he;
	return NEWSD_OK;
}

static int hello_process(void *state, struct newsd_record *r, char *err, size_t errlen)
{
	struct hello *he = state;

	if (he->host->rec_set_str(r, "hello.greeting", he->greeting, strlen(he->greeting)) < 0) {
		snprintf(err, errlen, "cannot write hello.greeting");
		return NEWSD_ERR_RETRY;
	}
	he->host->count(he->host, "greeted", 1);
	return NEWSD_OK;
}

static void hello_fini(void *state)
{
	free(state);
}

static const struct newsd_plugin hello_plugin = {
#ifdef HELLO_ABI_MAJOR
	.abi_major = HELLO_ABI_MAJOR,
	.abi_minor = NEWSD_ABI_MINOR,
	.struct_size = sizeof(struct newsd_plugin),
#else
	NEWSD_PLUGIN_HEADER,
#endif
	.name = "hello",
	.version = "0.1.0",
	.license = "MIT",
	.description = "greets every record (out-of-tree build test)",
	.options = hello_options,
	.init = hello_init,
	.process = hello_process,
	.fini = hello_fini,
};

NEWSD_PLUGIN_DEFINE(hello, hello_plugin)
