/* newsd/plugin.h — the whole contract between newsd and its plugins.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * newsd_plugin_describe(), returning a const descriptor.  Everything the
 * plugin may ask of the daemon (logging, its configuration, record fields,
 * counters, data files, a shared state log) arrives through the host vtable
 * passed to init().  A plugin links nothing from the daemon.
 *
 * Compatibility rules (checked by the daemon before any plugin code runs):
 *   - abi_major must equal the daemon's NEWSD_ABI_MAJOR;
 *   - abi_minor must be <= the daemon's NEWSD_ABI_MINOR;
 *   - struct_size must cover at least the ABI 1.0 descriptor.
 * Members of struct newsd_plugin and struct newsd_host are only ever
 * appended.  A plugin that wants a host member added in a later minor checks
 * host->size first (NEWSD_HOST_HAS()).
 *
 * Ownership notes use three words:
 *   (borrowed)  the callee keeps ownership; valid for the stated time only;
 *   (copies)    the callee copies what it needs; the caller keeps its buffer;
 *   (owned)     the receiver owns it from now on, whatever the outcome.
 *
 * Threading: process() is called from the daemon's worker threads.  A
 * plugin that sets NEWSD_CAP_THREAD_SAFE gets one instance (one init) shared
 * by all workers and must lock what it shares; otherwise each worker gets
 * its own instance and process() on one instance is never called
 * concurrently.
 */
#ifndef NEWSD_PLUGIN_H
#define NEWSD_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NEWSD_ABI_MAJOR 1 /* bumped only when old plugins must be rebuilt */
#define NEWSD_ABI_MINOR 1 /* bumped when members are appended */

#if defined(__GNUC__)
#define NEWSD_EXPORT __attribute__((visibility("default")))
#define NEWSD_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define NEWSD_EXPORT
#define NEWSD_PRINTF(f, a)
#endif

/** Result of init/process/flush.  0 is success, negative is an error. */
enum newsd_status {
	NEWSD_OK = 0,          /* record goes on to the next plugin */
	NEWSD_DROP = 1,        /* consumed on purpose (e.g. a duplicate under
	                        * action: drop); err holds the reason */
	NEWSD_ERR_RECORD = -1, /* this record is bad: dead-letter it with err as
	                        * the reason, carry on with the next */
	NEWSD_ERR_RETRY = -2,  /* transient failure: the daemon backs off and
	                        * offers the same record again */
	NEWSD_ERR_FATAL = -3,  /* the plugin cannot go on: the daemon stops
	                        * cleanly without committing this record */
};

enum newsd_log_level {
	NEWSD_LOG_ERROR = 0,
	NEWSD_LOG_WARN = 1,
	NEWSD_LOG_INFO = 2,
	NEWSD_LOG_DEBUG = 3,
};

/** Capability flags in struct newsd_plugin.caps. */
enum {
	NEWSD_CAP_THREAD_SAFE = 1u << 0, /* one instance serves every worker */
	NEWSD_CAP_STATEFUL = 1u << 1,    /* uses the state log service */
};

/** Types of plugin options.  The daemon checks the YAML against them. */
enum newsd_opt_type {
	NEWSD_OPT_STR = 1,
	NEWSD_OPT_INT = 2,   /* 64-bit signed integer */
	NEWSD_OPT_FLOAT = 3, /* double; an integer literal is accepted */
	NEWSD_OPT_BOOL = 4,  /* true/false (YAML 1.2 core schema) */
	NEWSD_OPT_LIST = 5,  /* sequence of strings */
};

/** One entry of a plugin's option table; the table ends with {0}.
 *  def is the default as YAML text (NULL: no default).  A required option
 *  has no default.  The daemon rejects unknown keys, wrong types and missing
 *  required keys with file:line:column, and lists the table in
 *  `newsd plugins`. */
struct newsd_option {
	const char *name;
	enum newsd_opt_type type;
	const char *def;
	int required;
	const char *help;
};

struct newsd_record; /* one article being processed; owned by the daemon */
struct newsd_config; /* a validated config block or data file; read-only */
struct newsd_state;  /* a handle on a shared, replayable state log */

