// #/customers?q=…: find a customer.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { customerSearch } from '../components/customer-search.js';

export default function render({ container, query, signal, setTitle }) {
  setTitle(t('customers.title'));
  const search = customerSearch({
    initial: query.get('q') ?? '',
    signal,
    onQuery: (q) => {
      // A page already left must not rewrite the address of the one shown now.
      if (signal.aborted) return;
      // Keep the query in the address so Back returns to these results.
      history.replaceState(null, '', q ? `#/customers?q=${encodeURIComponent(q)}` : '#/customers');
    },
    onOpen: (customer) => navigate(`#/customers/${encodeURIComponent(customer.id)}`),
  });
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('customers.title'))),
    h('section', { class: 'card', 'aria-label': t('customers.searchLabel') }, search));
}
