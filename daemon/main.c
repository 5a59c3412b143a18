/* main.c — the newsd command line and the daemon's context.
 *
 *   newsd run -c FILE [--exit-at-end]     consume, process, produce (Kafka)
 *   newsd process -c FILE [--in P] [--out P] [--dlq P] [--dropped P] [--state-dir D]
 *   newsd check -c FILE                   validate, load and init every plugin
 *   newsd plugins [-c FILE]               list the plugins on the search path
 *   newsd dev-broker [-c FILE] [--brokers N] [--partitions N]
 *                    [--bootstrap-file F] [--control FIFO] [--topic NAME[:P]]...
 *   newsd version
 *
 * All mutable state lives in struct newsd_ctx.  Signals are taken by a
 * dedicated thread (sigwait) that sets ctx.stop, so no handler touches
 * shared state.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "host.h"
#include "kafka.h"
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "offline.h"
#include "pipeline.h"
#include "state.h"

#ifndef NEWSD_VERSION
#define NEWSD_VERSION "0.0.0"
#endif

enum exit_code {
	EXIT_OK = 0,
	EXIT_USAGE = 64,  /* bad command line */
	EXIT_CONFIG = 78, /* bad config or plugin refused */
	EXIT_IO = 74,     /* input/output failure */
	EXIT_RUNTIME = 70 /* fatal plugin error, broker failure */
};

struct newsd_ctx {
	struct logger log;
	struct metrics metrics;
	struct newsd_conf *conf;
	struct state_backend backend;
	enum { BACKEND_NONE, BACKEND_MEMORY, BACKEND_FILE, BACKEND_KAFKA } backend_kind;
	struct state_registry states;
	int states_ready;
	struct host_env env;
	int env_ready;
	struct pipeline *pipe;
	atomic_int stop;
	pthread_t sig_thread;
	int sig_thread_running;
	sigset_t sigs;
};

static void usage(FILE *f)
{
	fputs("usage:\n"
	      "  newsd run -c FILE [--exit-at-end]\n"
	      "  newsd process -c FILE [--in PATH] [--out PATH] [--dlq PATH] [--dropped PATH]\n"
	      "                [--state-dir DIR]\n"
	      "  newsd check -c FILE\n"
	      "  newsd plugins [-c FILE]\n"
	      "  newsd dev-broker [-c FILE] [--brokers N] [--partitions N] [--bootstrap-file F]\n"
	      "                   [--control FIFO] [--topic NAME[:PARTITIONS]]...\n"
	      "  newsd version\n",
	      f);
}

static void *signal_thread(void *arg)
{
	struct newsd_ctx *ctx = arg;
	int sig;

	for (;;) {
		if (sigwait(&ctx->sigs, &sig) != 0)
			continue;
		if (sig == SIGUSR1) { /* internal: shutdown of this thread */
			if (atomic_load(&ctx->stop) < 0)
				break;
			continue;
		}
		if (atomic_load(&ctx->stop) > 0) {
			LOGW(&ctx->log, "second signal %d: exiting without draining", sig);
			_exit(EXIT_RUNTIME);
		}
		LOGI(&ctx->log, "signal %d: stop fetching, drain, commit", sig);
		atomic_store(&ctx->stop, 1);
	}
	return NULL;
}

/* Blocks SIGINT/SIGTERM in every thread created from now on and lets one
 * thread wait for them. */
static int signals_start(struct newsd_ctx *ctx)
{
	sigemptyset(&ctx->sigs);
	sigaddset(&ctx->sigs, SIGINT);
	sigaddset(&ctx->sigs, SIGTERM);
	sigaddset(&ctx->sigs, SIGUSR1);
	if (pthread_sigmask(SIG_BLOCK, &ctx->sigs, NULL) != 0)
		return -1;
	if (pthread_create(&ctx->sig_thread, NULL, signal_thread, ctx) != 0)
		return -1;
	ctx->sig_thread_running = 1;
	return 0;
}

static void signals_stop(struct newsd_ctx *ctx)
{
	if (!ctx->sig_thread_running)
		return;
	int prev = atomic_exchange(&ctx->stop, -1);
	(void)prev;
	pthread_kill(ctx->sig_thread, SIGUSR1);
	pthread_join(ctx->sig_thread, NULL);
	ctx->sig_thread_running = 0;
}

