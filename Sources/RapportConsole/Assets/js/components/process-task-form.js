// The form of a process's user task (GET /v1/tasks/{id}/form), shown in the task's row on the
// Tasks page: the process and step it belongs to with a link to the instance, one labelled control
// per field (text, textarea, number, integer, boolean, date, choice) prefilled from `values`, and
// "Complete task": POST /v1/tasks/{id}/complete with the typed values (empty optional fields left
// out) and If-Match. The server's refusals go beside their fields (`variables.<key>`), in the
// page's language when the field's own rule says why; anything else in the form's alert. Labels,
// names and options are the process's data: always text.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t } from '../i18n.js';
import { field, formMessage } from './form.js';

const INPUT_TYPES = { text: 'text', number: 'number', integer: 'number', date: 'date', boolean: 'checkbox' };

/**
 * `taskId`; `etag()`: the task's entity tag now; `onCompleted(task)` once the server completed it;
 * `onStale()` after a 412 (reads the task again); `onGone()` when no process waits for the task
 * (404, 409); `onClose()` for the Close button. Returns { element }; the first control gets the
 * focus once the form is drawn.
 */
export function processTaskForm({ taskId, etag, signal, onCompleted, onStale, onGone, onClose }) {
  const headingId = uid('process-task');
  const element = h('section', { class: 'process-task', 'aria-labelledby': headingId, 'data-form': 'process-task', 'aria-busy': 'true' },
    h('h4', { id: headingId, tabindex: '-1' }, t('processTask.loading')));
  const close = h('button', { type: 'button', class: 'button button-small', 'data-action': 'process-form-close', onclick: () => onClose() }, t('processTask.close'));

  api.get(`/v1/tasks/${seg(taskId)}/form`, { signal })
    .then((shown) => {
      element.removeAttribute('aria-busy');
      draw(shown ?? {});
    })
    .catch((error) => {
      if (isAbort(error) || error.status === 401) return;
      element.removeAttribute('aria-busy');
      if (error.status === 404) { onGone(); return; }
      replace(element, h('p', { id: headingId, class: 'field-error', role: 'alert' }, t('app.error')), h('div', { class: 'form-actions' }, close));
      close.focus();
    });

  const draw = (shown) => {
    const specs = (Array.isArray(shown.fields) ? shown.fields : []).filter((spec) => typeof spec?.key === 'string');
    const values = shown.values && typeof shown.values === 'object' ? shown.values : {};
    const controls = specs.map((spec) => control(spec, values[spec.key]));
    const message = formMessage();
    const submit = h('button', { type: 'submit', class: 'button button-primary button-small', 'data-action': 'process-form-submit' }, t('processTask.submit'));
    const processName = shown.process?.name || shown.process?.key || '';
    const stepName = shown.node?.name || shown.node?.id || '';
    const form = h('form', { class: 'form process-task-form', novalidate: true },
      message.element,
      specs.length === 0 ? h('p', { class: 'field-hint' }, t('processTask.noFields'))
        : specs.some((spec) => spec.required) ? h('p', { class: 'field-hint' }, t('processTask.requiredNote')) : null,
      controls.map((c) => c.element),
      h('div', { class: 'form-actions' }, submit, close));
    replace(element,
      h('h4', { id: headingId, tabindex: '-1' }, t('processTask.heading', { process: processName, step: stepName })),
      shown.instance_id ? h('p', { class: 'process-task-meta' },
        h('a', { href: `#/process-instances/${encodeURIComponent(shown.instance_id)}`, 'data-action': 'open-process-instance' }, t('processTask.instance'))) : null,
      form);
    (controls[0]?.input ?? submit).focus();

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (submit.disabled) return;
      message.show(null);
      const variables = {};
      const local = [];
      for (const c of controls) {
        c.setError(null);
        const read = c.read();
        if (read.problem) local.push([c, read.problem]);
        else if (read.value !== undefined) variables[c.spec.key] = read.value;
      }
      if (local.length) {
        for (const [c, problem] of local) c.setError(problem);
        local[0][0].input.focus();
        return;
      }
      submit.disabled = true;
      form.setAttribute('aria-busy', 'true');
      try {
        const task = await api.post(`/v1/tasks/${seg(taskId)}/complete`, { variables }, { headers: { 'If-Match': etag() }, signal });
        onCompleted(task);
      } catch (error) {
        if (isAbort(error) || error.status === 401) return;
        if (error.status === 404 || error.status === 409) { onGone(); return; }
        if (error.status === 422 && showErrors(error, controls, variables)) return;
        if (error.status === 412) await onStale();
        message.show(error.status === 412 ? t('tasks.stale') : error.status === 403 ? t('tasks.forbidden')
          : error.status === 422 ? t('processTask.refused') : t('app.error'));
      } finally {
        submit.disabled = false;
        form.removeAttribute('aria-busy');
      }
    });
  };
  return { element };
}

