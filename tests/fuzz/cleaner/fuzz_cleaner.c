/* fuzz_cleaner — libFuzzer target on the cleaner's entry point.
 *
 * The first input byte picks the field (raw bytes, text, or html) and the
 * rest is the payload; the message goes through the plugin's process() with
 * the real host vtable.  Built only with -Dfuzzers=true and clang
 * (-fsanitize=fuzzer,address).  Run: fuzz_cleaner -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleaner.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct harness *h; /* built once: the fuzzer calls us millions of times */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct newsd_record r = {0};

	if (!h) {
		h = harness_new(&cleaner_plugin, "cross_source_min: 2\n", err, sizeof(err));
		if (!h)
			abort();
	}
	if (size < 1)
		return 0;
	int mode = data[0] % 3;
	const char *p = (const char *)data + 1;
	size_t n = size - 1;
	if (mode == 0) {
		if (record_from_payload(&r, p, n, RECORD_FORMAT_RAW, err, sizeof(err)) < 0)
			return 0;
	} else {
		r.root = json_object();
		/* JSON strings must be UTF-8: invalid input goes in as raw instead */
		json_t *s = json_stringn(p, n);
		if (!s) {
			record_clear(&r);
			if (record_from_payload(&r, p, n, RECORD_FORMAT_RAW, err, sizeof(err)) < 0)
				return 0;
		} else {
			json_object_set_new(r.root, "id", json_string("f"));
			json_object_set_new(r.root, mode == 1 ? "text" : "html", s);
		}
	}
	int rc = harness_process_record(h, &r, NULL, err, sizeof(err));
	if (rc == NEWSD_OK) {
		size_t tl = 0;
		json_t *t = json_object_get(r.root, "text");
		if (!json_is_string(t) || (tl = json_string_length(t)) == 0)
			abort(); /* OK always leaves a non-empty text */
	} else if (rc != NEWSD_ERR_RECORD) {
		abort();
	}
	record_clear(&r);
	return 0;
}