static void ctx_init(struct newsd_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->log.level = NEWSD_LOG_INFO;
	ctx->log.out = stderr;
	metrics_init(&ctx->metrics);
	atomic_init(&ctx->stop, 0);
}

static void ctx_destroy(struct newsd_ctx *ctx)
{
	pipeline_free(ctx->pipe);
	ctx->pipe = NULL;
	if (ctx->states_ready)
		state_registry_destroy(&ctx->states);
	switch (ctx->backend_kind) {
	case BACKEND_FILE: state_backend_file_free(&ctx->backend); break;
	case BACKEND_KAFKA: kafka_state_backend_free(&ctx->backend); break;
	default: break;
	}
	if (ctx->env_ready)
		host_env_destroy(&ctx->env);
	signals_stop(ctx);
	conf_free(ctx->conf);
	metrics_destroy(&ctx->metrics);
}

static int load_conf(struct newsd_ctx *ctx, const char *path)
{
	char err[2048];

	if (!path) {
		fprintf(stderr, "newsd: -c FILE is required\n");
		return EXIT_USAGE;
	}
	if (conf_load(path, &ctx->conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "newsd: %s\n", err);
		return EXIT_CONFIG;
	}
	ctx->log.level = ctx->conf->log_level;
	return EXIT_OK;
}

/* State backend by mode, host environment, then the pipeline (which runs
 * every plugin's init, so stateful plugins replay their logs here). */
static int start_pipeline(struct newsd_ctx *ctx, int kind, const char *state_dir)
{
	char err[2048];
	int rc;

	switch (kind) {
	case BACKEND_KAFKA:
		rc = kafka_state_backend(&ctx->backend, ctx->conf, &ctx->log, err, sizeof(err));
		break;
	case BACKEND_FILE:
		rc = state_backend_file(&ctx->backend, state_dir);
		if (rc < 0)
			snprintf(err, sizeof(err), "out of memory");
		break;
	default:
		state_backend_memory(&ctx->backend);
		rc = 0;
		break;
	}
	if (rc < 0) {
		fprintf(stderr, "newsd: state service: %s\n", err);
		return EXIT_RUNTIME;
	}
	ctx->backend_kind = kind;
	state_registry_init(&ctx->states, &ctx->backend);
	ctx->states_ready = 1;
	host_env_init(&ctx->env, &ctx->log, &ctx->metrics, &ctx->states,
		      (const char *const *)ctx->conf->data_dirs);
	ctx->env_ready = 1;
	if (pipeline_new(ctx->conf, &ctx->env, &ctx->pipe, err, sizeof(err)) < 0) {
		fprintf(stderr, "newsd: %s\n", err);
		return EXIT_CONFIG;
	}
	return EXIT_OK;
}

static FILE *open_or(const char *path, const char *mode, FILE *dflt)
{
	if (!path || strcmp(path, "-") == 0)
		return dflt;
	return fopen(path, mode);
}

