// Triage, the start page: the open alerts routed to me and escalated to my organisation, most severe first and
// then longest waiting; acknowledge, snooze and resolve in place; kept current by the live alert feed.
import { all, api } from '../api.js';
import { clear, el, field } from '../dom.js';
import { describe, formatAge, formatNumber, formatTime, t } from '../i18n.js';
import { DISPOSITIONS, isSnoozed, severityBadge, statusText, tier, value, what } from './alerts.js';

const SEVERITY_ORDER = { critical: 0, warning: 1 };
const SNOOZE_HOURS = [1, 4, 24, 72];

export async function render(main, { session, status }) {
  const me = session.doctor;
  const alerts = new Map();
  const patients = new Map();
  const rows = new Map();
  const counts = el('ul', { class: 'counts', 'aria-label': t('triage.counts'), id: 'counts' });
  const live = el('span', { class: 'live', id: 'live', role: 'status' });
  const notify = el('input', { type: 'checkbox', id: 'notify' });
  notify.checked = localStorage.getItem('vigil.notify') === '1';
  notify.addEventListener('change', () => {
    localStorage.setItem('vigil.notify', notify.checked ? '1' : '0');
    if (notify.checked && 'Notification' in window && Notification.permission === 'default') Notification.requestPermission();
  });
  const tbody = el('tbody');
  const empty = el('p', { id: 'triage-empty', text: t('triage.empty'), hidden: true });
  const table = el('table', { class: 'cards', id: 'triage' },
    el('thead', {}, el('tr', {}, ['severity', 'patient', 'what', 'value', 'measuredAt', 'openFor', 'tier', 'status', 'actions']
      .map((c) => el('th', { scope: 'col', text: t(`triage.col.${c}`) })))), tbody);
  main.append(el('h1', { text: t('triage.title') }),
    el('div', { class: 'toolbar' }, counts, live,
      el('span', {}, notify, ' ', el('label', { for: 'notify', class: 'inline-label', text: t('triage.notify') }))),
    el('div', { class: 'scroll' }, table), empty);

  // Routed to me or escalated to my organisation, and still waiting for me: an alert a colleague acknowledged is
  // hers to follow up, so it leaves my list; one I acknowledged stays until I resolve it.
  const mine = (a) => a.status !== 'resolved' && (a.doctorId === me.id || (a.escalatedTo || []).includes(me.organisationId))
    && (a.status !== 'acknowledged' || a.acknowledgedBy === `doctor:${me.id}`);

  function order(a, b) {
    const snoozed = Number(isSnoozed(a)) - Number(isSnoozed(b));
    if (snoozed !== 0) return snoozed;
    const severity = (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9);
    if (severity !== 0) return severity;
    return new Date(a.openedAt) - new Date(b.openedAt);
  }

  function patientCell(alert) {
    const p = patients.get(alert.patientId);
    return el('a', { href: `#/patient/${alert.patientId}`, text: p ? p.name : `#${alert.patientId}` });
  }

  function cell(label, ...content) { return el('td', { dataset: { label } }, ...content); }

  function row(alert) {
    const actions = el('div', { class: 'actions' });
    const holder = el('div');
    if (alert.status === 'open') {
      actions.append(el('button', { type: 'button', class: 'primary', dataset: { action: 'ack' }, text: t('triage.ack'),
        onclick: () => act(alert, 'ack', {}) }));
    }
    actions.append(
      el('button', { type: 'button', dataset: { action: 'snooze' }, text: t('triage.snooze'), onclick: () => snoozeForm(alert, holder) }),
      el('button', { type: 'button', dataset: { action: 'resolve' }, text: t('triage.resolve'), onclick: () => resolveForm(alert, holder) }));
    return el('tr', { id: `alert-${alert.id}`, dataset: { alertId: alert.id, severity: alert.severity } },
      cell(t('triage.col.severity'), severityBadge(alert.severity)),
      cell(t('triage.col.patient'), patientCell(alert)),
      cell(t('triage.col.what'), ...what(alert)),
      el('td', { class: 'num', dataset: { label: t('triage.col.value') }, text: value(alert) }),
      el('td', { class: 'num', dataset: { label: t('triage.col.measuredAt') }, text: formatTime(alert.measuredAt) }),
      el('td', { class: 'num age', dataset: { label: t('triage.col.openFor'), opened: alert.openedAt }, text: formatAge(alert.openedAt) }),
      cell(t('triage.col.tier'), tier(alert)),
      cell(t('triage.col.status'), statusText(alert)),
      cell(t('triage.col.actions'), actions, holder));
  }

  function snoozeForm(alert, holder) {
    clear(holder);
    const reason = el('input', { required: true, maxlength: 2000 });
    const until = el('select', {}, SNOOZE_HOURS.map((h) => el('option', { value: h,
      text: h < 24 ? t('duration.hours', { n: formatNumber(h, 0) }) : t('duration.days', { n: formatNumber(h / 24, 0) }) })));
    const form = el('form', { class: 'inline-form' }, field(t('triage.snooze.reason'), reason), field(t('triage.snooze.until'), until),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', text: t('triage.snooze') }),
        el('button', { type: 'button', text: t('common.cancel'), onclick: () => clear(holder) })));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!reason.value.trim()) { reason.focus(); return; }
      act(alert, 'snooze', { reason: reason.value.trim(), until: new Date(Date.now() + Number(until.value) * 3600000).toISOString() });
    });
    holder.append(form);
    reason.focus();
  }

  function resolveForm(alert, holder) {
    clear(holder);
    const disposition = el('select', { name: 'disposition' }, DISPOSITIONS.map((d) => el('option', { value: d, text: t(`disposition.${d}`) })));
    const note = el('textarea', { name: 'note', maxlength: 2000, rows: 2 });
    const form = el('form', { class: 'inline-form' }, field(t('triage.resolve.disposition'), disposition), field(t('triage.resolve.note'), note),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', dataset: { action: 'confirm-resolve' }, text: t('triage.resolve') }),
        el('button', { type: 'button', text: t('common.cancel'), onclick: () => clear(holder) })));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = { disposition: disposition.value };
      if (note.value.trim()) body.note = note.value.trim();
      act(alert, 'resolve', body);
    });
    holder.append(form);
    disposition.focus();
  }

  async function act(alert, action, body) {
    try {
      update(await api('POST', `/alerts/${alert.id}/${action}`, body));
      status('');
    } catch (e) {
      status(describe(e), true);
    }
  }

  function renderCounts() {
    clear(counts);
    const bySeverity = { critical: 0, warning: 0 };
    alerts.forEach((a) => { bySeverity[a.severity] = (bySeverity[a.severity] || 0) + 1; });
    for (const [severity, n] of Object.entries(bySeverity)) {
      counts.append(el('li', { class: `sev-${severity}`, id: `count-${severity}` }, `${t(`severity.${severity}`)} ${formatNumber(n, 0)}`));
    }
    empty.hidden = alerts.size > 0;
    table.hidden = alerts.size === 0;
  }

  /** Puts the rows in order, moving only those out of place (an open form keeps its focus). */
  function arrange() {
    const sorted = [...alerts.values()].sort(order);
    sorted.forEach((a, i) => {
      const node = rows.get(a.id);
      if (tbody.children[i] !== node) tbody.insertBefore(node, tbody.children[i] || null);
    });
    renderCounts();
  }

  function update(alert) {
    const old = rows.get(alert.id);
    if (!mine(alert)) {
      alerts.delete(alert.id);
      rows.delete(alert.id);
      old?.remove();
    } else {
      alerts.set(alert.id, alert);
      const fresh = row(alert);
      rows.set(alert.id, fresh);
      if (old) old.replaceWith(fresh); else tbody.append(fresh);
    }
    arrange();
  }

  async function ensurePatient(id) {
    if (patients.has(id)) return;
    try { patients.set(id, await api('GET', `/patients/${id}`)); } catch (e) { /* shown by id */ }
  }

  const started = performance.now();
  const [open, acknowledged, visible] = await Promise.all([
    all('/alerts?status=open', 5000, 'before'), all('/alerts?status=acknowledged', 5000, 'before'), all('/patients', 20000)]);
  visible.forEach((p) => patients.set(p.id, p));
  [...open, ...acknowledged].filter(mine).forEach((a) => { alerts.set(a.id, a); rows.set(a.id, row(a)); });
  arrange();
  main.dataset.renderedMs = String(Math.round(performance.now() - started));
  main.dataset.renderedAt = String(Math.round(performance.now())); // since the page began to load

  // Live: the feed carries every change of the alerts routed to me or escalated to my organisation.
  let source = null;
  let closed = false;
  function connect() {
    source = new EventSource(`/api/v1/doctors/${me.id}/alerts/stream`);
    source.onopen = () => { live.textContent = t('common.live'); live.classList.remove('lost'); main.dataset.live = 'open'; };
    source.onerror = () => { live.textContent = t('common.liveLost'); live.classList.add('lost'); };
    ['opened', 'escalated', 'acknowledged', 'resolved', 'snoozed', 'reminded', 'tier_escalated', 'rerouted'].forEach((name) => {
      source.addEventListener(`alert.${name}`, async (event) => {
        const alert = JSON.parse(event.data);
        await ensurePatient(alert.patientId);
        if (closed) return;
        update(alert);
        if ((name === 'opened' || name === 'escalated') && alert.severity === 'critical') alarm(alert);
      });
    });
  }
  function alarm(alert) {
    if (!notify.checked) return;
    const p = patients.get(alert.patientId);
    try {
      const audio = new AudioContext();
      const osc = audio.createOscillator();
      osc.frequency.value = 880;
      osc.connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.4);
    } catch (e) { /* no sound here */ }
    if ('Notification' in window && Notification.permission === 'granted') {
      new Notification(t('triage.newCritical', { patient: p ? p.name : `#${alert.patientId}` }));
    }
  }
  connect();
  const ages = setInterval(() => main.querySelectorAll('td.age').forEach((td) => { td.textContent = formatAge(td.dataset.opened); }), 60000);
  return () => { closed = true; source?.close(); clearInterval(ages); };
}
