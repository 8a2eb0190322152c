// Every row of every table of an export directory, read by DuckDB (strings
// must be valid UTF-8, the files well-formed). usage: node parquet_read_all.mjs DIR
import { readdirSync } from 'node:fs';
import { duck } from './duck.mjs';

const dir = process.argv[2];
const rows = await duck();
let n = 0;
for (const t of readdirSync(dir)) {
  const r = await rows(`select count(*)::int n from (select * from read_parquet('${dir}/${t}/*.parquet'))`);
  n += r[0].n;
}
console.log(`parquet_read_all: ${n} rows`);
