// The meshflow dashboard. Every value from the warehouse enters the page as a text node (never as
// markup), and charts draw on a canvas with rich-text tooltips, so data cannot run as code.
'use strict';

/** What tests and curious users can read: snapshots seen, the last one, and charts drawn. */
const dashboard = window.meshflowDashboard = { snapshots: 0, last: null, drawn: {}, chosen: null };

function $(selector) { return document.querySelector(selector); }

/** An element with attributes and children; strings become text nodes. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

const number = new Intl.NumberFormat('en');
function fmt(v) { return v == null ? '–' : typeof v === 'number' ? number.format(v) : String(v); }
function time(iso) { return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–'; }

/** Shows {@code part.missing} or {@code part.error} in {@code note}; true when there is data. */
function noted(part, note) {
  const line = part && (part.missing || part.error);
  if (note) {
    note.hidden = !line;
    note.textContent = line || '';
  }
  return part != null && !line;
}

function fillTable(selector, rows, cells) {
  const body = $(selector + ' tbody');
  body.replaceChildren(...rows.map(r => {
    const tr = el('tr', {});
    for (const c of cells(r)) tr.append(c instanceof Node ? c : el('td', {}, c));
    return tr;
  }));
  return body;
}
function num(v) { return el('td', { class: 'num' }, fmt(v)); }

const charts = {};
function chart(id, option) {
  if (!window.echarts) return;
  const node = document.getElementById(id);
  const c = charts[id] || (charts[id] = echarts.init(node, null, { renderer: 'canvas' }));
  c.setOption(Object.assign({ animation: false, tooltip: { trigger: 'axis', renderMode: 'richText' } }, option), true);
  dashboard.drawn[id] = (dashboard.drawn[id] || 0) + 1;
}
function hide(id, hidden) { document.getElementById(id).style.display = hidden ? 'none' : ''; }
window.addEventListener('resize', () => Object.values(charts).forEach(c => c.resize()));

function showTrends(t) {
  const panel = $('#panel-trends');
  const has = noted(t, panel.querySelector('.note'));
  hide('chart-trends', !has);
  if (!has) return;
  const totals = t.totals;
  $('#kpi-plays').textContent = fmt(totals.plays);
  $('#kpi-skips').textContent = fmt(totals.skips);
  $('#kpi-likes').textContent = fmt(totals.likes);
  $('#kpi-playlist-adds').textContent = fmt(totals.playlist_adds);
  $('#kpi-items').textContent = fmt(totals.items);
  $('#trends-span').textContent = totals.latest_minute ? 'the hour up to ' + time(totals.latest_minute) : '';
  const minutes = t.minutes.map(m => time(m.minute).slice(11, 16));
  chart('chart-trends', {
    legend: { top: 0 }, grid: { left: 50, right: 20, top: 30, bottom: 30 },
    xAxis: { type: 'category', data: minutes }, yAxis: { type: 'value' },
    series: ['plays', 'skips', 'likes', 'playlist_adds'].map(k => ({
      // Points only while there are few minutes: a line needs two, and one minute would draw nothing.
      name: k.replace('_', ' '), type: 'line', showSymbol: t.minutes.length < 5, data: t.minutes.map(m => m[k]) })),
  });
  fillTable('#top-items', t.top, r => [r.item_id, r.item_type, num(r.plays_now), num(r.plays_hour_ago)]);
  const genres = t.skipRateByGenre;
  const hasGenres = noted(genres, $('#genres-note'));
  hide('chart-genres', !hasGenres);
  if (hasGenres) {
    chart('chart-genres', {
      grid: { left: 90, right: 20, top: 10, bottom: 30 },
      xAxis: { type: 'value', axisLabel: { formatter: v => Math.round(v * 100) + '%' } },
      yAxis: { type: 'category', data: genres.map(g => g.genre) },
      series: [{ type: 'bar', data: genres.map(g => g.plays ? +(g.skips / g.plays).toFixed(3) : 0) }],
    });
  }
}

function showRuns(runs, lineageFile) {
  $('#lineage-file').textContent = 'from ' + lineageFile;
  const note = $('#runs-note');
  if (!Array.isArray(runs)) { noted(runs, note); return; }
  note.hidden = runs.length > 0;
  note.textContent = runs.length ? '' : 'no runs in the lineage file yet';
  fillTable('#runs', runs, r => [r.job, r.runner, el('td', { class: r.state === 'COMPLETE' ? 'good' : r.state === 'RUNNING' ? '' : 'bad' }, r.state),
    time(r.started), num(r.seconds == null ? null : Math.round(r.seconds * 10) / 10), num(r.read), num(r.delivered), num(r.duplicates),
    num(r.deadLetters), el('td', { class: r.conserved === false ? 'bad' : 'good' }, r.conserved == null ? '–' : r.conserved ? 'yes' : 'NO'),
    num(r.recordsPerSecond)]);
}

