#!/bin/sh
# README command 1: install what is missing, build, start the embedded
# development broker, produce the demo articles, run the daemon until it
# has consumed everything, print the enriched records and dead letters, and
# stop the broker.
set -eu
cd "$(dirname "$0")/.."

sh tools/setup-deps.sh
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null

work=$(mktemp -d)
broker=""
cleanup() {
	[ -n "$broker" ] && kill "$broker" 2>/dev/null && wait "$broker" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

./build/daemon/newsd dev-broker -c config/newsd.yaml --bootstrap-file "$work/bootstrap" \
	>"$work/broker.log" 2>&1 &
broker=$!
i=0
while [ ! -s "$work/bootstrap" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$broker" 2>/dev/null; then
		echo "demo: the dev broker did not start:" >&2
		cat "$work/broker.log" >&2
		exit 1
	fi
	sleep 0.1
done
NEWSD_BROKERS=$(cat "$work/bootstrap")
export NEWSD_BROKERS
echo "== dev broker at $NEWSD_BROKERS"

echo "== producing $(wc -l <config/demo/articles.jsonl) demo messages to news.raw"
kcat -P -b "$NEWSD_BROKERS" -t news.raw -l config/demo/articles.jsonl

echo "== newsd run (exits when every partition is consumed and committed)"
NEWSD_LOG_LEVEL=${NEWSD_LOG_LEVEL:-info} ./build/daemon/newsd run -c config/newsd.yaml --exit-at-end

echo "== enriched records (news.enriched)"
kcat -C -b "$NEWSD_BROKERS" -t news.enriched -e -q -f '%s\n' | jq 'del(.text) + {text_start: (.text // "" | .[0:160])}'
echo "== dead letters (news.dead): headers, then the original payload"
kcat -C -b "$NEWSD_BROKERS" -t news.dead -e -q -f '%h\n%s\n\n'
