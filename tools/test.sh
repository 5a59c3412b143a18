#!/bin/sh
# README command 2 (and .ci/run): install what is missing, build, and run
# every test suite twice: a plain optimised build, and one under ASan +
# UBSan.  The libFuzzer targets run for a fixed time when clang is present.
# Prints one closing line "newsd tests: N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."

NEWSD_WITH_CLANG=1 sh tools/setup-deps.sh || exit 1
: "${NEWSD_SHARED:=$(cd .. && pwd)/shared}"
export NEWSD_SHARED

passed=0 failed=0 skipped=0 status=0
failures="" # one line per failed test: build dir, name, last lines of its output
tally() { # $1 = build dir: adds meson's counts from its last test run
	log="$1/meson-logs/testlog.txt"
	[ -f "$log" ] || return 0
	eval "$(awk '/^Ok:/ {ok=$2} /^Fail:/ {f=$2} /^Unexpected Pass:/ {u=$3} /^Timeout:/ {t=$2}
		/^Skipped:/ {s=$2} END {printf "ok=%d fl=%d sk=%d", ok, f+u+t, s}' "$log")"
	passed=$((passed + ok)); failed=$((failed + fl)); skipped=$((skipped + sk))
	# CI shows only the tail of this script's output: keep what failed for
	# the end, with the last lines each failed test printed
	json="$1/meson-logs/testlog.json"
	[ -f "$json" ] && command -v jq >/dev/null 2>&1 || return 0
	failures="$failures$(jq -r --arg dir "$1" 'select(.result != "OK" and .result != "SKIP")
		| "--- \($dir): \(.name) \(.result) after \(.duration | floor) s\n"
		+ ((.stdout // "") | split("\n") | .[-40:] | join("\n")) + "\n"
		+ ((.stderr // "") | split("\n") | .[-20:] | join("\n"))' "$json")
"
}
run_suite() { # $1 = build dir, $2 = meson test options, rest = meson setup options
	dir=$1; topts=$2; shift 2
	if [ -d "$dir" ]; then
		meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1
	else
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1
	fi || { cat "$dir.setup.log"; status=1; failed=$((failed + 1)); return; }
	ninja -C "$dir" || { status=1; failed=$((failed + 1)); return; }
	# shellcheck disable=SC2086
	meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 2 $topts || status=1
	tally "$dir"
}

echo "=== plain build"
run_suite build-test "" --buildtype=debugoptimized
echo "=== ASan + UBSan build"
run_suite build-test-asan "" --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
	-Dbenchmarks=false
if command -v clang >/dev/null 2>&1; then
	echo "=== fuzz targets (clang, libFuzzer)"
	# only the libFuzzer targets run here: the other suites ran above
	CC=clang run_suite build-test-fuzz "--suite fuzz" --buildtype=debug -Dfuzzers=true \
		-Dbenchmarks=false -Db_lundef=false
fi

if [ -n "$(printf %s "$failures" | tr -d '\n')" ]; then
	echo "=== failed tests (the end of what each printed)"
	printf '%s' "$failures"
fi
echo "newsd tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