function showDeadLetters(d) {
  if (!noted(d, $('#dead-letters-note'))) return;
  $('#dead-letter-total').textContent = fmt(d.total) + ' in all';
  const body = fillTable('#dead-letter-groups', d.groups, g => [g.stage, g.kind, num(g.dead_letters), time(g.latest)]);
  [...body.children].forEach((tr, i) => {
    const g = d.groups[i];
    const chosen = dashboard.chosen && dashboard.chosen.stage === g.stage && dashboard.chosen.kind === g.kind;
    tr.className = 'clickable' + (chosen ? ' chosen' : '');
    tr.title = g.example;
    tr.addEventListener('click', () => drillDown(g.stage, g.kind));
  });
}

/** Fetches a few payloads of one stage and kind of reason; shows each as text. */
async function drillDown(stage, kind) {
  dashboard.chosen = { stage, kind };
  const box = $('#dead-letter-samples');
  const reply = await fetch('/api/dead-letters?' + new URLSearchParams({ stage, kind }));
  const samples = await reply.json();
  if (!reply.ok) { box.replaceChildren(el('p', { class: 'note' }, samples.error)); return; }
  box.replaceChildren(el('h3', {}, stage + ': ' + kind),
    ...samples.flatMap(s => [el('div', { class: 'muted' }, time(s.failed_at) + ' · ' + (s.origin || '') + ' · ' + s.reason),
      el('pre', { class: 'payload' }, s.payload_text == null ? '(binary payload)' : s.payload_text)]));
  dashboard.samplesShown = samples.length;
}

function showProducts(p) {
  const panel = $('#panel-products');
  noted(p && p.error ? p : null, panel.querySelector('.note'));
  if (!p || p.error) return;
  const note = panel.querySelector('.note');
  note.hidden = !p.missing;
  note.textContent = p.missing || '';
  $('#products').hidden = !!p.missing;
  fillTable('#products', p.products || [], r => [r.product, r.owner, r.status, r.version, r.freshnessSla || '–', freshness(r.freshness),
    r.consumers.map(c => c.domain + ' (' + c.state.toLowerCase() + (c.pii ? ', pii' : '') + ')').join(', ') || '–', r.lastRead || 'never']);
  const g = p.graph;
  $('#lineage-note').hidden = g.nodes.length > 0;
  $('#lineage-note').textContent = g.nodes.length ? '' : 'no runs in the lineage file yet';
  hide('chart-lineage', g.nodes.length === 0);
  if (g.nodes.length) chart('chart-lineage', lineageOption(g));
}

/** A product's measured freshness: the median delay of its newest records, red when over its promise. */
function freshness(f) {
  if (!f || f.delayMs == null) return el('td', { class: 'muted', title: (f && f.stream) || '' }, (f && f.note) || '–');
  const seconds = ms => (ms / 1000).toFixed(ms < 10000 ? 1 : 0) + ' s';
  const text = seconds(f.delayMs) + (f.late ? ', late' : '') + ' (max ' + seconds(f.maxDelayMs) + ')';
  return el('td', { class: f.late ? 'bad late' : 'good', title: f.basis + ', median of the newest ' + f.measured
    + ' records on ' + f.stream + '; newest sent ' + f.newestSentAt }, text);
}

/** Datasets on the left, jobs and what they wrote to the right: each node one layer past what feeds it. */
function lineageOption(g) {
  const layer = {};
  g.nodes.forEach(n => { layer[n.id] = 0; });
  for (let pass = 0; pass < g.nodes.length; pass++) {
    let moved = false;
    g.links.forEach(l => { if (layer[l.target] < layer[l.source] + 1 && layer[l.source] < 12) { layer[l.target] = layer[l.source] + 1; moved = true; } });
    if (!moved) break;
  }
  const rows = {};
  const colour = { job: '#5470c6', product: '#91cc75', dataset: '#fac858', table: '#73c0de' };
  const nodes = g.nodes.map(n => {
    const row = rows[layer[n.id]] = (rows[layer[n.id]] || 0) + 1;
    return { id: n.id, name: n.label + (n.kind === 'job' ? ' (job)' : ''), x: layer[n.id] * 260, y: row * 40,
      symbol: n.kind === 'job' ? 'rect' : 'circle', symbolSize: n.kind === 'job' ? [16, 16] : 14,
      itemStyle: { color: colour[n.kind] }, label: { show: true, position: 'right' } };
  });
  return { tooltip: { trigger: 'item', renderMode: 'richText' },
    series: [{ type: 'graph', layout: 'none', roam: true, zoom: 0.8, edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 7,
      lineStyle: { color: '#999', curveness: 0.1 }, data: nodes, links: g.links.map(l => ({ source: l.source, target: l.target })) }] };
}

