#!/bin/sh
# Installs the Debian 12 packages newsd needs to build, test and run the
# demo, if any is missing.  Idempotent; touches nothing but apt.  Needs no
# network except Debian's own package archive.
set -eu

PKGS="build-essential pkg-config meson ninja-build
librdkafka-dev libjansson-dev libyaml-dev libicu-dev libxml2-dev libxxhash-dev
libcmocka-dev zlib1g-dev kcat jq"
# clang + its runtime: the libFuzzer targets and the sanitizer build in CI
if [ "${NEWSD_WITH_CLANG:-0}" = 1 ]; then
	PKGS="$PKGS clang libclang-rt-14-dev"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "setup-deps: all packages present"
	exit 0
fi
echo "setup-deps: installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
