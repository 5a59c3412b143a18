/* test_loader.c — the loader against fixture plugins (tests/abi/fixtures):
 * every refusal names the file, both ABI versions and the fix; the search
 * order; listing; and a good plugin actually runs once loaded. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "host.h"
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "options.h"
#include "record.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name the directory of the fixture plugins"
#endif

#define XSTR_(x) #x
#define XSTR(x) XSTR_(x)
/* this newsd's ABI as the messages print it, e.g. "ABI 1.0" */
#define ABI_NOW "ABI " XSTR(NEWSD_ABI_MAJOR) "." XSTR(NEWSD_ABI_MINOR)
#define ABI_PKG "newsd-plugin " XSTR(NEWSD_ABI_MAJOR) ".x"

static void fixture(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s.so", FIXTURE_DIR, name);
}

/* Asserts err contains every string of the NULL-terminated list. */
static void assert_has(const char *err, ...)
{
	va_list ap;
	const char *want;

	assert_non_null(err);
	va_start(ap, err);
	while ((want = va_arg(ap, const char *))) {
		const char *hit = strstr(err, want);
		if (!hit)
			print_error("message lacks \"%s\":\n  %s\n", want, err);
		assert_non_null(hit);
	}
	va_end(ap);
}

/* Opens fixture `name` expecting a refusal; returns the message in err. */
static int refuse(const char *file, const char *expect, char *err, size_t errlen, char *path,
		  size_t pathlen)
{
	struct loaded_plugin lp;
	int rc;

	fixture(path, pathlen, file);
	rc = loader_open(path, expect, &lp, err, errlen);
	assert_true(rc < 0);
	assert_null(lp.path);
	assert_null(lp.dl);
	return rc;
}

/* ---- refusals ---- */

static void test_other_major(void **st)
{
	char err[1024], path[PATH_MAX];

	(void)st;
	char theirs[64];

	refuse("wrong_major", "wrong_major", err, sizeof(err), path, sizeof(path));
	snprintf(theirs, sizeof(theirs), "built for newsd plugin ABI %d.%d", NEWSD_ABI_MAJOR + 1,
		 NEWSD_ABI_MINOR);
	assert_has(err, path, theirs, "this newsd speaks " ABI_NOW,
		   "rebuild the plugin against " ABI_PKG,
		   "pkg-config --cflags newsd-plugin", NULL);
	/* the message starts with the file */
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
}

static void test_newer_minor(void **st)
{
	char err[1024], path[PATH_MAX], theirs[64], ours[64];

	(void)st;
	refuse("newer_minor", "newer_minor", err, sizeof(err), path, sizeof(path));
	snprintf(theirs, sizeof(theirs), "needs ABI %d.%d", NEWSD_ABI_MAJOR, NEWSD_ABI_MINOR + 3);
	snprintf(ours, sizeof(ours), "this newsd has %d.%d", NEWSD_ABI_MAJOR, NEWSD_ABI_MINOR);
	assert_has(err, path, theirs, ours,
		   "upgrade newsd or rebuild the plugin against this newsd's header", NULL);
}

static void test_short_struct(void **st)
{
	char err[1024], path[PATH_MAX], size10[64];

	(void)st;
	refuse("short_struct", "short_struct", err, sizeof(err), path, sizeof(path));
	snprintf(size10, sizeof(size10), "below the %zu of ABI 1.0", (size_t)NEWSD_PLUGIN_SIZE_1_0);
	assert_has(err, path, "descriptor is 16 bytes", size10, "plugin says " ABI_NOW,
		   "this newsd speaks " ABI_NOW, "NEWSD_PLUGIN_HEADER", "rebuild", NULL);
}

static void test_missing_symbol(void **st)
{
	char err[1024], path[PATH_MAX];

	(void)st;
	refuse("no_symbol", "no_symbol", err, sizeof(err), path, sizeof(path));
	assert_has(err, path, "does not export newsd_plugin_describe()",
		   "this newsd speaks " ABI_NOW, "NEWSD_PLUGIN_DEFINE", NULL);
}

