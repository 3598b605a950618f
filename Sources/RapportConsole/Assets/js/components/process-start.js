// The form that starts an instance of a process (views/process.js, processes:run): its variables as
// a JSON object, an optional customer id and business key; POST /v1/process-instances with an
// Idempotency-Key (the same one while the same body is sent again). The server's refusals stand
// beside the fields they name; `onStarted(instance)` with the instance as it waits.

import { api } from '../api.js';
import { h, isAbort } from '../dom.js';
import { t } from '../i18n.js';
import { field, formMessage } from './form.js';

/** Returns { element }. */
export function startForm({ processKey, signal, onStarted }) {
  const variables = field({ label: t('processes.start.variables'), name: 'variables', as: 'textarea', value: '{}',
    hint: t('processes.start.variablesHint'), attrs: { class: 'json-box', spellcheck: 'false' } });
  const customer = field({ label: t('processes.start.customer'), name: 'customer_id', hint: t('processes.start.customerHint'),
    attrs: { autocomplete: 'off', spellcheck: 'false' } });
  const businessKey = field({ label: t('processes.start.businessKey'), name: 'business_key', hint: t('processes.start.businessKeyHint'),
    attrs: { autocomplete: 'off', maxlength: '255' } });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'start-instance' }, t('processes.start.submit'));
  const form = h('form', { class: 'form start-form', novalidate: true, 'data-form': 'start-instance' },
    variables.element, h('div', { class: 'field-row' }, customer.element, businessKey.element),
    message.element, h('div', { class: 'form-actions' }, submit));
  const fields = [variables, customer, businessKey];

  let key = null;
  let lastBody = null;

  const busy = (on) => {
    submit.disabled = on;
    if (on) form.setAttribute('aria-busy', 'true');
    else form.removeAttribute('aria-busy');
  };

  /** The variables typed, or null (and the reason beside the box) when they are not a JSON object. */
  const readVariables = () => {
    const text = variables.input.value.trim();
    if (!text) return {};
    let value;
    try { value = JSON.parse(text); } catch { value = undefined; }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      variables.setError(t('processes.start.notObject'));
      variables.input.focus();
      return null;
    }
    return value;
  };

  const refused = (error, body) => {
    const errors = error.fieldErrors ?? {};
    let first = null;
    for (const f of fields) {
      if (errors[f.name]) { f.setError(t('processes.start.fieldRefused', { detail: errors[f.name] })); first ??= f; }
    }
    if (first) { first.input.focus(); return; }
    if (error.status === 404 && body.customer_id) { customer.setError(t('processes.start.noCustomer')); customer.input.focus(); return; }
    if (error.status === 403) message.show(t('processes.forbidden'));
    else if (error.status === 422 || error.status === 400) message.show(t('processes.start.refused', { detail: error.message }));
    else message.show(t('app.error'));
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    for (const f of fields) f.setError(null);
    const values = readVariables();
    if (values === null) return;
    const body = { process: processKey, variables: values };
    const customerId = customer.input.value.trim();
    const business = businessKey.input.value.trim();
    if (customerId) body.customer_id = customerId;
    if (business) body.business_key = business;
    const sent = JSON.stringify(body);
    if (sent !== lastBody) key = null;
    lastBody = sent;
    key ??= crypto.randomUUID();
    busy(true);
    try {
      const instance = await api.post('/v1/process-instances', body, { headers: { 'Idempotency-Key': key }, signal });
      key = null;
      lastBody = null;
      message.show(null);
      onStarted?.(instance);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      refused(error, body);
    } finally {
      busy(false);
    }
  });

  return { element: form };
}
