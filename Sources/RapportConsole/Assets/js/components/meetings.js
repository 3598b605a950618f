// The Customer 360's Meetings card: the customer's meetings (GET /v1/customers/{id}/meetings),
// upcoming first (soonest first), then past (latest first) — title, time on the meeting's clocks
// in the viewer's language with its zone named, place, repetition in words, cancelled — and each
// attendee (a colleague by name, the customer, anyone else by address) with their answer as a
// badge. It follows the customer's rapport.meeting.* events, so answers mailed back, and changes
// made elsewhere, show without a reload (answers are announced in a polite live region).
// "Schedule a meeting" reveals the form; each upcoming meeting can be moved or cancelled (after a
// confirmation). Whatever the customer or an attendee wrote is text.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t } from '../i18n.js';
import { follow } from '../live.js';
import { invitationChannels, rescheduleForm, scheduleForm } from './meeting-form.js';
import { describeRecurrence, lastEnd, meetingWhen } from './meeting-time.js';

export const MEETING_EVENT_TYPES = ['scheduled', 'updated', 'cancelled', 'answered'].map((change) => `rapport.meeting.${change}`);
const ANSWERS = ['accepted', 'declined', 'tentative', 'needs_action', 'delegated'];
const LIMIT = 100;

/**
 * `customer()` gives the customer as last loaded; `channels` and `users` are the lookups (id ->
 * record); `canWrite`: the viewer may schedule, move and cancel; `onChanged()` after this page
 * scheduled one (the timeline shows it).
 */
