// Internal notes: how one is drawn (marked "Internal note", a lock and the department when only
// that department sees it, author, time, "edited" opening its earlier versions, files as
// downloads, pin/unpin, edit with If-Match, delete after a confirmation), the card that opens the
// composer (note-composer.js, loaded when someone starts writing), the strip of pinned notes, and
// the Follow button. A note's text is drawn by markdown.js: elements and text nodes only.
//
// A page makes one board (`noteBoard`) and draws notes through it, so that a note shown twice (on
// the timeline and in the pinned strip) changes everywhere at once.

import { api, seg } from '../api.js';
import { h, isAbort, replace, svgIcon, uid } from '../dom.js';
import { formatDateTime, t, timeElement } from '../i18n.js';
import { sizeText } from './file-input.js';
import { renderMarkdown } from './markdown.js';

const EDITORS = new Set(['admin', 'manager']);

/** The entity tag of a note's version, as the server writes it (`"{id}-v{version}"`). */
export function noteETag(note) {
  return `"${note.id}-v${note.version}"`;
}

/**
 * The page's notes. `me`: the signed-in user; `users`, `departments`: lookups (id -> record);
 * `canWrite`: the viewer may write notes. `onChange(note, change)` runs after a note changed here
 * ('updated', 'deleted').
 */
export function noteBoard({ me, users, departments, canWrite }) {
  const views = new Map(); // note id -> Set of { element, draw(note) }
  const listeners = new Set();

  const sweep = (id) => {
    const set = views.get(id);
    if (!set) return set;
    for (const view of set) if (view.drawn && !view.element.isConnected) set.delete(view);
    if (!set.size) views.delete(id);
    return views.get(id);
  };

  const board = {
    me, users, departments, canWrite,
    /** Whether `me` may change the note's text or delete it: its author, a manager or an admin. */
    mayEdit(note) {
      if (!canWrite) return false;
      return EDITORS.has(me?.role) || (note.author?.type === 'user' && note.author.id === me?.id);
    },
    /** A note's element (`tag`: 'li' by default; `className`: the list's item class). */
    item(note, { tag = 'li', className = 'timeline-item' } = {}) {
      const view = noteView(note, board, { tag, className });
      if (!views.has(note.id)) views.set(note.id, new Set());
      views.get(note.id).add(view);
      view.drawn = true;
      return view.element;
    },
    /** Draws `note` again wherever an older version of it is shown, and tells the listeners. */
    updated(note) {
      let changed = false;
      for (const view of sweep(note.id) ?? []) {
        if (note.version > view.version()) { view.draw(note); changed = true; }
      }
      if (changed) for (const fn of listeners) fn(note, 'updated');
    },
    /** True when the note is drawn on the page. */
    shows(id) {
      return Boolean(sweep(id)?.size);
    },
    deleted(note) {
      for (const view of sweep(note.id) ?? []) view.element.remove();
      views.delete(note.id);
      for (const fn of listeners) fn(note, 'deleted');
    },
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    authorName(note) {
      if (note.author_name) return note.author_name;
      if (note.author?.type === 'user') return users?.get(note.author.id)?.name ?? note.author.id;
      if (note.author?.type === 'api_key') return t('notes.author.apiKey');
      return t('notes.author.system');
    },
  };
  return board;
}

