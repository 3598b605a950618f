// Administration · Users: who can sign in, their role and department (changed in place); create a user, deactivate
// or reactivate one, and make an invitation link (POST /v1/password-setups) to give them.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { formatDateTime, t } from '../i18n.js';
import * as lookups from '../lookups.js';
import { all, card, copyable, errorText, none, options, showErrors, table } from './admin-kit.js';
import { clearErrors, emailProblem, field, formMessage } from './form.js';

const ROLES = ['admin', 'manager', 'agent', 'viewer'];

export default async function render({ container, signal, role }) {
  const canManage = role === 'admin'; // `access:manage`
  const listSlot = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  const invite = h('div', { 'aria-live': 'polite' });
  const notice = h('div', { role: 'status' });
  container.append(card(t('admin.users.list'), notice, invite, listSlot));

  let departments = [];
  const load = async () => {
    try {
      const [users, deps] = await Promise.all([all('/v1/users', { signal }), all('/v1/departments', { signal }).catch(() => [])]);
      departments = deps;
      const depName = new Map(deps.map((d) => [d.id, d.name]));
      replace(listSlot, table(t('admin.users.list'), [
        { label: t('admin.users.name'), cell: (u) => u.name },
        { label: t('admin.users.email'), cell: (u) => h('span', { class: 'mono' }, u.email) },
        { label: t('admin.users.role'), cell: (u) => (canManage ? roleSelect(u) : t(`role.${u.role}`)) },
        { label: t('admin.users.department'), cell: (u) => (canManage ? departmentSelect(u)
          : (u.department_id ? depName.get(u.department_id) ?? u.department_id : none())) },
        { label: t('admin.users.status'), cell: (u) => h('span', { class: u.active ? 'badge badge-open' : 'badge' }, t(u.active ? 'admin.users.active' : 'admin.users.inactive')) },
        ...(canManage ? [{ label: t('admin.actions'), cell: (u) => actions(u) }] : []),
      ], users, t('admin.empty')));
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(listSlot, h('p', { class: 'notice notice-error' }, errorText(error)));
    }
  };

  // Role and department change in place: the select saves on change (PATCH /v1/users/{id}) and
  // goes back to the stored value when the server refuses. The row stays as it is (no redraw), so
  // the select keeps the focus of whoever is working through the list with the keyboard.
  const change = async (select, user, body, stored) => {
    select.disabled = true;
    try {
      const updated = await api.patch(`/v1/users/${seg(user.id)}`, body);
      Object.assign(user, updated ?? body);
      lookups.invalidate('users');
      replace(notice, h('p', { class: 'notice notice-success' }, t('admin.users.updated', { name: user.name })));
    } catch (error) {
      select.value = stored;
      if (error.status !== 401) replace(notice, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
    } finally {
      select.disabled = false;
      select.focus();
    }
  };
  const roleSelect = (user) => {
    const select = h('select', { 'data-field': 'role', 'aria-label': t('admin.users.roleFor', { name: user.name }) },
      ...ROLES.map((r) => h('option', { value: r, selected: r === user.role }, t(`role.${r}`))));
    select.addEventListener('change', () => change(select, user, { role: select.value }, user.role));
    return select;
  };
  const departmentSelect = (user) => {
    const select = h('select', { 'data-field': 'department_id', 'aria-label': t('admin.users.departmentFor', { name: user.name }) },
      h('option', { value: '', selected: !user.department_id }, t('admin.users.noDepartment')),
      ...departments.map((d) => h('option', { value: d.id, selected: d.id === user.department_id }, d.name)));
    select.addEventListener('change', () => change(select, user, { department_id: select.value || null }, user.department_id ?? ''));
    return select;
  };

  const actions = (user) => {
    const inviteButton = h('button', { type: 'button', class: 'button button-small', 'data-action': 'invite', disabled: !user.active,
      'aria-label': t('admin.users.inviteFor', { name: user.name }) }, t('admin.users.invite'));
    const toggle = h('button', { type: 'button', class: 'button button-small', 'data-action': user.active ? 'deactivate' : 'activate',
      'aria-label': t(user.active ? 'admin.users.deactivateFor' : 'admin.users.activateFor', { name: user.name }) },
    t(user.active ? 'admin.users.deactivate' : 'admin.users.activate'));
    inviteButton.addEventListener('click', async () => {
      inviteButton.disabled = true;
      try {
        const issued = await api.post('/v1/password-setups', { user_id: user.id });
        const link = new URL(issued.link, location.origin).href;
        replace(invite, h('div', { class: 'notice notice-info invite-link' },
          copyable(t('admin.users.inviteLink', { name: user.name }), link),
          h('p', { class: 'small' }, t('admin.users.inviteExpires', { time: formatDateTime(issued.expires_at) }))));
        invite.querySelector('input')?.focus();
      } catch (error) {
        if (error.status !== 401) replace(notice, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
      } finally {
        inviteButton.disabled = false;
      }
    });
    toggle.addEventListener('click', async () => {
      toggle.disabled = true;
      try {
        await api.patch(`/v1/users/${seg(user.id)}`, { active: !user.active });
        lookups.invalidate('users');
        replace(notice, h('p', { class: 'notice notice-success' }, t(user.active ? 'admin.users.deactivated' : 'admin.users.activated', { name: user.name })));
        await load();
        // The row was drawn anew: the focus goes to its button, which now does the opposite.
        listSlot.querySelector(`tr[data-id="${CSS.escape(user.id)}"] button[data-action=${user.active ? 'activate' : 'deactivate'}]`)?.focus();
      } catch (error) {
        toggle.disabled = false;
        if (error.status !== 401) replace(notice, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
      }
    });
    return h('div', { class: 'actions-row' }, inviteButton, toggle);
  };

  await load();
  if (canManage) container.append(createForm(departments, async (created) => {
    replace(notice, h('p', { class: 'notice notice-success' }, t('admin.users.created', { name: created.name })));
    await load();
  }));
}

function createForm(departments, onCreated) {
  const name = field({ label: t('admin.users.name'), name: 'name', required: true, autocomplete: 'off' });
  const email = field({ label: t('admin.users.email'), name: 'email', required: true, autocomplete: 'off', attrs: { inputmode: 'email', spellcheck: 'false' } });
  const role = field({ label: t('admin.users.role'), name: 'role', as: 'select', value: 'agent', options: ROLES.map((r) => ({ value: r, label: t(`role.${r}`) })) });
  const department = field({ label: t('admin.users.department'), name: 'department_id', as: 'select', value: '',
    options: options(departments, (d) => d.name, t('admin.users.noDepartment')) });
  const fields = [name, email, role, department];
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, t('admin.users.create'));
  const form = h('form', { class: 'form', novalidate: true, 'data-form': 'new-user' }, message.element, fields.map((f) => f.element), h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(fields);
    message.show(null);
    const nameProblem = name.input.value.trim() ? null : t('validation.required');
    const emailIssue = emailProblem(email.input.value);
    name.setError(nameProblem);
    email.setError(emailIssue);
    if (nameProblem || emailIssue) { (nameProblem ? name : email).input.focus(); return; }
    submit.disabled = true;
    try {
      const created = await api.post('/v1/users', {
        name: name.input.value.trim(), email: email.input.value.trim(), role: role.input.value,
        department_id: department.input.value || null,
      });
      lookups.invalidate('users');
      form.reset();
      await onCreated(created);
    } catch (error) {
      if (error.status === 401) return;
      if (error.status === 409) email.setError(t('admin.users.emailTaken'));
      else if (!(error.status === 422 && showErrors(error, fields) > 0)) message.show(errorText(error));
    } finally {
      submit.disabled = false;
    }
  });
  return card(t('admin.users.new'), form);
}
