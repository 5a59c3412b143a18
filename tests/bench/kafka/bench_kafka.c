/* bench_kafka — newsd's Kafka passthrough against a plain librdkafka loop,
 * and the daemon's own per-record cost against jansson parse + dump.
 *
 *   bench_kafka [--messages N] [--size BYTES] [--rounds R] [--workers W]
 *               [--newsd PATH]
 *
 * 1. Starts `newsd dev-broker` (its own process, 3 mock brokers) and
 *    preloads N records of about BYTES (default 20,000 × 5 KB, 32 input
 *    partitions: ~3 MiB each, under the mock's ~5 MiB cap).
 * 2. Per round, in the same run:
 *    - plain: one process-local loop, librdkafka consumer assigned to every
 *      partition from the beginning, each message produced unchanged (same
 *      key) with the same producer settings as the daemon; timed from the
 *      first message to the last acknowledgement;
 *    - newsd: `newsd run --exit-at-end` with the example plugin and a fresh
 *      group; the daemon's own figure (first fetch to last acknowledgement,
 *      which leaves out the 3 s first join of the mock) and the whole
 *      process's wall time are both printed.
 *    Medians over the rounds, the ratio, and the broker's CPU seconds.
 * 3. In-process: the pipeline (parse, example plugin, stamp, serialise) on
 *    the same records, one worker, µs per record, beside jansson
 *    json_loads + json_dumps of the same records.
 * Prints figures; asserts nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "host.h"
#include "log.h"
#include "metrics.h"
#include "pipeline.h"
#include "state.h"

#ifndef NEWSD_BIN
#define NEWSD_BIN "newsd"
#endif

#define IN_PARTS 32
#define MAX_ROUNDS 9

struct bench {
	const char *newsd;
	long n, size;
	int rounds, workers;
	char dir[256];
	char bs[1024];
	pid_t broker;
	char **payloads; /* (owned) the N records, JSON */
	size_t *lens;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "bench_kafka: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(1);
}

static double cpu_of(pid_t pid)
{
	char path[64], buf[2048];
	FILE *f;
	unsigned long ut = 0, st = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- records: 10 fields, a text of about size bytes of Vietnamese-like
 * news prose (made up here from a word table) ---- */

static const char *const words[] = {
	"Theo", "báo cáo", "của", "Sở", "Giao thông", "Vận tải", "thành phố", "Hà Nội", "trong",
	"quý", "ba", "năm nay", "lượng", "hành khách", "đi", "xe buýt", "tăng", "mạnh", "so với",
	"cùng kỳ", "người dân", "cho biết", "dự án", "đường sắt", "đô thị", "sẽ", "được", "khởi công",
	"vào", "tháng", "tới", "ông", "Nguyễn Văn", "Hùng", "phát biểu", "tại", "hội nghị", "kinh tế",
	"tăng trưởng", "ổn định", "chính quyền", "địa phương", "đã", "triển khai", "nhiều", "giải pháp",
};

static char *make_record(long i, long size, size_t *len)
{
	char *text = malloc((size_t)size + 64);
	size_t tl = 0;
	unsigned seed = (unsigned)i * 2654435761u + 17;
	json_t *o;
	char *s, id[32];

	if (!text)
		die("out of memory", NULL);
	while (tl + 24 < (size_t)size) {
		const char *w = words[(seed >> 8) % (sizeof(words) / sizeof(words[0]))];
		size_t wl = strlen(w);
		seed = seed * 1103515245u + 12345u;
		memcpy(text + tl, w, wl);
		tl += wl;
		text[tl++] = (seed & 15) == 0 ? '.' : ' ';
		if ((seed & 255) == 3) {
			text[tl++] = '\n';
			text[tl++] = '\n';
		}
	}
	text[tl] = '\0';
	snprintf(id, sizeof(id), "b%08ld", i);
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[s,s],s:s}", "id", id, "url",
		      "https://tin.example.vn/thoi-su/bai-viet.html", "source", "Tin Ví Dụ", "title",
		      "Hành khách đi xe buýt tăng mạnh trong quý ba", "published_at",
		      "2024-09-30T08:15:00+07:00", "lang", "vi", "author", "Trần Minh", "category",
		      "thoi-su", "tags", "giao thông", "xe buýt", "text", text);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	free(text);
	if (!s)
		die("cannot build a record", NULL);
	*len = strlen(s);
	return s;
}

