// The customer's conversations: status, subject, channel, size and last activity.

import { api } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { t, timeElement } from '../i18n.js';

export function conversationsCard(customerId, { channels, signal, linkToInbox }) {
  const body = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  const card = h('section', { class: 'card', 'aria-labelledby': 'conversations-title' },
    h('h2', { id: 'conversations-title' }, t('conversations.title')), body);

  api.get('/v1/conversations', { query: { customer_id: customerId, limit: 20 }, signal })
    .then((page) => {
      const items = page?.data ?? [];
      if (!items.length) { replace(body, h('p', { class: 'empty' }, t('conversations.empty'))); return; }
      replace(body, h('ul', { class: 'plain-list' }, items.map((c) => {
        const channel = channels?.get(c.channel_id);
        const title = c.subject || t('conversations.noSubject');
        return h('li', null,
          h('div', { class: 'conv-line' },
            linkToInbox ? h('a', { href: `#/inbox/${encodeURIComponent(c.id)}`, class: 'conv-title' }, title) : h('span', { class: 'conv-title' }, title),
            h('span', { class: `badge badge-${c.status}` }, t(`conversation.status.${c.status}`))),
          h('div', { class: 'conv-meta' },
            channel ? `${channel.name} · ` : '',
            t('conversations.interactions', { count: c.interaction_count ?? 0 }), ' · ',
            c.last_interaction_at ? timeElement(c.last_interaction_at) : null));
      })));
      if (page?.next_cursor) body.append(h('p', { class: 'muted small' }, t('conversations.more')));
    })
    .catch((error) => {
      if (isAbort(error) || error.status === 401) return;
      console.warn('conversations', error);
      replace(body, h('p', { class: 'notice notice-error' }, error.status === 403 ? t('app.forbidden') : t('app.error')));
    });
  return card;
}
