// One interaction as the timeline and the conversation view show it. Subject and body are text.
// An email also shows its sender, what Rapport noticed about it (automatic reply, bounce, a
// message kept as received because it was broken), its attachments as downloads, and, on
// request, the quoted history its mail program added under the new text. An email Rapport sent
// shows its recipients and how its delivery stands (fetched when it is drawn, kept current by
// `applyMailEvent` for the rapport.mail.* events a page follows), with "Send again" when the
// relay refused it or its answer never came. A call shows what call-details.js draws.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { formatDateTime, t, timeElement } from '../i18n.js';
import { callContent } from './call-details.js';
import { sizeText } from './file-input.js';
import { meetingWhen } from './meeting-time.js';

export function interactionHead(interaction, channels) {
  const channel = channels?.get(interaction.channel_id);
  return h('div', { class: 'item-head' },
    h('span', { class: `badge badge-${interaction.direction}` }, t(`direction.${interaction.direction}`)),
    h('span', null, t(`interaction.kind.${interaction.kind}`)),
    h('span', null, channel ? `${channel.name} · ${t(`channel.kind.${channel.kind}`)}` : interaction.channel_id),
    timeElement(interaction.occurred_at));
}

/** `refs.users` (id -> user) names the agent of a call. */
export function interactionContent(interaction, refs = {}) {
  if (interaction.kind === 'call') return callContent(interaction, refs);
  const mail = interaction.kind === 'email' ? mailParts(interaction) : [];
  return [
    interaction.subject ? h('p', { class: 'item-subject' }, interaction.subject) : null,
    ...mail.slice(0, 4),
    interaction.body ? h('p', { class: 'item-body' }, interaction.body) : null,
    ...mail.slice(4),
    interaction.kind === 'email' ? null : chatFiles(interaction),
    interaction.kind === 'meeting' ? meetingParts(interaction) : null,
  ];
}

/** When and where a meeting is (in its own time zone), and how many are invited. */
function meetingParts(interaction) {
  const meta = interaction.metadata || {};
  if (typeof meta.start !== 'string' || typeof meta.end !== 'string') return null;
  const when = meetingWhen({ start: meta.start, end: meta.end, time_zone: meta.time_zone });
  const invited = Array.isArray(meta.attendees) ? meta.attendees.length : 0;
  return h('p', { class: 'meeting-when muted' },
    `${when.range} (${when.zone})`,
    typeof meta.location === 'string' && meta.location ? [' · ', t('meetings.where', { location: meta.location })] : null,
    invited ? [' · ', t('timeline.meetingInvited', { count: invited })] : null);
}

/** The files sent with a chat message, as downloads. */
function chatFiles(interaction) {
  const files = Array.isArray(interaction.metadata?.attachments)
    ? interaction.metadata.attachments.filter((a) => a && typeof a.id === 'string') : [];
  if (!files.length) return null;
  return h('ul', { class: 'mail-attachments', 'aria-label': t('mail.attachments') }, files.map((a) => h('li', null,
    h('a', { href: `/v1/interactions/${seg(interaction.id)}/files/${seg(a.id)}`, download: a.filename || '' },
      `${a.filename || t('mail.attachment.unnamed')} (${t('mail.attachment.size', { size: sizeText(a.size) })})`))));
}

const FLAGS = ['auto_reply', 'bounce', 'delayed', 'malformed', 'charset_guessed'];

/** [sender line, recipients, flags, delivery, attachments, quoted-history control] for an email's metadata. */
function mailParts(interaction) {
  const meta = interaction.metadata || {};
  const mailId = typeof meta.mail_message_id === 'string' ? meta.mail_message_id : null;
  const from = typeof meta.from === 'string' ? meta.from : null;
  const name = typeof meta.from_name === 'string' ? meta.from_name : null;
  const sender = from
    ? h('p', { class: 'mail-from' }, t('mail.from', { sender: name ? `${name} <${from}>` : from }))
    : null;
  const flags = (Array.isArray(meta.flags) ? meta.flags : []).filter((flag) => FLAGS.includes(flag));
  const badges = flags.length
    ? h('p', { class: 'mail-flags' }, flags.map((flag) => h('span', { class: `badge badge-flag-${flag}`, title: t(`mail.flag.${flag}.about`) },
      t(`mail.flag.${flag}`))))
    : null;
  const attachments = Array.isArray(meta.attachments) ? meta.attachments.filter((a) => a && typeof a.id === 'string') : [];
  const files = mailId && attachments.length
    ? h('ul', { class: 'mail-attachments', 'aria-label': t('mail.attachments') }, attachments.map((a) => h('li', null,
      a.stored === false
        ? h('span', { title: t('mail.attachment.notKept') }, `${a.filename || t('mail.attachment.unnamed')} (${t('mail.attachment.size', { size: sizeText(a.size) })}, ${t('mail.attachment.notKept')})`)
        : h('a', { href: `/v1/mail-messages/${seg(mailId)}/attachments/${seg(a.id)}`, download: a.filename || '' },
          `${a.filename || t('mail.attachment.unnamed')} (${t('mail.attachment.size', { size: sizeText(a.size) })})`))))
    : null;
  const more = mailId ? quotedHistory(mailId) : null;
  const outbound = interaction.direction === 'outbound';
  const recipients = outbound ? recipientsLine(meta) : null;
  const delivery = outbound && mailId ? deliveryStatus(mailId) : null;
  return [sender, recipients, badges, delivery, files, more];
}

