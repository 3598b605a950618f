// Administration · API keys: list, issue (the secret is shown once, with a copy button), revoke.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { t, timeElement } from '../i18n.js';
import { all, card, copyable, errorText, none, options, showErrors, table } from './admin-kit.js';
import { clearErrors, field, formMessage } from './form.js';

const ROLES = ['admin', 'manager', 'agent', 'viewer'];

export default async function render({ container, signal }) {
  const notice = h('div', { 'aria-live': 'polite' });
  const listSlot = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  container.append(card(t('admin.keys.list'), notice, listSlot));
  const departments = await all('/v1/departments', { signal }).catch(() => []);
  const depName = new Map(departments.map((d) => [d.id, d.name]));

  const load = async () => {
    try {
      const keys = await all('/v1/api-keys', { signal });
      replace(listSlot, table(t('admin.keys.list'), [
        { label: t('admin.keys.name'), cell: (k) => k.name },
        { label: t('admin.keys.prefix'), cell: (k) => h('span', { class: 'mono' }, `${k.prefix}…`) },
        { label: t('admin.users.role'), cell: (k) => t(`role.${k.role}`) },
        { label: t('admin.users.department'), cell: (k) => (k.department_id ? depName.get(k.department_id) ?? k.department_id : none()) },
        { label: t('admin.keys.created'), cell: (k) => timeElement(k.created_at) },
        { label: t('admin.actions'), cell: (k) => (k.revoked_at ? h('span', { class: 'badge' }, t('admin.keys.revoked')) : revokeButton(k)) },
      ], keys, t('admin.empty')));
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(listSlot, h('p', { class: 'notice notice-error' }, errorText(error)));
    }
  };

  const revokeButton = (key) => {
    const button = h('button', { type: 'button', class: 'button button-small button-danger', 'data-action': 'revoke', 'aria-label': t('admin.keys.revokeNamed', { name: key.name }) }, t('admin.keys.revoke'));
    button.addEventListener('click', async () => {
      if (!window.confirm(t('admin.keys.confirmRevoke', { name: key.name }))) return;
      button.disabled = true;
      try {
        await api.delete(`/v1/api-keys/${seg(key.id)}`);
        replace(notice, h('p', { class: 'notice notice-success' }, t('admin.keys.revokedNamed', { name: key.name })));
        await load();
      } catch (error) {
        button.disabled = false;
        if (error.status !== 401) replace(notice, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
      }
    });
    return button;
  };

  const name = field({ label: t('admin.keys.name'), name: 'name', required: true, autocomplete: 'off' });
  const role = field({ label: t('admin.users.role'), name: 'role', as: 'select', value: 'agent', options: ROLES.map((r) => ({ value: r, label: t(`role.${r}`) })) });
  const department = field({ label: t('admin.users.department'), name: 'department_id', as: 'select', value: '', options: options(departments, (d) => d.name, t('admin.users.noDepartment')) });
  const fields = [name, role, department];
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, t('admin.keys.create'));
  const form = h('form', { class: 'form', novalidate: true }, message.element, fields.map((f) => f.element), h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(fields);
    message.show(null);
    if (!name.input.value.trim()) { name.setError(t('validation.required')); name.input.focus(); return; }
    submit.disabled = true;
    try {
      const body = { name: name.input.value.trim(), role: role.input.value };
      if (department.input.value) body.department_id = department.input.value;
      const issued = await api.post('/v1/api-keys', body);
      form.reset();
      replace(notice, h('div', { class: 'notice notice-info' },
        h('p', null, h('strong', null, t('admin.keys.secretOnce'))),
        copyable(t('admin.keys.secret', { name: issued.name }), issued.secret)));
      notice.querySelector('input')?.focus();
      await load();
    } catch (error) {
      if (error.status === 401) return;
      if (!(error.status === 422 && showErrors(error, fields) > 0)) message.show(errorText(error));
    } finally {
      submit.disabled = false;
    }
  });
  container.append(card(t('admin.keys.new'), form));
  await load();
}