function noteView(initial, board, { tag, className }) {
  let note = initial;
  const element = h(tag, { class: `${className} note`, tabindex: '-1' });
  const view = { element, drawn: false };
  let editing = null; // the open edit form
  let revisionsOpen = false;
  const revisionsId = uid('note-revisions');
  const revisions = h('div', { class: 'note-revisions', id: revisionsId, hidden: true });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };

  const draw = (next) => {
    const versionChanged = next.version !== note.version || next.body !== note.body;
    note = next;
    element.dataset.noteId = note.id;
    element.dataset.visibility = note.visibility;
    element.dataset.version = String(note.version);
    element.classList.toggle('note-private', note.visibility === 'department');
    element.classList.toggle('note-pinned', Boolean(note.pinned));
    if (versionChanged && revisionsOpen) loadRevisions();
    if (editing) return; // the form stays; the rest is drawn when it closes
    const department = note.department_id ? board.departments?.get(note.department_id)?.name ?? note.department_id : null;
    const edited = note.edited_at
      ? h('button', {
        type: 'button', class: 'link-like note-edited', 'aria-expanded': String(revisionsOpen), 'aria-controls': revisionsId,
        'data-action': 'note-revisions', title: t('notes.editedAt', { time: formatDateTime(note.edited_at) }),
        onclick: toggleRevisions,
      }, t('notes.edited'))
      : null;
    const actions = board.canWrite ? h('div', { class: 'note-actions' },
      h('button', { type: 'button', class: 'button button-small', 'data-action': note.pinned ? 'note-unpin' : 'note-pin', onclick: togglePin },
        t(note.pinned ? 'notes.unpin' : 'notes.pin')),
      board.mayEdit(note) ? h('button', { type: 'button', class: 'button button-small', 'data-action': 'note-edit', onclick: openEditor }, t('notes.edit')) : null,
      board.mayEdit(note) ? h('button', { type: 'button', class: 'button button-small button-danger', 'data-action': 'note-delete', onclick: remove }, t('notes.delete')) : null)
      : null;
    replace(element,
      h('div', { class: 'item-head note-head' },
        h('span', { class: 'badge badge-note' }, t('notes.internal')),
        note.visibility === 'department'
          ? h('span', { class: 'note-lock', 'data-field': 'visibility', title: t('notes.privateAbout', { department: department ?? '' }) },
            lockIcon(), t('notes.privateTo', { department: department ?? t('notes.unknownDepartment') }))
          : null,
        note.pinned ? h('span', { class: 'badge badge-pinned', 'data-field': 'pinned' }, t('notes.pinned')) : null,
        h('span', { class: 'note-author', 'data-field': 'author' }, board.authorName(note)),
        timeElement(note.created_at),
        edited),
      h('div', { class: 'note-body', 'data-field': 'body' }, renderMarkdown(note.body ?? '', { mentions: note.mentions })),
      attachmentList(note),
      revisions,
      actions,
      problem);
  };

  const loadRevisions = async () => {
    replace(revisions, h('p', { class: 'muted' }, t('app.loading')));
    try {
      const body = await api.get(`/v1/notes/${seg(note.id)}/revisions`);
      const items = body?.data ?? [];
      replace(revisions,
        h('h3', { class: 'note-revisions-title' }, t('notes.revisions')),
        items.length
          ? h('ol', { class: 'note-revision-list' }, items.map((revision) => h('li', { class: 'note-revision', dataset: { version: String(revision.version) } },
            h('p', { class: 'note-revision-head small muted' },
              t('notes.revision', { version: revision.version }), ' · ',
              revision.edited_at ? timeElement(revision.edited_at) : null,
              revision.editor ? [' · ', editorName(revision.editor, board)] : null),
            renderMarkdown(revision.body ?? '', { mentions: note.mentions, className: 'markdown note-revision-body' }))))
          : h('p', { class: 'empty' }, t('notes.noRevisions')));
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(revisions, h('p', { class: 'field-error', role: 'alert' }, error.status === 403 ? t('app.forbidden') : t('app.error')));
    }
  };

  function toggleRevisions(event) {
    revisionsOpen = !revisionsOpen;
    revisions.hidden = !revisionsOpen;
    event.currentTarget.setAttribute('aria-expanded', String(revisionsOpen));
    if (revisionsOpen) loadRevisions();
  }

  async function togglePin(event) {
    const button = event.currentTarget;
    button.disabled = true;
    say(null);
    try {
      const saved = await patchNote(note, { pinned: !note.pinned });
      board.updated(saved);
      element.querySelector('[data-action=note-pin], [data-action=note-unpin]')?.focus();
    } catch (error) {
      if (error.status === 401) return;
      await failed(error);
    } finally {
      button.disabled = false;
    }
  }

  async function remove(event) {
    if (!window.confirm(t('notes.confirmDelete'))) return;
    const button = event.currentTarget;
    button.disabled = true;
    say(null);
    try {
      await api.delete(`/v1/notes/${seg(note.id)}`);
      board.deleted(note);
    } catch (error) {
      if (error.status === 401) return;
      if (error.status === 404) { board.deleted(note); return; }
      button.disabled = false;
      await failed(error);
    }
  }

  /** Says why a change was refused; a stale version (412) shows the note as it is now. */
  const failed = async (error) => {
    if (error.status === 412) {
      say(t('notes.stale'));
      try { board.updated(await api.get(`/v1/notes/${seg(note.id)}`)); } catch { /* the message stands */ }
      say(t('notes.stale'));
      return;
    }
    say(error.status === 403 ? t('notes.forbidden') : error.status === 404 ? t('notes.gone') : t('app.error'));
  };

  async function openEditor() {
    if (editing) return;
    say(null);
    let writing;
    try {
      writing = await import('./note-composer.js');
    } catch (error) {
      console.warn('note editor', error);
      say(t('app.error'));
      return;
    }
    if (editing) return;
    const controller = new AbortController();
    const form = writing.noteEditor(note, board, {
      signal: controller.signal,
      onSaved: (saved, unresolved) => {
        controller.abort();
        editing = null;
        if (saved.version > note.version) board.updated(saved);
        else draw(saved);
        if (unresolved.length) element.insertBefore(unresolvedNotice(unresolved), problem);
        element.querySelector('[data-action=note-edit]')?.focus();
      },
      onCancel: () => {
        controller.abort();
        editing = null;
        draw(note);
        element.querySelector('[data-action=note-edit]')?.focus();
      },
      onStale: (current) => { note = current; element.dataset.version = String(current.version); },
      current: () => note,
    });
    editing = form;
    replace(element, element.firstChild, form.element);
    form.focus();
  }

  view.draw = draw;
  view.version = () => note.version;
  draw(note);
  return view;
}

