/* devbroker.c — `newsd dev-broker`: librdkafka's mock cluster as a local
 * development broker (see kafka.h and ../shared/design/kafka-mock-and-limits.md
 * for what it does not do: no compaction, ~5 MiB kept per partition, no
 * transaction enforcement).
 *
 * An idle producer handle owns the cluster.  Topics are created up front
 * with explicit partition counts (auto-creation would give 4).  The
 * bootstrap list is printed as BOOTSTRAP=<list> and, when asked, written to
 * a file through a temporary name and rename(), so a waiting test never
 * reads half of it.  On exit the file is removed only while it still holds
 * this broker's list (a quick successor may already have replaced it).
 *
 * Faults are injected through an optional control FIFO (--control PATH),
 * one command a line, so a test or a developer can take a broker down,
 * slow it or make it answer requests with errors while clients run:
 *
 *   down ID | up ID            broker ID (1..N, or -1 for all) refuses / accepts connections
 *   rtt ID MS                  broker ID answers MS milliseconds late (0: no delay)
 *   errors API COUNT ERROR     the next COUNT requests of API fail with ERROR
 *   clear API                  forget the errors still queued for API
 *   leader TOPIC PART ID       move the partition's leadership to broker ID
 *   coordinator GROUP ID       make broker ID the coordinator of consumer group GROUP
 *
 * API is a Kafka request name (Produce, Fetch, OffsetCommit, ...) or number;
 * ERROR a librdkafka error name without the RD_KAFKA_RESP_ERR_ prefix
 * (NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT, ...) or number.  Each
 * command is logged with its outcome ("control: ... ok" or the reason).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kafka.h"

static int create_topic(rd_kafka_mock_cluster_t *mc, const char *spec, int dflt, int rf,
			struct logger *log, char *err, size_t errlen)
{
	char name[256];
	const char *colon = strrchr(spec, ':');
	int parts = dflt;
	size_t nl = colon ? (size_t)(colon - spec) : strlen(spec);

	if (nl == 0 || nl >= sizeof(name)) {
		snprintf(err, errlen, "bad topic '%s': expected NAME[:PARTITIONS]", spec);
		return -EINVAL;
	}
	memcpy(name, spec, nl);
	name[nl] = '\0';
	if (colon) {
		char *end;
		long v = strtol(colon + 1, &end, 10);
		if (*end || v < 1 || v > 10000) {
			snprintf(err, errlen, "bad topic '%s': partitions must be 1..10000", spec);
			return -EINVAL;
		}
		parts = (int)v;
	}
	rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, name, parts, rf);
	if (e) {
		snprintf(err, errlen, "cannot create topic %s: %s", name, rd_kafka_err2str(e));
		return -EINVAL;
	}
	LOGI(log, "dev-broker: topic %s with %d partition(s)", name, parts);
	return 0;
}

static int write_bootstrap(const char *path, const char *bs, char *err, size_t errlen)
{
	size_t tl = strlen(path) + 32;
	char *tmp = malloc(tl);
	FILE *f = NULL;
	int rc = 0;

	if (!tmp) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(tmp, tl, "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%s\n", bs) < 0 || fclose(f) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (f && rc == 0)
			rc = -EIO;
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		snprintf(err, errlen, "rename %s -> %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
	}
out:
	free(tmp);
	return rc;
}

/* Removes path only while it holds bs. */
static void remove_if_ours(const char *path, const char *bs)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (strcmp(buf, bs) == 0)
		unlink(path);
}

/* ---- fault injection ---- */

/* Kafka protocol request keys a fault is most often aimed at. */
static const struct {
	const char *name;
	int16_t key;
} api_keys[] = {
	{"Produce", 0},          {"Fetch", 1},        {"ListOffsets", 2},
	{"Metadata", 3},         {"OffsetCommit", 8}, {"OffsetFetch", 9},
	{"FindCoordinator", 10}, {"JoinGroup", 11},   {"Heartbeat", 12},
	{"LeaveGroup", 13},      {"SyncGroup", 14},   {"InitProducerId", 22},
};

static int parse_long(const char *s, long lo, long hi, long *v)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	*v = strtol(s, &end, 10);
	return *end || errno || *v < lo || *v > hi ? -1 : 0;
}

static int parse_api(const char *s, int16_t *key)
{
	long v;

	for (size_t i = 0; s && i < sizeof(api_keys) / sizeof(api_keys[0]); i++)
		if (!strcasecmp(s, api_keys[i].name)) {
			*key = api_keys[i].key;
			return 0;
		}
	if (parse_long(s, 0, 100, &v) < 0)
		return -1;
	*key = (int16_t)v;
	return 0;
}

