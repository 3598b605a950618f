// Administration · Consumers: each reader of the event log (router, webhooks, duplicate monitor…),
// where it is, the log's head and how far behind it is.

import { api } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { formatNumber, t, timeElement } from '../i18n.js';
import { card, errorText, table } from './admin-kit.js';

export default async function render({ container, signal }) {
  const slot = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  const refresh = h('button', { type: 'button', class: 'button button-small' }, t('admin.refresh'));
  container.append(card(t('admin.consumers.list'), h('p', { class: 'muted small' }, t('admin.consumers.intro')), slot, h('div', { class: 'form-actions' }, refresh)));
  const load = async () => {
    try {
      const body = await api.get('/v1/consumers', { signal });
      replace(slot, table(t('admin.consumers.list'), [
        { label: t('admin.consumers.name'), cell: (c) => h('span', { class: 'mono' }, c.name) },
        { label: t('admin.consumers.position'), cell: (c) => c.position },
        { label: t('admin.consumers.head'), cell: (c) => c.head },
        { label: t('admin.consumers.lag'), cell: (c) => h('span', { class: c.lag > 0 ? 'badge badge-pending' : 'badge badge-open' }, formatNumber(c.lag ?? 0)) },
        { label: t('admin.consumers.updated'), cell: (c) => (c.updated_at ? timeElement(c.updated_at, { dateStyle: 'medium', timeStyle: 'medium' }) : '') },
      ], body?.data ?? [], t('admin.empty')));
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(slot, h('p', { class: 'notice notice-error' }, errorText(error)));
    }
  };
  refresh.addEventListener('click', load);
  await load();
}
