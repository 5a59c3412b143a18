#!/usr/bin/env bash
# dedup.sh NEWSD KTOOL MODE — the deduper's state on Kafka, end to end, with
# the daemon(s) and the dev broker as separate processes.
#
#   restart  300 stories are processed; the daemon is SIGKILLed and started
#            again (it replays newsd.state.deduper); then 150 exact and 150
#            near copies of those stories, under new ids, must all be judged
#            duplicate / near_duplicate of their original.  The deduper runs
#            with action: drop here, so the copies must land on the
#            duplicates topic and only the stories on the output topic.
#   twoinst  two daemons in one group; 300 stories, then (once they are
#            committed and a follow allowance has passed) 300 copies spread
#            over every partition: all caught, whichever member processed the
#            original.  Then 100 stories and their exact copies are produced
#            at the same moment: pairs that both members accepted as unique
#            measure the race window (printed, not asserted).
set -euo pipefail

NEWSD=$1
KTOOL=$2
MODE=$3
W=$(mktemp -d "${TMPDIR:-/tmp}/newsd-dedup-$MODE.XXXXXX")
GROUP="dedup-$MODE-$$"
BROKER_PID=
PIDS=()
RUNS=0

log() { echo "[dedup-$MODE] $*"; }
fail() {
	echo "[dedup-$MODE] FAIL: $*" >&2
	exit 1
}

cleanup() {
	local rc=$?
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ -n "$BROKER_PID" ]; then
		kill -TERM "$BROKER_PID" 2>/dev/null || true
		wait "$BROKER_PID" 2>/dev/null || true
	fi
	if [ $rc -ne 0 ]; then
		echo "---- work dir $W (kept)"
		for f in "$W"/daemon*.log "$W"/broker.log; do
			[ -f "$f" ] && { echo "---- tail $f"; tail -n 20 "$f"; }
		done
	else
		rm -rf "$W"
	fi
	exit $rc
}
trap cleanup EXIT

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

"$NEWSD" dev-broker --brokers 3 --partitions 6 --bootstrap-file "$W/bs" \
	--topic in:6 --topic out:6 --topic dlq:6 --topic dups:6 --topic newsd.state.deduper:4 \
	>"$W/broker.out" 2>"$W/broker.log" &
BROKER_PID=$!
wait_until 30 "the dev broker's bootstrap file" test -s "$W/bs"
BS=$(cat "$W/bs")

cat >"$W/cfg.yaml" <<EOF
log_level: info
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
output:
  topic: out
  dead_letter_topic: dlq
  duplicates_topic: dups
state:
  topic_prefix: newsd.state.
pipeline:
  - plugin: deduper
    config:
      action: $([ "$MODE" = restart ] && echo drop || echo tag)
EOF

start_daemon() { # prints nothing; appends the pid to PIDS
	RUNS=$((RUNS + 1))
	"$NEWSD" run -c "$W/cfg.yaml" >"$W/daemon$RUNS.out" 2>"$W/daemon$RUNS.log" &
	PIDS+=($!)
	log "daemon run $RUNS: pid $!"
}
assigned() { grep -q "assigned" "$W/daemon$1.log"; }
lag_zero() {
	for p in "${PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || fail "a daemon exited early"
	done
	[ "$("$KTOOL" count -b "$BS" -t in)" -eq "$1" ] &&
		[ "$("$KTOOL" committed -b "$BS" -g "$GROUP" -t in | awk '$1 == "lag" { print $2 }')" -eq 0 ]
}
produce() { # PREFIX START N [--edit]
	local prefix=$1 start=$2 n=$3
	shift 3
	"$KTOOL" produce -b "$BS" -t in -n "$n" --start "$start" --prefix "$prefix" --size 700 "$@" \
		>>"$W/produced.tsv" || fail "ktool produce failed"
}
stop_all() {
	for p in "${PIDS[@]}"; do
		kill -TERM "$p"
	done
	for p in "${PIDS[@]}"; do
		local rc=0
		wait "$p" || rc=$?
		[ $rc -eq 0 ] || fail "daemon $p exited with $rc after SIGTERM"
	done
	PIDS=()
}

case "$MODE" in
restart)
	start_daemon
	wait_until 60 "the first assignment" assigned 1
	produce s 0 300
	wait_until 90 "the stories to be committed" lag_zero 300
	kill -KILL "${PIDS[0]}"
	wait "${PIDS[0]}" 2>/dev/null || true
	PIDS=()
	log "SIGKILL after 300 stories; state log holds $("$KTOOL" count -b "$BS" -t newsd.state.deduper) entries"
	start_daemon
	wait_until 60 "the restarted daemon's assignment" assigned 2
	grep -q "stories remembered from the state log" "$W/daemon2.log" ||
		fail "the restarted deduper did not report its replay"
	grep "stories remembered" "$W/daemon2.log" | sed 's/^.*\] /  /'
	produce c 0 150
	produce e 150 150 --edit
	wait_until 90 "the copies to be committed" lag_zero 600
	stop_all
	;;
