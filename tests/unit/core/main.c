/* main.c — the `core` test binary: record, host vtable, state logs,
 * metrics, data files / yamltree, options. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_tests.h"

void tmpdir_make(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/newsd-core-XXXXXX");
	assert_non_null(mkdtemp(buf));
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

void tmpdir_remove(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	int fails = 0;

	fails += run_record_tests();
	fails += run_host_tests();
	fails += run_state_tests();
	fails += run_metrics_tests();
	fails += run_data_tests();
	fails += run_options_tests();
	return fails ? 1 : 0;
}
