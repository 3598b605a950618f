// #/segments: the saved customer filters (GET /v1/segments) with their live member counts, and "New
// segment" (segment-form.js) for those who may write customers. #/segments/{id}: one segment — its
// name, description, filter as code, count and members (GET /v1/segments/{id}/members, "Show more"
// with the cursor), each a link to the Customer 360; Edit (PUT with If-Match) and Delete after a
// confirmation. Both follow rapport.segment.*: a segment created, changed or deleted, and a customer
// entering or leaving one (its count read again: GET answers are always current). Messages:
// i18n/segments/, loaded with the page.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { formatNumber, loadMessages, t, timeElement } from '../i18n.js';
import { follow } from '../live.js';
import * as session from '../session.js';
import { segmentETag, segmentForm } from '../components/segment-form.js';

const WRITERS = ['admin', 'manager', 'agent']; // customers:write
const PAGE = 50;
const MOST = 500; // the most members one request may ask for
const SEGMENT_EVENTS = ['created', 'updated', 'deleted', 'entered', 'left'].map((change) => `rapport.segment.${change}`);
const LIVE_FILTER = SEGMENT_EVENTS.map((type) => `type == ${JSON.stringify(type)}`).join(' || ');

export default async function render(context) {
  await loadMessages('segments');
  if (context.signal.aborted) return;
  const canWrite = WRITERS.includes(session.user()?.role);
  if (context.params.id) return segmentPage({ ...context, canWrite });
  return segmentList({ ...context, canWrite });
}

function liveBadge() {
  const badge = h('span', { class: 'badge live-status', role: 'status', 'data-state': 'connecting' }, t('inbox.connecting'));
  return { element: badge, set: (state) => { badge.dataset.state = state; badge.textContent = t(`inbox.live.${state}`); } };
}

/** The segment an event is about: its id (created/updated/deleted: the subject; entered/left: data.segment.segment_id). */
function segmentOf(event) {
  const data = event?.data?.segment;
  if (event.type === 'rapport.segment.entered' || event.type === 'rapport.segment.left') return data?.segment_id ?? null;
  return data?.id ?? event?.subject ?? null;
}

/** Runs `read(id)` for each id asked for, at most one at a time per id; an id asked for again while
 * it is read is read once more afterwards (so the last answer is never older than the last ask). */
function coalesced(read) {
  const state = new Map(); // id -> 'running' | 'again'
  const run = async (id) => {
    if (state.has(id)) { state.set(id, 'again'); return; }
    state.set(id, 'running');
    try {
      do {
        state.set(id, 'running');
        await read(id);
      } while (state.get(id) === 'again');
    } finally {
      state.delete(id);
    }
  };
  return run;
}

const segmentHref = (id) => `#/segments/${encodeURIComponent(id)}`;
const countText = (segment) => (typeof segment?.count === 'number' ? t('segments.count', { count: segment.count }) : '');

