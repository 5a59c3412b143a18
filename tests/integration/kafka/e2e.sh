#!/usr/bin/env bash
# e2e.sh NEWSD KTOOL MODE — newsd against its dev broker, both as separate
# processes started here; ktool seeds the input and reads back the result.
#
#   basic    10,000 messages (1% malformed) produced while the daemon
#            consumes: output + dead letters == input, by id, no duplicate,
#            dead letters carry the original payload, committed offsets reach
#            the end of every partition.
#   sigkill  the same, the daemon SIGKILLed mid-stream and restarted: nothing
#            lost; duplicates are counted and printed (allowed).
#   sigterm  a SIGTERM mid-stream: exit 0, the committed offsets cover
#            exactly what was written out (nothing processed and uncommitted,
#            nothing committed and unprocessed); a restart finishes the rest
#            with no duplicate at all.
#   backpressure  3,000 messages (1% malformed) preloaded, in-flight records
#            bounded at 32 (batches of 16): partitions are paused and resumed
#            all along; nothing lost, nothing repeated, offsets at the end.
#   faults   the same 10,000 messages while the dev broker injects faults
#            through its control FIFO: produce, fetch and offset-commit
#            requests answered with retriable errors, 200 ms of latency on
#            every broker, partition leaders moved (the input off broker 2,
#            the output and the group's coordinator onto it), then broker 2
#            down for longer than the output's message.timeout.ms and the
#            consumer's session, and up again: failed deliveries are
#            produced again, the partitions lost while paused are fetched
#            again once assigned, nothing lost, offsets at the end;
#            duplicates are counted and printed (allowed).
#   scaleout a second daemon joins the group mid-stream: the cooperative
#            rebalance moves partitions to it; the first one finishes and
#            commits what it gives up, so there is no duplicate at all, and
#            both wrote records.
#
# Data stays far below the mock's ~5 MiB per partition (about 0.5 MiB per
# input partition).  Waiting loops have generous bounds and fail with a
# message; nothing asserts on time.
set -euo pipefail

NEWSD=$1
KTOOL=$2
MODE=$3
N=10000
[ "$MODE" = backpressure ] && N=3000
W=$(mktemp -d "${TMPDIR:-/tmp}/newsd-e2e-$MODE.XXXXXX")
GROUP="e2e-$MODE-$$"
BROKER_PID=
DAEMON_PID=
DAEMON2_PID=
PRODUCER_PID=
DAEMON_RUNS=0

log() { echo "[$MODE] $*"; }

cleanup() {
	local rc=$?
	for p in $PRODUCER_PID $DAEMON_PID $DAEMON2_PID; do
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ -n "$BROKER_PID" ]; then
		kill -TERM "$BROKER_PID" 2>/dev/null || true
		wait "$BROKER_PID" 2>/dev/null || true
	fi
	if [ $rc -ne 0 ]; then
		echo "---- work dir $W (kept)"
		for f in "$W"/daemon*.log "$W"/broker.log; do
			[ -f "$f" ] && { echo "---- tail $f"; tail -n 25 "$f"; }
		done
	else
		[ -n "${E2E_KEEP:-}" ] || rm -rf "$W"
	fi
	exit $rc
}
trap cleanup EXIT

fail() {
	echo "[$MODE] FAIL: $*" >&2
	exit 1
}

# wait_until SECONDS WHAT COMMAND...: polls every 0.2 s.
wait_until() {
	local limit=$1 what=$2
	shift 2
	local i=0
	while ! "$@"; do
		i=$((i + 1))
		[ $i -gt $((limit * 5)) ] && fail "waited ${limit}s for $what"
		sleep 0.2
	done
}

# ---- broker ----
CONTROL=()
[ "$MODE" = faults ] && CONTROL=(--control "$W/ctl")
"$NEWSD" dev-broker --brokers 3 --partitions 6 --bootstrap-file "$W/bs" "${CONTROL[@]}" \
	--topic in:6 --topic out:6 --topic dlq:6 >"$W/broker.out" 2>"$W/broker.log" &
BROKER_PID=$!
wait_until 30 "the dev broker's bootstrap file" test -s "$W/bs"
BS=$(cat "$W/bs")
log "dev broker $BROKER_PID at $BS"

