/* host.c — the services a plugin reaches through struct newsd_host. */
#include "host.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "yamltree.h"

static const struct plugin_host *ph_of(const struct newsd_host *h)
{
	return (const struct plugin_host *)h;
}

/* ---- logging and metrics ---- */

static void h_log(const struct newsd_host *h, enum newsd_log_level level, const char *fmt, ...)
{
	const struct plugin_host *ph = ph_of(h);
	char who[80];
	va_list ap;

	if (!LOG_ENABLED(ph->env->log, level))
		return;
	snprintf(who, sizeof(who), "plugin:%s", ph->name);
	va_start(ap, fmt);
	log_vwrite(ph->env->log, level, who, fmt, ap);
	va_end(ap);
}

static int h_log_enabled(const struct newsd_host *h, enum newsd_log_level level)
{
	return LOG_ENABLED(ph_of(h)->env->log, level);
}

static void h_count(const struct newsd_host *h, const char *metric, uint64_t n)
{
	const struct plugin_host *ph = ph_of(h);

	metrics_add(ph->env->metrics, ph->name, metric, n);
}

/* ---- configuration trees ---- */

static const json_t *cfg_get(const struct newsd_config *c, const char *key)
{
	return c ? json_object_get((const json_t *)c, key) : NULL;
}

static const char *h_cfg_str(const struct newsd_config *c, const char *key)
{
	return json_string_value(cfg_get(c, key));
}