/* librdkafka's own table of error names, so every broker error is reachable. */
static int parse_error(const char *s, rd_kafka_resp_err_t *err)
{
	const struct rd_kafka_err_desc *d;
	size_t n;
	long v;

	if (!s)
		return -1;
	if (!strncasecmp(s, "RD_KAFKA_RESP_ERR_", 18))
		s += 18;
	rd_kafka_get_err_descs(&d, &n);
	for (size_t i = 0; i < n; i++)
		if (d[i].name && !strcasecmp(s, d[i].name)) {
			*err = d[i].code;
			return 0;
		}
	if (parse_long(s, -200, 1000, &v) < 0)
		return -1;
	*err = (rd_kafka_resp_err_t)v;
	return 0;
}

int devbroker_control(rd_kafka_mock_cluster_t *mc, const char *line, char *err, size_t errlen)
{
	char buf[512], *w[6] = {0}, *save = NULL;
	int nw = 0, rc = 0;
	long id = 0, v = 0;
	int16_t api;
	rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR, fault;
	rd_kafka_resp_err_t *faults = NULL;

	if (strlen(line) >= sizeof(buf)) {
		snprintf(err, errlen, "command longer than %zu bytes", sizeof(buf) - 1);
		return -EINVAL;
	}
	strcpy(buf, line);
	for (char *t = strtok_r(buf, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (nw == (int)(sizeof(w) / sizeof(w[0]))) {
			snprintf(err, errlen, "too many words");
			return -EINVAL;
		}
		w[nw++] = t;
	}
	if (nw == 0 || w[0][0] == '#')
		return 0;
#define BAD(...)                                    \
	do {                                        \
		snprintf(err, errlen, __VA_ARGS__); \
		rc = -EINVAL;                       \
		goto out;                           \
	} while (0)
	if (!strcmp(w[0], "down") || !strcmp(w[0], "up")) {
		if (nw != 2 || parse_long(w[1], -1, 1000, &id) < 0)
			BAD("usage: %s BROKER_ID (or -1 for all)", w[0]);
		e = !strcmp(w[0], "down") ? rd_kafka_mock_broker_set_down(mc, (int32_t)id)
					  : rd_kafka_mock_broker_set_up(mc, (int32_t)id);
	} else if (!strcmp(w[0], "rtt")) {
		if (nw != 3 || parse_long(w[1], -1, 1000, &id) < 0 ||
		    parse_long(w[2], 0, 600000, &v) < 0)
			BAD("usage: rtt BROKER_ID MILLISECONDS");
		e = rd_kafka_mock_broker_set_rtt(mc, (int32_t)id, (int)v);
	} else if (!strcmp(w[0], "errors")) {
		if (nw != 4 || parse_api(w[1], &api) < 0 || parse_long(w[2], 1, 100000, &v) < 0)
			BAD("usage: errors API COUNT ERROR (API: Produce, Fetch, OffsetCommit, ...)");
		if (parse_error(w[3], &fault) < 0)
			BAD("unknown error '%s': use a librdkafka error name such as "
			    "NOT_LEADER_FOR_PARTITION",
			    w[3]);
		if (!(faults = malloc((size_t)v * sizeof(*faults))))
			BAD("out of memory");
		for (long i = 0; i < v; i++)
			faults[i] = fault;
		rd_kafka_mock_push_request_errors_array(mc, api, (size_t)v, faults);
	} else if (!strcmp(w[0], "clear")) {
		if (nw != 2 || parse_api(w[1], &api) < 0)
			BAD("usage: clear API");
		rd_kafka_mock_clear_request_errors(mc, api);
	} else if (!strcmp(w[0], "leader")) {
		if (nw != 4 || parse_long(w[2], 0, 100000, &v) < 0 ||
		    parse_long(w[3], -1, 1000, &id) < 0)
			BAD("usage: leader TOPIC PARTITION BROKER_ID");
		e = rd_kafka_mock_partition_set_leader(mc, w[1], (int32_t)v, (int32_t)id);
	} else if (!strcmp(w[0], "coordinator")) {
		if (nw != 3 || parse_long(w[2], 1, 1000, &id) < 0)
			BAD("usage: coordinator GROUP BROKER_ID");
		e = rd_kafka_mock_coordinator_set(mc, "group", w[1], (int32_t)id);
	} else {
		BAD("unknown command '%s': expected down, up, rtt, errors, clear, leader or coordinator",
		    w[0]);
	}
	if (e)
		BAD("%s", rd_kafka_err2str(e));
#undef BAD
out:
	free(faults);
	return rc;
}

/* The FIFO is opened read-write so that it never reports end-of-file
 * between two writers. */
static int control_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (mkfifo(path, 0600) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create control FIFO %s: %s", path, strerror(errno));
		return -errno;
	}
	if (stat(path, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a FIFO", path);
		return -EINVAL;
	}
	if ((fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open control FIFO %s: %s", path, strerror(errno));
		return -errno;
	}
	return fd;
}

/* Reads what is there and applies every complete line. */
static void control_serve(rd_kafka_mock_cluster_t *mc, int fd, char *pend, size_t *plen,
			  size_t cap, struct logger *log)
{
	ssize_t n;
	char err[512];

	while ((n = read(fd, pend + *plen, cap - 1 - *plen)) > 0) {
		*plen += (size_t)n;
		pend[*plen] = '\0';
		char *line = pend, *nl;
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			if (devbroker_control(mc, line, err, sizeof(err)) < 0)
				LOGW(log, "dev-broker: control: %s: %s", line, err);
			else if (*line && *line != '#')
				LOGI(log, "dev-broker: control: %s: ok", line);
			line = nl + 1;
		}
		*plen -= (size_t)(line - pend);
		memmove(pend, line, *plen);
		if (*plen == cap - 1) { /* a line longer than the buffer: drop it */
			LOGW(log, "dev-broker: control: line longer than %zu bytes ignored", cap - 1);
			*plen = 0;
		}
	}
}

int devbroker_run(const struct devbroker_opts *o, struct logger *log, atomic_int *stop,
		  char *err, size_t errlen)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;
	rd_kafka_mock_cluster_t *mc = NULL;
	char es[512];
	char *bs = NULL;
	int brokers = o->brokers > 0 ? o->brokers : 3;
	int parts = o->partitions > 0 ? o->partitions : 6;
	int rf = brokers < 3 ? brokers : 3;
	int rc = 0, wrote = 0, ctl = -1;
	char pend[1024];
	size_t plen = 0;

	/* the idle owner has no bootstrap servers: keep its notice quiet */
	if (rd_kafka_conf_set(c, "log.connection.close", "false", es, sizeof(es)) !=
		    RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(c, "log_level", "4", es, sizeof(es)) != RD_KAFKA_CONF_OK) {
		snprintf(err, errlen, "%s", es);
		rd_kafka_conf_destroy(c);
		return -EINVAL;
	}
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, es, sizeof(es));
	if (!rk) {
		snprintf(err, errlen, "cannot create the idle client: %s", es);
		rd_kafka_conf_destroy(c);
		return -EINVAL;
	}
	mc = rd_kafka_mock_cluster_new(rk, brokers);
	if (!mc) {
		snprintf(err, errlen, "cannot start the mock cluster");
		rc = -EIO;
		goto out;
	}
	if (o->conf) {
		const struct newsd_conf *cf = o->conf;
		for (char **t = cf->topics; t && *t; t++)
			if ((rc = create_topic(mc, *t, parts, rf, log, err, errlen)) < 0)
				goto out;
		const char *outs[] = {cf->out_topic, cf->dlq_topic, cf->dup_topic};
		for (size_t i = 0; i < 3; i++)
			if (outs[i] && (rc = create_topic(mc, outs[i], parts, rf, log, err, errlen)) < 0)
				goto out;
	}
	for (const char *const *t = o->topics; t && *t; t++)
		if ((rc = create_topic(mc, *t, parts, rf, log, err, errlen)) < 0)
			goto out;
	if (!(bs = strdup(rd_kafka_mock_cluster_bootstraps(mc)))) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	if (o->bootstrap_file) {
		if ((rc = write_bootstrap(o->bootstrap_file, bs, err, errlen)) < 0)
			goto out;
		wrote = 1;
	}
	if (o->control_fifo && (ctl = control_open(o->control_fifo, err, errlen)) < 0) {
		rc = ctl;
		goto out;
	}
	printf("BOOTSTRAP=%s\n", bs);
	fflush(stdout);
	LOGI(log, "dev-broker: %d broker(s) at %s; stop with SIGTERM or SIGINT", brokers, bs);
	if (ctl >= 0)
		LOGI(log, "dev-broker: fault commands read from %s", o->control_fifo);
	while (!atomic_load(stop)) {
		struct pollfd pfd = {.fd = ctl, .events = POLLIN};
		if (ctl < 0) {
			struct timespec ts = {0, 100 * 1000000L};
			nanosleep(&ts, NULL);
		} else if (poll(&pfd, 1, 100) > 0) {
			control_serve(mc, ctl, pend, &plen, sizeof(pend), log);
		}
	}
	LOGI(log, "dev-broker: stopping");
out:
	if (ctl >= 0) {
		close(ctl);
		unlink(o->control_fifo);
	}
	if (wrote)
		remove_if_ours(o->bootstrap_file, bs);
	free(bs);
	if (mc)
		rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return rc;
}
