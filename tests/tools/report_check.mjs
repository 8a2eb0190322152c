// The report page in a real browser (Debian's chromium, driven by playwright-core from
// build/node): loaded offline with every request refused, it must draw every section
// with no console error, its tables must equal `states --json` (threads and processes),
// a click on a timeline band must show that wait's waker as `timeline --json` names it,
// the flamegraphs must be drawn. With --hostile: nothing a trace's names hold may run.
//
// node report_check.mjs [--hostile] [--screenshot PNG] SCHEDTAPE TRACE REPORT.html
// node report_check.mjs --load-only REPORT.html...   (each page draws, errs and requests nothing)
import { createRequire } from 'module';
import { execFileSync } from 'child_process';
import path from 'path';

const require = createRequire(path.resolve('build/node/package.json'));
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
let hostile = false, shot = null, loadOnly = false;
while (args[0] && args[0].startsWith('--')) {
  const a = args.shift();
  if (a === '--hostile') hostile = true;
  else if (a === '--screenshot') shot = args.shift();
  else if (a === '--load-only') loadOnly = true;
}
const [st, trace, page] = args;
const problems = [];
const fail = m => problems.push(m);
const json = (...a) => JSON.parse(execFileSync(st, a, { maxBuffer: 1 << 30 }).toString());

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'] });

// Open @page offline; every request but the page itself and its own blobs is a failure.
async function open(page) {
  const ctx = await browser.newContext({ offline: true, viewport: { width: 1400, height: 900 } });
  const p = await ctx.newPage();
  const url = 'file://' + path.resolve(page);
  const where = loadOnly ? page + ': ' : '';
  p.on('console', m => { if (m.type() === 'error') fail(where + 'console error: ' + m.text()); });
  p.on('pageerror', e => fail(where + 'page error: ' + e.message));
  p.on('dialog', d => { fail(where + 'a dialog opened: ' + d.message()); d.dismiss(); });
  await ctx.route('**/*', r => {
    const u = r.request().url();
    if (u === url) return r.continue();
    fail(where + 'the page requested ' + u);
    return r.abort();
  });
  ctx.on('request', r => {
    const u = r.url();
    if (u !== url && !u.startsWith('blob:')) fail(where + 'request: ' + u);
  });
  await p.goto(url, { waitUntil: 'load' });
  await p.waitForFunction(() => window.schedtapeReport !== undefined, null, { timeout: 10000 });
  await p.waitForTimeout(300);
  for (const sel of ['#facts', '#losses', '#findings', '#threads-table', '#timeline',
    '#flame-offcpu', '#flame-offwake', '#hist', '#chains'])
    if (!(await p.$(sel))) fail(where + 'no ' + sel);
  for (const f of p.frames())
    if (await f.evaluate(() => window.__pwned).catch(() => undefined) !== undefined)
      fail(where + 'a name in the trace ran as script');
  return { ctx, p };
}

try {
  if (loadOnly) {
    for (const page of args) await (await open(page)).ctx.close();
    if (problems.length) {
      console.log(problems.slice(0, 20).join('\n'));
      process.exitCode = 1;
    } else {
      console.log(`${args.length} pages drawn, no error, no request`);
    }
  } else {
    await check();
  }
} finally {
  await browser.close();
}

