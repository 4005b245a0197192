// Indicators of the signed-in doctor's panel over a period: each with its numerator and denominator, the patients
// behind either number, and the same figures as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese).
import { api } from '../api.js';
import { clear, el, field } from '../dom.js';
import { describe, formatNumber, has, language, t } from '../i18n.js';
import { formatDay, today } from './care.js';

const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** The periods offered, in the patients' calendar: this year to date, the last whole quarter, the last whole month. */
export function period(kind, day = today()) {
  const [y, month] = day.split('-').map(Number);
  const m = month - 1;
  if (kind === 'quarter') {
    const q = Math.floor(m / 3) * 3;
    return { from: iso(new Date(y, q - 3, 1)), to: iso(new Date(y, q, 0)) };
  }
  if (kind === 'month') return { from: iso(new Date(y, m - 1, 1)), to: iso(new Date(y, m, 0)) };
  return { from: `${y}-01-01`, to: day };
}

function title(id) {
  if (has(`care.ind.${id}`)) return t(`care.ind.${id}`);
  let m = /^(managed|standard_management_rate)_(\w+)$/.exec(id);
  if (m) return t(`care.ind.${m[1]}`, { condition: t(`condition.${m[2]}`) });
  m = /^ack_p(\d+)_(\w+)$/.exec(id);
  if (m) return t('care.ind.ack', { p: m[1], severity: t(`severity.${m[2]}`) });
  m = /^alerts_resolved_share_(\w+)$/.exec(id);
  if (m) return t('care.ind.resolved', { disposition: t(`disposition.${m[1]}`) });
  return id;
}

function value(ind) {
  if (ind.value === null || ind.value === undefined) return t('care.ind.noValue');
  if (ind.id.startsWith('ack_')) return t('care.ind.seconds', { n: formatNumber(ind.value, 0) });
  if (ind.denominator === null) return formatNumber(ind.value, 0);
  return new Intl.NumberFormat(language(), { style: 'percent', maximumFractionDigits: 1 }).format(ind.value);
}

export async function render(main, { session }) {
  const choice = el('select', { id: 'indicators-period' }, ['year', 'quarter', 'month'].map((k) => el('option', { value: k, text: t(`care.period.${k}`) })));
  const csv = el('a', { id: 'indicators-csv', download: 'indicators.csv', text: t('care.ind.csv') });
  const body = el('div', { id: 'indicators' });
  const drill = el('section', { id: 'drill', 'aria-live': 'polite' });
  main.append(el('h1', { text: t('care.ind.title') }), el('div', { class: 'toolbar' }, field(t('care.ind.period'), choice), csv), body, drill);

  const query = () => {
    const p = period(choice.value);
    return `doctorId=${session.doctor.id}&from=${p.from}&to=${p.to}`;
  };

  async function showPatients(ind, part) {
    clear(drill);
    try {
      const list = await api('GET', `/indicators/patients?${query()}&indicator=${encodeURIComponent(ind.id)}&part=${part}`);
      drill.append(el('h2', { id: 'drill-title', tabindex: '-1', text: t(`care.ind.drill.${part}`, { title: title(ind.id), n: formatNumber(list.items.length, 0) }) }),
        list.items.length ? el('ul', { id: 'drill-list' }, list.items.map((p) => el('li', {}, el('a', { href: `#/patient/${p.patientId}`, text: p.name }))))
          : el('p', { text: t('care.ind.drill.empty') }));
      drill.querySelector('#drill-title').focus();
    } catch (e) {
      drill.append(el('p', { class: 'msg error', role: 'alert', text: describe(e) }));
    }
  }

  function number(ind, part) {
    const n = formatNumber(ind[part].value, 0);
    // A count of seconds has no patients behind it; the acknowledged alerts' patients are its denominator.
    if (ind.id.startsWith('ack_') && part === 'numerator') return n;
    return el('button', { type: 'button', class: 'link', dataset: { indicator: ind.id, part },
      'aria-label': t(`care.ind.show.${part}`, { title: title(ind.id), n }), text: n, onclick: () => showPatients(ind, part) });
  }

  async function draw() {
    clear(body);
    clear(drill);
    const p = period(choice.value);
    csv.href = `/api/v1/indicators?${query()}&format=csv`;
    let list;
    try {
      list = await api('GET', `/indicators?${query()}`);
    } catch (e) {
      body.append(el('p', { class: 'msg error', role: 'alert', text: describe(e) }));
      return;
    }
    const columns = [t('care.ind.col.indicator'), t('care.ind.col.numerator'), t('care.ind.col.denominator'), t('care.ind.col.value')];
    body.append(el('p', { class: 'muted', id: 'indicators-range', text: t('care.ind.range', { from: formatDay(p.from), to: formatDay(p.to), n: formatNumber(list.requiredFollowUps, 0) }) }),
      el('div', { class: 'scroll' }, el('table', { class: 'cards', id: 'indicators-table' },
        el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c })))),
        el('tbody', {}, list.items.map((ind) => el('tr', { dataset: { indicator: ind.id } },
          el('td', { dataset: { label: columns[0] } }, el('strong', { text: title(ind.id) }),
            // The definitions are the server's exact English; in Chinese the title stands for them.
            language() === 'en' ? el('div', { class: 'muted', text: ind.numerator.definition + (ind.denominator ? ` / ${ind.denominator.definition}` : '') }) : null),
          el('td', { dataset: { label: columns[1] }, class: 'num' }, number(ind, 'numerator')),
          el('td', { dataset: { label: columns[2] }, class: 'num' }, ind.denominator ? number(ind, 'denominator') : '—'),
          el('td', { class: 'num', dataset: { label: columns[3], value: String(ind.value) }, text: value(ind) })))))));
  }
  choice.addEventListener('change', draw);
  await draw();
  return null;
}