twoinst)
	start_daemon
	start_daemon
	wait_until 60 "member 1's assignment" assigned 1
	wait_until 60 "member 2's assignment" assigned 2
	produce s 0 300
	wait_until 90 "the stories to be committed" lag_zero 300
	# every accepted story is in the state log once it is committed; each
	# member's reader fetches it within its fetch.wait.max.ms (50 ms).  The
	# allowance is the documented cross-instance lag, with room for a loaded
	# CI machine under ASan (the test measures verdicts, not time).
	sleep 5
	produce c 0 150
	produce e 150 150 --edit
	wait_until 90 "the copies to be committed" lag_zero 600
	produce r 1000 100
	produce q 1000 100 # exact copies, produced right behind their originals
	wait_until 90 "the simultaneous pairs to be committed" lag_zero 800
	stop_all
	for r in 1 2; do
		share=$(sed -n 's/.*"records.input":\([0-9]*\).*/\1/p' "$W/daemon$r.log")
		log "member $r processed ${share:-0} records"
		[ "${share:-0}" -gt 0 ] || fail "member $r got no share of the input"
	done
	;;
*) fail "unknown mode $MODE" ;;
esac

"$KTOOL" read -b "$BS" -t out --field dedup.status --field dedup.of >"$W/out.tsv" ||
	fail "reading out (low watermark moved?)"
"$KTOOL" read -b "$BS" -t dups --field dedup.status --field dedup.of >"$W/dups.tsv" ||
	fail "reading dups (low watermark moved?)"
if [ "$MODE" = restart ]; then # action: drop
	wrong=$(awk -F'\t' '$1 !~ /^s/' "$W/out.tsv" | wc -l)
	[ "$wrong" -eq 0 ] || fail "$wrong copies on the output topic under action: drop"
	wrong=$(awk -F'\t' '$1 !~ /^[ce]/ || $5 == "-"' "$W/dups.tsv" | wc -l)
	[ "$wrong" -eq 0 ] || fail "$wrong unexpected records (or no reason header) on the duplicates topic"
	cat "$W/dups.tsv" >>"$W/out.tsv"
else
	[ "$(wc -l <"$W/dups.tsv")" -eq 0 ] || fail "records on the duplicates topic under action: tag"
fi
dead=$("$KTOOL" count -b "$BS" -t dlq)
if [ "$dead" -ne 0 ]; then
	"$KTOOL" read -b "$BS" -t dlq | cut -f1,5 | sort | uniq -c -f1 | head -5
	fail "$dead dead letters"
fi

# id  status  of   (one line per id: a redelivered id keeps its verdict)
cut -f1,6,7 "$W/out.tsv" | sort -u >"$W/verdicts"
dupids=$(cut -f1 "$W/verdicts" | uniq -d | wc -l)
[ "$dupids" -eq 0 ] || fail "$dupids ids got different verdicts on redelivery"
awk -F'\t' '
	$1 ~ /^s/ && $2 != "unique" { bad++; print "original " $1 " is " $2 " of " $3 }
	$1 ~ /^c/ { n = substr($1, 2) + 0; if ($2 != "duplicate" || $3 != sprintf("s%07d", n)) { bad++; print "exact copy " $1 ": " $2 " of " $3 } else exact++ }
	$1 ~ /^e/ { n = substr($1, 2) + 0; if (($2 != "near_duplicate" && $2 != "duplicate") || $3 != sprintf("s%07d", n)) { bad++; print "near copy " $1 ": " $2 " of " $3 } else near++ }
	END { printf "caught: %d exact copies, %d near copies; wrong: %d\n", exact, near, bad; exit bad > 0 }
' "$W/verdicts" || fail "copies not caught (above)"
[ "$(grep -c '^[ce]' "$W/verdicts")" -eq 300 ] || fail "expected 300 copies in the output"

if [ "$MODE" = twoinst ]; then
	awk -F'\t' '
		$1 ~ /^r/ { orig[substr($1, 2)] = $2 }
		$1 ~ /^q/ { copy[substr($1, 2)] = $2 }
		END {
			for (k in copy) { n++; if (orig[k] == "unique" && copy[k] == "unique") both++ }
			printf "race window: %d of %d story/copy pairs produced together were both accepted as unique\n", both, n
		}' "$W/verdicts"
fi
log "PASS"