static void test_null_descriptor(void **st)
{
	char err[1024], path[PATH_MAX];

	(void)st;
	refuse("null_desc", "null_desc", err, sizeof(err), path, sizeof(path));
	assert_has(err, path, "returned NULL", "this newsd speaks " ABI_NOW,
		   "static const struct newsd_plugin", NULL);
}

static void test_wrong_name(void **st)
{
	char err[1024], path[PATH_MAX];
	struct loaded_plugin lp;

	(void)st;
	refuse("wrong_name", "wrong_name", err, sizeof(err), path, sizeof(path));
	assert_has(err, path,
		   "describes itself as 'someone_else' but the pipeline entry says 'wrong_name'",
		   "fix the `plugin:` key or the path", "plugin someone_else 0.0.1, " ABI_NOW,
		   "this newsd speaks " ABI_NOW, NULL);
	/* without an expected name the same file is acceptable */
	assert_int_equal(loader_open(path, NULL, &lp, err, sizeof(err)), 0);
	assert_string_equal(lp.desc.name, "someone_else");
	loader_release(&lp, 1);
}

static void test_no_process(void **st)
{
	char err[1024], path[PATH_MAX];

	(void)st;
	refuse("no_process", "no_process", err, sizeof(err), path, sizeof(path));
	assert_has(err, path, "descriptor has no process", "plugin " ABI_NOW,
		   "this newsd speaks " ABI_NOW, "must set name, version, license and process",
		   NULL);
}

/* A file that is not an ELF object at all. */
static void test_not_a_shared_object(void **st)
{
	char dir[] = "/tmp/newsd-loader-XXXXXX", path[PATH_MAX], err[1024];
	struct loaded_plugin lp;
	FILE *f;

	(void)st;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bogus.so", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not an ELF file\n", f);
	fclose(f);
	assert_true(loader_open(path, "bogus", &lp, err, sizeof(err)) < 0);
	assert_has(err, path, "cannot be loaded", "this newsd speaks plugin " ABI_NOW,
		   "built for this machine", NULL);
	unlink(path);
	rmdir(dir);
}

/* ---- accepted plugins ---- */

static void test_good_loads_and_runs(void **st)
{
	char err[1024], path[PATH_MAX];
	struct loaded_plugin lp;
	struct logger lg = {NEWSD_LOG_ERROR, stderr};
	struct metrics *m = malloc(sizeof(*m));
	struct host_env env;
	struct plugin_host ph;
	struct newsd_record r = {0};
	json_t *block = json_pack("{s:i}", "limit", 3);
	const char *payload = "{\"id\":\"vn-001\",\"text\":\"Hà Nội mưa lớn.\"}";
	void *state = NULL;
	size_t glen = 0;
	const char *g;

	(void)st;
	assert_non_null(m);
	fixture(path, sizeof(path), "good");
	assert_int_equal(loader_open(path, "good", &lp, err, sizeof(err)), 0);
	assert_string_equal(lp.path, path);
	assert_non_null(lp.dl);
	assert_int_equal(lp.desc.abi_major, NEWSD_ABI_MAJOR);
	assert_int_equal(lp.desc.struct_size, sizeof(struct newsd_plugin));
	assert_string_equal(lp.desc.name, "good");
	assert_string_equal(lp.desc.version, "0.0.1");
	assert_non_null(lp.desc.process);
	assert_non_null(lp.desc.init);
	assert_non_null(lp.desc.fini);

	/* the loaded descriptor drives option checking and a real run */
	metrics_init(m);
	host_env_init(&env, &lg, m, NULL, NULL);
	plugin_host_init(&ph, &env, lp.desc.name);
	assert_int_equal(options_check(block, "good", lp.desc.options, NULL, "test.yaml", err,
				       sizeof(err)),
			 0);
	assert_int_equal(lp.desc.init(&ph.vt, config_view(block), &state, err, sizeof(err)),
			 NEWSD_OK);
	assert_int_equal(record_from_payload(&r, payload, strlen(payload), RECORD_FORMAT_JSON, err,
					     sizeof(err)),
			 0);
	assert_int_equal(lp.desc.process(state, &r, err, sizeof(err)), NEWSD_OK);
	g = ph.vt.rec_get_str(&r, "fixture.greeting", &glen);
	assert_non_null(g);
	assert_string_equal(g, "xin chào");
	assert_int_equal(glen, strlen("xin chào"));
	lp.desc.fini(state);
	record_clear(&r);
	json_decref(block);
	host_env_destroy(&env);
	metrics_destroy(m);
	free(m);
	loader_release(&lp, 1);
	assert_null(lp.path);
}