/** A button that fetches the message and shows the quoted history and signature as text, and a link to the original. */
function quotedHistory(mailId) {
  const box = h('div', { class: 'mail-quoted', hidden: true });
  let loaded = false;
  const button = h('button', { type: 'button', class: 'link-like', 'aria-expanded': 'false' }, t('mail.showQuoted'));
  button.addEventListener('click', async () => {
    const open = button.getAttribute('aria-expanded') === 'true';
    button.setAttribute('aria-expanded', String(!open));
    button.textContent = t(open ? 'mail.showQuoted' : 'mail.hideQuoted');
    box.hidden = open;
    if (open || loaded) return;
    loaded = true;
    replace(box, h('p', { class: 'muted' }, t('app.loading')));
    try {
      const message = await api.get(`/v1/mail-messages/${seg(mailId)}`);
      replace(box,
        message.quoted ? h('pre', { class: 'mail-quote' }, message.quoted) : h('p', { class: 'muted' }, t('mail.noQuoted')),
        message.signature ? h('pre', { class: 'mail-signature' }, message.signature) : null,
        h('a', { href: `/v1/mail-messages/${seg(mailId)}/raw`, download: `${mailId}.eml` }, t('mail.original')));
    } catch (error) {
      if (isAbort(error)) return;
      loaded = false;
      replace(box, h('p', { class: 'error', role: 'alert' }, error.message));
    }
  });
  return h('div', { class: 'mail-more' }, button, box);
}

/** "To a@x.example · Cc b@y.example", from the metadata's address lists. */
function recipientsLine(meta) {
  const list = (value) => (Array.isArray(value) ? value.filter((a) => typeof a === 'string' && a) : []);
  const to = list(meta.to);
  const cc = list(meta.cc);
  if (!to.length && !cc.length) return null;
  return h('p', { class: 'mail-to' },
    to.length ? t('mail.to', { recipients: to.join(', ') }) : null,
    to.length && cc.length ? ' · ' : null,
    cc.length ? t('mail.cc', { recipients: cc.join(', ') }) : null);
}

export const MAIL_EVENT_TYPES = ['queued', 'sent', 'deferred', 'bounced', 'failed', 'unconfirmed'].map((change) => `rapport.mail.${change}`);
const DELIVERY_STATUSES = new Set(['queued', 'deferred', 'sent', 'bounced', 'failed', 'unconfirmed']);
const RESENDABLE = new Set(['unconfirmed', 'failed', 'bounced']);
const POLL_DELAYS = [1000, 2000, 4000, 8000, 16000]; // while queued, when no event says otherwise

const shown = new Map(); // mail id -> Set of delivery views on the page
const fetching = new Map(); // mail id -> the GET in flight

/** Takes a rapport.mail.* event (data.mail = {id, delivery, ...}) to the views of that message. */
export function applyMailEvent(event) {
  const mail = event?.data?.mail;
  if (mail && typeof mail.id === 'string' && mail.delivery) publish(mail.id, mail.delivery);
}

function publish(mailId, delivery) {
  const views = shown.get(mailId);
  if (!views) return;
  for (const view of views) {
    if (view.element.isConnected) view.show(delivery);
    else if (view.drawn) views.delete(view);
  }
  if (!views.size) shown.delete(mailId);
}

/** Forgets the views of earlier pages (drawn, then taken out of the document). */
function sweep() {
  for (const [mailId, views] of shown) {
    for (const view of views) if (view.drawn && !view.element.isConnected) views.delete(view);
    if (!views.size) shown.delete(mailId);
  }
}

