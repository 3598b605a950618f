// #/department[?department=dep_…][&day=YYYY-MM-DD]: a department's day (GET /v1/departments/{id}/feed):
// the figures (handoffs in and out, SLA breaches in and out, high-priority conversations, handoffs
// unanswered now) and what happened, newest first — each handoff step (handoff-step.js: kind,
// "Service → Sales", the step, an SLA breach marked, who, the customer, the reason as text, the
// time) and each new high-priority conversation (its subject as text, priority, customer) — with
// "Show more" (next_cursor). The day is the department's (its time zone; today unless the date
// field says otherwise). The signed-in user's department; admins and managers (and a user of none)
// choose one (an admin has none: the first). For managers and admins, the open work per person
// (GET …/load; the server refuses it to agents and viewers). The figures, the entries and the load
// are read again on rapport.handoff.* and rapport.conversation.* events. The page's messages are a
// part (i18n/department/), loaded with it.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { formatDateTime, formatNumber, loadMessages, t, timeElement } from '../i18n.js';
import * as lookups from '../lookups.js';
import { follow } from '../live.js';
import * as session from '../session.js';
import { customerLink, prepare, stepItem } from '../components/handoff-step.js';

const PAGE = 50;
const MOST = 200; // the most entries one request may ask for
const FIGURES = ['handoffs_in', 'handoffs_out', 'sla_breaches_in', 'sla_breaches_out', 'high_priority_conversations', 'unanswered_now'];
const LOAD_COLUMNS = ['open_tasks', 'overdue_tasks', 'open_conversations', 'waiting_conversations', 'handoffs_in_progress', 'total'];
const LOAD_FIGURES = ['unassigned_conversations', 'shared_tasks', 'unanswered_handoffs'];
const MANAGERS = ['admin', 'manager'];
const EVENTS = [
  ...['requested', 'accepted', 'declined', 'done', 'cancelled', 'escalated'].map((change) => `rapport.handoff.${change}`),
  ...['created', 'updated', 'routed'].map((change) => `rapport.conversation.${change}`),
];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export default async function render({ container, query, signal, setTitle }) {
  const me = session.user();
  const [, refs, departments] = await Promise.all([loadMessages('department'), prepare(signal), lookups.optional(lookups.departments)]);
  setTitle(t('department.title'));
  const manager = MANAGERS.includes(me?.role);
  const choosing = manager || !me?.department_id;
  const asked = query?.get('department');
  let departmentId = (choosing && departments.has(asked) ? asked : null) ?? me?.department_id ?? departments.keys().next().value ?? null;
  let day = DAY.test(query?.get('day') ?? '') ? query.get('day') : null; // null: the department's today

  const heading = h('h1', { tabindex: '-1' }, t('department.title'));
  container.append(h('div', { class: 'page-header' }, heading));
  if (!departmentId) {
    container.append(h('p', { class: 'notice notice-info', role: 'status' }, t('department.noDepartment')));
    return;
  }

  // The department and the day.
  const chooserId = uid('department');
  const chooser = choosing ? h('select', { id: chooserId, name: 'department' },
    [...departments.values()].map((d) => h('option', { value: d.id, selected: d.id === departmentId }, d.name ?? d.id))) : null;
  const dayId = uid('day');
  const dayError = h('p', { class: 'field-error', id: `${dayId}-error`, hidden: true });
  const dayInput = h('input', { id: dayId, name: 'day', type: 'date', value: day ?? '', 'aria-describedby': dayError.id });
  const context = h('p', { class: 'muted', 'data-field': 'context' });
  container.append(h('div', { class: 'filter-row', 'data-card': 'department-controls' },
    chooser ? h('div', { class: 'field' }, h('label', { for: chooserId }, t('department.choose')), chooser) : null,
    h('div', { class: 'field' }, h('label', { for: dayId }, t('department.day')), dayInput, dayError)), context);

  // The figures, the entries, the load.
  const figures = h('div', { class: 'dash-parts' });
  const status = h('p', { class: 'muted', role: 'status', 'data-field': 'feed-status' });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const list = h('ol', { class: 'handoff-list', 'aria-labelledby': 'department-entries-title', 'data-list': 'department-feed' });
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true, 'data-action': 'more-entries' }, t('department.more'));
  const load = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('app.loading')));
  container.append(
    h('section', { class: 'card', 'aria-labelledby': 'department-figures-title', 'data-card': 'department-figures' },
      h('h2', { id: 'department-figures-title' }, t('department.figures')), figures),
    h('section', { class: 'card', 'aria-labelledby': 'department-entries-title', 'data-card': 'department-feed' },
      h('h2', { id: 'department-entries-title' }, t('department.entries')), status, problem, list, more),
    manager ? h('section', { class: 'card', 'aria-labelledby': 'department-load-title', 'data-card': 'department-load' },
      h('h2', { id: 'department-load-title' }, t('department.load')), load) : null);

  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };
  const dayProblem = (message) => {
    dayError.textContent = message ?? '';
    dayError.hidden = !message;
    if (message) dayInput.setAttribute('aria-invalid', 'true'); else dayInput.removeAttribute('aria-invalid');
  };
  const shown = new Map(); // entry key -> { element, version }
  let cursor = null;
  let generation = 0;

  const remember = () => {
    const params = new URLSearchParams();
    if (choosing && departmentId !== me?.department_id) params.set('department', departmentId);
    if (day) params.set('day', day);
    const search = params.toString();
    history.replaceState(null, '', `#/department${search ? `?${search}` : ''}`);
  };

  const drawFigures = (summary) => replace(figures, FIGURES.map((key) => h('p', { class: 'tile', 'data-figure': key },
    h('span', { class: 'tile-value' }, formatNumber(Number(summary?.[key] ?? 0))), h('span', { class: 'tile-label' }, t(`department.figure.${key}`)))));

  /** Puts `entries` (a first page) in the list, keeping the elements of those already shown. */
  const place = (entries, fresh) => {
    if (fresh) { shown.clear(); list.replaceChildren(); }
    let before = fresh ? null : list.firstElementChild;
    const keep = new Set();
    for (const entry of entries) {
      const key = entryKey(entry);
      if (!key || keep.has(key)) continue;
      keep.add(key);
      const version = entry.conversation?.updated_at ?? '';
      let item = shown.get(key);
      if (item && item.version !== version) {
        // A conversation changed meanwhile: drawn again in its place.
        const element = entryItem(entry, refs);
        if (before === item.element) before = element;
        item.element.replaceWith(element);
        item = { element, version };
        shown.set(key, item);
      }
      if (!item) { item = { element: entryItem(entry, refs), version }; shown.set(key, item); }
      if (item.element !== before) list.insertBefore(item.element, before);
      before = item.element.nextElementSibling;
    }
    if (!fresh) {
      // What followed the refreshed page is read again with its cursor.
      for (const [key, item] of shown) if (!keep.has(key)) { item.element.remove(); shown.delete(key); }
    }
  };

  const count = () => { status.textContent = shown.size ? t('department.count', { count: shown.size }) : t('department.empty'); };

  /** Reads the feed: `mode` 'fresh' (another department or day), 'more' (the next page) or 'refresh'
   * (after an event: the entries shown so far, read again). */
  const read = async (mode) => {
    const mine = ++generation;
    say(null);
    list.setAttribute('aria-busy', 'true');
    const limit = mode === 'refresh' ? Math.min(MOST, Math.max(PAGE, shown.size)) : PAGE;
    try {
      const feed = await api.get(`/v1/departments/${seg(departmentId)}/feed`,
        { query: { day: day ?? undefined, order: 'desc', limit, cursor: mode === 'more' ? cursor : undefined }, signal });
      if (mine !== generation) return;
      dayProblem(null);
      if (mode === 'more') for (const entry of feed?.data ?? []) append(entry);
      else place(feed?.data ?? [], mode === 'fresh');
      cursor = feed?.next_cursor ?? null;
      more.hidden = !cursor;
      drawFigures(feed?.summary);
      if (!day && typeof feed?.day === 'string') dayInput.value = feed.day;
      const name = departments.get(departmentId)?.name ?? departmentId;
      context.textContent = t('department.context', { department: name, day: formatDay(feed?.day), zone: feed?.time_zone ?? '' });
      heading.textContent = t('department.titleOf', { department: name });
      setTitle(heading.textContent);
      count();
    } catch (error) {
      if (isAbort(error) || error.status === 401 || mine !== generation) return;
      console.warn('department feed', error);
      if (error.status === 400) { dayProblem(t('department.badDay')); status.textContent = ''; return; }
      status.textContent = '';
      say(error.status === 404 ? t('department.notFound') : error.status === 403 ? t('app.forbidden') : t('app.error'));
    } finally {
      if (mine === generation) list.removeAttribute('aria-busy');
    }
  };
  const append = (entry) => {
    const key = entryKey(entry);
    if (!key || shown.has(key)) return;
    const item = { element: entryItem(entry, refs), version: entry.conversation?.updated_at ?? '' };
    shown.set(key, item);
    list.append(item.element);
  };

  let loadGeneration = 0;
  const readLoad = async () => {
    if (!manager) return;
    const mine = ++loadGeneration;
    load.setAttribute('aria-busy', 'true');
    try {
      const body = await api.get(`/v1/departments/${seg(departmentId)}/load`, { signal });
      if (mine !== loadGeneration) return;
      replace(load, loadTable(body ?? {}));
    } catch (error) {
      if (isAbort(error) || error.status === 401 || mine !== loadGeneration) return;
      console.warn('department load', error);
      replace(load, h('p', { class: 'notice notice-error' }, error.status === 403 ? t('app.forbidden') : t('app.error')));
    } finally {
      if (mine === loadGeneration) load.removeAttribute('aria-busy');
    }
  };

  more.addEventListener('click', () => read('more'));
  chooser?.addEventListener('change', () => {
    departmentId = chooser.value;
    remember();
    read('fresh');
    readLoad();
  });
  dayInput.addEventListener('change', () => {
    const value = dayInput.value;
    if (value && !DAY.test(value)) { dayProblem(t('department.badDay')); return; }
    day = value || null;
    remember();
    read('fresh');
  });

  // Colleagues and the deadline watcher change the day meanwhile: read again, a little later (a
  // handoff step is often several events at once).
  let pending = null;
  const soon = () => {
    clearTimeout(pending);
    pending = setTimeout(() => { read('refresh'); readLoad(); }, 300);
  };
  signal.addEventListener('abort', () => clearTimeout(pending), { once: true });
  follow({ filter: EVENTS.map((type) => `type == ${JSON.stringify(type)}`).join(' || '), types: EVENTS, signal, onEvent: soon })
    .catch((error) => console.warn('department events', error));

  await Promise.all([read('fresh'), readLoad()]);
}

