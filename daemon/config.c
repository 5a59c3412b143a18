/* config.c — the daemon's YAML configuration: load (with ${VAR} expansion,
 * see yamltree.h), check every section against the schema in config.h, and
 * point every message at FILE:LINE:COLUMN with what was expected. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

#define MAX_WORKERS 1024
#define MAX_MESSAGE_BYTES 1000000000LL /* librdkafka's message.max.bytes ceiling */

static const char *const TOP_KEYS[] = {"log_level", "workers", "plugin_dirs", "data_dirs", "input",
				       "output",    "state",   "limits",      "pipeline",  NULL};
static const char *const INPUT_KEYS[] = {"format", "max_message_bytes", "kafka", NULL};
static const char *const INPUT_KAFKA_KEYS[] = {"brokers", "topics", "group_id", "properties", NULL};
static const char *const OUTPUT_KEYS[] = {"topic",        "dead_letter_topic", "duplicates_topic",
					  "include_html", "kafka",             NULL};
static const char *const OUTPUT_KAFKA_KEYS[] = {"brokers", "properties", NULL};
static const char *const STATE_KEYS[] = {"topic_prefix", "dir", NULL};
static const char *const LIMITS_KEYS[] = {"max_in_flight", "batch_size", "retry_max", NULL};
static const char *const ENTRY_KEYS[] = {"plugin", "path", "config", NULL};
/* Indexed by enum newsd_log_level / enum record_format. */
static const char *const LEVELS[] = {"error", "warn", "info", "debug", NULL};
static const char *const FORMATS[] = {"auto", "json", "raw", NULL};

struct cx {
	const char *file;
	struct yaml_marks *marks;
	char *err;
	size_t errlen;
};

/* ---- messages ---- */

__attribute__((format(printf, 5, 6))) static int fail_at(const struct cx *x, int line, int col,
							   int rc, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(x->err, x->errlen, "%s:%d:%d: %s", x->file, line, col, msg);
	return rc;
}

/* Position of parent[key] when it exists, else of parent, else 1:1. */
static void where(const struct cx *x, const json_t *parent, const char *key, int *line, int *col)
{
	const struct yaml_mark *m = key ? yaml_mark_at(x->marks, parent, key) : NULL;

	if (!m)
		m = yaml_mark_of(x->marks, parent);
	*line = m ? m->line : 1;
	*col = m ? m->col : 1;
}

#define FAIL(x, parent, key, ...)                                   \
	do {                                                        \
		int l_, c_;                                         \
		where((x), (parent), (key), &l_, &c_);              \
		return fail_at((x), l_, c_, -EINVAL, __VA_ARGS__); \
	} while (0)

static int oom(const struct cx *x)
{
	snprintf(x->err, x->errlen, "%s: out of memory", x->file);
	return -ENOMEM;
}

/* What a value is, for "(got ...)". */
static const char *describe(const json_t *v, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "a mapping";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: {
		const char *str = json_string_value(v);
		size_t n = json_string_length(v), k = n > 48 ? 48 : n;
		while (k < n && k > 0 && ((unsigned char)str[k] & 0xC0) == 0x80)
			k--; /* never cut a UTF-8 character */
		snprintf(buf, len, "'%.*s%s'", (int)k, str, k < n ? "..." : "");
		return buf;
	}
	case JSON_INTEGER:
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	case JSON_REAL: snprintf(buf, len, "%g", json_real_value(v)); return buf;
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "an empty value";
	}
	return "?";
}

