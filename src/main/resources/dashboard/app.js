// The orchestrator dashboard: one section per resource type, refreshed every two seconds from the
// same REST API the admin UI uses. All data reaches the page through textContent, never as HTML.
// It reads the plan without resource ids (it shows none; with them the answer grows with every
// resource of the type), and stops polling while its tab is hidden. Beside the plan it reads each
// type's scaling report: per instance utilization bars against the target and a drain button, a plot
// of the last hour drawn here in SVG, and the scaling events.

const API = '/v1/api/orchestrations';
const REFRESH_MS = 2000;
const TOKEN_KEY = 'iota.orchestrator.token';
const SVG = 'http://www.w3.org/2000/svg';
// Utilization bars and the plot's right axis span 0 to 150 % of the pods' requests.
const UTIL_SCALE = 1.5;
const HOUR_MS = 3600000;
const PLOT = { width: 600, height: 200, left: 40, right: 40, top: 10, bottom: 20 };

const $ = (id) => document.getElementById(id);
const sections = new Map();
let refreshing = false;

function token() {
  return localStorage.getItem(TOKEN_KEY) || '';
}

function headers(extra = {}) {
  const h = { Accept: 'application/json', ...extra };
  if (token()) h.Authorization = `Bearer ${token()}`;
  return h;
}

async function call(path, options = {}) {
  const res = await fetch(path, { ...options, headers: headers(options.headers) });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = { error: `HTTP ${res.status}` };
  }
  return { status: res.status, ok: res.ok, body };
}

function text(el, value) {
  el.textContent = value == null ? '' : String(value);
  return el;
}

function cell(row, value, className) {
  const td = row.insertCell();
  if (className) td.className = className;
  text(td, value);
  return td;
}

function age(ms) {
  if (ms == null) return '—';
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s ago`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min ago` : `${Math.round(m / 60)} h ago`;
}

function showError(message) {
  const banner = $('error-banner');
  banner.hidden = !message;
  text(banner, message || '');
}

// ---- token

function initToken() {
  const input = $('token-input');
  input.value = token();
  const state = () => text($('token-state'), token() ? 'saved' : 'none');
  state();
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = input.value.trim();
    if (v) localStorage.setItem(TOKEN_KEY, v);
    else localStorage.removeItem(TOKEN_KEY);
    state();
    refresh();
  });
}

// ---- find a resource

function initFind() {
  $('find-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const type = $('find-type').value;
    const id = $('find-id').value.trim();
    const out = $('find-result');
    out.className = 'result';
    if (!type || !id) return;
    const r = await call(`${API}/${encodeURIComponent(type)}/${encodeURIComponent(id)}/instances`);
    if (r.ok) {
      text(out, `${type} '${id}' runs in instance ${r.body.runIn}`);
    } else {
      out.className = 'result error';
      text(out, r.body.error || `HTTP ${r.status}`);
    }
  });
}

// ---- one section per type