function entryKey(entry) {
  if ((entry?.type === 'handoff' || entry?.type === 'sla_breach') && entry.handoff_step?.id) return `step:${entry.handoff_step.id}`;
  if (entry?.type === 'high_priority_conversation' && entry.conversation?.id) return `conversation:${entry.conversation.id}`;
  return null; // a kind this console does not know yet
}

function entryItem(entry, refs) {
  if (entry.type === 'high_priority_conversation') return conversationItem(entry.conversation, entry.at, refs);
  return stepItem(entry.handoff_step, refs, { direction: entry.direction });
}

/** A new high-priority conversation of the day. */
function conversationItem(conversation, at, refs) {
  const priority = conversation.priority === 'urgent' ? 'urgent' : 'high';
  return h('li', { class: 'handoff', dataset: { conversationId: conversation.id, entry: 'conversation' } },
    h('div', { class: 'handoff-head' },
      h('h3', { class: 'handoff-title', 'data-field': 'subject' }, conversation.subject || t('conversations.noSubject')),
      h('span', { class: `badge badge-priority-${priority}`, 'data-field': 'priority' }, t(`priority.${priority}`)),
      conversation.status ? h('span', { class: 'badge', 'data-field': 'status' }, t(`conversation.status.${conversation.status}`)) : null),
    h('p', { class: 'handoff-meta' },
      h('span', null, t('department.highPriority')),
      conversation.customer_id ? customerLink(conversation.customer_id, refs) : null,
      h('a', { href: `#/inbox/${encodeURIComponent(conversation.id)}`, 'data-action': 'open-conversation' }, t('tasks.conversation')),
      timeElement(at ?? conversation.created_at)));
}