static void join(const char *const *names, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; names[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", names[i]);
}

/* Levenshtein distance, or a big number for long strings. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65], prev;

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* Every key of obj must be one of known.  sect names obj ("" = top level). */
static int check_keys(const struct cx *x, const json_t *obj, const char *sect,
		      const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		const char *hint = NULL;
		size_t best = 3;
		int i;

		for (i = 0; known[i] && strcmp(known[i], key) != 0; i++) {
			size_t d = edit_distance(key, known[i]);
			if (d < best && d < strlen(key)) {
				best = d;
				hint = known[i];
			}
		}
		if (known[i])
			continue;
		const struct yaml_mark *m = yaml_mark_at(x->marks, obj, key);
		int line = m ? m->key_line : 1, col = m ? m->key_col : 1;
		char list[512];
		join(known, list, sizeof(list));
		if (hint)
			return fail_at(x, line, col, -EINVAL, "unknown %s%s%s '%s'; did you mean '%s'?",
				       *sect ? "key" : "top-level key", *sect ? " in " : "", sect, key,
				       hint);
		return fail_at(x, line, col, -EINVAL, "unknown %s%s%s '%s'; expected one of: %s",
			       *sect ? "key" : "top-level key", *sect ? " in " : "", sect, key, list);
	}
	return 0;
}

static void path_of(char *buf, size_t len, const char *sect, const char *key)
{
	snprintf(buf, len, "%s%s%s", sect, *sect ? "." : "", key);
}

/* ---- typed getters: absent or null leaves *out alone ---- */

/* Text of a scalar given where a string is wanted (plain 42 → "42"). */
static int scalar_text(const json_t *v, char *buf, size_t len, const char **out)
{
	if (json_is_string(v)) {
		*out = json_string_value(v);
		return 0;
	}
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		for (int p = 1; p <= 17; p++) { /* shortest text that reads back the same */
			snprintf(buf, len, "%.*g", p, json_real_value(v));
			if (strtod(buf, NULL) == json_real_value(v))
				break;
		}
	} else if (json_is_boolean(v)) {
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	} else {
		return -1;
	}
	*out = buf;
	return 0;
}

static int get_section(const struct cx *x, const json_t *parent, const char *key, const char *sect,
		       const char *const *known, const json_t **out)
{
	const json_t *v = parent ? json_object_get(parent, key) : NULL;
	char got[80];

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		FAIL(x, parent, key, "%s must be a mapping (got %s)", sect,
		     describe(v, got, sizeof(got)));
	*out = v;
	return check_keys(x, v, sect, known);
}

static int get_str(const struct cx *x, const json_t *parent, const char *sect, const char *key,
		   char **out)
{
	const json_t *v = parent ? json_object_get(parent, key) : NULL;
	char path[128], got[80], num[64];
	const char *s;

	if (!v || json_is_null(v))
		return 0;
	path_of(path, sizeof(path), sect, key);
	if (json_is_boolean(v) || scalar_text(v, num, sizeof(num), &s) < 0)
		FAIL(x, parent, key, "%s must be a string (got %s)", path,
		     describe(v, got, sizeof(got)));
	if (!*s)
		FAIL(x, parent, key, "%s must be a non-empty string (got '')", path);
	free(*out);
	*out = strdup(s);
	return *out ? 0 : oom(x);
}

static int get_int(const struct cx *x, const json_t *parent, const char *sect, const char *key,
		   long long min, long long max, long long *out)
{
	const json_t *v = parent ? json_object_get(parent, key) : NULL;
	char path[128], got[80];

	if (!v || json_is_null(v))
		return 0;
	path_of(path, sizeof(path), sect, key);
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		if (max == LLONG_MAX)
			FAIL(x, parent, key, "%s must be an integer >= %lld (got %s)", path, min,
			     describe(v, got, sizeof(got)));
		FAIL(x, parent, key, "%s must be an integer from %lld to %lld (got %s)", path, min,
		     max, describe(v, got, sizeof(got)));
	}
	*out = json_integer_value(v);
	return 0;
}

static int get_bool(const struct cx *x, const json_t *parent, const char *sect, const char *key,
		    int *out)
{
	const json_t *v = parent ? json_object_get(parent, key) : NULL;
	char path[128], got[80];

	if (!v || json_is_null(v))
		return 0;
	path_of(path, sizeof(path), sect, key);
	if (!json_is_boolean(v))
		FAIL(x, parent, key, "%s must be true or false (got %s)", path,
		     describe(v, got, sizeof(got)));
	*out = json_is_true(v);
	return 0;
}

