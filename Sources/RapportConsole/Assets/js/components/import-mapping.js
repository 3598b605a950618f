// The mapping table of an import (import-form.js): one row per column of the file's header with a
// select of the fields the target may set, "— leave out —" first, preselected when the column is
// named like a field (its key or its label, in any case). Customers also offer "Attribute…" with an
// input for the attribute's key (suggested from the column's name). `read()` gives what POST
// /v1/imports takes as `mapping`: every column with its field, or null to leave it out. Column names
// are the file's text: shown as text, never as markup. Messages: i18n/imports/.

import { h, replace, uid } from '../dom.js';
import { t } from '../i18n.js';

const CUSTOMER_FIELDS = ['name', 'given_name', 'family_name', 'kind', 'company', 'lifecycle_stage', 'owner_id', 'emails', 'phones',
  'identities', 'address.line1', 'address.line2', 'address.city', 'address.region', 'address.postal_code', 'address.country', 'address.label'];
const RECORD_COLUMNS = ['id', 'customer_id', 'customer_email', 'customer_phone'];
const ATTRIBUTE = '@attribute';
const ATTRIBUTE_PREFIX = 'attributes.';

/** The fields a customer file may set, as {value, label}. */
export function customerTargets() {
  return CUSTOMER_FIELDS.map((key) => ({ value: key, label: t(`imports.field.${key}`) }));
}

/** The fields a file of records of `type` may set: the record's own columns (`stage` with a
 * pipeline), then each live field that is not computed — money as its amount and its currency. */
export function recordTargets(type) {
  const own = [...RECORD_COLUMNS, ...(type?.stages?.length ? ['stage'] : [])];
  const targets = own.map((key) => ({ value: key, label: t(`imports.field.${key}`) }));
  for (const f of type?.fields ?? []) {
    if (!f?.key || f.retired || f.rollup) continue;
    const label = f.label || f.key;
    if (f.kind === 'money') {
      targets.push({ value: `${f.key}.amount`, label: t('imports.moneyAmount', { label }) },
        { value: `${f.key}.currency`, label: t('imports.moneyCurrency', { label }) });
    } else {
      targets.push({ value: f.key, label });
    }
  }
  return targets;
}

const norm = (text) => String(text).trim().toLowerCase();

/** A key for an attribute suggested by a column's name: "Loyalty tier" → "loyalty_tier". */
function suggestedKey(column) {
  return norm(column).replace(/\s+/g, '_').replace(/[^a-z0-9_.-]/g, '').slice(0, 64);
}

/**
 * `columns`: the header's names; `targets`: [{value, label}]; `attributes`: offer "Attribute…".
 * Returns { element, read(), setError(column, message) → whether the column is in the table, clear() }.
 */
export function mappingTable({ columns, targets, attributes = false }) {
  const titleId = uid('mapping-title');
  const rows = [...new Set(columns)].map((column) => mappingRow(column, targets, attributes));
  const element = h('div', { class: 'mapping', 'data-slot': 'mapping' },
    h('h3', { id: titleId }, t('imports.mapping')),
    h('p', { class: 'field-hint' }, attributes ? t('imports.mappingHintCustomers') : t('imports.mappingHint')),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': titleId },
      h('table', { class: 'table mapping-table', 'data-list': 'mapping' },
        h('caption', { class: 'visually-hidden' }, t('imports.mapping')),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('imports.column')),
          h('th', { scope: 'col' }, t('imports.fieldColumn')))),
        h('tbody', null, rows.map((row) => row.element)))));

  const clear = () => rows.forEach((row) => row.setError(null));
  /** The mapping, or null (with the problems shown beside their rows, the first focused). */
  const read = () => {
    clear();
    const mapping = {};
    let first = null;
    for (const row of rows) {
      const { target, problem } = row.read();
      if (problem) {
        row.setError(problem);
        first ??= row;
      }
      mapping[row.column] = target;
    }
    if (first) { first.focus(); return null; }
    return mapping;
  };
  const setError = (column, message) => {
    const row = rows.find((r) => r.column === column);
    row?.setError(message);
    return Boolean(row);
  };
  const focusError = () => rows.find((r) => r.invalid())?.focus();
  return { element, read, setError, clear, focusError };
}

function mappingRow(column, targets, attributes) {
  const id = uid('map');
  const errorId = `${id}-error`;
  const name = column.trim() ? column : t('imports.unnamedColumn');
  const select = h('select', { id, 'aria-label': t('imports.fieldFor', { column: name }), 'data-field': 'target' },
    h('option', { value: '' }, t('imports.leaveOut')),
    targets.map((target) => h('option', { value: target.value }, t('imports.option', { label: target.label, key: target.value }))),
    attributes ? h('option', { value: ATTRIBUTE }, t('imports.attribute')) : null);
  const key = h('input', { type: 'text', hidden: true, class: 'mono', spellcheck: 'false', autocomplete: 'off', maxlength: '64',
    'aria-label': t('imports.attributeKeyFor', { column: name }), placeholder: t('imports.attributeKey'), 'data-field': 'attribute-key' });
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });

  // Preselected: a field named like the column, or for customers a column named attributes.<key>.
  const wanted = norm(column);
  const match = targets.find((target) => norm(target.value) === wanted || norm(target.label) === wanted);
  if (match) {
    select.value = match.value;
  } else if (attributes && wanted.startsWith(ATTRIBUTE_PREFIX) && wanted.length > ATTRIBUTE_PREFIX.length) {
    select.value = ATTRIBUTE;
    key.value = column.trim().slice(ATTRIBUTE_PREFIX.length);
  }
  const showKey = () => {
    const on = select.value === ATTRIBUTE;
    if (on && !key.value) key.value = suggestedKey(column);
    key.hidden = !on;
  };
  select.addEventListener('change', () => { setError(null); showKey(); if (!key.hidden) key.focus(); });
  showKey();

  const setError = (message) => {
    replace(error, message ?? '');
    error.hidden = !message;
    for (const control of [select, key]) {
      if (message) { control.setAttribute('aria-invalid', 'true'); control.setAttribute('aria-describedby', errorId); } else {
        control.removeAttribute('aria-invalid');
        control.removeAttribute('aria-describedby');
      }
    }
  };
  const read = () => {
    if (select.value === '') return { target: null };
    if (select.value !== ATTRIBUTE) return { target: select.value };
    const text = key.value.trim();
    // Which keys are allowed is the server's to say (a 422 for mapping.<column>, shown beside the row).
    if (!text) return { target: null, problem: t('imports.attributeKeyNeeded') };
    return { target: `${ATTRIBUTE_PREFIX}${text}` };
  };
  const element = h('tr', { 'data-column': column },
    h('th', { scope: 'row', 'data-field': 'column', class: column.trim() ? null : 'muted' }, name),
    h('td', null, h('div', { class: 'mapping-choice' }, select, key), error));
  return {
    column, element, read, setError,
    invalid: () => !error.hidden,
    focus: () => (select.value === ATTRIBUTE ? key : select).focus(),
  };
}
