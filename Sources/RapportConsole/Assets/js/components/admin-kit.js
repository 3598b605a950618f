// Pieces the administration sections share: a titled card, a data table, a form's errors from an
// ApiError (server field names matched by prefix, `conditions.expression` → `conditions`), a
// read-only value with a copy button, and a list fetched across cursor pages.

import { api } from '../api.js';
import { h, uid } from '../dom.js';
import { has, t } from '../i18n.js';

export function card(title, ...children) {
  const id = uid('card');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** `columns`: [{ label, cell(row) -> node|text }]. Empty `rows` shows `empty`. */
export function table(caption, columns, rows, empty) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  // The wrapper scrolls sideways on a narrow screen: focusable and named so keyboards can scroll it.
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, h('table', { class: 'table' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
    h('tbody', null, rows.map((row) => h('tr', { 'data-id': row.id ?? row.name ?? null }, columns.map((c) => h('td', null, c.cell(row))))))));
}

export function none() {
  return h('span', { class: 'muted' }, t('app.none'));
}

/** A localized message for a failed request. */
export function errorText(error) {
  if (error?.status === 403) return t('app.forbidden');
  if (error?.status === 409) return t('admin.conflict');
  if (error?.status === 422 || error?.status === 400) return t('admin.invalid', { detail: error.message });
  return t('app.error');
}

/**
 * Puts the server's field errors beside the fields whose name is the error's field or its prefix
 * (`conditions.expression` belongs to `conditions`); an error goes to the most specific such field
 * only (`settings.call_webhook_secret` to a field of that name rather than to `settings`).
 * Returns how many fields got one.
 */
export function showErrors(error, fields) {
  const owns = (f, name) => name === f.name || name.startsWith(`${f.name}.`) || name.startsWith(`${f.name}[`);
  const owner = (name) => fields.filter((f) => owns(f, name)).sort((a, b) => b.name.length - a.name.length)[0] ?? null;
  let shown = 0;
  let first = null;
  for (const f of fields) {
    const messages = Object.entries(error?.fieldErrors ?? {})
      .filter(([name]) => owner(name) === f)
      .map(([name, message]) => (has(`fieldError.${name}`) ? t(`fieldError.${name}`) : name === f.name ? message : `${name}: ${message}`));
    f.setError(messages.length ? messages.join(' ') : null);
    if (messages.length) { shown += 1; first ??= f; }
  }
  first?.input.focus();
  return shown;
}

/** A read-only text with a button that copies it. */
export function copyable(label, value) {
  const id = uid('copy');
  const input = h('input', { id, type: 'text', readonly: true, value, class: 'mono', spellcheck: 'false' });
  const done = h('span', { class: 'muted small', role: 'status' });
  const button = h('button', { type: 'button', class: 'button button-small', 'data-action': 'copy' }, t('admin.copy'));
  button.addEventListener('click', async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(value);
      done.textContent = t('admin.copied');
    } catch {
      done.textContent = t('admin.copyManually');
    }
  });
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('div', { class: 'secret' }, input, button), done);
}

/** Every item of a list endpoint, following `next_cursor`. */
export async function all(path, { signal, query = {} } = {}) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 20; page += 1) {
    const body = await api.get(path, { query: { ...query, cursor }, signal });
    items.push(...(body?.data ?? []));
    cursor = body?.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/** `{ value, label }` options of a select, with a first "none" option when `empty` is given. */
export function options(items, label, empty) {
  return [...(empty ? [{ value: '', label: empty }] : []), ...items.map((item) => ({ value: item.id ?? item, label: label(item) }))];
}
