// Administration of what changes over time in the registry: a patient's contract (team and responsible doctor from a
// date), a device's binding to a patient, and an organisation's place in the tree. Each calls the REST API an
// integration would; refusals are shown with the field the server names, so a wrong id or date is never a blank page.
import { api } from '../api.js';
import { clear, el, field } from '../dom.js';
import { describe, formatDateTime, has, t } from '../i18n.js';

/** The server's refusal in words, naming the field at fault (in the page's language) when the server names one. */
export function refusal(error) {
  const name = error && error.body && error.body.field;
  if (!name) return describe(error);
  if (error.status === 400) return t('common.invalidField', { field: fieldName(name) });
  return t('admin.refusedField', { problem: describe(error), field: fieldName(name) });
}

function fieldName(name) { return has(`admin.field.${name}`) ? t(`admin.field.${name}`) : name; }

/**
 * The instant a "starts on" date means: today is at once (a contract or binding may not start before the open one,
 * which usually began earlier today), another day its local midnight.
 */
function startOf(date) {
  const today = new Date();
  const local = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  return !date || date === local ? {} : { from: new Date(`${date}T00:00`).toISOString() };
}

function todayInput(name) {
  const input = el('input', { type: 'date', name });
  const now = new Date();
  input.valueAsDate = new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()));
  return input;
}

const numeric = (name) => el('input', { required: true, inputmode: 'numeric', pattern: '[0-9]+', name });

function history(id, columns, rows) {
  return el('div', { class: 'scroll' }, el('table', { class: 'cards', id },
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c })))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c, i) => el('td', { dataset: { label: columns[i] } }, c)))))));
}

/**
 * A form whose answer replaces a result box; a refusal shows as a message and the entries stay for correcting. The
 * first button submits (Enter) with every field checked; another checks only the controls it names.
 */
function form(id, fields, buttons, result) {
  const message = el('div', { role: 'status', class: 'form-message' });
  const f = el('form', { class: 'toolbar', id }, ...fields.map(([label, control]) => field(label, control)),
    ...buttons.map(([text, send, needs], i) => el('button', { type: i === 0 ? 'submit' : 'button', class: i === 0 ? 'primary' : null,
      text, onclick: i === 0 ? null : () => run(send, needs) })));
  async function run(send, needs) {
    if (!needs.every((c) => c.reportValidity())) return;
    clear(message);
    try {
      const answer = await send();
      clear(result).append(...[answer].flat());
    } catch (err) {
      message.append(el('p', { class: 'msg error', text: refusal(err) }));
    }
  }
  f.addEventListener('submit', (e) => { e.preventDefault(); run(buttons[0][1], []); });
  return el('div', {}, f, message, result);
}

/** Contracts: assign a patient to a team's doctor from a date, end the contract, and see the history. */
export function contractSection() {
  const patient = numeric('patientId');
  const team = numeric('teamId');
  const doctor = numeric('doctorId');
  const from = todayInput('from');
  const result = el('div', { id: 'contract-history' });
  const table = (h) => history('contracts-table', [t('col.id'), t('admin.field.teamId'), t('admin.field.doctorId'),
    t('admin.contract.from'), t('admin.contract.to'), t('admin.contract.by')], h.items.map((c) => [String(c.id),
    String(c.teamId), String(c.doctorId), formatDateTime(c.validFrom), c.validTo ? formatDateTime(c.validTo) : t('admin.open'),
    by(c.createdBy)]));
  return form('contract', [[t('admin.field.patientId'), patient], [t('admin.field.teamId'), team],
    [t('admin.field.doctorId'), doctor], [t('admin.contract.startsOn'), from]], [
    [t('admin.contract.assign'), async () => {
      const h = await api('POST', `/patients/${Number(patient.value)}/contracts`, { teamId: Number(team.value),
        doctorId: Number(doctor.value), ...startOf(from.value) });
      return [el('p', { class: 'msg ok', text: t('admin.contract.assigned') }), table(h)];
    }],
    [t('admin.contract.history'), async () => table(await api('GET', `/patients/${Number(patient.value)}/contracts`)), [patient]],
    [t('admin.contract.end'), async () => [el('p', { class: 'msg ok', text: t('admin.contract.ended') }),
      table(await api('POST', `/patients/${Number(patient.value)}/contracts/end`, {}))], [patient]],
  ], result);
}

