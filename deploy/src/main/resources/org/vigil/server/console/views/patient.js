// A patient: trends of her vital signs with her thresholds and alerts, the readings, the alert history with every
// transition, the care plan (edited in place, a conflicting change shown, not lost), devices and contracts.
import { all, api, ApiError } from '../api.js';
import { clear, el, field } from '../dom.js';
import { describe, formatDateTime, formatNumber, metricName, ruleName, t, unit } from '../i18n.js';
import { chart } from './chart.js';
import { severityBadge, statusText, value } from './alerts.js';
import { careSection } from './care.js';

const CHARTS = [
  { key: 'blood_pressure', metrics: ['systolic_bp', 'diastolic_bp'] },
  { key: 'glucose', metrics: ['glucose'] },
  { key: 'spo2', metrics: ['spo2'] },
  { key: 'body_weight', metrics: ['body_weight'] },
  { key: 'heart_rate', metrics: ['heart_rate'] },
];
const METRICS = ['systolic_bp', 'diastolic_bp', 'heart_rate', 'resp_rate', 'spo2', 'glucose', 'body_weight', 'body_temp'];

function table(id, columns, rows) {
  return el('div', { class: 'scroll' }, el('table', { class: 'cards', id },
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c })))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c, i) => el('td', { dataset: { label: columns[i] } }, c)))))));
}

export async function render(main, { patientId, status }) {
  let patient;
  try {
    patient = await api('GET', `/patients/${encodeURIComponent(patientId)}`);
  } catch (e) {
    // Another doctor's patient reads exactly like one that does not exist.
    main.append(el('p', { class: 'msg error', id: 'not-found', role: 'alert', text: e instanceof ApiError && e.status === 404 ? t('common.notFound') : t('common.offline') }));
    return null;
  }
  const charts = [];
  const chartBox = el('div', { class: 'charts', id: 'charts' });
  const readingsBox = el('div', { id: 'readings' });
  const range = el('div', { class: 'range actions', role: 'group', 'aria-label': t('patient.range') });
  let days = 7;
  const careBox = el('div');
  const conditions = patient.conditions.map((c) => t(`condition.${c}`)).join('、') || t('common.none');
  main.append(
    el('p', {}, el('a', { href: '#/patients', text: t('patient.back') })),
    el('h1', { id: 'patient-name', text: t('patient.title', { name: patient.name }) }),
    el('p', { text: t('patient.summary', { conditions, grade: t(`grade.${patient.grade}`) }) }),
    // Charts first: what a doctor looks at before she calls; the chronic-care record follows.
    el('h2', { text: t('patient.charts') }), range, chartBox,
    careBox,
    el('h2', { text: t('patient.readings') }), readingsBox);
  [7, 30, 90].forEach((n) => range.append(el('button', { type: 'button', 'aria-pressed': String(n === days), dataset: { days: n },
    text: t('patient.days', { n: formatNumber(n, 0) }), onclick: (e) => { days = n; range.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b === e.currentTarget))); drawCharts(); } })));

  const [thresholds, alerts] = await Promise.all([
    api('GET', `/patients/${patient.id}/thresholds`).catch(() => ({ bands: [] })),
    all(`/alerts?patientId=${patient.id}`, 500, 'before'),
  ]);

  async function drawCharts() {
    const started = performance.now();
    delete main.dataset.chartDays;
    charts.splice(0).forEach((c) => c.destroy());
    clear(chartBox);
    const to = new Date();
    const from = new Date(to.getTime() - days * 86400000);
    const q = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
    const built = await Promise.all(CHARTS.map(async (spec) => {
      const series = await Promise.all(spec.metrics.map((m) => api('GET', `/patients/${patient.id}/vitals/series?metric=${m}&${q}`)));
      const bands = thresholds.bands.filter((b) => spec.metrics.includes(b.metric));
      return chart(spec, series, bands, alerts.filter((a) => spec.metrics.includes(a.metric)), days);
    }));
    built.forEach((c) => { chartBox.append(c.box); charts.push(c); });
    built.forEach((c) => c.mount());
    main.dataset.chartMs = String(Math.round(performance.now() - started));
    main.dataset.chartDays = String(days);
    const raw = await api('GET', `/patients/${patient.id}/vitals?${q}&limit=10000`);
    const latest = raw.items.slice(-100).reverse();
    clear(readingsBox).append(el('p', { class: 'muted', text: t('patient.readings.latest', { n: formatNumber(latest.length, 0) }) }),
      table('readings-table', [t('patient.col.time'), t('patient.col.metric'), t('patient.col.value'), t('patient.col.device')],
        latest.map((r) => [formatDateTime(r.ts), metricName(r.metric), `${formatNumber(r.value)} ${unit(r.unit)}`, String(r.deviceId)])));
  }
  await drawCharts();
  careBox.append(await careSection(patient));

  main.append(el('h2', { text: t('patient.alerts') }), alertHistory(alerts));
  main.append(el('h2', { text: t('patient.carePlan') }), await carePlan(patient, status));
  const [devices, contracts] = await Promise.all([
    all(`/devices?patientId=${patient.id}`, 100).catch(() => []),
    api('GET', `/patients/${patient.id}/contracts`).catch(() => ({ items: [] })),
  ]);
  main.append(el('h2', { text: t('patient.devices') }), table('devices-table',
    [t('patient.col.serial'), t('patient.col.type'), t('patient.col.status'), t('patient.device.lastSeen')],
    devices.map((d) => [d.serial, t(`deviceType.${d.type}`), d.connected ? t('patient.device.connected') : t('patient.device.disconnected'),
      d.lastSeenAt ? formatDateTime(d.lastSeenAt) : t('common.none')])));
  main.append(el('h2', { text: t('patient.contracts') }), table('contracts-table',
    [t('patient.contract.from'), t('patient.contract.to'), t('patient.contract.team'), t('patient.contract.doctor')],
    contracts.items.map((c) => [formatDateTime(c.validFrom), c.validTo ? formatDateTime(c.validTo) : t('patient.contract.current'),
      `#${c.teamId}`, `#${c.doctorId}`])));
  return () => charts.forEach((c) => c.destroy());
}

