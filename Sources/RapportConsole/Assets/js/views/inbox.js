// #/inbox[/{conversation}]?department=…&queue=…&who=me|unassigned&status=…
// Filters and counts, the conversation list, the open conversation, all kept current by one
// event stream: a new message appears without reload.

import { api } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t } from '../i18n.js';
import { follow } from '../live.js';
import * as lookups from '../lookups.js';
import { navigate } from '../router.js';
import * as session from '../session.js';
import { conversationList } from '../components/conversation-list.js';
import { conversationView } from '../components/conversation-view.js';

const STATUSES = ['open', 'pending', 'snoozed', 'resolved'];
const PAGE = 50;
const LIVE_TYPES = ['rapport.interaction.created', 'rapport.conversation.created', 'rapport.conversation.updated', 'rapport.conversation.routed'];

export default async function render({ container, params, query, signal, setTitle }) {
  setTitle(t('inbox.title'));
  const me = session.user();
  let state = readState(params, query);
  // The first page is asked for at once, beside the lookups its display uses.
  const firstFilter = listFilter(state, me, { limit: PAGE });
  let firstPage = api.get('/v1/conversations', { query: firstFilter, signal });
  firstPage.catch(() => {});
  const [channels, users, departments, queues] = await Promise.all([
    lookups.optional(lookups.channels), lookups.optional(lookups.users),
    lookups.optional(lookups.departments), lookups.optional(lookups.queues),
  ]);
  const refs = { channels, users, departments, queues };

  const liveStatus = h('span', { class: 'badge live-status', role: 'status' }, t('inbox.connecting'));
  const filtersSlot = h('div');
  const tabs = h('div', { class: 'status-tabs', role: 'group', 'aria-label': t('inbox.statusFilter') });
  const listRegion = h('section', { class: 'card inbox-list', 'aria-labelledby': 'inbox-list-title' },
    h('h2', { id: 'inbox-list-title' }, t('inbox.conversations')));
  const detailRegion = h('div', { class: 'inbox-detail' });
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('inbox.title')), liveStatus),
    filtersSlot,
    tabs,
    h('div', { class: 'inbox' }, listRegion, detailRegion));

  const hrefFor = (conversationId, next = state) => {
    const q = new URLSearchParams();
    if (next.department) q.set('department', next.department);
    if (next.queue) q.set('queue', next.queue);
    if (next.who) q.set('who', next.who);
    if (next.status !== 'open') q.set('status', next.status);
    const search = q.toString();
    return `#/inbox${conversationId ? `/${encodeURIComponent(conversationId)}` : ''}${search ? `?${search}` : ''}`;
  };
  const setFilters = (change) => navigate(hrefFor(state.conversation, { ...state, ...change }), { replace: true });

  // The list
  let cursor = null;
  let loadedCount = 0;
  let listController = null;
  const list = conversationList({ href: (c) => hrefFor(c.id), onMore: () => loadList({ append: true }), channels, users });
  listRegion.append(list.element);

  const loadList = async ({ append = false } = {}) => {
    listController?.abort();
    const controller = new AbortController();
    listController = controller;
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    const filter = listFilter(state, me, {
      limit: append ? PAGE : Math.max(PAGE, Math.min(loadedCount, 500)),
      cursor: append ? cursor : undefined,
    });
    // The page asked for at start-up serves the first call, when nothing changed meanwhile.
    const early = firstPage;
    firstPage = null;
    listRegion.setAttribute('aria-busy', 'true');
    try {
      const page = early && !append && sameFilter(filter, firstFilter)
        ? await early
        : await api.get('/v1/conversations', { query: filter, signal: controller.signal });
      cursor = page?.next_cursor ?? null;
      const items = page?.data ?? [];
      loadedCount = append ? loadedCount + items.length : items.length;
      list.show(items, Boolean(cursor), { append });
      list.setCurrent(state.conversation);
      drawTabs(page?.counts ?? {});
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      console.warn('inbox', error);
      list.show([], false);
    } finally {
      if (listController === controller) listRegion.removeAttribute('aria-busy');
    }
  };

  const drawTabs = (counts) => {
    replace(tabs, STATUSES.map((status) => {
      const b = h('button', { type: 'button', 'aria-pressed': String(status === state.status), dataset: { status } },
        t(`conversation.status.${status}`), ' ', h('span', { class: 'count' }, t('inbox.count', { count: counts[status] ?? 0 })));
      b.addEventListener('click', () => setFilters({ status }));
      return b;
    }));
  };

  const drawFilters = () => {
    const select = (label, value, options, onChange) => {
      const id = uid('filter');
      const control = h('select', { id }, options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
      control.addEventListener('change', () => onChange(control.value));
      return h('div', { class: 'field' }, h('label', { for: id }, label), control);
    };
    const queueOptions = [...queues.values()].filter((q) => !state.department || q.department_id === state.department);
    replace(filtersSlot, h('div', { class: 'inbox-filters', role: 'search', 'aria-label': t('inbox.filters') },
      select(t('inbox.department'), state.department, [{ value: '', label: t('inbox.allDepartments') },
        ...[...departments.values()].map((d) => ({ value: d.id, label: d.name }))], (value) => setFilters({ department: value, queue: '' })),
      select(t('inbox.queue'), state.queue, [{ value: '', label: t('inbox.allQueues') },
        ...queueOptions.map((q) => ({ value: q.id, label: q.name }))], (value) => setFilters({ queue: value })),
      select(t('inbox.assignedTo'), state.who, [
        { value: '', label: t('inbox.anyone') }, { value: 'me', label: t('inbox.mine') }, { value: 'unassigned', label: t('inbox.unassigned') },
      ], (value) => setFilters({ who: value }))));
  };

  // The open conversation
  let view = null;
  let viewController = null;
  const openConversation = () => {
    viewController?.abort();
    view = null;
    if (!state.conversation) {
      replace(detailRegion, h('div', { class: 'card' }, h('p', { class: 'empty' }, t('inbox.pick'))));
      return;
    }
    viewController = new AbortController();
    signal.addEventListener('abort', () => viewController.abort(), { once: true });
    view = conversationView(state.conversation, { me, refs, signal: viewController.signal, onChanged: () => loadList() });
    replace(detailRegion, view.element);
  };

  // Live updates: one stream, refreshes coalesced.
  let pending = null;
  const touched = new Set();
  const schedule = (event) => {
    const data = event?.data ?? {};
    touched.add(data.conversation?.id ?? null);
    touched.add(data.interaction?.customer_id ?? null);
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      loadList();
      if (view && (touched.has(state.conversation) || touched.has(view.customerId()))) view.refresh();
      touched.clear();
    }, 100);
  };
  signal.addEventListener('abort', () => clearTimeout(pending), { once: true });
  follow({
    filter: LIVE_TYPES.map((type) => `type == "${type}"`).join(' || '),
    signal,
    onEvent: schedule,
    onState: (s) => {
      liveStatus.textContent = t(`inbox.live.${s}`);
      liveStatus.className = `badge live-status ${s === 'live' ? 'badge-resolved' : ''}`;
      liveStatus.dataset.state = s;
    },
  });

  drawFilters();
  drawTabs({});
  await loadList();
  openConversation();

  return {
    update(nextParams, nextQuery) {
      const next = readState(nextParams, nextQuery);
      const filtersChanged = ['department', 'queue', 'who', 'status'].some((k) => next[k] !== state[k]);
      const conversationChanged = next.conversation !== state.conversation;
      state = next;
      if (filtersChanged) { drawFilters(); loadList(); }
      if (conversationChanged) {
        list.setCurrent(state.conversation);
        openConversation();
        detailRegion.querySelector('h2')?.setAttribute('tabindex', '-1');
        detailRegion.querySelector('h2')?.focus();
      }
    },
  };
}

function readState(params, query) {
  const status = query.get('status');
  const who = query.get('who');
  return {
    conversation: params.conversation || null,
    department: query.get('department') ?? '',
    queue: query.get('queue') ?? '',
    who: who === 'me' || who === 'unassigned' ? who : '',
    status: STATUSES.includes(status) ? status : 'open',
  };
}

/** The list request's query for `state`: its filters, whose conversations, with their customers' names. */
function listFilter(state, me, { limit, cursor } = {}) {
  return {
    department_id: state.department || undefined,
    queue_id: state.queue || undefined,
    assignee_id: state.who === 'me' ? me?.id : undefined,
    unassigned: state.who === 'unassigned' ? 'true' : undefined,
    status: state.status,
    limit,
    cursor,
    include: 'customer',
  };
}

function sameFilter(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
