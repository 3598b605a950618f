// The profile card of the Customer 360: every field, each value with its provenance.

import { h } from '../dom.js';
import { t, timeElement } from '../i18n.js';
import { withProvenance } from './provenance.js';

export function customerProfile(customer, lookups) {
  const prov = customer.provenance ?? {};
  const at = (key, index) => {
    const entry = prov[key];
    return Array.isArray(entry) ? entry[index] : entry;
  };
  const rows = [];
  const row = (labelKey, content) => rows.push(h('dt', null, t(labelKey)), h('dd', null, content));
  const none = () => h('span', { class: 'muted' }, t('app.none'));
  const single = (key, text) => (text === null || text === undefined || text === '' ? none() : withProvenance(text, at(key), lookups));
  const many = (key, values) => (values?.length
    ? h('ul', null, values.map((value, i) => h('li', null, withProvenance(value, at(key, i), lookups))))
    : none());

  row('customer.field.name', single('name', customer.name));
  if (customer.given_name || customer.family_name) {
    row('customer.field.given_name', single('given_name', customer.given_name));
    row('customer.field.family_name', single('family_name', customer.family_name));
  }
  row('customer.field.kind', single('kind', t(`customer.kind.${customer.kind}`)));
  row('customer.field.company', single('company', customer.company));
  row('customer.field.lifecycle_stage', single('lifecycle_stage', customer.lifecycle_stage ? t(`lifecycle.${customer.lifecycle_stage}`) : null));
  row('customer.field.emails', many('emails', customer.emails));
  row('customer.field.phones', many('phones', customer.phones));
  row('customer.field.addresses', customer.addresses?.length
    ? h('ul', null, customer.addresses.map((address, i) => h('li', null, withProvenance(addressText(address), at('addresses', i), lookups))))
    : none());
  if (customer.owner_id) {
    const owner = lookups.users?.get(customer.owner_id);
    row('customer.field.owner', single('owner_id', owner ? owner.name : customer.owner_id));
  }
  row('customer.field.created_at', timeElement(customer.created_at));
  row('customer.field.updated_at', h('span', null, timeElement(customer.updated_at), ' ', h('span', { class: 'muted small' }, t('customer.version', { version: customer.version }))));

  const attributes = Object.entries(customer.attributes ?? {});
  return h('section', { class: 'card', 'aria-labelledby': 'profile-title' },
    h('h2', { id: 'profile-title' }, t('customer.profile')),
    h('p', { class: 'muted small' }, t('provenance.hint')),
    h('dl', { class: 'fields' }, rows),
    h('h3', { class: 'subheading' }, t('customer.field.attributes')),
    attributes.length
      ? h('dl', { class: 'fields' }, attributes.map(([name, value]) => [
        h('dt', { class: 'mono' }, name),
        h('dd', null, withProvenance(attributeText(value), prov[`attributes.${name}`], lookups)),
      ]))
      : h('p', { class: 'muted' }, t('customer.noAttributes')));
}

export function addressText(address) {
  const locality = [address.postal_code, address.city].filter(Boolean).join(' ');
  const parts = [address.line1, address.line2, locality, address.region, address.country].filter(Boolean);
  const text = parts.join(', ');
  return address.label ? `${address.label}: ${text}` : text;
}

export function attributeText(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
