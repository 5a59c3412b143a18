/* core_tests.h — the groups of the `core` test binary, one per daemon
 * module; each returns the number of failed tests. */
#ifndef CORE_TESTS_H
#define CORE_TESTS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

int run_record_tests(void);
int run_host_tests(void);
int run_state_tests(void);
int run_metrics_tests(void);
int run_data_tests(void);
int run_options_tests(void);

/* Asserts that haystack contains needle, printing both when it does not. */
#define assert_contains(haystack, needle)                                                  \
	do {                                                                               \
		const char *h_ = (haystack), *n_ = (needle);                                \
		if (!h_ || !strstr(h_, n_))                                                 \
			print_error("\"%s\" lacks \"%s\"\n", h_ ? h_ : "(null)", n_);      \
		assert_non_null(h_);                                                       \
		assert_non_null(strstr(h_, n_));                                           \
	} while (0)

/* Makes a fresh directory under /tmp (path in buf) and removes it. */
void tmpdir_make(char *buf, size_t len);
void tmpdir_remove(const char *dir);

#endif
