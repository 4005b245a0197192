// My patients: everyone in my care, with conditions, grade, open alerts and latest readings; search, filter,
// sort and page in the browser (a doctor's list is hundreds, not millions).
import { all, api } from '../api.js';
import { clear, el, field } from '../dom.js';
import { formatNumber, formatTime, metricName, t, unit } from '../i18n.js';

const PAGE = 20;
const CONDITIONS = ['hypertension', 'diabetes', 'copd', 'heart_failure'];

export async function render(main) {
  const [patients, open, acknowledged] = await Promise.all([
    all('/patients', 20000), all('/alerts?status=open', 5000, 'before'), all('/alerts?status=acknowledged', 5000, 'before')]);
  const openAlerts = new Map();
  const missingByPatient = new Map();
  [...open, ...acknowledged].forEach((a) => {
    openAlerts.set(a.patientId, (openAlerts.get(a.patientId) || 0) + 1);
    if (a.rule.startsWith('missing_')) missingByPatient.set(a.patientId, [...(missingByPatient.get(a.patientId) || []), a.rule.substring(8)]);
  });
  const search = el('input', { type: 'search', id: 'patients-search' });
  const condition = el('select', { id: 'patients-condition' }, el('option', { value: '', text: t('patients.any') }),
    CONDITIONS.map((c) => el('option', { value: c, text: t(`condition.${c}`) })));
  const grade = el('select', { id: 'patients-grade' }, el('option', { value: '', text: t('patients.any') }),
    [1, 2, 3].map((g) => el('option', { value: g, text: t(`grade.${g}`) })));
  const alertState = el('select', { id: 'patients-alerts' }, el('option', { value: '', text: t('patients.any') }),
    el('option', { value: 'with', text: t('patients.withAlerts') }), el('option', { value: 'without', text: t('patients.withoutAlerts') }));
  const sort = el('select', { id: 'patients-sort' }, el('option', { value: 'alerts', text: t('patients.sort.alerts') }),
    el('option', { value: 'name', text: t('patients.sort.name') }));
  const body = el('div');
  const pager = el('div', { class: 'actions' });
  let page = 0;
  main.append(el('h1', { text: t('patients.title') }),
    el('div', { class: 'toolbar' }, field(t('patients.search'), search), field(t('patients.condition'), condition),
      field(t('patients.grade'), grade), field(t('patients.alertState'), alertState), field(t('patients.sort'), sort)),
    body, pager);
  const collator = new Intl.Collator(document.documentElement.lang);

  async function draw() {
    const term = search.value.trim().toLowerCase();
    const rows = patients.filter((p) => (!term || p.name.toLowerCase().includes(term))
      && (!condition.value || p.conditions.includes(condition.value))
      && (!grade.value || String(p.grade) === grade.value)
      && (!alertState.value || (alertState.value === 'with') === openAlerts.has(p.id)))
      .sort((a, b) => (sort.value === 'alerts' ? (openAlerts.get(b.id) || 0) - (openAlerts.get(a.id) || 0) : 0) || collator.compare(a.name, b.name));
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    page = Math.min(page, pages - 1);
    const shown = rows.slice(page * PAGE, page * PAGE + PAGE);
    const [latest, plans] = await Promise.all([
      Promise.all(shown.map((p) => api('GET', `/patients/${p.id}/vitals/latest`).catch(() => ({ items: [] })))),
      Promise.all(shown.map((p) => api('GET', `/patients/${p.id}/care-plan`).catch(() => ({ expected: [] }))))]);
    const columns = [t('patients.col.name'), t('patients.col.conditions'), t('patients.col.grade'), t('patients.col.alerts'),
      t('patients.col.expected'), t('patients.col.latest')];
    // Whether the expected measurements arrive: the engine opens missing_<metric> when one does not.
    const arriving = (p, plan) => {
      if (!plan.expected.length) return t('patients.expected.none');
      const missing = (missingByPatient.get(p.id) || []).map(metricName);
      return missing.length ? t('patients.expected.missing', { metrics: missing.join('、') }) : t('patients.expected.ok');
    };
    clear(body);
    if (rows.length === 0) { body.append(el('p', { text: t('patients.empty') })); clear(pager); return; }
    body.append(el('div', { class: 'scroll' }, el('table', { class: 'cards', id: 'patients-table' },
      el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c })))),
      el('tbody', {}, shown.map((p, i) => el('tr', {},
        el('td', { dataset: { label: columns[0] } }, el('a', { href: `#/patient/${p.id}`, text: p.name })),
        el('td', { dataset: { label: columns[1] }, text: p.conditions.map((c) => t(`condition.${c}`)).join('、') }),
        el('td', { dataset: { label: columns[2] }, text: t(`grade.${p.grade}`) }),
        el('td', { dataset: { label: columns[3] }, class: 'num', text: formatNumber(openAlerts.get(p.id) || 0, 0) }),
        el('td', { dataset: { label: columns[4] }, text: arriving(p, plans[i]) }),
        el('td', { dataset: { label: columns[5] } }, latest[i].items.map((r) => el('div', { class: 'muted' },
          `${metricName(r.metric)} ${formatNumber(r.value)} ${unit(r.unit)} · ${formatTime(r.ts)}`)))))))));
    clear(pager).append(
      el('button', { type: 'button', text: t('patients.prev'), disabled: page === 0, onclick: () => { page -= 1; draw(); } }),
      el('span', { text: t('patients.page', { n: formatNumber(page + 1, 0) }) }),
      el('button', { type: 'button', text: t('patients.next'), disabled: page >= pages - 1, onclick: () => { page += 1; draw(); } }));
  }
  [search, condition, grade, alertState, sort].forEach((c) => c.addEventListener(c === search ? 'input' : 'change', () => { page = 0; draw(); }));
  await draw();
  return null;
}