function showAlerts(a) {
  if (!a || a.error) { noted(a, $('#alerts-note')); return; }
  $('#alerts').hidden = !noted(a.alerts, $('#alerts-note'));
  $('#anomalies').hidden = !noted(a.anomalies, $('#anomalies-note'));
  if (!$('#alerts').hidden) {
    $('#alert-count').textContent = fmt(a.alertCount) + ' in all';
    fillTable('#alerts', a.alerts, r => [time(r.alert_ts), r.alert_type, r.vehicle_id, r.zone_id, r.evidence]);
  }
  if (!$('#anomalies').hidden) {
    $('#anomaly-count').textContent = fmt(a.anomalyCount) + ' in all';
    fillTable('#anomalies', a.anomalies, r => [time(r.start_ts), r.session_id, num(+r.score.toFixed(3)), num(+r.threshold.toFixed(3)), r.is_bot ? 'yes' : 'no']);
  }
}

function showModels(m) {
  if (!m || m.error) { noted(m, $('#evaluation-note')); return; }
  const hasEval = noted(m.evaluation, $('#evaluation-note'));
  hide('chart-models', !hasEval);
  if (hasEval) {
    const retrains = Array.isArray(m.retrains) ? m.retrains : [];
    chart('chart-models', {
      legend: { top: 0 }, grid: { left: 50, right: 50, top: 30, bottom: 30 },
      xAxis: { type: 'time' }, yAxis: [{ type: 'value', name: 'AUC', min: 0, max: 1 }, { type: 'value', name: 'log-loss' }],
      series: [
        { name: 'AUC', type: 'line', showSymbol: false, data: m.evaluation.map(e => [e.window_end, e.auc]),
          markLine: { symbol: 'none', label: { formatter: 'retrain' }, data: retrains.map(r => ({ xAxis: r.window_end })) } },
        { name: 'log-loss', type: 'line', yAxisIndex: 1, showSymbol: false, data: m.evaluation.map(e => [e.window_end, e.log_loss]) }],
    });
  }
  const hasDrift = noted(m.drift, $('#drift-note'));
  hide('chart-drift', !hasDrift);
  if (hasDrift) {
    chart('chart-drift', { grid: { left: 120, right: 20, top: 10, bottom: 30 }, xAxis: { type: 'value' },
      yAxis: { type: 'category', data: m.drift.map(d => d.feature) },
      series: [{ type: 'bar', data: m.drift.map(d => ({ value: d.psi, itemStyle: { color: d.psi > 0.2 ? '#c0392b' : '#5470c6' } })) }] });
  }
  const hasOnline = noted(m.online, $('#online-note'));
  hide('chart-online', !hasOnline);
  if (hasOnline) {
    const points = m.online.slice().reverse();
    chart('chart-online', { grid: { left: 50, right: 20, top: 10, bottom: 30 }, xAxis: { type: 'time' },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: v => Math.round(v * 100) + '%' } },
      series: [{ name: 'hit rate', type: 'line', data: points.map(p => [p.minute, p.lists ? p.hits / p.lists : 0]) }] });
  }
}

function show(s) {
  dashboard.snapshots++;
  dashboard.last = s;
  $('#warehouse').textContent = s.warehouse;
  $('#as-of').textContent = 'as of ' + time(s.asOf);
  $('#live-job').hidden = !s.liveJob;
  $('#live-job').textContent = s.liveJob ? 'This job now: ' + s.liveJob : '';
  $('#warehouse-error').hidden = !s.warehouseError;
  $('#warehouse-error').textContent = s.warehouseError || '';
  const steps = [['trends', () => showTrends(s.trends)], ['runs', () => showRuns(s.runs, s.lineageFile)],
    ['deadLetters', () => showDeadLetters(s.deadLetters)], ['products', () => showProducts(s.products)],
    ['alerts', () => showAlerts(s.alerts)], ['models', () => showModels(s.models)]];
  for (const [name, step] of steps) {
    try { step(); } catch (e) { console.error('the ' + name + ' panel failed: ' + e); }
  }
  if (dashboard.snapshots === 1) dashboard.firstDrawnMs = performance.now(); // the first render, for the benchmark
  if (dashboard.chosen && dashboard.snapshots % 5 === 0) drillDown(dashboard.chosen.stage, dashboard.chosen.kind);
}

function connect() {
  const live = $('#live');
  const events = new EventSource('/api/stream');
  events.addEventListener('snapshot', e => show(JSON.parse(e.data)));
  events.onopen = () => { live.textContent = 'live'; live.className = 'badge live'; };
  events.onerror = () => { live.textContent = 'reconnecting'; live.className = 'badge down'; };
}

connect();