static int cmd_process(struct newsd_ctx *ctx, const char *cfg, const char *in, const char *out,
		       const char *dlq, const char *dropped, const char *state_dir)
{
	struct offline_io io = {0};
	struct offline_counts counts;
	char err[2048];
	int rc = load_conf(ctx, cfg);

	if (rc != EXIT_OK)
		return rc;
	if (!state_dir)
		state_dir = ctx->conf->state_dir;
	rc = start_pipeline(ctx, state_dir ? BACKEND_FILE : BACKEND_MEMORY, state_dir);
	if (rc != EXIT_OK)
		return rc;
	io.in = open_or(in, "rb", stdin);
	io.out = open_or(out, "wb", stdout);
	io.dlq = open_or(dlq, "wb", stderr);
	io.dropped = dropped ? open_or(dropped, "wb", NULL) : NULL;
	if (!io.in || !io.out || !io.dlq || (dropped && !io.dropped)) {
		fprintf(stderr, "newsd: cannot open %s: %s\n",
			!io.in ? in : !io.out ? out : !io.dlq ? dlq : dropped, strerror(errno));
		rc = EXIT_IO;
		goto out;
	}
	int orc = offline_run(ctx->pipe, ctx->conf->batch_size, &io, &ctx->log, &ctx->metrics,
			      &ctx->stop, &counts, err, sizeof(err));
	if (pipeline_flush(ctx->pipe, err, sizeof(err)) < 0 && orc == 0)
		orc = -EIO;
	LOGI(&ctx->log, "processed %llu: output %llu, dead letters %llu, dropped %llu",
	     counts.input, counts.output, counts.dead, counts.dropped);
	if (orc < 0) {
		fprintf(stderr, "newsd: %s\n", err);
		rc = orc == -ECANCELED ? EXIT_RUNTIME : EXIT_IO;
	}
out:
	if (io.in && io.in != stdin)
		fclose(io.in);
	if (io.out && io.out != stdout && fclose(io.out) != 0 && rc == EXIT_OK)
		rc = EXIT_IO;
	if (io.dlq && io.dlq != stderr && fclose(io.dlq) != 0 && rc == EXIT_OK)
		rc = EXIT_IO;
	if (io.dropped && fclose(io.dropped) != 0 && rc == EXIT_OK)
		rc = EXIT_IO;
	return rc;
}

static int cmd_check(struct newsd_ctx *ctx, const char *cfg)
{
	int rc = load_conf(ctx, cfg);

	if (rc != EXIT_OK)
		return rc;
	/* without connecting anywhere: stateful plugins get an empty memory log */
	ctx->conf->workers = 1;
	rc = start_pipeline(ctx, BACKEND_MEMORY, NULL);
	if (rc != EXIT_OK)
		return rc;
	printf("%s: OK, %zu plugin(s):", ctx->conf->file, ctx->conf->n_pipeline);
	for (size_t i = 0; i < ctx->conf->n_pipeline; i++)
		printf(" %s", ctx->conf->pipeline[i].plugin);
	printf("\n");
	return EXIT_OK;
}

static int cmd_plugins(struct newsd_ctx *ctx, const char *cfg)
{
	const char *const none[] = {NULL};
	int rc = EXIT_OK;

	if (cfg && (rc = load_conf(ctx, cfg)) != EXIT_OK)
		return rc;
	int n = loader_list(ctx->conf ? (const char *const *)ctx->conf->plugin_dirs : none, stdout);
	return n > 0 ? EXIT_OK : EXIT_CONFIG;
}

static int cmd_run(struct newsd_ctx *ctx, const char *cfg, int exit_at_end)
{
	char err[2048];
	int rc = load_conf(ctx, cfg);

	if (rc != EXIT_OK)
		return rc;
	if (conf_require_kafka(ctx->conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "newsd: %s\n", err);
		return EXIT_CONFIG;
	}
	if (signals_start(ctx) < 0) {
		fprintf(stderr, "newsd: cannot set up signal handling\n");
		return EXIT_RUNTIME;
	}
	rc = start_pipeline(ctx, BACKEND_KAFKA, NULL);
	if (rc != EXIT_OK)
		return rc;
	struct kafka_run kr = {
		.conf = ctx->conf,
		.pipe = ctx->pipe,
		.states = &ctx->states,
		.log = &ctx->log,
		.metrics = &ctx->metrics,
		.stop = &ctx->stop,
		.exit_at_end = exit_at_end,
	};
	if (kafka_run(&kr, err, sizeof(err)) < 0) {
		fprintf(stderr, "newsd: %s\n", err);
		rc = EXIT_RUNTIME;
	}
	if (LOG_ENABLED(&ctx->log, NEWSD_LOG_INFO)) {
		fputs("newsd metrics: ", stderr);
		metrics_dump_json(&ctx->metrics, stderr);
	}
	return rc;
}

static int cmd_dev_broker(struct newsd_ctx *ctx, const char *cfg, struct devbroker_opts *o)
{
	char err[1024];
	int rc = EXIT_OK;

	if (cfg && (rc = load_conf(ctx, cfg)) != EXIT_OK)
		return rc;
	if (signals_start(ctx) < 0) {
		fprintf(stderr, "newsd: cannot set up signal handling\n");
		return EXIT_RUNTIME;
	}
	o->conf = ctx->conf;
	if (devbroker_run(o, &ctx->log, &ctx->stop, err, sizeof(err)) < 0) {
		fprintf(stderr, "newsd: dev-broker: %s\n", err);
		rc = EXIT_RUNTIME;
	}
	return rc;
}