function by(createdBy) {
  if (createdBy === 'admin') return t('admin.account.role.admin');
  if (createdBy.startsWith('admin:')) return t('admin.by.admin', { login: createdBy.substring(6) });
  return createdBy.startsWith('doctor:') ? t('admin.by.doctor', { id: createdBy.substring(7) }) : createdBy;
}

/** Bindings: bind a device to a patient from a date, unbind it, and see the binding history. */
export function bindingSection(refresh) {
  const device = numeric('deviceId');
  const patient = numeric('patientId');
  const from = todayInput('from');
  const result = el('div', { id: 'binding-history' });
  const id = () => Number(device.value);
  const table = async () => history('bindings-table', [t('col.id'), t('admin.field.patientId'), t('admin.contract.from'),
    t('admin.contract.to'), t('admin.contract.by')], (await api('GET', `/devices/${id()}/bindings`)).items.map((b) => [
    String(b.id), String(b.patientId), b.validFrom ? formatDateTime(b.validFrom) : '—',
    b.validTo ? formatDateTime(b.validTo) : t('admin.open'), by(b.createdBy)]));
  return form('binding', [[t('admin.field.deviceId'), device], [t('admin.field.patientId'), patient],
    [t('admin.contract.startsOn'), from]], [
    [t('admin.binding.bind'), async () => {
      await api('POST', `/devices/${id()}/binding`, { patientId: Number(patient.value), ...startOf(from.value) });
      await refresh();
      return [el('p', { class: 'msg ok', text: t('admin.binding.bound') }), await table()];
    }],
    [t('admin.contract.history'), () => table(), [device]],
    [t('admin.binding.unbind'), async () => {
      await api('POST', `/devices/${id()}/binding/end`, {});
      await refresh();
      return [el('p', { class: 'msg ok', text: t('admin.binding.unbound') }), await table()];
    }, [device]],
  ], result);
}

/** Moving an organisation (with its subtree) under another parent of the tier above. */
export function moveSection(refresh) {
  const org = numeric('organisationId');
  const parent = numeric('parentId');
  return form('move-organisation', [[t('admin.field.organisationId'), org], [t('admin.field.parentId'), parent]], [
    [t('admin.move.submit'), async () => {
      const moved = await api('PATCH', `/organisations/${Number(org.value)}`, { parentId: Number(parent.value) });
      await refresh();
      return el('p', { class: 'msg ok', text: t('admin.move.moved', { name: moved.name, parent: moved.parentId }) });
    }]], el('div'));
}

/** The organisations as a tree: each under its parent, so a move is seen where it lands. */
export function organisationTree(orgs) {
  const tierName = { county: 'tier.countyOrg', township: 'tier.townshipOrg', village: 'tier.village' };
  const children = new Map();
  const known = new Set(orgs.map((o) => o.id));
  for (const o of orgs) {
    const key = o.parentId && known.has(o.parentId) ? o.parentId : 0;
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(o);
  }
  const branch = (key) => {
    const list = children.get(key);
    if (!list) return null;
    return el('ul', {}, list.map((o) => el('li', { dataset: { orgId: o.id } },
      el('span', { text: `${o.name} · ${t(tierName[o.tier])} · ${t('admin.tree.id', { id: o.id })}` }), branch(o.id))));
  };
  const root = branch(0);
  if (root) { root.id = 'organisation-tree'; root.classList.add('tree'); }
  return root || el('p', { text: t('common.none') });
}
