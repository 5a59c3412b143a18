#!/bin/sh
# Every plugin module in the build's plugins/ dir exports exactly one
# defined dynamic symbol: newsd_plugin_describe.  Skips (77) without nm.
# usage: exports.sh PLUGINDIR
dir=${1:?usage: exports.sh PLUGINDIR}
NM=${NM:-nm}
if ! command -v "$NM" >/dev/null 2>&1; then
	echo "SKIP: $NM not found"
	exit 77
fi
found=0
bad=0
for so in $(find "$dir" -name '*.so' -type f | sort); do
	found=$((found + 1))
	syms=$("$NM" -D --defined-only "$so" | awk 'NF >= 3 { print $3 }' | sort -u)
	if [ "$syms" != "newsd_plugin_describe" ]; then
		echo "FAIL: $so exports more (or other) than newsd_plugin_describe:"
		echo "$syms" | sed 's/^/    /'
		bad=$((bad + 1))
	else
		echo "ok: $so"
	fi
done
if [ "$found" -eq 0 ]; then
	echo "FAIL: no plugin .so under $dir"
	exit 1
fi
echo "$found plugin(s) checked, $bad bad"
[ "$bad" -eq 0 ]
