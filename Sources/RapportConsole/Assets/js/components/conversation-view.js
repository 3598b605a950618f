// One conversation: who and where, its interactions in order, the reply form, the actions and
// the routing decisions explained. `refresh()` loads it again (the live stream calls it).
// On an email channel the reply is sent by email, and the delivery of the mail sent follows
// the rapport.mail.* events of the conversation's customer. On a phone channel the agent logs
// the call back instead. On a web chat the reply reaches the visitor's widget as it is stored,
// and the view shows whether the visitor is there and typing (and tells them the agent is).
// Internal notes on the conversation (GET /v1/notes?conversation_id=) are mixed in with the
// messages by time, marked as internal; a note composer under the reply writes more, and Follow
// in the head makes new notes here notify the agent.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { t, timeElement } from '../i18n.js';
import { chatPresence } from './chat-presence.js';
import { conversationActions } from './conversation-actions.js';
import { follow } from '../live.js';
import { emailReplyForm } from './email-reply-form.js';
import { applyMailEvent, interactionContent, interactionHead, MAIL_EVENT_TYPES } from './interaction-item.js';
import { logCallForm } from './log-call-form.js';
import { followButton, noteBoard, noteComposerCard } from './notes.js';
import { replyForm } from './reply-form.js';
import { routingDecisions } from './routing-decision.js';

export function conversationView(id, { me, refs, signal, onChanged }) {
  const head = h('div', { class: 'card' }, h('p', { class: 'muted' }, t('app.loading')));
  // Scrollable, so focusable: keyboard users can scroll it too.
  const messages = h('ol', { class: 'messages', 'aria-labelledby': 'messages-title', tabindex: '0' });
  const thread = h('section', { class: 'card', 'aria-labelledby': 'messages-title' }, h('h2', { id: 'messages-title' }, t('inbox.messages')), messages);
  const actionsSlot = h('div');
  const decisionsSlot = h('div');
  const replySlot = h('div');
  const noteSlot = h('div');
  let conversation = null;
  let reply = null;
  const element = h('div', { class: 'stack conversation', 'aria-live': 'off' }, head, thread, replySlot, noteSlot, actionsSlot, decisionsSlot);
  // Notes: drawn through one board, so a change made on one shows wherever it is.
  const canWrite = me?.role !== 'viewer';
  const board = noteBoard({ me, users: refs.users, departments: refs.departments, canWrite });
  let notes = [];
  let interactions = [];
  const following = followButton({ conversationId: id, signal });
  if (canWrite) {
    noteSlot.append(noteComposerCard({
      board, conversationId: id, signal,
      onSaved: (note) => { notes = [note, ...notes.filter((n) => n.id !== note.id)]; drawThread(); following.refresh(); },
    }).element);
  }
  board.onChange((note, change) => {
    notes = change === 'deleted' ? notes.filter((n) => n.id !== note.id) : notes.map((n) => (n.id === note.id ? note : n));
  });
  let customerName = null;
  let customerEmails = [];
  let drawnState = null;
  let drawnMessages = null;
  let drawnDecisions = null;

  const draw = (detail) => {
    conversation = { ...detail, kind: replyKind(detail) };
    const channel = refs.channels?.get(detail.channel_id);
    if (!reply) {
      // The channel's kind decides (the last email's kind when the channel list is not readable).
      const byEmail = channel ? channel.kind === 'email' : conversation.kind === 'email';
      const onSent = () => { refresh(); onChanged?.(); };
      if (channel?.kind === 'phone') {
        // On a phone channel (a missed call, a voicemail) the answer is a call back, logged here.
        reply = { element: logCallForm({ customerId: detail.customer_id, phoneChannels: [channel], threadId: detail.thread_key, onLogged: onSent }) };
      } else if (channel?.kind === 'chat' && String(detail.thread_key ?? '').startsWith('chat:')) {
        const presence = chatPresence(detail.id, { signal });
        reply = replyForm({ getConversation: () => conversation, onSent, onTyping: presence.agentTyping, withFiles: true });
        thread.append(presence.element);
      } else {
        reply = byEmail ? emailReplyForm({ getConversation: () => conversation, onSent }) : replyForm({ getConversation: () => conversation, onSent });
      }
      replySlot.replaceChildren(reply.element);
      if (byEmail) followMail(detail.customer_id);
    }
    reply.setAddressing?.({ from: channelAddress(channel), to: replyRecipients(detail, customerEmails) });
    const assignee = detail.assignee_id ? refs.users?.get(detail.assignee_id) : null;
    const department = detail.department_id ? refs.departments?.get(detail.department_id) : null;
    const queue = detail.queue_id ? refs.queues?.get(detail.queue_id) : null;
    const customerLink = h('a', { href: `#/customers/${encodeURIComponent(detail.customer_id)}` }, customerName ?? detail.customer_id);
    replace(head,
      h('div', { class: 'conv-heading-row' },
        h('h2', { class: 'conv-heading' }, firstLine(detail.subject) || t('conversations.noSubject')), following.element),
      h('dl', { class: 'fields' },
        h('dt', null, t('inbox.customer')), h('dd', null, customerLink),
        h('dt', null, t('inbox.status')), h('dd', null, h('span', { class: `badge badge-${detail.status}` }, t(`conversation.status.${detail.status}`)),
          detail.status === 'snoozed' && detail.snoozed_until ? [' ', t('inbox.until'), ' ', timeElement(detail.snoozed_until)] : null),
        h('dt', null, t('inbox.assignee')), h('dd', { 'data-field': 'assignee' }, assignee ? assignee.name : (detail.assignee_id ?? t('inbox.unassigned'))),
        h('dt', null, t('inbox.department')), h('dd', null, [department?.name ?? detail.department_id ?? t('app.none'), queue ? ` / ${queue.name}` : ''].join('')),
        h('dt', null, t('inbox.channel')), h('dd', null, channel ? `${channel.name} · ${t(`channel.kind.${channel.kind}`)}` : detail.channel_id),
        h('dt', null, t('inbox.priority')), h('dd', null, t(`priority.${detail.priority}`)),
        h('dt', null, t('inbox.tags')), h('dd', { 'data-field': 'tags' }, detail.tags?.length ? detail.tags.join(', ') : t('app.none'))));
    interactions = detail.interactions ?? [];
    drawThread();
    // Rebuilt only when what they show changed, so a live refresh does not wipe out a tag being
    // typed or a snooze time being chosen.
    const state = JSON.stringify(['status', 'assignee_id', 'department_id', 'queue_id', 'tags', 'priority', 'snoozed_until'].map((k) => detail[k]));
    if (state !== drawnState) {
      drawnState = state;
      actionsSlot.replaceChildren(conversationActions(detail, { me, refs, onChanged: () => { refresh(); onChanged?.(); } }));
    }
    const decisionIds = (detail.decisions ?? []).map((d) => d.id).join();
    if (decisionIds !== drawnDecisions) {
      drawnDecisions = decisionIds;
      decisionsSlot.replaceChildren(routingDecisions(detail.decisions, refs));
    }
    if (customerName === null) {
      api.get(`/v1/customers/${seg(detail.customer_id)}`, { signal }).then((c) => {
        customerName = c.name;
        customerEmails = Array.isArray(c.emails) ? c.emails : [];
        customerLink.textContent = c.name;
        if (conversation) reply?.setAddressing?.({ from: channelAddress(channel), to: replyRecipients(conversation, customerEmails) });
      }).catch(() => {});
    }
  };

  // The messages and the notes, oldest first; drawn again only when what they show changed.
  const drawThread = () => {
    const entries = [
      ...interactions.map((interaction) => ({ at: interaction.occurred_at, interaction })),
      ...notes.map((note) => ({ at: note.created_at, note })),
    ].sort((a, b) => (Date.parse(a.at) || 0) - (Date.parse(b.at) || 0));
    const key = entries.map((e) => (e.note ? `${e.note.id}:${e.note.version}:${e.note.pinned}` : e.interaction.id)).join();
    if (key === drawnMessages) return;
    drawnMessages = key;
    replace(messages, entries.map(({ interaction, note }) => (note
      ? board.item(note, { className: 'message' })
      : h('li', { class: `message ${interaction.direction}`, dataset: { id: interaction.id } },
        interactionHead(interaction, refs.channels), interactionContent(interaction, refs)))));
    messages.scrollTop = messages.scrollHeight; // the newest, at the end, in view
  };
  const loadNotes = async () => {
    try {
      const page = await api.get('/v1/notes', { query: { conversation_id: id, limit: 200 }, signal });
      notes = page?.data ?? [];
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      if (error.status !== 404) console.warn('notes', error);
    }
  };

  const refresh = async () => {
    try {
      const [detail] = await Promise.all([api.get(`/v1/conversations/${seg(id)}`, { signal }), loadNotes()]);
      draw(detail);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(head, h('p', { class: 'notice notice-error', role: 'alert' }, error.status === 404 ? t('inbox.notFound') : t('app.error')));
    }
  };
  // The delivery of mail sent from here changes after the send (sent, deferred, bounced...): one
  // more stream, for this conversation's customer's mail events only, while the view is open.
  const followMail = (customerId) => {
    const types = MAIL_EVENT_TYPES.map((type) => `type == ${JSON.stringify(type)}`).join(' || ');
    follow({ filter: `(${types}) && subject == ${JSON.stringify(customerId)}`, types: MAIL_EVENT_TYPES, signal, onEvent: applyMailEvent })
      .catch((error) => console.warn('mail events', error));
  };

  refresh();
  return { element, refresh, customerId: () => conversation?.customer_id ?? null };
}

