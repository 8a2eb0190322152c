#!/bin/sh
# The test engines from the npm registry, into build/node/: DuckDB (@duckdb/node-api) for
# the SQL tests, playwright-core to drive Debian's chromium for the report tests. Nothing is
# done for what is there; a failure is said, and the tests that need it skip loudly.
cd "$(dirname "$0")/.." || exit 1
D=build/node
command -v npm >/dev/null || { echo "npm: not found: the SQL and report tests will skip" >&2; exit 0; }
mkdir -p "$D"
[ -f "$D/package.json" ] || echo '{"name":"schedtape-tests","private":true}' >"$D/package.json"
for spec in @duckdb/node-api@1.5.6-r.1:SQL playwright-core@1.65.1:report; do
	pkg=${spec%%:*} what=${spec##*:}
	name=${pkg%@*}
	[ -d "$D/node_modules/$name" ] && continue
	echo "npm: installing $pkg into $D"
	(cd "$D" && npm install --no-audit --no-fund --silent "$pkg" >/dev/null 2>npm.err) ||
		echo "npm: could not install $pkg ($(tail -1 "$D/npm.err")): the $what tests will skip" >&2
done
exit 0