export function meetingsCard({ customer, channels, users, signal, canWrite, onChanged }) {
  const titleId = uid('meetings-title');
  const meetings = new Map(); // id -> meeting
  const body = h('div', { class: 'meetings-body' }, h('p', { class: 'muted' }, t('app.loading')));
  // Announcements: what this page did, and answers that come in.
  const status = h('p', { class: 'meetings-status', role: 'status', 'aria-live': 'polite' });
  const heading = h('h2', { id: titleId }, t('meetings.title'));
  const card = h('section', { class: 'card meetings', 'aria-labelledby': titleId, 'data-card': 'meetings' }, heading, status);
  const senders = invitationChannels(channels);
  let formSlot = null;
  let toggle = null;
  let form = null;
  const opened = new Map(); // meeting id -> the open reschedule form's { element, focus }

  const announce = (text) => {
    status.textContent = '';
    // A fresh text node after a moment, so that the same message said twice is said again.
    setTimeout(() => { status.textContent = text; }, 50);
  };

  if (canWrite) {
    formSlot = h('div', { class: 'meeting-form-slot', id: uid('meeting-form'), hidden: true });
    toggle = h('button', { type: 'button', class: 'button', 'aria-expanded': 'false', 'aria-controls': formSlot.id, 'data-action': 'schedule-meeting' },
      t('meetings.schedule'));
    const setOpen = (open, focusToggle = false) => {
      if (open && !form) {
        form = scheduleForm({
          customer, channels: senders, users,
          onScheduled: (meeting) => {
            upsert(meeting);
            setOpen(false);
            announce(t('meetings.scheduled', { title: meeting.summary }));
            focusMeeting(meeting.id);
            onChanged?.();
          },
          onClose: () => setOpen(false, true),
        });
        formSlot.append(form.element);
      }
      formSlot.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      if (open) form.focus();
      else if (focusToggle) toggle.focus();
    };
    if (senders.length) {
      toggle.addEventListener('click', () => setOpen(formSlot.hidden));
      card.append(h('div', { class: 'meetings-actions' }, toggle), formSlot);
    } else {
      card.append(h('p', { class: 'muted small', 'data-state': 'no-email-channel' }, t('meetings.noChannel')));
    }
  }
  card.append(body);

  const upsert = (meeting) => {
    if (!meeting || typeof meeting.id !== 'string') return;
    const known = meetings.get(meeting.id);
    // Events and answers can cross: an older version never replaces a newer one.
    if (known && Date.parse(known.updated_at) > Date.parse(meeting.updated_at)) return;
    meetings.set(meeting.id, meeting);
    draw();
  };

  const draw = () => {
    const now = Date.now();
    const all = [...meetings.values()];
    const upcoming = all.filter((m) => lastEnd(m) > now).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    const past = all.filter((m) => lastEnd(m) <= now).sort((a, b) => Date.parse(b.start) - Date.parse(a.start));
    // The focus stays where it was: on an input of a reschedule form (the same element, drawn
    // again), else on the same button or meeting drawn anew.
    const focused = document.activeElement;
    const where = focused && body.contains(focused)
      ? { id: focused.closest('[data-meeting-id]')?.dataset.meetingId ?? null, action: focused.dataset?.action ?? null } : null;
    replace(body,
      !all.length ? h('p', { class: 'empty' }, t('meetings.empty')) : null,
      upcoming.length ? group('upcoming', upcoming, true) : null,
      past.length ? group('past', past, false) : null);
    if (where && focused.isConnected) focused.focus();
    else if (where?.id && where.action) focusAction(where.id, where.action);
    else if (where?.id) focusMeeting(where.id);
  };

  const group = (kind, items, actions) => {
    const id = uid(`meetings-${kind}`);
    return h('div', { class: 'meetings-group', 'data-group': kind },
      h('h3', { id }, t(`meetings.${kind}`)),
      h('ul', { class: 'plain-list meeting-list', 'aria-labelledby': id }, items.map((m) => item(m, actions))));
  };

  const item = (meeting, upcoming) => {
    const cancelled = meeting.status === 'cancelled';
    const when = meetingWhen(meeting);
    const repeats = meeting.recurrence ? describeRecurrence(meeting.recurrence, meeting.time_zone) : null;
    const organizer = meeting.organizer_user_id ? users?.get(meeting.organizer_user_id)?.name : null;
    const channel = channels?.get(meeting.channel_id);
    const li = h('li', { class: ['meeting', cancelled ? 'meeting-cancelled' : null], tabindex: '-1', dataset: { meetingId: meeting.id, status: meeting.status } },
      h('div', { class: 'conv-line' },
        h('span', { class: 'meeting-title' }, meeting.summary),
        cancelled ? h('span', { class: 'badge badge-cancelled', 'data-field': 'status' }, t('meetings.cancelled')) : null),
      h('p', { class: 'meeting-when', 'data-field': 'when' },
        h('time', { datetime: meeting.start }, when.range), ' ', h('span', { class: 'muted' }, t('meetings.inZone', { zone: when.zone }))),
      when.local ? h('p', { class: 'meeting-local muted small' }, t('meetings.yourTime', { range: when.local })) : null,
      repeats ? h('p', { class: 'meeting-repeat small', 'data-field': 'recurrence' }, t('meetings.repeats', { rule: repeats })) : null,
      meeting.location ? h('p', { class: 'meeting-location small', 'data-field': 'location' }, t('meetings.where', { location: meeting.location })) : null,
      meeting.description ? h('p', { class: 'meeting-description small' }, meeting.description) : null,
      organizer || channel ? h('p', { class: 'conv-meta' },
        [organizer ? t('meetings.organizedBy', { name: organizer }) : null, channel ? t('meetings.sentFrom', { channel: channel.name }) : null]
          .filter(Boolean).join(' · ')) : null,
      attendeeList(meeting),
      upcoming && !cancelled && canWrite ? actionsFor(meeting) : null);
    const open = opened.get(meeting.id);
    if (open && upcoming && !cancelled && canWrite) li.append(open.element);
    return li;
  };

  const attendeeList = (meeting) => {
    const who = customer();
    const customerEmails = new Set((who?.identities ?? []).filter((v) => typeof v === 'string' && v.startsWith('email:')).map((v) => v.slice(6).toLowerCase()));
    const byEmail = new Map([...(users?.values() ?? [])].filter((u) => u.email).map((u) => [String(u.email).toLowerCase(), u]));
    const listId = uid('attendees');
    return h('div', { class: 'meeting-attendees' },
      h('p', { id: listId, class: 'visually-hidden' }, t('meetings.attendees')),
      h('ul', { class: 'attendee-list', 'aria-labelledby': listId }, (meeting.attendees ?? []).map((a) => {
        const address = String(a.address ?? '').toLowerCase();
        const user = byEmail.get(address);
        const isCustomer = !user && customerEmails.has(address);
        const name = user ? user.name : isCustomer ? who.name : a.name || null;
        const role = user ? t('meetings.attendee.colleague') : isCustomer ? t('meetings.attendee.customer') : null;
        const answer = ANSWERS.includes(a.answer) ? a.answer : 'needs_action';
        return h('li', { class: 'attendee', dataset: { address, answer, who: user ? 'user' : isCustomer ? 'customer' : 'other' } },
          h('span', { class: 'attendee-name' }, name ?? a.address),
          name ? h('span', { class: 'attendee-address muted small' }, ` <${a.address}>`) : null,
          role ? h('span', { class: 'attendee-role muted small' }, ` (${role})`) : null,
          a.required === false ? h('span', { class: 'attendee-role muted small' }, ` (${t('meetings.attendee.optional')})`) : null,
          ' ',
          h('span', { class: `badge badge-answer-${answer}`, 'data-field': 'answer' }, t(`meetings.answer.${answer}`)));
      })));
  };

  const actionsFor = (meeting) => {
    const move = h('button', { type: 'button', class: 'button button-small', 'data-action': 'reschedule', 'aria-expanded': String(opened.has(meeting.id)) },
      t('meetings.reschedule'), h('span', { class: 'visually-hidden' }, `: ${meeting.summary}`));
    const cancel = h('button', { type: 'button', class: 'button button-small button-danger', 'data-action': 'cancel-meeting' },
      t('meetings.cancel'), h('span', { class: 'visually-hidden' }, `: ${meeting.summary}`));
    const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
    move.addEventListener('click', () => {
      if (opened.has(meeting.id)) {
        opened.delete(meeting.id);
        draw();
        focusAction(meeting.id, 'reschedule');
        return;
      }
      const formView = rescheduleForm(meeting, {
        onSaved: (saved) => {
          opened.delete(meeting.id);
          upsert(saved);
          draw();
          announce(t('meetings.rescheduled', { title: saved.summary }));
          focusMeeting(saved.id);
        },
        onClose: () => {
          opened.delete(meeting.id);
          draw();
          focusAction(meeting.id, 'reschedule');
        },
      });
      opened.set(meeting.id, formView);
      draw();
      formView.focus();
    });
    cancel.addEventListener('click', async () => {
      if (!window.confirm(t('meetings.confirmCancel', { title: meeting.summary }))) return;
      cancel.disabled = true;
      problem.hidden = true;
      try {
        const saved = await api.post(`/v1/meetings/${seg(meeting.id)}/cancel`, {});
        opened.delete(meeting.id);
        upsert(saved);
        announce(t('meetings.cancelledDone', { title: saved.summary }));
        focusMeeting(saved.id);
      } catch (error) {
        cancel.disabled = false;
        if (error.status === 401) return;
        problem.textContent = error.status === 403 ? t('app.forbidden') : error.status === 404 ? t('meetings.gone') : t('app.error');
        problem.hidden = false;
      }
    });
    return h('div', { class: 'meeting-actions' }, h('div', { class: 'form-actions' }, move, cancel), problem);
  };

  const focusMeeting = (id) => {
    body.querySelector(`[data-meeting-id="${CSS.escape(id)}"]`)?.focus();
  };
  const focusAction = (id, action) => {
    body.querySelector(`[data-meeting-id="${CSS.escape(id)}"] [data-action="${action}"]`)?.focus();
  };

  const load = async () => {
    try {
      const page = await api.get(`/v1/customers/${seg(customer().id)}/meetings`, { query: { limit: LIMIT }, signal });
      for (const meeting of page?.data ?? []) {
        const known = meetings.get(meeting.id);
        if (!known || Date.parse(known.updated_at) <= Date.parse(meeting.updated_at)) meetings.set(meeting.id, meeting);
      }
      draw();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(body, h('p', { class: 'notice notice-error' }, error.status === 403 ? t('app.forbidden') : t('app.error')));
    }
  };

  // Answers mailed back and changes made elsewhere, for this customer only.
  const onEvent = async (event) => {
    const data = event?.data?.meeting;
    if (!data || typeof data !== 'object') return;
    if (event.type === 'rapport.meeting.answered') {
      if (typeof data.meeting_id !== 'string') return;
      try {
        const meeting = await api.get(`/v1/meetings/${seg(data.meeting_id)}`, { signal });
        upsert(meeting);
        if (!data.occurrence && ANSWERS.includes(data.answer)) {
          const who = (meeting.attendees ?? []).find((a) => String(a.address).toLowerCase() === String(data.attendee).toLowerCase());
          announce(t('meetings.answered', { who: nameOf(who, data.attendee), answer: t(`meetings.answer.${data.answer}`), title: meeting.summary }));
        }
      } catch (error) {
        if (!isAbort(error) && error.status !== 401) console.warn('meeting', error);
      }
      return;
    }
    upsert(data);
  };
  const nameOf = (attendee, address) => {
    const lower = String(address ?? '').toLowerCase();
    const user = [...(users?.values() ?? [])].find((u) => String(u.email ?? '').toLowerCase() === lower);
    return user?.name ?? attendee?.name ?? address;
  };
  const types = MEETING_EVENT_TYPES.map((type) => `type == ${JSON.stringify(type)}`).join(' || ');
  follow({ filter: `(${types}) && subject == ${JSON.stringify(customer().id)}`, types: MEETING_EVENT_TYPES, signal, onEvent })
    .catch((error) => console.warn('meeting events', error));
  load();
  return card;
}