/** One field's labelled control: { spec, element, input, setError, read() → {value} | {problem} }. */
function control(spec, initial) {
  const type = spec.type;
  const attrs = {};
  if (spec.required) attrs['aria-required'] = 'true';
  if (type === 'number' || type === 'integer') {
    attrs.step = type === 'integer' ? '1' : 'any';
    if (typeof spec.min === 'number') attrs.min = String(spec.min);
    if (typeof spec.max === 'number') attrs.max = String(spec.max);
  }
  if (type === 'text' || type === 'textarea') {
    if (Number.isInteger(spec.min_length)) attrs.minlength = String(spec.min_length);
    if (Number.isInteger(spec.max_length)) attrs.maxlength = String(spec.max_length);
    if (type === 'text' && typeof spec.pattern === 'string' && compiles(spec.pattern)) attrs.pattern = spec.pattern;
  }
  if (type === 'textarea') attrs.rows = '3';
  const options = type === 'choice' ? (Array.isArray(spec.options) ? spec.options : []).map((o) => ({ value: String(o?.value ?? ''), label: o?.label || String(o?.value ?? '') })) : null;
  const chosen = options && options.some((o) => o.value === initial) ? initial : undefined;
  if (options && !(spec.required && chosen !== undefined)) options.unshift({ value: '', label: t('processTask.choose') });
  const made = field({
    label: spec.label || spec.key, name: spec.key, required: Boolean(spec.required) && type !== 'boolean', hint: hint(spec), attrs,
    as: type === 'textarea' ? 'textarea' : type === 'choice' ? 'select' : 'input', type: INPUT_TYPES[type] ?? 'text', options,
    value: type === 'boolean' ? undefined : options ? chosen : initial === undefined || initial === null ? undefined : String(initial),
  });
  if (type === 'boolean') {
    made.element.classList.add('field-check');
    made.input.checked = initial === true;
  }
  made.element.dataset.fieldKey = spec.key;
  const read = () => {
    const { input } = made;
    if (type === 'boolean') return { value: input.checked };
    if (input.validity?.badInput) return { problem: type === 'date' ? t('processTask.error.date') : t('processTask.error.number') };
    if (input.value === '') return {};
    return { value: type === 'number' || type === 'integer' ? Number(input.value) : input.value };
  };
  return { ...made, spec, read };
}

/** The bounds a field states, as a hint under its label; null when it has none. */
function hint(spec) {
  const parts = [];
  const min = typeof spec.min === 'number' ? spec.min : null;
  const max = typeof spec.max === 'number' ? spec.max : null;
  if (min !== null && max !== null) parts.push(t('processTask.hint.range', { min, max }));
  else if (min !== null) parts.push(t('processTask.hint.min', { min }));
  else if (max !== null) parts.push(t('processTask.hint.max', { max }));
  if (Number.isInteger(spec.min_length) && spec.min_length > 0) parts.push(t('processTask.hint.minLength', { min: spec.min_length }));
  if (Number.isInteger(spec.max_length)) parts.push(t('processTask.hint.maxLength', { max: spec.max_length }));
  return parts.length ? parts.join(' ') : undefined;
}

/** The server's `variables.<key>` errors beside their fields; false when none is one of the form's. */
function showErrors(error, controls, sent) {
  let first = null;
  for (const c of controls) {
    const text = error.fieldErrors?.[`variables.${c.spec.key}`];
    if (!text) continue;
    c.setError(reason(c.spec, sent[c.spec.key]) ?? text);
    first ??= c;
  }
  first?.input.focus();
  return first !== null;
}

/** Why the server refused `value` for this field, in the page's language; null when the field's rules do not tell. */
function reason(spec, value) {
  if (value === undefined || value === null) return spec.required ? t('validation.required') : null;
  switch (spec.type) {
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value)) return t('processTask.error.number');
      if (typeof spec.min === 'number' && value < spec.min) return t('processTask.error.min', { min: spec.min });
      if (typeof spec.max === 'number' && value > spec.max) return t('processTask.error.max', { max: spec.max });
      if (spec.type === 'integer' && !Number.isInteger(value)) return t('processTask.error.integer');
      return null;
    case 'text':
    case 'textarea': {
      const length = [...String(value)].length;
      if (spec.required && !String(value).trim()) return t('validation.required');
      if (Number.isInteger(spec.min_length) && length < spec.min_length) return t('processTask.error.minLength', { min: spec.min_length });
      if (Number.isInteger(spec.max_length) && length > spec.max_length) return t('processTask.error.maxLength', { max: spec.max_length });
      return spec.pattern ? t('processTask.error.pattern') : null;
    }
    case 'date': return t('processTask.error.date');
    case 'choice': return t('processTask.error.choice');
    default: return null;
  }
}

/** Whether the browser can use `pattern` as an input's pattern (an invalid one is logged as an error). */
function compiles(pattern) {
  try {
    new RegExp(pattern, 'v'); // eslint-disable-line no-new
    return true;
  } catch {
    return false;
  }
}
