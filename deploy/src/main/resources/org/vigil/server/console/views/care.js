// Chronic care on the patient page: control status per condition with the figures it rests on, the next
// follow-up (随访), the follow-up history and a form to record one, and the suggested management grade (分级管理)
// with its reasons, confirmed or overridden. The server's sentences are English, so only its codes and numbers are
// shown, in the page's words.
import { api } from '../api.js';
import { clear, el, field } from '../dom.js';
import { describe, formatDateTime, formatNumber, has, language, t } from '../i18n.js';

const TYPES = ['face_to_face', 'phone', 'home_visit', 'remote_review'];
const CLASSES = ['controlled', 'uncontrolled', 'adverse_reaction', 'complication'];
const ACTIONS = ['medication_adjusted', 'medication_started', 'referred', 'lifestyle_advice', 'education'];

/** A calendar day (2026-03-05) in the page's language, the same day wherever the browser is. */
export function formatDay(day) {
  if (!day) return '';
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

let zone;

/**
 * Follow the patients' zone the server names (Asia/Shanghai by default) for "today", so a laptop or phone set to
 * another zone still records and asks for the county's days; the browser's own zone if it does not know that one.
 */
export function useZone(name) {
  try {
    zone = name ? new Intl.DateTimeFormat('en-CA', { timeZone: name }).resolvedOptions().timeZone : undefined;
  } catch (e) {
    zone = undefined;
  }
}

/** Today in the patients' calendar, as the API's date fields write it (en-CA writes 2026-03-05). */
export function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date());
}

function table(id, columns, rows) {
  return el('div', { class: 'scroll' }, el('table', { class: 'cards', id },
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c })))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c, i) => el('td', { dataset: { label: columns[i] } }, c)))))));
}

function figureText(key, value) {
  const shown = typeof value === 'number' ? formatNumber(value)
    : /^\d{4}-\d\d-\d\d$/.test(String(value)) ? formatDay(value)
      : /^\d{4}-\d\d-\d\dT/.test(String(value)) ? formatDateTime(value) : String(value);
  return t('care.figure.item', { name: t(`care.figure.${key}`), value: shown });
}

function controlRow(item) {
  // COPD and heart failure: what the home readings show, not a clinical verdict.
  const monitoring = item.basis === 'home_monitoring' || item.condition === 'copd' || item.condition === 'heart_failure';
  const figures = Object.entries(item.figures || {}).filter(([k]) => has(`care.figure.${k}`)).map(([k, v]) => figureText(k, v));
  return [t(`condition.${item.condition}`),
    el('span', { class: `badge care-${item.status}`, dataset: { status: item.status } },
      t(monitoring ? `care.monitoring.${item.status}` : `care.status.${item.status}`)),
    figures.length ? figures.join(t('care.figure.sep')) : t('common.none'),
    t('care.period', { from: formatDateTime(item.from), to: formatDateTime(item.to) }),
    formatDateTime(item.since)];
}

/** The grade's reasons, rewritten from the rules' English lines in the page's words (unknown lines as they are). */
export function reasonText(line) {
  let m = /^(\w+) uncontrolled for (\d+) days \(at least (\d+)\)$/.exec(line);
  if (m) return t('care.reason.uncontrolledFor', { condition: t(`condition.${m[1]}`), days: m[2], min: m[3] });
  m = /^(\d+) critical alerts in (\d+) days \(at least (\d+)\)$/.exec(line);
  if (m) return t('care.reason.criticalAlerts', { n: m[1], days: m[2], min: m[3] });
  if (line === 'the last follow-up found a new or worse complication') return t('care.reason.complication');
  m = /^every condition controlled for at least (\d+) days and no critical alert in (\d+) days$/.exec(line);
  if (m) return t('care.reason.stable', { days: m[1], window: m[2] });
  m = /^(\w+) (controlled|uncontrolled|unknown) since (\S+)$/.exec(line);
  if (m) return t('care.reason.statusSince', { condition: t(`condition.${m[1]}`), status: t(`care.status.${m[2]}`), since: formatDateTime(m[3]) });
  if (line === 'no chronic condition with a control status') return t('care.reason.none');
  return line;
}