async function segmentList({ container, signal, setTitle, canWrite }) {
  setTitle(t('segments.title'));
  const live = liveBadge();
  const newId = uid('new-segment');
  const newButton = canWrite ? h('button', { type: 'button', class: 'button button-primary', 'data-action': 'new-segment',
    'aria-expanded': 'false', 'aria-controls': newId }, t('segments.new')) : null;
  const newCard = h('section', { id: newId, class: 'card', 'aria-labelledby': `${newId}-title`, 'data-card': 'new-segment', hidden: true },
    h('h2', { id: `${newId}-title` }, t('segments.new')));
  const status = h('p', { class: 'muted', role: 'status', 'data-field': 'segments-status' });
  const problem = h('p', { class: 'notice notice-error', role: 'alert', hidden: true, 'data-field': 'segments-problem' });
  const tableSlot = h('div');
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('segments.title')), live.element, newButton),
    h('p', { class: 'muted' }, t('segments.intro')),
    newCard,
    h('section', { class: 'card', 'aria-labelledby': 'segments-list-title', 'data-card': 'segments' },
      h('h2', { id: 'segments-list-title' }, t('segments.list')), status, problem, tableSlot));

  let segments = new Map();
  const draw = () => {
    const focused = tableSlot.contains(document.activeElement) ? document.activeElement.closest('tr')?.dataset.id : null;
    const sorted = [...segments.values()].sort((a, b) => String(a.name).localeCompare(String(b.name)));
    if (!sorted.length) {
      replace(tableSlot, h('p', { class: 'empty' }, t('segments.none')));
    } else {
      replace(tableSlot, h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'segments-list-title' },
        h('table', { class: 'table segment-table' },
          h('caption', { class: 'visually-hidden' }, t('segments.list')),
          h('thead', null, h('tr', null,
            h('th', { scope: 'col' }, t('segments.name')),
            h('th', { scope: 'col' }, t('segments.description')),
            h('th', { scope: 'col', class: 'num' }, t('segments.members')))),
          h('tbody', null, sorted.map((s) => h('tr', { 'data-id': s.id },
            h('th', { scope: 'row', 'data-field': 'name' }, h('a', { href: segmentHref(s.id), 'data-action': 'open-segment' }, s.name)),
            h('td', { 'data-field': 'description' }, s.description ?? ''),
            h('td', { class: 'num', 'data-field': 'count', 'data-count': String(s.count ?? '') },
              typeof s.count === 'number' ? formatNumber(s.count) : '')))))));
    }
    status.textContent = sorted.length ? t('segments.listCount', { count: sorted.length }) : '';
    if (focused) tableSlot.querySelector(`tr[data-id="${CSS.escape(focused)}"] a`)?.focus();
  };
  const say = (error) => {
    if (!error) { problem.hidden = true; problem.textContent = ''; return; }
    if (isAbort(error) || error.status === 401) return;
    problem.textContent = error.status === 403 ? t('segments.forbidden') : t('app.error');
    problem.hidden = false;
  };

  const load = async () => {
    tableSlot.setAttribute('aria-busy', 'true');
    try {
      const body = await api.get('/v1/segments', { signal });
      segments = new Map((body?.data ?? []).filter((s) => typeof s?.id === 'string').map((s) => [s.id, s]));
      say(null);
      draw();
    } catch (error) {
      say(error);
    } finally {
      tableSlot.removeAttribute('aria-busy');
    }
  };
  // One segment read again (its count is always current): changed, or gone.
  const refresh = coalesced(async (id) => {
    try {
      const fresh = await api.get(`/v1/segments/${seg(id)}`, { signal });
      segments.set(fresh.id, fresh);
    } catch (error) {
      if (error.status !== 404) { say(error); return; }
      segments.delete(id);
    }
    if (!signal.aborted) draw();
  });

  // The new segment's form: made when first opened; on 201 the new segment's page.
  let form = null;
  const closeForm = (focus) => {
    newCard.hidden = true;
    newButton?.setAttribute('aria-expanded', 'false');
    if (focus) newButton?.focus();
  };
  newButton?.addEventListener('click', () => {
    if (!newCard.hidden) { closeForm(false); return; }
    form ??= segmentForm({
      signal,
      onSaved: (saved) => { location.hash = segmentHref(saved.id); },
      onCancel: () => closeForm(true),
    });
    if (!form.element.isConnected) newCard.append(form.element);
    newCard.hidden = false;
    newButton.setAttribute('aria-expanded', 'true');
    form.focus();
  });

  follow({ filter: LIVE_FILTER, types: SEGMENT_EVENTS, signal, onState: live.set,
    onEvent: (event) => {
      const id = segmentOf(event);
      if (!id) return;
      if (event.type === 'rapport.segment.deleted') { segments.delete(id); draw(); return; }
      refresh(id);
    } }).catch((error) => console.warn('segment events', error));
  await load();
}

