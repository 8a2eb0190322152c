// A fleet of exported traces queried together (read_parquet over the whole
// directory): per host and process the queue-wait p50/p99 and per host the
// top off-CPU stack, each host's figures checked against that trace's own CLI
// (`hist --part queue --json`: count, total, the log2 bucket of the p99;
// `offcpu`: the stack with the most time).
// usage: node fleet_check.mjs SCHEDTAPE DIR MANIFEST   (MANIFEST: lines "TAPE HOST")
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { duck } from './duck.mjs';

const [st, dir, manifest] = process.argv.slice(2);
const hosts = readFileSync(manifest, 'utf8').trim().split('\n').map((l) => l.split(' '));
const rows = await duck();
const cli = (...a) => execFileSync(st, a, { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
let failures = 0;
const fail = (m) => { failures++; if (failures <= 12) console.error('fleet_check: ' + m); };

const t0 = process.hrtime.bigint();
await rows(`create view iv as select t.host, i.*, th.pid, th.comm from read_parquet('${dir}/interval/*.parquet') i
  join read_parquet('${dir}/trace/*.parquet') t using (trace_id)
  join read_parquet('${dir}/thread/*.parquet') th using (trace_id, tid, generation) where th.traced`);
const perProcess = await rows(`select host, pid::int pid, any_value(comm) comm, count(queue_wait_ns)::int n,
    quantile_disc(queue_wait_ns, 0.5)::varchar p50, quantile_disc(queue_wait_ns, 0.99)::varchar p99
  from iv where queue_wait_ns is not null group by host, pid order by host, p99 desc`);
const perHost = await rows(`select host, count(queue_wait_ns)::varchar n, sum(queue_wait_ns)::varchar total,
    quantile_disc(queue_wait_ns, 0.99)::bigint p99 from iv where queue_wait_ns is not null group by host`);
const top = await rows(`with st as (
    select s.trace_id, s.stack_id, string_agg(f.name, ';' order by s.depth) stack
    from read_parquet('${dir}/stack/*.parquet') s join read_parquet('${dir}/frame/*.parquet') f using (trace_id, frame_id)
    group by s.trace_id, s.stack_id),
  sums as (select host, st.stack, sum(dur) ns from iv join st on iv.trace_id = st.trace_id and iv.offcpu_stack_id = st.stack_id
    where state in ('sleep', 'block') group by host, st.stack)
  select host, arg_max(stack, ns) stack, max(ns)::double ns from sums group by host`);
const over10ms = await rows(`select count(distinct host)::int n from iv where queue_wait_ns > 10000000`);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;

const byHost = new Map(perHost.map((r) => [r.host, r]));
const topBy = new Map(top.map((r) => [r.host, r]));
for (const [tape, host] of hosts) {
  const h = JSON.parse(cli('hist', '--part', 'queue', '--json', tape)).histograms[0];
  const q = byHost.get(host);
  const count = h ? h.count : 0, total = h ? h.total_ns : 0;
  if (String(q ? q.n : 0) !== String(count) || String(q ? q.total : 0) !== String(total)) {
    fail(`${host}: queue waits ${q ? q.n : 0} / ${q ? q.total : 0} ns in SQL, ${count} / ${total} in hist`);
    continue;
  }
  if (q && h) {
    // The p99 falls in the log2 bucket where hist's cumulative count passes 99%.
    const rank = Math.ceil(0.99 * h.count);
    let seen = 0, bucket = null;
    for (const b of h.buckets) { seen += b.count; if (seen >= rank) { bucket = b; break; } }
    const us = Math.floor(Number(q.p99) / 1000);
    if (!bucket || us < bucket.low_us || us > bucket.high_us)
      fail(`${host}: p99 ${us} us in SQL, not in hist's bucket ${bucket ? bucket.low_us + '-' + bucket.high_us : '?'}`);
  }
  const agg = new Map();
  for (const line of cli('offcpu', tape).split('\n')) {
    const sp = line.lastIndexOf(' ');
    if (sp < 0) continue;
    const stack = line.slice(line.indexOf(';') + 1, sp);
    agg.set(stack, (agg.get(stack) || 0) + Number(line.slice(sp + 1)));
  }
  const best = [...agg.entries()].sort((a, b) => b[1] - a[1])[0];
  const t = topBy.get(host);
  if (best && (!t || t.stack !== best[0]))
    fail(`${host}: top off-CPU stack in SQL ${t ? t.stack.slice(0, 80) : 'none'}, offcpu's ${best[0].slice(0, 80)}`);
}
console.log(`fleet_check: ${hosts.length} traces, ${perProcess.length} host/process rows, ` +
  `${over10ms[0].n} hosts with a queue wait over 10 ms; queries ${ms.toFixed(0)} ms: ` +
  `${failures ? failures + ' FAILURES' : 'OK'}`);
process.exit(failures ? 1 : 0);
