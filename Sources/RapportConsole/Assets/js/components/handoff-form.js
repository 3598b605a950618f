// The Customer 360's "Hand off" form (POST /v1/handoffs), loaded when the button is first pressed:
// kind, the department it goes to (chosen from the kind, required for "other"), the reason and the
// SLA in business hours (default by kind; sent as sla_minutes). The server's 422 beside the fields.
// Its messages are a part (i18n/handoff-form/), loaded with it: not in the Customer 360's first load.

import { api } from '../api.js';
import { h, isAbort } from '../dom.js';
import { loadMessages, t } from '../i18n.js';
import * as lookups from '../lookups.js';
import { field, formMessage, showFieldErrors } from './form.js';

export const KINDS = ['feedback', 'upsell_lead', 'customer_needs', 'won_deal', 'qualified_lead', 'other'];
// The department key each kind goes to, and its SLA in business hours, as the server defaults them.
const TO = { feedback: 'sales', upsell_lead: 'sales', customer_needs: 'marketing', won_deal: 'finance', qualified_lead: 'sales' };
const HOURS = { won_deal: 8, customer_needs: 16 };

/** Opens the form under `button` in `slot`, or closes it when open. */
export async function toggleHandoffForm(button, slot, customerId, signal) {
  const close = () => { slot.replaceChildren(); button.setAttribute('aria-expanded', 'false'); button.focus(); };
  if (button.getAttribute('aria-expanded') === 'true') { close(); return; }
  await loadMessages('handoff-form');
  if (signal.aborted || button.getAttribute('aria-expanded') === 'true') return;
  const form = handoffForm({ customerId, signal, onCancel: close });
  slot.replaceChildren(h('section', { class: 'card', 'aria-labelledby': 'handoff-form-title', 'data-card': 'handoff-form' },
    h('h2', { id: 'handoff-form-title' }, t('handoffs.form.title')), form.element));
  button.setAttribute('aria-expanded', 'true');
  form.focus();
}

/** The form itself (the part's messages loaded: see toggleHandoffForm). */
export function handoffForm({ customerId, signal, onSaved, onCancel }) {
  const kind = field({
    label: t('handoffs.form.kind'), name: 'kind', as: 'select', value: 'feedback',
    options: KINDS.map((k) => ({ value: k, label: t(`handoffs.kind.${k}`) })),
  });
  const to = field({ label: t('handoffs.form.to'), name: 'to_department_id', as: 'select', options: [{ value: '', label: t('handoffs.form.chooseTo') }] });
  const reason = field({ label: t('handoffs.form.reason'), name: 'reason', as: 'textarea', required: true, attrs: { rows: '3', maxlength: '4000' } });
  const sla = field({
    label: t('handoffs.form.sla'), name: 'sla_minutes', type: 'number', hint: t('handoffs.form.slaHint'), value: '4',
    attrs: { min: '1', max: '720', step: '1', inputmode: 'numeric' },
  });
  const message = formMessage();
  const save = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'handoff-submit' }, t('handoffs.handOff'));
  const form = h('form', { class: 'form handoff-form', novalidate: true, 'data-form': 'handoff' },
    message.element, kind.element, to.element, reason.element, sla.element,
    h('div', { class: 'form-actions' }, save,
      onCancel ? h('button', { type: 'button', class: 'button', 'data-action': 'handoff-close', onclick: () => onCancel() }, t('tasks.form.cancel')) : null));
  const fields = [kind, to, reason, sla];
  let byKey = new Map();
  let key = null;
  let slaTouched = false;
  sla.input.addEventListener('input', () => { slaTouched = true; });
  form.addEventListener('input', () => { key = null; });

  /** The kind's department and SLA, unless the SLA was typed. */
  const fromKind = () => {
    const target = byKey.get(TO[kind.input.value]);
    if (target) to.input.value = target.id;
    else if (kind.input.value === 'other') to.input.value = '';
    if (!slaTouched) sla.input.value = String(HOURS[kind.input.value] ?? 4);
  };
  kind.input.addEventListener('change', fromKind);
  lookups.optional(lookups.departments).then((departments) => {
    byKey = new Map([...departments.values()].map((d) => [d.key, d]));
    to.input.append(...[...departments.values()].map((d) => h('option', { value: d.id }, d.name ?? d.key)));
    fromKind();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    for (const f of fields) f.setError(null);
    const text = reason.input.value.trim();
    const hours = Number(sla.input.value);
    if (!to.input.value && kind.input.value === 'other') { to.setError(t('handoffs.form.toRequired')); to.input.focus(); return; }
    if (!text) { reason.setError(t('validation.required')); reason.input.focus(); return; }
    if (!Number.isInteger(hours) || hours < 1 || hours > 720) { sla.setError(t('handoffs.form.badSla')); sla.input.focus(); return; }
    const payload = { kind: kind.input.value, customer_id: customerId, reason: text, sla_minutes: hours * 60 };
    if (to.input.value) payload.to_department_id = to.input.value;
    key ??= crypto.randomUUID();
    save.disabled = true;
    try {
      const handoff = await api.post('/v1/handoffs', payload, { headers: { 'Idempotency-Key': key }, signal });
      key = null;
      reason.input.value = '';
      message.show(t('handoffs.form.saved'), 'success');
      onSaved?.(handoff);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      if (!(error.status === 422 && showFieldErrors(error, fields) > 0)) {
        message.show(error.status === 403 ? t('handoffs.form.forbidden') : error.status === 404 ? t('tasks.form.subjectGone')
          : error.status === 422 ? error.problem?.detail ?? t('app.error') : t('app.error'));
      }
    } finally {
      save.disabled = false;
    }
  });
  return { element: form, focus: () => kind.input.focus() };
}
