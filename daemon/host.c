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

/* Builds the object fields[0..n) describe; NULL with *rc set on error. */
static json_t *object_of_fields(const struct newsd_field *f, size_t n, int *rc)
{
	json_t *o = json_object(), *v = NULL;

	*rc = -ENOMEM;
	if (!o)
		goto fail;
	for (size_t k = 0; k < n; k++) {
		switch (f[k].type) {
		case NEWSD_FIELD_NULL:
			v = json_null();
			break;
		case NEWSD_FIELD_BOOL:
			v = json_boolean(f[k].i != 0);
			break;
		case NEWSD_FIELD_INT:
			v = json_integer((json_int_t)f[k].i);
			break;
		case NEWSD_FIELD_REAL:
			v = json_real(f[k].d);
			break;
		case NEWSD_FIELD_STR:
			if (!f[k].s || !utf8_valid(f[k].s, f[k].len)) {
				*rc = -EINVAL;
				goto fail;
			}
			v = json_stringn_nocheck(f[k].s, f[k].len);
			break;
		default:
			*rc = -EINVAL;
			goto fail;
		}
		if (!f[k].name || !utf8_valid(f[k].name, strlen(f[k].name))) {
			json_decref(v);
			*rc = -EINVAL;
			goto fail;
		}
		/* steals v, also on failure */
		if (json_object_set_new_nocheck(o, f[k].name, v) != 0)
			goto fail;
	}
	*rc = 0;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static int h_rec_set_object(struct newsd_record *r, const char *path, const char *key, size_t klen,
			    const struct newsd_field *fields, size_t n)
{
	json_t *o = NULL, *parent;
	int rc;

	if ((n && !fields) || (key && !utf8_valid(key, klen)))
		return -EINVAL;
	if (!(o = object_of_fields(fields, n, &rc)))
		return rc;
	if (!key)
		return record_put(r->root, path, o); /* steals o */
	parent = record_lookup(r->root, path);
	if (!json_is_object(parent)) {
		json_t *p = json_object();
		/* one reference stays ours across record_put, which steals one */
		if ((rc = record_put(r->root, path, json_incref(p))) < 0) {
			json_decref(p);
			goto out;
		}
		parent = p;
		json_decref(p); /* the record holds it now */
	}
	rc = json_object_setn_new_nocheck(parent, key, klen, o) == 0 ? 0 : -ENOMEM;
	o = NULL; /* stolen, also on failure */
out:
	json_decref(o);
	return rc;
}

static int h_rec_set_str_array(struct newsd_record *r, const char *path, const char *const *s,
			       const size_t *len, size_t n)
{
	json_t *a = json_array();
	int rc = -ENOMEM;

	if (!a)
		goto out;
	if (n && (!s || !len)) {
		rc = -EINVAL;
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		if (!s[k] || !utf8_valid(s[k], len[k])) {
			rc = -EINVAL;
			goto out;
		}
		if (json_array_append_new(a, json_stringn_nocheck(s[k], len[k])) != 0)
			goto out;
	}
	rc = record_put(r->root, path, a); /* steals a */
	a = NULL;
out:
	json_decref(a);
	return rc;
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
	.rec_set_object = h_rec_set_object,
	.rec_set_str_array = h_rec_set_str_array,
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
