/* state.h — backends of the shared state-log service (newsd_host.state_*).
 *
 * A state log is an append-only sequence of (key, value) entries that every
 * instance of a stateful plugin replays at start-up and follows while
 * running.  Offline it lives in memory or in a file; in Kafka mode it is a
 * compacted topic (kafka_state.c).  The daemon flushes every open log
 * before it commits input offsets, so an accepted entry is durable before
 * the input that produced it is acknowledged.
 */
#ifndef NEWSD_STATE_H
#define NEWSD_STATE_H

#include <newsd/plugin.h>
#include <pthread.h>

struct state_ops;

/** Common head of every backend's log handle. */
struct newsd_state {
	const struct state_ops *ops;
	struct state_registry *reg; /* (borrowed) where it is listed for flushing */
	newsd_state_entry_fn fn;
	void *opaque;
	char *name;                 /* (owned) */
	struct newsd_state *next;   /* in reg's list */
};

struct state_ops {
	int (*append)(struct newsd_state *s, const char *key, size_t klen, const void *val,
		      size_t vlen);
	int (*poll)(struct newsd_state *s);
	int (*flush)(struct newsd_state *s); /* make appends durable; 0 or -errno */
	void (*close)(struct newsd_state *s); /* frees s */
};

/** How logs are opened: one per daemon, chosen by the run mode. */
struct state_backend {
	/* Opens (and replays) log `name`; fills *out.  Sets up s->ops; the
	 * registry sets the rest. */
	int (*open)(struct state_backend *be, const char *name, newsd_state_entry_fn fn,
		    void *opaque, struct newsd_state **out, char *err, size_t errlen);
	void *impl;
};

/** Every open log, so the daemon can flush them all before a commit. */
struct state_registry {
	pthread_mutex_t lock;
	struct newsd_state *head;
	struct state_backend *backend; /* (borrowed) */
};

void state_registry_init(struct state_registry *reg, struct state_backend *be);
void state_registry_destroy(struct state_registry *reg);
int state_registry_open(struct state_registry *reg, const char *name, newsd_state_entry_fn fn,
			void *opaque, struct newsd_state **out, char *err, size_t errlen);
void state_registry_close(struct newsd_state *s);
/** Flushes every open log; first error wins. */
int state_registry_flush(struct state_registry *reg);

/** In-memory backend: nothing survives the process (offline default). */
void state_backend_memory(struct state_backend *be);
/** File backend: log `name` is the file DIR/NAME.log (binary, append-only;
 *  a torn tail from a crash is truncated at replay).  dir is (copies). */
int state_backend_file(struct state_backend *be, const char *dir);
void state_backend_file_free(struct state_backend *be);

#endif