cat >"$W/cfg.yaml" <<EOF
log_level: ${E2E_LOG_LEVEL:-info}
workers: 2
input:
  format: json
  kafka:
    brokers: $BS
    topics: [in]
    group_id: $GROUP
    properties:
      session.timeout.ms: 6000
      heartbeat.interval.ms: 500
      fetch.wait.max.ms: 20
$([ -n "${E2E_RDKAFKA_DEBUG:-}" ] && echo "      debug: $E2E_RDKAFKA_DEBUG")
output:
  topic: out
  dead_letter_topic: dlq
$([ "$MODE" = faults ] && printf '  kafka:\n    properties:\n      message.timeout.ms: 2000\n')
limits:
  max_in_flight: $([ "$MODE" = backpressure ] && echo 32 || echo 2000)
  batch_size: $([ "$MODE" = backpressure ] && echo 16 || echo 128)
pipeline:
  - plugin: example
EOF

start_daemon() {
	DAEMON_RUNS=$((DAEMON_RUNS + 1))
	"$NEWSD" run -c "$W/cfg.yaml" >"$W/daemon$DAEMON_RUNS.out" 2>"$W/daemon$DAEMON_RUNS.log" &
	DAEMON_PID=$!
	log "daemon run $DAEMON_RUNS: pid $DAEMON_PID"
}
assigned() { grep -q "assigned" "$W/daemon$DAEMON_RUNS.log"; }
daemon_alive() { kill -0 "$DAEMON_PID" 2>/dev/null; }
count() { "$KTOOL" count -b "$BS" -t "$1"; }
written() { echo $(($(count out) + $(count dlq))); }
lag() { "$KTOOL" committed -b "$BS" -g "$GROUP" -t in | awk '$1 == "lag" { print $2 }'; }
committed_sum() {
	"$KTOOL" committed -b "$BS" -g "$GROUP" -t in |
		awk '$1 != "lag" && $2 > 0 { s += $2 } END { print s + 0 }'
}
caught_up() {
	daemon_alive || fail "daemon exited early (see $W/daemon$DAEMON_RUNS.log)"
	# under faults the input topic is what the broker kept (see below)
	[ -z "$PRODUCER_PID" ] && { [ "$MODE" = faults ] || [ "$(count in)" -eq $N ]; } &&
		[ "$(lag)" -eq 0 ]
}
at_least_written() { daemon_alive || fail "daemon exited early"; [ "$(written)" -ge "$1" ]; }
producer_done() {
	if [ -n "$PRODUCER_PID" ] && ! kill -0 "$PRODUCER_PID" 2>/dev/null; then
		wait "$PRODUCER_PID" || fail "ktool produce failed"
		PRODUCER_PID=
	fi
	[ -z "$PRODUCER_PID" ]
}
caught_up_all() { producer_done && caught_up; }
fault() { # one command to the dev broker; waits until it is logged as applied
	local before
	before=$(grep -c "control: $1: ok" "$W/broker.log" || true)
	echo "$1" >"$W/ctl"
	wait_until 30 "the dev broker to apply '$1'" \
		test "$(grep -c "control: $1: ok" "$W/broker.log" || true)" -gt "$before"
	log "fault: $1" # (no count here: a broker that is down answers nobody)
}
stop_daemon() { # SIGTERM, expect exit 0
	kill -TERM "$DAEMON_PID"
	local rc=0
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	[ $rc -eq 0 ] || fail "daemon exited with $rc after SIGTERM"
}

# ---- run ----
start_daemon
[ "$MODE" = backpressure ] || wait_until 60 "the daemon's first assignment" assigned
RATE=2000
[ "$MODE" = backpressure ] && RATE=0 # all there before the first assignment
[ "$MODE" = scaleout ] && RATE=500 # still producing when the second member gets partitions
[ "$MODE" = faults ] && RATE=500    # still producing while the faults last
"$KTOOL" produce -b "$BS" -t in -n $N --malformed-every 100 --rate $RATE >"$W/produced.tsv" &
PRODUCER_PID=$!

