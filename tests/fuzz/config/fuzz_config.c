/* fuzz_config.c — libFuzzer target: arbitrary bytes through conf_load_buffer,
 * then every pipeline entry through conf_check_plugin and the Kafka check.
 * Besides the sanitizers it enforces the contract that every rejection of a
 * config names FILE:LINE:COLUMN. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct newsd_option OPTS[] = {
	{"action", NEWSD_OPT_STR, "tag", 0, "tag or drop"},
	{"threshold", NEWSD_OPT_FLOAT, "0.8", 0, "similarity"},
	{"shingle", NEWSD_OPT_INT, "5", 0, "words per shingle"},
	{"keep", NEWSD_OPT_BOOL, "false", 0, "keep the text"},
	{"langs", NEWSD_OPT_LIST, NULL, 0, "languages"},
	{"key", NEWSD_OPT_STR, NULL, 1, "required"},
	{0},
};

/* "fuzz.yaml:LINE:COL: " with LINE, COL >= 1. */
static void require_position(const char *err)
{
	int line = 0, col = 0, n = 0;

	if (sscanf(err, "fuzz.yaml:%d:%d: %n", &line, &col, &n) != 2 || n == 0 || line < 1 ||
	    col < 1) {
		fprintf(stderr, "error without FILE:LINE:COL: '%s'\n", err);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* so ${FUZZ_SET}, ${FUZZ_NUM} and ${FUZZ_EMPTY:-x} take every branch */
	setenv("FUZZ_SET", "broker:9092", 1);
	setenv("FUZZ_NUM", "4", 1);
	setenv("FUZZ_EMPTY", "", 1);
	unsetenv("FUZZ_UNSET");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct newsd_conf *c = NULL;
	char err[1024] = "";
	int rc = conf_load_buffer("fuzz.yaml", (const char *)data, size, &c, err, sizeof(err));

	if (rc < 0) {
		if (c)
			abort();
		if (rc == -EINVAL)
			require_position(err);
		return 0;
	}
	if (!c || c->workers < 1 || !c->topics || !c->plugin_dirs || !c->data_dirs ||
	    c->n_pipeline == 0 || !c->group_id || !c->state_topic_prefix)
		abort();
	for (size_t i = 0; i < c->n_pipeline; i++) {
		err[0] = '\0';
		if (conf_check_plugin(c, i, OPTS, err, sizeof(err)) == -EINVAL)
			require_position(err);
	}
	err[0] = '\0';
	if (conf_require_kafka(c, err, sizeof(err)) == -EINVAL)
		require_position(err);
	conf_free(c);
	return 0;
}
