// DuckDB for the tests, from build/node (tests/npm.sh installs it there).
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../build/node/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

// A connection and a query helper: rows as JSON objects (BIGINT as strings).
export async function duck() {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  return async (q) => (await c.runAndReadAll(q)).getRowObjectsJson();
}
