/* loader.c — finding, opening and vetting plugin shared objects.
 *
 * Every refusal names the file, the plugin's ABI and this daemon's ABI, and
 * says what to do about it.  Nothing of the plugin runs before its
 * descriptor passed every check (except its ELF constructors, which dlopen
 * runs and which a plugin should not have).
 */
#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "options.h"

#ifndef NEWSD_BUILD_PLUGINDIR
#define NEWSD_BUILD_PLUGINDIR ""
#endif
#ifndef NEWSD_INSTALL_PLUGINDIR
#define NEWSD_INSTALL_PLUGINDIR "/usr/local/lib/newsd/plugins"
#endif

#define LOADER_PATH_MAX 4096

/* Appends printf-style text to err at *used (never overflows; truncates). */
static void err_append(char *err, size_t errlen, size_t *used, const char *fmt, ...)
	NEWSD_PRINTF(4, 5);
static void err_append(char *err, size_t errlen, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || errlen == 0 || *used >= errlen)
		return;
	va_start(ap, fmt);
	n = vsnprintf(err + *used, errlen - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used = *used + (size_t)n < errlen ? *used + (size_t)n : errlen;
}

static int is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Tries DIR/NAME.so then DIR/NAME/NAME.so; records each try in err. */
static int try_dir(const char *dir, const char *name, char *buf, size_t buflen, char *err,
		   size_t errlen, size_t *used)
{
	const char *fmts[] = {"%s/%s.so", "%s/%s/%s.so"};

	if (!dir || !*dir)
		return -ENOENT;
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		int n = i == 0 ? snprintf(buf, buflen, fmts[0], dir, name)
			       : snprintf(buf, buflen, fmts[1], dir, name, name);
		if (n < 0 || (size_t)n >= buflen)
			continue;
		if (is_regular(buf))
			return 0;
		err_append(err, errlen, used, "\n  %s", buf);
	}
	return -ENOENT;
}

/* Calls fn for each directory of the search path after the explicit path:
 * dirs, $NEWSD_PLUGIN_PATH, the build tree, the install dir.  Stops when fn
 * returns non-zero and returns that value. */
typedef int (*dir_fn)(void *ctx, const char *dir);

static int for_each_dir(const char *const *dirs, dir_fn fn, void *ctx)
{
	const char *envpath = getenv("NEWSD_PLUGIN_PATH");
	char dir[LOADER_PATH_MAX];
	int rc = 0;

	for (const char *const *d = dirs; d && *d; d++)
		if (**d && (rc = fn(ctx, *d)) != 0)
			goto out;
	for (const char *p = envpath; p && *p;) {
		size_t n = strcspn(p, ":");
		if (n > 0 && n < sizeof(dir)) {
			memcpy(dir, p, n);
			dir[n] = '\0';
			if ((rc = fn(ctx, dir)) != 0)
				goto out;
		}
		p += n + (p[n] == ':');
	}
	if (*NEWSD_BUILD_PLUGINDIR && (rc = fn(ctx, NEWSD_BUILD_PLUGINDIR)) != 0)
		goto out;
	if (*NEWSD_INSTALL_PLUGINDIR)
		rc = fn(ctx, NEWSD_INSTALL_PLUGINDIR);
out:
	return rc;
}

struct find_ctx {
	const char *name;
	char *buf;
	size_t buflen;
	char *err;
	size_t errlen;
	size_t used;
};

static int find_in_dir(void *p, const char *dir)
{
	struct find_ctx *fc = p;

	return try_dir(dir, fc->name, fc->buf, fc->buflen, fc->err, fc->errlen, &fc->used) == 0;
}

