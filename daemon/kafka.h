/* kafka.h — newsd on Kafka: the consume → process → produce loop, the
 * Kafka-backed state logs, and the embedded development broker.
 *
 * Delivery is at-least-once: an input offset is committed only after the
 * output record (or its dead letter, or its duplicates-topic copy) of that
 * offset and of every earlier offset of the partition has been acknowledged
 * by the broker, and after every state log was flushed.  The producer is
 * idempotent with acks=all; the output key is the article id; order per
 * input partition is kept.  In-flight records are bounded: partitions are
 * paused above limits.max_in_flight and resumed below half of it.
 */
#ifndef NEWSD_KAFKA_H
#define NEWSD_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdatomic.h>
#include <stddef.h>

#include "config.h"
#include "log.h"
#include "metrics.h"
#include "pipeline.h"
#include "state.h"

/** What the runner borrows from the daemon context. */
struct kafka_run {
	struct newsd_conf *conf;
	struct pipeline *pipe;
	struct state_registry *states; /* flushed before each commit */
	struct logger *log;
	struct metrics *metrics;
	atomic_int *stop;   /* set by the signal thread: drain, commit, leave */
	int exit_at_end;    /* stop once every assigned partition is at its end
			     * and everything is delivered and committed */
};

/** Runs until *stop (or end of input with exit_at_end).  Returns 0 after a
 *  clean drain, negative with err on a fatal error (plugin ERR_FATAL, broker
 *  unreachable at start, ...). */
int kafka_run(struct kafka_run *kr, char *err, size_t errlen);

/** State logs on Kafka: log NAME is topic <state.topic_prefix>NAME; open
 *  replays it from the beginning to its current end; poll delivers what
 *  any instance appended since. */
int kafka_state_backend(struct state_backend *be, const struct newsd_conf *conf,
			struct logger *log, char *err, size_t errlen);
void kafka_state_backend_free(struct state_backend *be);

struct devbroker_opts {
	int brokers;                 /* mock brokers (default 3) */
	int partitions;              /* per topic (default 6) */
	const struct newsd_conf *conf; /* may be NULL: topics of the config are created */
	const char *const *topics;   /* extra "name[:partitions]", NULL-terminated, may be NULL */
	const char *bootstrap_file;  /* may be NULL: written atomically (tmp + rename) */
	const char *control_fifo;    /* may be NULL: FIFO of fault commands, see devbroker.c */
};

/** `newsd dev-broker`: starts librdkafka's mock cluster, creates topics,
 *  prints "BOOTSTRAP=<list>" on stdout and runs until *stop. */
int devbroker_run(const struct devbroker_opts *o, struct logger *log, atomic_int *stop,
		  char *err, size_t errlen);

/** Applies one fault command ("down 2", "errors Produce 5 NOT_LEADER_FOR_PARTITION",
 *  ...; the list is in devbroker.c) to a mock cluster.  Blank lines and
 *  '#' comments do nothing.  Returns 0, or -EINVAL with the reason in err. */
int devbroker_control(rd_kafka_mock_cluster_t *mc, const char *line, char *err, size_t errlen);

#endif