/** Called once per state-log entry, in log order, on the thread that called
 *  state_open() or state_poll().  key and val are (borrowed) for the call.
 *  Entries appended by this very instance come back too: apply them
 *  idempotently. */
typedef void (*newsd_state_entry_fn)(void *opaque, const char *key, size_t klen,
				     const void *val, size_t vlen);

/** ABI 1.1: the type of a struct newsd_field.  Values only ever appended. */
enum newsd_field_type {
	NEWSD_FIELD_NULL = 0,
	NEWSD_FIELD_BOOL = 1, /* i: 0 or not */
	NEWSD_FIELD_INT = 2,  /* i */
	NEWSD_FIELD_REAL = 3, /* d */
	NEWSD_FIELD_STR = 4,  /* s[0..len), valid UTF-8 */
};

/** ABI 1.1: one member of an object written by rec_set_object(), so a
 *  plugin writes nested output without composing JSON text for the daemon
 *  to parse again.  All pointers are (copies). */
struct newsd_field {
	const char *name; /* member name, NUL-terminated */
	int32_t type;     /* enum newsd_field_type */
	int64_t i;
	double d;
	const char *s;
	size_t len;
};

/** Services the daemon lends to a plugin.  One vtable per plugin instance
 *  (the daemon knows which plugin is logging).  All string results are
 *  (borrowed) as stated per member; all string arguments are (copies).
 *
 *  Record paths are field names, dotted for nested objects:
 *  "title", "html_meta.og_title", "dedup.status".  A setter creates
 *  missing intermediate objects.  Setters return 0, or -EINVAL for a bad
 *  path or text that is not valid UTF-8, or -ENOMEM. */
struct newsd_host {
	uint32_t size; /* sizeof(struct newsd_host) of the daemon */
	uint32_t abi_minor;

	/* --- logging and metrics --------------------------------------- */
	/* Prefixes "[plugin:<name>]"; cheap when the level is filtered out. */
	void (*log)(const struct newsd_host *h, enum newsd_log_level level, const char *fmt, ...)
		NEWSD_PRINTF(3, 4);
	int (*log_enabled)(const struct newsd_host *h, enum newsd_log_level level);
	/* Adds n to counter "<plugin>.<metric>"; thread-safe, lock-free after
	 * the first use of a name. */
	void (*count)(const struct newsd_host *h, const char *metric, uint64_t n);

	/* --- configuration (this plugin's block, defaults applied) ---------- */
	/* (borrowed: valid until fini) NULL when the key is unset. */
	const char *(*cfg_str)(const struct newsd_config *c, const char *key);
	int64_t (*cfg_int)(const struct newsd_config *c, const char *key);  /* 0 if unset */
	double (*cfg_float)(const struct newsd_config *c, const char *key); /* 0 if unset */
	int (*cfg_bool)(const struct newsd_config *c, const char *key);     /* 0 if unset */
	size_t (*cfg_list_len)(const struct newsd_config *c, const char *key);
	const char *(*cfg_list_str)(const struct newsd_config *c, const char *key, size_t i);
	/* Nested mapping, for data files (NULL if absent). */
	const struct newsd_config *(*cfg_child)(const struct newsd_config *c, const char *key);
	/* Keys of a mapping, in file order: i-th key or NULL past the end. */
	const char *(*cfg_key_at)(const struct newsd_config *c, size_t i);

	/* --- data files (language packs, frequency tables) ------------------ */
	/* Finds name (e.g. "lang/vi/cleaner.yaml") on the data path: the
	 * config's data_dirs, $NEWSD_DATA_PATH, the source tree's config/ when
	 * run uninstalled, then the installed data dir.  Writes the full path
	 * to buf.  0, or -ENOENT with err filled. */
	int (*data_find)(const struct newsd_host *h, const char *name, char *buf, size_t buflen);
	/* Loads a YAML data file found as above.  *out is (borrowed: valid
	 * until fini).  0, or negative with err naming file:line:column. */
	int (*data_load)(const struct newsd_host *h, const char *name,
			 const struct newsd_config **out, char *err, size_t errlen);