int loader_find(const char *name, const char *explicit_path, const char *const *dirs, char *buf,
		size_t buflen, char *err, size_t errlen)
{
	struct find_ctx fc = {name, buf, buflen, err, errlen, 0};
	int rc = 0;

	if (!name || !*name || strchr(name, '/')) {
		snprintf(err, errlen, "plugin name '%s' is not a plain name: use `path:` for a file",
			 name ? name : "");
		rc = -EINVAL;
		goto out;
	}
	err_append(err, errlen, &fc.used, "plugin '%s' not found; tried:", name);
	if (explicit_path && *explicit_path) {
		/* a directory is searched like a plugin dir; anything else is the file */
		if (is_dir(explicit_path)) {
			if (try_dir(explicit_path, name, buf, buflen, err, errlen, &fc.used) == 0)
				goto out;
		} else if (is_regular(explicit_path)) {
			if ((size_t)snprintf(buf, buflen, "%s", explicit_path) < buflen)
				goto out;
		} else {
			err_append(err, errlen, &fc.used, "\n  %s (the entry's path)", explicit_path);
		}
	}
	if (for_each_dir(dirs, find_in_dir, &fc) == 1)
		goto out;
	err_append(err, errlen, &fc.used,
		   "\nfix: build or install the plugin, add its directory to the config's "
		   "plugin_dirs or $NEWSD_PLUGIN_PATH, or give the entry a `path:`");
	rc = -ENOENT;
out:
	if (rc == 0 && err && errlen)
		err[0] = '\0';
	return rc;
}

/* The checks of a descriptor, in order; 0 or -EPROTO/-EINVAL with err. */
static int check_desc(const char *path, const struct newsd_plugin *d, const char *expect_name,
		      char *err, size_t errlen)
{
	const char *missing = NULL;

	if (d->abi_major != NEWSD_ABI_MAJOR) {
		snprintf(err, errlen,
			 "%s: built for newsd plugin ABI %u.%u, this newsd speaks ABI %d.%d: "
			 "rebuild the plugin against newsd-plugin %d.x "
			 "(pkg-config --cflags newsd-plugin)",
			 path, d->abi_major, d->abi_minor, NEWSD_ABI_MAJOR, NEWSD_ABI_MINOR,
			 NEWSD_ABI_MAJOR);
		return -EPROTO;
	}
	if (d->abi_minor > NEWSD_ABI_MINOR) {
		snprintf(err, errlen,
			 "%s: needs ABI %u.%u, this newsd has %d.%d: upgrade newsd or rebuild the "
			 "plugin against this newsd's header",
			 path, d->abi_major, d->abi_minor, NEWSD_ABI_MAJOR, NEWSD_ABI_MINOR);
		return -EPROTO;
	}
	if (d->struct_size < NEWSD_PLUGIN_SIZE_1_0) {
		snprintf(err, errlen,
			 "%s: descriptor is %u bytes, below the %zu of ABI 1.0 (plugin says ABI "
			 "%u.%u, this newsd speaks ABI %d.%d): set .struct_size with "
			 "NEWSD_PLUGIN_HEADER and rebuild the plugin against newsd-plugin %d.x",
			 path, d->struct_size, (size_t)NEWSD_PLUGIN_SIZE_1_0, d->abi_major,
			 d->abi_minor, NEWSD_ABI_MAJOR, NEWSD_ABI_MINOR, NEWSD_ABI_MAJOR);
		return -EPROTO;
	}
	if (!d->name || !*d->name)
		missing = "name";
	else if (!d->version || !*d->version)
		missing = "version";
	else if (!d->license || !*d->license)
		missing = "license";
	else if (!d->process)
		missing = "process";
	if (missing) {
		snprintf(err, errlen,
			 "%s: descriptor has no %s (plugin ABI %u.%u, this newsd speaks ABI %d.%d): "
			 "every plugin must set name, version, license and process; fix the "
			 "plugin's struct newsd_plugin and rebuild it",
			 path, missing, d->abi_major, d->abi_minor, NEWSD_ABI_MAJOR,
			 NEWSD_ABI_MINOR);
		return -EINVAL;
	}
	if (expect_name && strcmp(d->name, expect_name) != 0) {
		snprintf(err, errlen,
			 "%s: describes itself as '%s' but the pipeline entry says '%s' "
			 "(plugin %s %s, ABI %u.%u; this newsd speaks ABI %d.%d): fix the `plugin:` "
			 "key or the path",
			 path, d->name, expect_name, d->name, d->version, d->abi_major, d->abi_minor,
			 NEWSD_ABI_MAJOR, NEWSD_ABI_MINOR);
		return -EINVAL;
	}
	return 0;
}

