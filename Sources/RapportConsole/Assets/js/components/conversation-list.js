// The inbox's list of conversations: customer, subject, status, last activity. Customer names
// come with the list (`include=customer`); one missing there (a conversation that arrived live)
// is fetched once per id and filled in when it arrives.

import { api, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { t, timeElement } from '../i18n.js';

const names = new Map(); // customer id -> Promise<string>

function customerName(id) {
  if (!names.has(id)) {
    names.set(id, api.get(`/v1/customers/${seg(id)}`).then((c) => c.name).catch(() => {
      names.delete(id);
      return null;
    }));
  }
  return names.get(id);
}

/** `href(conversation)` gives each link's address. Returns { element, show(items, more), setCurrent(id) }. */
export function conversationList({ href, onMore, channels, users }) {
  const list = h('ul', { class: 'conv-list' });
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true, onclick: () => onMore?.() }, t('inbox.more'));
  const empty = h('p', { class: 'empty', hidden: true }, t('inbox.empty'));
  const element = h('div', null, list, empty, h('div', { class: 'sentinel' }, more));
  let current = null;

  const item = (c) => {
    const known = c.customer?.name;
    const who = h('span', { class: 'conv-title' }, known ?? '…');
    if (known) names.set(c.customer_id, Promise.resolve(known));
    else customerName(c.customer_id).then((name) => { who.textContent = name ?? c.customer_id; });
    const channel = channels?.get(c.channel_id);
    const assignee = c.assignee_id ? users?.get(c.assignee_id) : null;
    return h('li', null, h('a', { href: href(c), 'aria-current': c.id === current ? 'true' : null, dataset: { id: c.id } },
      h('div', { class: 'conv-line' }, who, h('span', { class: `badge badge-${c.status}` }, t(`conversation.status.${c.status}`))),
      h('div', { class: 'conv-subject' }, firstLine(c.subject) || t('conversations.noSubject')),
      h('div', { class: 'conv-meta' },
        channel ? `${channel.name} · ` : '',
        assignee ? `${assignee.name} · ` : (c.assignee_id ? '' : `${t('inbox.unassigned')} · `),
        c.priority && c.priority !== 'normal' ? `${t(`priority.${c.priority}`)} · ` : '',
        c.last_interaction_at ? timeElement(c.last_interaction_at) : null)));
  };

  return {
    element,
    show(items, hasMore, { append = false } = {}) {
      // A live refresh must not take the keyboard focus away from the conversation it was on.
      const focused = list.contains(document.activeElement) ? document.activeElement.dataset.id : null;
      if (append) list.append(...items.map(item));
      else replace(list, items.map(item));
      if (focused) list.querySelector(`a[data-id="${CSS.escape(focused)}"]`)?.focus();
      empty.hidden = list.children.length > 0;
      more.hidden = !hasMore;
    },
    setCurrent(id) {
      current = id;
      for (const a of list.querySelectorAll('a[data-id]')) {
        if (a.dataset.id === id) a.setAttribute('aria-current', 'true');
        else a.removeAttribute('aria-current');
      }
    },
  };
}

function firstLine(text) {
  return String(text ?? '').split('\n', 1)[0];
}
