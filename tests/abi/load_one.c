/* load_one — loads one plugin file the way the daemon does and runs one
 * record through it.
 *
 *   load_one FILE NAME [JSON]
 *
 * Prints the descriptor and the resulting record on stdout; on refusal
 * prints the loader's message on stderr and exits 1 (2 for usage, 3 when
 * the plugin loaded but init/process failed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "options.h"
#include "record.h"

int main(int argc, char **argv)
{
	const char *input = argc > 3 ? argv[3] : "{\"id\":\"t1\",\"text\":\"Tin nhanh.\"}";
	struct logger lg = {NEWSD_LOG_WARN, stderr};
	struct loaded_plugin lp = {0};
	struct metrics *m = NULL;
	struct host_env env;
	struct plugin_host ph;
	struct newsd_record r = {0};
	json_t *block = NULL;
	void *state = NULL;
	char err[2048] = "";
	char *dump = NULL;
	int rc = 1, have_env = 0, inited = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: load_one FILE NAME [JSON]\n");
		return 2;
	}
	if (loader_open(argv[1], argv[2], &lp, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	printf("loaded %s %s (abi %u.%u) from %s\n", lp.desc.name, lp.desc.version,
	       lp.desc.abi_major, lp.desc.abi_minor, lp.path);
	rc = 3;
	m = malloc(sizeof(*m));
	block = json_object();
	if (!m || !block) {
		fprintf(stderr, "out of memory\n");
		goto out;
	}
	metrics_init(m);
	host_env_init(&env, &lg, m, NULL, NULL);
	have_env = 1;
	plugin_host_init(&ph, &env, lp.desc.name);
	if (options_check(block, lp.desc.name, lp.desc.options, NULL, argv[1], err, sizeof(err)) <
		    0 ||
	    (lp.desc.init && lp.desc.init(&ph.vt, config_view(block), &state, err, sizeof(err)) < 0)) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	inited = 1;
	if (record_from_payload(&r, input, strlen(input), RECORD_FORMAT_JSON, err, sizeof(err)) < 0 ||
	    lp.desc.process(state, &r, err, sizeof(err)) != NEWSD_OK) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	dump = record_dump(&r, NULL);
	if (!dump)
		goto out;
	printf("%s\n", dump);
	rc = 0;
out:
	free(dump);
	record_clear(&r);
	if (inited && lp.desc.fini)
		lp.desc.fini(state);
	json_decref(block);
	if (have_env) {
		host_env_destroy(&env);
		metrics_destroy(m);
	}
	free(m);
	loader_release(&lp, 0);
	return rc;
}
