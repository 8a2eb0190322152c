// Read tests/tools/mkparquet's files with DuckDB and recompute every value
// from mkparquet's formulas. usage: node parquet_check.mjs DIR
import { duck } from './duck.mjs';

const dir = process.argv[2];
const rows = await duck();
let failures = 0;
const fail = (m) => { failures++; if (failures <= 10) console.error('parquet_check: ' + m); };

function utf8Fix(bytes) {
  // '?' for each byte of an invalid sequence, as schedtape's table layer does.
  const out = [];
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    let n = b < 0x80 ? 1 : (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 0;
    let ok = n > 0 && i + n <= bytes.length;
    for (let k = 1; ok && k < n; k++) ok = (bytes[i + k] & 0xc0) === 0x80;
    if (ok && n === 2) ok = b >= 0xc2;
    if (ok && n === 3) {
      const cp = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      ok = cp >= 0x800 && !(cp >= 0xd800 && cp <= 0xdfff);
    }
    if (ok && n === 4) {
      const cp = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
      ok = cp >= 0x10000 && cp <= 0x10ffff;
    }
    if (!ok) { out.push(0x3f); i++; continue; }
    for (let k = 0; k < n; k++) out.push(bytes[i + k]);
    i += n;
  }
  return Buffer.from(out).toString('utf8');
}

for (const ext of ['parquet', 'csv']) {
  const src = ext === 'parquet' ? `'${dir}/kinds.parquet'`
    : `read_csv('${dir}/kinds.csv', header=true, quote='"', escape='"', columns={'i':'BIGINT','d':'BIGINT','od':'BIGINT','t':'TIMESTAMP_NS','b':'BOOLEAN','ob':'BOOLEAN','s':'VARCHAR','os':'VARCHAR'})`;
  const got = await rows(`select i::varchar i, d::varchar d, od::varchar od, epoch_ns(t)::varchar t, b, ob, s, os from ${src}`);
  if (got.length !== 1000) fail(`${ext}: ${got.length} rows, not 1000`);
  for (let r = 0; r < got.length; r++) {
    const g = got[r];
    const want = {
      i: String(BigInt(r) * 2654435761n % 1000003n - 500000n),
      d: r === 500 ? String(-(2n ** 63n) + 5n) : String(BigInt(r) * 1000n + BigInt(r % 7)),
      od: r % 3 === 0 ? null : String(-BigInt(r) * BigInt(r)),
      t: String(1700000000123456789n + BigInt(r) * 1001n),
      b: r % 5 === 1,
      ob: r % 4 === 3 ? null : r % 2 === 0,
      s: 'v' + (r % 13),
      os: r % 6 === 5 ? null : r % 2 ? '"quoted, comma"' : 'line\nbreak é',
    };
    for (const k of Object.keys(want))
      if (g[k] !== want[k]) fail(`${ext} row ${r} ${k}: ${JSON.stringify(g[k])}, not ${JSON.stringify(want[k])}`);
  }
  const bsrc = ext === 'parquet' ? `'${dir}/bytes.parquet'`
    : `read_csv('${dir}/bytes.csv', header=true, quote='"', escape='"', columns={'n':'BIGINT','s':'VARCHAR'}, strict_mode=false)`;
  const bytes = await rows(`select n::int n, s from ${bsrc} order by n`);
  for (const g of bytes) {
    const n = g.n, raw = [];
    for (let k = 0; k < n % 40; k++) raw.push((n + k) & 0xff);
    const want = utf8Fix(raw);
    // CSV readers take a field's \r\n as data only inside quotes; both keep the bytes.
    if (g.s !== want && !(ext === 'csv' && n % 40 === 0 && g.s === null))
      fail(`${ext} bytes row ${n}: ${JSON.stringify(g.s)}, not ${JSON.stringify(want)}`);
  }
  if (bytes.length !== 512) fail(`${ext}: bytes has ${bytes.length} rows`);
}
const empty = await rows(`select count(*)::int n from '${dir}/empty.parquet'`);
if (empty[0].n !== 0) fail('empty.parquet is not empty');
const meta = await rows(`select row_group_id::int g, path_in_schema p, compression, encodings, stats_min_value mn, stats_max_value mx, stats_null_count::int nnull from parquet_metadata('${dir}/kinds.parquet')`);
const groups = new Set(meta.map((m) => m.g));
if (groups.size !== Math.ceil(1000 / 7)) fail(`${groups.size} row groups, not ${Math.ceil(1000 / 7)}`);
for (const m of meta) {
  if (m.compression !== 'ZSTD') fail(`column ${m.p} group ${m.g}: ${m.compression}`);
  if (m.p === 'd' && !m.encodings.includes('DELTA_BINARY_PACKED')) fail(`d: ${m.encodings}`);
  if (m.p === 's' && !m.encodings.includes('RLE_DICTIONARY')) fail(`s: ${m.encodings}`);
}
const g0 = meta.filter((m) => m.g === 0);
const by = Object.fromEntries(g0.map((m) => [m.p, m]));
// Rows 0..6: i's min and max, od's nulls (rows 0, 3, 6), s's min/max.
const iv = [0, 1, 2, 3, 4, 5, 6].map((r) => BigInt(r) * 2654435761n % 1000003n - 500000n);
const lo = iv.reduce((a, b) => (b < a ? b : a)), hi = iv.reduce((a, b) => (b > a ? b : a));
if (by.i.mn !== String(lo) || by.i.mx !== String(hi)) fail(`i stats ${by.i.mn}..${by.i.mx}, not ${lo}..${hi}`);
if (by.od.nnull !== 3) fail(`od null count ${by.od.nnull}, not 3`);
if (by.s.mn !== 'v0' || by.s.mx !== 'v6') fail(`s stats ${by.s.mn}..${by.s.mx}`);
// The statistics let DuckDB skip row groups: a filter on i reads few.
const skip = await rows(`select count(*)::int n from '${dir}/kinds.parquet' where d between 7000 and 7006`);
if (skip[0].n !== 1) fail(`d filter found ${skip[0].n} rows`);
console.log(`parquet_check: ${failures ? failures + ' FAILURES' : 'OK'} (${meta.length} column chunks)`);
process.exit(failures ? 1 : 0);
