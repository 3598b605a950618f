// #/customers/{id}[?note=not_…]: the Customer 360 — profile with provenance, identities, duplicate
// suggestions, merge history with undo, conversations, meetings (scheduled, moved and cancelled
// here, with each attendee's answer), "Log a call", "Hand off" (handoff-form.js), the customer's
// open tasks (with "New task"), consent per channel and purpose (consent-card.js, where the marketing
// template keeps it), pinned notes, the note composer, Follow, and the timeline across channels with internal notes
// mixed in (colleagues' notes arrive live, rapport.note.* events). `?note=` (a notification's
// link) brings that note into view.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { t } from '../i18n.js';
import * as lookups from '../lookups.js';
import { follow } from '../live.js';
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
import { activityCard } from '../components/activity.js';
import { timelineCard } from '../components/timeline.js';
import { followButton, noteBoard, noteComposerCard, pinnedNotes } from '../components/notes.js';
import { tasksCard } from '../components/tasks-card.js';

export default async function render({ container, params, query, signal, setTitle }) {
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
  const [channels, users, departments] = await Promise.all([
    lookups.optional(lookups.channels), lookups.optional(lookups.users), lookups.optional(lookups.departments)]);
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
  let activity = null;
  // A viewer reads; the others log the calls they make, schedule meetings and write notes.
  const canWrite = session.user()?.role !== 'viewer';
  const board = noteBoard({ me: session.user(), users, departments, canWrite });

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
    const own = timelineController.signal;
    // A server without notes has no activity route: its interactions alone, as before.
    const onUnavailable = () => { if (!own.aborted) timelineSlot = swap(timelineSlot, timelineCard(customer.id, { channels, users, signal: own })); };
    activity = activityCard(customer.id, { channels, users, board, signal: own, onUnavailable });
    timelineSlot = swap(timelineSlot, activity.element);
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
  if (hasRoute('/tasks')) side.append(tasksCard(customer.id, { me: session.user(), signal, canWrite }));
  // Consent, where the marketing template keeps it: the card and its messages load only then.
  const consentSlot = h('div');
  side.append(consentSlot);
  api.get(`/v1/customers/${seg(customer.id)}/consent`, { signal })
    .then((standing) => standing?.kept && import('../components/consent-card.js').then((m) => m.consentCard(customer.id, standing, { signal, canWrite })))
    .then((card) => { if (card && !signal.aborted) consentSlot.replaceWith(card); })
    .catch((error) => { if (!isAbort(error) && ![401, 403, 404].includes(error.status)) console.warn('consent', error); });
  side.append(duplicatesCard(customer.id, { signal, onChanged: refresh }), merges.element);
  const following = followButton({ customerId: customer.id, signal });
  badges.after(following.element);
  if (canWrite && hasRoute('/handoffs')) {
    const slot = h('div', { id: 'handoff-slot' });
    const open = h('button', { type: 'button', class: 'button button-small', 'aria-expanded': 'false', 'aria-controls': slot.id, 'data-action': 'hand-off',
      onclick: () => import('../components/handoff-form.js').then((m) => m.toggleHandoffForm(open, slot, customer.id, signal)).catch((e) => console.warn('handoff form', e)) }, t('handoffs.handOff'));
    following.element.after(open);
    notice.after(slot);
  }
  if (canWrite) {
    mainColumn.prepend(noteComposerCard({
      board, customerId: customer.id, signal,
      onSaved: (note) => { activity?.addNote(note); following.refresh(); if (note.pinned) pinned.reload(); },
    }).element);
    const phoneChannels = [...channels.values()].filter((c) => c.kind === 'phone');
    mainColumn.prepend(logCallForm({ customerId: customer.id, phoneChannels, onLogged: drawTimeline }));
  }
  mainColumn.prepend(meetingsCard({ customer: () => customer, channels, users, signal, canWrite, onChanged: drawTimeline }));
  mainColumn.prepend(conversationsCard(customer.id, { channels, signal, linkToInbox: hasRoute('/inbox') }));
  const pinned = pinnedNotes(customer.id, { board, signal });
  mainColumn.prepend(pinned.element);
  const wanted = query?.get('note');
  if (wanted) showNote(wanted, () => activity, signal);

  // Notes colleagues write, change or delete meanwhile show without a reload. The event may leave
  // a private note's text out: the note is read again (a 404 means this user may not see it).
  const onNoteEvent = async (event) => {
    const id = event?.data?.note?.id;
    if (event.subject !== customer.id || typeof id !== 'string') return;
    if (event.type === 'rapport.note.deleted') { if (board.shows(id)) board.deleted({ id }); return; }
    let note;
    try {
      note = await api.get(`/v1/notes/${seg(id)}`, { signal });
    } catch (error) {
      if (!isAbort(error) && error.status !== 404 && error.status !== 401) console.warn('note event', error);
      return;
    }
    if (board.shows(id)) {
      board.updated(note); // a newer version: drawn again, and the pinned strip asks again
      return;
    }
    if (event.type === 'rapport.note.created') activity?.addNote(note);
    if (note.pinned) pinned.reload();
  };
  follow({
    filter: `(${NOTE_EVENTS.map((type) => `type == ${JSON.stringify(type)}`).join(' || ')}) && subject == ${JSON.stringify(customer.id)}`,
    types: NOTE_EVENTS, signal, onEvent: onNoteEvent,
  }).catch((error) => console.warn('note events', error));

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
const NOTE_EVENTS = ['created', 'updated', 'deleted'].map((change) => `rapport.note.${change}`);

/** Brings the note a link names into view and gives it the focus (it is loaded page by page if need be). */
async function showNote(noteId, activity, signal) {
  const found = await activity()?.find(noteId);
  if (signal.aborted) return;
  if (!found) {
    console.warn('note not on the timeline', noteId);
    return;
  }
  found.classList.add('note-target');
  found.scrollIntoView({ block: 'center' });
  found.focus({ preventScroll: true });
}

function fetchCustomer(id, signal) {
  return api.get(`/v1/customers/${seg(id)}`, { query: { include: 'provenance' }, signal });
}

function swap(old, next) {
  old.replaceWith(next);
  return next;
}
