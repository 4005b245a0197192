// Sign in as oneself, with login and password.
import { api, ApiError } from '../api.js';
import { el, field } from '../dom.js';
import { formatDateTime, t } from '../i18n.js';

export function render(main, { signedIn }) {
  const login = el('input', { name: 'login', autocomplete: 'username', required: true, autocapitalize: 'off' });
  const password = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = el('div', { role: 'alert', class: 'msg', hidden: true });
  const submit = el('button', { type: 'submit', class: 'primary', id: 'signin-submit', text: t('signin.submit') });
  const form = el('form', { class: 'card', id: 'signin', novalidate: true },
    el('h1', { text: t('signin.title') }), message,
    field(t('signin.login'), login), field(t('signin.password'), password), submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.hidden = true;
    try {
      await api('POST', '/session', { login: login.value.trim(), password: password.value });
      await signedIn();
    } catch (e) {
      message.hidden = false;
      message.className = 'msg error';
      if (e instanceof ApiError && e.status === 429) {
        message.textContent = t('signin.locked', { time: formatDateTime(new Date(Date.now() + 1000 * Number(e.retryAfter || 60)).toISOString()) });
      } else if (e instanceof ApiError && (e.status === 401 || e.status === 400)) {
        message.textContent = t('signin.wrong');
      } else {
        message.textContent = t('common.offline');
      }
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  main.append(form);
  login.focus();
  return null;
}