	/* --- record access (valid only inside process()) --------------------- */
	/* (borrowed: until the field is next set or process() returns).
	 * NULL when absent or not a string.  *len may be NULL.  The field "raw"
	 * holds the undecoded payload of a non-JSON message: any bytes. */
	const char *(*rec_get_str)(const struct newsd_record *r, const char *path, size_t *len);
	/* 0 and *out set, or -ENOENT (absent) / -EINVAL (not a number). */
	int (*rec_get_int)(const struct newsd_record *r, const char *path, int64_t *out);
	int (*rec_get_real)(const struct newsd_record *r, const char *path, double *out);
	int (*rec_has)(const struct newsd_record *r, const char *path);
	/* Arrays of strings: length (0 if absent) and i-th element. */
	size_t (*rec_array_len)(const struct newsd_record *r, const char *path);
	const char *(*rec_array_str)(const struct newsd_record *r, const char *path, size_t i,
				     size_t *len);
	int (*rec_set_str)(struct newsd_record *r, const char *path, const char *s, size_t len);
	int (*rec_set_int)(struct newsd_record *r, const char *path, int64_t v);
	int (*rec_set_real)(struct newsd_record *r, const char *path, double v);
	int (*rec_set_bool)(struct newsd_record *r, const char *path, int v);
	int (*rec_set_null)(struct newsd_record *r, const char *path);
	/* Sets path to an empty array (clearing it), then append strings. */
	int (*rec_set_empty_array)(struct newsd_record *r, const char *path);
	int (*rec_append_str)(struct newsd_record *r, const char *path, const char *s, size_t len);
	/* Sets path to the value parsed from JSON text (for nested objects
	 * such as entity_mentions).  -EINVAL if json does not parse. */
	int (*rec_set_json)(struct newsd_record *r, const char *path, const char *json, size_t len);
	int (*rec_remove)(struct newsd_record *r, const char *path);

	/* --- shared state log (NEWSD_CAP_STATEFUL plugins) ------------------ */
	/* Opens the log called name: in Kafka mode a topic every instance
	 * shares (compacted, key = entry key); offline, a file or memory.
	 * Replays every existing entry through fn before returning.
	 * Call from init().  0, or negative with err filled. */
	int (*state_open)(const struct newsd_host *h, const char *name, newsd_state_entry_fn fn,
			  void *opaque, struct newsd_state **out, char *err, size_t errlen);
	/* Appends an entry (copies).  Thread-safe.  Durable once the
	 * daemon's next commit completes (the daemon flushes state logs before
	 * it commits input offsets).  0 or negative errno. */
	int (*state_append)(struct newsd_state *s, const char *key, size_t klen, const void *val,
			    size_t vlen);
	/* Delivers entries that arrived since the last call (from any
	 * instance) through fn.  Cheap when there are none.  Returns how many
	 * were delivered, or a negative errno. */
	int (*state_poll)(struct newsd_state *s);
	/* Called from fini(); s is invalid afterwards. */
	void (*state_close)(struct newsd_state *s);

	/* --- ABI 1.1: structured writes without JSON text ------------------- */
	/* Sets path (key NULL) or the member key[0..klen) of the object at path
	 * to a new object holding fields[0..n) in that order (n == 0: {}).  The
	 * key is taken literally, dots included, so data such as a name can be a
	 * key; the object at path is created (or replaces a non-object) when
	 * needed.  Nothing is written on error: -EINVAL (bad path, key or field:
	 * unknown type, text that is not valid UTF-8), -ENOMEM. */
	int (*rec_set_object)(struct newsd_record *r, const char *path, const char *key, size_t klen,
			      const struct newsd_field *fields, size_t n);
	/* Sets path to an array of the n strings s[i][0..len[i]).  Nothing is
	 * written on error (-EINVAL, -ENOMEM). */
	int (*rec_set_str_array)(struct newsd_record *r, const char *path, const char *const *s,
				 const size_t *len, size_t n);