async function check() {
  const { p } = await open(page);
  if (!(await p.$('#threads-table tbody tr'))) fail('no thread rows');
  // The tables against the CLI's own JSON, every number exact (ns).
  const KEYS = ['run_ns', 'runnable_ns', 'sleep_ns', 'block_ns', 'unknown_ns', 'switches', 'wakeups',
    'max_runnable_ns', 'wakeup_latency_ns', 'queue_wait_ns'];
  async function compare(tableId, rows, idKey) {
    const got = await p.$$eval('#' + tableId + ' tbody tr', trs => trs.map(tr => {
      const o = {};
      for (const td of tr.children) o[td.dataset.key] = td.dataset.value === undefined ? null : td.dataset.value;
      o.comm_text = tr.querySelector('td[data-key=comm]').textContent;
      return o;
    }));
    // The busiest rows are listed, the rest summed in the table's foot.
    const rest = await p.$$eval('#' + tableId + ' tfoot td', tds => {
      const o = {};
      for (const td of tds) o[td.dataset.key] = td.dataset.value;
      return tds.length ? o : null;
    });
    const limit = 1000;
    if (got.length !== Math.min(rows.length, limit))
      fail(`${tableId}: ${got.length} rows, states has ${rows.length} (the page lists up to ${limit})`);
    if ((rows.length > limit) !== (rest !== null)) fail(`${tableId}: the rest row is ${rest ? 'there' : 'missing'}`);
    const byId = new Map();
    for (const g of got) byId.set(g.pid + '/' + g[idKey] + '/' + g.comm_text, g);
    const sums = {}, shownSums = {};
    for (const r of rows) {
      for (const k of KEYS) sums[k] = (sums[k] || 0n) + BigInt(r[k] || 0);
      const g = byId.get(r.pid + '/' + r[idKey] + '/' + r.comm);
      if (!g) {
        if (rows.length <= limit) fail(`${tableId}: no row for ${r.pid}/${r[idKey]} ${JSON.stringify(r.comm)}`);
        continue;
      }
      for (const k of KEYS) {
        shownSums[k] = (shownSums[k] || 0n) + BigInt(r[k] || 0);
        if (!(k in g)) continue; // the split columns are left out where the trace has no split
        const want = r[k] === null ? null : String(r[k]);
        if (g[k] !== want) fail(`${tableId} ${r.comm} (${r[idKey]}) ${k}: page ${g[k]}, states ${want}`);
      }
    }
    if (rest)
      for (const k of ['run_ns', 'runnable_ns', 'sleep_ns', 'block_ns', 'unknown_ns', 'switches', 'wakeups'])
        if (BigInt(rest[k]) !== sums[k] - shownSums[k])
          fail(`${tableId}: the rest row's ${k} ${rest[k]}, states' other rows ${sums[k] - shownSums[k]}`);
    return got.length;
  }
  const threads = json('states', '--json', trace).threads;
  const procs = json('states', '-P', '--json', trace).processes;
  const nt = await compare('threads-table', threads, 'tid');
  await p.click('#tab-processes');
  const np = await compare('processes-table', procs, 'threads');
  // Traces with cgroups: a table per cgroup and per container, as states --by has them.
  let ng = 0;
  if (json('info', '--json', trace).cgroups > 0) {
    for (const k of ['cgroup', 'container']) {
      const want = json('states', '--by', k, '--json', trace)[k + 's'];
      await p.click('#tab-' + k + 's');
      ng += await compare(k + 's-table', want, 'threads');
      const labels = await p.$$eval('#' + k + 's-table tbody td[data-key=group]', tds => tds.map(td => td.textContent).sort());
      const wantLabels = want.map(r => r[k] ?? (k === 'cgroup' ? '(cgroup unknown)' : '(no container)')).sort();
      if (JSON.stringify(labels) !== JSON.stringify(wantLabels.slice(0, 1000)))
        fail(`${k}s-table: groups ${labels.slice(0, 3)} vs states' ${wantLabels.slice(0, 3)}`);
    }
  } else if (await p.$('#tab-cgroups')) {
    fail('a cgroups tab for a trace without cgroups');
  }
  await p.click('#tab-threads');

  // A click on a wait's band shows its waker: the longest sleep another thread ended.
  const pick = await p.evaluate(() => {
    const lanes = window.schedtapeReport.timeline.lanes;
    let best = null;
    lanes.forEach((l, i) => l.kind === 'thread' && l.bands.forEach((b, k) => {
      if (b.length === 4 && (b[2] === 3 || b[2] === 4) && b[3] > 0 && (!best || b[1] > best.dur))
        best = { i, k, tid: l.tid, start: b[0], dur: b[1], waker: b[3] };
    }));
    return best;
  });
  let clicked = 'no woken sleep in the timeline';
  if (pick) {
    await p.evaluate(([a, b]) => window.schedtapeReport.timeline.view(a, b),
      [pick.start - pick.dur / 2, pick.start + pick.dur * 1.5]);
    const pt = await p.evaluate(([i, k]) => window.schedtapeReport.timeline.bandPoint(i, k), [pick.i, pick.k]);
    await p.mouse.click(pt.x, pt.y);
    const text = await p.textContent('#band-details');
    // The waker as the CLI names it, for the interval that ends where this band ends.
    const ivs = json('timeline', '-t', String(pick.tid), '--json', trace).intervals;
    const iv = ivs.find(v => v.start_ns === pick.start && (v.state === 'sleep' || v.state === 'block'));
    if (!iv) fail(`timeline --json has no sleep of ${pick.tid} at ${pick.start}`);
    else if (iv.waker_tid !== pick.waker) fail(`band waker ${pick.waker}, timeline --json ${iv.waker_tid}`);
    else if (!text.includes('woken by ' + iv.waker_comm + ' (tid ' + iv.waker_tid + ')'))
      fail(`clicked band shows "${text}", not its waker ${iv.waker_comm} (${iv.waker_tid})`);
    clicked = `tid ${pick.tid}'s ${(pick.dur / 1e6).toFixed(3)} ms sleep: "${text.split('\n')[1]}"`;
  } else if (!hostile) {
    fail(clicked);
  }

  // Each chain as `chains --json` finds it for its first sleeper: the same hops and wakers.
  const data = await p.evaluate(() => window.schedtapeReport.data);
  const byTid = new Map();
  for (const c of data.chains) {
    const h0 = c.hops[0];
    if (!byTid.has(h0.tid)) byTid.set(h0.tid, json('chains', '-t', String(h0.tid), '--depth', '4', '--json', trace).chains);
    const cli = byTid.get(h0.tid).find(x => x.hops[0].start_ns === h0.start_ns);
    if (!cli) { fail(`chains --json has no chain of ${h0.tid} at ${h0.start_ns}`); continue; }
    const mine = c.hops.map(h => [h.tid, h.start_ns, h.end_ns - h.start_ns, h.waker.tid, h.waker.context].join('/'));
    const theirs = cli.hops.map(h => [h.tid, h.start_ns, h.duration_ns, h.waker.tid, h.waker.context].join('/'));
    if (mine.join() !== theirs.join() || c.end !== cli.end)
      fail(`chain of ${h0.tid} at ${h0.start_ns}: page ${mine.join(' ')} (${c.end}), chains ${theirs.join(' ')} (${cli.end})`);
  }

  // The histogram as `hist` counts the same waits.
  const h = json('hist', '--state', 'runnable', ...(data.hist.part === 'queue' ? ['--part', 'queue'] : []), '--json', trace)
    .histograms[0];
  const hb = h.buckets.map(b => b.count);
  if (h.count !== data.hist.count || h.total_ns !== data.hist.total_ns || h.max_ns !== data.hist.max_ns ||
      hb.join() !== data.hist.buckets.join())
    fail(`histogram: page ${JSON.stringify(data.hist)}, hist ${JSON.stringify(h)}`);

  // The flamegraphs are `flame`'s own, byte for byte.
  for (const [key, opt] of [['offcpu', '--offcpu'], ['offwake', '--offwake']]) {
    const svg = execFileSync(st, ['flame', opt, '-o', '-', trace], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const mine = data.flames[key];
    if (mine === null ? svg.includes('<g class="f">') : mine !== svg)
      fail(`the ${key} flamegraph ${mine === null ? 'is missing' : 'differs from flame ' + opt}`);
  }

  // The flamegraphs are drawn (their frames hold rectangles) where the trace has stacks.
  const hasStacks = await p.evaluate(() => window.schedtapeReport.data.flames.offcpu !== null);
  let rects = 0;
  for (const f of p.frames()) if (f !== p.mainFrame()) rects += (await f.$$('rect')).length;
  if (hasStacks && rects < 10) fail(`flamegraph frames hold ${rects} rectangles`);

  if (hostile) {
    const pwned = await p.evaluate(() => window.__pwned);
    if (pwned !== undefined) fail('a name in the trace ran as script: __pwned=' + pwned);
    const injected = await p.$$eval('main img, main i, main b, main svg, main object, main embed, main iframe:not(.flame), script',
      es => es.map(e => e.tagName + (e.id ? '#' + e.id : '')));
    if (injected.filter(t => t !== 'SCRIPT#report-data' && t !== 'SCRIPT').length || injected.length !== 2)
      fail('elements the page did not make: ' + injected.join(' '));
    const text = await p.textContent('main');
    if (!text.includes('</script><i>x')) fail('the name "</script><i>x" is not shown as text');
    for (const f of p.frames())
      if (f !== p.mainFrame() && await f.evaluate(() => window.__pwned) !== undefined)
        fail('a symbol ran as script in a flamegraph');
  }
  if (shot) await p.screenshot({ path: shot, fullPage: true });
  const size = (await p.evaluate(() => document.documentElement.outerHTML.length));
  if (problems.length) {
    console.log(problems.slice(0, 20).join('\n'));
    process.exitCode = 1;
  } else {
    console.log(`${nt} thread rows and ${np} process rows${ng ? ` and ${ng} cgroup and container rows` : ""} equal states --json; ${data.chains.length} chains equal ` +
      `chains --json; the histogram equals hist (${data.hist.count} waits); ${rects} flamegraph rectangles; ` +
      `click: ${clicked}; DOM ${size} chars`);
  }
}
