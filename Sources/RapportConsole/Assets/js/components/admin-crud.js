// A list of records with a form that creates one or, after "Edit" on a row, changes it
// (POST `path`, PATCH `path/{id}`). The sections give the columns, the fields and how a record
// and the form's values map onto each other.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { t } from '../i18n.js';
import { all, card, errorText, showErrors, table } from './admin-kit.js';
import { clearErrors, formMessage } from './form.js';

/**
 * `spec`: { path, name (catalog prefix, e.g. 'admin.departments'), columns, fields() -> [field],
 * required: [field names], update: 'patch' | 'put', extraColumns, toBody(fieldsByName, editing) -> body, fill(fieldsByName, record), label(record),
 * onChange(), rowActions(record, reload) -> [nodes] (more buttons beside "Edit"),
 * created(record) -> node (shown once under the success notice, e.g. a secret),
 * saved(record, { body, edited }) -> node|null (the same, after a create or an edit, given the body sent),
 * onEdit(fieldsByName, record|null) (after the form was reset for a record, or for a new one) }
 */
export async function crudSection({ container, signal }, spec) {
  const notice = h('div', { role: 'status' });
  const listSlot = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  container.append(card(t(`${spec.name}.list`), notice, listSlot));

  let editing = null;
  const fields = spec.fields();
  const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
  const message = formMessage();
  const heading = h('h2', { id: `${spec.name.replace('.', '-')}-form-title`, tabindex: '-1' }, t(`${spec.name}.new`));
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, t(`${spec.name}.create`));
  const cancel = h('button', { type: 'button', class: 'button', hidden: true }, t('admin.cancel'));
  const form = h('form', { class: 'form', novalidate: true, 'data-form': spec.name },
    message.element, fields.map((f) => f.element), h('div', { class: 'form-actions' }, submit, cancel));
  container.append(h('section', { class: 'card', 'aria-labelledby': heading.id }, heading, form));

  const setEditing = (record) => {
    editing = record;
    clearErrors(fields);
    message.show(null);
    form.reset();
    if (record) spec.fill(byName, record);
    heading.textContent = record ? t(`${spec.name}.edit`, { name: spec.label(record) }) : t(`${spec.name}.new`);
    submit.textContent = record ? t('admin.save') : t(`${spec.name}.create`);
    cancel.hidden = !record;
    spec.onEdit?.(byName, record);
  };
  cancel.addEventListener('click', () => setEditing(null));

  const load = async () => {
    try {
      const records = await all(spec.path, { signal });
      replace(listSlot, table(t(`${spec.name}.list`), [...spec.columns, {
        label: t('admin.actions'),
        cell: (record) => h('div', { class: 'actions-row' }, h('button', {
          type: 'button', class: 'button button-small', 'data-action': 'edit', 'aria-label': t('admin.editNamed', { name: spec.label(record) }),
          onclick: () => { setEditing(record); heading.focus(); },
        }, t('admin.edit')), ...(spec.rowActions?.(record, load) ?? [])),
      }], records, t('admin.empty')));
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(listSlot, h('p', { class: 'notice notice-error' }, errorText(error)));
    }
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(fields);
    message.show(null);
    const missing = (spec.required ?? []).filter((name) => !byName[name].input.value.trim());
    for (const name of missing) byName[name].setError(t('validation.required'));
    if (missing.length) { byName[missing[0]].input.focus(); return; }
    let body;
    try {
      body = spec.toBody(byName, editing);
    } catch (problem) {
      // A field the page checks itself (JSON that does not parse): { field, message }.
      if (problem?.field && byName[problem.field]) { byName[problem.field].setError(problem.message); byName[problem.field].input.focus(); return; }
      throw problem;
    }
    submit.disabled = true;
    try {
      const saved = editing
        ? await api[spec.update ?? 'patch'](`${spec.path}/${seg(editing.id)}`, body)
        : await api.post(spec.path, body);
      spec.onChange?.();
      replace(notice, h('p', { class: 'notice notice-success' }, t(editing ? 'admin.saved' : 'admin.created', { name: spec.label(saved) })),
        ...(!editing && spec.created ? [spec.created(saved)] : []),
        spec.saved?.(saved, { body, edited: Boolean(editing) }));
      setEditing(null);
      await load();
    } catch (error) {
      if (error.status === 401) return;
      if (!((error.status === 422 || error.status === 409) && showErrors(error, fields) > 0)) message.show(errorText(error));
    } finally {
      submit.disabled = false;
    }
  });

  await load();
}

/** Parses a JSON textarea: null for empty, else an object; throws { field, message } otherwise. */
export function jsonValue(f, { allowNull = true } = {}) {
  const text = f.input.value.trim();
  if (!text) {
    if (allowNull) return null;
    throw { field: f.name, message: t('validation.required') };
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw { field: f.name, message: t('admin.badJson', { detail: error.message }) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw { field: f.name, message: t('admin.jsonObject') };
  return value;
}