function say(box, text, kind) {
  box.hidden = false;
  box.className = `msg ${kind}`;
  box.textContent = text;
}

export async function careSection(patient) {
  const box = el('section', { id: 'care', 'aria-labelledby': 'care-title' });
  const summaryBox = el('div', { id: 'care-summary' });
  const historyBox = el('div', { id: 'follow-up-history' });
  const gradeBox = el('div', { id: 'care-grade' });
  box.append(el('h2', { id: 'care-title', text: t('care.title') }), summaryBox,
    el('h3', { text: t('care.followUp.record') }), followUpForm(patient, refresh),
    el('h3', { text: t('care.followUp.history') }), historyBox,
    el('h3', { text: t('care.grade.title') }), gradeBox);

  async function refresh() {
    try {
      const [summary, followUps, grade] = await Promise.all([api('GET', `/patients/${patient.id}/summary`),
        api('GET', `/patients/${patient.id}/follow-ups?limit=50`), api('GET', `/patients/${patient.id}/grade`)]);
      drawSummary(summary);
      drawHistory(followUps.items);
      drawGrade(grade);
    } catch (e) {
      clear(summaryBox).append(el('p', { class: 'msg error', role: 'alert', text: describe(e) }));
    }
  }

  function drawSummary(summary) {
    const next = summary.nextFollowUp;
    clear(summaryBox).append(table('control-table', [t('care.col.condition'), t('care.col.status'), t('care.col.figures'),
      t('care.col.period'), t('care.col.since')], summary.control.map(controlRow)));
    if (next) {
      summaryBox.append(el('p', { id: 'next-follow-up', dataset: { due: next.due }, class: next.overdue ? 'msg error' : '' },
        t('care.next', { due: formatDay(next.due), rule: t(`care.rule.${next.rule}`) }),
        next.overdue ? ` ${t('care.next.overdue', { n: formatNumber(next.daysOverdue, 0) })}` : ''));
    }
  }

  function drawHistory(items) {
    clear(historyBox);
    if (!items.length) { historyBox.append(el('p', { class: 'muted', text: t('care.followUp.none') })); return; }
    historyBox.append(table('follow-ups-table', [t('care.col.date'), t('care.col.type'), t('care.col.classification'),
      t('care.col.values'), t('care.col.actions'), t('care.col.note'), t('care.col.nextDue')], items.map((f) => [
      formatDay(f.date), t(`care.type.${f.type}`), t(`care.class.${f.classification}`),
      f.measurements && f.measurements.systolic_bp ? t('care.bp', { sys: formatNumber(f.measurements.systolic_bp), dia: formatNumber(f.measurements.diastolic_bp) }) : '',
      (f.actions || []).filter((a) => a !== 'none').map((a) => t(`care.action.${a}`)).join('、'),
      f.note || '', `${formatDay(f.next.due)} · ${t(`care.rule.${f.next.rule}`)}`])));
  }

  function drawGrade(view) {
    clear(gradeBox);
    const current = view.current ? t(`grade.${view.current.grade}`) : t('common.none');
    gradeBox.append(el('p', { id: 'grade-current', text: t('care.grade.current', { grade: current }) }),
      el('p', { id: 'grade-suggested', dataset: { grade: view.suggested.grade }, text: t('care.grade.suggested', { grade: t(`grade.${view.suggested.grade}`) }) }),
      el('ul', { id: 'grade-reasons' }, view.suggested.reasons.map((r) => el('li', { text: reasonText(r) }))),
      gradeForm(patient, view.suggested.grade, refresh));
    if (view.history.length) {
      gradeBox.append(table('grade-history', [t('care.col.date'), t('care.col.grade'), t('care.col.decision'), t('care.col.by'), t('care.col.note')],
        view.history.map((d) => [formatDateTime(d.decidedAt), t(`grade.${d.grade}`), t(`care.decision.${d.decision}`), d.decidedBy, d.note || ''])));
    }
  }

  await refresh();
  return box;
}