static int64_t h_cfg_int(const struct newsd_config *c, const char *key)
{
	const json_t *v = cfg_get(c, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : (int64_t)json_number_value(v);
}

static double h_cfg_float(const struct newsd_config *c, const char *key)
{
	return json_number_value(cfg_get(c, key));
}

static int h_cfg_bool(const struct newsd_config *c, const char *key)
{
	return json_is_true(cfg_get(c, key));
}

static size_t h_cfg_list_len(const struct newsd_config *c, const char *key)
{
	return json_array_size(cfg_get(c, key));
}

static const char *h_cfg_list_str(const struct newsd_config *c, const char *key, size_t i)
{
	return json_string_value(json_array_get(cfg_get(c, key), i));
}

static const struct newsd_config *h_cfg_child(const struct newsd_config *c, const char *key)
{
	const json_t *v = cfg_get(c, key);

	return json_is_object(v) ? config_view(v) : NULL;
}

static const char *h_cfg_key_at(const struct newsd_config *c, size_t i)
{
	/* jansson objects keep insertion order when iterated */
	const json_t *obj = (const json_t *)c;
	size_t k = 0;

	for (void *it = json_object_iter((json_t *)obj); it;
	     it = json_object_iter_next((json_t *)obj, it), k++)
		if (k == i)
			return json_object_iter_key(it);
	return NULL;
}

/* ---- data files ---- */

static int try_dir(const char *dir, const char *name, char *buf, size_t buflen)
{
	if (!dir || !*dir)
		return -ENOENT;
	if ((size_t)snprintf(buf, buflen, "%s/%s", dir, name) >= buflen)
		return -ENAMETOOLONG;
	return access(buf, R_OK) == 0 ? 0 : -ENOENT;
}

static int h_data_find(const struct newsd_host *h, const char *name, char *buf, size_t buflen)
{
	const struct host_env *env = ph_of(h)->env;
	const char *envpath = getenv("NEWSD_DATA_PATH");

	if (strstr(name, "..") || name[0] == '/')
		return -EINVAL;
	for (const char *const *d = env->data_dirs; d && *d; d++)
		if (try_dir(*d, name, buf, buflen) == 0)
			return 0;
	if (envpath) {
		char dir[4096];
		const char *p = envpath;
		while (*p) {
			size_t n = strcspn(p, ":");
			if (n > 0 && n < sizeof(dir)) {
				memcpy(dir, p, n);
				dir[n] = '\0';
				if (try_dir(dir, name, buf, buflen) == 0)
					return 0;
			}
			p += n + (p[n] == ':');
		}
	}
	if (try_dir(NEWSD_SOURCE_DATADIR, name, buf, buflen) == 0)
		return 0;
	if (try_dir(NEWSD_INSTALL_DATADIR, name, buf, buflen) == 0)
		return 0;
	return -ENOENT;
}

static int h_data_load(const struct newsd_host *h, const char *name,
		       const struct newsd_config **out, char *err, size_t errlen)
{
	struct host_env *env = ph_of(h)->env;
	char path[4096];
	json_t *tree;
	int rc = 0;

	*out = NULL;
	pthread_mutex_lock(&env->data_lock);
	tree = json_object_get(env->data_cache, name);
	if (tree) {
		*out = config_view(tree);
		goto out;
	}
	rc = h_data_find(h, name, path, sizeof(path));
	if (rc < 0) {
		snprintf(err, errlen,
			 "data file '%s' not found in data_dirs, $NEWSD_DATA_PATH, %s or %s", name,
			 *NEWSD_SOURCE_DATADIR ? NEWSD_SOURCE_DATADIR : "(no source tree)",
			 NEWSD_INSTALL_DATADIR);
		goto out;
	}
	tree = yaml_load_file(path, NULL, err, errlen);
	if (!tree) {
		rc = -EINVAL;
		goto out;
	}
	if (json_object_set_new(env->data_cache, name, tree) < 0) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	*out = config_view(tree);
out:
	pthread_mutex_unlock(&env->data_lock);
	return rc;
}

/* ---- record access ---- */

static json_t *rec_root(const struct newsd_record *r)
{
	return r->root;
}

static const char *h_rec_get_str(const struct newsd_record *r, const char *path, size_t *len)
{
	const json_t *v = record_lookup(rec_root(r), path);

	if (!json_is_string(v))
		return NULL;
	if (len)
		*len = json_string_length(v);
	return json_string_value(v);
}

static int h_rec_get_int(const struct newsd_record *r, const char *path, int64_t *out)
{
	const json_t *v = record_lookup(rec_root(r), path);

	if (!v)
		return -ENOENT;
	if (json_is_integer(v))
		*out = (int64_t)json_integer_value(v);
	else if (json_is_real(v))
		*out = (int64_t)json_real_value(v);
	else
		return -EINVAL;
	return 0;
}

static int h_rec_get_real(const struct newsd_record *r, const char *path, double *out)
{
	const json_t *v = record_lookup(rec_root(r), path);

	if (!v)
		return -ENOENT;
	if (!json_is_number(v))
		return -EINVAL;
	*out = json_number_value(v);
	return 0;
}

static int h_rec_has(const struct newsd_record *r, const char *path)
{
	return record_lookup(rec_root(r), path) != NULL;
}

static size_t h_rec_array_len(const struct newsd_record *r, const char *path)
{
	return json_array_size(record_lookup(rec_root(r), path));
}

static const char *h_rec_array_str(const struct newsd_record *r, const char *path, size_t i,
				   size_t *len)
{
	const json_t *v = json_array_get(record_lookup(rec_root(r), path), i);

	if (!json_is_string(v))
		return NULL;
	if (len)
		*len = json_string_length(v);
	return json_string_value(v);
}

static int h_rec_set_str(struct newsd_record *r, const char *path, const char *s, size_t len)
{
	if (!utf8_valid(s, len))
		return -EINVAL;
	return record_put(r->root, path, json_stringn_nocheck(s, len));
}

static int h_rec_set_int(struct newsd_record *r, const char *path, int64_t v)
{
	return record_put(r->root, path, json_integer((json_int_t)v));
}

static int h_rec_set_real(struct newsd_record *r, const char *path, double v)
{
	return record_put(r->root, path, json_real(v));
}

static int h_rec_set_bool(struct newsd_record *r, const char *path, int v)
{
	return record_put(r->root, path, json_boolean(v));
}

static int h_rec_set_null(struct newsd_record *r, const char *path)
{
	return record_put(r->root, path, json_null());
}

static int h_rec_set_empty_array(struct newsd_record *r, const char *path)
{
	return record_put(r->root, path, json_array());
}

static int h_rec_append_str(struct newsd_record *r, const char *path, const char *s, size_t len)
{
	json_t *arr = record_lookup(r->root, path);
	int rc;

	if (!utf8_valid(s, len))
		return -EINVAL;
	if (!json_is_array(arr)) {
		arr = json_array();
		json_incref(arr); /* keep a reference across record_put */
		rc = record_put(r->root, path, arr);
		if (rc < 0) {
			json_decref(arr);
			return rc;
		}
		json_decref(arr);
	}
	return json_array_append_new(arr, json_stringn_nocheck(s, len)) == 0 ? 0 : -ENOMEM;
}

static int h_rec_set_json(struct newsd_record *r, const char *path, const char *json, size_t len)
{
	json_t *v = json_loadb(json, len, JSON_DECODE_ANY, NULL);

	if (!v)
		return -EINVAL;
	return record_put(r->root, path, v);
}

static int h_rec_remove(struct newsd_record *r, const char *path)
{
	return record_del(r->root, path);
}

/* ---- state logs ---- */

static int h_state_open(const struct newsd_host *h, const char *name, newsd_state_entry_fn fn,
			void *opaque, struct newsd_state **out, char *err, size_t errlen)
{
	struct state_registry *reg = ph_of(h)->env->states;

	if (!reg) {
		snprintf(err, errlen, "the state service is not available in this mode");
		return -ENOTSUP;
	}
	return state_registry_open(reg, name, fn, opaque, out, err, errlen);
}

static int h_state_append(struct newsd_state *s, const char *key, size_t klen, const void *val,
			  size_t vlen)
{
	return s->ops->append(s, key, klen, val, vlen);
}

static int h_state_poll(struct newsd_state *s)
{
	return s->ops->poll(s);
}

static void h_state_close(struct newsd_state *s)
{
	state_registry_close(s);
}

static const struct newsd_host host_template = {
	.size = sizeof(struct newsd_host),
	.abi_minor = NEWSD_ABI_MINOR,
	.log = h_log,
	.log_enabled = h_log_enabled,
	.count = h_count,
	.cfg_str = h_cfg_str,
	.cfg_int = h_cfg_int,
	.cfg_float = h_cfg_float,
	.cfg_bool = h_cfg_bool,
	.cfg_list_len = h_cfg_list_len,
	.cfg_list_str = h_cfg_list_str,
	.cfg_child = h_cfg_child,
	.cfg_key_at = h_cfg_key_at,
	.data_find = h_data_find,
	.data_load = h_data_load,
	.rec_get_str = h_rec_get_str,
	.rec_get_int = h_rec_get_int,
	.rec_get_real = h_rec_get_real,
	.rec_has = h_rec_has,
	.rec_array_len = h_rec_array_len,
	.rec_array_str = h_rec_array_str,
	.rec_set_str = h_rec_set_str,
	.rec_set_int = h_rec_set_int,
	.rec_set_real = h_rec_set_real,
	.rec_set_bool = h_rec_set_bool,
	.rec_set_null = h_rec_set_null,
	.rec_set_empty_array = h_rec_set_empty_array,
	.rec_append_str = h_rec_append_str,
	.rec_set_json = h_rec_set_json,
	.rec_remove = h_rec_remove,
	.state_open = h_state_open,
	.state_append = h_state_append,
	.state_poll = h_state_poll,
	.state_close = h_state_close,
};

void host_env_init(struct host_env *env, struct logger *log, struct metrics *metrics,
		   struct state_registry *states, const char *const *data_dirs)
{
	env->log = log;
	env->metrics = metrics;
	env->states = states;
	env->data_dirs = data_dirs;
	pthread_mutex_init(&env->data_lock, NULL);
	env->data_cache = json_object();
}

void host_env_destroy(struct host_env *env)
{
	json_decref(env->data_cache);
	env->data_cache = NULL;
	pthread_mutex_destroy(&env->data_lock);
}

void plugin_host_init(struct plugin_host *ph, struct host_env *env, const char *name)
{
	ph->vt = host_template;
	ph->env = env;
	ph->name = name;
}