case "$MODE" in
basic | backpressure) ;;
faults)
	wait_until 90 "1,000 records written" at_least_written 1000
	fault "errors Produce 30 NOT_LEADER_FOR_PARTITION"
	fault "errors Fetch 10 NOT_LEADER_FOR_PARTITION"
	fault "errors OffsetCommit 5 COORDINATOR_NOT_AVAILABLE"
	fault "rtt -1 200"
	# a fixed time, not an output count: reading the output under 200 ms of
	# latency is slow (under ASan the count came after the input had all
	# been written, and the outage below found nothing in flight)
	sleep 3
	fault "rtt -1 0"
	# leaders move: the input off broker 2 (so it keeps flowing during the
	# outage), every output partition onto it (so every delivery in the
	# outage fails, whatever the timing)
	for p in 0 1 2 3 4 5; do
		fault "leader in $p $((p % 2 ? 1 : 3))"
		fault "leader out $p 2"
	done
	# and the group's coordinator too: the outage outlasts the session, the
	# partitions are lost while paused and assigned again (librdkafka keeps
	# a partition's pause across that: newsd must resume them)
	fault "coordinator $GROUP 2"
	fault "down 2"
	# longer than the output's message.timeout.ms (2 s): deliveries fail
	# and the daemon must produce them again, never commit past them; and
	# longer than the session (6 s): the group's partitions are lost
	sleep 8
	fault "up 2"
	;;
sigkill)
	wait_until 90 "2,000 records written" at_least_written 2000
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
	log "SIGKILL with $(written) of $N records written, committed lag $(lag) at that moment"
	start_daemon
	;;
sigterm)
	wait_until 90 "1,500 records written" at_least_written 1500
	stop_daemon
	w=$(written)
	c=$(committed_sum)
	log "SIGTERM: $w records written, committed offsets sum to $c"
	[ "$w" -eq "$c" ] || fail "committed offsets ($c) differ from records written ($w)"
	[ "$w" -lt $N ] || log "note: everything was written before the SIGTERM"
	start_daemon
	;;
scaleout)
	wait_until 90 "1,000 records written" at_least_written 1000
	FIRST_PID=$DAEMON_PID
	start_daemon
	DAEMON2_PID=$DAEMON_PID
	wait_until 90 "the second member's assignment" assigned
	log "second member assigned with $(written) of $N records written"
	DAEMON_PID=$FIRST_PID
	wait_until 150 "committed offsets at the end of every partition" caught_up_all
	stop_daemon
	DAEMON_PID=$DAEMON2_PID
	DAEMON2_PID=
	;;
*) fail "unknown mode $MODE" ;;
esac

wait_until 150 "committed offsets at the end of every partition" caught_up_all
stop_daemon
[ "$(lag)" -eq 0 ] || fail "committed offsets moved back after shutdown"
if [ "$MODE" = backpressure ]; then
	pauses=$(sed -n 's/.*"kafka.pauses":\([0-9]*\).*/\1/p' "$W/daemon1.log")
	log "partitions paused ${pauses:-0} times"
	[ "${pauses:-0}" -gt 0 ] || fail "the in-flight bound of 32 never paused the partitions"
fi

# ---- check content ----
"$KTOOL" read -b "$BS" -t out >"$W/out.tsv" || fail "reading out (low watermark moved?)"
"$KTOOL" read -b "$BS" -t dlq >"$W/dlq.tsv" || fail "reading dlq (low watermark moved?)"
[ "$(wc -l <"$W/produced.tsv")" -eq $N ] || fail "ktool produced $(wc -l <"$W/produced.tsv") of $N"

cut -f1 "$W/produced.tsv" | sort >"$W/in.ids"
awk -F'\t' '$2 == "bad" { print $1 }' "$W/produced.tsv" | sort >"$W/bad.ids"
if [ "$MODE" = faults ]; then
	# The mock has been seen to keep fewer messages than ktool's producer had
	# acknowledged while faults were injected (librdkafka 2.0.2's mock is
	# not a replicated log).  newsd is judged on what the input topic holds.
	"$KTOOL" read -b "$BS" -t in | cut -f1 | sort -u >"$W/in.kept" || fail "reading in"
	gone=$(comm -23 "$W/in.ids" "$W/in.kept" | wc -l)
	[ "$gone" -eq 0 ] || log "note: the dev broker kept $(wc -l <"$W/in.kept") of the $N" \
		"messages ktool produced; the $gone others never reached newsd"
	mv "$W/in.kept" "$W/in.ids"
	comm -12 "$W/bad.ids" "$W/in.ids" >"$W/bad.kept"
	mv "$W/bad.kept" "$W/bad.ids"
