// The console's shell: who is signed in, the language, and which page the address (#/...) shows.
import { api, setCsrf, whenSignedOut } from './api.js';
import { loadMessages, otherLanguage, setLanguage, t, translateStatic } from './i18n.js';
import * as signin from './views/signin.js';
import * as setpassword from './views/setpassword.js';
import * as triage from './views/triage.js';
import * as patients from './views/patients.js';
import * as patient from './views/patient.js';
import * as admin from './views/admin.js';
import * as followups from './views/followups.js';
import * as indicators from './views/indicators.js';
import { useZone } from './views/care.js';

let main = document.getElementById('main');
const session = { me: null, doctor: null };
let cleanup = null;
// Each route's number: a page still loading when the doctor moves on must neither show its parts under the next
// page nor take the place of its cleanup (the triage feed's connection, its timers).
let routes = 0;

export function status(text, error = false) {
  const bar = document.getElementById('status');
  bar.textContent = text || '';
  bar.classList.toggle('error', error);
}

async function whoAmI() {
  try {
    session.me = await api('GET', '/session');
    setCsrf(session.me.csrfToken || null);
    useZone(session.me.zone);
    session.doctor = session.me.doctorId ? await api('GET', `/doctors/${session.me.doctorId}`) : null;
  } catch (e) {
    session.me = null;
    session.doctor = null;
  }
}

function shell() {
  translateStatic();
  const lang = document.getElementById('lang');
  const other = otherLanguage();
  lang.textContent = t(`lang.${other}`);
  lang.lang = other;
  document.getElementById('nav').setAttribute('aria-label', t('nav.main'));
  const signedIn = session.me !== null;
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('signout').hidden = !signedIn;
  document.getElementById('nav-admin').hidden = !(signedIn && session.me.admin);
  document.getElementById('nav-triage').hidden = !(signedIn && session.doctor);
  document.getElementById('nav-patients').hidden = !signedIn;
  document.getElementById('nav-follow-ups').hidden = !(signedIn && session.doctor);
  document.getElementById('nav-indicators').hidden = !(signedIn && session.doctor);
  document.getElementById('who').textContent = signedIn
    ? t('nav.signedInAs', { name: session.doctor ? session.doctor.name : session.me.name }) : '';
}

async function route() {
  const current = ++routes;
  if (cleanup) { cleanup(); cleanup = null; }
  status('');
  shell();
  const hash = location.hash || '';
  const parts = hash.replace(/^#\/?/, '').split('/');
  // A fresh <main> for every page: what an earlier page still loading appends goes to the one it was given, which
  // is no longer in the document.
  const fresh = main.cloneNode(false);
  Object.keys(fresh.dataset).forEach((key) => delete fresh.dataset[key]);
  main.replaceWith(fresh);
  main = fresh;
  if (parts[0] === 'set-password') {
    cleanup = setpassword.render(main, { token: parts[1] || '' });
    return;
  }
  if (!session.me) {
    cleanup = signin.render(main, { signedIn: onSignedIn });
    return;
  }
  const page = parts[0] || (session.doctor ? 'triage' : 'admin');
  document.querySelectorAll('#nav a').forEach((a) => {
    if (a.getAttribute('href') === `#/${page}`) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  const ctx = { session, status };
  let stop = null;
  if (page === 'triage' && session.doctor) stop = await triage.render(main, ctx);
  else if (page === 'patients') stop = await patients.render(main, ctx);
  else if (page === 'patient' && parts[1]) stop = await patient.render(main, { ...ctx, patientId: parts[1] });
  else if (page === 'follow-ups' && session.doctor) stop = await followups.render(main, ctx);
  else if (page === 'indicators' && session.doctor) stop = await indicators.render(main, ctx);
  else if (page === 'admin' && session.me.admin) stop = await admin.render(main, ctx);
  else { location.hash = session.doctor ? '#/triage' : '#/patients'; }
  if (current !== routes) {
    if (stop) stop(); // the doctor has moved on while this page loaded
    return;
  }
  cleanup = stop;
}

async function onSignedIn() {
  await whoAmI();
  if (location.hash.startsWith('#/set-password')) location.hash = '';
  await route();
  main.focus();
}

async function boot() {
  await loadMessages();
  whenSignedOut(() => {
    if (session.me) {
      session.me = null;
      route().then(() => status(t('signin.ended'), true));
    }
  });
  document.getElementById('lang').addEventListener('click', async () => {
    await setLanguage(otherLanguage());
    await route();
  });
  document.getElementById('signout').addEventListener('click', async () => {
    try { await api('DELETE', '/session'); } catch (e) { /* signed out either way */ }
    session.me = null;
    session.doctor = null;
    setCsrf(null);
    location.hash = '';
    await route();
  });
  window.addEventListener('hashchange', route);
  await whoAmI();
  await route();
}

boot();
