/* options.c — one option table drives validation, defaults and docs. */
#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *options_type_name(enum newsd_opt_type t)
{
	switch (t) {
	case NEWSD_OPT_STR: return "a string";
	case NEWSD_OPT_INT: return "an integer";
	case NEWSD_OPT_FLOAT: return "a number";
	case NEWSD_OPT_BOOL: return "true or false";
	case NEWSD_OPT_LIST: return "a list of strings";
	}
	return "?";
}

static int type_ok(const json_t *v, enum newsd_opt_type t, const struct yaml_marks *marks)
{
	const struct yaml_mark *m;

	switch (t) {
	case NEWSD_OPT_STR:
		if (json_is_string(v))
			return 1;
		/* a plain scalar such as 42 or true is fine as a string option */
		m = yaml_mark_of(marks, v);
		return (json_is_number(v) || json_is_boolean(v)) && m != NULL;
	case NEWSD_OPT_INT: return json_is_integer(v);
	case NEWSD_OPT_FLOAT: return json_is_number(v);
	case NEWSD_OPT_BOOL: return json_is_boolean(v);
	case NEWSD_OPT_LIST:
		if (!json_is_array(v))
			return 0;
		for (size_t i = 0; i < json_array_size(v); i++)
			if (!json_is_string(json_array_get(v, i)))
				return 0;
		return 1;
	}
	return 0;
}

/* Turns a plain scalar given for a string option into its text. */
static json_t *as_string(const json_t *v)
{
	char buf[64];

	if (json_is_integer(v))
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
	else
		snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
	return json_string(buf);
}

static void where(const struct yaml_marks *marks, const json_t *node, const json_t *fallback,
		  const char *file, char *buf, size_t len)
{
	const struct yaml_mark *m = yaml_mark_of(marks, node);

	if (!m)
		m = yaml_mark_of(marks, fallback);
	if (m)
		snprintf(buf, len, "%s:%d:%d", file, m->line, m->col);
	else
		snprintf(buf, len, "%s", file);
}

int options_check(json_t *block, const char *plugin, const struct newsd_option *opts,
		  const struct yaml_marks *marks, const char *file, char *err, size_t errlen)
{
	char at[512];
	const char *key;
	json_t *v;
	int rc = 0;

	if (!json_is_object(block)) {
		where(marks, block, NULL, file, at, sizeof(at));
		snprintf(err, errlen, "%s: plugin '%s': config must be a mapping", at, plugin);
		return -EINVAL;
	}
	json_object_foreach(block, key, v) {
		const struct newsd_option *o = opts;
		while (o && o->name && strcmp(o->name, key) != 0)
			o++;
		where(marks, v, block, file, at, sizeof(at));
		if (!o || !o->name) {
			size_t n = 0;
			char known[400] = "";
			for (const struct newsd_option *k = opts; k && k->name; k++)
				n += (size_t)snprintf(known + n, n < sizeof(known) ? sizeof(known) - n : 0,
						      "%s%s", n ? ", " : "", k->name);
			snprintf(err, errlen, "%s: plugin '%s': unknown option '%s' (known: %s)", at,
				 plugin, key, *known ? known : "none");
			return -EINVAL;
		}
		if (!type_ok(v, o->type, marks)) {
			snprintf(err, errlen, "%s: plugin '%s': option '%s' must be %s", at, plugin,
				 key, options_type_name(o->type));
			return -EINVAL;
		}
		if (o->type == NEWSD_OPT_STR && !json_is_string(v))
			json_object_set_new(block, key, as_string(v));
	}
	for (const struct newsd_option *o = opts; o && o->name; o++) {
		if (json_object_get(block, o->name))
			continue;
		if (o->required) {
			where(marks, block, NULL, file, at, sizeof(at));
			snprintf(err, errlen, "%s: plugin '%s': missing required option '%s' (%s)", at,
				 plugin, o->name, options_type_name(o->type));
			return -EINVAL;
		}
		if (!o->def)
			continue;
		char derr[256];
		json_t *d = o->type == NEWSD_OPT_STR
				    ? json_string(o->def)
				    : yaml_load_buffer("default", o->def, strlen(o->def), NULL, derr,
						       sizeof(derr));
		if (!d || !type_ok(d, o->type, NULL)) {
			snprintf(err, errlen,
				 "plugin '%s': built-in default of option '%s' is not %s (a bug in the "
				 "plugin)",
				 plugin, o->name, options_type_name(o->type));
			json_decref(d);
			rc = -EINVAL;
			break;
		}
		json_object_set_new(block, o->name, d);
	}
	return rc;
}
