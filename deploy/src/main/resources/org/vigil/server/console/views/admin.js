// Administration for operations staff: console accounts (with the one-time set-password link), organisations and
// doctors, teams, patients and their contracts, devices and their bindings, webhooks (contracts, bindings and moves
// in adminmoves.js).
import { all, api } from '../api.js';
import { clear, el, field } from '../dom.js';
import { describe, t } from '../i18n.js';
import { bindingSection, contractSection, moveSection, organisationTree, refusal } from './adminmoves.js';

export async function render(main, { status }) {
  const accountsBox = el('div', { id: 'accounts' });
  const orgsBox = el('div', { id: 'organisations' });
  const doctorsBox = el('div', { id: 'doctors' });
  const devicesBox = el('div', { id: 'devices' });
  main.append(el('h1', { text: t('admin.title') }),
    el('h2', { text: t('admin.accounts') }), accountForm(), accountsBox,
    el('h2', { text: t('admin.organisations') }), organisationForm(), orgsBox,
    el('h3', { text: t('admin.move.title') }), moveSection(() => refresh()),
    el('h2', { text: t('admin.doctors') }), doctorForm(), doctorsBox,
    el('h2', { text: t('admin.teams') }), teamForm(),
    el('h2', { text: t('admin.patients') }), patientForm(),
    el('h2', { text: t('admin.contracts') }), contractSection(),
    el('h2', { text: t('admin.devices') }), deviceForm(), devicesBox,
    el('h3', { text: t('admin.bindings') }), bindingSection(() => refresh()),
    el('h2', { text: t('admin.webhooks') }), webhookForm());

  function grid(id, columns, rows) {
    return el('div', { class: 'scroll' }, el('table', { class: 'cards', id },
      el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c })))),
      el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c, i) => el('td', { dataset: { label: columns[i] } }, c)))))));
  }

  /** A secret the server shows once (a device's, a webhook's): say so, and show it selectable. */
  function secretMessage(secret) {
    return el('div', { class: 'msg ok', role: 'status', id: 'secret-once' }, t('admin.secretOnce'), el('br'), el('code', { text: secret }));
  }

  function linkMessage(account) {
    const url = `${location.origin}${account.setPasswordPath}`;
    return el('div', { class: 'msg ok', role: 'status', id: 'setup-link' }, t('admin.account.link'), el('br'), el('code', { text: url }));
  }

  async function refresh() {
    const [accounts, orgs, doctors, devices] = await Promise.all([all('/accounts'), all('/organisations'), all('/doctors'),
      all('/devices', 500)]);
    clear(devicesBox).append(grid('devices-admin-table', [t('col.id'), t('patient.col.serial'), t('patient.col.type'),
      t('admin.device.patient'), t('col.status'), t('triage.col.actions')], devices.map((d) => [String(d.id), d.serial,
      t(`deviceType.${d.type}`), d.patientId ? String(d.patientId) : '—',
      d.revokedAt ? t('admin.device.revoked') : d.connected ? t('patient.device.connected') : t('patient.device.disconnected'),
      d.revokedAt ? '' : el('div', { class: 'actions' },
        el('button', { type: 'button', dataset: { action: 'rotate' }, text: t('admin.device.rotate'), onclick: async () => {
          try { const fresh = await api('POST', `/devices/${d.id}/secret`); devicesBox.prepend(secretMessage(fresh.secret)); } catch (e) { status(describe(e), true); }
        } }),
        el('button', { type: 'button', text: t('admin.device.revoke'), onclick: async () => {
          try { await api('POST', `/devices/${d.id}/revoke`); await refresh(); } catch (e) { status(describe(e), true); }
        } }))])));
    clear(accountsBox).append(grid('accounts-table', [t('col.id'), t('admin.account.login'), t('admin.account.name'),
      t('col.status'), t('triage.col.actions')], accounts.map((a) => [String(a.id), a.login, a.name,
      `${t(`admin.account.role.${a.role}`)} · ${a.passwordSet ? t('admin.account.passwordSet') : '—'} · ${a.active ? t('admin.account.active') : t('admin.deactivate')}`,
      el('div', { class: 'actions' },
        el('button', { type: 'button', text: t('admin.account.newLink'), onclick: async () => {
          try { const fresh = await api('POST', `/accounts/${a.id}/setup-link`); accountsBox.prepend(linkMessage(fresh)); } catch (e) { status(describe(e), true); }
        } }),
        a.role === 'admin' ? el('button', { type: 'button', text: a.active ? t('admin.deactivate') : t('admin.reactivate'), onclick: async () => {
          try { await api('POST', `/accounts/${a.id}/${a.active ? 'deactivate' : 'reactivate'}`); await refresh(); } catch (e) { status(describe(e), true); }
        } }) : null)])));
    clear(orgsBox).append(organisationTree(orgs));
    clear(doctorsBox).append(grid('doctors-table', [t('col.id'), t('col.name'), t('admin.doctor.organisation'), t('col.status')],
      doctors.map((d) => [String(d.id), d.name, String(d.organisationId), d.active === false ? t('admin.deactivate') : t('admin.account.active')])));
  }

  function form(id, fields, submitText, send) {
    const message = el('div', { role: 'status' });
    const f = el('form', { class: 'toolbar', id }, ...fields.map(([label, control]) => field(label, control)),
      el('button', { type: 'submit', class: 'primary', text: submitText }));
    const box = el('div', {}, f, message);
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const created = await send();
        clear(message).append(created.setPasswordPath ? linkMessage(created) : created.secret ? secretMessage(created.secret)
          : el('p', { class: 'msg ok', text: t('admin.created', { id: created.id ?? created.organisationId }) }));
        f.reset();
        await refresh();
      } catch (err) {
        clear(message).append(el('p', { class: 'msg error', text: refusal(err) }));
      }
    });
    return box;
  }

  function accountForm() {
    const login = el('input', { name: 'login', required: true, autocapitalize: 'off' });
    const name = el('input', { name: 'name', required: true });
    const doctor = el('input', { name: 'doctorId', inputmode: 'numeric' });
    return form('new-account', [[t('admin.account.login'), login], [t('admin.account.name'), name], [t('admin.account.doctor'), doctor]],
      t('admin.account.create'), () => api('POST', '/accounts', { login: login.value.trim(), name: name.value.trim(),
        ...(doctor.value.trim() ? { doctorId: Number(doctor.value) } : {}) }));
  }

  function organisationForm() {
    const name = el('input', { required: true });
    const tier = el('select', {}, [['county', 'tier.countyOrg'], ['township', 'tier.townshipOrg'], ['village', 'tier.village']]
      .map(([v, k]) => el('option', { value: v, text: t(k) })));
    const parent = el('input', { inputmode: 'numeric' });
    return form('new-organisation', [[t('admin.org.name'), name], [t('admin.org.tier'), tier], [t('admin.org.parent'), parent]],
      t('admin.account.create'), () => api('POST', '/organisations', { name: name.value.trim(), tier: tier.value,
        ...(parent.value.trim() ? { parentId: Number(parent.value) } : {}) }));
  }

  function doctorForm() {
    const name = el('input', { required: true });
    const org = el('input', { required: true, inputmode: 'numeric' });
    return form('new-doctor', [[t('admin.doctor.name'), name], [t('admin.doctor.organisation'), org]],
      t('admin.account.create'), () => api('POST', '/doctors', { name: name.value.trim(), organisationId: Number(org.value) }));
  }

  const ids = (text) => text.split(/[,，\s]+/).filter(Boolean).map(Number);

  function teamForm() {
    const name = el('input', { required: true });
    const org = el('input', { required: true, inputmode: 'numeric' });
    const members = el('input', { inputmode: 'numeric' });
    return form('new-team', [[t('admin.team.name'), name], [t('admin.doctor.organisation'), org], [t('admin.team.members'), members]],
      t('admin.account.create'), () => api('POST', '/teams', { name: name.value.trim(), organisationId: Number(org.value), doctorIds: ids(members.value) }));
  }

  function patientForm() {
    const name = el('input', { required: true });
    const team = el('input', { required: true, inputmode: 'numeric' });
    const doctor = el('input', { required: true, inputmode: 'numeric' });
    const grade = el('select', {}, [1, 2, 3].map((g) => el('option', { value: g, text: t(`grade.${g}`) })));
    const checks = ['hypertension', 'diabetes', 'copd', 'heart_failure'].map((c) => el('input', { type: 'checkbox', value: c, id: `cond-${c}` }));
    const conditions = el('fieldset', { class: 'checks' }, el('legend', { text: t('patients.condition') }),
      checks.map((c) => el('span', {}, c, el('label', { for: c.id, class: 'inline-label', text: t(`condition.${c.value}`) }))));
    const box = form('new-patient', [[t('admin.doctor.name'), name], [t('patient.contract.team'), team], [t('patient.contract.doctor'), doctor],
      [t('patients.grade'), grade]], t('admin.account.create'), () => api('POST', '/patients', { name: name.value.trim(),
      teamId: Number(team.value), doctorId: Number(doctor.value), grade: Number(grade.value),
      conditions: checks.filter((c) => c.checked).map((c) => c.value) }));
    box.querySelector('form').insertBefore(conditions, box.querySelector('form button'));
    return box;
  }

  function deviceForm() {
    const serial = el('input', { required: true, name: 'serial', autocapitalize: 'off' });
    const type = el('select', { name: 'type' }, ['bp_monitor', 'glucometer', 'pulse_oximeter', 'scale', 'thermometer', 'wearable']
      .map((d) => el('option', { value: d, text: t(`deviceType.${d}`) })));
    const patient = el('input', { inputmode: 'numeric', name: 'patientId' });
    return form('new-device', [[t('patient.col.serial'), serial], [t('patient.col.type'), type], [t('admin.device.patient'), patient]],
      t('admin.account.create'), () => api('POST', '/devices', { serial: serial.value.trim(), type: type.value,
        ...(patient.value.trim() ? { patientId: Number(patient.value) } : {}) }));
  }

  function webhookForm() {
    const org = el('input', { required: true, inputmode: 'numeric' });
    const url = el('input', { required: true, type: 'url', size: 40 });
    return form('webhook', [[t('admin.doctor.organisation'), org], [t('admin.webhook.url'), url]], t('common.save'),
      () => api('PUT', `/organisations/${Number(org.value)}/webhook`, { url: url.value.trim() }));
  }

  await refresh();
  return null;
}
