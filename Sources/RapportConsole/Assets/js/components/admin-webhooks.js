// Administration · Webhooks: the subscriptions (receiver, filters, status), created and changed
// here (POST/PATCH /v1/subscriptions; the signing secret shown once, at creation), disabled and
// turned back on, and per subscription its delivery log (GET /v1/subscriptions/{id}/deliveries)
// with "deliver again" on each entry.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { t, timeElement } from '../i18n.js';
import { copyable, card, errorText, none, table } from './admin-kit.js';
import { crudSection } from './admin-crud.js';
import { field } from './form.js';

export default async function render(context) {
  const log = h('div');
  const statusNotice = h('div', { role: 'status' });
  context.container.append(statusNotice);
  await crudSection(context, {
    path: '/v1/subscriptions',
    name: 'admin.webhooks',
    label: (s) => s.description || s.sink,
    columns: [
      { label: t('admin.webhooks.sink'), cell: (s) => h('span', { class: 'mono' }, s.sink) },
      { label: t('admin.webhooks.description'), cell: (s) => s.description || none() },
      { label: t('admin.webhooks.filters'), cell: (s) => (s.filters?.length ? h('code', { class: 'pre' }, JSON.stringify(s.filters)) : none()) },
      { label: t('admin.users.status'), cell: (s) => h('span', { class: s.status === 'active' ? 'badge badge-open' : 'badge' }, t(`admin.webhooks.status.${s.status}`), s.disabled_reason ? ` (${s.disabled_reason})` : '') },
    ],
    fields: () => [
      field({ label: t('admin.webhooks.sink'), name: 'sink', type: 'url', required: true, hint: t('admin.webhooks.sinkHint'), attrs: { spellcheck: 'false' } }),
      field({ label: t('admin.webhooks.description'), name: 'description', autocomplete: 'off' }),
      field({ label: t('admin.webhooks.filters'), name: 'filters', as: 'textarea', hint: t('admin.webhooks.filtersHint'), attrs: { spellcheck: 'false' } }),
    ],
    required: ['sink'],
    fill: (f, s) => {
      f.sink.input.value = s.sink;
      f.description.input.value = s.description ?? '';
      f.filters.input.value = s.filters?.length ? JSON.stringify(s.filters, null, 2) : '';
    },
    toBody: (f, editing) => {
      const body = { sink: f.sink.input.value.trim(), filters: filtersValue(f.filters) };
      const description = f.description.input.value.trim();
      if (description) body.description = description;
      else if (editing) body.description = null;
      return body;
    },
    created: (s) => (s.secret ? h('div', { class: 'notice notice-info' }, copyable(t('admin.webhooks.secret'), s.secret),
      h('p', { class: 'small' }, t('admin.webhooks.secretOnce'))) : h('span')),
    rowActions: (s, reload) => [
      h('button', { type: 'button', class: 'button button-small', 'data-action': 'deliveries',
        'aria-label': t('admin.webhooks.showLogFor', { sink: s.sink }), onclick: () => showLog(s) }, t('admin.webhooks.showLog')),
      statusButton(s, reload),
    ],
  });
  context.container.append(log);

  function statusButton(subscription, reload) {
    const next = subscription.status === 'active' ? 'disabled' : 'active';
    const button = h('button', { type: 'button', class: 'button button-small', 'data-action': next === 'active' ? 'enable' : 'disable',
      'aria-label': t(next === 'active' ? 'admin.webhooks.enableFor' : 'admin.webhooks.disableFor', { sink: subscription.sink }) },
    t(next === 'active' ? 'admin.webhooks.enable' : 'admin.webhooks.disable'));
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api.patch(`/v1/subscriptions/${seg(subscription.id)}`, { status: next });
        replace(statusNotice, h('p', { class: 'notice notice-success' }, t(next === 'active' ? 'admin.webhooks.enabled' : 'admin.webhooks.disabled', { sink: subscription.sink })));
        await reload();
      } catch (error) {
        button.disabled = false;
        if (error.status !== 401) replace(statusNotice, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
      }
    });
    return button;
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
        const body = await api.get(`/v1/subscriptions/${seg(subscription.id)}/deliveries`, { query: { limit: 50 }, signal: context.signal });
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

/** The filters textarea: empty for none, else a JSON array; throws { field, message } otherwise. */
function filtersValue(f) {
  const text = f.input.value.trim();
  if (!text) return [];
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw { field: f.name, message: t('admin.badJson', { detail: error.message }) };
  }
  if (!Array.isArray(value)) throw { field: f.name, message: t('admin.webhooks.filtersArray') };
  return value;
}