async function segmentPage({ container, params, signal, setTitle, canWrite }) {
  const back = () => h('a', { href: '#/segments', 'data-action': 'back-to-segments' }, t('segments.backToList'));
  let segment;
  try {
    segment = await api.get(`/v1/segments/${seg(params.id)}`, { signal });
  } catch (error) {
    if (error.status !== 404) throw error;
    setTitle(t('segments.title'));
    container.append(h('h1', { tabindex: '-1' }, t('segments.title')),
      h('p', { class: 'notice notice-info', 'data-field': 'segment-missing' }, t('segments.notFound'), ' ', back()));
    return;
  }
  if (signal.aborted) return;

  const live = liveBadge();
  const heading = h('h1', { tabindex: '-1', 'data-field': 'segment-name' });
  const description = h('p', { class: 'muted', 'data-field': 'segment-description' });
  const notice = h('div', { role: 'status', 'data-field': 'segment-notice' });
  const details = h('dl', { class: 'fields', 'data-list': 'segment-fields' });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true, 'data-field': 'segment-problem' });
  const editId = uid('edit-segment');
  const editButton = canWrite ? h('button', { type: 'button', class: 'button', 'data-action': 'edit-segment', 'aria-expanded': 'false',
    'aria-controls': editId }, t('segments.edit')) : null;
  const deleteButton = canWrite ? h('button', { type: 'button', class: 'button button-danger', 'data-action': 'delete-segment' }, t('segments.delete')) : null;
  const editTitle = h('h2', { id: `${editId}-title`, tabindex: '-1' });
  const editCard = h('section', { id: editId, class: 'card', 'aria-labelledby': editTitle.id, 'data-card': 'edit-segment', hidden: true }, editTitle);
  const membersTitle = h('h2', { id: 'segment-members-title' }, t('segments.members'));
  const membersStatus = h('p', { class: 'muted', role: 'status', 'data-field': 'members-status' });
  const membersSlot = h('div', { 'data-slot': 'members' });
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true, 'data-action': 'more-members' }, t('segments.more'));
  const body = h('div', { class: 'segment-page' },
    h('section', { class: 'card', 'aria-labelledby': 'segment-definition-title', 'data-card': 'segment' },
      h('h2', { id: 'segment-definition-title' }, t('segments.definition')), details,
      canWrite ? h('div', { class: 'form-actions record-actions' }, editButton, deleteButton) : null, problem),
    editCard,
    h('section', { class: 'card', 'aria-labelledby': membersTitle.id, 'data-card': 'segment-members' }, membersTitle, membersStatus, membersSlot, more));
  container.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/segments' }, t('segments.title'))),
    h('div', { class: 'page-header' }, heading, live.element),
    description, notice, body);
  container.dataset.segmentId = segment.id;

  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };
  const tell = (message, tone = 'info') => replace(notice, message ? h('p', { class: `notice notice-${tone}` }, message) : null);

  const draw = () => {
    setTitle(`${segment.name} · ${t('segments.title')}`);
    heading.textContent = segment.name;
    description.textContent = segment.description ?? '';
    description.hidden = !segment.description;
    container.dataset.version = String(segment.version ?? '');
    const row = (label, name, value) => [h('dt', null, label), h('dd', { 'data-field': name }, value)];
    replace(details,
      row(t('segments.filter'), 'filter', h('pre', { class: 'pre' }, h('code', null, segment.filter ?? ''))),
      row(t('segments.members'), 'count', h('span', { 'data-count': String(segment.count ?? '') }, countText(segment))),
      row(t('segments.updated'), 'updated_at', timeElement(segment.updated_at)),
      row(t('segments.version'), 'version', String(segment.version ?? '')));
    editTitle.textContent = t('segments.editTitle', { name: segment.name });
    drawMembersStatus();
  };

  // Members: pages of 50; read again (as many as are shown) when one enters or leaves.
  let members = [];
  let cursor = null;
  let generation = 0;
  const drawMembersStatus = () => {
    membersStatus.textContent = typeof segment.count === 'number' && members.length < segment.count
      ? t('segments.shown', { shown: formatNumber(members.length), total: formatNumber(segment.count) }) : '';
  };
  const drawMembers = () => {
    if (!members.length) {
      replace(membersSlot, h('p', { class: 'empty' }, t('segments.noMembers')));
    } else {
      replace(membersSlot, h('ul', { class: 'plain-list segment-members', 'aria-labelledby': membersTitle.id, 'data-list': 'segment-members' },
        members.map((m) => h('li', { 'data-customer-id': m.customer_id },
          h('a', { href: `#/customers/${encodeURIComponent(m.customer_id)}`, 'data-action': 'open-customer' }, m.name || m.customer_id),
          ' ', h('span', { class: 'muted small' }, t('segments.since'), ' ', timeElement(m.entered_at))))));
    }
    more.hidden = !cursor;
    drawMembersStatus();
  };
  const readMembers = async (mode) => {
    const mine = ++generation;
    // Again as many as are shown (all of them and room for newcomers when nothing is left to show).
    const limit = mode === 'refresh' ? Math.min(MOST, Math.max(PAGE, members.length + (cursor ? 0 : PAGE))) : PAGE;
    membersSlot.setAttribute('aria-busy', 'true');
    more.disabled = true;
    try {
      const page = await api.get(`/v1/segments/${seg(segment.id)}/members`, { query: { limit, cursor: mode === 'more' ? cursor : null }, signal });
      if (mine !== generation) return;
      const items = (page?.data ?? []).filter((m) => typeof m?.customer_id === 'string');
      if (mode === 'more') {
        const known = new Set(members.map((m) => m.customer_id));
        members = [...members, ...items.filter((m) => !known.has(m.customer_id))];
      } else {
        members = items;
      }
      cursor = page?.next_cursor ?? null;
      drawMembers();
    } catch (error) {
      if (mine !== generation || isAbort(error) || error.status === 401) return;
      if (error.status === 404) { gone(t('segments.deletedMeanwhile')); return; }
      say(t('app.error'));
    } finally {
      if (mine === generation) { membersSlot.removeAttribute('aria-busy'); more.disabled = false; }
    }
  };
  more.addEventListener('click', () => readMembers('more'));

  // The segment read again: its count (always current), and its members.
  let deleted = false;
  const reread = async () => {
    try {
      const fresh = await api.get(`/v1/segments/${seg(segment.id)}`, { signal });
      if (deleted) return null;
      const changed = (fresh.version ?? 0) > (segment.version ?? 0);
      segment = fresh;
      draw();
      return { fresh, changed };
    } catch (error) {
      if (isAbort(error) || error.status === 401) return null;
      if (error.status === 404) gone(t('segments.deletedMeanwhile'));
      return null;
    }
  };
  const refresh = coalesced(async () => {
    if (await reread()) await readMembers('refresh');
  });

  draw();
  await readMembers('fresh');

  // Edit.
  let form = null;
  const closeEdit = (focus) => {
    editCard.hidden = true;
    editButton?.setAttribute('aria-expanded', 'false');
    form?.element.remove();
    form = null;
    if (focus) editButton?.focus();
  };
  editButton?.addEventListener('click', () => {
    if (form) { closeEdit(true); return; }
    tell(null);
    say(null);
    form = segmentForm({
      segment, signal,
      onSaved: (saved) => {
        segment = saved;
        draw();
        closeEdit(true);
        tell(t('segments.saved'), 'success');
        readMembers('refresh');
      },
      onStale: async () => {
        const read = await reread();
        if (read) readMembers('refresh');
        return read?.fresh ?? null;
      },
      onCancel: () => closeEdit(true),
    });
    editCard.append(form.element);
    editCard.hidden = false;
    editButton.setAttribute('aria-expanded', 'true');
    form.focus();
  });

  // Delete.
  const gone = (message) => {
    if (deleted) return;
    deleted = true;
    closeEdit(false);
    replace(body, h('p', { class: 'notice notice-info', 'data-field': 'segment-deleted' }, message, ' ', back()));
    tell(null);
  };
  // One's own delete comes back as an event too, perhaps before its answer: the answer tells it.
  let deleting = false;
  deleteButton?.addEventListener('click', async () => {
    if (!window.confirm(t('segments.confirmDelete', { name: segment.name }))) return;
    say(null);
    deleteButton.disabled = true;
    deleting = true;
    try {
      await api.delete(`/v1/segments/${seg(segment.id)}`, { headers: { 'If-Match': segmentETag(segment) }, signal });
      gone(t('segments.deleted', { name: segment.name }));
      container.querySelector('[data-field=segment-deleted] a')?.focus();
    } catch (error) {
      deleting = false;
      if (isAbort(error) || error.status === 401) return;
      deleteButton.disabled = false;
      if (error.status === 412) { say(t('segments.stale')); await reread(); } else if (error.status === 404) gone(t('segments.deletedMeanwhile'));
      else say(error.status === 403 ? t('segments.forbidden') : t('app.error'));
    }
  });

  // Live: this segment changed or deleted, a customer entering or leaving it, a member renamed.
  const types = [...SEGMENT_EVENTS, 'rapport.customer.updated'];
  follow({ filter: types.map((type) => `type == ${JSON.stringify(type)}`).join(' || '), types, signal, onState: live.set,
    onEvent: async (event) => {
      if (deleted) return;
      if (event.type === 'rapport.customer.updated') {
        if (members.some((m) => m.customer_id === event.subject)) readMembers('refresh');
        return;
      }
      if (segmentOf(event) !== segment.id) return;
      if (event.type === 'rapport.segment.deleted') {
        if (!deleting) gone(t('segments.deletedMeanwhile'));
        return;
      }
      const before = segment.version ?? 0;
      await refresh(segment.id);
      // One's own save comes back as an event too (perhaps before its answer): only others' are told.
      const mine = event.data?.actor?.id != null && event.data.actor.id === session.user()?.id;
      if (event.type === 'rapport.segment.updated' && !mine && (segment.version ?? 0) > before) {
        tell(form ? t('segments.changedWhileEditing') : t('segments.changedLive'));
      }
    } }).catch((error) => console.warn('segment events', error));
}
