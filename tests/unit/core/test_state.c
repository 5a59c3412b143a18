/* test_state.c — the state-log registry and its file backend: replay in
 * order across reopenings, torn tails, one owner at a time. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_tests.h"
#include "host.h"
#include "state.h"

/* What a replay delivered, concatenated as "key=value;" (values may hold
 * NUL: they are written as \0). */
struct seen {
	char buf[4096];
	size_t len;
	int n;
};

static void collect(void *opaque, const char *key, size_t klen, const void *val, size_t vlen)
{
	struct seen *s = opaque;
	const char *v = val;

	s->n++;
	for (size_t i = 0; i < klen && s->len + 2 < sizeof(s->buf); i++)
		s->buf[s->len++] = key[i];
	s->buf[s->len++] = '=';
	for (size_t i = 0; i < vlen && s->len + 3 < sizeof(s->buf); i++) {
		if (v[i] == '\0') {
			s->buf[s->len++] = '\\';
			s->buf[s->len++] = '0';
		} else {
			s->buf[s->len++] = v[i];
		}
	}
	s->buf[s->len++] = ';';
	s->buf[s->len] = '\0';
}

struct fx {
	char dir[64];
	char path[128];
	struct state_backend be;
	struct state_registry reg;
};

static int fx_setup(void **st)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	tmpdir_make(f->dir, sizeof(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/dedup.log", f->dir);
	if (state_backend_file(&f->be, f->dir) < 0)
		return -1;
	state_registry_init(&f->reg, &f->be);
	*st = f;
	return 0;
}

static int fx_teardown(void **st)
{
	struct fx *f = *st;

	state_registry_destroy(&f->reg);
	state_backend_file_free(&f->be);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static struct newsd_state *open_log(struct fx *f, struct seen *seen)
{
	struct newsd_state *s = NULL;
	char err[256] = "";

	memset(seen, 0, sizeof(*seen));
	if (state_registry_open(&f->reg, "dedup", collect, seen, &s, err, sizeof(err)) < 0)
		print_error("open: %s\n", err);
	assert_non_null(s);
	return s;
}

static void append(struct newsd_state *s, const char *k, const char *v, size_t vlen)
{
	assert_int_equal(s->ops->append(s, k, strlen(k), v, vlen), 0);
}

static off_t file_size(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

static void test_append_flush_reopen(void **st)
{
	struct fx *f = *st;
	struct seen seen;
	struct newsd_state *s = open_log(f, &seen);

	assert_int_equal(seen.n, 0); /* a new log replays nothing */
	append(s, "bai-1", "simhash:0a1b", 12);
	append(s, "bai-2", "x\0y", 3);
	append(s, "bai-3", "", 0);
	assert_int_equal(state_registry_flush(&f->reg), 0);
	/* 8-byte header + key + value per entry */
	assert_int_equal(file_size(f->path), (8 + 5 + 12) + (8 + 5 + 3) + (8 + 5 + 0));
	state_registry_close(s);

	s = open_log(f, &seen);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.buf, "bai-1=simhash:0a1b;bai-2=x\\0y;bai-3=;");
	/* appends after a replay go after the old entries */
	append(s, "bai-4", "moi", 3);
	append(s, "bai-1", "lan-hai", 7); /* same key again: both kept, in order */
	state_registry_close(s);          /* close flushes */

	s = open_log(f, &seen);
	assert_int_equal(seen.n, 5);
	assert_string_equal(seen.buf,
			    "bai-1=simhash:0a1b;bai-2=x\\0y;bai-3=;bai-4=moi;bai-1=lan-hai;");
	state_registry_close(s);
}

/* A crash mid-append leaves part of an entry: replay stops before it,
 * the file is cut back, and later appends follow the last whole entry. */
static void test_torn_tail_truncated(void **st)
{
	struct fx *f = *st;
	struct seen seen;
	struct newsd_state *s = open_log(f, &seen);
	const unsigned char torn_hdr[] = {5, 0, 0};                     /* 3 of 8 header bytes */
	const unsigned char torn_body[] = {5, 0, 0, 0, 9, 0, 0, 0, 'b', 'a', 'i'}; /* short body */
	off_t good;
	FILE *raw;

	append(s, "bai-1", "mot", 3);
	append(s, "bai-2", "hai", 3);
	state_registry_close(s);
	good = file_size(f->path);

	for (int round = 0; round < 2; round++) {
		raw = fopen(f->path, "ab");
		assert_non_null(raw);
		if (round == 0)
			fwrite(torn_hdr, 1, sizeof(torn_hdr), raw);
		else
			fwrite(torn_body, 1, sizeof(torn_body), raw);
		fclose(raw);
		assert_true(file_size(f->path) > good);

		s = open_log(f, &seen);
		assert_int_equal(seen.n, 2);
		assert_string_equal(seen.buf, "bai-1=mot;bai-2=hai;");
		assert_int_equal(file_size(f->path), good);
		state_registry_close(s);
	}

	s = open_log(f, &seen);
	append(s, "bai-3", "ba", 2);
	state_registry_close(s);
	s = open_log(f, &seen);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.buf, "bai-1=mot;bai-2=hai;bai-3=ba;");
	state_registry_close(s);
}

/* One process owns a log at a time: a second opener is refused (flock is
 * per open file, so a second open in the same process is refused too). */
static void test_second_opener_refused(void **st)
{
	struct fx *f = *st;
	struct seen seen, seen2;
	struct newsd_state *s = open_log(f, &seen), *s2 = (struct newsd_state *)1;
	struct state_backend be2;
	struct state_registry reg2;
	char err[512] = "";

	assert_int_equal(state_backend_file(&be2, f->dir), 0);
	state_registry_init(&reg2, &be2);
	memset(&seen2, 0, sizeof(seen2));
	assert_true(state_registry_open(&reg2, "dedup", collect, &seen2, &s2, err, sizeof(err)) <
		    0);
	assert_null(s2);
	assert_contains(err, f->path);
	assert_contains(err, "in use by another newsd process");
	/* once the owner closes, the log can be taken over */
	append(s, "bai-1", "mot", 3);
	state_registry_close(s);
	assert_int_equal(state_registry_open(&reg2, "dedup", collect, &seen2, &s2, err, sizeof(err)),
			 0);
	assert_int_equal(seen2.n, 1);
	state_registry_destroy(&reg2); /* closes what is left open */
	state_backend_file_free(&be2);
}

static void test_bad_name_and_dir(void **st)
{
	struct fx *f = *st;
	struct seen seen;
	struct newsd_state *s = NULL;
	struct state_backend be2;
	struct state_registry reg2;
	char err[512] = "";

	assert_int_equal(state_registry_open(&f->reg, "../escape", collect, &seen, &s, err,
					     sizeof(err)),
			 -EINVAL);
	assert_contains(err, "must not contain '/'");
	assert_null(s);
	assert_int_equal(state_backend_file(&be2, "/nonexistent/newsd-state"), 0);
	state_registry_init(&reg2, &be2);
	assert_true(state_registry_open(&reg2, "dedup", collect, &seen, &s, err, sizeof(err)) < 0);
	assert_contains(err, "/nonexistent/newsd-state/dedup.log");
	state_registry_destroy(&reg2);
	state_backend_file_free(&be2);
}

/* Through the vtable, as the deduper uses it. */
static void test_via_host(void **st)
{
	struct fx *f = *st;
	struct logger lg = {NEWSD_LOG_ERROR, stderr};
	struct metrics *m = malloc(sizeof(*m));
	struct host_env env;
	struct plugin_host ph;
	struct newsd_state *s = NULL;
	struct seen seen = {0};
	char err[256] = "";

	assert_non_null(m);
	metrics_init(m);
	host_env_init(&env, &lg, m, &f->reg, NULL);
	plugin_host_init(&ph, &env, "deduper");
	assert_int_equal(ph.vt.state_open(&ph.vt, "dedup", collect, &seen, &s, err, sizeof(err)),
			 0);
	assert_int_equal(ph.vt.state_append(s, "k1", 2, "v1", 2), 0);
	assert_int_equal(ph.vt.state_poll(s), 0); /* offline: nobody else appends */
	ph.vt.state_close(s);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(ph.vt.state_open(&ph.vt, "dedup", collect, &seen, &s, err, sizeof(err)),
			 0);
	assert_string_equal(seen.buf, "k1=v1;");
	ph.vt.state_close(s);
	host_env_destroy(&env);
	metrics_destroy(m);
	free(m);
}

static void test_memory_backend(void **st)
{
	struct state_backend be;
	struct state_registry reg;
	struct newsd_state *s = NULL;
	struct seen seen = {0};
	char err[128];

	(void)st;
	state_backend_memory(&be);
	state_registry_init(&reg, &be);
	assert_int_equal(state_registry_open(&reg, "dedup", collect, &seen, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s->ops->append(s, "k", 1, "v", 1), 0);
	assert_int_equal(s->ops->poll(s), 0);
	assert_int_equal(state_registry_flush(&reg), 0);
	assert_int_equal(seen.n, 0);
	state_registry_destroy(&reg);
}

int run_state_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_flush_reopen, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail_truncated, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_second_opener_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_name_and_dir, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_via_host, fx_setup, fx_teardown),
		cmocka_unit_test(test_memory_backend),
	};

	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
