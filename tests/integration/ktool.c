/* ktool — a small independent Kafka client for the integration tests and
 * benchmarks: it seeds input and reads back what newsd wrote.  It shares no
 * code with the daemon.
 *
 *   ktool produce -b BS -t TOPIC -n N [--start S] [--prefix P] [--size BYTES]
 *                 [--malformed-every K] [--rate MSGS_PER_S] [--edit]
 *       Produces N keyed messages (key = id = P%07d, from S).  Every K-th one
 *       is malformed (truncated JSON, not an object, no text, invalid UTF-8
 *       inside a JSON string, in turn).  Prints "id<TAB>ok|bad<TAB>xxh64" per
 *       message, the hash being that of the payload.  The text depends only
 *       on the number, so another prefix over the same numbers produces
 *       exact copies; --edit makes near copies (a sentence added, one word
 *       changed).
 *   ktool read -b BS -t TOPIC [--field PATH]...
 *       Reads every partition from the beginning to the end it has now;
 *       prints "key<TAB>xxh64<TAB>partition<TAB>offset<TAB>reason" (reason:
 *       the `reason` header or "-"), then the value's JSON field at each
 *       dotted PATH ("-" when absent).  Exit 3 when a low watermark is not 0
 *       (the mock dropped old data: the read is incomplete).
 *   ktool count -b BS -t TOPIC
 *       Prints the number of messages the topic holds (sum over partitions).
 *   ktool committed -b BS -g GROUP -t TOPIC
 *       Prints "partition<TAB>committed<TAB>end" per partition and, last,
 *       "lag<TAB>N" (messages between the committed offsets and the ends).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <time.h>
#include <xxhash.h>

#define MAX_FIELDS 8

struct opts {
	const char *bs, *topic, *group, *prefix;
	long n, start, size, malformed_every, rate;
	int edit;
	const char *fields[MAX_FIELDS];
	int n_fields;
};

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "ktool: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(2);
}

static rd_kafka_t *client(rd_kafka_type_t type, const struct opts *o, const char *group)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	char es[512];
	rd_kafka_t *rk;

	if (rd_kafka_conf_set(c, "bootstrap.servers", o->bs, es, sizeof(es)) ||
	    rd_kafka_conf_set(c, "log.connection.close", "false", es, sizeof(es)) ||
	    (type == RD_KAFKA_PRODUCER &&
	     (rd_kafka_conf_set(c, "linger.ms", "5", es, sizeof(es)) ||
	      rd_kafka_conf_set(c, "enable.idempotence", "true", es, sizeof(es)))) ||
	    (type == RD_KAFKA_CONSUMER &&
	     (rd_kafka_conf_set(c, "enable.partition.eof", "true", es, sizeof(es)) ||
	      rd_kafka_conf_set(c, "fetch.wait.max.ms", "10", es, sizeof(es)) ||
	      rd_kafka_conf_set(c, "enable.auto.commit", "false", es, sizeof(es)) ||
	      (group && rd_kafka_conf_set(c, "group.id", group, es, sizeof(es))))))
		die("config", es);
	if (!(rk = rd_kafka_new(type, c, es, sizeof(es))))
		die("client", es);
	return rk;
}

static int partitions(rd_kafka_t *rk, const char *topic)
{
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
	const struct rd_kafka_metadata *md;
	int n = -1;

	for (int attempt = 0; attempt < 50 && n < 0; attempt++) {
		if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == 0) {
			if (md->topic_cnt == 1 && !md->topics[0].err)
				n = md->topics[0].partition_cnt;
			rd_kafka_metadata_destroy(md);
		}
		if (n < 0) {
			struct timespec ts = {0, 100000000L};
			nanosleep(&ts, NULL);
		}
	}
	rd_kafka_topic_destroy(rkt);
	if (n < 0)
		die("no metadata for topic", topic);
	return n;
}

/* ---- produce ---- */