static int get_enum(const struct cx *x, const json_t *parent, const char *sect, const char *key,
		    const char *const *names, int *out)
{
	const json_t *v = parent ? json_object_get(parent, key) : NULL;
	char path[128], got[80], list[128];

	if (!v || json_is_null(v))
		return 0;
	for (int i = 0; names[i] && json_is_string(v); i++)
		if (strcmp(json_string_value(v), names[i]) == 0) {
			*out = i;
			return 0;
		}
	path_of(path, sizeof(path), sect, key);
	join(names, list, sizeof(list));
	FAIL(x, parent, key, "%s must be one of %s (got %s)", path, list,
	     describe(v, got, sizeof(got)));
}

/* A NULL-terminated list of non-empty strings; absent → empty list. */
static int get_list(const struct cx *x, const json_t *parent, const char *sect, const char *key,
		    char ***out)
{
	const json_t *v = parent ? json_object_get(parent, key) : NULL;
	char path[128], got[80], num[64];
	size_t n = json_is_array(v) ? json_array_size(v) : 0;
	char **l;

	path_of(path, sizeof(path), sect, key);
	if (v && !json_is_null(v) && !json_is_array(v))
		FAIL(x, parent, key, "%s must be a list of strings (got %s)", path,
		     describe(v, got, sizeof(got)));
	if (!(l = calloc(n + 1, sizeof(*l))))
		return oom(x);
	for (size_t i = 0; i < n; i++) {
		const json_t *it = json_array_get(v, i);
		const struct yaml_mark *m = yaml_mark_item(x->marks, v, i);
		const char *s;
		if (json_is_boolean(it) || scalar_text(it, num, sizeof(num), &s) < 0 || !*s) {
			int rc = fail_at(x, m ? m->line : 1, m ? m->col : 1, -EINVAL,
					 "%s[%zu] must be a non-empty string (got %s)", path, i,
					 json_is_string(it) ? "''" : describe(it, got, sizeof(got)));
			for (size_t k = 0; k < i; k++)
				free(l[k]);
			free(l);
			return rc;
		}
		if (!(l[i] = strdup(s))) {
			for (size_t k = 0; k < i; k++)
				free(l[k]);
			free(l);
			return oom(x);
		}
	}
	for (size_t k = 0; *out && (*out)[k]; k++)
		free((*out)[k]);
	free(*out);
	*out = l;
	return 0;
}

/* librdkafka properties: a mapping of string/number/boolean → object of
 * strings; absent → empty object. */
static int get_props(const struct cx *x, const json_t *parent, const char *sect, const char *key,
		     json_t **out)
{
	const json_t *v = parent ? json_object_get(parent, key) : NULL;
	char path[128], got[80], num[64];
	const char *k;
	json_t *pv;

	path_of(path, sizeof(path), sect, key);
	if (v && !json_is_null(v) && !json_is_object(v))
		FAIL(x, parent, key, "%s must be a mapping of librdkafka properties (got %s)", path,
		     describe(v, got, sizeof(got)));
	if (!(*out = json_object()))
		return oom(x);
	json_object_foreach((json_t *)v, k, pv) {
		const char *s;
		if (scalar_text(pv, num, sizeof(num), &s) < 0)
			FAIL(x, v, k, "property '%s' in %s must be a string, number or boolean (got %s)",
			     k, path, describe(pv, got, sizeof(got)));
		if (json_object_set_new(*out, k, json_string(s)) < 0)
			return oom(x);
	}
	return 0;
}

/* ---- sections ---- */

