// The Customer 360's "Consent" card, shown when the marketing template keeps consent: for each
// channel (email, SMS, phone, post, push) and purpose (service, marketing, research) the customer's
// last word, when it was given, and whether a message sent there goes — the server's decision
// (GET /v1/customers/{id}/consent), the one every sender makes. "Record consent" writes a consent
// record (POST /v1/records/consent) given now: channel, purpose, granted or withdrawn, and where.
// Loaded by the Customer 360 once the server says consent is kept; its messages are a part
// (i18n/consent/), loaded with it: not in the Customer 360's first load.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { loadMessages, t, timeElement } from '../i18n.js';
import { field, formMessage } from './form.js';

const CHANNELS = ['email', 'sms', 'phone', 'post', 'push'];
const PURPOSES = ['marketing', 'research', 'service'];

/** The card for `standing` (the first answer of GET /v1/customers/{id}/consent). */
export async function consentCard(customerId, standing, { signal, canWrite }) {
  await loadMessages('consent');
  const body = h('div');
  const formSlot = h('div', { id: `consent-form-${customerId}` });
  const button = canWrite ? h('button', {
    type: 'button', class: 'button button-small', 'aria-expanded': 'false', 'aria-controls': formSlot.id, 'data-action': 'record-consent',
  }, t('consent.record')) : null;
  const card = h('section', { class: 'card', 'aria-labelledby': 'consent-title', 'data-card': 'consent' },
    h('div', { class: 'task-card-head' }, h('h2', { id: 'consent-title' }, t('consent.title')), button),
    formSlot, body);

  const draw = (answer) => replace(body, grid(answer.data ?? []),
    h('p', { class: 'small consent-legend' }, h('span', { class: 'consent-sends', 'aria-hidden': 'true' }, '✓ '), t('consent.sends'),
      ' · ', h('span', { class: 'consent-held', 'aria-hidden': 'true' }, '✕ '), t('consent.heldBack')),
    h('p', { class: 'small muted' }, t('consent.rule')));
  const reload = () => api.get(`/v1/customers/${seg(customerId)}/consent`, { signal }).then(draw).catch((error) => {
    if (isAbort(error) || error.status === 401) return;
    console.warn('consent', error);
    replace(body, h('p', { class: 'notice notice-error', role: 'alert' }, t('app.error')));
  });
  draw(standing);

  const close = () => { formSlot.replaceChildren(); button.setAttribute('aria-expanded', 'false'); button.focus(); };
  button?.addEventListener('click', () => {
    if (button.getAttribute('aria-expanded') === 'true') { close(); return; }
    const form = consentForm({ customerId, signal, onCancel: close, onSaved: () => { close(); reload(); } });
    formSlot.replaceChildren(form.element);
    button.setAttribute('aria-expanded', 'true');
    form.focus();
  });
  return card;
}

/** Channels down, purposes across; each cell the last word, its date and whether a message goes. */
function grid(standings) {
  const at = new Map(standings.map((s) => [`${s.channel}/${s.purpose}`, s]));
  return h('table', { class: 'consent-grid' },
    h('caption', { class: 'visually-hidden' }, t('consent.caption')),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('consent.channel'))),
      PURPOSES.map((p) => h('th', { scope: 'col' }, t(`consent.purpose.${p}`))))),
    h('tbody', null, CHANNELS.map((channel) => h('tr', { dataset: { channel } },
      h('th', { scope: 'row' }, t(`consent.channel.${channel}`)),
      PURPOSES.map((purpose) => cell(at.get(`${channel}/${purpose}`), purpose))))));
}

function cell(standing, purpose) {
  if (!standing) return h('td', null, '—');
  const sends = standing.sends === true;
  // The mark says what a message there meets; the word, what the customer said; the date, when.
  return h('td', { dataset: { purpose, status: standing.status, sends: String(sends) }, title: standing.reason ?? '' },
    h('span', { class: `consent-mark ${sends ? 'consent-sends' : 'consent-held'}`, 'aria-hidden': 'true' }, sends ? '✓' : '✕'), ' ',
    h('span', { class: `consent-status consent-${standing.status}` }, t(`consent.status.${standing.status}`)),
    h('span', { class: 'visually-hidden' }, ` (${t(sends ? 'consent.sends' : 'consent.heldBack')})`),
    standing.given_at ? h('span', { class: 'consent-when' }, timeElement(standing.given_at, { dateStyle: 'medium' })) : null);
}

/** "Record consent": a consent record given now. */
function consentForm({ customerId, signal, onSaved, onCancel }) {
  const channel = field({
    label: t('consent.channel'), name: 'channel', as: 'select', value: 'email',
    options: CHANNELS.map((c) => ({ value: c, label: t(`consent.channel.${c}`) })),
  });
  const purpose = field({
    label: t('consent.purpose'), name: 'purpose', as: 'select', value: 'marketing',
    options: PURPOSES.map((p) => ({ value: p, label: t(`consent.purpose.${p}`) })),
  });
  const status = field({
    label: t('consent.answer'), name: 'status', as: 'select', value: 'granted',
    options: ['granted', 'withdrawn'].map((s) => ({ value: s, label: t(`consent.answer.${s}`) })),
  });
  const source = field({ label: t('consent.source'), name: 'source', hint: t('consent.sourceHint'), attrs: { maxlength: '200' } });
  const message = formMessage();
  const save = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'consent-submit' }, t('consent.save'));
  const element = h('form', { class: 'form consent-form', novalidate: true, 'data-form': 'consent' },
    message.element, channel.element, purpose.element, status.element, source.element,
    h('div', { class: 'form-actions' }, save,
      h('button', { type: 'button', class: 'button', 'data-action': 'consent-close', onclick: () => onCancel() }, t('consent.cancel'))));
  let key = null;
  element.addEventListener('input', () => { key = null; });
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    const fields = { channel: channel.input.value, purpose: purpose.input.value, status: status.input.value, given_at: new Date().toISOString() };
    const where = source.input.value.trim();
    if (where) fields.source = where;
    key ??= crypto.randomUUID();
    save.disabled = true;
    try {
      await api.post('/v1/records/consent', { customer_id: customerId, fields }, { headers: { 'Idempotency-Key': key }, signal });
      key = null;
      onSaved?.();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      // The server's words, as text.
      message.show(error.status === 403 ? t('app.forbidden') : (error.problem?.detail || t('app.error')));
    } finally {
      save.disabled = false;
    }
  });
  return { element, focus: () => channel.input.focus() };
}
