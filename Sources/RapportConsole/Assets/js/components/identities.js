// Every identity of a customer (kind and normalized value), with provenance; an email address
// that bounced carries a warning with the reason.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { undeliverableBadge } from './email-reply-form.js';
import { withProvenance } from './provenance.js';

export function identitiesCard(customer, lookups) {
  const provenance = customer.provenance?.identities;
  const items = (customer.identities ?? []).map((qualified, i) => {
    const colon = qualified.indexOf(':');
    const kind = colon > 0 ? qualified.slice(0, colon) : '';
    const value = colon > 0 ? qualified.slice(colon + 1) : qualified;
    const entry = Array.isArray(provenance) ? provenance[i] : null;
    return h('li', null,
      h('span', { class: 'identity-kind' }, t(`identity.kind.${kind}`)), ' ',
      withProvenance(h('span', { class: 'mono' }, value), entry, lookups),
      kind === 'email' ? undeliverableBadge(value) : null);
  });
  return h('section', { class: 'card', 'aria-labelledby': 'identities-title' },
    h('h2', { id: 'identities-title' }, t('identities.title'), ' ', h('span', { class: 'badge' }, items.length)),
    items.length ? h('ul', { class: 'plain-list' }, items) : h('p', { class: 'empty' }, t('identities.empty')));
}
