// Administration · Channels: list, create, edit (kind, name, an email channel's address, and the
// channel's other settings as JSON).

import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as lookups from '../lookups.js';
import { crudSection, jsonValue } from './admin-crud.js';
import { field } from './form.js';

const KINDS = ['web', 'email', 'phone', 'chat', 'sms', 'social', 'store', 'mobile_app', 'api'];

export default function render(context) {
  return crudSection(context, {
    path: '/v1/channels',
    name: 'admin.channels',
    label: (c) => c.name,
    columns: [
      { label: t('admin.channels.name'), cell: (c) => c.name },
      { label: t('admin.channels.kind'), cell: (c) => t(`channel.kind.${c.kind}`) },
      { label: t('admin.channels.address'), cell: (c) => (typeof c.settings?.address === 'string' ? c.settings.address : '') },
      { label: t('admin.channels.id'), cell: (c) => h('span', { class: 'mono' }, c.id) },
    ],
    fields: () => [
      field({ label: t('admin.channels.name'), name: 'name', required: true, autocomplete: 'off' }),
      field({ label: t('admin.channels.kind'), name: 'kind', as: 'select', value: 'chat', options: KINDS.map((k) => ({ value: k, label: t(`channel.kind.${k}`) })) }),
      field({ label: t('admin.channels.address'), name: 'address', type: 'email', hint: t('admin.channels.addressHint') }),
      field({ label: t('admin.channels.settings'), name: 'settings', as: 'textarea', hint: t('admin.jsonHint'), attrs: { class: 'json-box', spellcheck: 'false' } }),
    ],
    required: ['name'],
    fill: (f, c) => {
      f.name.input.value = c.name;
      f.kind.input.value = c.kind;
      const { address, ...rest } = c.settings || {};
      f.address.input.value = typeof address === 'string' ? address : '';
      f.settings.input.value = Object.keys(rest).length ? JSON.stringify(rest, null, 2) : '';
    },
    toBody: (f) => {
      const settings = jsonValue(f.settings) || {};
      const address = f.address.input.value.trim();
      if (address) settings.address = address;
      else delete settings.address;
      return { name: f.name.input.value.trim(), kind: f.kind.input.value, settings };
    },
    onChange: () => lookups.invalidate('channels'),
  });
}