static const char *const words[] = {
	"Hà Nội", "thành phố", "người dân", "hôm nay", "cho biết", "kinh tế", "the council",
	"said on", "Monday", "tăng trưởng", "dự án", "giao thông", "reported", "market",
	"chính quyền", "bộ trưởng", "election", "weather", "mưa lớn", "học sinh",
};

static void body(char *buf, size_t size, long id)
{
	size_t len = 0;
	unsigned seed = (unsigned)id * 2654435761u;

	while (len + 16 < size) {
		const char *w = words[(seed >> 7) % (sizeof(words) / sizeof(words[0]))];
		seed = seed * 1103515245u + 12345u;
		size_t wl = strlen(w);
		if (len + wl + 2 >= size)
			break;
		memcpy(buf + len, w, wl);
		len += wl;
		buf[len++] = (seed & 31) == 0 ? '.' : ' ';
	}
	buf[len] = '\0';
}

static int delivery_failures;

static void on_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk, (void)opaque;
	if (m->err) {
		fprintf(stderr, "ktool: delivery failed: %s\n", rd_kafka_err2str(m->err));
		delivery_failures++;
	}
}

static int cmd_produce(const struct opts *o)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	char es[512];
	rd_kafka_t *rk;
	size_t size = o->size > 64 ? (size_t)o->size : 64;
	char *text = malloc(size), *payload = malloc(size + 256);
	struct timespec t0;

	if (!text || !payload)
		die("out of memory", NULL);
	if (rd_kafka_conf_set(c, "bootstrap.servers", o->bs, es, sizeof(es)) ||
	    rd_kafka_conf_set(c, "linger.ms", "5", es, sizeof(es)) ||
	    rd_kafka_conf_set(c, "batch.size", "1000000", es, sizeof(es)) ||
	    rd_kafka_conf_set(c, "queue.buffering.max.messages", "1000000", es, sizeof(es)) ||
	    rd_kafka_conf_set(c, "enable.idempotence", "true", es, sizeof(es)) ||
	    rd_kafka_conf_set(c, "log.connection.close", "false", es, sizeof(es)))
		die("config", es);
	rd_kafka_conf_set_dr_msg_cb(c, on_dr);
	if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, es, sizeof(es))))
		die("producer", es);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < o->n; i++) {
		long num = o->start + i;
		char id[64];
		int bad = o->malformed_every > 0 && (num % o->malformed_every) == o->malformed_every - 1;
		int len;

		snprintf(id, sizeof(id), "%s%07ld", o->prefix, num);
		body(text, size - 64 > 16 ? size - 64 : 17, num);
		if (o->edit) { /* a near copy: first word replaced, a sentence added */
			static const char tail[] = " Theo phóng viên thường trú tại Đà Nẵng.";
			char *sp = strchr(text, ' ');
			size_t rest = sp ? strlen(sp) : 0;
			if (sp && 3 + rest + sizeof(tail) < size) {
				memmove(text + 3, sp, rest + 1);
				memcpy(text, "Tin", 3);
				memcpy(text + 3 + rest, tail, sizeof(tail));
			}
		}
		if (!bad) {
			len = snprintf(payload, size + 256,
				       "{\"id\":\"%s\",\"source\":\"ktool\",\"text\":\"%s\"}", id, text);
		} else {
			switch ((num / o->malformed_every) % 4) {
			case 0: /* truncated JSON */
				len = snprintf(payload, size + 256, "{\"id\":\"%s\",\"text\":\"%.20s", id,
					       text);
				break;
			case 1: /* valid JSON, not an object */
				len = snprintf(payload, size + 256, "[\"%s\", \"%.20s\"]", id, text);
				break;
			case 2: /* an object with nothing to process */
				len = snprintf(payload, size + 256, "{\"id\":\"%s\",\"url\":\"x\"}", id);
				break;
			default: /* invalid UTF-8 inside a JSON string */
				len = snprintf(payload, size + 256, "{\"id\":\"%s\",\"text\":\"ab\xc3\x28 \xff\"}",
					       id);
				break;
			}
		}
		for (;;) {
			rd_kafka_resp_err_t e = rd_kafka_producev(
				rk, RD_KAFKA_V_TOPIC(o->topic), RD_KAFKA_V_KEY(id, strlen(id)),
				RD_KAFKA_V_VALUE(payload, (size_t)len),
				RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
			if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
				rd_kafka_poll(rk, 10);
				continue;
			}
			if (e)
				die("produce", rd_kafka_err2str(e));
			break;
		}
		printf("%s\t%s\t%016" PRIx64 "\n", id, bad ? "bad" : "ok",
		       (uint64_t)XXH64(payload, (size_t)len, 0));
		rd_kafka_poll(rk, 0);
		if (o->rate > 0 && (i + 1) % 50 == 0) { /* pace: i+1 messages by (i+1)/rate s */
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			double el = (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
			double due = (double)(i + 1) / (double)o->rate;
			if (due > el) {
				rd_kafka_flush(rk, 1000);
				double w = due - el;
				struct timespec ts = {(time_t)w, (long)((w - (double)(time_t)w) * 1e9)};
				nanosleep(&ts, NULL);
			}
		}
	}
	if (rd_kafka_flush(rk, 60000))
		die("flush timed out", NULL);
	rd_kafka_destroy(rk);
	free(text);
	free(payload);
	fflush(stdout);
	return delivery_failures ? 1 : 0;
}

