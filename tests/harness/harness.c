/* harness.c — synchronous plugin chain for tests and benchmarks. */
#include "harness.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "log.h"
#include "options.h"
#include "state.h"
#include "yamltree.h"

struct stage {
	const struct newsd_plugin *p;
	struct plugin_host host;
	json_t *config; /* (owned) */
	void *state;
	int inited;
};

struct harness {
	struct logger log;
	struct metrics metrics;
	struct state_backend backend;
	int file_backend;
	struct state_registry states;
	struct host_env env;
	size_t n;
	struct stage *stages;
};

void harness_free(struct harness *h)
{
	if (!h)
		return;
	for (size_t i = h->n; i-- > 0;) {
		struct stage *s = &h->stages[i];
		if (s->inited && s->p->fini)
			s->p->fini(s->state);
		json_decref(s->config);
	}
	free(h->stages);
	state_registry_destroy(&h->states);
	if (h->file_backend)
		state_backend_file_free(&h->backend);
	host_env_destroy(&h->env);
	metrics_destroy(&h->metrics);
	free(h);
}

struct harness *harness_new_chain(const struct newsd_plugin *const *plugins,
				  const char *const *configs, size_t n, const char *state_dir,
				  char *err, size_t errlen)
{
	struct harness *h = calloc(1, sizeof(*h));
	const char *lvl = getenv("NEWSD_LOG_LEVEL");

	if (!h || !(h->stages = calloc(n ? n : 1, sizeof(*h->stages)))) {
		snprintf(err, errlen, "out of memory");
		free(h);
		return NULL;
	}
	h->log.level = log_level_parse(lvl) >= 0 ? (enum newsd_log_level)log_level_parse(lvl)
						 : NEWSD_LOG_WARN;
	h->log.out = stderr;
	metrics_init(&h->metrics);
	if (state_dir) {
		if (state_backend_file(&h->backend, state_dir) < 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		h->file_backend = 1;
	} else {
		state_backend_memory(&h->backend);
	}
	state_registry_init(&h->states, &h->backend);
	host_env_init(&h->env, &h->log, &h->metrics, &h->states, NULL);
	h->n = n;
	for (size_t i = 0; i < n; i++) {
		struct stage *s = &h->stages[i];
		const char *yaml = configs && configs[i] ? configs[i] : "";
		struct yaml_marks marks = {0};
		int rc;

		s->p = plugins[i];
		s->config = yaml_load_buffer("<test config>", yaml, strlen(yaml), &marks, err, errlen);
		if (s->config && json_is_null(s->config)) {
			json_decref(s->config);
			s->config = json_object();
		}
		rc = s->config ? options_check(s->config, s->p->name, s->p->options, &marks,
					       "<test config>", err, errlen)
			       : -EINVAL;
		yaml_marks_free(&marks);
		if (rc < 0)
			goto fail;
		plugin_host_init(&s->host, &h->env, s->p->name);
		rc = s->p->init ? s->p->init(&s->host.vt, config_view(s->config), &s->state, err,
					     errlen)
				: 0;
		if (rc < 0)
			goto fail;
		s->inited = 1;
	}
	return h;
fail:
	harness_free(h);
	return NULL;
}

struct harness *harness_new(const struct newsd_plugin *p, const char *config_yaml, char *err,
			    size_t errlen)
{
	const char *cfg[1] = {config_yaml};

	return harness_new_chain(&p, cfg, 1, NULL, err, errlen);
}

int harness_process_record(struct harness *h, struct newsd_record *r, size_t *at, char *err,
			   size_t errlen)
{
	for (size_t i = 0; i < h->n; i++) {
		struct stage *s = &h->stages[i];
		int rc;

		err[0] = '\0';
		rc = s->p->process(s->state, r, err, errlen);
		if (rc != NEWSD_OK) {
			if (at)
				*at = i;
			return rc;
		}
	}
	return NEWSD_OK;
}

int harness_process_json(struct harness *h, const char *input_json, json_t **out, char *err,
			 size_t errlen)
{
	struct newsd_record r = {0};
	int rc;

	if (out)
		*out = NULL;
	if (record_from_payload(&r, input_json, strlen(input_json), RECORD_FORMAT_JSON, err,
				errlen) < 0)
		return NEWSD_ERR_RECORD;
	rc = harness_process_record(h, &r, NULL, err, errlen);
	if (out) {
		*out = r.root;
		r.root = NULL;
	}
	record_clear(&r);
	return rc;
}

int harness_process(struct harness *h, const char *input_json, char **out, char *err,
		    size_t errlen)
{
	json_t *rec = NULL;
	int rc = harness_process_json(h, input_json, out ? &rec : NULL, err, errlen);

	if (out)
		*out = rec ? json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(rec);
	return rc;
}

int harness_flush(struct harness *h, char *err, size_t errlen)
{
	for (size_t i = 0; i < h->n; i++) {
		struct stage *s = &h->stages[i];
		if (s->p->flush) {
			int rc = s->p->flush(s->state, err, errlen);
			if (rc < 0)
				return rc;
		}
	}
	return state_registry_flush(&h->states);
}

const struct newsd_host *harness_host(struct harness *h, size_t i)
{
	return i < h->n ? &h->stages[i].host.vt : NULL;
}

struct metrics *harness_metrics(struct harness *h)
{
	return &h->metrics;
}