int loader_open(const char *path, const char *expect_name, struct loaded_plugin *out, char *err,
		size_t errlen)
{
	char dlpath[LOADER_PATH_MAX];
	newsd_plugin_describe_fn describe;
	const struct newsd_plugin *d;
	void *dl = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	/* without a slash dlopen would search the library path, not the cwd */
	if ((size_t)snprintf(dlpath, sizeof(dlpath), "%s%s", strchr(path, '/') ? "" : "./",
			     path) >= sizeof(dlpath)) {
		snprintf(err, errlen, "%s: path too long", path);
		rc = -ENAMETOOLONG;
		goto out;
	}
	dl = dlopen(dlpath, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		const char *why = dlerror();
		snprintf(err, errlen,
			 "%s: cannot be loaded: %s (this newsd speaks plugin ABI %d.%d): check the "
			 "file is a newsd plugin built for this machine and that the libraries it "
			 "needs are installed",
			 path, why ? why : "unknown error", NEWSD_ABI_MAJOR, NEWSD_ABI_MINOR);
		rc = -ENOEXEC;
		goto out;
	}
	dlerror();
	*(void **)&describe = dlsym(dl, NEWSD_PLUGIN_SYMBOL);
	if (!describe) {
		snprintf(err, errlen,
			 "%s: not a newsd plugin: it does not export %s() (plugin ABI unknown, this "
			 "newsd speaks ABI %d.%d): define the descriptor with NEWSD_PLUGIN_DEFINE "
			 "from <newsd/plugin.h> and rebuild without NEWSD_PLUGIN_STATIC",
			 path, NEWSD_PLUGIN_SYMBOL, NEWSD_ABI_MAJOR, NEWSD_ABI_MINOR);
		rc = -ENOEXEC;
		goto out;
	}
	d = describe();
	if (!d) {
		snprintf(err, errlen,
			 "%s: %s() returned NULL (plugin ABI unknown, this newsd speaks ABI %d.%d): "
			 "return the address of a static const struct newsd_plugin",
			 path, NEWSD_PLUGIN_SYMBOL, NEWSD_ABI_MAJOR, NEWSD_ABI_MINOR);
		rc = -ENOEXEC;
		goto out;
	}
	rc = check_desc(path, d, expect_name, err, errlen);
	if (rc < 0)
		goto out;
	out->path = strdup(path);
	if (!out->path) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	/* members appended after this newsd was built stay in the plugin; members
	 * this newsd knows but the plugin predates stay zero */
	memcpy(&out->desc, d,
	       d->struct_size < sizeof(out->desc) ? d->struct_size : sizeof(out->desc));
	out->dl = dl;
	dl = NULL;
out:
	if (dl)
		dlclose(dl);
	return rc;
}