function followUpForm(patient, refresh) {
  const message = el('div', { role: 'alert', hidden: true, id: 'follow-up-message' });
  const date = el('input', { type: 'date', name: 'date', value: today(), max: today(), required: true });
  const type = el('select', { name: 'type' }, TYPES.map((x) => el('option', { value: x, text: t(`care.type.${x}`) })));
  const classification = el('select', { name: 'classification' }, CLASSES.map((x) => el('option', { value: x, text: t(`care.class.${x}`) })));
  const sys = el('input', { type: 'number', name: 'systolic', min: 40, max: 300, step: 1, inputmode: 'numeric' });
  const dia = el('input', { type: 'number', name: 'diastolic', min: 20, max: 200, step: 1, inputmode: 'numeric' });
  const checks = ACTIONS.map((a) => el('label', { class: 'inline-label' }, el('input', { type: 'checkbox', name: 'action', value: a }), ` ${t(`care.action.${a}`)}`));
  const note = el('textarea', { name: 'note', maxlength: 2000, rows: 2 });
  const save = el('button', { type: 'submit', class: 'primary', id: 'follow-up-save', text: t('care.followUp.save') });
  const form = el('form', { id: 'follow-up-form', class: 'inline-form' },
    el('div', { class: 'toolbar' }, field(t('care.col.date'), date), field(t('care.col.type'), type),
      field(t('care.col.classification'), classification), field(t('care.followUp.systolic'), sys), field(t('care.followUp.diastolic'), dia)),
    el('fieldset', { class: 'checks' }, el('legend', { text: t('care.col.actions') }), checks),
    field(t('care.col.note'), note), save, message);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (Boolean(sys.value) !== Boolean(dia.value)) { say(message, t('care.followUp.bothBp'), 'error'); (sys.value ? dia : sys).focus(); return; }
    const body = { date: date.value, type: type.value, classification: classification.value,
      actions: [...form.querySelectorAll('input[name=action]:checked')].map((c) => c.value) };
    if (sys.value) body.measurements = { systolic_bp: Number(sys.value), diastolic_bp: Number(dia.value) };
    if (note.value.trim()) body.note = note.value.trim();
    save.disabled = true;
    try {
      const recorded = await api('POST', `/patients/${patient.id}/follow-ups`, body);
      form.reset();
      date.value = today();
      say(message, t('care.followUp.saved', { due: formatDay(recorded.next.due), rule: t(`care.rule.${recorded.next.rule}`) })
        + (recorded.next.referralSuggested ? ` ${t('care.followUp.referral')}` : ''), 'ok');
      message.dataset.due = recorded.next.due;
      await refresh();
    } catch (err) {
      say(message, describe(err), 'error');
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

function gradeForm(patient, suggested, refresh) {
  const message = el('div', { role: 'alert', hidden: true, id: 'grade-message' });
  const grade = el('select', { name: 'grade', id: 'grade-select' }, [1, 2, 3].map((g) => el('option', { value: g, text: t(`grade.${g}`), selected: g === suggested })));
  const note = el('textarea', { name: 'note', id: 'grade-note', maxlength: 2000, rows: 2 });
  const submit = el('button', { type: 'submit', class: 'primary', id: 'grade-save' });
  const label = () => { submit.textContent = Number(grade.value) === suggested ? t('care.grade.confirm') : t('care.grade.override'); };
  grade.addEventListener('change', label);
  label();
  const form = el('form', { id: 'grade-form', class: 'inline-form' }, field(t('care.col.grade'), grade),
    field(t('care.grade.note'), note), submit, message);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { grade: Number(grade.value) };
    if (note.value.trim()) body.note = note.value.trim();
    // An override says why; the server refuses one without a note too.
    if (body.grade !== suggested && !body.note) { say(message, t('care.grade.noteNeeded'), 'error'); note.focus(); return; }
    submit.disabled = true;
    try {
      await api('POST', `/patients/${patient.id}/grade`, body);
      await refresh();
    } catch (err) {
      say(message, describe(err), 'error');
      submit.disabled = false;
    }
  });
  return form;
}