/* ---- read ---- */

/* Prints TAB and the value at dotted path (strings bare, others as JSON). */
static void print_field(json_t *root, const char *path)
{
	char seg[128];
	json_t *v = root;

	while (v && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(seg))
			n = sizeof(seg) - 1;
		memcpy(seg, path, n);
		seg[n] = '\0';
		v = json_is_object(v) ? json_object_get(v, seg) : NULL;
		path += n + (path[n] == '.');
	}
	if (!v) {
		fputs("\t-", stdout);
	} else if (json_is_string(v)) {
		printf("\t%s", json_string_value(v));
	} else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		printf("\t%s", s ? s : "?");
		free(s);
	}
}

static int cmd_read(const struct opts *o)
{
	/* assign() needs a group.id; this reader never joins nor commits */
	rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, o, "ktool-reader");
	int np = partitions(rk, o->topic);
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
	int64_t *hi = calloc((size_t)np, sizeof(*hi));
	int remaining = 0, rc = 0;

	for (int p = 0; p < np; p++) {
		int64_t lo;
		if (rd_kafka_query_watermark_offsets(rk, o->topic, p, &lo, &hi[p], 10000))
			die("watermarks", o->topic);
		if (lo != 0) {
			fprintf(stderr, "ktool: %s [%d] low watermark %" PRId64
					": older messages were dropped by the broker\n",
				o->topic, p, lo);
			rc = 3;
		}
		if (hi[p] > lo)
			remaining++;
		else
			hi[p] = -1;
		rd_kafka_topic_partition_list_add(l, o->topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
	}
	if (rd_kafka_assign(rk, l))
		die("assign", o->topic);
	while (remaining > 0) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 1000);
		if (!m)
			continue;
		int p = m->partition;
		if (!m->err) {
			const void *r = NULL;
			size_t rl = 0;
			rd_kafka_headers_t *h = NULL;
			if (rd_kafka_message_headers(m, &h) || !h ||
			    rd_kafka_header_get_last(h, "reason", &r, &rl))
				r = NULL;
			printf("%.*s\t%016" PRIx64 "\t%d\t%" PRId64 "\t%.*s", (int)m->key_len,
			       m->key ? (const char *)m->key : "", (uint64_t)XXH64(m->payload, m->len, 0),
			       p, m->offset, r ? (int)rl : 1, r ? (const char *)r : "-");
			json_t *root = o->n_fields ? json_loadb(m->payload, m->len, 0, NULL) : NULL;
			for (int f = 0; f < o->n_fields; f++)
				print_field(root, o->fields[f]);
			json_decref(root);
			putchar('\n');
		} else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			fprintf(stderr, "ktool: %s\n", rd_kafka_message_errstr(m));
		}
		if (p >= 0 && p < np && hi[p] >= 0 &&
		    ((!m->err && m->offset + 1 >= hi[p]) ||
		     (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && m->offset >= hi[p]))) {
			hi[p] = -1;
			remaining--;
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_topic_partition_list_destroy(l);
	free(hi);
	rd_kafka_destroy(rk);
	fflush(stdout);
	return rc;
}

