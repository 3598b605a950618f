// "Log a call": a call an agent made to the customer, with its outcome, its length in minutes and
// notes, stored as an outbound call interaction on a phone channel (POST /v1/interactions; an
// Idempotency-Key makes a retried save safe). On the Customer 360 the agent picks the phone
// channel; in a conversation on a phone channel (a missed call to call back) the call joins the
// conversation's thread.

import { api } from '../api.js';
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import * as session from '../session.js';
import { CALL_OUTCOMES } from './call-details.js';
import { field, formMessage, showFieldErrors } from './form.js';

const MAX_MINUTES = 24 * 60;

/** `phoneChannels`: the channels of kind phone; `threadId`: the conversation's thread, if any. */
export function logCallForm({ customerId, phoneChannels, threadId = null, onLogged }) {
  const titleId = uid('log-call-title');
  const heading = h('h2', { id: titleId }, t('logCall.title'));
  if (!phoneChannels.length) {
    return h('section', { class: 'card', 'aria-labelledby': titleId, 'data-form': 'log-call' }, heading,
      h('p', { class: 'empty', 'data-state': 'no-phone-channel' }, t('logCall.noChannel')));
  }
  const channel = field({
    label: t('logCall.channel'), name: 'channel_id', as: 'select', value: phoneChannels[0].id,
    options: phoneChannels.map((c) => ({ value: c.id, label: c.name })),
  });
  const outcome = field({
    label: t('logCall.outcome'), name: 'call_outcome', as: 'select', value: 'reached',
    options: CALL_OUTCOMES.map((value) => ({ value, label: t(`call.outcome.${value}`) })),
  });
  const minutes = field({
    label: t('logCall.minutes'), name: 'duration', type: 'number', hint: t('logCall.minutesHint'),
    attrs: { min: '0', max: String(MAX_MINUTES), step: 'any', inputmode: 'decimal' },
  });
  const notes = field({ label: t('logCall.notes'), name: 'body', as: 'textarea', attrs: { rows: 3 } });
  const fields = [channel, outcome, minutes, notes];
  const message = formMessage();
  const save = h('button', { type: 'submit', class: 'button button-primary' }, t('logCall.save'));
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': titleId, 'data-form': 'log-call' },
    heading, message.element,
    // One phone channel needs no choice: it is named in the hint instead.
    phoneChannels.length > 1 ? channel.element : h('p', { class: 'field-hint' }, t('logCall.on', { channel: phoneChannels[0].name })),
    outcome.element, minutes.element, notes.element,
    h('div', { class: 'form-actions' }, save));
  let key = null;
  for (const f of fields) f.input.addEventListener('input', () => { key = null; });
  for (const f of fields) f.input.addEventListener('change', () => { key = null; });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    for (const f of fields) f.setError(null);
    const typed = minutes.input.value.trim().replace(',', '.');
    const value = typed === '' ? null : Number(typed);
    // A number input holding something that is not a number reads as '' but is not empty.
    const garbled = typed === '' && minutes.input.validity?.badInput;
    if (garbled || (value !== null && !(Number.isFinite(value) && value >= 0 && value <= MAX_MINUTES))) {
      minutes.setError(t('logCall.minutesInvalid', { max: MAX_MINUTES }));
      minutes.input.focus();
      return;
    }
    key ??= crypto.randomUUID();
    const metadata = { call_outcome: outcome.input.value };
    if (value !== null) metadata.duration_seconds = Math.round(value * 60);
    const me = session.user();
    if (me?.id) metadata.agent_id = me.id;
    if (threadId) metadata.thread_id = threadId;
    const payload = {
      channel_id: phoneChannels.length > 1 ? channel.input.value : phoneChannels[0].id,
      customer_id: customerId,
      direction: 'outbound',
      kind: 'call',
      metadata,
    };
    const text = notes.input.value.trim();
    if (text) payload.body = text;
    save.disabled = true;
    try {
      await api.post('/v1/interactions', payload, { headers: { 'Idempotency-Key': key } });
      key = null;
      minutes.input.value = '';
      notes.input.value = '';
      outcome.input.value = 'reached';
      message.show(t('logCall.logged'), 'success');
      onLogged?.();
    } catch (error) {
      if (error.status === 401) return;
      // The channel is a field only when there is a choice.
      const shown = error.status === 422 && showFieldErrors(error, phoneChannels.length > 1 ? fields : fields.slice(1)) > 0;
      if (!shown) message.show(error.status === 403 ? t('app.forbidden') : t('app.error'));
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
