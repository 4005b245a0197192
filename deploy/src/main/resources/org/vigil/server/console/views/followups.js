// Follow-ups due (随访到期) for the signed-in doctor: her patients whose follow-up is due and missed, in the
// server's order (referral follow-ups first, then rechecks, never followed up, routine; longest overdue first).
import { api } from '../api.js';
import { el } from '../dom.js';
import { describe, formatNumber, t } from '../i18n.js';
import { formatDay } from './care.js';

export async function render(main, { session }) {
  main.append(el('h1', { text: t('care.overdue.title') }));
  let list;
  try {
    list = await api('GET', `/doctors/${session.doctor.id}/follow-ups/overdue`);
  } catch (e) {
    main.append(el('p', { class: 'msg error', role: 'alert', text: describe(e) }));
    return null;
  }
  if (!list.items.length) { main.append(el('p', { id: 'overdue-empty', text: t('care.overdue.empty') })); return null; }
  const columns = [t('patients.col.name'), t('care.col.kind'), t('care.col.due'), t('care.col.overdueBy'), t('care.col.last')];
  main.append(el('p', { class: 'muted', text: t('care.overdue.order') }), el('div', { class: 'scroll' }, el('table', { class: 'cards', id: 'overdue-table' },
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c })))),
    el('tbody', {}, list.items.map((o) => el('tr', { dataset: { patientId: o.patientId } },
      el('td', { dataset: { label: columns[0] } }, el('a', { href: `#/patient/${o.patientId}`, text: o.name })),
      el('td', { dataset: { label: columns[1] }, text: t(`care.rule.${o.rule}`) }),
      el('td', { dataset: { label: columns[2] }, text: formatDay(o.due) }),
      el('td', { dataset: { label: columns[3] }, class: 'num', text: t('duration.days', { n: formatNumber(o.daysOverdue, 0) }) }),
      el('td', { dataset: { label: columns[4] }, text: o.lastDate ? formatDay(o.lastDate) : t('care.never') })))))));
  return null;
}
