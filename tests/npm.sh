#!/bin/sh
# The test engines from the npm registry: DuckDB (@duckdb/node-api), into
# build/node/. Nothing is done when it is there; a failure is said, and the
# tests that need it skip loudly.
cd "$(dirname "$0")/.." || exit 1
D=build/node
[ -d "$D/node_modules/@duckdb/node-api" ] && exit 0
command -v npm >/dev/null || { echo "npm: not found: the SQL tests will skip" >&2; exit 0; }
mkdir -p "$D"
[ -f "$D/package.json" ] || echo '{"name":"schedtape-tests","private":true}' >"$D/package.json"
echo "npm: installing @duckdb/node-api into $D"
(cd "$D" && npm install --no-audit --no-fund --silent @duckdb/node-api@1.5.6-r.1 >/dev/null 2>npm.err) ||
	echo "npm: could not install @duckdb/node-api ($(tail -1 "$D/npm.err")): the SQL tests will skip" >&2
exit 0
