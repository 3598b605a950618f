// The Customer 360's timeline with notes mixed in: GET /v1/customers/{id}/activity, newest first,
// paged by cursor as the list end scrolls into view (IntersectionObserver; a button does the same
// for keyboard users). Interactions are drawn as the interaction timeline draws them
// (interaction-item.js); notes through the page's note board (notes.js), marked as internal.
// `addNote(note)` puts a note just written at the top; `find(noteId)` loads pages until the note
// is shown (a notification's link), then gives its element. `onUnavailable()` runs when the
// server has no activity route (404 for a customer just read: a server older than notes). Handoff
// steps are internal too: drawn by handoff-step.js, loaded with its messages when a page has one.
// Business records (deals, orders…) are lines of their own, drawn by record-entry.js, loaded the same way.
// A channel the page's list does not know (made since the list was read) reads the list again, once.

import { api, seg } from '../api.js';
import { h, isAbort } from '../dom.js';
import { t } from '../i18n.js';
import * as lookups from '../lookups.js';
import { interactionContent, interactionHead } from './interaction-item.js';

const PAGE = 25;
const FIND_PAGES = 8; // pages read looking for a note a link names

export function activityCard(customerId, { channels, users, board, signal, onUnavailable }) {
  const list = h('ol', { class: 'timeline', 'aria-labelledby': 'timeline-title' });
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true }, t('activity.loadMore'));
  const status = h('p', { class: 'sentinel', role: 'status' });
  const sentinel = h('div', null, status, more);
  const element = h('section', { class: 'card', 'aria-labelledby': 'timeline-title', 'data-card': 'activity' },
    h('h2', { id: 'timeline-title' }, t('timeline.title')), list, sentinel);

  let cursor = null;
  let done = false;
  let loading = null;
  let count = 0;
  const shownNotes = new Set();
  let steps = null; // { stepItem, refs } once a handoff step came
  let records = null; // { recordItem, refs } once a record came
  let channelsReread = false;

  /** Channels made since the list was read (an admin added one meanwhile): the list read again, once. */
  const knowChannels = async (entries) => {
    if (channelsReread || !channels) return;
    const unknown = entries.some((entry) => entry?.type === 'interaction' && entry.interaction?.channel_id && !channels.has(entry.interaction.channel_id));
    if (!unknown) return;
    channelsReread = true;
    lookups.invalidate('channels');
    for (const [id, channel] of await lookups.optional(lookups.channels)) channels.set(id, channel);
  };

  const draw = (entry) => {
    if (entry?.type === 'note' && entry.note?.id) {
      if (shownNotes.has(entry.note.id)) return null;
      shownNotes.add(entry.note.id);
      return board.item(entry.note);
    }
    if (entry?.type === 'interaction' && entry.interaction?.id) {
      const interaction = entry.interaction;
      return h('li', { class: `timeline-item ${interaction.direction}`, dataset: { id: interaction.id } },
        interactionHead(interaction, channels), interactionContent(interaction, { users }));
    }
    if (entry?.type === 'handoff_step' && entry.handoff_step?.id && steps) return steps.stepItem(entry.handoff_step, steps.refs, { timeline: true });
    if (entry?.type === 'record' && entry.record?.id && records) return records.recordItem(entry.record, records.refs, entry.at);
    return null; // a kind this console does not know yet
  };

  const loadPage = async () => {
    more.hidden = true;
    status.textContent = t('app.loading');
    list.setAttribute('aria-busy', 'true');
    try {
      const body = await api.get(`/v1/customers/${seg(customerId)}/activity`, { query: { order: 'desc', limit: PAGE, cursor }, signal });
      await knowChannels(body?.data ?? []);
      if (!steps && body?.data?.some((entry) => entry?.type === 'handoff_step')) {
        const module = await import('./handoff-step.js');
        steps = { stepItem: module.stepItem, refs: await module.prepare(signal) };
      }
      if (!records && body?.data?.some((entry) => entry?.type === 'record')) {
        const module = await import('./record-entry.js');
        records = { recordItem: module.recordItem, refs: await module.prepare(signal) };
      }
      for (const entry of body?.data ?? []) {
        const item = draw(entry);
        if (item) { list.append(item); count += 1; }
      }
      cursor = body?.next_cursor ?? null;
      done = !cursor;
      status.textContent = done ? (count ? t('activity.end', { count }) : t('activity.empty')) : '';
      more.hidden = done;
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      if (error.status === 404 && count === 0 && onUnavailable) { done = true; onUnavailable(); return; }
      console.warn('activity', error);
      status.textContent = t('timeline.failed');
      more.hidden = false;
    } finally {
      list.removeAttribute('aria-busy');
    }
  };

  const load = () => {
    if (loading || done) return loading ?? Promise.resolve();
    loading = loadPage().finally(() => {
      loading = null;
      // A short first page may leave the sentinel in view: keep going.
      if (!done && !signal.aborted && isInView(sentinel)) load();
    });
    return loading;
  };

  more.addEventListener('click', load);
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) load();
  }, { rootMargin: '400px 0px' });
  observer.observe(sentinel);
  signal.addEventListener('abort', () => observer.disconnect(), { once: true });
  const first = load();

  return {
    element,
    /** A note written on this page: at the top, where the newest is. */
    addNote(note) {
      if (shownNotes.has(note.id)) return;
      shownNotes.add(note.id);
      list.prepend(board.item(note));
      count += 1;
    },
    async find(noteId) {
      await first;
      for (let page = 0; page < FIND_PAGES; page += 1) {
        const found = list.querySelector(`[data-note-id="${CSS.escape(noteId)}"]`);
        if (found || done || signal.aborted) return found;
        await (loading ?? load());
      }
      return list.querySelector(`[data-note-id="${CSS.escape(noteId)}"]`);
    },
  };
}

function isInView(el) {
  const rect = el.getBoundingClientRect();
  return rect.top < window.innerHeight + 400 && rect.bottom > -400;
}