function fetchDelivery(mailId) {
  if (!fetching.has(mailId)) {
    const promise = api.get(`/v1/mail-messages/${seg(mailId)}`).then((record) => record?.delivery ?? null)
      .finally(() => fetching.delete(mailId));
    fetching.set(mailId, promise);
  }
  return fetching.get(mailId);
}

/** The delivery badge of a message Rapport sent, its relay's last answer, and "Send again". */
function deliveryStatus(mailId) {
  const badge = h('span', { class: 'badge' }, t('app.loading'));
  const note = h('span', { class: 'mail-delivery-note small muted', hidden: true });
  const again = h('button', { type: 'button', class: 'button button-small', hidden: true, dataset: { action: 'resend' } }, t('delivery.resend'));
  const problem = h('span', { class: 'field-error', role: 'alert', hidden: true });
  // Announces the changes after the first answer (a live region added already filled says nothing).
  const live = h('span', { class: 'mail-delivery-status' }, badge, ' ', note);
  const element = h('div', { class: 'mail-delivery', dataset: { mailId } }, h('span', { class: 'visually-hidden' }, t('delivery.label')), ' ', live, ' ', again, problem);
  const view = { element, drawn: false, current: null };
  let polls = 0;
  let timer = null;

  view.show = (delivery) => {
    if (!delivery || !DELIVERY_STATUSES.has(delivery.status)) return;
    // Events and answers can cross: an older state never replaces a newer one.
    if (view.current && Date.parse(delivery.updated_at) < Date.parse(view.current.updated_at)) return;
    view.current = delivery;
    const status = delivery.status;
    element.dataset.status = status;
    badge.className = `badge badge-delivery-${status}`;
    badge.textContent = t(`delivery.status.${status}`);
    badge.title = t(`delivery.status.${status}.about`);
    const noteText = [
      status === 'deferred' && delivery.next_attempt_at ? t('delivery.nextAttempt', { time: formatDateTime(delivery.next_attempt_at) }) : null,
      status === 'sent' && delivery.sent_at ? t('delivery.sentAt', { time: formatDateTime(delivery.sent_at) }) : null,
      typeof delivery.note === 'string' && delivery.note && status !== 'sent' ? t('delivery.note', { note: delivery.note }) : null,
    ].filter(Boolean).join(' · ');
    note.textContent = noteText;
    note.hidden = !noteText;
    if (typeof delivery.note === 'string' && delivery.note) badge.title = `${badge.title} — ${delivery.note}`;
    again.hidden = !RESENDABLE.has(status);
    if (!view.drawn) { view.drawn = true; live.setAttribute('role', 'status'); }
    clearTimeout(timer);
    if (status === 'queued' && polls < POLL_DELAYS.length) timer = setTimeout(poll, POLL_DELAYS[polls++]);
  };
  const poll = () => {
    if (!element.isConnected) return;
    fetchDelivery(mailId).then((delivery) => view.show(delivery)).catch(() => {});
  };

  again.addEventListener('click', async () => {
    const status = view.current?.status;
    if (!window.confirm(t(status === 'unconfirmed' ? 'delivery.confirmUnconfirmed' : 'delivery.confirmResend'))) return;
    again.disabled = true;
    problem.hidden = true;
    try {
      const record = await api.post(`/v1/mail-messages/${seg(mailId)}/resend`);
      polls = 0;
      if (record?.delivery) publish(mailId, record.delivery);
      // The button hides while the message is queued: keep the focus nearby, on its status.
      if (again.hidden) { element.setAttribute('tabindex', '-1'); element.focus(); } else again.focus();
    } catch (error) {
      if (error.status === 401) return;
      problem.textContent = error.status === 409 ? t('delivery.resendConflict') : error.status === 403 ? t('app.forbidden') : t('app.error');
      problem.hidden = false;
      fetchDelivery(mailId).then((delivery) => view.show(delivery)).catch(() => {});
    } finally {
      again.disabled = false;
    }
  });

  const unknown = () => {
    if (view.current) return;
    badge.textContent = t('delivery.unknown');
    view.drawn = true;
  };
  sweep();
  if (!shown.has(mailId)) shown.set(mailId, new Set());
  shown.get(mailId).add(view);
  fetchDelivery(mailId).then((delivery) => (delivery ? view.show(delivery) : unknown())).catch((error) => {
    if (!isAbort(error) && error.status !== 401) unknown();
  });
  return element;
}
