/* test_abi_pin.c — the ABI 1.0 and 1.1 layouts, pinned.
 *
 * A plugin built today must keep loading in every newsd 1.x, so the
 * layout of struct newsd_plugin, struct newsd_host and struct newsd_option
 * and the values of the enums may never change: members are only appended
 * (at the marked places).  If this test fails, the change broke every
 * plugin already built.  The offsets are the x86_64 / LP64 ones; elsewhere
 * only the relative checks run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <newsd/plugin.h>

#define PTR sizeof(void *)

/* The prefix every descriptor starts with, whatever the ABI. */
_Static_assert(offsetof(struct newsd_plugin, abi_major) == 0, "abi_major first");
_Static_assert(offsetof(struct newsd_plugin, abi_minor) == 4, "abi_minor second");
_Static_assert(offsetof(struct newsd_plugin, struct_size) == 8, "struct_size third");
_Static_assert(offsetof(struct newsd_host, size) == 0, "host size first");
_Static_assert(offsetof(struct newsd_host, abi_minor) == 4, "host abi_minor second");
_Static_assert(NEWSD_PLUGIN_SIZE_1_0 <= sizeof(struct newsd_plugin), "1.0 size within struct");

#if defined(__x86_64__) && defined(__LP64__)
#define LP64_PINNED 1
_Static_assert(sizeof(struct newsd_plugin) == 88, "struct newsd_plugin grew or shrank");
_Static_assert(NEWSD_PLUGIN_SIZE_1_0 == 88, "NEWSD_PLUGIN_SIZE_1_0 changed");
_Static_assert(NEWSD_HOST_SIZE_1_0 == 264, "the ABI 1.0 host vtable changed");
_Static_assert(sizeof(struct newsd_host) == 280, "struct newsd_host changed (1.1: 264 + 2 members)");
_Static_assert(sizeof(struct newsd_field) == 48, "struct newsd_field changed");
_Static_assert(sizeof(struct newsd_option) == 40, "struct newsd_option changed");
#else
#define LP64_PINNED 0
#endif

static void test_enum_values(void **st)
{
	(void)st;
	assert_int_equal(NEWSD_OK, 0);
	assert_int_equal(NEWSD_DROP, 1);
	assert_int_equal(NEWSD_ERR_RECORD, -1);
	assert_int_equal(NEWSD_ERR_RETRY, -2);
	assert_int_equal(NEWSD_ERR_FATAL, -3);
	assert_int_equal(NEWSD_LOG_ERROR, 0);
	assert_int_equal(NEWSD_LOG_WARN, 1);
	assert_int_equal(NEWSD_LOG_INFO, 2);
	assert_int_equal(NEWSD_LOG_DEBUG, 3);
	assert_int_equal(NEWSD_CAP_THREAD_SAFE, 1);
	assert_int_equal(NEWSD_CAP_STATEFUL, 2);
	assert_int_equal(NEWSD_OPT_STR, 1);
	assert_int_equal(NEWSD_OPT_INT, 2);
	assert_int_equal(NEWSD_OPT_FLOAT, 3);
	assert_int_equal(NEWSD_OPT_BOOL, 4);
	assert_int_equal(NEWSD_OPT_LIST, 5);
	assert_int_equal(NEWSD_ABI_MAJOR, 1);
	assert_true(NEWSD_ABI_MINOR >= 0);
	assert_string_equal(NEWSD_PLUGIN_SYMBOL, "newsd_plugin_describe");
}

/* Member i of a struct that is all pointers after a 16-byte (plugin) or
 * 8-byte (host) head sits at head + i * pointer size. */
static void test_plugin_layout(void **st)
{
	const size_t head = 16;
	const size_t off[] = {
		offsetof(struct newsd_plugin, name),    offsetof(struct newsd_plugin, version),
		offsetof(struct newsd_plugin, license), offsetof(struct newsd_plugin, description),
		offsetof(struct newsd_plugin, options), offsetof(struct newsd_plugin, init),
		offsetof(struct newsd_plugin, process), offsetof(struct newsd_plugin, flush),
		offsetof(struct newsd_plugin, fini),
	};

	(void)st;
	assert_int_equal(offsetof(struct newsd_plugin, caps), 12);
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		assert_int_equal(off[i], head + i * PTR);
	assert_int_equal(NEWSD_PLUGIN_SIZE_1_0, head + 9 * PTR);
	if (LP64_PINNED) {
		assert_int_equal(offsetof(struct newsd_plugin, name), 16);
		assert_int_equal(offsetof(struct newsd_plugin, options), 48);
		assert_int_equal(offsetof(struct newsd_plugin, init), 56);
		assert_int_equal(offsetof(struct newsd_plugin, process), 64);
		assert_int_equal(offsetof(struct newsd_plugin, flush), 72);
		assert_int_equal(offsetof(struct newsd_plugin, fini), 80);
		assert_int_equal(NEWSD_PLUGIN_SIZE_1_0, 88);
	}
}