/* ---- broker ---- */

static void start_broker(struct bench *b)
{
	char bsfile[300], parts[32];

	snprintf(bsfile, sizeof(bsfile), "%s/bs", b->dir);
	snprintf(parts, sizeof(parts), "in:%d", IN_PARTS);
	fflush(stdout);
	b->broker = fork();
	if (b->broker < 0)
		die("fork", strerror(errno));
	if (b->broker == 0) {
		char log[300];
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a benchmark that died */
		snprintf(log, sizeof(log), "%s/broker.log", b->dir);
		if (!freopen(log, "w", stderr) || !freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(b->newsd, b->newsd, "dev-broker", "--brokers", "3", "--partitions", "8",
		      "--bootstrap-file", bsfile, "--topic", parts, "--topic", "out:8", "--topic",
		      "dlq:8", "--topic", "plain.out:8", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) {
		FILE *f = fopen(bsfile, "r");
		if (f) {
			if (fgets(b->bs, sizeof(b->bs), f))
				b->bs[strcspn(b->bs, "\r\n")] = '\0';
			fclose(f);
			if (b->bs[0])
				return;
		}
		struct timespec ts = {0, 100000000L};
		nanosleep(&ts, NULL);
	}
	die("the dev broker did not start", b->newsd);
}

static void stop_broker(struct bench *b)
{
	if (b->broker > 0) {
		kill(b->broker, SIGTERM);
		waitpid(b->broker, NULL, 0);
		b->broker = 0;
	}
}

static rd_kafka_t *client(struct bench *b, rd_kafka_type_t type)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	char es[512];
	rd_kafka_t *rk;
	const char *common[][2] = {
		{"bootstrap.servers", b->bs}, {"log.connection.close", "false"}};
	const char *prod[][2] = {{"linger.ms", "5"},
				 {"batch.size", "1000000"},
				 {"batch.num.messages", "10000"},
				 {"queue.buffering.max.messages", "1000000"},
				 {"enable.idempotence", "true"},
				 {"acks", "all"}};
	const char *cons[][2] = {{"group.id", "bench-plain"},
				 {"enable.auto.commit", "false"},
				 {"fetch.wait.max.ms", "10"},
				 {"queued.min.messages", "200000"}};

	for (size_t i = 0; i < 2; i++)
		if (rd_kafka_conf_set(c, common[i][0], common[i][1], es, sizeof(es)))
			die("config", es);
	if (type == RD_KAFKA_PRODUCER) {
		for (size_t i = 0; i < sizeof(prod) / sizeof(prod[0]); i++)
			if (rd_kafka_conf_set(c, prod[i][0], prod[i][1], es, sizeof(es)))
				die("config", es);
	} else {
		for (size_t i = 0; i < sizeof(cons) / sizeof(cons[0]); i++)
			if (rd_kafka_conf_set(c, cons[i][0], cons[i][1], es, sizeof(es)))
				die("config", es);
	}
	if (!(rk = rd_kafka_new(type, c, es, sizeof(es))))
		die("client", es);
	return rk;
}

static void preload(struct bench *b)
{
	rd_kafka_t *p = client(b, RD_KAFKA_PRODUCER);

	for (long i = 0; i < b->n; i++) {
		char key[32];
		snprintf(key, sizeof(key), "b%08ld", i);
		for (;;) {
			rd_kafka_resp_err_t e = rd_kafka_producev(
				p, RD_KAFKA_V_TOPIC("in"), RD_KAFKA_V_KEY(key, strlen(key)),
				RD_KAFKA_V_VALUE(b->payloads[i], b->lens[i]),
				RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
			if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
				rd_kafka_poll(p, 10);
				continue;
			}
			if (e)
				die("preload", rd_kafka_err2str(e));
			break;
		}
	}
	if (rd_kafka_flush(p, 60000))
		die("preload flush timed out", NULL);
	rd_kafka_destroy(p);
}

/* ---- plain consume → produce ---- */

static long plain_acked;

static void plain_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk, (void)opaque;
	if (!m->err)
		plain_acked++;
}

