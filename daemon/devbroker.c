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
 */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	int rc = 0, wrote = 0;

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
	printf("BOOTSTRAP=%s\n", bs);
	fflush(stdout);
	LOGI(log, "dev-broker: %d broker(s) at %s; stop with SIGTERM or SIGINT", brokers, bs);
	while (!atomic_load(stop)) {
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	LOGI(log, "dev-broker: stopping");
out:
	if (wrote)
		remove_if_ours(o->bootstrap_file, bs);
	free(bs);
	if (mc)
		rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return rc;
}
