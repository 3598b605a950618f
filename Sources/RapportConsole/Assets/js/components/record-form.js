// The form of a business record, generated from its type's fields (record-values.js liveFields):
// an input per kind — text, textarea, number, money as amount and currency (3 letters), percent,
// date, datetime-local (sent and read as RFC 3339 UTC), a checkbox, a select, checkboxes for several
// choices, email, tel, url, and references as ids (a customer found with the customer search,
// users and departments chosen by name). New: POST /v1/records/{type} with a fresh
// Idempotency-Key per submitted form. Edit: PATCH with only the changed fields and If-Match. The
// server's problems (`fields.<key>`, `customer_id`) show beside their inputs.

import { api, seg } from '../api.js';
import { h, isAbort, uid } from '../dom.js';
import { t } from '../i18n.js';
import { customerSearch } from './customer-search.js';
import { field as labelled, formMessage } from './form.js';
import { isEmpty, liveFields, recordETag } from './record-values.js';

const INPUT_TYPES = { text: 'text', email: 'email', phone: 'tel', url: 'url' };
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** A datetime-local value ("2026-12-04T09:00") as an RFC 3339 instant in UTC, or null. */
export function instant(local) {
  if (!local) return null;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An RFC 3339 instant as a datetime-local value in the browser's time zone ('' for none). */
export function localValue(value) {
  const date = value ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  const seconds = date.getSeconds() ? `:${pad(date.getSeconds())}` : '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}${seconds}`;
}

/** Whether two values of a field are the same (instants compared as instants, lists as sets). */
function same(kind, a, b) {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (isEmpty(a) || isEmpty(b)) return false;
  if (kind === 'datetime') return Date.parse(a) === Date.parse(b);
  if (kind === 'number' || kind === 'percent') return Number(a) === Number(b);
  if (kind === 'money') return Number(a.amount) === Number(b.amount) && String(a.currency).toUpperCase() === String(b.currency).toUpperCase();
  if (Array.isArray(a) && Array.isArray(b)) return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Error wiring for a control of several inputs: the message beside them, tied to each. */
function errorWiring(inputs, hintId) {
  const error = h('p', { id: uid('record-error'), class: 'field-error', hidden: true });
  const setError = (message) => {
    error.textContent = message ?? '';
    error.hidden = !message;
    for (const input of inputs()) {
      const described = [hintId, message ? error.id : null].filter(Boolean).join(' ');
      if (described) input.setAttribute('aria-describedby', described); else input.removeAttribute('aria-describedby');
      if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
    }
  };
  return { error, setError };
}

/** A customer reference: the id, and "Find" opening the customer search whose choice fills it in. */
function customerControl({ name, label, required, refs, signal }) {
  const id = uid('record-customer');
  const hintId = `${id}-hint`;
  const searchId = `${id}-search`;
  const input = h('input', { id, name, type: 'text', class: 'mono', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': hintId });
  const chosen = h('p', { class: 'small muted record-chosen', 'aria-live': 'polite', 'data-field': 'chosen' });
  const slot = h('div', { id: searchId, class: 'record-search', hidden: true });
  const find = h('button', { type: 'button', class: 'button button-small', 'aria-expanded': 'false', 'aria-controls': searchId, 'data-action': 'find-customer' },
    t('records.form.findCustomer'));
  const { error, setError } = errorWiring(() => [input], hintId);
  const close = () => { slot.hidden = true; find.setAttribute('aria-expanded', 'false'); };
  find.addEventListener('click', () => {
    if (!slot.hidden) { close(); return; }
    if (!slot.firstChild) {
      const search = customerSearch({
        signal,
        onOpen: (customer) => {
          input.value = customer.id;
          chosen.textContent = t('records.form.chosenCustomer', { name: customer.name ?? customer.id });
          input.dispatchEvent(new Event('input', { bubbles: true }));
          chosen.textContent = t('records.form.chosenCustomer', { name: customer.name ?? customer.id });
          close();
          input.focus();
        },
      });
      // The page's first field is the filter or the form's: not this one.
      search.querySelector('[data-autofocus]')?.removeAttribute('data-autofocus');
      slot.append(search);
    }
    slot.hidden = false;
    find.setAttribute('aria-expanded', 'true');
    slot.querySelector('input')?.focus();
  });
  input.addEventListener('input', () => { chosen.textContent = ''; });
  const element = h('div', { class: 'field record-reference', 'data-kind': 'reference', 'data-target': 'customer' },
    h('label', { for: id }, label, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
    h('p', { id: hintId, class: 'field-hint' }, t('records.form.customerHint')),
    h('div', { class: 'secret' }, input, find),
    chosen, error, slot);
  return {
    element, input, setError,
    read: () => ({ value: input.value.trim() || null }),
    write: (value) => {
      input.value = value ?? '';
      chosen.textContent = '';
      if (value) refs?.customerName(value).then((who) => { if (who && input.value === value) chosen.textContent = t('records.form.chosenCustomer', { name: who }); });
    },
  };
}

/** A select of users or departments by name (with "none"), or an id box when the list is not known. */
function directoryControl({ name, label, required, items, field }) {
  if (!items?.size) return idControl({ name, label, required, field });
  const f = labelled({ label, name, as: 'select', required, options: [{ value: '', label: t('records.form.none') },
    ...[...items.values()].map((item) => ({ value: item.id, label: item.name ?? item.id }))] });
  return {
    ...f,
    read: () => ({ value: f.input.value || null }),
    write: (value) => {
      if (value && ![...f.input.options].some((o) => o.value === value)) f.input.append(h('option', { value }, value));
      f.input.value = value ?? '';
    },
  };
}

/** A reference (or several, separated by spaces or commas) typed as ids. */
function idControl({ name, label, required, field }) {
  const list = field.kind === 'reference_list';
  const f = labelled({ label, name, required, hint: t(list ? 'records.form.idsHint' : 'records.form.idHint', { target: field.target ?? '' }),
    attrs: { class: 'mono', spellcheck: 'false', autocomplete: 'off' } });
  return {
    ...f,
    read: () => {
      const text = f.input.value.trim();
      if (!list) return { value: text || null };
      const ids = text.split(/[\s,]+/).filter(Boolean);
      return { value: ids.length ? ids : null };
    },
    write: (value) => { f.input.value = Array.isArray(value) ? value.join(', ') : value ?? ''; },
  };
}

/** The control of one field: { key, kind, element, input, setError, read() -> {value}|{problem}, write(value) }.
 * Also the inputs of the fields a pipeline's stage asks for when a record moves there (record-stages.js). */
export function control(field, { refs, signal }) {
  const name = `fields.${field.key}`;
  const label = field.label || field.key;
  const required = Boolean(field.required);
  const kind = field.kind;
  let made;
  if (INPUT_TYPES[kind] || kind === 'long_text') {
    const f = labelled({
      label, name, required, type: INPUT_TYPES[kind] ?? 'text', as: kind === 'long_text' ? 'textarea' : 'input',
      attrs: { autocomplete: 'off', ...(kind === 'text' ? { maxlength: '1000' } : {}), ...(kind === 'email' || kind === 'url' ? { spellcheck: 'false' } : {}) },
    });
    made = {
      ...f,
      read: () => {
        const text = kind === 'long_text' ? f.input.value : f.input.value.trim();
        return { value: text.trim() ? text : null };
      },
      write: (value) => { f.input.value = value ?? ''; },
    };
  } else if (kind === 'number' || kind === 'percent') {
    const f = labelled({ label, name, required, hint: kind === 'percent' ? t('records.form.percentHint') : null,
      attrs: { inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false' } });
    made = {
      ...f,
      read: () => {
        const text = f.input.value.trim().replace(/%$/, '').trim();
        if (!text) return { value: null };
        return DECIMAL.test(text) ? { value: Number(text) } : { problem: t('records.form.notNumber') };
      },
      write: (value) => { f.input.value = value === null || value === undefined ? '' : String(value); },
    };
  } else if (kind === 'money') {
    const id = uid('record-money');
    const hintId = `${id}-hint`;
    const amount = h('input', { id: `${id}-amount`, name: `${name}.amount`, type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false' });
    const currency = h('input', { id: `${id}-currency`, name: `${name}.currency`, type: 'text', maxlength: '3', autocomplete: 'off', spellcheck: 'false',
      autocapitalize: 'characters', class: 'mono record-currency' });
    const { error, setError } = errorWiring(() => [amount, currency], hintId);
    const element = h('fieldset', { class: 'choice record-money', 'data-kind': 'money' },
      h('legend', null, label, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
      h('p', { id: hintId, class: 'field-hint' }, t('records.form.moneyHint')),
      h('div', { class: 'field-row' },
        h('div', { class: 'field' }, h('label', { for: amount.id }, t('records.form.amount')), amount),
        h('div', { class: 'field record-currency-field' }, h('label', { for: currency.id }, t('records.form.currency')), currency)),
      error);
    made = {
      element, input: amount, setError,
      read: () => {
        const a = amount.value.trim();
        const c = currency.value.trim().toUpperCase();
        if (!a && !c) return { value: null };
        if (!DECIMAL.test(a)) return { problem: t('records.form.notAmount') };
        if (!/^[A-Z]{3}$/.test(c)) return { problem: t('records.form.notCurrency') };
        return { value: { amount: a, currency: c } };
      },
      write: (value) => { amount.value = value?.amount ?? ''; currency.value = value?.currency ?? ''; },
    };
  } else if (kind === 'date' || kind === 'datetime') {
    const f = labelled({ label, name, required, type: kind === 'date' ? 'date' : 'datetime-local',
      hint: kind === 'datetime' ? t('records.form.datetimeHint') : null });
    made = {
      ...f,
      read: () => {
        const text = f.input.value;
        if (!text) return { value: null };
        if (kind === 'date') return { value: text };
        const at = instant(text);
        return at ? { value: at } : { problem: t('records.form.notDatetime') };
      },
      write: (value) => { f.input.value = kind === 'date' ? value ?? '' : localValue(value); },
    };
  } else if (kind === 'boolean') {
    const id = uid('record-bool');
    const input = h('input', { id, name, type: 'checkbox' });
    const { error, setError } = errorWiring(() => [input], null);
    made = {
      element: h('div', { class: 'field field-check', 'data-kind': 'boolean' }, input, h('label', { for: id }, label), error),
      input, setError,
      read: () => ({ value: input.checked }),
      write: (value) => { input.checked = value === true; },
    };
  } else if (kind === 'choice') {
    const f = labelled({ label, name, required, as: 'select',
      options: [{ value: '', label: t('records.form.none') }, ...(field.choices ?? []).map((c) => ({ value: c.key, label: c.label }))] });
    made = {
      ...f,
      read: () => ({ value: f.input.value || null }),
      write: (value) => {
        if (value && ![...f.input.options].some((o) => o.value === value)) f.input.append(h('option', { value }, value));
        f.input.value = value ?? '';
      },
    };
  } else if (kind === 'multi_choice') {
    const group = uid('record-multi');
    const boxes = (field.choices ?? []).map((c, i) => h('input', { id: `${group}-${i}`, type: 'checkbox', name, value: c.key }));
    const { error, setError } = errorWiring(() => boxes, null);
    made = {
      element: h('fieldset', { class: 'choice', 'data-kind': 'multi_choice' },
        h('legend', null, label, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
        (field.choices ?? []).map((c, i) => h('div', { class: 'choice-option' }, boxes[i], h('label', { for: boxes[i].id }, c.label))),
        error),
      get input() { return boxes[0] ?? null; },
      setError,
      read: () => {
        const keys = boxes.filter((b) => b.checked).map((b) => b.value);
        return { value: keys.length ? keys : null };
      },
      write: (value) => { for (const b of boxes) b.checked = Array.isArray(value) && value.includes(b.value); },
    };
  } else if (kind === 'reference' && field.target === 'customer') {
    made = customerControl({ name, label, required, refs, signal });
  } else if (kind === 'reference' && (field.target === 'user' || field.target === 'department')) {
    made = directoryControl({ name, label, required, field, items: field.target === 'user' ? refs?.users : refs?.departments });
  } else {
    made = idControl({ name, label, required, field });
  }
  made.element.dataset.fieldKey = field.key;
  return { ...made, key: field.key, kind, name, required, touched: false };
}

/**
 * The form. `record`: the record edited (null: a new one). `onSaved(record)` after the server kept
 * it; `onStale()` after a 412 (the page reads the record again and calls `rebase`); `onCancel()`
 * shows a Cancel button. Returns { element, focus(), rebase(record), retype(type), touched() }.
 */
export function recordForm({ type, record = null, refs, signal, onSaved, onStale, onCancel }) {
  let base = record;
  let currentType = type;
  let key = null; // the Idempotency-Key of the submission being tried
  const message = formMessage();
  const slot = h('div', { class: 'record-fields' });
  const save = h('button', { type: 'submit', class: 'button button-primary', 'data-action': record ? 'record-save' : 'record-create' },
    record ? t('records.form.save') : t('records.form.create'));
  const form = h('form', { class: 'form record-form', novalidate: true, 'data-form': record ? 'edit-record' : 'new-record' },
    message.element, slot,
    h('div', { class: 'form-actions' }, save,
      onCancel ? h('button', { type: 'button', class: 'button', 'data-action': 'record-cancel', onclick: () => onCancel() }, t('records.form.cancel')) : null));
  let controls = [];
  const customerOf = () => controls.find((c) => c.key === null);

  const build = (values) => {
    const customer = { ...customerControl({ name: 'customer_id', label: t('records.customer'), required: false, refs, signal }),
      key: null, kind: 'customer', name: 'customer_id', touched: false };
    customer.element.dataset.fieldKey = 'customer_id';
    // A computed field (`rollup`) is the server's to set: shown on the record, never in the form.
    controls = [...liveFields(currentType).filter((f) => !f.rollup).map((f) => control(f, { refs, signal })), customer];
    for (const c of controls) {
      const value = c.key === null ? values.customer_id : values.fields?.[c.key];
      if (value !== undefined) c.write(value);
      const touch = () => { c.touched = true; key = null; };
      c.element.addEventListener('input', touch);
      c.element.addEventListener('change', touch);
    }
    slot.replaceChildren(...controls.map((c) => c.element));
  };

  /** What the form holds now, by field (values that do not parse are left out). */
  const current = () => {
    const fields = {};
    for (const c of controls) {
      if (c.key === null) continue;
      const read = c.read();
      if (!read.problem && read.value !== null) fields[c.key] = read.value;
    }
    return { customer_id: customerOf().read().value ?? null, fields };
  };

  const initial = () => (base
    ? { customer_id: base.customer_id ?? null, fields: base.fields ?? {} }
    : { customer_id: null, fields: Object.fromEntries(liveFields(currentType).filter((f) => !isEmpty(f.default)).map((f) => [f.key, f.default])) });
  build(initial());

  const showServerErrors = (error) => {
    let first = null;
    const left = [];
    for (const [name, text] of Object.entries(error?.fieldErrors ?? {})) {
      const owner = controls.find((c) => name === c.name || name.startsWith(`${c.name}.`) || name.startsWith(`${c.name}[`));
      if (owner) { owner.setError(text); first ??= owner; } else left.push(`${name}: ${text}`);
    }
    if (left.length) message.show(left.join(' '));
    first?.input?.focus();
    return Boolean(first) || left.length > 0;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    for (const c of controls) c.setError(null);
    let first = null;
    const values = new Map();
    for (const c of controls) {
      const read = c.read();
      let problem = read.problem ?? null;
      if (!problem && c.required && isEmpty(read.value)) problem = t('validation.required');
      if (problem) { c.setError(problem); first ??= c; } else values.set(c, read.value);
    }
    if (first) { first.input?.focus(); return; }

    let body;
    if (base) {
      body = {};
      const fields = {};
      for (const [c, value] of values) {
        const was = c.key === null ? base.customer_id ?? null : base.fields?.[c.key] ?? null;
        if (!c.touched || same(c.kind, value, was)) continue;
        if (c.key === null) body.customer_id = value;
        else fields[c.key] = isEmpty(value) ? null : value;
      }
      if (Object.keys(fields).length) body.fields = fields;
      if (!Object.keys(body).length) { message.show(t('records.form.unchanged'), 'info'); return; }
    } else {
      const fields = {};
      for (const [c, value] of values) if (c.key !== null && !isEmpty(value)) fields[c.key] = value;
      body = { customer_id: values.get(customerOf()) ?? null, fields };
    }

    save.disabled = true;
    try {
      let saved;
      if (base) {
        saved = await api.patch(`/v1/records/${seg(currentType.key)}/${seg(base.id)}`, body, { headers: { 'If-Match': recordETag(base) }, signal });
      } else {
        key ??= crypto.randomUUID();
        saved = await api.post(`/v1/records/${seg(currentType.key)}`, body, { headers: { 'Idempotency-Key': key }, signal });
        key = null;
        build(initial());
      }
      if (base) { base = saved; for (const c of controls) c.touched = false; }
      message.show(t(base ? 'records.form.saved' : 'records.form.created'), 'success');
      onSaved?.(saved);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      if (error.status === 412) {
        message.show(t('records.stale'));
        onStale?.();
      } else if (error.status === 404 && body.customer_id && String(error.message).includes(body.customer_id)) {
        customerOf().setError(t('records.form.noCustomer'));
        customerOf().input.focus();
      } else if (!((error.status === 422 || error.status === 409) && showServerErrors(error))) {
        message.show(error.status === 403 ? t('records.forbidden') : error.status === 404 ? t('records.gone') : t('app.error'));
      }
    } finally {
      save.disabled = false;
    }
  });

  return {
    element: form,
    focus: () => controls[0]?.input?.focus(),
    /** After a 412: the record as it is now becomes what changes are counted from; what the person
     * typed stays in the form (saving again applies it to the new version). */
    rebase: (fresh) => { base = fresh; },
    /** The type changed (a field added, retired, relabelled): the form is drawn again, keeping what it holds. */
    retype: (type) => {
      const held = current();
      const touched = new Set(controls.filter((c) => c.touched).map((c) => c.name));
      currentType = type;
      build(held);
      for (const c of controls) c.touched = touched.has(c.name);
    },
    touched: () => controls.some((c) => c.touched),
  };
}
