// The SQL export of one trace, read by DuckDB, against the CLI of the same
// trace: per-thread time by state and queue wait equal `states --json`, every
// wakeup's waker equals `timeline --json`, off-CPU time per stack agrees with
// `offcpu`, the Parquet metadata has statistics and zstd, and the CSV export
// gives the same sums. usage: node sql_check.mjs SCHEDTAPE TAPE PARQUET_DIR [CSV_DIR]
import { execFileSync } from 'node:child_process';
import { duck } from './duck.mjs';

const [st, tape, dir, csv] = process.argv.slice(2);
const rows = await duck();
const cli = (...a) => execFileSync(st, a, { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
let failures = 0;
const fail = (m) => { failures++; if (failures <= 12) console.error('sql_check: ' + m); };

const [tr] = await rows(`select trace_id, epoch_ns(start)::varchar s from '${dir}/trace/*.parquet' where file = '${tape}'`);
if (!tr) { console.error(`sql_check: no trace row for ${tape}`); process.exit(1); }
const id = tr.trace_id, t0 = BigInt(tr.s);
const where = `where trace_id = '${id}'`;
for (const t of ['trace', 'thread', 'interval', 'stack', 'frame', 'loss'])
  await rows(`select count(*) from '${dir}/${t}/*.parquet'`); // every table reads

const states = JSON.parse(cli('states', '--json', tape));
const sums = await rows(`select tid::int tid, generation::int g, state, sum(dur)::varchar ns, sum(queue_wait_ns)::varchar q
  from '${dir}/interval/*.parquet' ${where} group by all`);
const by = new Map(sums.map((r) => [`${r.tid}/${r.g}/${r.state}`, r]));
const keys = { running: 'run_ns', runnable: 'runnable_ns', sleep: 'sleep_ns', block: 'block_ns', unknown: 'unknown_ns' };
for (const th of states.threads) {
  for (const [state, key] of Object.entries(keys)) {
    const got = by.get(`${th.tid}/${th.generation}/${state}`);
    if (String(got ? got.ns : 0) !== String(th[key]))
      fail(`tid ${th.tid} gen ${th.generation} ${state}: ${got ? got.ns : 0} in SQL, ${th[key]} in states`);
  }
  if (th.queue_wait_ns !== null) {
    const got = by.get(`${th.tid}/${th.generation}/runnable`);
    if (String(got && got.q !== null ? got.q : 0) !== String(th.queue_wait_ns))
      fail(`tid ${th.tid}: queue wait ${got ? got.q : 0} in SQL, ${th.queue_wait_ns} in states`);
  }
}
const [cnt] = await rows(`select count(*)::int n from '${dir}/thread/*.parquet' ${where}`);
if (cnt.n < states.threads.length) fail(`${cnt.n} threads in SQL, ${states.threads.length} in states`);
// Each thread's cgroup and container, as states has them.
const cg = new Map((await rows(`select tid::int tid, generation::int g, cgroup, container
  from '${dir}/thread/*.parquet' ${where}`)).map((r) => [`${r.tid}/${r.g}`, r]));
let cgroups = 0;
for (const th of states.threads) {
  const r = cg.get(`${th.tid}/${th.generation}`);
  if (!r) { fail(`thread ${th.tid}/${th.generation} not in SQL`); continue; }
  if (r.cgroup !== th.cgroup || r.container !== th.container)
    fail(`thread ${th.tid}: SQL cgroup ${r.cgroup} / ${r.container}, states ${th.cgroup} / ${th.container}`);
  cgroups += r.cgroup !== null;
}

// Wakers: every woken sleep of timeline's in SQL with the same waker, and no other.
const tids = [...new Set(states.threads.map((t) => t.tid))];
let wakeups = 0;
for (let i = 0; i < tids.length; i += 64) {
  const batch = tids.slice(i, i + 64);
  const tl = JSON.parse(cli('timeline', '--json', '-t', batch.join(','), tape));
  const want = tl.intervals.filter((x) => (x.state === 'sleep' || x.state === 'block') && 'waker_tid' in x)
    .map((x) => `${x.tid} ${x.start_ns} ${x.duration_ns} ${x.waker_tid} ${x.waker_ctx}`).sort();
  const got = (await rows(`select tid::int tid, (epoch_ns(ts) - ${t0})::varchar s, dur::varchar d, waker_tid::int w, waker_context c
    from '${dir}/interval/*.parquet' ${where} and tid in (${batch.join(',')}) and waker_tid is not null`))
    .map((r) => `${r.tid} ${r.s} ${r.d} ${r.w} ${['task', 'hardirq', 'softirq', 'nmi'].indexOf(r.c)}`).sort();
  wakeups += want.length;
  if (got.join('\n') !== want.join('\n')) {
    const g = new Set(got), w = new Set(want);
    fail(`wakeups of ${batch.length} threads differ: ${want.filter((x) => !g.has(x)).slice(0, 2)} missing, ` +
      `${got.filter((x) => !w.has(x)).slice(0, 2)} extra`);
  }
}

// Off-CPU stacks: per stack, offcpu's microseconds (floored per thread name) against SQL's ns.
const folded = new Map();
for (const line of cli('offcpu', tape).split('\n')) {
  const sp = line.lastIndexOf(' ');
  if (sp < 0) continue;
  const stack = line.slice(line.indexOf(';') + 1, sp);
  const e = folded.get(stack) || { us: 0, lines: 0 };
  e.us += Number(line.slice(sp + 1)); e.lines++;
  folded.set(stack, e);
}
const traced = tids.join(',');
const sqlStacks = await rows(`with f as (
    select s.stack_id, string_agg(fr.name, ';' order by s.depth) stack
    from '${dir}/stack/*.parquet' s join '${dir}/frame/*.parquet' fr using (trace_id, frame_id)
    where s.trace_id = '${id}' group by s.stack_id)
  select f.stack, sum(i.dur)::double ns from '${dir}/interval/*.parquet' i join f on i.offcpu_stack_id = f.stack_id
  where i.trace_id = '${id}' and i.state in ('sleep', 'block') and i.tid in (${traced}) group by f.stack`);
for (const s of sqlStacks) {
  const name = s.stack.replace(/;/g, ';'), f = folded.get(name);
  const us = s.ns / 1000;
  if (!f) { if (us >= 1000) fail(`stack of ${us} us in SQL, not in offcpu: ${name.slice(0, 120)}`); continue; }
  if (f.us > us || us - f.us > f.lines) fail(`stack ${name.slice(0, 80)}: ${us} us in SQL, ${f.us} in offcpu`);
  folded.delete(name);
}
for (const [name, f] of folded) fail(`stack in offcpu (${f.us} us), not in SQL: ${name.slice(0, 120)}`);

// The metadata engines plan with: statistics and zstd on every column chunk.
const meta = await rows(`select path_in_schema p, compression, encodings, stats_min_value mn, stats_max_value mx
  from parquet_metadata('${dir}/interval/${id}.parquet')`);
for (const m of meta) {
  if (m.compression !== 'ZSTD') fail(`interval.${m.p}: ${m.compression}`);
  if (['ts', 'dur', 'tid', 'state'].includes(m.p) && (m.mn === null || m.mx === null)) fail(`interval.${m.p}: no min/max`);
}
if (!meta.some((m) => m.p === 'ts' && m.encodings.includes('DELTA_BINARY_PACKED'))) fail('interval.ts is not delta-encoded');

if (csv) {
  const q = (src) => `select state, sum(dur)::varchar ns, count(*)::int n from ${src} group by 1 order by 1`;
  const a = await rows(q(`'${dir}/interval/${id}.parquet'`));
  const b = await rows(q(`read_csv('${csv}/interval/${id}.csv', header=true)`));
  if (JSON.stringify(a) !== JSON.stringify(b)) fail(`CSV intervals differ: ${JSON.stringify(b)} vs ${JSON.stringify(a)}`);
}
console.log(`sql_check: ${states.threads.length} threads (${cgroups} with a cgroup), ${wakeups} wakeups, ${sqlStacks.length} stacks, ` +
  `${meta.length} interval columns: ${failures ? failures + ' FAILURES' : 'OK'}`);
process.exit(failures ? 1 : 0);