int main(int argc, char **argv)
{
	enum {
		OPT_IN = 256,
		OPT_OUT,
		OPT_DLQ,
		OPT_DROPPED,
		OPT_STATE_DIR,
		OPT_EXIT_AT_END,
		OPT_BROKERS,
		OPT_PARTITIONS,
		OPT_BOOTSTRAP_FILE,
		OPT_TOPIC,
		OPT_CONTROL,
	};
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"in", required_argument, NULL, OPT_IN},
		{"out", required_argument, NULL, OPT_OUT},
		{"dlq", required_argument, NULL, OPT_DLQ},
		{"dropped", required_argument, NULL, OPT_DROPPED},
		{"state-dir", required_argument, NULL, OPT_STATE_DIR},
		{"exit-at-end", no_argument, NULL, OPT_EXIT_AT_END},
		{"brokers", required_argument, NULL, OPT_BROKERS},
		{"partitions", required_argument, NULL, OPT_PARTITIONS},
		{"bootstrap-file", required_argument, NULL, OPT_BOOTSTRAP_FILE},
		{"topic", required_argument, NULL, OPT_TOPIC},
		{"control", required_argument, NULL, OPT_CONTROL},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *cfg = NULL, *in = NULL, *out = NULL, *dlq = NULL, *dropped = NULL;
	const char *state_dir = NULL, *bootstrap_file = NULL, *control = NULL;
	const char *topics[65] = {0};
	size_t n_topics = 0;
	int exit_at_end = 0, brokers = 3, partitions = 6, opt, rc;
	struct newsd_ctx ctx;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("newsd %s (plugin ABI %d.%d)\n", NEWSD_VERSION, NEWSD_ABI_MAJOR,
		       NEWSD_ABI_MINOR);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	optind = 2;
	while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': cfg = optarg; break;
		case OPT_IN: in = optarg; break;
		case OPT_OUT: out = optarg; break;
		case OPT_DLQ: dlq = optarg; break;
		case OPT_DROPPED: dropped = optarg; break;
		case OPT_STATE_DIR: state_dir = optarg; break;
		case OPT_EXIT_AT_END: exit_at_end = 1; break;
		case OPT_BROKERS: brokers = atoi(optarg); break;
		case OPT_PARTITIONS: partitions = atoi(optarg); break;
		case OPT_BOOTSTRAP_FILE: bootstrap_file = optarg; break;
		case OPT_CONTROL: control = optarg; break;
		case OPT_TOPIC:
			if (n_topics + 1 >= sizeof(topics) / sizeof(topics[0])) {
				fprintf(stderr, "newsd: too many --topic options\n");
				return EXIT_USAGE;
			}
			topics[n_topics++] = optarg;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "newsd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (brokers < 1 || partitions < 1) {
		fprintf(stderr, "newsd: --brokers and --partitions must be at least 1\n");
		return EXIT_USAGE;
	}

	ctx_init(&ctx);
	if (!strcmp(cmd, "run"))
		rc = cmd_run(&ctx, cfg, exit_at_end);
	else if (!strcmp(cmd, "process"))
		rc = cmd_process(&ctx, cfg, in, out, dlq, dropped, state_dir);
	else if (!strcmp(cmd, "check"))
		rc = cmd_check(&ctx, cfg);
	else if (!strcmp(cmd, "plugins"))
		rc = cmd_plugins(&ctx, cfg);
	else if (!strcmp(cmd, "dev-broker"))
		rc = cmd_dev_broker(&ctx, cfg,
				    &(struct devbroker_opts){.brokers = brokers,
							     .partitions = partitions,
							     .topics = topics,
							     .bootstrap_file = bootstrap_file,
							     .control_fifo = control});
	else {
		fprintf(stderr, "newsd: unknown command '%s'\n", cmd);
		usage(stderr);
		rc = EXIT_USAGE;
	}
	ctx_destroy(&ctx);
	return rc;
}