/* A descriptor longer than this newsd knows: only sizeof is copied (ASan
 * would catch an over-read of the plugin's object). */
static void test_longer_descriptor_copied_partially(void **st)
{
	char err[1024], path[PATH_MAX];
	struct loaded_plugin lp;

	(void)st;
	fixture(path, sizeof(path), "big_struct");
	assert_int_equal(loader_open(path, "big_struct", &lp, err, sizeof(err)), 0);
	assert_int_equal(lp.desc.struct_size, sizeof(struct newsd_plugin) + 64);
	assert_string_equal(lp.desc.name, "big_struct");
	assert_non_null(lp.desc.process);
	loader_release(&lp, 0);
}

static void test_init_failure_is_reported(void **st)
{
	char err[1024] = "", path[PATH_MAX];
	struct loaded_plugin lp;
	struct logger lg = {NEWSD_LOG_ERROR, stderr};
	struct metrics *m = malloc(sizeof(*m));
	struct host_env env;
	struct plugin_host ph;
	json_t *block = json_object();
	void *state = NULL;

	(void)st;
	assert_non_null(m);
	fixture(path, sizeof(path), "init_fails");
	/* the loader accepts it: init is the daemon's next step, not the loader's */
	assert_int_equal(loader_open(path, "init_fails", &lp, err, sizeof(err)), 0);
	metrics_init(m);
	host_env_init(&env, &lg, m, NULL, NULL);
	plugin_host_init(&ph, &env, lp.desc.name);
	assert_int_equal(lp.desc.init(&ph.vt, config_view(block), &state, err, sizeof(err)),
			 NEWSD_ERR_FATAL);
	assert_string_equal(err, "fixture refuses to start: no model file");
	assert_null(state);
	json_decref(block);
	host_env_destroy(&env);
	metrics_destroy(m);
	free(m);
	loader_release(&lp, 1);
}

/* ---- search order ---- */

struct tree {
	char root[64];
};

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[65536];
	size_t n;

	assert_non_null(in);
	out = fopen(to, "wb");
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void mkdirf(const char *fmt, const char *a, const char *b)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), fmt, a, b);
	assert_int_equal(mkdir(p, 0755), 0);
}

/* Places good.so as P/good.so or P/good/good.so. */
static void place(const char *root, const char *sub, int nested)
{
	char src[PATH_MAX], dst[PATH_MAX];

	fixture(src, sizeof(src), "good");
	if (nested) {
		mkdirf("%s/%s/good", root, sub);
		snprintf(dst, sizeof(dst), "%s/%s/good/good.so", root, sub);
	} else {
		snprintf(dst, sizeof(dst), "%s/%s/good.so", root, sub);
	}
	copy_file(src, dst);
}

/* root/{a: good.so, b: good/good.so, both: good.so + good/good.so,
 *       e1: good.so, e2: good/good.so, x: custom.so + good/good.so, empty} */