static int cmd_count(const struct opts *o)
{
	rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, o, NULL);
	int np = partitions(rk, o->topic);
	int64_t total = 0;

	for (int p = 0; p < np; p++) {
		int64_t lo, hi;
		if (rd_kafka_query_watermark_offsets(rk, o->topic, p, &lo, &hi, 10000))
			die("watermarks", o->topic);
		total += hi - lo;
	}
	printf("%" PRId64 "\n", total);
	rd_kafka_destroy(rk);
	return 0;
}

static int cmd_committed(const struct opts *o)
{
	rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, o, o->group);
	int np = partitions(rk, o->topic);
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
	int64_t lag = 0;
	rd_kafka_resp_err_t e;

	for (int p = 0; p < np; p++)
		rd_kafka_topic_partition_list_add(l, o->topic, p);
	if ((e = rd_kafka_committed(rk, l, 10000)))
		die("committed", rd_kafka_err2str(e));
	for (int p = 0; p < np; p++) {
		int64_t lo, hi, c = l->elems[p].offset;
		if (rd_kafka_query_watermark_offsets(rk, o->topic, p, &lo, &hi, 10000))
			die("watermarks", o->topic);
		printf("%d\t%" PRId64 "\t%" PRId64 "\n", l->elems[p].partition, c, hi);
		lag += hi - (c < 0 ? lo : c);
	}
	printf("lag\t%" PRId64 "\n", lag);
	rd_kafka_topic_partition_list_destroy(l);
	rd_kafka_destroy(rk);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"start", required_argument, NULL, 's'},
		{"prefix", required_argument, NULL, 'p'},
		{"size", required_argument, NULL, 'z'},
		{"malformed-every", required_argument, NULL, 'm'},
		{"rate", required_argument, NULL, 'r'},
		{"edit", no_argument, NULL, 'e'},
		{"field", required_argument, NULL, 'f'},
		{0},
	};
	struct opts o = {.prefix = "m", .size = 300, .n = 0};
	int opt;

	if (argc < 2)
		die("usage: ktool produce|read|count|committed -b BS -t TOPIC ...", NULL);
	optind = 2;
	while ((opt = getopt_long(argc, argv, "b:t:g:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b': o.bs = optarg; break;
		case 't': o.topic = optarg; break;
		case 'g': o.group = optarg; break;
		case 'n': o.n = atol(optarg); break;
		case 's': o.start = atol(optarg); break;
		case 'p': o.prefix = optarg; break;
		case 'z': o.size = atol(optarg); break;
		case 'm': o.malformed_every = atol(optarg); break;
		case 'r': o.rate = atol(optarg); break;
		case 'e': o.edit = 1; break;
		case 'f':
			if (o.n_fields == MAX_FIELDS)
				die("too many --field options", NULL);
			o.fields[o.n_fields++] = optarg;
			break;
		default: die("bad option", NULL);
		}
	}
	if (!o.bs || !o.topic)
		die("-b BOOTSTRAP and -t TOPIC are required", NULL);
	if (!strcmp(argv[1], "produce"))
		return cmd_produce(&o);
	if (!strcmp(argv[1], "read"))
		return cmd_read(&o);
	if (!strcmp(argv[1], "count"))
		return cmd_count(&o);
	if (!strcmp(argv[1], "committed")) {
		if (!o.group)
			die("committed needs -g GROUP", NULL);
		return cmd_committed(&o);
	}
	die("unknown command", argv[1]);
	return 2;
}
