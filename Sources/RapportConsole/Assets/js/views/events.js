// #/events?filter=…: the event log as it happens. A CEL filter (checked by the server first: a
// bad one shows its line:column beside the box), one event stream from the log's head, newest
// first, at most MAX events kept; pause holds new events back until resume.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { EVENT_TYPES } from '../event-types.js';
import { follow } from '../live.js';
import { eventItem } from '../components/event-item.js';
import { clearErrors, field, formMessage } from '../components/form.js';

const MAX = 500;

export default function render({ container, query, signal, setTitle }) {
  setTitle(t('events.title'));
  let filter = query.get('filter') ?? '';
  let paused = false;
  let held = [];
  let streamController = null;

  const liveStatus = h('span', { class: 'badge live-status', role: 'status' }, t('inbox.connecting'));
  const filterField = field({
    label: t('events.filter'), name: 'filter', value: filter, hint: t('events.filterHint'),
    attrs: { spellcheck: 'false', autocomplete: 'off', class: 'mono', 'data-autofocus': true },
  });
  const message = formMessage();
  const apply = h('button', { type: 'submit', class: 'button button-primary' }, t('events.apply'));
  const pause = h('button', { type: 'button', class: 'button', 'aria-pressed': 'false', 'data-action': 'pause' }, t('events.pause'));
  const clear = h('button', { type: 'button', class: 'button', 'data-action': 'clear' }, t('events.clear'));
  const form = h('form', { class: 'card form', novalidate: true, role: 'search', 'aria-label': t('events.filter') },
    message.element,
    h('div', { class: 'filter-row' }, filterField.element, h('div', { class: 'form-actions' }, apply)));
  const summary = h('p', { class: 'muted small', 'aria-live': 'polite' });
  const list = h('ol', { class: 'event-list', 'aria-label': t('events.list') });
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('events.title')), liveStatus),
    form,
    h('section', { class: 'card', 'aria-labelledby': 'events-list-title' },
      h('div', { class: 'page-header' }, h('h2', { id: 'events-list-title' }, t('events.list')), h('div', { class: 'actions-row' }, pause, clear)),
      summary, list));

  const describe = () => {
    const shown = list.children.length;
    summary.textContent = paused && held.length
      ? t('events.held', { count: held.length })
      : t('events.count', { count: shown, max: MAX });
  };
  const show = (events) => {
    // `events` oldest first; the list is newest first.
    for (const event of events) list.prepend(eventItem(event));
    while (list.children.length > MAX) list.lastElementChild.remove();
    describe();
  };
  const onEvent = (event) => {
    if (paused) {
      held.push(event);
      if (held.length > MAX) held = held.slice(-MAX);
      describe();
    } else {
      show([event]);
    }
  };
  const setState = (state) => {
    liveStatus.dataset.state = state;
    liveStatus.textContent = t(`inbox.live.${state}`);
  };

  const start = () => {
    streamController?.abort();
    streamController = new AbortController();
    const mine = streamController;
    signal.addEventListener('abort', () => mine.abort(), { once: true });
    follow({ filter, types: EVENT_TYPES, onEvent, onState: (state) => { if (!mine.signal.aborted || state === 'closed') setState(state); }, signal: mine.signal });
  };

  const applyFilter = async (next) => {
    clearErrors([filterField]);
    message.show(null);
    apply.disabled = true;
    try {
      // The stream cannot say why it refuses a filter; the log's list answers 400 with line:column.
      if (next) await api.get('/v1/events', { query: { filter: next, limit: 1 }, signal });
    } catch (error) {
      apply.disabled = false;
      if (signal.aborted || error.status === 401) return;
      if (error.status === 400) {
        const detail = error.fieldErrors.filter ?? error.message;
        filterField.setError(t('events.badFilter', { detail }));
        filterField.input.focus();
      } else {
        message.show(t('app.error'));
      }
      return;
    }
    apply.disabled = false;
    filter = next;
    history.replaceState(null, '', filter ? `#/events?filter=${encodeURIComponent(filter)}` : '#/events');
    replace(list);
    held = [];
    describe();
    start();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    applyFilter(filterField.input.value.trim());
  });
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.setAttribute('aria-pressed', String(paused));
    pause.textContent = paused ? t('events.resume') : t('events.pause');
    if (!paused) {
      const events = held;
      held = [];
      show(events);
    }
    describe();
  });
  clear.addEventListener('click', () => {
    replace(list);
    held = [];
    describe();
  });

  applyFilter(filter);
}
