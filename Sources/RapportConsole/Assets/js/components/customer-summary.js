// One line about a customer: name, company, first email or phone, kind.

import { h } from '../dom.js';
import { t } from '../i18n.js';

export function customerSummary(customer) {
  const contact = customer.emails?.[0] ?? customer.phones?.[0] ?? null;
  return [
    h('span', { class: 'option-name' }, customer.name),
    customer.company ? h('span', { class: 'option-meta' }, customer.company) : null,
    contact ? h('span', { class: 'option-meta' }, contact) : null,
    h('span', { class: 'option-meta' }, t(`customer.kind.${customer.kind}`)),
  ];
}
