// #/records: the record types (GET /v1/record-types) by their plural labels.
// #/records/{type}[?filter=…&sort=…&view=board]: the type's records (GET /v1/records/{type}) as a
// table — the first five fields that take values and the time of the last change — with a CEL filter
// (Enter applies it; one the server cannot run shows its reason beside the box), sort by a column's
// header (aria-sort), "Show more" (next_cursor) and "New" opening the form generated from the fields
// (record-form.js). A type with a pipeline (stages) switches between the Table and the Board
// (record-board.js, loaded with its messages when first shown; the choice is in the address).
// #/records/{type}/{id}: one record (record-detail.js). The pages follow the rapport.record.* and
// rapport.record_type.* events. Their messages are a part (i18n/records/), loaded with the page.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { loadMessages, t, timeElement } from '../i18n.js';
import { follow } from '../live.js';
import * as session from '../session.js';
import { clearErrors, field } from '../components/form.js';
import { recordDetail } from '../components/record-detail.js';
import { recordForm } from '../components/record-form.js';
import {
  DEFINERS, LIST_KINDS, RECORD_EVENTS, WRITERS, display, eventRecord, liveBadge, liveFields, notFound, plain, references,
} from '../components/record-values.js';

const PAGE = 50;
const MOST = 200; // the most records one request may ask for
const COLUMNS = 5;
const LIVE_FILTER = RECORD_EVENTS.map((type) => `type == ${JSON.stringify(type)}`).join(' || ');

export default async function render(context) {
  await loadMessages('records');
  if (context.signal.aborted) return;
  const role = session.user()?.role;
  if (context.params.type && context.params.id) return recordDetail({ ...context, role });
  if (context.params.type) return recordsOfType({ ...context, role });
  return recordTypes({ ...context, role });
}

async function recordTypes({ container, signal, setTitle, role }) {
  setTitle(t('records.title'));
  const live = liveBadge();
  const status = h('p', { class: 'muted', role: 'status', 'data-field': 'types-status' });
  const list = h('ul', { class: 'record-type-list', 'aria-labelledby': 'record-types-title', 'data-list': 'record-types' });
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('records.title')), live.element),
    h('section', { class: 'card', 'aria-labelledby': 'record-types-title', 'data-card': 'record-types' },
      h('h2', { id: 'record-types-title' }, t('records.types')), status, list,
      DEFINERS.includes(role) ? h('p', null, h('a', { href: '#/admin/record-types', 'data-action': 'define-types' }, t('records.define'))) : null));

  const load = async () => {
    try {
      const body = await api.get('/v1/record-types', { signal });
      const types = (body?.data ?? []).filter((type) => typeof type?.key === 'string');
      replace(list, types.map((type) => h('li', { 'data-type': type.key },
        h('a', { href: `#/records/${encodeURIComponent(type.key)}`, 'data-action': 'open-type' }, type.plural_label || type.label || type.key),
        type.description ? h('p', { class: 'muted small' }, type.description) : null)));
      status.textContent = types.length ? t('records.typeCount', { count: types.length }) : t('records.noTypes');
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      status.textContent = error.status === 403 ? t('records.forbidden') : t('app.error');
    }
  };
  follow({ filter: LIVE_FILTER, types: RECORD_EVENTS, signal, onState: live.set,
    onEvent: (event) => { if (event.type.startsWith('rapport.record_type.')) load(); } })
    .catch((error) => console.warn('record events', error));
  await load();
}

