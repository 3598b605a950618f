// The instances of one process (views/process.js): GET /v1/process-instances?process=KEY, filtered
// by status, newest first as the server lists them, "Show more" with the cursor. Each row: the
// instance (a link to its page), status, business key, customer (a link to the Customer 360),
// version, when it started and where it waits.

import { api } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t, timeElement } from '../i18n.js';
import { customerHref, instanceHref, STATUSES, statusBadge, waitsText } from './process-text.js';

const PAGE = 50;

/** `nameOf(node id)` names the nodes of the version shown. Returns { element, load() }. */
export function instanceList({ processKey, signal, nameOf }) {
  const titleId = uid('instances-title');
  const filterId = uid('instances-status');
  const filter = h('select', { id: filterId, name: 'status', 'data-field': 'instances-filter' },
    h('option', { value: '' }, t('processes.instances.all')),
    STATUSES.map((status) => h('option', { value: status }, t(`processes.status.${status}`))));
  const status = h('p', { class: 'muted', role: 'status', 'data-field': 'instances-status' });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true, 'data-field': 'instances-problem' });
  const slot = h('div', { 'data-slot': 'instances' });
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true, 'data-action': 'more-instances' }, t('processes.instances.more'));
  const element = h('section', { class: 'card', 'aria-labelledby': titleId, 'data-card': 'instances' },
    h('h2', { id: titleId }, t('processes.instances.title')),
    h('div', { class: 'field instances-filter' }, h('label', { for: filterId }, t('processes.instances.filter')), filter),
    status, problem, slot, more);

  let items = [];
  let cursor = null;
  let generation = 0;

  const draw = () => {
    more.hidden = !cursor;
    if (!items.length) {
      replace(slot, h('p', { class: 'empty', 'data-field': 'no-instances' }, t('processes.instances.none')));
      status.textContent = '';
      return;
    }
    status.textContent = t('processes.instances.count', { count: items.length });
    replace(slot, h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': titleId },
      h('table', { class: 'table instance-table', 'data-table': 'instances' },
        h('caption', { class: 'visually-hidden' }, t('processes.instances.title')),
        h('thead', null, h('tr', null,
          ['instance', 'status', 'businessKey', 'customer', 'version', 'started', 'waits'].map((column) =>
            h('th', { scope: 'col' }, t(`processes.instances.${column}`))))),
        h('tbody', null, items.map((instance) => h('tr', { 'data-id': instance.id, 'data-status': instance.status },
          h('th', { scope: 'row', 'data-field': 'instance' },
            h('a', { href: instanceHref(instance.id), 'data-action': 'open-instance', class: 'mono' }, instance.id)),
          h('td', { 'data-field': 'status' }, statusBadge(instance.status)),
          h('td', { 'data-field': 'business_key' }, instance.business_key ?? ''),
          h('td', { 'data-field': 'customer' }, instance.customer_id
            ? h('a', { href: customerHref(instance.customer_id), class: 'mono' }, instance.customer_id) : ''),
          h('td', { 'data-field': 'version' }, String(instance.process_version ?? '')),
          h('td', { 'data-field': 'started' }, timeElement(instance.created_at)),
          h('td', { 'data-field': 'waits' }, waitsText(instance, nameOf))))))));
  };

  const load = async (mode = 'fresh') => {
    const mine = ++generation;
    slot.setAttribute('aria-busy', 'true');
    more.disabled = true;
    try {
      const page = await api.get('/v1/process-instances', { query: {
        process: processKey, status: filter.value || null, limit: PAGE, cursor: mode === 'more' ? cursor : null }, signal });
      if (mine !== generation) return;
      const found = (page?.data ?? []).filter((i) => typeof i?.id === 'string');
      if (mode === 'more') {
        const known = new Set(items.map((i) => i.id));
        items = [...items, ...found.filter((i) => !known.has(i.id))];
      } else {
        items = found;
      }
      cursor = page?.next_cursor ?? null;
      problem.hidden = true;
      draw();
    } catch (error) {
      if (isAbort(error) || error.status === 401 || mine !== generation) return;
      problem.textContent = error.status === 403 ? t('processes.forbidden') : t('app.error');
      problem.hidden = false;
    } finally {
      if (mine === generation) { slot.removeAttribute('aria-busy'); more.disabled = false; }
    }
  };
  filter.addEventListener('change', () => load());
  more.addEventListener('click', () => load('more'));

  return { element, load };
}