static int parse_input(const struct cx *x, const json_t *root, struct newsd_conf *c)
{
	const json_t *in, *kafka;
	long long n = (long long)c->max_message_bytes;
	int fmt = (int)c->input_format, rc;

	if ((rc = get_section(x, root, "input", "input", INPUT_KEYS, &in)) < 0 ||
	    (rc = get_enum(x, in, "input", "format", FORMATS, &fmt)) < 0 ||
	    (rc = get_int(x, in, "input", "max_message_bytes", 1, MAX_MESSAGE_BYTES, &n)) < 0 ||
	    (rc = get_section(x, in, "kafka", "input.kafka", INPUT_KAFKA_KEYS, &kafka)) < 0 ||
	    (rc = get_str(x, kafka, "input.kafka", "brokers", &c->brokers)) < 0 ||
	    (rc = get_list(x, kafka, "input.kafka", "topics", &c->topics)) < 0 ||
	    (rc = get_str(x, kafka, "input.kafka", "group_id", &c->group_id)) < 0 ||
	    (rc = get_props(x, kafka, "input.kafka", "properties", &c->consumer_props)) < 0)
		return rc;
	c->input_format = (enum record_format)fmt;
	c->max_message_bytes = (size_t)n;
	return 0;
}

static int parse_output(const struct cx *x, const json_t *root, struct newsd_conf *c)
{
	const json_t *out, *kafka;
	int rc;

	if ((rc = get_section(x, root, "output", "output", OUTPUT_KEYS, &out)) < 0 ||
	    (rc = get_str(x, out, "output", "topic", &c->out_topic)) < 0 ||
	    (rc = get_str(x, out, "output", "dead_letter_topic", &c->dlq_topic)) < 0 ||
	    (rc = get_str(x, out, "output", "duplicates_topic", &c->dup_topic)) < 0 ||
	    (rc = get_bool(x, out, "output", "include_html", &c->include_html)) < 0 ||
	    (rc = get_section(x, out, "kafka", "output.kafka", OUTPUT_KAFKA_KEYS, &kafka)) < 0 ||
	    (rc = get_str(x, kafka, "output.kafka", "brokers", &c->out_brokers)) < 0 ||
	    (rc = get_props(x, kafka, "output.kafka", "properties", &c->producer_props)) < 0)
		return rc;
	return 0;
}

static int parse_state_limits(const struct cx *x, const json_t *root, struct newsd_conf *c)
{
	const json_t *st, *lim;
	long long mif = (long long)c->max_in_flight, bs = (long long)c->batch_size, rm = c->retry_max;
	int rc;

	if ((rc = get_section(x, root, "state", "state", STATE_KEYS, &st)) < 0 ||
	    (rc = get_str(x, st, "state", "topic_prefix", &c->state_topic_prefix)) < 0 ||
	    (rc = get_str(x, st, "state", "dir", &c->state_dir)) < 0 ||
	    (rc = get_section(x, root, "limits", "limits", LIMITS_KEYS, &lim)) < 0 ||
	    (rc = get_int(x, lim, "limits", "max_in_flight", 1, 100000000, &mif)) < 0 ||
	    (rc = get_int(x, lim, "limits", "batch_size", 1, 1000000, &bs)) < 0 ||
	    (rc = get_int(x, lim, "limits", "retry_max", 0, 1000000, &rm)) < 0)
		return rc;
	if (bs > mif)
		FAIL(x, lim, "batch_size",
		     "limits.batch_size must not exceed limits.max_in_flight (%lld > %lld)", bs, mif);
	c->max_in_flight = (size_t)mif;
	c->batch_size = (size_t)bs;
	c->retry_max = (int)rm;
	return 0;
}