function editorName(editor, board) {
  if (editor.type === 'user') return board.users?.get(editor.id)?.name ?? editor.id;
  return editor.type === 'api_key' ? t('notes.author.apiKey') : t('notes.author.system');
}

/** The note's files, as downloads. */
function attachmentList(note) {
  const files = Array.isArray(note.attachments) ? note.attachments.filter((a) => a && typeof a.id === 'string') : [];
  if (!files.length) return null;
  return h('ul', { class: 'mail-attachments note-attachments', 'aria-label': t('notes.attachments') }, files.map((a) => h('li', null,
    h('a', { href: `/v1/notes/${seg(note.id)}/files/${seg(a.id)}`, download: a.filename || '' },
      `${a.filename || t('mail.attachment.unnamed')} (${t('mail.attachment.size', { size: sizeText(a.size) })})`))));
}

function lockIcon() {
  return svgIcon('0 0 16 16', 'M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z', 'icon');
}

/** PATCH with If-Match of the version shown. */
export function patchNote(note, changes) {
  return api.patch(`/v1/notes/${seg(note.id)}`, changes, { headers: { 'If-Match': noteETag(note) } });
}

/** The warning that lists mentions the server kept as text (unknown, ambiguous, …). */
export function unresolvedNotice(unresolved) {
  return h('div', { class: 'notice notice-warning note-unresolved', role: 'status', 'data-state': 'unresolved-mentions' },
    h('p', null, t('notes.unresolved.title', { count: unresolved.length })),
    h('ul', null, unresolved.map((item) => {
      const reason = ['unknown', 'ambiguous', 'cannot_see', 'too_many'].includes(item.reason) ? item.reason : 'unknown';
      return h('li', { dataset: { reason } }, t(`notes.unresolved.${reason}`, { mention: String(item.text ?? '') }));
    })));
}

// --------------------------------------------------------------------------------------------- //
// The pinned strip and the Follow button

/**
 * The card that writes notes on a customer (`customerId`) or a conversation (`conversationId`):
 * "Write a note" opens the composer (note-composer.js, loaded then). `onSaved(note)` after each.
 */