fi
nbad=$(wc -l <"$W/bad.ids")
cut -f1 "$W/out.tsv" | sort >"$W/out.all"
cut -f1 "$W/dlq.tsv" | sort >"$W/dlq.all"
sort -u "$W/out.all" >"$W/out.ids"
sort -u "$W/dlq.all" >"$W/dlq.ids"
dup_out=$(($(wc -l <"$W/out.all") - $(wc -l <"$W/out.ids")))
dup_dlq=$(($(wc -l <"$W/dlq.all") - $(wc -l <"$W/dlq.ids")))
both=$(comm -12 "$W/out.ids" "$W/dlq.ids" | wc -l)
sort -m "$W/out.ids" "$W/dlq.ids" >"$W/written.ids"
lost=$(comm -23 "$W/in.ids" "$W/written.ids" | wc -l)
extra=$(comm -13 "$W/in.ids" "$W/written.ids" | wc -l)

log "input $(wc -l <"$W/in.ids") (malformed $(wc -l <"$W/bad.ids")), output $(wc -l <"$W/out.ids") ids" \
	"($(wc -l <"$W/out.all") records), dead letters $(wc -l <"$W/dlq.ids") ids" \
	"($(wc -l <"$W/dlq.all") records), lost $lost, unknown $extra, in both $both," \
	"duplicates: output $dup_out, dead letters $dup_dlq"

[ "$lost" -eq 0 ] || fail "$lost input ids are neither in the output nor dead-lettered: $(comm -23 "$W/in.ids" "$W/written.ids" | head -5 | tr '\n' ' ')"
[ "$extra" -eq 0 ] || fail "$extra ids written that were never produced"
[ "$both" -eq 0 ] || fail "$both ids both in the output and dead-lettered"
cmp -s "$W/dlq.ids" "$W/bad.ids" || fail "dead-lettered ids differ from the malformed ones"
[ "$MODE" = faults ] || [ "$nbad" -eq $((N / 100)) ] || fail "expected $((N / 100)) malformed messages"

# dead letters carry the original payload (same hash) and a reason header
join -t $'\t' <(awk -F'\t' '$2 == "bad" { print $1 "\t" $3 }' "$W/produced.tsv" | sort) \
	<(cut -f1,2 "$W/dlq.tsv" | sort -u) >"$W/dlq.join"
mismatch=$(awk -F'\t' '$2 != $3' "$W/dlq.join" | wc -l)
[ "$(wc -l <"$W/dlq.join")" -eq "$nbad" ] || fail "dead letters do not match the malformed messages"
[ "$mismatch" -eq 0 ] || fail "$mismatch dead letters differ from the original payload"
noreason=$(awk -F'\t' '$5 == "-" || $5 == ""' "$W/dlq.tsv" | wc -l)
[ "$noreason" -eq 0 ] || fail "$noreason dead letters without a reason header"

case "$MODE" in
basic | sigterm | scaleout | backpressure)
	[ "$dup_out" -eq 0 ] && [ "$dup_dlq" -eq 0 ] ||
		fail "duplicates without a crash: output $dup_out, dead letters $dup_dlq"
	;;
esac
if [ "$MODE" = scaleout ]; then
	for r in 1 2; do
		share=$(sed -n 's/.*"records.input":\([0-9]*\).*/\1/p' "$W/daemon$r.log")
		log "member $r processed ${share:-0} records"
		[ "${share:-0}" -gt 0 ] || fail "member $r got no share of the input"
	done
fi
case "$MODE" in
sigkill)
	log "redelivered after SIGKILL (duplicates, allowed): $((dup_out + dup_dlq))"
	;;
faults)
	log "redelivered under faults (duplicates, allowed): $((dup_out + dup_dlq))"
	grep -h "^newsd metrics:" "$W"/daemon*.log | sed 's/^/[faults] /' || true
	failed=$(sed -n 's/.*"kafka.delivery_failures":\([0-9]*\).*/\1/p' "$W/daemon1.log")
	[ "${failed:-0}" -gt 0 ] || fail "the outage made no delivery fail: the retry path was not exercised"
	;;
*) ;;
esac
log "PASS"
