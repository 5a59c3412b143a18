/* options.h — checking a plugin's YAML block against its option table. */
#ifndef NEWSD_OPTIONS_H
#define NEWSD_OPTIONS_H

#include <jansson.h>
#include <newsd/plugin.h>

#include "yamltree.h"

/** Checks block (a JSON object built from YAML) against opts: every key must
 *  be declared, every value of the declared type, every required option set.
 *  Missing options with a default get it (parsed as YAML scalar text).
 *  marks (may be NULL) give positions; file names the config file.
 *  Returns 0, or -EINVAL with err = "FILE:LINE:COL: plugin 'P': what, expected what". */
int options_check(json_t *block, const char *plugin, const struct newsd_option *opts,
		  const struct yaml_marks *marks, const char *file, char *err, size_t errlen);

const char *options_type_name(enum newsd_opt_type t);

#endif
