#!/bin/sh
# Runs one libFuzzer target for a fixed time from a seed corpus, writing new
# inputs to a scratch dir (the seeds in the tree stay untouched).  Exit 0
# only when no crash, leak or sanitizer report was found.
#   run-fuzzer.sh FUZZER SECONDS SEED_DIR
set -eu
fuzzer=$1 secs=$2 seeds=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
exec "$fuzzer" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 \
	"$scratch" "$seeds"
