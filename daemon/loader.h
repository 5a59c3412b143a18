/* loader.h — finding, opening and vetting plugin shared objects.
 *
 * Search order for plugin NAME: the pipeline entry's `path`; each of the
 * config's plugin_dirs; each dir of $NEWSD_PLUGIN_PATH (colon-separated);
 * the build tree (so an uninstalled newsd finds its plugins); the install
 * dir.  In each dir both DIR/NAME.so and DIR/NAME/NAME.so are tried.
 *
 * A plugin is refused, with a message naming the file, both versions and
 * the fix, when: dlopen fails; the symbol newsd_plugin_describe is missing;
 * abi_major differs; abi_minor is newer than the daemon's; struct_size is
 * below the ABI 1.0 size; name, version, license or process is missing; the
 * name differs from the pipeline's `plugin:` key.  Plugins stay resident
 * (no dlclose while the daemon runs).
 */
#ifndef NEWSD_LOADER_H
#define NEWSD_LOADER_H

#include <newsd/plugin.h>
#include <stddef.h>
#include <stdio.h>

struct loaded_plugin {
	char *path;                  /* (owned) the file opened */
	void *dl;                    /* dlopen handle */
	struct newsd_plugin desc;    /* host copy: min(struct_size, sizeof) bytes, rest zero */
};

/** Finds the file for `name`.  explicit_path may be NULL; dirs is
 *  NULL-terminated (may be NULL).  Writes the path to buf; 0 or -ENOENT with
 *  err listing every place tried. */
int loader_find(const char *name, const char *explicit_path, const char *const *dirs, char *buf,
		size_t buflen, char *err, size_t errlen);

/** Opens path and checks its descriptor; expect_name may be NULL (no name
 *  check).  Returns 0 and fills *out, or negative with err filled. */
int loader_open(const char *path, const char *expect_name, struct loaded_plugin *out, char *err,
		size_t errlen);

/** find + open. */
int loader_load(const char *name, const char *explicit_path, const char *const *dirs,
		struct loaded_plugin *out, char *err, size_t errlen);

/** Frees path; keeps the object resident unless unload is set (tests). */
void loader_release(struct loaded_plugin *lp, int unload);

/** Lists every plugin found on the search path (dirs, $NEWSD_PLUGIN_PATH,
 *  build tree, install dir) with version, description, options, or why it
 *  was refused.  Returns the number found. */
int loader_list(const char *const *dirs, FILE *out);

#endif