static int valid_plugin_name(const char *s)
{
	if (!*s || *s == '.' || *s == '-')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

static int parse_entry(const struct cx *x, const json_t *pipe, size_t i, struct newsd_conf *c)
{
	const json_t *e = json_array_get(pipe, i), *cfg;
	const struct yaml_mark *m = yaml_mark_item(x->marks, pipe, i);
	struct pipeline_entry *pe = &c->pipeline[i];
	char sect[48], got[80];
	int rc;

	pe->line = m ? m->line : 1;
	pe->col = m ? m->col : 1;
	snprintf(sect, sizeof(sect), "pipeline[%zu]", i);
	if (!json_is_object(e))
		return fail_at(x, pe->line, pe->col, -EINVAL,
			       "%s must be a mapping like {plugin: NAME, path: FILE, config: {...}} "
			       "(got %s)",
			       sect, describe(e, got, sizeof(got)));
	if ((rc = check_keys(x, e, sect, ENTRY_KEYS)) < 0)
		return rc;
	const json_t *name = json_object_get(e, "plugin");
	if (!name || json_is_null(name))
		return fail_at(x, pe->line, pe->col, -EINVAL,
			       "%s has no 'plugin' key: expected the plugin's name (plugin: NAME)",
			       sect);
	if (!json_is_string(name) || !valid_plugin_name(json_string_value(name)))
		FAIL(x, e, "plugin",
		     "%s.plugin must be a plugin name (letters, digits, '_', '-', '.') (got %s)", sect,
		     describe(name, got, sizeof(got)));
	for (size_t k = 0; k < i; k++)
		if (strcmp(c->pipeline[k].plugin, json_string_value(name)) == 0)
			FAIL(x, e, "plugin",
			     "%s: plugin '%s' is already in the pipeline at line %d; each plugin may "
			     "appear once",
			     sect, c->pipeline[k].plugin, c->pipeline[k].line);
	if (!(pe->plugin = strdup(json_string_value(name))))
		return oom(x);
	if ((rc = get_str(x, e, sect, "path", &pe->path)) < 0)
		return rc;
	cfg = json_object_get(e, "config");
	if (cfg && !json_is_null(cfg) && !json_is_object(cfg))
		FAIL(x, e, "config", "%s.config must be a mapping of the plugin's options (got %s)",
		     sect, describe(cfg, got, sizeof(got)));
	if (json_is_object(cfg)) {
		pe->config = json_incref((json_t *)cfg);
	} else {
		/* an empty block, placed at the entry so "missing required option"
		 * points at it */
		if (!(pe->config = json_object()) ||
		    yaml_marks_add(x->marks, pe->config, pe->line, pe->col) < 0)
			return oom(x);
	}
	return 0;
}

static int parse_pipeline(const struct cx *x, const json_t *root, struct newsd_conf *c)
{
	const json_t *pipe = json_object_get(root, "pipeline");
	char got[80];
	int rc;

	if (!pipe || json_is_null(pipe))
		FAIL(x, root, "pipeline",
		     "pipeline is required: a non-empty list of {plugin: NAME, path?: FILE, "
		     "config?: {...}}");
	if (!json_is_array(pipe))
		FAIL(x, root, "pipeline",
		     "pipeline must be a list of {plugin: NAME, path?: FILE, config?: {...}} (got %s)",
		     describe(pipe, got, sizeof(got)));
	if (json_array_size(pipe) == 0)
		FAIL(x, root, "pipeline", "pipeline must not be empty: list at least one plugin");
	if (!(c->pipeline = calloc(json_array_size(pipe), sizeof(*c->pipeline))))
		return oom(x);
	for (size_t i = 0; i < json_array_size(pipe); i++) {
		c->n_pipeline = i + 1; /* so conf_free frees what entry i made */
		if ((rc = parse_entry(x, pipe, i, c)) < 0)
			return rc;
	}
	return 0;
}

static int resolve_defaults(const struct cx *x, struct newsd_conf *c)
{
	if (c->workers == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		c->workers = n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (int)n;
	}
	if (!c->group_id && !(c->group_id = strdup("newsd")))
		return oom(x);
	if (!c->state_topic_prefix && !(c->state_topic_prefix = strdup("newsd.state.")))
		return oom(x);
	if (!c->out_brokers && c->brokers && !(c->out_brokers = strdup(c->brokers)))
		return oom(x);
	if (!c->plugin_dirs && !(c->plugin_dirs = calloc(1, sizeof(char *))))
		return oom(x);
	if (!c->data_dirs && !(c->data_dirs = calloc(1, sizeof(char *))))
		return oom(x);
	if (!c->topics && !(c->topics = calloc(1, sizeof(char *))))
		return oom(x);
	return 0;
}

static int parse(const struct cx *x, struct newsd_conf *c)
{
	const json_t *root = c->tree;
	char got[80];
	long long workers = 0;
	int level = NEWSD_LOG_INFO, rc;

	if (json_is_null(root))
		return fail_at(x, 1, 1, -EINVAL,
			       "the configuration is empty: expected a mapping with at least "
			       "'pipeline'");
	if (!json_is_object(root))
		FAIL(x, root, NULL,
		     "the configuration must be a mapping of sections (log_level, workers, input, "
		     "output, state, limits, pipeline, ...) (got %s)",
		     describe(root, got, sizeof(got)));
	c->input_format = RECORD_FORMAT_AUTO;
	c->max_message_bytes = 10485760;
	c->max_in_flight = 10000;
	c->batch_size = 512;
	c->retry_max = 5;
	if ((rc = check_keys(x, root, "", TOP_KEYS)) < 0 ||
	    (rc = get_enum(x, root, "", "log_level", LEVELS, &level)) < 0 ||
	    (rc = get_int(x, root, "", "workers", 0, MAX_WORKERS, &workers)) < 0 ||
	    (rc = get_list(x, root, "", "plugin_dirs", &c->plugin_dirs)) < 0 ||
	    (rc = get_list(x, root, "", "data_dirs", &c->data_dirs)) < 0 ||
	    (rc = parse_input(x, root, c)) < 0 || (rc = parse_output(x, root, c)) < 0 ||
	    (rc = parse_state_limits(x, root, c)) < 0 || (rc = parse_pipeline(x, root, c)) < 0)
		return rc;
	c->log_level = (enum newsd_log_level)level;
	c->workers = (int)workers;
	return resolve_defaults(x, c);
}

/* ---- API ---- */

int conf_load_buffer(const char *name, const char *buf, size_t len, struct newsd_conf **out,
		     char *err, size_t errlen)
{
	struct newsd_conf *c = calloc(1, sizeof(*c));
	int rc = 0;

	*out = NULL;
	if (!c || !(c->file = strdup(name))) {
		snprintf(err, errlen, "%s: out of memory", name);
		rc = -ENOMEM;
		goto out;
	}
	c->tree = yaml_load_buffer_ex(name, buf, len, YAML_LOAD_ENV, &c->marks, err, errlen);
	if (!c->tree) {
		rc = -EINVAL;
		goto out;
	}
	struct cx x = {c->file, &c->marks, err, errlen};
	rc = parse(&x, c);
out:
	if (rc < 0)
		conf_free(c);
	else
		*out = c;
	return rc;
}

int conf_load(const char *path, struct newsd_conf **out, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len;
	int rc;

	*out = NULL;
	rc = yaml_read_file(path, &buf, &len, err, errlen);
	if (rc < 0)
		goto out;
	rc = conf_load_buffer(path, buf, len, out, err, errlen);
out:
	free(buf);
	return rc;
}

static int singleton(const json_t *v)
{
	return json_is_boolean(v) || json_is_null(v);
}

int conf_check_plugin(struct newsd_conf *c, size_t i, const struct newsd_option *opts, char *err,
		      size_t errlen)
{
	struct yaml_marks sub = {0};
	const char *bad = NULL, *key;
	json_t *block, *v;
	int rc;

	if (!c || i >= c->n_pipeline) {
		snprintf(err, errlen, "%s: no pipeline entry %zu", c ? c->file : "config", i);
		return -EINVAL;
	}
	block = c->pipeline[i].config;
	/* options_check() finds positions by node, and jansson's true/false/
	 * null are shared singletons; so hand it only this block's marks, with
	 * the singleton it will complain about (the first bad key) in front. */
	json_object_foreach(block, key, v) {
		const struct newsd_option *o = opts;
		while (o && o->name && strcmp(o->name, key) != 0)
			o++;
		if (!o || !o->name) {
			bad = singleton(v) ? key : NULL;
			break;
		}
		if (singleton(v) && (json_is_null(v) || (o->type != NEWSD_OPT_BOOL &&
							  o->type != NEWSD_OPT_STR))) {
			bad = key;
			break;
		}
	}
	sub.cap = 1 + json_object_size(block);
	if (!(sub.v = calloc(sub.cap, sizeof(*sub.v)))) {
		snprintf(err, errlen, "%s: out of memory", c->file);
		return -ENOMEM;
	}
	const struct yaml_mark *bm = yaml_mark_of(&c->marks, block);
	if (bm)
		sub.v[sub.n++] = *bm;
	const struct yaml_mark *first = bad ? yaml_mark_at(&c->marks, block, bad) : NULL;
	if (first)
		sub.v[sub.n++] = *first;
	for (size_t k = 0; k < c->marks.n && sub.n < sub.cap; k++)
		if (c->marks.v[k].parent == block && &c->marks.v[k] != first)
			sub.v[sub.n++] = c->marks.v[k];
	rc = options_check(block, c->pipeline[i].plugin, opts, &sub, c->file, err, errlen);
	free(sub.v); /* a shallow copy: the keys belong to c->marks */
	return rc;
}

/* Position of the deepest of root.a.b that exists. */
static void section_pos(const struct newsd_conf *c, const char *a, const char *b, int *line,
			int *col)
{
	const json_t *s = json_object_get(c->tree, a), *t = b ? json_object_get(s, b) : NULL;
	const struct yaml_mark *m = yaml_mark_of(&c->marks, json_is_object(t) ? t : NULL);

	if (!m)
		m = yaml_mark_of(&c->marks, json_is_object(s) ? s : NULL);
	if (!m)
		m = yaml_mark_of(&c->marks, c->tree);
	*line = m ? m->line : 1;
	*col = m ? m->col : 1;
}

int conf_require_kafka(const struct newsd_conf *c, char *err, size_t errlen)
{
	const char *what = NULL, *a = NULL, *b = NULL;
	int line, col;

	if (!c->brokers) {
		what = "input.kafka.brokers is required to run with Kafka: expected \"host:port,...\" "
		       "(`newsd process` runs without Kafka)";
		a = "input";
		b = "kafka";
	} else if (!c->topics[0]) {
		what = "input.kafka.topics is required to run with Kafka: expected a list of topics";
		a = "input";
		b = "kafka";
	} else if (!c->out_topic) {
		what = "output.topic is required to run with Kafka: expected the enriched records' "
		       "topic";
		a = "output";
	} else if (!c->dlq_topic) {
		what = "output.dead_letter_topic is required to run with Kafka: expected the topic "
		       "for records that fail";
		a = "output";
	}
	if (!what)
		return 0;
	section_pos(c, a, b, &line, &col);
	snprintf(err, errlen, "%s:%d:%d: %s", c->file, line, col, what);
	return -EINVAL;
}

static void free_list(char **l)
{
	for (size_t i = 0; l && l[i]; i++)
		free(l[i]);
	free(l);
}

void conf_free(struct newsd_conf *c)
{
	if (!c)
		return;
	free(c->file);
	free_list(c->plugin_dirs);
	free_list(c->data_dirs);
	free(c->brokers);
	free_list(c->topics);
	free(c->group_id);
	json_decref(c->consumer_props);
	free(c->out_topic);
	free(c->dlq_topic);
	free(c->dup_topic);
	free(c->out_brokers);
	json_decref(c->producer_props);
	free(c->state_topic_prefix);
	free(c->state_dir);
	for (size_t i = 0; i < c->n_pipeline; i++) {
		free(c->pipeline[i].plugin);
		free(c->pipeline[i].path);
		json_decref(c->pipeline[i].config);
	}
	free(c->pipeline);
	json_decref(c->tree);
	yaml_marks_free(&c->marks);
	free(c);
}
