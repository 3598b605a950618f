// Administration · Webhooks: the subscriptions (receiver, filters, status) and, per subscription,
// its delivery log (GET /v1/subscriptions/{id}/deliveries) with "deliver again" on each entry.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { t, timeElement } from '../i18n.js';
import { all, card, errorText, none, table } from './admin-kit.js';

export default async function render({ container, signal }) {
  const listSlot = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  const log = h('div');
  container.append(card(t('admin.webhooks.list'), listSlot), log);
  try {
    const subscriptions = await all('/v1/subscriptions', { signal });
    replace(listSlot, table(t('admin.webhooks.list'), [
      { label: t('admin.webhooks.sink'), cell: (s) => h('span', { class: 'mono' }, s.sink) },
      { label: t('admin.webhooks.filters'), cell: (s) => (s.filters?.length ? h('code', { class: 'pre' }, JSON.stringify(s.filters)) : none()) },
      { label: t('admin.users.status'), cell: (s) => h('span', { class: s.status === 'active' ? 'badge badge-open' : 'badge' }, t(`admin.webhooks.status.${s.status}`), s.disabled_reason ? ` (${s.disabled_reason})` : '') },
      { label: t('admin.actions'), cell: (s) => h('button', { type: 'button', class: 'button button-small', 'data-action': 'deliveries',
        'aria-label': t('admin.webhooks.showLogFor', { sink: s.sink }), onclick: () => showLog(s) }, t('admin.webhooks.showLog')) },
    ], subscriptions, t('admin.empty')));
  } catch (error) {
    if (isAbort(error) || error.status === 401) return;
    replace(listSlot, h('p', { class: 'notice notice-error' }, errorText(error)));
  }

  async function showLog(subscription) {
    const notice = h('div', { role: 'status' });
    const slot = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
    const section = card(t('admin.webhooks.log', { sink: subscription.sink }), notice, slot);
    replace(log, section);
    section.querySelector('h2').setAttribute('tabindex', '-1');
    section.querySelector('h2').focus();
    const load = async () => {
      try {
        const body = await api.get(`/v1/subscriptions/${seg(subscription.id)}/deliveries`, { query: { limit: 50 }, signal });
        replace(slot, table(t('admin.webhooks.deliveries'), [
          { label: t('admin.webhooks.event'), cell: (d) => h('span', { class: 'mono' }, `${String(d.sequence ?? '').replace(/^0+(?=\d)/, '')} · ${d.subject ?? ''}`) },
          { label: t('admin.users.status'), cell: (d) => t(`admin.webhooks.delivery.${d.status}`) },
          { label: t('admin.webhooks.attempts'), cell: (d) => String(d.attempts ?? 0) },
          { label: t('admin.webhooks.lastAnswer'), cell: (d) => [d.last_status ? `HTTP ${d.last_status}` : '', d.last_error ? ` ${d.last_error}` : ''].join('') || none() },
          { label: t('admin.consumers.updated'), cell: (d) => timeElement(d.updated_at, { dateStyle: 'medium', timeStyle: 'medium' }) },
          { label: t('admin.actions'), cell: (d) => redeliver(d) },
        ], body?.data ?? [], t('admin.webhooks.noDeliveries')));
      } catch (error) {
        if (isAbort(error) || error.status === 401) return;
        replace(slot, h('p', { class: 'notice notice-error' }, errorText(error)));
      }
    };
    const redeliver = (delivery) => {
      const button = h('button', { type: 'button', class: 'button button-small', 'data-action': 'redeliver' }, t('admin.webhooks.redeliver'));
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await api.post(`/v1/subscriptions/${seg(subscription.id)}/deliveries/${seg(delivery.id)}/redeliver`, {});
          replace(notice, h('p', { class: 'notice notice-success' }, t('admin.webhooks.redelivered')));
          await load();
        } catch (error) {
          button.disabled = false;
          if (error.status !== 401) replace(notice, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
        }
      });
      return button;
    };
    await load();
  }
}
