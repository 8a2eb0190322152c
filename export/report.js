// schedtape report: draws the page from the JSON in #report-data (built into the binary).
// Every string from the trace reaches the page through textContent, never as markup.
'use strict';
(function () {
  const D = JSON.parse(document.getElementById('report-data').textContent);
  const H = D.header;
  const STATES = ['unknown', 'running', 'runnable', 'sleep', 'block', 'dead'];
  const COLOR = { unknown: '#868e96', running: '#2f9e44', runnable: '#f08c00', sleep: '#a5d8ff',
    block: '#e03131', dead: '#ffffff' };
  const CTX = { '-11': 'a hardirq', '-12': 'a softirq', '-13': 'an NMI' };
  const main = document.getElementById('report');
  const meta = new Map(H.meta);
  const names = D.timeline.names;

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    for (const c of kids) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  const ms = ns => ns === null || ns === undefined ? '\u2013' : (ns / 1e6).toFixed(3);
  const sec = ns => (ns / 1e9).toFixed(6);
  const count = n => Number(n).toLocaleString('en-US');
  const who = tid => (names[tid] !== undefined ? names[tid] : '?') + ' (tid ' + tid + ')';
  const frames = s => s === null ? [] : s.split(';').map(f => f.replace(/_\[[kw]\]$/, ''));

  function section(id, title, ...kids) {
    const s = el('section', { id }, el('h2', { text: title }), ...kids);
    main.append(s);
    return s;
  }

  // ---- header: what was recorded, and what was lost (never hidden) ----
  function wallStart() {
    const off = meta.get('clock_offset_ns');
    if (!off || !/^-?[0-9]{1,20}$/.test(off)) return null;
    const t = Number((BigInt(H.first_ts) + BigInt(off)) / 1000000n);
    const d = new Date(t);
    return isNaN(d) || d.getUTCFullYear() < 1971 || d.getUTCFullYear() > 9999 ? null
      : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  }

  function header() {
    main.append(el('h1', { text: 'schedtape report: ' + D.name }));
    main.append(el('nav', { class: 'toc' }, ...[['findings', 'Findings'], ['summary', 'Summary'],
      ['timeline-section', 'Timeline'], ['flames', 'Flamegraphs'], ['histogram', 'Run-queue latency'],
      ['chains', 'Wakeup chains']].map(([id, t]) => el('a', { href: '#' + id, text: t }))));
    const stat = new Map(H.stats);
    const facts = [
      ['Host', meta.get('host')], ['Kernel', meta.get('kernel')], ['Machine', meta.get('machine')],
      ['CPUs', (meta.get('ncpus') || '?') + ' (' + H.cpus_seen + ' with events)'],
      ['Started', wallStart() || 'unknown'],
      ['Span', sec(H.span_ns) + ' s' + (H.begin_ns || H.end_ns !== H.span_ns
        ? '; this report: ' + sec(H.begin_ns) + ' s to ' + sec(H.end_ns) + ' s' : '')],
      ['Command', meta.get('cmdline')], ['Recorder options', meta.get('options')],
      ['Target', meta.get('target')], ['Recorder', meta.get('recorder')],
      ['Events', stat.has('events') ? count(stat.get('events')) : '?'],
      ['File', (H.file_size / 1048576).toFixed(1) + ' MiB, format ' + H.format +
        (H.finalized ? ', finalized' : ', NOT finalized (the recording did not end cleanly)')],
      ['Report filters', D.filters || 'none'], ['Made by', D.generator]];
    const dl = el('dl', { class: 'facts', id: 'facts' });
    for (const [k, v] of facts) if (v !== undefined) dl.append(el('dt', { text: k }), el('dd', { text: v }));
    main.append(dl);
    const L = H.losses;
    if (L.windows > 0) {
      const b = el('div', { class: 'banner bad', id: 'losses' },
        count(L.events) + ' events were lost in ' + count(L.windows) + ' windows. The threads on ' +
        'those CPUs are UNKNOWN there (' + ms(H.unknown_ns) + ' ms of thread time in all); ' +
        'nothing is guessed.');
      const t = el('table', { class: 'summary' }, el('thead', null, el('tr', null,
        ...['CPU', 'from (s)', 'to (s)', 'events lost', 'cause'].map(x => el('th', { text: x })))));
      const tb = el('tbody');
      for (const [cpu, s, e, n, cause] of L.list)
        tb.append(el('tr', null, ...[cpu, sec(s), sec(e), count(n), cause].map(x => el('td', { text: String(x) }))));
      t.append(tb);
      b.append(t);
      if (L.list.length < L.windows) b.append(el('p', { text: (L.windows - L.list.length) + ' more windows not listed.' }));
      main.append(b);
    } else {
      main.append(el('div', { class: 'banner ok', id: 'losses' }, 'No events were lost. ' +
        ms(H.unknown_ns) + ' ms of thread time is UNKNOWN (before a thread was first seen).'));
    }
    if (H.truncated_at) main.append(el('div', { class: 'banner warn', text: 'The file is truncated at offset ' + H.truncated_at + '.' }));
    for (const [err, detail, off] of H.problems)
      main.append(el('div', { class: 'banner warn', text: 'Problem in the file at offset ' + off + ': ' + err + (detail ? ' (' + detail + ')' : '') }));
    if (H.anomalies) main.append(el('div', { class: 'banner warn', text: count(H.anomalies) + ' events did not fit the scheduler model (schedtape states --anomalies lists them).' }));
  }

  // ---- findings ----
  function findings() {
    const s = section('findings', 'Findings');
    if (!D.findings.length) s.append(el('p', { class: 'muted', text: 'Nothing stood out.' }));
    for (const f of D.findings) {
      const box = el('div', { class: 'finding' + (f.severity === 'warn' ? ' warn' : ''), 'data-kind': f.kind },
        el('h3', { text: f.title }), el('p', { text: f.text }));
      if (f.kind === 'offcpu_stack') {
        box.append(el('pre', { class: 'stack', text: frames(f.evidence[0] || '').join('\n') }));
      } else if (f.evidence.length) {
        box.append(el('ul', null, ...f.evidence.map(x => el('li', { text: x }))));
      }
      if (f.tid !== undefined || f.at_ns !== undefined) {
        const b = el('button', { type: 'button', text: 'Show in the timeline' });
        b.addEventListener('click', () => timelineApi.focus(f.tid, f.at_ns));
        box.append(b);
      }
      s.append(box);
    }
  }

  // ---- summary table ----
  const COLS = [
    { key: 'pid', label: 'PID' }, { key: 'tid', label: 'TID', threads: true },
    { key: 'threads', label: 'THREADS', processes: true }, { key: 'comm', label: 'COMM', text: true },
    { key: 'group', label: 'GROUP', text: true, groups: true },
    { key: 'run_ns', label: 'RUN ms', ns: true }, { key: 'runnable_ns', label: 'RUNNABLE ms', ns: true },
    { key: 'wakeup_latency_ns', label: 'WAKELAT ms', ns: true, split: true },
    { key: 'queue_wait_ns', label: 'QUEUE ms', ns: true, split: true },
    { key: 'sleep_ns', label: 'SLEEP ms', ns: true }, { key: 'block_ns', label: 'BLOCK ms', ns: true },
    { key: 'unknown_ns', label: 'UNKNOWN ms', ns: true }, { key: 'switches', label: 'SWITCHES' },
    { key: 'wakeups', label: 'WAKEUPS' }, { key: 'max_runnable_ns', label: 'MAXWAIT ms', ns: true },
    { key: 'max_runnable_at_ns', label: 'WORST AT s', at: true },
    { key: 'idle_cpu_wait_ns', label: 'IDLE-CPU WAIT ms', ns: true, threads: true }];

  function summaryTable(rows, kind, rest) {
    const group = kind === 'cgroups' || kind === 'containers';
    const cols = COLS.filter(c => !(c.threads && kind !== 'threads') && !(c.processes && kind === 'threads') &&
      !(c.groups && !group) && !(c.split && !H.runnable_split));
    const table = el('table', { class: 'summary', id: kind + '-table' });
    const tr = el('tr');
    const tbody = el('tbody');
    let sortKey = 'run_ns', desc = true;
    function fill() {
      const sorted = rows.slice().sort((a, b) => {
        const x = a[sortKey], y = b[sortKey];
        const c = typeof x === 'string' ? x.localeCompare(y) : (x === null ? -1 : x) - (y === null ? -1 : y);
        return desc ? -c : c;
      });
      tbody.replaceChildren(...sorted.map(r => el('tr', { 'data-tid': r.tid, 'data-pid': r.pid },
        ...cols.map(c => cell(r, c)))));
      for (const th of tr.children) {
        th.classList.toggle('sorted-desc', th.dataset.key === sortKey && desc);
        th.classList.toggle('sorted-asc', th.dataset.key === sortKey && !desc);
      }
    }
    const cell = (r, c) => {
      const v = r[c.key];
      const td = el('td', { 'data-key': c.key, class: c.text ? 'text' : '',
        text: c.ns ? ms(v) : c.at ? (r.max_runnable_ns ? sec(v) : '\u2013') : String(v) });
      if (v !== null && v !== undefined) td.setAttribute('data-value', String(v));
      return td;
    };
    for (const c of cols) {
      const th = el('th', { 'data-key': c.key, class: c.text ? 'text' : '', text: c.label, title: 'sort' });
      th.addEventListener('click', () => {
        desc = sortKey === c.key ? !desc : !c.text;
        sortKey = c.key;
        fill();
      });
      tr.append(th);
    }
    table.append(el('thead', null, tr), tbody);
    // The rows past the busiest ones the page lists, summed: their time is not dropped.
    if (rest) {
      const o = Object.assign({}, rest.row, { pid: '', tid: '', comm: rest.rows + ' more ' + kind });
      table.append(el('tfoot', { id: kind + '-rest' }, el('tr', null, ...cols.map(c => cell(o, c)))));
    }
    fill();
    return el('div', { class: 'tablewrap' }, table);
  }

  function summary() {
    const s = section('summary', 'Summary');
    const views = { threads: summaryTable(D.threads, 'threads', D.threads_rest),
      processes: summaryTable(D.processes, 'processes', D.processes_rest) };
    // Traces of format 1.3 on record cgroups: one row per cgroup and per container (states --by).
    for (const k of ['cgroups', 'containers'])
      if (D[k]) views[k] = summaryTable(D[k], k, D[k + '_rest']);
    const tabs = el('div', { class: 'tabs controls', role: 'tablist' });
    const holder = el('div');
    for (const k of Object.keys(views)) {
      const rest = D[k + '_rest'];
      const b = el('button', { type: 'button', role: 'tab', id: 'tab-' + k, text: 'Per ' + k.replace(/s$/, '') +
        ' (' + (rest ? 'the busiest ' + D[k].length + ' of ' + (D[k].length + rest.rows) : D[k].length) + ')' });
      b.addEventListener('click', () => {
        for (const x of tabs.children) x.setAttribute('aria-selected', String(x === b));
        holder.replaceChildren(views[k]);
      });
      tabs.append(b);
    }
    s.append(tabs, holder,
      el('p', { class: 'muted', text: (H.runnable_split ? 'RUNNABLE splits into WAKELAT (woken until put on a run queue) ' +
        'and QUEUE (on a run queue until on a CPU: the kernel\u2019s schedstat run delay). ' : '') +
        (H.filtered ? 'The recording followed some processes only: which CPUs were idle is not known (IDLE-CPU WAIT), ' +
          'and the CPU lanes show only the followed threads. '
          : 'IDLE-CPU WAIT: of the time on a run queue, how much another CPU was idle. ') +
        (D.cgroups ? 'Per cgroup and per container: COMM and PID are a group\u2019s first thread\u2019s. '
          : 'Per cgroup: this trace records no cgroups (recorded before format 1.3). ') + 'Click a column to sort.' }));
    tabs.children[0].click();
  }

  // ---- timeline: the top threads, then every CPU ----
  let timelineApi = { focus() {} };
  function timeline() {
    const T = D.timeline;
    const s = section('timeline-section', 'Timeline');
    const lanes = T.lanes.map(l => ({ kind: 'thread', label: l.comm + ' ' + l.tid, tid: l.tid, bands: l.bands }))
      .concat(T.cpus.filter(c => c.bands.length).map(c => ({ kind: 'cpu', label: 'CPU ' + c.cpu, cpu: c.cpu, bands: c.bands })));
    const legend = el('div', { class: 'legend' }, ...['running', 'runnable', 'sleep', 'block', 'unknown'].map(k =>
      el('span', null, el('span', { class: 'sw', style: 'background:' + COLOR[k] }), k)),
    el('span', { class: 'muted', text: 'CPU lanes: one colour per thread' }));
    const range = el('span', { class: 'muted mono' });
    const btn = (t, f) => { const b = el('button', { type: 'button', text: t }); b.addEventListener('click', f); return b; };
    const canvas = el('canvas', { id: 'timeline' });
    const tip = el('div', { id: 'tip' });
    const details = el('div', { id: 'band-details', text: 'Click a band for its details (the waker of a wait). ' +
      'Wheel or +/\u2212 to zoom, drag to pan, double-click to see it all.' });
    s.append(el('div', { class: 'controls' }, btn('\u2212', () => zoom(1.6)), btn('+', () => zoom(1 / 1.6)),
      btn('All', () => view(H.begin_ns, H.end_ns)), range), legend,
    el('div', { id: 'timeline-wrap' }, canvas, tip), details,
    el('p', { class: 'muted', text: 'Resolution: intervals shorter than ' + ms(T.merge_ns) + ' ms are merged into bands of at ' +
      'least that length, drawn as the mix of their states (hover for how many). Longer intervals are exact.' }));
    const LABEL = 170, ROW = 18, GAP = 4, AXIS = 22, SEP = 16;
    let v0 = H.begin_ns, v1 = Math.max(H.end_ns, H.begin_ns + 1), selected = null, highlight = null;
    const firstCpu = lanes.findIndex(l => l.kind === 'cpu');
    const laneY = i => AXIS + i * (ROW + GAP) + (firstCpu >= 0 && i >= firstCpu ? SEP : 0);
    const height = laneY(lanes.length) + 4;
    let width = 0;
    const X = t => LABEL + (t - v0) * (width - LABEL - 8) / (v1 - v0);
    const Tof = x => v0 + (x - LABEL) * (v1 - v0) / (width - LABEL - 8);

    function colorOf(tid) {
      let h = 2166136261;
      const s = String(names[tid] || tid);
      for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
      return 'hsl(' + ((h >>> 0) % 360) + ',55%,' + (45 + ((h >>> 9) % 20)) + '%)';
    }
    // The first band that ends after t (bands are in time order).
    function firstAfter(b, t) {
      let lo = 0, hi = b.length;
      while (lo < hi) { const m = (lo + hi) >> 1; if (b[m][0] + b[m][1] <= t) lo = m + 1; else hi = m; }
      return lo;
    }
    function draw() {
      const dpr = window.devicePixelRatio || 1;
      width = canvas.clientWidth || 1200;
      canvas.width = width * dpr; canvas.height = height * dpr; canvas.style.height = height + 'px';
      const g = canvas.getContext('2d');
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.clearRect(0, 0, width, height);
      g.font = '11px system-ui, sans-serif';
      // Axis: about ten ticks at a round step.
      const span = v1 - v0, raw = span / 10, p = Math.pow(10, Math.floor(Math.log10(raw)));
      const step = [1, 2, 5, 10].map(k => k * p).find(k => k >= raw);
      g.fillStyle = '#5c636a'; g.strokeStyle = '#e9ecef';
      for (let t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
        const x = X(t);
        g.beginPath(); g.moveTo(x, AXIS - 4); g.lineTo(x, height); g.stroke();
        if (x < width - 60) g.fillText((t / 1e9).toFixed(step < 1e6 ? 6 : 3) + ' s', x + 2, 12);
      }
      lanes.forEach((l, i) => {
        const y = laneY(i);
        if (highlight === i) { g.fillStyle = '#fff3bf'; g.fillRect(0, y - 2, width, ROW + 4); }
        g.fillStyle = '#1d2125';
        g.fillText(l.label.slice(0, 26), 4, y + 13);
        g.save(); g.beginPath(); g.rect(LABEL, y, width - LABEL, ROW); g.clip();
        for (let k = firstAfter(l.bands, v0); k < l.bands.length && l.bands[k][0] < v1; k++) {
          const b = l.bands[k], x = X(b[0]), w = Math.max(X(b[0] + b[1]) - x, 0.6);
          if (b.length <= 4) {
            g.fillStyle = l.kind === 'cpu' ? colorOf(b[3]) : COLOR[STATES[b[2]]];
            g.fillRect(x, y, w, ROW);
          } else if (l.kind === 'cpu') {
            g.fillStyle = '#495057';
            const h = ROW * Math.min(1, b[5] / b[1]);
            g.fillRect(x, y + ROW - h, w, h);
          } else {
            let yy = y + ROW;
            for (const [st, at] of [['running', 5], ['runnable', 6], ['block', 8], ['unknown', 9], ['sleep', 7]]) {
              const h = ROW * b[at] / b[1];
              if (h <= 0) continue;
              g.fillStyle = COLOR[st]; g.fillRect(x, yy - h, w, h); yy -= h;
            }
          }
        }
        if (selected && selected[0] === i) {
          const b = l.bands[selected[1]];
          g.strokeStyle = '#000'; g.lineWidth = 2;
          g.strokeRect(X(b[0]), y + 1, Math.max(X(b[0] + b[1]) - X(b[0]), 2), ROW - 2);
          g.lineWidth = 1; g.strokeStyle = '#e9ecef';
        }
        g.restore();
      });
      if (firstCpu >= 0) { g.fillStyle = '#5c636a'; g.fillText('CPUs (who ran)', 4, laneY(firstCpu) - 5); }
      range.textContent = sec(v0) + ' s \u2013 ' + sec(v1) + ' s';
    }
    function view(a, b) {
      const lo = H.begin_ns, hi = Math.max(H.end_ns, lo + 1);
      const w = Math.max(Math.min(b - a, hi - lo), 1000);
      a = Math.max(lo, Math.min(a, hi - w));
      v0 = a; v1 = a + w;
      draw();
    }
    function zoom(f, at) {
      const c = at === undefined ? (v0 + v1) / 2 : at;
      view(c - (c - v0) * f, c + (v1 - c) * f);
    }
    function hit(ev) {
      const r = canvas.getBoundingClientRect(), x = ev.clientX - r.left, y = ev.clientY - r.top;
      if (x < LABEL) return null;
      const i = lanes.findIndex((l, k) => y >= laneY(k) && y < laneY(k) + ROW);
      if (i < 0) return null;
      const b = lanes[i].bands, t = Tof(x), slack = 3 * (v1 - v0) / (width - LABEL);
      let k = firstAfter(b, t - slack);
      if (k >= b.length || b[k][0] > t + slack) return null;
      if (k + 1 < b.length && b[k][0] + b[k][1] < t && b[k + 1][0] <= t + slack) k++;
      return [i, k];
    }
    function describe(i, k) {
      const l = lanes[i], b = l.bands[k];
      const when = ' from ' + sec(b[0]) + ' s to ' + sec(b[0] + b[1]) + ' s';
      if (l.kind === 'cpu') {
        if (b.length <= 4) return l.label + ': ' + who(b[3]) + ' ran ' + ms(b[1]) + ' ms' + when;
        return l.label + ': ' + b[4] + ' runs merged, busy ' + ms(b[5]) + ' ms of ' + ms(b[1]) + ' ms' + when +
          '\nlongest run: ' + who(b[10]);
      }
      const head = l.label + ': ';
      if (b.length > 4) {
        const parts = [['running', 5], ['runnable', 6], ['sleep', 7], ['block', 8], ['unknown', 9]]
          .filter(([, at]) => b[at] > 0).map(([st, at]) => st + ' ' + ms(b[at]) + ' ms');
        return head + b[4] + ' intervals merged (each shorter than ' + ms(D.timeline.merge_ns) + ' ms)' + when +
          '\n' + parts.join(', ');
      }
      const st = STATES[b[2]];
      let text = head + st + ' ' + ms(b[1]) + ' ms' + when;
      const w = b[3];
      if (st === 'sleep' || st === 'block')
        text += w > 0 ? '\nwoken by ' + who(w) : CTX[w] ? '\nwoken from ' + CTX[w] : '\nnot woken in the window';
      else if (st === 'runnable' && w !== -1)
        text += w > 0 ? '\nwaiting after a wakeup by ' + who(w) : CTX[w] ? '\nwaiting after a wakeup from ' + CTX[w] : '';
      return text;
    }
    let drag = null;
    canvas.addEventListener('mousedown', ev => { drag = { x: ev.clientX, v0, v1, moved: false }; });
    window.addEventListener('mouseup', () => { setTimeout(() => { drag = null; }, 0); });
    canvas.addEventListener('mousemove', ev => {
      if (drag && (ev.buttons & 1)) {
        const dx = ev.clientX - drag.x;
        if (Math.abs(dx) > 2) drag.moved = true;
        const dt = dx * (drag.v1 - drag.v0) / (width - LABEL - 8);
        view(drag.v0 - dt, drag.v1 - dt);
        tip.style.display = 'none';
        return;
      }
      const h = hit(ev);
      if (!h) { tip.style.display = 'none'; return; }
      const r = canvas.getBoundingClientRect();
      tip.textContent = describe(h[0], h[1]);
      tip.style.display = 'block';
      tip.style.left = Math.min(ev.clientX - r.left + 12, width - 320) + 'px';
      tip.style.top = (ev.clientY - r.top + 14) + 'px';
    });
    canvas.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
    canvas.addEventListener('click', ev => {
      if (drag && drag.moved) return;
      const h = hit(ev);
      selected = h;
      details.textContent = h ? describe(h[0], h[1]) : 'Nothing there.';
      draw();
    });
    canvas.addEventListener('dblclick', () => view(H.begin_ns, H.end_ns));
    canvas.addEventListener('wheel', ev => {
      ev.preventDefault();
      const r = canvas.getBoundingClientRect();
      zoom(ev.deltaY > 0 ? 1.25 : 0.8, Tof(ev.clientX - r.left));
    }, { passive: false });
    window.addEventListener('resize', draw);
    timelineApi = {
      lanes, view, describe,
      focus(tid, at) {
        highlight = tid === undefined ? null : lanes.findIndex(l => l.tid === tid);
        if (highlight < 0) highlight = null;
        if (at !== undefined) { const w = Math.max((v1 - v0) / 20, 2e6); view(at - w, at + w); } else draw();
        s.scrollIntoView();
      },
      // Where band k of lane i is on the screen (for tests): its middle, in client coordinates.
      bandPoint(i, k) {
        canvas.scrollIntoView({ block: 'center' });
        const r = canvas.getBoundingClientRect(), b = lanes[i].bands[k];
        const a = Math.max(X(b[0]), LABEL), e = Math.min(X(b[0] + b[1]), width - 8);
        return { x: r.left + (a + e) / 2, y: r.top + laneY(i) + ROW / 2 };
      }
    };
    draw();
  }

  // ---- flamegraphs: the SVG renderer's own pages, each in a sandboxed frame ----
  function flames() {
    const s = section('flames', 'Off-CPU and off-wake flamegraphs');
    for (const [key, title, what] of [['offcpu', 'Off-CPU time', 'where threads slept or blocked (user and kernel stacks)'],
      ['offwake', 'Off-wake time', 'the sleeper\u2019s stack, then \u201c--\u201d, then the stack of whoever woke it']]) {
      s.append(el('h3', { text: title }), el('p', { class: 'muted', text: 'Weighted by microseconds off CPU: ' + what +
        '. Click to zoom, Search to find a function.' }));
      const svg = D.flames[key];
      if (!svg) {
        s.append(el('p', { class: 'muted', id: 'flame-' + key, text: 'No stacks in this trace for it (record with stacks).' }));
        continue;
      }
      const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      const h = /<svg[^>]* height="(\d+)"/.exec(svg);
      s.append(el('iframe', { class: 'flame', id: 'flame-' + key, title, sandbox: 'allow-scripts allow-modals', src: url,
        style: h ? 'height:' + (Math.min(+h[1], 4000) + 6) + 'px' : '' }),
        el('p', null, el('a', { href: url, download: key + '.svg', text: 'Save this flamegraph as SVG' })));
    }
  }

  // ---- the run-queue latency histogram, as runqlat prints it ----
  function histogram() {
    const h = D.hist;
    const s = section('histogram', 'Run-queue latency');
    s.append(el('p', { class: 'muted', text: h.part === 'queue'
      ? 'Time on a run queue until on a CPU, per wait (the kernel\u2019s schedstat run delay; what BCC runqlat measures).'
      : 'Time runnable until on a CPU, per wait (woken or preempted until running): this trace does not split out the queue wait.' }));
    const max = Math.max(1, ...h.buckets);
    const box = el('div', { class: 'hist', id: 'hist' });
    h.buckets.forEach((n, k) => {
      const lo = k ? 2 ** k : 0, hi = 2 ** (k + 1) - 1;
      box.append(el('div', { class: 'row' }, el('span', { class: 'mono', text: lo + ' \u2192 ' + hi + ' us' }),
        el('span', { class: 'mono', text: count(n) }), el('div', { class: 'bar', style: 'width:' + (100 * n / max) + '%' })));
    });
    s.append(box, el('p', { text: h.count ? count(h.count) + ' waits, average ' + (h.total_ns / h.count / 1e3).toFixed(1) +
      ' us, longest ' + (h.max_ns / 1e3).toFixed(1) + ' us' : 'No waits.' }));
  }

  // ---- the worst sleeps' wakeup chains, with stacks at each hop ----
  function stackBlock(label, k, u) {
    const lines = frames(k).concat(frames(u));
    if (!lines.length) return null;
    return el('details', null, el('summary', { text: label }), el('pre', { class: 'stack', text: lines.join('\n') }));
  }
  function chains() {
    const s = section('chains', 'Wakeup chains of the longest sleeps');
    s.append(el('p', { class: 'muted', text: 'For the longest sleeps another thread ended (one per thread): who woke it, what ' +
      'that waker was itself waiting for, and so on. Stacks innermost frame first.' }));
    if (!D.chains.length) s.append(el('p', { class: 'muted', text: 'No sleep in the window was ended by another thread.' }));
    for (const c of D.chains) {
      const first = c.hops[0];
      const box = el('div', { class: 'chain' }, el('h3', { text: first.comm + ' (tid ' + first.tid + ') ' + first.state +
        ' ' + ms(first.end_ns - first.start_ns) + ' ms, until ' + sec(first.end_ns) + ' s' }));
      const ol = el('ol');
      for (const h of c.hops) {
        const w = h.waker;
        ol.append(el('li', null, h.comm + ' (tid ' + h.tid + ') was in ' + h.state + ' for ' + ms(h.end_ns - h.start_ns) +
          ' ms, ' + sec(h.start_ns) + ' s to ' + sec(h.end_ns) + ' s',
        stackBlock('where it waited', h.kstack, h.ustack),
        el('div', { text: 'woken by ' + w.comm + ' (tid ' + w.tid + ')' + (w.context !== 'task' ? ' from ' + w.context : '') }),
        stackBlock('the waker\u2019s stack', w.kstack, w.ustack)));
      }
      box.append(ol, el('p', { class: 'muted', text: 'The chain ends: ' + c.end + '.' }));
      s.append(box);
    }
  }

  header();
  findings();
  summary();
  timeline();
  flames();
  histogram();
  chains();
  main.append(el('footer', { text: 'Made by ' + D.generator + ' from ' + D.name + '. The page is self-contained: it ' +
    'makes no network request. Times are seconds from the start of the trace.' }));
  window.schedtapeReport = { data: D, timeline: timelineApi };
})();
