/* host.h — the daemon side of struct newsd_host: one vtable per plugin
 * instance, all of them backed by one shared host_env. */
#ifndef NEWSD_HOST_H
#define NEWSD_HOST_H

#include <jansson.h>
#include <newsd/plugin.h>
#include <pthread.h>

#include "log.h"
#include "metrics.h"
#include "state.h"

/** What every plugin instance shares.  Part of the daemon context. */
struct host_env {
	struct logger *log;        /* (borrowed) */
	struct metrics *metrics;   /* (borrowed) */
	struct state_registry *states; /* (borrowed) NULL: no state service */
	const char *const *data_dirs;  /* (borrowed) searched first, NULL-terminated */
	pthread_mutex_t data_lock;     /* guards data_cache */
	json_t *data_cache;            /* (owned) file name → loaded tree */
};

/** A plugin instance's view of the host.  vt must stay first: the daemon
 *  recovers the instance from the vtable pointer a plugin passes back. */
struct plugin_host {
	struct newsd_host vt;
	struct host_env *env; /* (borrowed) */
	const char *name;     /* (borrowed) plugin name, for log prefixes */
};

void host_env_init(struct host_env *env, struct logger *log, struct metrics *metrics,
		   struct state_registry *states, const char *const *data_dirs);
void host_env_destroy(struct host_env *env);

/** Fills ph for the plugin called name (borrowed; must outlive ph). */
void plugin_host_init(struct plugin_host *ph, struct host_env *env, const char *name);

/** Config blocks are jansson objects; these convert between the views. */
static inline const struct newsd_config *config_view(const json_t *obj)
{
	return (const struct newsd_config *)obj;
}

/** Source-tree config dir baked in at build time (uninstalled runs) and the
 *  installed data dir; both searched after data_dirs and $NEWSD_DATA_PATH. */
#ifndef NEWSD_SOURCE_DATADIR
#define NEWSD_SOURCE_DATADIR ""
#endif
#ifndef NEWSD_INSTALL_DATADIR
#define NEWSD_INSTALL_DATADIR "/usr/local/share/newsd"
#endif

#endif