static void test_host_layout(void **st)
{
	const size_t head = 8;
	const size_t off[] = {
		offsetof(struct newsd_host, log),
		offsetof(struct newsd_host, log_enabled),
		offsetof(struct newsd_host, count),
		offsetof(struct newsd_host, cfg_str),
		offsetof(struct newsd_host, cfg_int),
		offsetof(struct newsd_host, cfg_float),
		offsetof(struct newsd_host, cfg_bool),
		offsetof(struct newsd_host, cfg_list_len),
		offsetof(struct newsd_host, cfg_list_str),
		offsetof(struct newsd_host, cfg_child),
		offsetof(struct newsd_host, cfg_key_at),
		offsetof(struct newsd_host, data_find),
		offsetof(struct newsd_host, data_load),
		offsetof(struct newsd_host, rec_get_str),
		offsetof(struct newsd_host, rec_get_int),
		offsetof(struct newsd_host, rec_get_real),
		offsetof(struct newsd_host, rec_has),
		offsetof(struct newsd_host, rec_array_len),
		offsetof(struct newsd_host, rec_array_str),
		offsetof(struct newsd_host, rec_set_str),
		offsetof(struct newsd_host, rec_set_int),
		offsetof(struct newsd_host, rec_set_real),
		offsetof(struct newsd_host, rec_set_bool),
		offsetof(struct newsd_host, rec_set_null),
		offsetof(struct newsd_host, rec_set_empty_array),
		offsetof(struct newsd_host, rec_append_str),
		offsetof(struct newsd_host, rec_set_json),
		offsetof(struct newsd_host, rec_remove),
		offsetof(struct newsd_host, state_open),
		offsetof(struct newsd_host, state_append),
		offsetof(struct newsd_host, state_poll),
		offsetof(struct newsd_host, state_close),
		/* ABI 1.1 */
		offsetof(struct newsd_host, rec_set_object),
		offsetof(struct newsd_host, rec_set_str_array),
	};
	const size_t n = sizeof(off) / sizeof(off[0]);

	(void)st;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(off[i], head + i * PTR);
	/* ABI 1.0 ends after state_close, 1.1 after rec_set_str_array; later
	 * members are appended */
	assert_int_equal(NEWSD_HOST_SIZE_1_0, head + (n - 2) * PTR);
	assert_true(sizeof(struct newsd_host) >= head + n * PTR);
	if (LP64_PINNED) {
		assert_int_equal(offsetof(struct newsd_host, rec_get_str), 112);
		assert_int_equal(offsetof(struct newsd_host, state_close), 256);
		assert_int_equal(offsetof(struct newsd_host, rec_set_object), 264);
		assert_int_equal(sizeof(struct newsd_host), 280);
	}
	assert_int_equal(offsetof(struct newsd_field, name), 0);
	assert_int_equal(offsetof(struct newsd_field, type), PTR);
	assert_int_equal(NEWSD_FIELD_NULL, 0);
	assert_int_equal(NEWSD_FIELD_BOOL, 1);
	assert_int_equal(NEWSD_FIELD_INT, 2);
	assert_int_equal(NEWSD_FIELD_REAL, 3);
	assert_int_equal(NEWSD_FIELD_STR, 4);
	if (LP64_PINNED) {
		assert_int_equal(offsetof(struct newsd_field, i), 16);
		assert_int_equal(offsetof(struct newsd_field, d), 24);
		assert_int_equal(offsetof(struct newsd_field, s), 32);
		assert_int_equal(offsetof(struct newsd_field, len), 40);
	}
}

static void test_option_layout(void **st)
{
	(void)st;
	assert_int_equal(offsetof(struct newsd_option, name), 0);
	assert_int_equal(offsetof(struct newsd_option, type), PTR);
	if (LP64_PINNED) {
		assert_int_equal(offsetof(struct newsd_option, def), 16);
		assert_int_equal(offsetof(struct newsd_option, required), 24);
		assert_int_equal(offsetof(struct newsd_option, help), 32);
		assert_int_equal(sizeof(enum newsd_opt_type), 4);
	}
}

/* NEWSD_HOST_HAS: a member past the host's size is absent. */
static void test_host_has(void **st)
{
	struct newsd_host h = {0};

	(void)st;
	h.size = (uint32_t)offsetof(struct newsd_host, state_close);
	h.state_poll = (int (*)(struct newsd_state *))(uintptr_t)1;
	h.state_close = (void (*)(struct newsd_state *))(uintptr_t)1;
	assert_true(NEWSD_HOST_HAS(&h, state_poll));
	assert_false(NEWSD_HOST_HAS(&h, state_close));
	h.size = sizeof(h);
	assert_true(NEWSD_HOST_HAS(&h, state_close));
	h.state_close = NULL;
	assert_false(NEWSD_HOST_HAS(&h, state_close));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enum_values),
		cmocka_unit_test(test_plugin_layout),
		cmocka_unit_test(test_host_layout),
		cmocka_unit_test(test_option_layout),
		cmocka_unit_test(test_host_has),
	};

	return cmocka_run_group_tests_name("abi pin", tests, NULL, NULL);
}
