// The screen pop: while someone is signed in, whatever page is open, an inbound call that starts
// ringing (rapport.call.ringing) shows a card in a corner of the window, "Incoming call from
// <customer> (<number>)" with a link to the customer, until that call is answered, ends, is
// missed, or the card is dismissed. One event stream for the call events beside the page's own;
// the cards sit in a polite live region and never take the focus. Pages hear the same call
// events through `onCallEvent` (the Customer 360 shows a call that ended on its timeline).

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { onLocaleChange, t } from '../i18n.js';
import { follow } from '../live.js';
import * as session from '../session.js';

const CALL_TYPES = ['ringing', 'answered', 'ended', 'missed', 'voicemail'].map((change) => `rapport.call.${change}`);
const FILTER = CALL_TYPES.map((type) => `type == ${JSON.stringify(type)}`).join(' || ');
const NAME_WAIT = 1500; // ms a card waits for the caller's name
const REMEMBERED = 200; // calls over (or dismissed) kept in mind, so a late event does not show them again

const listeners = new Set();

/** `fn(cloudEvent)` for each rapport.call.* event while someone is signed in; returns the way to stop. */
export function onCallEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function mountCallNotices(host) {
  const region = h('div', { class: 'call-notices', 'aria-live': 'polite', 'aria-relevant': 'additions text' });
  host.append(region);
  const shown = new Map(); // call id -> { call, name, element }
  const over = new Set();
  let stream = null;

  const forget = (id) => {
    over.add(id);
    if (over.size > REMEMBERED) over.delete(over.values().next().value);
  };

  const remove = (id) => {
    const entry = shown.get(id);
    if (!entry) return;
    shown.delete(id);
    // A card taken away under the keyboard's focus hands it to the page, not to nowhere.
    const hadFocus = entry.element.contains(document.activeElement);
    entry.element.remove();
    if (hadFocus) document.getElementById('main')?.focus();
  };

  const draw = (entry) => {
    const { call, name } = entry;
    const number = callerNumber(call);
    const text = name && name !== number ? t('call.pop.from', { name, number }) : t('call.pop.fromNumber', { number });
    const dismiss = h('button', {
      type: 'button', class: 'button button-small', 'data-action': 'dismiss-call',
      'aria-label': t('call.pop.dismissFrom', { number }),
      onclick: () => { forget(call.id); remove(call.id); },
    }, t('call.pop.dismiss'));
    replace(entry.element,
      h('p', { class: 'call-notice-title' }, text),
      h('div', { class: 'call-notice-actions' },
        h('a', { href: `#/customers/${encodeURIComponent(call.customer_id)}`, 'data-action': 'open-caller' }, t('call.pop.open')),
        dismiss));
    entry.element.setAttribute('aria-label', t('call.pop.label', { number }));
  };

  // The card comes once the customer's name is known (or after NAME_WAIT without it), so that the
  // live region announces it once, whole.
  const show = (call) => {
    const entry = { call, name: null, element: h('section', { class: 'call-notice', dataset: { callId: call.id } }) };
    shown.set(call.id, entry);
    let placed = false;
    const place = () => {
      if (placed || shown.get(call.id) !== entry) return;
      placed = true;
      draw(entry);
      region.append(entry.element);
    };
    const timer = setTimeout(place, NAME_WAIT);
    api.get(`/v1/customers/${seg(call.customer_id)}`, { signal: stream?.signal }).then((customer) => {
      if (typeof customer?.name === 'string') entry.name = customer.name;
      if (placed && shown.get(call.id) === entry) draw(entry);
    }).catch((error) => {
      if (!isAbort(error) && error.status !== 401) console.warn('call notice: customer', error);
    }).finally(() => { clearTimeout(timer); place(); });
  };

  const onEvent = (event) => {
    const call = event?.data?.call;
    if (!call || typeof call.id !== 'string' || typeof call.customer_id !== 'string') return;
    for (const fn of listeners) {
      try { fn(event); } catch (error) { console.error(error); }
    }
    if (event.type === 'rapport.call.ringing') {
      if (call.direction === 'inbound' && !shown.has(call.id) && !over.has(call.id)) show(call);
    } else {
      forget(call.id);
      remove(call.id);
    }
  };

  const stop = () => {
    stream?.abort();
    stream = null;
    for (const id of [...shown.keys()]) remove(id);
  };
  const start = () => {
    stop();
    if (!session.signedIn()) return;
    stream = new AbortController();
    // The stream's state, for whoever checks the page: 'connecting', 'live' or 'closed'.
    const onState = (state) => { region.dataset.state = state; };
    follow({ filter: FILTER, types: CALL_TYPES, signal: stream.signal, onEvent, onState }).catch((error) => console.warn('call events', error));
  };

  session.onSessionChange(start);
  // Closed before the session ends, so the stream is not refused (and retried) on its way out.
  session.beforeSignOut(stop);
  onLocaleChange(() => { for (const entry of shown.values()) draw(entry); });
  start();
}

/** The customer's number: who called for an inbound call. */
function callerNumber(call) {
  const number = call.direction === 'outbound' ? call.to : call.from;
  return typeof number === 'string' ? number : '';
}