function section(type) {
  if (sections.has(type)) return sections.get(type);
  const node = $('type-template').content.firstElementChild.cloneNode(true);
  node.dataset.testid = `type-${type}`;
  node.setAttribute('aria-labelledby', `title-${type}`);
  const title = node.querySelector('.type-title');
  title.id = `title-${type}`;
  text(title, type);
  text(node.querySelector('caption'), `Instances of ${type}`);
  for (const [cls, id] of [['t-instances', 'total-instances'], ['t-resources', 'total-resources'], ['t-moves', 'total-moves'],
    ['t-recreates', 'total-recreates'], ['t-orchestrations', 'total-orchestrations'], ['t-params', 'params']]) {
    node.querySelector(`.${cls}`).dataset.testid = `${id}-${type}`;
  }
  node.querySelector('.over-capacity').dataset.testid = `over-capacity-${type}`;
  node.querySelector('table').dataset.testid = `instances-${type}`;
  const form = node.querySelector('form.orchestrate');
  form.dataset.testid = `orchestrate-form-${type}`;
  for (const [cls, key] of [['f-max', 'max'], ['f-rpi', 'rpi'], ['f-init', 'init']]) {
    const input = form.querySelector(`.${cls}`);
    input.id = `orchestrate-${key}-${type}`;
    input.dataset.testid = `orchestrate-${key}-${type}`;
  }
  form.querySelector('button').dataset.testid = `orchestrate-submit-${type}`;
  const result = node.querySelector('.orchestrate-result');
  result.dataset.testid = `orchestrate-result-${type}`;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    orchestrate(type, form, result);
  });
  for (const [cls, id] of [['th-cpu', 'cpu-header'], ['th-memory', 'memory-header'], ['drain-result', 'drain-result'],
    ['scaling-status', 'scaling-status'], ['scaling-plot', 'scaling-plot'], ['event-list', 'events']]) {
    node.querySelector(`.${cls}`).dataset.testid = `${id}-${type}`;
  }
  node.querySelector('.scaling-plot').setAttribute('aria-label', `${type} pool size and utilization over the last hour`);
  const tbody = node.querySelector('tbody');
  // One listener for the drain buttons: the rows are rebuilt when the plan changes.
  tbody.addEventListener('click', (e) => {
    const button = e.target.closest('button.drain');
    if (button) drain(type, button.dataset.instance, button.dataset.drain === 'true', button);
  });
  $('types').append(node);
  const option = document.createElement('option');
  option.value = type;
  text(option, type);
  $('find-type').append(option);
  const s = { node, tbody, rowsKey: null };
  sections.set(type, s);
  return s;
}

