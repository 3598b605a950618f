// Search as you type (debounced, stale requests aborted) with the results as an ARIA combobox
// listbox: ArrowUp/ArrowDown/Home/End move, Enter opens, Escape clears. The markup is the ARIA 1.1
// combobox (a wrapper with role=combobox owning the text box and the listbox), which both current
// screen readers and the axe-core the browser test ships understand.

import { api } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t } from '../i18n.js';
import { customerSummary } from './customer-summary.js';

const DEBOUNCE_MS = 150;
const LIMIT = 20;

/**
 * `onOpen(customer)` is called for Enter or a click on a result; `onQuery(q)` after each change.
 * Returns the element; `signal` ends pending work when the page goes away.
 */
export function customerSearch({ initial = '', onOpen, onQuery, signal }) {
  const inputId = uid('search');
  const listId = uid('results');
  const statusId = uid('search-status');
  const hintId = uid('search-hint');

  const input = h('input', {
    id: inputId,
    type: 'text',
    inputmode: 'search',
    enterkeyhint: 'search',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-autocomplete': 'list',
    'aria-controls': listId,
    'aria-describedby': hintId,
    'data-autofocus': true,
    value: initial,
  });
  const list = h('ul', { id: listId, role: 'listbox', class: 'listbox', 'aria-label': t('customers.results.label') });
  const combobox = h('div', { role: 'combobox', 'aria-expanded': 'false', 'aria-owns': listId, 'aria-haspopup': 'listbox' }, input);
  const status = h('p', { id: statusId, class: 'search-status', role: 'status', 'aria-live': 'polite' });

  let results = [];
  let active = -1;
  let timer = null;
  let inflight = null;
  let lastQuery = null;

  const setActive = (index) => {
    active = index;
    list.querySelectorAll('[role="option"]').forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    if (active >= 0) {
      const li = list.children[active];
      input.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const show = (customers, q) => {
    results = customers;
    active = -1;
    input.removeAttribute('aria-activedescendant');
    replace(list, customers.map((customer, i) => {
      const li = h('li', { id: `${listId}-${i}`, role: 'option', 'aria-selected': 'false', dataset: { id: customer.id } },
        customerSummary(customer));
      li.addEventListener('mousedown', (event) => event.preventDefault()); // keep focus in the input
      li.addEventListener('click', () => onOpen(customer));
      return li;
    }));
    combobox.setAttribute('aria-expanded', String(customers.length > 0));
    if (!q) status.textContent = '';
    else if (customers.length === 0) status.textContent = t('customers.noResults', { q });
    else status.textContent = t('customers.results', { count: customers.length });
  };

  const run = async (q) => {
    inflight?.abort();
    if (!q) { lastQuery = q; show([], q); return; }
    const controller = new AbortController();
    inflight = controller;
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    list.setAttribute('aria-busy', 'true');
    try {
      const body = await api.get('/v1/customers/search', { query: { q, limit: LIMIT }, signal: controller.signal });
      if (controller.signal.aborted) return;
      lastQuery = q;
      show(body?.data ?? [], q);
    } catch (error) {
      if (isAbort(error) || controller.signal.aborted) return;
      if (error.status === 401) return;
      status.textContent = error.status === 400 || error.status === 422 ? t('customers.badQuery') : t('app.error');
      console.warn('search', error);
    } finally {
      if (inflight === controller) { inflight = null; list.removeAttribute('aria-busy'); }
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    onQuery?.(q);
    timer = setTimeout(() => { if (q !== lastQuery) run(q); }, DEBOUNCE_MS);
  });

  input.addEventListener('keydown', (event) => {
    const n = results.length;
    switch (event.key) {
      case 'ArrowDown':
        if (!n) return;
        event.preventDefault();
        setActive(active < n - 1 ? active + 1 : 0);
        break;
      case 'ArrowUp':
        if (!n) return;
        event.preventDefault();
        setActive(active > 0 ? active - 1 : n - 1);
        break;
      case 'Home':
      case 'End':
        if (!n || active < 0) return;
        event.preventDefault();
        setActive(event.key === 'Home' ? 0 : n - 1);
        break;
      case 'Enter':
        event.preventDefault();
        if (active >= 0) onOpen(results[active]);
        else if (n === 1) onOpen(results[0]);
        else if (n > 1) setActive(0);
        break;
      case 'Escape':
        if (input.value) { event.preventDefault(); input.value = ''; onQuery?.(''); run(''); }
        break;
      default:
    }
  });

  signal?.addEventListener('abort', () => { clearTimeout(timer); inflight?.abort(); }, { once: true });
  if (initial.trim()) run(initial.trim());

  return h('div', { class: 'search-box' },
    h('label', { for: inputId, class: 'field-label' }, h('strong', null, t('customers.searchLabel'))),
    h('p', { id: hintId, class: 'field-hint' }, t('customers.searchHint')),
    combobox, status, list);
}
