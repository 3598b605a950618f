// Administration · Settings: duplicate matching and the email digests (admin-digest.js) as forms,
// then matching, survivorship and routing settings as JSON, each saved with PUT; the server's
// errors are listed by field beside the editor.

import { api } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t } from '../i18n.js';
import { card, errorText } from './admin-kit.js';
import { digestForm } from './admin-digest.js';
import { matchingForm } from './admin-matching.js';

const SETTINGS = ['matching', 'survivorship', 'routing'];

export default async function render({ container, signal }) {
  const editors = {};
  for (const name of SETTINGS) editors[name] = await editor(name, signal);
  try {
    container.append(await matchingForm({ signal, onSaved: () => editors.matching.load().catch(() => {}) }));
  } catch (error) {
    if (isAbort(error) || error.status === 401) throw error;
    container.append(card(t('admin.matching.title'), h('p', { class: 'notice notice-error' }, errorText(error))));
  }
  try {
    container.append(await digestForm({ signal }));
  } catch (error) {
    if (isAbort(error) || error.status === 401) throw error;
    container.append(card(t('admin.digest.title'), h('p', { class: 'notice notice-error' }, errorText(error))));
  }
  for (const name of SETTINGS) container.append(editors[name].card);
}

async function editor(name, signal) {
  const path = `/v1/settings/${name}`;
  const id = uid(`settings-${name}`);
  const hintId = `${id}-hint`;
  const errorsId = `${id}-errors`;
  const box = h('textarea', { id, name, class: 'json-box', spellcheck: 'false', rows: 10, 'aria-describedby': hintId });
  const errors = h('div', { id: errorsId, class: 'field-error', role: 'alert', hidden: true });
  const status = h('p', { class: 'small', role: 'status' });
  const save = h('button', { type: 'submit', class: 'button button-primary' }, t('admin.save'));
  const form = h('form', { class: 'form', novalidate: true, 'data-settings': name },
    h('div', { class: 'field' }, h('label', { for: id }, t(`admin.settings.${name}`)), h('p', { id: hintId, class: 'field-hint' }, t(`admin.settings.${name}Hint`)), box, errors),
    status, h('div', { class: 'form-actions' }, save));

  const showErrors = (items) => {
    replace(errors, items.length ? h('ul', null, items.map(([field, message]) => h('li', null, field ? h('code', null, field) : null, field ? ': ' : null, message))) : null);
    errors.hidden = !items.length;
    if (items.length) box.setAttribute('aria-invalid', 'true'); else box.removeAttribute('aria-invalid');
    box.setAttribute('aria-describedby', items.length ? `${hintId} ${errorsId}` : hintId);
  };
  const load = async () => {
    box.value = JSON.stringify(await api.get(path, { signal }), null, 2);
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.textContent = '';
    let value;
    try {
      value = JSON.parse(box.value);
    } catch (error) {
      showErrors([[null, t('admin.badJson', { detail: error.message })]]);
      box.focus();
      return;
    }
    save.disabled = true;
    try {
      await api.put(path, value);
      showErrors([]);
      status.textContent = t('admin.settings.saved');
      await load();
    } catch (error) {
      if (error.status === 401) return;
      const fields = Object.entries(error.fieldErrors ?? {});
      showErrors(fields.length ? fields : [[null, errorText(error)]]);
      box.focus();
    } finally {
      save.disabled = false;
    }
  });
  try {
    await load();
  } catch (error) {
    if (isAbort(error) || error.status === 401) throw error;
    return { card: card(t(`admin.settings.${name}`), h('p', { class: 'notice notice-error' }, errorText(error))), load: async () => {} };
  }
  return { card: card(t(`admin.settings.${name}`), form), load };
}
