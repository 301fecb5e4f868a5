// The orchestrator dashboard: one section per resource type, refreshed every two seconds from the
// same REST API the admin UI uses. All data reaches the page through textContent, never as HTML.
// It reads the plan without resource ids (it shows none; with them the answer grows with every
// resource of the type), and stops polling while its tab is hidden.

const API = '/v1/api/orchestrations';
const REFRESH_MS = 2000;
const TOKEN_KEY = 'iota.orchestrator.token';

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
  $('types').append(node);
  const option = document.createElement('option');
  option.value = type;
  text(option, type);
  $('find-type').append(option);
  const s = { node, tbody: node.querySelector('tbody') };
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

function renderPlan(s, type, plan) {
  const rows = [];
  for (const [id, inst] of Object.entries(plan.instances)) {
    const row = document.createElement('tr');
    row.dataset.testid = `instance-${type}-${id}`;
    const th = document.createElement('th');
    th.scope = 'row';
    text(th, id);
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
    rows.push(row);
  }
  if (rows.length === 0) {
    const row = document.createElement('tr');
    const td = cell(row, 'no instances yet', 'empty');
    td.colSpan = 6;
    rows.push(row);
  }
  s.tbody.replaceChildren(...rows);
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
    const plans = await Promise.all(list.body.types.map((t) => call(`${API}/${encodeURIComponent(t.resource)}?ids=false`)));
    const failed = plans.find((p) => !p.ok);
    showError(failed ? `${failed.status}: ${failed.body.error}` : '');
    list.body.types.forEach((summary, i) => {
      const s = section(summary.resource);
      renderSummary(s, summary);
      if (plans[i].ok) renderPlan(s, summary.resource, plans[i].body);
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
