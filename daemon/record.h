/* record.h — one article travelling through the pipeline.
 *
 * A record is a jansson object parsed once from the input message; every
 * plugin reads and writes the same object through the host vtable, and the
 * daemon serialises it once at the end.  The struct is private to the
 * daemon: plugins see only `struct newsd_record *`.
 */
#ifndef NEWSD_RECORD_H
#define NEWSD_RECORD_H

#include <jansson.h>
#include <stddef.h>

struct newsd_record {
	json_t *root; /* (owned) the article object */
};

/** Input formats (config `input.format`). */
enum record_format { RECORD_FORMAT_AUTO = 0, RECORD_FORMAT_JSON, RECORD_FORMAT_RAW };

/** Builds r from a message payload.  JSON: the payload must be a UTF-8 JSON
 *  object.  RAW: a payload that is valid UTF-8 becomes the "text" field,
 *  other bytes the "raw" field (some charset, for the cleaner to decode).
 *  AUTO: JSON when it parses as an object, RAW otherwise.  payload is
 *  (copies).
 *  Returns 0, or -EINVAL with err saying why the payload is malformed.
 *  r is always safe to pass to record_clear() afterwards. */
int record_from_payload(struct newsd_record *r, const char *payload, size_t len,
			enum record_format fmt, char *err, size_t errlen);

/** Frees what r holds; r may be reused afterwards. */
void record_clear(struct newsd_record *r);

/** Serialises r compactly.  Returns a malloc'd buffer (owned by the caller)
 *  and its length, or NULL on ENOMEM. */
char *record_dump(const struct newsd_record *r, size_t *len);

/* Path-based access used by the host vtable (see newsd/plugin.h for the
 * semantics).  Exposed for the daemon's own use and for tests. */
json_t *record_lookup(const json_t *root, const char *path);
int record_put(json_t *root, const char *path, json_t *value); /* steals value */
int record_del(json_t *root, const char *path);

/** Returns 1 when s[0..len) is valid UTF-8. */
int utf8_valid(const char *s, size_t len);

#endif
