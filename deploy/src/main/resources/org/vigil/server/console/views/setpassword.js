// The one-time link an administrator hands out: set one's own password, then sign in.
import { api, ApiError } from '../api.js';
import { el, field } from '../dom.js';
import { describe, t } from '../i18n.js';

export function render(main, { token }) {
  const password = el('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 10 });
  const repeat = el('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 10 });
  const message = el('div', { role: 'alert', class: 'msg', hidden: true });
  const submit = el('button', { type: 'submit', class: 'primary', text: t('setpw.submit') });
  const form = el('form', { class: 'card', id: 'setpassword', novalidate: true },
    el('h1', { text: t('setpw.title') }), message,
    field(t('setpw.password'), password), field(t('setpw.repeat'), repeat), submit);
  const say = (text, kind) => { message.hidden = false; message.className = `msg ${kind}`; message.textContent = text; };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if ([...password.value].length < 10) { say(t('setpw.tooShort'), 'error'); return; }
    if (password.value !== repeat.value) { say(t('setpw.mismatch'), 'error'); return; }
    submit.disabled = true;
    try {
      await api('POST', '/session/password', { token, password: password.value });
      say(t('setpw.done'), 'ok');
      setTimeout(() => { location.hash = ''; }, 1500);
    } catch (e) {
      say(e instanceof ApiError && e.body.field === 'token' ? t('setpw.badLink') : describe(e), 'error');
      submit.disabled = false;
    }
  });
  main.append(form);
  password.focus();
  return null;
}