function alertHistory(alerts) {
  const columns = [t('triage.col.severity'), t('patient.col.rule'), t('triage.col.value'), t('patient.col.opened'),
    t('patient.col.status'), t('patient.col.disposition'), t('patient.transitions')];
  return table('alert-history', columns, alerts.map((a) => {
    const holder = el('div');
    const button = el('button', { type: 'button', class: 'link', text: t('patient.showTransitions'), onclick: async () => {
      button.disabled = true;
      const history = await api('GET', `/alerts/${a.id}/transitions`);
      holder.append(el('ol', {}, history.items.map((x) => el('li', {},
        `${formatDateTime(x.at)} · ${t(`change.${x.change}`)} · ${x.by}${x.note ? ` · ${x.note}` : ''}`))));
    } });
    return [severityBadge(a.severity), ruleName(a.rule), value(a),
      formatDateTime(a.openedAt), statusText(a), a.disposition ? t(`disposition.${a.disposition}`) : '', el('div', {}, button, holder)];
  }));
}

async function carePlan(patient, status) {
  const box = el('div', { id: 'care-plan' });
  let plan = await api('GET', `/patients/${patient.id}/care-plan`);
  let base = plan.version;
  const message = el('div', { role: 'alert', class: 'msg', hidden: true, id: 'care-plan-message' });
  const rows = el('div');
  const thresholds = el('textarea', { class: 'code', id: 'care-plan-thresholds', spellcheck: 'false' });
  const version = el('p', { class: 'muted' });
  function addRow(item = { metric: 'systolic_bp', every: 'P1D' }) {
    const metric = el('select', {}, METRICS.map((m) => el('option', { value: m, text: metricName(m), selected: m === item.metric })));
    const every = el('input', { value: item.every || '', size: 8, pattern: 'P.*' });
    const grace = el('input', { value: item.grace || '', size: 8 });
    const row = el('div', { class: 'toolbar expected-row' }, field(t('patient.carePlan.expected'), metric),
      field(t('patient.carePlan.every'), every), field(t('patient.carePlan.grace'), grace),
      el('button', { type: 'button', text: t('patient.carePlan.remove'), onclick: () => row.remove() }));
    row.read = () => {
      const out = { ...item, metric: metric.value, every: every.value.trim() };
      if (grace.value.trim()) out.grace = grace.value.trim(); else delete out.grace;
      return out;
    };
    rows.append(row);
  }
  function show(p) {
    clear(rows);
    p.expected.forEach(addRow);
    thresholds.value = JSON.stringify(p.thresholds || {}, null, 2);
    version.textContent = p.version === 0 ? t('patient.carePlan.none')
      : `${t('patient.carePlan.version', { n: p.version })} · ${t('patient.carePlan.changedBy', { by: p.changedBy, at: formatDateTime(p.changedAt) })}`;
  }
  show(plan);
  const say = (text, kind) => { message.hidden = false; message.className = `msg ${kind}`; message.textContent = text; };
  const save = el('button', { type: 'submit', class: 'primary', id: 'care-plan-save', text: t('common.save') });
  const form = el('form', {}, version, message, rows,
    el('button', { type: 'button', text: t('patient.carePlan.add'), onclick: () => addRow() }),
    field(t('patient.carePlan.thresholds'), thresholds), save);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let parsed;
    try { parsed = JSON.parse(thresholds.value || '{}'); } catch (err) { say(t('patient.carePlan.badJson'), 'error'); thresholds.focus(); return; }
    const body = { version: base, expected: [...rows.querySelectorAll('.expected-row')].map((r) => r.read()), thresholds: parsed };
    save.disabled = true;
    try {
      plan = await api('PUT', `/patients/${patient.id}/care-plan`, body);
      base = plan.version;
      show(plan);
      say(t('patient.carePlan.saved', { n: plan.version }), 'ok');
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        // Keep what she typed; the next save builds on the version now stored, on purpose.
        const latest = await api('GET', `/patients/${patient.id}/care-plan`);
        base = latest.version;
        say(t('patient.carePlan.conflict', { n: latest.version }), 'error');
      } else {
        say(describe(err), 'error');
      }
    } finally {
      save.disabled = false;
    }
  });
  box.append(form);
  return box;
}
