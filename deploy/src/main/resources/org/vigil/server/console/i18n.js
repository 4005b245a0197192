// Every word on the page comes from a message bundle (i18n/<lang>.json); dates and numbers are formatted with
// Intl for the chosen language. Simplified Chinese by default; the choice is kept in this browser.
const LANGS = ['zh-CN', 'en'];
let lang = LANGS.includes(localStorage.getItem('vigil.lang')) ? localStorage.getItem('vigil.lang') : 'zh-CN';
let messages = {};

export async function loadMessages() {
  const response = await fetch(`/console/i18n/${lang}.json`, { cache: 'no-cache' });
  messages = await response.json();
  document.documentElement.lang = lang;
}

export function language() { return lang; }
export function otherLanguage() { return LANGS.find((l) => l !== lang); }

export async function setLanguage(next) {
  lang = next;
  localStorage.setItem('vigil.lang', next);
  await loadMessages();
}

/** The message for key with {name} placeholders filled; a missing key shows as itself, so tests catch it. */
export function t(key, params = {}) {
  const text = messages[key];
  if (text === undefined) {
    console.warn('missing message', key);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] === undefined ? '' : String(params[name])));
}

export function has(key) { return messages[key] !== undefined; }

/** Fills every element marked data-i18n (the static shell). */
export function translateStatic(root = document) {
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.title = t('app.title');
}

export function formatNumber(value, digits) {
  const options = digits === undefined ? { maximumFractionDigits: 1 } : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(lang, options).format(value);
}

export function formatTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function formatDateTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function formatDate(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(new Date(iso));
}

/** How long since iso, coarsely: minutes, hours or days. */
export function formatAge(iso, now = Date.now()) {
  const minutes = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 60000));
  if (minutes < 120) return t('duration.minutes', { n: formatNumber(minutes, 0) });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('duration.hours', { n: formatNumber(hours, 0) });
  return t('duration.days', { n: formatNumber(Math.floor(hours / 24), 0) });
}

export function unit(ucum) { return has(`unit.${ucum}`) ? t(`unit.${ucum}`) : ucum; }

export function metricName(metric) { return has(`metric.${metric}`) ? t(`metric.${metric}`) : metric; }

/** The alert's rule in plain words of the page's language. */
export function ruleName(rule) {
  if (rule.startsWith('missing_')) return t('rule.missing', { metric: metricName(rule.substring(8)) });
  return has(`rule.${rule}`) ? t(`rule.${rule}`) : t('rule.other', { rule });
}

/**
 * A failed request in the page's language: the server's messages are English, so only the field it names is
 * shown, never its sentence.
 */
export function describe(error) {
  const status = error && error.status;
  if (status === 409) return t('common.conflict');
  if (status === 404) return t('common.notFound');
  if (status === 403) return t('common.forbidden');
  if (status === 400 && error.body && error.body.field) return t('common.invalidField', { field: error.body.field });
  if (status === 400) return t('common.invalid');
  return status ? t('common.failed') : t('common.offline');
}
