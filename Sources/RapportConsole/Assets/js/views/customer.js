// #/customers/{id}: the Customer 360 — profile with provenance, identities, duplicate
// suggestions, merge history with undo, conversations, meetings (scheduled, moved and cancelled
// here, with each attendee's answer), "Log a call" and the timeline across channels.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { t } from '../i18n.js';
import * as lookups from '../lookups.js';
import { hasRoute } from '../router.js';
import * as session from '../session.js';
import { onCallEvent } from '../components/call-notices.js';
import { conversationsCard } from '../components/customer-conversations.js';
import { customerProfile } from '../components/customer-profile.js';
import { duplicatesCard } from '../components/duplicates.js';
import { identitiesCard } from '../components/identities.js';
import { logCallForm } from '../components/log-call-form.js';
import { meetingsCard } from '../components/meetings.js';
import { mergeHistoryCard } from '../components/merge-history.js';
import { timelineCard } from '../components/timeline.js';

export default async function render({ container, params, signal, setTitle }) {
  const id = params.id;
  setTitle(t('customer.title'));
  const heading = h('h1', { tabindex: '-1' }, t('app.loading'));
  const badges = h('div', { class: 'header-badges' });
  const notice = h('div');
  const side = h('div', { class: 'c360-side' });
  const mainColumn = h('div', { class: 'c360-main' });
  container.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/customers' }, t('customer.back'))),
    h('div', { class: 'page-header' }, heading, badges),
    notice,
    h('div', { class: 'c360' }, side, mainColumn));

  // The record is asked for at once, beside the lookups its display uses.
  const asked = fetchCustomer(id, signal);
  asked.catch(() => {});
  const [channels, users] = await Promise.all([lookups.optional(lookups.channels), lookups.optional(lookups.users)]);
  const refs = { channels, users };

  let customer;
  try {
    customer = await asked;
  } catch (error) {
    if (isAbort(error) || error.status === 401) return;
    heading.textContent = t('customer.title');
    replace(notice, h('div', { class: 'notice notice-error', role: 'alert' }, error.status === 404 ? t('customer.notFound') : t('app.error')));
    return;
  }
  if (customer.id !== id) {
    // An absorbed customer redirects to its survivor: show the survivor's address.
    history.replaceState(null, '', `#/customers/${encodeURIComponent(customer.id)}`);
    replace(notice, h('p', { class: 'notice notice-info', role: 'status' }, t('customer.mergedInto')));
  }

  let profileSlot = h('div');
  let identitySlot = h('div');
  let timelineSlot = h('div');
  let timelineController = null;

  const drawRecord = (record) => {
    heading.textContent = record.name;
    setTitle(record.name);
    replace(badges,
      h('span', { class: 'badge' }, t(`customer.kind.${record.kind}`)),
      record.lifecycle_stage ? h('span', { class: 'badge badge-open' }, t(`lifecycle.${record.lifecycle_stage}`)) : null);
    profileSlot = swap(profileSlot, customerProfile(record, refs));
    identitySlot = swap(identitySlot, identitiesCard(record, refs));
  };
  const drawTimeline = () => {
    timelineController?.abort();
    timelineController = new AbortController();
    signal.addEventListener('abort', () => timelineController.abort(), { once: true });
    timelineSlot = swap(timelineSlot, timelineCard(customer.id, { channels, users, signal: timelineController.signal }));
  };

  let merges = null;
  const refresh = async () => {
    try {
      customer = await fetchCustomer(customer.id, signal);
      drawRecord(customer);
      drawTimeline();
      merges?.reload();
    } catch (error) {
      if (!isAbort(error) && error.status !== 401) console.warn('refresh', error);
    }
  };
  // The timeline, the largest read, is asked for first; the profile is drawn while it travels.
  side.append(profileSlot, identitySlot);
  mainColumn.append(timelineSlot);
  drawTimeline();
  drawRecord(customer);
  merges = mergeHistoryCard(customer.id, { signal, users, onChanged: refresh });
  side.append(duplicatesCard(customer.id, { signal, onChanged: refresh }), merges.element);
  // A viewer reads; the others log the calls they make and schedule meetings.
  const canWrite = session.user()?.role !== 'viewer';
  if (canWrite) {
    const phoneChannels = [...channels.values()].filter((c) => c.kind === 'phone');
    mainColumn.prepend(logCallForm({ customerId: customer.id, phoneChannels, onLogged: drawTimeline }));
  }
  mainColumn.prepend(meetingsCard({ customer: () => customer, channels, users, signal, canWrite, onChanged: drawTimeline }));
  mainColumn.prepend(conversationsCard(customer.id, { channels, signal, linkToInbox: hasRoute('/inbox') }));

  // A call of this customer that ends becomes an interaction (written before the event): shown.
  let pending = null;
  const stop = onCallEvent((event) => {
    if (event.subject !== customer.id || !ENDED_CALLS.has(event.type)) return;
    clearTimeout(pending);
    pending = setTimeout(drawTimeline, 200);
  });
  signal.addEventListener('abort', () => { stop(); clearTimeout(pending); }, { once: true });
}

const ENDED_CALLS = new Set(['rapport.call.ended', 'rapport.call.missed', 'rapport.call.voicemail']);

function fetchCustomer(id, signal) {
  return api.get(`/v1/customers/${seg(id)}`, { query: { include: 'provenance' }, signal });
}

function swap(old, next) {
  old.replaceWith(next);
  return next;
}