async function recordsOfType({ container, params, query, signal, setTitle, role }) {
  let type;
  try {
    type = await api.get(`/v1/record-types/${seg(params.type)}`, { signal });
  } catch (error) {
    if (error.status === 404) { notFound(container, setTitle); return; }
    throw error;
  }
  const refs = await references(signal);
  if (signal.aborted) return;
  const canWrite = WRITERS.includes(role);
  let filter = query?.get('filter') ?? '';
  let sort = query?.get('sort') ?? '';
  let view = query?.get('view') === 'board' ? 'board' : 'table';
  let records = [];
  let cursor = null;
  let generation = 0;
  let board = null; // the Board, made when first shown
  const staged = () => Array.isArray(type.stages) && type.stages.length > 0;

  // The page: where it is, the filter, the new record's form, the table.
  const live = liveBadge();
  const heading = h('h1', { tabindex: '-1' });
  const description = h('p', { class: 'muted', 'data-field': 'type-description' });
  const newId = uid('new-record');
  const newButton = canWrite ? h('button', { type: 'button', class: 'button button-primary', 'data-action': 'new-record',
    'aria-expanded': 'false', 'aria-controls': newId }, t('records.new')) : null;
  const filterField = field({
    label: t('records.filter'), name: 'filter', value: filter, hint: t('records.filterHint'),
    attrs: { spellcheck: 'false', autocomplete: 'off', class: 'mono', 'data-autofocus': true },
  });
  const filterForm = h('form', { class: 'card form', novalidate: true, role: 'search', 'aria-label': t('records.filter'), 'data-form': 'record-filter' },
    h('div', { class: 'filter-row' }, filterField.element,
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button' }, t('records.apply')))));
  const newTitle = h('h2', { id: `${newId}-title` });
  const notice = h('div', { role: 'status', 'data-field': 'record-notice' });
  const newCard = h('section', { id: newId, class: 'card', 'aria-labelledby': newTitle.id, 'data-card': 'new-record', hidden: true }, newTitle);
  const listTitle = h('h2', { id: 'records-list-title', tabindex: '-1' });
  const status = h('p', { class: 'muted', role: 'status', 'data-field': 'records-status' });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const tableSlot = h('div');
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true, 'data-action': 'more-records' }, t('records.more'));
  const tableCard = h('section', { class: 'card', 'aria-labelledby': listTitle.id, 'data-card': 'records' }, listTitle, status, problem, tableSlot, more);
  const boardProblem = h('p', { class: 'notice notice-error', role: 'alert', hidden: true, 'data-field': 'board-view-problem' });
  const boardSlot = h('div', { 'data-slot': 'board-view', hidden: true }, boardProblem);
  const viewButtons = Object.fromEntries(['table', 'board'].map((key) => [key, h('button', {
    type: 'button', 'aria-pressed': 'false', 'data-view': key, onclick: () => show(key) }, t(`records.view.${key}`))]));
  const viewSwitch = h('div', { class: 'status-tabs view-switch', role: 'group', 'aria-label': t('records.view'), 'data-field': 'view-switch', hidden: true },
    viewButtons.table, viewButtons.board);
  container.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/records' }, t('records.title'))),
    h('div', { class: 'page-header' }, heading, live.element, newButton),
    description, notice, viewSwitch, filterForm, newCard, tableCard, boardSlot);

  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };
  const sayAboveBoard = (message) => { boardProblem.textContent = message ?? ''; boardProblem.hidden = !message; };
  const label = () => type.label || type.key;
  const labels = () => {
    setTitle(type.plural_label || label());
    heading.textContent = type.plural_label || label();
    description.textContent = type.description ?? '';
    description.hidden = !type.description;
    listTitle.textContent = t('records.listOf', { plural: type.plural_label || label() });
    newTitle.textContent = t('records.newOf', { label: label() });
  };
  labels();

  // The new record's form, made when first opened.
  let form = null;
  const openForm = () => {
    if (!form) {
      form = recordForm({
        type, refs, signal,
        onSaved: (record) => {
          replace(notice, h('p', { class: 'notice notice-success' }, t('records.created', { label: label() }), ' ',
            h('a', { href: `#/records/${encodeURIComponent(type.key)}/${encodeURIComponent(record.id)}`, 'data-action': 'open-created' }, t('records.openCreated'))));
          schedule(0);
        },
        onCancel: () => closeForm(true),
      });
      newCard.append(form.element);
    }
    newCard.hidden = false;
    newButton.setAttribute('aria-expanded', 'true');
    form.focus();
  };
  const closeForm = (focus) => {
    newCard.hidden = true;
    newButton?.setAttribute('aria-expanded', 'false');
    if (focus) newButton?.focus();
  };
  newButton?.addEventListener('click', () => (newCard.hidden ? openForm() : closeForm(false)));

  // The table.
  const columns = () => {
    const fields = liveFields(type).slice(0, COLUMNS).map((f) => ({ key: f.key, label: f.label || f.key, field: f, sortable: !LIST_KINDS.has(f.kind) }));
    // A type without fields still has a column to open its records by.
    return [...(fields.length ? fields : [{ key: 'id', label: t('records.id'), field: null, sortable: false }]),
      { key: 'updated_at', label: t('records.updated'), sortable: true }];
  };
  const sortButton = (column) => {
    const direction = sort === column.key ? 'ascending' : sort === `-${column.key}` ? 'descending' : null;
    const next = direction === 'ascending' ? `-${column.key}` : direction === 'descending' ? column.key : column.key === 'updated_at' ? '-updated_at' : column.key;
    return h('button', {
      type: 'button', class: 'sort-button', 'data-sort': column.key,
      'aria-label': t(direction === 'ascending' ? 'records.sortedAscending' : direction === 'descending' ? 'records.sortedDescending' : 'records.sortBy', { column: column.label }),
      onclick: () => apply(filter, next, column.key),
    }, column.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, direction === 'ascending' ? ' ▲' : direction === 'descending' ? ' ▼' : ''));
  };
  const row = (record, cols) => h('tr', { 'data-id': record.id, 'data-version': String(record.version ?? '') }, cols.map((c, i) => {
    if (c.key === 'updated_at') return h('td', { 'data-field': 'updated_at' }, timeElement(record.updated_at));
    const value = c.field ? record.fields?.[c.key] : null;
    if (i === 0) {
      return h('th', { scope: 'row', 'data-field': c.key }, h('a', {
        href: `#/records/${encodeURIComponent(type.key)}/${encodeURIComponent(record.id)}`, 'data-action': 'open-record',
      }, plain(c.field, value) || record.id));
    }
    return h('td', { 'data-field': c.key }, display(c.field, value, refs));
  }));
  const draw = () => {
    const focused = tableSlot.contains(document.activeElement) ? document.activeElement : null;
    const again = focused?.dataset.sort ? `[data-sort="${focused.dataset.sort}"]`
      : focused?.closest('tr')?.dataset.id ? `tr[data-id="${focused.closest('tr').dataset.id}"] a[data-action=open-record]` : null;
    const cols = columns();
    if (!records.length) {
      replace(tableSlot, h('p', { class: 'empty' }, filter ? t('records.noneMatch') : t('records.none', { plural: type.plural_label || label() })));
    } else {
      replace(tableSlot, h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': listTitle.id },
        h('table', { class: 'table record-table', 'data-type': type.key },
          h('caption', { class: 'visually-hidden' }, listTitle.textContent),
          h('thead', null, h('tr', null, cols.map((c) => {
            const direction = sort === c.key ? 'ascending' : sort === `-${c.key}` ? 'descending' : null;
            return h('th', { scope: 'col', 'aria-sort': direction, 'data-column': c.key }, c.sortable ? sortButton(c) : c.label);
          }))),
          h('tbody', null, records.map((record) => row(record, cols))))));
    }
    status.textContent = records.length ? t('records.count', { count: records.length }) : '';
    more.hidden = !cursor;
    if (again) tableSlot.querySelector(again)?.focus();
  };

  const remember = () => {
    const search = new URLSearchParams();
    if (filter) search.set('filter', filter);
    if (sort) search.set('sort', sort);
    if (view === 'board') search.set('view', 'board');
    const text = search.toString();
    history.replaceState(null, '', `#/records/${encodeURIComponent(type.key)}${text ? `?${text}` : ''}`);
  };

  /** Reads the records: `mode` 'fresh' (another filter or sort), 'more' (the next page) or 'refresh'
   * (after an event: as many as are shown, read again). Resolves true when the server answered. */
  const read = async (mode, nextFilter = filter, nextSort = sort) => {
    const mine = ++generation;
    const limit = mode === 'refresh' ? Math.min(MOST, Math.max(PAGE, records.length + 1)) : PAGE;
    tableSlot.setAttribute('aria-busy', 'true');
    try {
      const page = await api.get(`/v1/records/${seg(type.key)}`, {
        query: { filter: nextFilter || null, sort: nextSort || null, limit, cursor: mode === 'more' ? cursor : null }, signal });
      if (mine !== generation) return false;
      const items = (page?.data ?? []).filter((r) => typeof r?.id === 'string');
      if (mode === 'more') {
        const known = new Set(records.map((r) => r.id));
        records = [...records, ...items.filter((r) => !known.has(r.id))];
      } else {
        records = items;
      }
      cursor = page?.next_cursor ?? null;
      say(null);
      draw();
      return true;
    } catch (error) {
      if (mine !== generation) return false;
      return refused(error);
    } finally {
      if (mine === generation) tableSlot.removeAttribute('aria-busy');
    }
  };

  /** A read the server refused: a filter it cannot run beside the box, the rest above the list. */
  const refused = (error, tell = say) => {
    if (isAbort(error) || error.status === 401) return false;
    if ((error.status === 400 || error.status === 422) && error.fieldErrors.filter) {
      filterField.setError(t('records.badFilter', { detail: error.fieldErrors.filter }));
      filterField.input.focus();
    } else if ((error.status === 400 || error.status === 422) && error.fieldErrors.sort) {
      tell(t('records.badSort'));
    } else {
      console.warn('records', error);
      tell(error.status === 403 ? t('records.forbidden') : t('app.error'));
    }
    return false;
  };

  /** The Board: its module and messages loaded when first shown; reads the records of `nextFilter`. */
  const readBoard = async (nextFilter) => {
    if (!board) {
      const module = await import('../components/record-board.js');
      await module.prepare();
      if (signal.aborted) return false;
      board ??= module.recordBoard({ type, refs, signal, canWrite });
      boardSlot.append(board.element);
    }
    try {
      return await board.load(nextFilter);
    } catch (error) {
      return refused(error, sayAboveBoard);
    }
  };

  /** The Table or the Board (a type without stages has the Table only), read afresh. */
  const show = (next, { initial = false } = {}) => {
    view = next === 'board' && staged() ? 'board' : 'table';
    viewSwitch.hidden = !staged();
    for (const [key, button] of Object.entries(viewButtons)) button.setAttribute('aria-pressed', String(key === view));
    tableCard.hidden = view === 'board';
    boardSlot.hidden = view !== 'board';
    if (!initial) remember();
    say(null);
    sayAboveBoard(null);
    return view === 'board' ? readBoard(filter) : read('fresh');
  };

  /** Another filter or sort: kept (and in the address) when the server runs it. */
  const apply = async (nextFilter, nextSort, focusSort = null) => {
    clearErrors([filterField]);
    if (await (view === 'board' ? readBoard(nextFilter) : read('fresh', nextFilter, nextSort))) {
      filter = nextFilter;
      sort = nextSort;
      remember();
      draw();
      if (focusSort) tableSlot.querySelector(`[data-sort="${focusSort}"]`)?.focus();
    }
  };
  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    apply(filterField.input.value.trim(), sort);
  });
  more.addEventListener('click', () => read('more'));

  // Live: a change to a record shown is drawn at once; a new one (or one the filter or the order may
  // now place elsewhere) reads the list again, a moment later.
  let timer = null;
  const schedule = (delay = 300) => {
    clearTimeout(timer);
    timer = setTimeout(() => (view === 'board' ? readBoard(filter) : read('refresh')), delay);
  };
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  const onEvent = async (event) => {
    const item = eventRecord(event);
    if (event.type.startsWith('rapport.record_type.')) {
      if (item?.key !== type.key) return;
      try {
        type = Array.isArray(item.fields) ? item : await api.get(`/v1/record-types/${seg(type.key)}`, { signal });
      } catch { return; }
      labels();
      draw();
      form?.retype(type);
      board?.retype(type);
      if (view === 'board' && !staged()) show('table');
      else viewSwitch.hidden = !staged();
      return;
    }
    if (item?.type !== type.key || typeof item?.id !== 'string') return;
    if (view === 'board') { board?.onEvent(event); return; }
    const index = records.findIndex((r) => r.id === item.id);
    if (event.type === 'rapport.record.deleted') {
      if (index >= 0) { records.splice(index, 1); draw(); }
      return;
    }
    if (event.type === 'rapport.record.updated' && index >= 0) {
      if ((records[index].version ?? 0) < (item.version ?? 0)) {
        records[index] = item;
        draw();
      }
      if (!filter && !sort) return;
    }
    schedule();
  };
  follow({ filter: LIVE_FILTER, types: RECORD_EVENTS, signal, onEvent, onState: live.set })
    .catch((error) => console.warn('record events', error));

  if (!(await show(view, { initial: true })) && (filter || sort) && !signal.aborted) {
    // A filter or an order from the address the server refuses: said (beside the box); the records
    // are shown as they come.
    const said = [problem, boardProblem].find((p) => !p.hidden)?.textContent ?? null;
    filter = '';
    sort = '';
    if (await show(view, { initial: true }) && said) (view === 'board' ? sayAboveBoard : say)(said);
  }
}
