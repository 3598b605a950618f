// Labelled form fields with hints and error messages wired through aria-describedby, and the
// mapping from an ApiError's field errors onto them.

import { h, uid } from '../dom.js';
import { has, t } from '../i18n.js';

/**
 * A labelled input. Returns { element, input, setError(message|null) }.
 * `as: 'textarea'` or `as: 'select'` (with `options: [{value, label}]`) change the control.
 */
export function field({ label, name, type = 'text', as = 'input', autocomplete, hint, required = false, value, options, attrs = {} }) {
  const id = uid(`f-${name}`);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const controlAttrs = {
    id, name, autocomplete, required,
    'aria-describedby': [hintId].filter(Boolean).join(' ') || null,
    ...attrs,
  };
  let input;
  if (as === 'textarea') input = h('textarea', controlAttrs);
  else if (as === 'select') input = h('select', controlAttrs, (options ?? []).map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
  else input = h('input', { ...controlAttrs, type });
  if (value !== undefined && as !== 'select') input.value = value;

  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const element = h('div', { class: 'field' },
    h('label', { for: id }, label, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
    hint ? h('p', { id: hintId, class: 'field-hint' }, hint) : null,
    input,
    error);

  const setError = (message) => {
    error.textContent = message ?? '';
    error.hidden = !message;
    const described = [hintId, message ? errorId : null].filter(Boolean).join(' ');
    if (described) input.setAttribute('aria-describedby', described);
    else input.removeAttribute('aria-describedby');
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  return { element, input, setError, name };
}

/** A region that announces form-level messages. */
export function formMessage() {
  const element = h('div', { class: 'form-message', role: 'alert', hidden: true });
  const show = (message, kind = 'error') => {
    element.className = `form-message notice notice-${kind}`;
    element.textContent = message ?? '';
    element.hidden = !message;
  };
  return { element, show };
}

/**
 * Shows an ApiError's per-field errors next to the fields (by the server's field name).
 * The message is the catalog's `fieldError.{name}` when there is one (the server speaks
 * English only), else the server's own text. Returns how many fields got an error.
 */
export function showFieldErrors(error, fields) {
  let shown = 0;
  let first = null;
  for (const f of fields) {
    const message = error?.fieldErrors?.[f.name];
    if (message) {
      f.setError(has(`fieldError.${f.name}`) ? t(`fieldError.${f.name}`) : message);
      first ??= f;
      shown += 1;
    } else {
      f.setError(null);
    }
  }
  first?.input.focus();
  return shown;
}

export function clearErrors(fields) {
  for (const f of fields) f.setError(null);
}

/** UTF-8 length, as the server counts password bytes. */
export function byteLength(text) {
  return new TextEncoder().encode(text).length;
}

export const PASSWORD_MIN_BYTES = 12;
export const PASSWORD_MAX_BYTES = 72;

/** A localized reason `password` is not acceptable, or null. */
export function passwordProblem(password) {
  const n = byteLength(password);
  if (n === 0) return t('validation.required');
  if (n < PASSWORD_MIN_BYTES || n > PASSWORD_MAX_BYTES) return t('validation.passwordLength', { min: PASSWORD_MIN_BYTES, max: PASSWORD_MAX_BYTES });
  return null;
}

export function emailProblem(email) {
  if (!email.trim()) return t('validation.required');
  if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) return t('validation.email');
  return null;
}