static double run_plain(struct bench *b)
{
	rd_kafka_t *c = client(b, RD_KAFKA_CONSUMER);
	rd_kafka_conf_t *pc;
	rd_kafka_t *p;
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(IN_PARTS);
	const struct rd_kafka_metadata *md;
	char es[512];
	long got = 0;
	double t0 = 0;

	/* metadata first: an assign() before leaders are known waits 500 ms */
	if (rd_kafka_metadata(c, 1, NULL, &md, 10000))
		die("metadata", NULL);
	rd_kafka_metadata_destroy(md);
	{
		rd_kafka_t *tmp = client(b, RD_KAFKA_PRODUCER);
		pc = rd_kafka_conf_dup(rd_kafka_conf(tmp));
		rd_kafka_destroy(tmp);
	}
	rd_kafka_conf_set_dr_msg_cb(pc, plain_dr);
	if (!(p = rd_kafka_new(RD_KAFKA_PRODUCER, pc, es, sizeof(es))))
		die("producer", es);
	plain_acked = 0;
	for (int i = 0; i < IN_PARTS; i++)
		rd_kafka_topic_partition_list_add(l, "in", i)->offset = RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_assign(c, l);
	rd_kafka_topic_partition_list_destroy(l);
	while (got < b->n) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
		if (!m)
			continue;
		if (!m->err) {
			if (!got)
				t0 = now_s();
			got++;
			for (;;) {
				rd_kafka_resp_err_t e = rd_kafka_producev(
					p, RD_KAFKA_V_TOPIC("plain.out"),
					RD_KAFKA_V_KEY(m->key, m->key_len),
					RD_KAFKA_V_VALUE(m->payload, m->len),
					RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
				if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
					break;
				rd_kafka_poll(p, 5);
			}
			rd_kafka_poll(p, 0);
		}
		rd_kafka_message_destroy(m);
	}
	double consumed = now_s() - t0;
	rd_kafka_flush(p, 60000);
	double el = now_s() - t0;
	printf("       (plain: all consumed after %.3f s, all acknowledged after %.3f s)\n", consumed,
	       el);
	if (plain_acked != b->n)
		fprintf(stderr, "bench_kafka: plain loop: %ld of %ld acknowledged\n", plain_acked, b->n);
	rd_kafka_destroy(p);
	rd_kafka_consumer_close(c);
	rd_kafka_destroy(c);
	return el;
}

/* ---- newsd run --exit-at-end ---- */

static int run_newsd(struct bench *b, int round, double *own_s, double *wall_s, long *processed)
{
	char cfg[300], log[300], group[64];
	FILE *f;
	pid_t pid;
	int status;
	double t0 = now_s();

	snprintf(cfg, sizeof(cfg), "%s/newsd.yaml", b->dir);
	snprintf(log, sizeof(log), "%s/newsd-%d.log", b->dir, round);
	snprintf(group, sizeof(group), "bench-newsd-%d-%d", (int)getpid(), round);
	if (!(f = fopen(cfg, "w")))
		die(cfg, strerror(errno));
	fprintf(f,
		"log_level: info\nworkers: %d\n"
		"input:\n  format: json\n  kafka:\n    brokers: \"%s\"\n    topics: [in]\n"
		"    group_id: %s\n    properties:\n      session.timeout.ms: 6000\n"
		"      heartbeat.interval.ms: 500\n      fetch.wait.max.ms: 10\n"
		"      queued.min.messages: 200000\n"
		"output:\n  topic: out\n  dead_letter_topic: dlq\n"
		"limits:\n  max_in_flight: 50000\n  batch_size: 512\n"
		"pipeline:\n  - plugin: example\n",
		b->workers, b->bs, group);
	fclose(f);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (!freopen(log, "w", stderr) || !freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(b->newsd, b->newsd, "run", "-c", cfg, "--exit-at-end", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_kafka: newsd failed (see %s)\n", log);
		return -1;
	}
	*wall_s = now_s() - t0;
	/* "processed N message(s) in X s from first fetch to last acknowledgement" */
	if (!(f = fopen(log, "r")))
		return -1;
	char line[1024];
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "processed ");
		if (p && sscanf(p, "processed %ld message(s) in %lf s", processed, own_s) == 2)
			found = 1;
	}
	fclose(f);
	return found ? 0 : -1;
}

