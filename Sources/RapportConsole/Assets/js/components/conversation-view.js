// One conversation: who and where, its interactions in order, the reply form, the actions and
// the routing decisions explained. `refresh()` loads it again (the live stream calls it).

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { t, timeElement } from '../i18n.js';
import { conversationActions } from './conversation-actions.js';
import { interactionContent, interactionHead } from './interaction-item.js';
import { replyForm } from './reply-form.js';
import { routingDecisions } from './routing-decision.js';

export function conversationView(id, { me, refs, signal, onChanged }) {
  const head = h('div', { class: 'card' }, h('p', { class: 'muted' }, t('app.loading')));
  // Scrollable, so focusable: keyboard users can scroll it too.
  const messages = h('ol', { class: 'messages', 'aria-labelledby': 'messages-title', tabindex: '0' });
  const thread = h('section', { class: 'card', 'aria-labelledby': 'messages-title' }, h('h2', { id: 'messages-title' }, t('inbox.messages')), messages);
  const actionsSlot = h('div');
  const decisionsSlot = h('div');
  let conversation = null;
  const reply = replyForm({ getConversation: () => conversation, onSent: () => { refresh(); onChanged?.(); } });
  const element = h('div', { class: 'stack conversation', 'aria-live': 'off' }, head, thread, reply.element, actionsSlot, decisionsSlot);
  let customerName = null;
  let drawnState = null;
  let drawnMessages = null;
  let drawnDecisions = null;

  const draw = (detail) => {
    conversation = { ...detail, kind: replyKind(detail) };
    const channel = refs.channels?.get(detail.channel_id);
    const assignee = detail.assignee_id ? refs.users?.get(detail.assignee_id) : null;
    const department = detail.department_id ? refs.departments?.get(detail.department_id) : null;
    const queue = detail.queue_id ? refs.queues?.get(detail.queue_id) : null;
    const customerLink = h('a', { href: `#/customers/${encodeURIComponent(detail.customer_id)}` }, customerName ?? detail.customer_id);
    replace(head,
      h('h2', { class: 'conv-heading' }, firstLine(detail.subject) || t('conversations.noSubject')),
      h('dl', { class: 'fields' },
        h('dt', null, t('inbox.customer')), h('dd', null, customerLink),
        h('dt', null, t('inbox.status')), h('dd', null, h('span', { class: `badge badge-${detail.status}` }, t(`conversation.status.${detail.status}`)),
          detail.status === 'snoozed' && detail.snoozed_until ? [' ', t('inbox.until'), ' ', timeElement(detail.snoozed_until)] : null),
        h('dt', null, t('inbox.assignee')), h('dd', { 'data-field': 'assignee' }, assignee ? assignee.name : (detail.assignee_id ?? t('inbox.unassigned'))),
        h('dt', null, t('inbox.department')), h('dd', null, [department?.name ?? detail.department_id ?? t('app.none'), queue ? ` / ${queue.name}` : ''].join('')),
        h('dt', null, t('inbox.channel')), h('dd', null, channel ? `${channel.name} · ${t(`channel.kind.${channel.kind}`)}` : detail.channel_id),
        h('dt', null, t('inbox.priority')), h('dd', null, t(`priority.${detail.priority}`)),
        h('dt', null, t('inbox.tags')), h('dd', { 'data-field': 'tags' }, detail.tags?.length ? detail.tags.join(', ') : t('app.none'))));
    const messageIds = (detail.interactions ?? []).map((i) => i.id).join();
    if (messageIds !== drawnMessages) {
      drawnMessages = messageIds;
      replace(messages, (detail.interactions ?? []).map((interaction) =>
        h('li', { class: `message ${interaction.direction}`, dataset: { id: interaction.id } },
          interactionHead(interaction, refs.channels), interactionContent(interaction))));
      messages.scrollTop = messages.scrollHeight; // the newest message, at the end, in view
    }
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
        customerLink.textContent = c.name;
      }).catch(() => {});
    }
  };

  const refresh = async () => {
    try {
      const detail = await api.get(`/v1/conversations/${seg(id)}`, { signal });
      draw(detail);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(head, h('p', { class: 'notice notice-error', role: 'alert' }, error.status === 404 ? t('inbox.notFound') : t('app.error')));
    }
  };
  refresh();
  return { element, refresh, customerId: () => conversation?.customer_id ?? null };
}

function replyKind(detail) {
  const last = [...(detail.interactions ?? [])].reverse().find((i) => i.direction === 'inbound') ?? detail.interactions?.at(-1);
  return last?.kind === 'email' ? 'email' : 'message';
}

function firstLine(text) {
  return String(text ?? '').split('\n', 1)[0];
}
