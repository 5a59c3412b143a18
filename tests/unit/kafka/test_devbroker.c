/* The dev broker's fault commands, applied to a real librdkafka mock cluster
 * in this process: bad commands are refused with the reason, and good ones
 * take effect (a queued produce error reaches a producer's delivery report;
 * a broker taken down and brought up again serves again). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kafka.h"

struct fixture {
	rd_kafka_t *owner;
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_t *prod;
	rd_kafka_resp_err_t last; /* of the last delivery report */
	int reports;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct fixture *f = opaque;

	(void)rk;
	f->last = m->err;
	f->reports++;
}

static int setup(void **state)
{
	static struct fixture f;
	char es[256];
	rd_kafka_conf_t *c = rd_kafka_conf_new();

	memset(&f, 0, sizeof(f));
	rd_kafka_conf_set(c, "log_level", "0", es, sizeof(es));
	f.owner = rd_kafka_new(RD_KAFKA_PRODUCER, c, es, sizeof(es));
	if (!f.owner || !(f.mc = rd_kafka_mock_cluster_new(f.owner, 3)))
		return -1;
	if (rd_kafka_mock_topic_create(f.mc, "t", 1, 3))
		return -1;
	c = rd_kafka_conf_new();
	rd_kafka_conf_set(c, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(f.mc), es,
			  sizeof(es));
	/* one attempt per message, so a queued error is what the report says */
	rd_kafka_conf_set(c, "retries", "0", es, sizeof(es));
	rd_kafka_conf_set(c, "linger.ms", "0", es, sizeof(es));
	rd_kafka_conf_set(c, "log_level", "0", es, sizeof(es));
	rd_kafka_conf_set_opaque(c, &f);
	rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
	if (!(f.prod = rd_kafka_new(RD_KAFKA_PRODUCER, c, es, sizeof(es))))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rd_kafka_destroy(f->prod);
	rd_kafka_mock_cluster_destroy(f->mc);
	rd_kafka_destroy(f->owner);
	return 0;
}

static rd_kafka_resp_err_t produce_one(struct fixture *f)
{
	int before = f->reports;

	if (rd_kafka_producev(f->prod, RD_KAFKA_V_TOPIC("t"), RD_KAFKA_V_VALUE("x", 1),
			      RD_KAFKA_V_END))
		return RD_KAFKA_RESP_ERR__FAIL;
	rd_kafka_flush(f->prod, 30000);
	return f->reports == before + 1 ? f->last : RD_KAFKA_RESP_ERR__TIMED_OUT;
}

static void test_refuses_with_reason(void **state)
{
	struct fixture *f = *state;
	char err[256];
	static const struct {
		const char *line, *says;
	} bad[] = {
		{"reboot 1", "unknown command 'reboot'"},
		{"down", "usage: down BROKER_ID"},
		{"down one", "usage: down BROKER_ID"},
		{"rtt 1", "usage: rtt BROKER_ID MILLISECONDS"},
		{"rtt 1 -5", "usage: rtt"},
		{"errors Produce 3", "usage: errors API COUNT ERROR"},
		{"errors Gossip 3 REQUEST_TIMED_OUT", "usage: errors API"},
		{"errors Produce 0 REQUEST_TIMED_OUT", "usage: errors API"},
		{"errors Produce 3 NO_SUCH_THING", "unknown error 'NO_SUCH_THING'"},
		{"clear", "usage: clear API"},
		{"leader t x 1", "usage: leader TOPIC PARTITION BROKER_ID"},
		{"coordinator g", "usage: coordinator GROUP BROKER_ID"},
		{"coordinator g 0", "usage: coordinator GROUP BROKER_ID"},
		{"a b c d e f g", "too many words"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(devbroker_control(f->mc, bad[i].line, err, sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i].says))
			fail_msg("'%s' said '%s', expected '%s'", bad[i].line, err, bad[i].says);
	}
	assert_int_equal(devbroker_control(f->mc, "", err, sizeof(err)), 0);
	assert_int_equal(devbroker_control(f->mc, "# a comment", err, sizeof(err)), 0);
}

static void test_queued_errors_reach_the_client(void **state)
{
	struct fixture *f = *state;
	char err[256];

	assert_int_equal(produce_one(f), RD_KAFKA_RESP_ERR_NO_ERROR);
	/* by name (with or without librdkafka's prefix) and by number */
	assert_int_equal(devbroker_control(f->mc, "errors Produce 1 MSG_SIZE_TOO_LARGE", err,
					   sizeof(err)),
			 0);
	assert_int_equal(produce_one(f), RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
	assert_int_equal(produce_one(f), RD_KAFKA_RESP_ERR_NO_ERROR);
	assert_int_equal(devbroker_control(f->mc, "errors 0 1 RD_KAFKA_RESP_ERR_INVALID_MSG", err,
					   sizeof(err)),
			 0);
	assert_int_equal(produce_one(f), RD_KAFKA_RESP_ERR_INVALID_MSG);
	/* queued and cleared: never seen */
	assert_int_equal(devbroker_control(f->mc, "errors produce 2 10", err, sizeof(err)), 0);
	assert_int_equal(devbroker_control(f->mc, "clear Produce", err, sizeof(err)), 0);
	assert_int_equal(produce_one(f), RD_KAFKA_RESP_ERR_NO_ERROR);
}

static void test_down_up_rtt_leader(void **state)
{
	struct fixture *f = *state;
	char err[256];

	assert_int_equal(devbroker_control(f->mc, "leader t 0 2", err, sizeof(err)), 0);
	assert_int_equal(devbroker_control(f->mc, "rtt 2 20", err, sizeof(err)), 0);
	assert_int_equal(produce_one(f), RD_KAFKA_RESP_ERR_NO_ERROR);
	assert_int_equal(devbroker_control(f->mc, "rtt 2 0", err, sizeof(err)), 0);
	assert_int_equal(devbroker_control(f->mc, "down 2", err, sizeof(err)), 0);
	assert_int_equal(devbroker_control(f->mc, "up 2", err, sizeof(err)), 0);
	assert_int_equal(produce_one(f), RD_KAFKA_RESP_ERR_NO_ERROR);
	assert_int_equal(devbroker_control(f->mc, "leader t 7 1", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "Unknown"));
	assert_int_equal(devbroker_control(f->mc, "coordinator some-group 3", err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refuses_with_reason),
		cmocka_unit_test(test_queued_errors_reach_the_client),
		cmocka_unit_test(test_down_up_rtt_leader),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