static int tree_setup(void **st)
{
	static struct tree t;
	char src[PATH_MAX], dst[PATH_MAX];

	snprintf(t.root, sizeof(t.root), "/tmp/newsd-loader-XXXXXX");
	if (!mkdtemp(t.root))
		return -1;
	for (const char *const *d = (const char *const[]){"a", "b", "both", "e1", "e2", "x",
							   "empty", NULL};
	     *d; d++)
		mkdirf("%s/%s", t.root, *d);
	place(t.root, "a", 0);
	place(t.root, "b", 1);
	place(t.root, "both", 0);
	place(t.root, "both", 1);
	place(t.root, "e1", 0);
	place(t.root, "e2", 1);
	place(t.root, "x", 1);
	fixture(src, sizeof(src), "good");
	snprintf(dst, sizeof(dst), "%s/x/custom.so", t.root);
	copy_file(src, dst);
	*st = &t;
	return 0;
}

static int tree_teardown(void **st)
{
	struct tree *t = *st;

	nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Runs loader_find and checks the file found, relative to the tree root. */
static void expect_found(const struct tree *t, const char *explicit_rel,
			 const char *const *dirs_rel, const char *env_rel, const char *want_rel)
{
	char explicit_path[PATH_MAX], want[PATH_MAX], buf[PATH_MAX], err[4096], envv[1024] = "";
	char dirbuf[8][PATH_MAX];
	const char *dirs[9] = {0};
	size_t n = 0;

	for (; dirs_rel && dirs_rel[n]; n++) {
		snprintf(dirbuf[n], sizeof(dirbuf[n]), "%s/%s", t->root, dirs_rel[n]);
		dirs[n] = dirbuf[n];
	}
	if (env_rel) {
		/* "e1:e2" → "ROOT/e1:ROOT/e2", keeping empty items */
		size_t used = 0;
		for (const char *p = env_rel; *p;) {
			size_t k = strcspn(p, ":");
			if (k)
				used += (size_t)snprintf(envv + used, sizeof(envv) - used, "%s/%.*s",
							 t->root, (int)k, p);
			if (p[k] == ':')
				used += (size_t)snprintf(envv + used, sizeof(envv) - used, ":");
			p += k + (p[k] == ':');
		}
		setenv("NEWSD_PLUGIN_PATH", envv, 1);
	} else {
		unsetenv("NEWSD_PLUGIN_PATH");
	}
	if (explicit_rel)
		snprintf(explicit_path, sizeof(explicit_path), "%s/%s", t->root, explicit_rel);
	snprintf(want, sizeof(want), "%s/%s", t->root, want_rel);
	assert_int_equal(loader_find("good", explicit_rel ? explicit_path : NULL, dirs, buf,
				     sizeof(buf), err, sizeof(err)),
			 0);
	assert_string_equal(buf, want);
}

static void test_search_explicit_path_first(void **st)
{
	const struct tree *t = *st;

	expect_found(t, "x/custom.so", (const char *const[]){"a", NULL}, "e1", "x/custom.so");
	/* a directory as path is searched like a plugin dir */
	expect_found(t, "x", (const char *const[]){"a", NULL}, "e1", "x/good/good.so");
	/* a path that does not exist falls through to the rest of the order */
	expect_found(t, "x/missing.so", (const char *const[]){"a", NULL}, "e1", "a/good.so");
}

static void test_search_plugin_dirs_in_order(void **st)
{
	const struct tree *t = *st;

	expect_found(t, NULL, (const char *const[]){"a", "b", NULL}, "e1", "a/good.so");
	expect_found(t, NULL, (const char *const[]){"b", "a", NULL}, "e1", "b/good/good.so");
	expect_found(t, NULL, (const char *const[]){"empty", "b", NULL}, NULL, "b/good/good.so");
	/* in one dir, NAME.so comes before NAME/NAME.so */
	expect_found(t, NULL, (const char *const[]){"both", NULL}, NULL, "both/good.so");
}

static void test_search_env_path(void **st)
{
	const struct tree *t = *st;

	/* plugin_dirs come before $NEWSD_PLUGIN_PATH */
	expect_found(t, NULL, (const char *const[]){"b", NULL}, "e1", "b/good/good.so");
	/* colon-separated, in order, empty and missing items skipped */
	expect_found(t, NULL, NULL, "e1:e2", "e1/good.so");
	expect_found(t, NULL, NULL, "e2:e1", "e2/good/good.so");
	expect_found(t, NULL, NULL, "::nowhere:empty::e2:", "e2/good/good.so");
}

static void test_search_build_tree(void **st)
{
	char buf[PATH_MAX], err[4096], want[PATH_MAX];
	struct loaded_plugin lp;

	(void)st;
	/* the example plugin is built into the build tree's plugins/ dir */
	unsetenv("NEWSD_PLUGIN_PATH");
	snprintf(want, sizeof(want), "%s/example/example.so", NEWSD_BUILD_PLUGINDIR);
	if (access(want, R_OK) != 0)
		skip();
	assert_int_equal(loader_find("example", NULL, NULL, buf, sizeof(buf), err, sizeof(err)),
			 0);
	assert_string_equal(buf, want);
	assert_int_equal(loader_load("example", NULL, NULL, &lp, err, sizeof(err)), 0);
	assert_string_equal(lp.desc.name, "example");
	loader_release(&lp, 0);
}

static void test_search_not_found_lists_every_place(void **st)
{
	const struct tree *t = *st;
	char dir_a[PATH_MAX], env[PATH_MAX], buf[PATH_MAX], err[8192], want[PATH_MAX + 64];
	const char *dirs[] = {dir_a, NULL};

	snprintf(dir_a, sizeof(dir_a), "%s/a", t->root);
	snprintf(env, sizeof(env), "%s/e1", t->root);
	setenv("NEWSD_PLUGIN_PATH", env, 1);
	assert_int_equal(loader_find("nope", "/nonexistent/nope.so", dirs, buf, sizeof(buf), err,
				     sizeof(err)),
			 -ENOENT);
	assert_has(err, "plugin 'nope' not found", "/nonexistent/nope.so (the entry's path)",
		   NULL);
	snprintf(want, sizeof(want), "%s/nope.so", dir_a);
	assert_has(err, want, NULL);
	snprintf(want, sizeof(want), "%s/nope/nope.so", dir_a);
	assert_has(err, want, NULL);
	snprintf(want, sizeof(want), "%s/nope/nope.so", env);
	assert_has(err, want, NULL);
	snprintf(want, sizeof(want), "%s/nope/nope.so", NEWSD_BUILD_PLUGINDIR);
	assert_has(err, want, NULL);
	snprintf(want, sizeof(want), "%s/nope.so", NEWSD_INSTALL_PLUGINDIR);
	assert_has(err, want, "fix:", "plugin_dirs", "$NEWSD_PLUGIN_PATH", NULL);
	/* loader_load reports the same */
	{
		struct loaded_plugin lp;
		assert_int_equal(loader_load("nope", NULL, dirs, &lp, err, sizeof(err)), -ENOENT);
		assert_null(lp.path);
	}
}

static void test_search_bad_name(void **st)
{
	char buf[PATH_MAX], err[1024];

	(void)st;
	assert_int_equal(loader_find("../etc/x", NULL, NULL, buf, sizeof(buf), err, sizeof(err)),
			 -EINVAL);
	assert_has(err, "not a plain name", NULL);
	assert_int_equal(loader_find("", NULL, NULL, buf, sizeof(buf), err, sizeof(err)), -EINVAL);
}

/* loader_load finds through $NEWSD_PLUGIN_PATH, then refuses a name the
 * descriptor contradicts. */
static void test_load_checks_name(void **st)
{
	const struct tree *t = *st;
	char env[PATH_MAX], src[PATH_MAX], dst[PATH_MAX], err[2048];
	struct loaded_plugin lp;

	snprintf(env, sizeof(env), "%s/e1", t->root);
	setenv("NEWSD_PLUGIN_PATH", env, 1);
	assert_int_equal(loader_load("good", NULL, NULL, &lp, err, sizeof(err)), 0);
	snprintf(dst, sizeof(dst), "%s/e1/good.so", t->root);
	assert_string_equal(lp.path, dst);
	assert_string_equal(lp.desc.name, "good");
	loader_release(&lp, 1);

	/* the good plugin copied as impostor.so describes itself as 'good' */
	fixture(src, sizeof(src), "good");
	snprintf(dst, sizeof(dst), "%s/e1/impostor.so", t->root);
	copy_file(src, dst);
	assert_true(loader_load("impostor", NULL, NULL, &lp, err, sizeof(err)) < 0);
	assert_has(err, dst, "describes itself as 'good' but the pipeline entry says 'impostor'",
		   "fix the `plugin:` key or the path", NULL);
	unlink(dst);
}

/* ---- listing ---- */

static char *list_to_string(const char *const *dirs, int *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*n = loader_list(dirs, f);
	fclose(f);
	return buf;
}

static void test_list(void **st)
{
	const struct tree *t = *st;
	char dir_a[PATH_MAX], want[PATH_MAX * 2];
	const char *dirs[] = {FIXTURE_DIR, dir_a, NULL};
	int n;
	char *out;

	(void)t;
	snprintf(dir_a, sizeof(dir_a), "%s/a", t->root);
	unsetenv("NEWSD_PLUGIN_PATH");
	out = list_to_string(dirs, &n);
	/* ten fixtures, plus whatever the build tree holds */
	assert_true(n >= 10);
	assert_has(out, "good 0.0.1", "license: Apache-2.0", "description: loader test fixture",
		   "greeting: a string, default xin chào",
		   "written to the record's `fixture.greeting`", "limit: an integer, required",
		   "a required integer", NULL);
	snprintf(want, sizeof(want), "file: %s/good.so", FIXTURE_DIR);
	assert_has(out, want, NULL);
	/* refusals are listed with their reasons */
	assert_has(out, "wrong_major\n", "refused: ", "built for newsd plugin ABI",
		   "needs ABI", "descriptor is 16 bytes", "does not export newsd_plugin_describe",
		   "describes itself as 'someone_else' but the pipeline entry says 'wrong_name'",
		   "descriptor has no process", NULL);
	/* the copy in dir a is shadowed by the fixture dir's good.so */
	snprintf(want, sizeof(want), "file: %s/good.so\n  shadowed by the 'good' listed above",
		 dir_a);
	assert_has(out, want, NULL);
	free(out);
}

static void test_list_nothing(void **st)
{
	const struct tree *t = *st;
	char dir[PATH_MAX];
	const char *dirs[] = {dir, NULL};
	char *out;
	int n;

	snprintf(dir, sizeof(dir), "%s/empty", t->root);
	setenv("NEWSD_PLUGIN_PATH", dir, 1);
	out = list_to_string(dirs, &n);
	/* the build tree is still searched; an empty dir adds nothing */
	assert_true(n >= 0);
	assert_null(strstr(out, "/empty/"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest refusals[] = {
		cmocka_unit_test(test_other_major),
		cmocka_unit_test(test_newer_minor),
		cmocka_unit_test(test_short_struct),
		cmocka_unit_test(test_missing_symbol),
		cmocka_unit_test(test_null_descriptor),
		cmocka_unit_test(test_wrong_name),
		cmocka_unit_test(test_no_process),
		cmocka_unit_test(test_not_a_shared_object),
		cmocka_unit_test(test_good_loads_and_runs),
		cmocka_unit_test(test_longer_descriptor_copied_partially),
		cmocka_unit_test(test_init_failure_is_reported),
	};
	const struct CMUnitTest search[] = {
		cmocka_unit_test(test_search_explicit_path_first),
		cmocka_unit_test(test_search_plugin_dirs_in_order),
		cmocka_unit_test(test_search_env_path),
		cmocka_unit_test(test_search_build_tree),
		cmocka_unit_test(test_search_not_found_lists_every_place),
		cmocka_unit_test(test_search_bad_name),
		cmocka_unit_test(test_load_checks_name),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_nothing),
	};
	int fails = cmocka_run_group_tests_name("loader refusals", refusals, NULL, NULL);

	fails += cmocka_run_group_tests_name("loader search", search, tree_setup, tree_teardown);
	return fails ? 1 : 0;
}