/** The open work per person (busiest first) and the department's own. */
function loadTable(body) {
  const people = Array.isArray(body.people) ? body.people : [];
  const caption = t('department.load');
  const table = people.length
    ? h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, h('table', { class: 'table', 'data-table': 'load' },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('department.person')),
        LOAD_COLUMNS.map((key) => h('th', { scope: 'col' }, t(`department.column.${key}`))))),
      h('tbody', null, people.map((person) => h('tr', { 'data-user-id': person.user_id ?? '' },
        h('th', { scope: 'row' }, person.name ?? person.user_id ?? '', person.role ? h('span', { class: 'muted small' }, ' · ', t(`role.${person.role}`)) : null),
        LOAD_COLUMNS.map((key) => h('td', { 'data-column': key }, formatNumber(Number(person[key] ?? 0)))))))))
    : h('p', { class: 'empty' }, t('department.loadEmpty'));
  return [table, h('div', { class: 'dash-parts' }, LOAD_FIGURES.map((key) => h('p', { class: 'tile', 'data-figure': key },
    h('span', { class: 'tile-value' }, formatNumber(Number(body[key] ?? 0))), h('span', { class: 'tile-label' }, t(`department.figure.${key}`)))))];
}

/** 2026-12-04 in words, as the calendar day it is (not shifted by the browser's time zone). */
function formatDay(day) {
  if (typeof day !== 'string' || !DAY.test(day)) return day ?? '';
  return formatDateTime(new Date(`${day}T00:00:00Z`), { dateStyle: 'full', timeZone: 'UTC' });
}