export function noteComposerCard({ board, customerId, conversationId, signal, onSaved }) {
  const titleId = uid('note-card-title');
  const slot = h('div', { class: 'note-composer-slot', id: uid('note-composer'), hidden: true });
  const toggle = h('button', { type: 'button', class: 'button', 'aria-expanded': 'false', 'aria-controls': slot.id, 'data-action': 'write-note' },
    t('notes.write'));
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const element = h('section', { class: 'card note-card', 'aria-labelledby': titleId, 'data-card': 'note-composer' },
    h('h2', { id: titleId }, t('notes.composerTitle')),
    h('p', { class: 'muted small' }, t('notes.composerIntro')),
    h('div', { class: 'form-actions' }, toggle), problem, slot);
  let composer = null;
  const open = async (value) => {
    if (value && !composer) {
      toggle.disabled = true;
      try {
        const writing = await import('./note-composer.js');
        composer ??= writing.noteComposer({ board, customerId, conversationId, signal, onSaved });
        slot.append(composer.element);
        problem.hidden = true;
      } catch (error) {
        console.warn('note composer', error);
        problem.textContent = t('app.error');
        problem.hidden = false;
        return;
      } finally {
        toggle.disabled = false;
      }
    }
    slot.hidden = !value;
    toggle.setAttribute('aria-expanded', String(value));
    if (value) composer.focus();
  };
  toggle.addEventListener('click', () => open(slot.hidden));
  return { element, open };
}

/** The customer's pinned notes (GET /v1/notes?customer_id=…&pinned=true), hidden while there are none. `reload()` asks again. */
export function pinnedNotes(customerId, { board, signal }) {
  const titleId = uid('pinned-title');
  const list = h('ul', { class: 'pinned-list', 'aria-labelledby': titleId });
  const element = h('section', { class: 'card pinned-notes', 'aria-labelledby': titleId, 'data-card': 'pinned-notes', hidden: true },
    h('h2', { id: titleId }, t('notes.pinnedTitle')), list);
  let generation = 0;
  const reload = async () => {
    const mine = ++generation;
    try {
      const page = await api.get('/v1/notes', { query: { customer_id: customerId, pinned: 'true', limit: 50 }, signal });
      if (mine !== generation) return;
      const notes = (page?.data ?? []).filter((note) => note.pinned);
      replace(list, notes.map((note) => board.item(note, { className: 'pinned-item' })));
      element.hidden = notes.length === 0;
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      console.warn('pinned notes', error);
    }
  };
  const stop = board.onChange(() => reload());
  signal?.addEventListener('abort', stop, { once: true });
  reload();
  return { element, reload };
}

/**
 * "Follow" for a customer (`customerId`) or a conversation (`conversationId`): a toggle button
 * (aria-pressed) that follows or stops. `refresh()` asks the server again (writing a note makes
 * its author follow).
 */
export function followButton({ customerId, conversationId, signal }) {
  const filter = conversationId ? { conversation_id: conversationId } : { customer_id: customerId };
  let follow = null;
  const button = h('button', {
    type: 'button', class: 'button button-small follow-button', 'aria-pressed': 'false', 'data-action': 'follow', disabled: true,
    title: t(conversationId ? 'follow.aboutConversation' : 'follow.aboutCustomer'),
  }, t('follow.label'));
  const problem = h('span', { class: 'field-error', role: 'alert', hidden: true });
  const element = h('span', { class: 'follow' }, button, problem);
  const show = () => {
    button.setAttribute('aria-pressed', String(Boolean(follow)));
    button.dataset.state = follow ? 'following' : 'not-following';
  };
  const refresh = async () => {
    try {
      const page = await api.get('/v1/follows', { query: filter, signal });
      follow = (page?.data ?? []).find((f) => (conversationId ? f.conversation_id === conversationId : f.customer_id === customerId && !f.conversation_id))
        ?? null;
      button.disabled = false;
      show();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      // 409 not-a-user: nothing to follow with (an API key); the button stays off.
      if (error.status !== 409) console.warn('follows', error);
    }
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    problem.hidden = true;
    try {
      if (follow) {
        await api.delete(`/v1/follows/${seg(follow.id)}`);
        follow = null;
      } else {
        follow = await api.post('/v1/follows', filter);
      }
      show();
    } catch (error) {
      if (error.status === 401) return;
      if (error.status === 404 && follow) { follow = null; show(); return; }
      problem.textContent = error.status === 403 ? t('app.forbidden') : t('app.error');
      problem.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
  refresh();
  return { element, refresh };
}
