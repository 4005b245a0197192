// What the triage page and the patient page say about an alert, in the page's language.
import { el } from '../dom.js';
import { formatNumber, formatTime, language, metricName, ruleName, t, unit } from '../i18n.js';

export const DISPOSITIONS = ['contacted_patient', 'visited_patient', 'referred', 'treatment_adjusted', 'false_alarm', 'no_action_needed'];

export function severityBadge(severity) {
  return el('span', { class: `badge sev-${severity}`, text: t(`severity.${severity}`) });
}

/** The rule in words; in English the engine's own sentence follows (it is written in English). */
export function what(alert) {
  const parts = [el('strong', { text: ruleName(alert.rule) })];
  if (language() === 'en' && alert.detail) parts.push(el('div', { class: 'muted', text: alert.detail }));
  if (alert.late) parts.push(el('div', { class: 'muted', text: t('triage.late') }));
  return parts;
}

/** An alert's figure as a doctor reads it: a reading with its unit, the hours without data, or a score. */
export function value(alert) {
  if (alert.unit === 'h') return t('value.hoursWithout', { metric: metricName(alert.metric), hours: formatNumber(alert.value) });
  if (alert.unit === '{score}') return t('value.score', { score: formatNumber(alert.value) });
  return `${metricName(alert.metric)} ${formatNumber(alert.value)} ${unit(alert.unit)}`;
}

export function tier(alert) {
  const steps = (alert.escalatedTo || []).length;
  return steps === 0 ? t('tier.own') : steps === 1 ? t('tier.township') : t('tier.county');
}

export function isSnoozed(alert, now = Date.now()) {
  return Boolean(alert.snoozedUntil) && new Date(alert.snoozedUntil).getTime() > now && alert.status !== 'resolved';
}

export function statusText(alert) {
  if (isSnoozed(alert)) return t('status.snoozed', { time: formatTime(alert.snoozedUntil) });
  return t(`status.${alert.status}`);
}