	/* ABI 1.2 and later: append members here, nowhere else. */
};

/** Size of the ABI 1.0 host vtable: members past it exist only when
 *  host->size says so (NEWSD_HOST_HAS). */
#define NEWSD_HOST_SIZE_1_0 offsetof(struct newsd_host, rec_set_object)

/** True when the daemon's host vtable has member m (for members appended
 *  after ABI 1.0). */
#define NEWSD_HOST_HAS(h, m) \
	((h)->size >= offsetof(struct newsd_host, m) + sizeof((h)->m) && (h)->m != NULL)

/** The descriptor a plugin exports.  Only ever appended to. */
struct newsd_plugin {
	uint32_t abi_major;   /* NEWSD_ABI_MAJOR the plugin was built with */
	uint32_t abi_minor;   /* NEWSD_ABI_MINOR the plugin was built with */
	uint32_t struct_size; /* sizeof(struct newsd_plugin) when built */
	uint32_t caps;        /* NEWSD_CAP_* */
	const char *name;     /* must equal the pipeline's `plugin:` key */
	const char *version;
	const char *license;
	const char *description;
	const struct newsd_option *options; /* {0}-terminated; may be NULL */

	/* Builds the plugin's state in *state.  On failure returns a negative
	 * status with err filled and has freed everything it made: fini() is
	 * called only after a successful init(). */
	int (*init)(const struct newsd_host *h, const struct newsd_config *c, void **state,
		    char *err, size_t errlen);
	/* Processes one record.  Returns enum newsd_status; for DROP and the
	 * errors, err says why (it becomes the dead-letter reason). */
	int (*process)(void *state, struct newsd_record *r, char *err, size_t errlen);
	/* Optional (NULL): called before the daemon commits input offsets
	 * and at shutdown. */
	int (*flush)(void *state, char *err, size_t errlen);
	/* Frees the state. */
	void (*fini)(void *state);

	/* ABI 1.1 and later: append members here, nowhere else. */
};

/** Size of the ABI 1.0 descriptor: the daemon refuses anything shorter. */
#define NEWSD_PLUGIN_SIZE_1_0 (offsetof(struct newsd_plugin, fini) + sizeof(void (*)(void *)))

/** The one symbol a plugin exports. */
#define NEWSD_PLUGIN_SYMBOL "newsd_plugin_describe"
typedef const struct newsd_plugin *(*newsd_plugin_describe_fn)(void);

/** Defines newsd_plugin_<cname>_describe() for descriptor `desc` and,
 *  unless NEWSD_PLUGIN_STATIC is defined (tests and fuzzers that link
 *  several plugins statically into one binary), the exported entry point. */
#define NEWSD_PLUGIN_DEFINE_NAMED(cname, desc)                                      \
	const struct newsd_plugin *newsd_plugin_##cname##_describe(void);           \
	const struct newsd_plugin *newsd_plugin_##cname##_describe(void)            \
	{                                                                           \
		return &(desc);                                                     \
	}
#ifdef NEWSD_PLUGIN_STATIC
#define NEWSD_PLUGIN_DEFINE(cname, desc) NEWSD_PLUGIN_DEFINE_NAMED(cname, desc)
#else
#define NEWSD_PLUGIN_DEFINE(cname, desc)                                            \
	NEWSD_PLUGIN_DEFINE_NAMED(cname, desc)                                      \
	NEWSD_EXPORT const struct newsd_plugin *newsd_plugin_describe(void);        \
	NEWSD_EXPORT const struct newsd_plugin *newsd_plugin_describe(void)         \
	{                                                                           \
		return &(desc);                                                     \
	}
#endif

/** Fills the ABI prefix of a descriptor: use as the first initialiser. */
#define NEWSD_PLUGIN_HEADER                                                         \
	.abi_major = NEWSD_ABI_MAJOR, .abi_minor = NEWSD_ABI_MINOR,                 \
	.struct_size = sizeof(struct newsd_plugin)

#ifdef __cplusplus
}
#endif
#endif /* NEWSD_PLUGIN_H */