/** The channel's sending address, {name, address}, or null. */
function channelAddress(channel) {
  const address = channel?.settings?.address;
  return typeof address === 'string' && address ? { name: channel.name || null, address } : null;
}

/**
 * Who a reply by email goes to, as the server will choose: the newest email's Reply-To, else
 * whoever wrote it (its recipients when Rapport sent it), else the customer's first address.
 */
function replyRecipients(detail, customerEmails) {
  const mails = (detail.interactions ?? []).filter((i) => i.kind === 'email' && i.metadata && typeof i.metadata === 'object');
  const last = mails.at(-1);
  const replyTo = Array.isArray(last?.metadata.reply_to) ? last.metadata.reply_to.filter((a) => typeof a === 'string' && a) : [];
  if (last?.direction === 'inbound' && replyTo.length) return replyTo.map((address) => ({ name: null, address }));
  if (last?.direction === 'inbound' && typeof last.metadata.from === 'string' && last.metadata.from) {
    return [{ name: typeof last.metadata.from_name === 'string' && last.metadata.from_name ? last.metadata.from_name : null, address: last.metadata.from }];
  }
  if (last?.direction === 'outbound' && Array.isArray(last.metadata.to)) {
    const to = last.metadata.to.filter((a) => typeof a === 'string' && a);
    if (to.length) return to.map((address) => ({ name: null, address }));
  }
  return customerEmails.length ? [{ name: null, address: customerEmails[0] }] : [];
}

function replyKind(detail) {
  const last = [...(detail.interactions ?? [])].reverse().find((i) => i.direction === 'inbound') ?? detail.interactions?.at(-1);
  return last?.kind === 'email' ? 'email' : 'message';
}

function firstLine(text) {
  return String(text ?? '').split('\n', 1)[0];
}