async function orchestrate(type, form, result) {
  const body = {};
  for (const [cls, field] of [['f-max', 'maxInstances'], ['f-rpi', 'resourcePerInstance'], ['f-init', 'initInstances']]) {
    const v = form.querySelector(`.${cls}`).value.trim();
    if (v !== '') body[field] = Number(v);
  }
  const button = form.querySelector('button');
  button.disabled = true;
  result.className = 'result orchestrate-result';
  text(result, 'working…');
  try {
    const r = await call(`${API}/${encodeURIComponent(type)}/orchestrate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.ok) {
      const p = r.body;
      text(result, `${p.instances} instances × ${p.resourcePerInstance}: moved ${p.moved}, kept ${p.kept}, ` +
        `created [${p.created.join(', ')}], deleted [${p.deleted.join(', ')}], load ${p.minLoad}–${p.maxLoad}`);
      refresh();
    } else {
      result.className = 'result orchestrate-result error';
      text(result, `${r.status}: ${r.body.error || 'request failed'}`);
    }
  } catch (err) {
    result.className = 'result orchestrate-result error';
    text(result, `request failed: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

async function drain(type, id, on, button) {
  const result = sections.get(type).node.querySelector('.drain-result');
  const op = on ? 'drain' : 'undrain';
  button.disabled = true;
  result.className = 'result drain-result';
  text(result, `${op} of instance ${id}: working…`);
  try {
    const r = await call(`${API}/${encodeURIComponent(type)}/instances/${encodeURIComponent(id)}/${op}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    if (r.ok) {
      text(result, `instance ${id} ${on ? 'drained' : 'eligible again'}: ${r.body.moved} resources moved`);
      refresh();
    } else {
      result.className = 'result drain-result error';
      text(result, `${op} of instance ${id}: ${r.status}: ${r.body.error || 'request failed'}`);
    }
  } catch (err) {
    result.className = 'result drain-result error';
    text(result, `${op} of instance ${id}: request failed: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

function percent(fraction) {
  return fraction == null ? '—' : `${Math.round(fraction * 100)}%`;
}

function renderSummary(s, summary) {
  const q = (id) => s.node.querySelector(`[data-testid="${id}-${summary.resource}"]`);
  text(q('total-instances'), summary.instances);
  text(q('total-resources'), summary.resources);
  text(q('total-moves'), summary.moves);
  text(q('total-recreates'), summary.recreates);
  text(q('total-orchestrations'), summary.orchestrations);
  const p = summary.params || {};
  text(q('params'), `init ${p.initInstances}, max ${p.maxInstances}, per instance ${p.resourcePerInstance}` +
    (summary.orchestrated ? '' : ' (automatic plan)'));
  // Every instance was full at the maximum: say how far over, so an operator re-orchestrates.
  const over = q('over-capacity');
  over.hidden = !summary.overCapacity;
  text(over, summary.overCapacity
    ? `Over capacity: ${summary.beyondCapacity} resources beyond the instances' capacity at the maximum of ${p.maxInstances} instances`
    : '');
}

// One utilization bar: the fill is the usage over requests, the line the target.
function utilCell(row, type, id, metric, fraction, target) {
  const td = cell(row, '');
  const wrap = document.createElement('div');
  wrap.className = 'util-cell';
  const label = text(document.createElement('span'), percent(fraction));
  label.dataset.testid = `${metric}-${type}-${id}`;
  if (fraction != null) {
    const bar = document.createElement('div');
    bar.className = 'util';
    bar.setAttribute('role', 'meter');
    bar.setAttribute('aria-label', `${type} instance ${id} ${metric} utilization, target ${percent(target)}`);
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', String(UTIL_SCALE * 100));
    bar.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
    const fill = document.createElement('div');
    fill.className = target != null && fraction > target ? 'fill over' : 'fill';
    fill.style.width = `${(Math.min(fraction, UTIL_SCALE) / UTIL_SCALE * 100).toFixed(1)}%`;
    bar.append(fill);
    if (target != null) {
      const line = document.createElement('div');
      line.className = 'target';
      line.dataset.testid = `${metric}-target-${type}-${id}`;
      line.style.left = `${(Math.min(target, UTIL_SCALE) / UTIL_SCALE * 100).toFixed(1)}%`;
      bar.append(line);
    }
    wrap.append(bar);
  }
  wrap.append(label);
  td.append(wrap);
}

function renderPlan(s, type, plan, scaling) {
  const loads = (scaling && scaling.instances) || {};
  const target = (scaling && scaling.target) || {};
  text(s.node.querySelector('.th-cpu'), `CPU (target ${percent(target.cpu)})`);
  text(s.node.querySelector('.th-memory'), `Memory (target ${percent(target.memory)})`);
  // Rebuilt only when something shown changed, so a button is not swapped under the pointer.
  const key = JSON.stringify([plan.instances, loads, target]);
  if (key === s.rowsKey) return;
  s.rowsKey = key;
  const focused = s.tbody.contains(document.activeElement) ? document.activeElement.dataset.testid : null;
  const rows = [];
  for (const [id, inst] of Object.entries(plan.instances)) {
    const load = loads[id] || {};
    const row = document.createElement('tr');
    row.dataset.testid = `instance-${type}-${id}`;
    const th = document.createElement('th');
    th.scope = 'row';
    text(th, id);
    if (load.draining) {
      row.className = 'draining';
      const badge = text(document.createElement('span'), 'draining');
      badge.className = 'badge draining';
      badge.dataset.testid = `draining-${type}-${id}`;
      th.append(badge);
    }
    row.append(th);
    const bar = cell(row, '');
    const wrap = document.createElement('div');
    wrap.className = 'bar';
    const meter = document.createElement('meter');
    meter.min = 0;
    meter.max = Math.max(inst.data.count, 1);
    meter.value = inst.data.used;
    meter.setAttribute('aria-label', `${type} instance ${id} load`);
    const label = text(document.createElement('span'), `${inst.data.used} / ${inst.data.count}`);
    label.dataset.testid = `used-${type}-${id}`;
    wrap.append(meter, label);
    bar.append(wrap);
    cell(row, inst._reload.times, 'num').dataset.testid = `reload-${type}-${id}`;
    cell(row, age(inst.health.heartbeatAgeMs));
    cell(row, inst.health.podPhase || '—');
    const status = document.createElement('span');
    status.className = `badge ${inst.health.status}`;
    status.dataset.testid = `status-${type}-${id}`;
    text(status, inst.health.status);
    cell(row, '').append(status);
    utilCell(row, type, id, 'cpu', load.cpuUtilization, target.cpu);
    utilCell(row, type, id, 'memory', load.memoryUtilization, target.memory);
    const button = text(document.createElement('button'), load.draining ? 'Undrain' : 'Drain');
    button.type = 'button';
    button.className = load.draining ? 'drain secondary' : 'drain';
    button.dataset.instance = id;
    button.dataset.drain = String(!load.draining);
    button.dataset.testid = `drain-${type}-${id}`;
    button.setAttribute('aria-label', `${load.draining ? 'Undrain' : 'Drain'} ${type} instance ${id}`);
    cell(row, '').append(button);
    rows.push(row);
  }
  if (rows.length === 0) {
    const row = document.createElement('tr');
    const td = cell(row, 'no instances yet', 'empty');
    td.colSpan = 9;
    rows.push(row);
  }
  s.tbody.replaceChildren(...rows);
  if (focused) {
    const again = s.tbody.querySelector(`[data-testid="${focused}"]`);
    if (again) again.focus();
  }
}

// ---- scaling: status line, plot of the last hour, events

function renderScaling(s, type, reply) {
  const status = s.node.querySelector('.scaling-status');
  if (!reply.ok) {
    status.className = 'scaling-status error';
    text(status, `scaling report: ${reply.status}: ${reply.body.error || 'request failed'}`);
    return;
  }
  const r = reply.body;
  status.className = 'scaling-status';
  const limited = r.limitedBy ? ` (limited: ${r.limitedBy})` : '';
  text(status, `Autoscaling ${r.enabled ? 'on' : 'off'} · ${r.current} instances, desired ${r.desired}${limited} · ` +
    `CPU ${percent(r.utilization.cpu)} of requests, target ${percent(r.target.cpu)} · ` +
    `memory ${percent(r.utilization.memory)}, target ${percent(r.target.memory)} · max/mean load ${r.maxOverMean.toFixed(2)}`);
  renderPlot(s.node.querySelector('.scaling-plot'), type, r);
  renderEvents(s.node.querySelector('.event-list'), type, r.events);
}

function svg(name, attrs, parent) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.append(el);
  return el;
}

// Pool size on the left axis (0 to one above the largest), utilization on the right (0 to 150 %),
// over the hour of record time that ends at the newest point: the report's own clock, not the page's.
function renderPlot(plot, type, report) {
  const history = report.history;
  const w = PLOT.width - PLOT.left - PLOT.right;
  const h = PLOT.height - PLOT.top - PLOT.bottom;
  const end = history.length ? history[history.length - 1].at : 0;
  const poolMax = Math.max(1, ...history.map((p) => p.instances)) + 1;
  const x = (at) => PLOT.left + (1 - (end - at) / HOUR_MS) * w;
  const yPool = (n) => PLOT.top + (1 - n / poolMax) * h;
  const yUtil = (u) => PLOT.top + (1 - Math.min(u, UTIL_SCALE) / UTIL_SCALE) * h;
  const pt = (px, py) => `${px.toFixed(1)},${py.toFixed(1)}`;
  plot.replaceChildren();
  svg('line', { class: 'axis', x1: PLOT.left, y1: PLOT.top + h, x2: PLOT.left + w, y2: PLOT.top + h }, plot);
  svg('line', { class: 'axis', x1: PLOT.left, y1: PLOT.top, x2: PLOT.left, y2: PLOT.top + h }, plot);
  svg('line', { class: 'axis', x1: PLOT.left + w, y1: PLOT.top, x2: PLOT.left + w, y2: PLOT.top + h }, plot);
  const tick = (label, tx, ty, anchor) => text(svg('text', { class: 'tick', x: tx, y: ty, 'text-anchor': anchor }, plot), label);
  tick(poolMax, PLOT.left - 4, PLOT.top + 10, 'end');
  tick(0, PLOT.left - 4, PLOT.top + h, 'end');
  tick(`${UTIL_SCALE * 100}%`, PLOT.left + w + 4, PLOT.top + 10, 'start');
  tick('0%', PLOT.left + w + 4, PLOT.top + h, 'start');
  tick('−1 h', PLOT.left, PLOT.height - 4, 'start');
  tick(history.length ? `${new Date(end).toISOString().slice(11, 19)} UTC` : 'no rounds yet', PLOT.left + w, PLOT.height - 4, 'end');
  for (const metric of ['cpu', 'memory']) {
    const t = report.target[metric];
    if (t != null) {
      svg('line', { class: `line-target ${metric}`, 'data-testid': `plot-${metric}-target-${type}`, x1: PLOT.left, y1: yUtil(t).toFixed(1), x2: PLOT.left + w, y2: yUtil(t).toFixed(1) }, plot);
    }
  }
  const line = (name, points) => svg('polyline', { class: `line-${name}`, 'data-testid': `plot-${name}-${type}`, points: points.join(' ') }, plot);
  // The pool size holds between rounds: drawn as steps, not slopes.
  line('instances', history.flatMap((p, i) => (i === 0 ? [] : [pt(x(p.at), yPool(history[i - 1].instances))]).concat(pt(x(p.at), yPool(p.instances)))));
  line('cpu', history.filter((p) => p.cpu != null).map((p) => pt(x(p.at), yUtil(p.cpu))));
  line('memory', history.filter((p) => p.memory != null).map((p) => pt(x(p.at), yUtil(p.memory))));
}

function renderEvents(list, type, events) {
  const items = events.slice().reverse().map((e, i) => {
    const li = document.createElement('li');
    li.dataset.testid = `event-${type}-${i}`;
    const when = text(document.createElement('time'), `${new Date(e.at).toISOString().slice(11, 19)} UTC`);
    when.dateTime = new Date(e.at).toISOString();
    const kind = text(document.createElement('span'), e.kind);
    kind.className = 'kind';
    li.append(when, ' ', kind, ` ${e.from} → ${e.to}: ${e.reason} (moved ${e.moved})`);
    return li;
  });
  if (items.length === 0) {
    const li = text(document.createElement('li'), 'no scaling events yet');
    li.className = 'empty';
    items.push(li);
  }
  list.replaceChildren(...items);
}

// ---- refresh loop

async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const ready = await call('/readyz');
    text($('ready'), ready.ok ? 'ready' : `not ready (${ready.body.streams || ready.status})`);
    const list = await call(API);
    if (!list.ok) {
      showError(list.status === 401 ? 'Reads need the API token: paste it above.' : `${list.status}: ${list.body.error}`);
      return;
    }
    const [plans, scalings] = await Promise.all([
      Promise.all(list.body.types.map((t) => call(`${API}/${encodeURIComponent(t.resource)}?ids=false`))),
      Promise.all(list.body.types.map((t) => call(`${API}/${encodeURIComponent(t.resource)}/scaling`))),
    ]);
    const failed = plans.find((p) => !p.ok);
    showError(failed ? `${failed.status}: ${failed.body.error}` : '');
    list.body.types.forEach((summary, i) => {
      const s = section(summary.resource);
      renderSummary(s, summary);
      if (plans[i].ok) renderPlan(s, summary.resource, plans[i].body, scalings[i].ok ? scalings[i].body : null);
      renderScaling(s, summary.resource, scalings[i]);
    });
    const now = new Date();
    const stamp = $('last-refresh');
    stamp.dateTime = now.toISOString();
    text(stamp, now.toLocaleTimeString());
  } catch (err) {
    showError(`cannot reach the orchestrator: ${err.message}`);
  } finally {
    refreshing = false;
  }
}

// ---- polling, only while the tab is visible (Page Visibility API)

let timer = null;

function startPolling() {
  if (timer !== null) return;
  refresh();
  timer = setInterval(refresh, REFRESH_MS);
}

function stopPolling() {
  if (timer === null) return;
  clearInterval(timer);
  timer = null;
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') stopPolling();
  else startPolling();
});

initToken();
initFind();
if (document.visibilityState !== 'hidden') startPolling();