/* ---- in-process cost per record ---- */

static void per_record_cost(struct bench *b)
{
	char yaml[512], err[2048];
	struct newsd_conf *conf = NULL;
	struct logger lg = {NEWSD_LOG_WARN, stderr};
	struct metrics m;
	struct state_backend be;
	struct state_registry reg;
	struct host_env env;
	struct pipeline *p = NULL;
	long n = b->n < 4000 ? b->n : 4000;
	const size_t batch = 256;
	struct work_item *items = calloc(batch, sizeof(*items));
	double bytes = 0;

	snprintf(yaml, sizeof(yaml),
		 "workers: 1\ninput:\n  format: json\npipeline:\n  - plugin: example\n");
	if (conf_load_buffer("bench.yaml", yaml, strlen(yaml), &conf, err, sizeof(err)) < 0)
		die("config", err);
	metrics_init(&m);
	state_backend_memory(&be);
	state_registry_init(&reg, &be);
	host_env_init(&env, &lg, &m, &reg, (const char *const *)conf->data_dirs);
	if (pipeline_new(conf, &env, &p, err, sizeof(err)) < 0)
		die("pipeline", err);

	double best_pipe = 1e9, best_jansson = 1e9;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now_s();
		for (long i = 0; i < n; i += (long)batch) {
			size_t k = (size_t)(n - i) < batch ? (size_t)(n - i) : batch;
			for (size_t j = 0; j < k; j++) {
				items[j].payload = b->payloads[i + (long)j];
				items[j].len = b->lens[i + (long)j];
				items[j].key = NULL;
				items[j].keylen = 0;
				items[j].format = RECORD_FORMAT_JSON;
			}
			pipeline_run_batch(p, items, k);
			for (size_t j = 0; j < k; j++)
				if (items[j].outcome != ITEM_OUTPUT)
					die("unexpected outcome", items[j].reason);
			pipeline_items_reset(items, k);
		}
		double el = now_s() - t0;
		if (el < best_pipe)
			best_pipe = el;

		t0 = now_s();
		for (long i = 0; i < n; i++) {
			json_error_t je;
			json_t *o = json_loadb(b->payloads[i], b->lens[i], 0, &je);
			char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
			if (!s)
				die("jansson", je.text);
			free(s);
			json_decref(o);
		}
		el = now_s() - t0;
		if (el < best_jansson)
			best_jansson = el;
	}
	for (long i = 0; i < n; i++)
		bytes += (double)b->lens[i];
	printf("\nper-record cost, one thread, %ld records of %.0f B (best of 5 passes):\n", n,
	       bytes / (double)n);
	printf("  newsd pipeline (parse, id, example plugin, stamp, serialise): %8.1f us/record\n",
	       best_pipe / (double)n * 1e6);
	printf("  jansson json_loads + json_dumps of the same records:         %8.1f us/record\n",
	       best_jansson / (double)n * 1e6);
	printf("  ratio newsd / jansson: %.2f (goal: within 1.5)\n", best_pipe / best_jansson);
	pipeline_free(p);
	host_env_destroy(&env);
	state_registry_destroy(&reg);
	conf_free(conf);
	metrics_destroy(&m);
	free(items);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"messages", required_argument, NULL, 'n'}, {"size", required_argument, NULL, 's'},
		{"rounds", required_argument, NULL, 'r'},   {"workers", required_argument, NULL, 'w'},
		{"newsd", required_argument, NULL, 'x'},    {0},
	};
	struct bench b = {.newsd = NEWSD_BIN, .n = 20000, .size = 5120, .rounds = 3, .workers = 2};
	double plain[MAX_ROUNDS], own[MAX_ROUNDS], wall[MAX_ROUNDS], bytes = 0;
	int opt, ok = 0;

	while ((opt = getopt_long(argc, argv, "n:s:r:w:x:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': b.n = atol(optarg); break;
		case 's': b.size = atol(optarg); break;
		case 'r': b.rounds = atoi(optarg); break;
		case 'w': b.workers = atoi(optarg); break;
		case 'x': b.newsd = optarg; break;
		default:
			fprintf(stderr, "usage: bench_kafka [--messages N] [--size B] [--rounds R] "
					"[--workers W] [--newsd PATH]\n");
			return 2;
		}
	}
	if (b.rounds < 1 || b.rounds > MAX_ROUNDS || b.n < 1 || b.size < 256)
		die("bad arguments", NULL);
	snprintf(b.dir, sizeof(b.dir), "%s/bench-kafka.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(b.dir))
		die("mkdtemp", strerror(errno));
	b.payloads = calloc((size_t)b.n, sizeof(*b.payloads));
	b.lens = calloc((size_t)b.n, sizeof(*b.lens));
	if (!b.payloads || !b.lens)
		die("out of memory", NULL);
	for (long i = 0; i < b.n; i++) {
		b.payloads[i] = make_record(i, b.size - 300, &b.lens[i]);
		bytes += (double)b.lens[i];
	}
	if (bytes / IN_PARTS > 4.5 * 1024 * 1024)
		fprintf(stderr, "bench_kafka: warning: %.1f MiB per partition exceeds the mock's cap\n",
			bytes / IN_PARTS / 1048576);

	start_broker(&b);
	double bcpu0 = cpu_of(b.broker);
	preload(&b);
	printf("newsd Kafka passthrough benchmark: %ld records, %.0f B average, %.1f MB, "
	       "%d input partitions, 3 mock brokers in their own process (%s)\n",
	       b.n, bytes / (double)b.n, bytes / 1e6, IN_PARTS, b.bs);
	printf("broker CPU for the preload: %.2f s\n", cpu_of(b.broker) - bcpu0);
	printf("%-6s %-28s %-34s %s\n", "round", "plain consume->produce", "newsd (first fetch->last ack)",
	       "newsd wall (incl. 3 s join)");
	for (int r = 0; r < b.rounds; r++) {
		double c0 = cpu_of(b.broker);
		plain[r] = run_plain(&b);
		double c1 = cpu_of(b.broker);
		long processed = 0;
		if (run_newsd(&b, r, &own[r], &wall[r], &processed) < 0)
			break;
		double c2 = cpu_of(b.broker);
		if (processed != b.n)
			fprintf(stderr, "bench_kafka: newsd processed %ld of %ld\n", processed, b.n);
		printf("%-6d %8.0f msg/s %7.1f MB/s   %8.0f msg/s %7.1f MB/s          %.2f s  "
		       "[broker CPU %.2f s / %.2f s]\n",
		       r + 1, (double)b.n / plain[r], bytes / plain[r] / 1e6, (double)b.n / own[r],
		       bytes / own[r] / 1e6, wall[r], c1 - c0, c2 - c1);
		ok++;
	}
	stop_broker(&b);
	if (ok == b.rounds) {
		double mp = median(plain, ok), mo = median(own, ok), mw = median(wall, ok);
		printf("median plain: %.0f msg/s, %.1f MB/s\n", (double)b.n / mp, bytes / mp / 1e6);
		printf("median newsd: %.0f msg/s, %.1f MB/s (%d worker(s), example plugin); whole "
		       "process %.2f s\n",
		       (double)b.n / mo, bytes / mo / 1e6, b.workers, mw);
		printf("ratio newsd / plain: %.2f\n", mp / mo);
	}
	per_record_cost(&b);
	for (long i = 0; i < b.n; i++)
		free(b.payloads[i]);
	free(b.payloads);
	free(b.lens);
	if (ok == b.rounds) {
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_kafka: could not remove %s\n", b.dir);
	} else {
		fprintf(stderr, "bench_kafka: logs kept in %s\n", b.dir);
	}
	return ok == b.rounds ? 0 : 1;
}