int loader_load(const char *name, const char *explicit_path, const char *const *dirs,
		struct loaded_plugin *out, char *err, size_t errlen)
{
	char path[LOADER_PATH_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = loader_find(name, explicit_path, dirs, path, sizeof(path), err, errlen);
	if (rc < 0)
		return rc;
	return loader_open(path, name, out, err, errlen);
}

void loader_release(struct loaded_plugin *lp, int unload)
{
	if (!lp)
		return;
	if (unload && lp->dl)
		dlclose(lp->dl);
	free(lp->path);
	memset(lp, 0, sizeof(*lp));
}

/* ---- listing ---- */

struct list_ctx {
	FILE *out;
	char **names; /* (owned) plugin names listed so far, first one wins */
	char **files; /* (owned) their real paths */
	size_t n, cap;
	int found;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 when name (or the very same file) was listed already, 0 after adding
 * it, -ENOMEM. */
static int seen_add(struct list_ctx *lc, const char *name, const char *real, int *same_file)
{
	*same_file = 0;
	for (size_t i = 0; i < lc->n; i++) {
		if (strcmp(lc->files[i], real) == 0) {
			*same_file = 1;
			return 1;
		}
		if (strcmp(lc->names[i], name) == 0)
			return 1;
	}
	if (lc->n == lc->cap) {
		size_t cap = lc->cap ? lc->cap * 2 : 16;
		char **nv = realloc(lc->names, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		lc->names = nv;
		char **fv = realloc(lc->files, cap * sizeof(*fv));
		if (!fv)
			return -ENOMEM;
		lc->files = fv;
		lc->cap = cap;
	}
	lc->names[lc->n] = strdup(name);
	lc->files[lc->n] = strdup(real);
	if (!lc->names[lc->n] || !lc->files[lc->n]) {
		free(lc->names[lc->n]);
		free(lc->files[lc->n]);
		return -ENOMEM;
	}
	lc->n++;
	return 0;
}

static void print_options(FILE *o, const struct newsd_option *opts)
{
	if (!opts || !opts->name) {
		fprintf(o, "  options: none\n");
		return;
	}
	fprintf(o, "  options:\n");
	for (const struct newsd_option *op = opts; op->name; op++) {
		fprintf(o, "    %s: %s, ", op->name, options_type_name(op->type));
		if (op->required)
			fprintf(o, "required");
		else if (op->def)
			fprintf(o, "default %s", op->def);
		else
			fprintf(o, "optional, no default");
		fprintf(o, "\n");
		if (op->help)
			fprintf(o, "      %s\n", op->help);
	}
}

static void list_one(struct list_ctx *lc, const char *name, const char *path)
{
	struct loaded_plugin lp;
	char err[1024], real[PATH_MAX];
	int same_file, r;
	FILE *o = lc->out;

	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	r = seen_add(lc, name, real, &same_file);
	if (r < 0) {
		fprintf(o, "%s\n  file: %s\n  skipped: out of memory\n\n", name, path);
		return;
	}
	if (r == 1) {
		if (!same_file)
			fprintf(o, "%s\n  file: %s\n  shadowed by the '%s' listed above (earlier on "
				   "the search path)\n\n",
				name, path, name);
		return;
	}
	lc->found++;
	if (loader_open(path, name, &lp, err, sizeof(err)) < 0) {
		fprintf(o, "%s\n  file: %s\n  refused: %s\n\n", name, path, err);
		return;
	}
	fprintf(o, "%s %s\n  file: %s\n  license: %s\n  abi: %u.%u%s\n", lp.desc.name,
		lp.desc.version, lp.path, lp.desc.license, lp.desc.abi_major, lp.desc.abi_minor,
		(lp.desc.caps & NEWSD_CAP_THREAD_SAFE) ? ", thread-safe" : "");
	if (lp.desc.description)
		fprintf(o, "  description: %s\n", lp.desc.description);
	print_options(o, lp.desc.options);
	fputc('\n', o);
	/* stays resident: listing ran no plugin code but describe() */
	loader_release(&lp, 0);
}

static int list_dir(void *p, const char *dir)
{
	struct list_ctx *lc = p;
	char **ents = NULL, path[LOADER_PATH_MAX];
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			char **v = realloc(ents, nc * sizeof(*v));
			if (!v)
				break;
			ents = v;
			cap = nc;
		}
		if (!(ents[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (n > 1) /* qsort wants a non-NULL base even for 0 items */
		qsort(ents, n, sizeof(*ents), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *e = ents[i];
		size_t len = strlen(e);
		if (len > 3 && strcmp(e + len - 3, ".so") == 0) {
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e) < sizeof(path) &&
			    is_regular(path)) {
				e[len - 3] = '\0';
				list_one(lc, e, path);
			}
		} else if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s.so", dir, e, e) <
				   sizeof(path) &&
			   is_regular(path)) {
			list_one(lc, e, path);
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

int loader_list(const char *const *dirs, FILE *out)
{
	struct list_ctx lc = {.out = out};

	for_each_dir(dirs, list_dir, &lc);
	if (lc.n == 0)
		fprintf(out, "no plugins found on the search path (plugin_dirs, $NEWSD_PLUGIN_PATH, "
			     "%s, %s)\n",
			*NEWSD_BUILD_PLUGINDIR ? NEWSD_BUILD_PLUGINDIR : "(no build tree)",
			NEWSD_INSTALL_PLUGINDIR);
	for (size_t i = 0; i < lc.n; i++) {
		free(lc.names[i]);
		free(lc.files[i]);
	}
	free(lc.names);
	free(lc.files);
	return lc.found;
}
