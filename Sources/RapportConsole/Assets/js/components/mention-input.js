// @-autocomplete on a note's textarea: typing `@li` asks GET /v1/mentionables?q=li and lists
// colleagues, departments and queues under the field (role=listbox, the textarea pointing at the
// active option with aria-activedescendant). ArrowDown/ArrowUp move, Enter or Tab insert
// `@[Name](kind:id)`, Escape closes; a click on an option inserts it too. A polite status says
// how many suggestions there are. Names are text.

import { api } from '../api.js';
import { h, isAbort, uid } from '../dom.js';
import { t } from '../i18n.js';

const LIMIT = 8;
const DELAY = 120; // ms after the last key before asking
// The `@token` just before the caret: `@` at the start or after a character that cannot be part of a word or an address.
const TOKEN = /(?:^|[^\p{L}\p{N}_@.-])@([\p{L}\p{N}._-]{1,64})$/u;

/**
 * Wires the autocomplete to `textarea`. `departments` (id -> department) names a user's
 * department in the list. Returns { element (put it right after the textarea), close() }.
 */
export function mentionAutocomplete(textarea, { departments, signal } = {}) {
  const listId = uid('mentions');
  const list = h('ul', { id: listId, class: 'mention-listbox', role: 'listbox', 'aria-label': t('mentions.suggestions'), hidden: true });
  const status = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const element = h('div', { class: 'mention-popup' }, list, status);
  textarea.setAttribute('aria-autocomplete', 'list');
  textarea.setAttribute('aria-controls', listId);

  let items = [];
  let active = -1;
  let token = null;    // { start, end, query } of the token being completed
  let timer = null;
  let asking = null;   // AbortController of the request in flight
  let generation = 0;

  const close = () => {
    clearTimeout(timer);
    asking?.abort();
    asking = null;
    items = [];
    active = -1;
    token = null;
    list.hidden = true;
    list.replaceChildren();
    textarea.removeAttribute('aria-activedescendant');
  };

  const setActive = (index) => {
    active = index;
    [...list.children].forEach((option, i) => option.setAttribute('aria-selected', String(i === index)));
    const option = list.children[index];
    if (option) {
      textarea.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView({ block: 'nearest' });
    } else {
      textarea.removeAttribute('aria-activedescendant');
    }
  };

  const choose = (index) => {
    const item = items[index];
    if (!item || !token) return;
    const name = cleanName(item.name);
    const inserted = `@[${name}](${item.kind}:${item.id}) `;
    const value = textarea.value;
    const after = value.slice(token.end);
    textarea.value = value.slice(0, token.start) + inserted + after.replace(/^ /, '');
    const caret = token.start + inserted.length;
    textarea.setSelectionRange(caret, caret);
    close();
    status.textContent = t('mentions.inserted', { name });
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    textarea.focus();
  };

  const show = (found) => {
    items = found;
    list.replaceChildren(...found.map((item, i) => {
      const option = h('li', { id: `${listId}-${i}`, role: 'option', 'aria-selected': 'false', dataset: { kind: item.kind, id: item.id } },
        h('span', { class: 'option-name' }, item.name),
        h('span', { class: 'option-meta' }, describe(item, departments)));
      // mousedown, not click: the textarea keeps the focus (and the caret) while choosing.
      option.addEventListener('mousedown', (event) => { event.preventDefault(); choose(i); });
      return option;
    }));
    list.hidden = found.length === 0;
    status.textContent = found.length ? t('mentions.count', { count: found.length }) : t('mentions.none');
    setActive(found.length ? 0 : -1);
  };

  const ask = (query) => {
    asking?.abort();
    const controller = new AbortController();
    asking = controller;
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    const mine = ++generation;
    api.get('/v1/mentionables', { query: { q: query, limit: LIMIT }, signal: controller.signal })
      .then((body) => {
        if (mine !== generation || !token) return;
        show((body?.data ?? []).filter((item) => item && typeof item.id === 'string' && typeof item.name === 'string'));
      })
      .catch((error) => {
        if (isAbort(error) || error.status === 401) return;
        console.warn('mentionables', error);
        if (mine === generation) show([]);
      });
  };

  const update = () => {
    const caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) { close(); return; }
    const before = textarea.value.slice(0, caret);
    const match = TOKEN.exec(before);
    if (!match || insideCode(before)) { close(); return; }
    const query = match[1];
    const next = { start: caret - query.length - 1, end: caret, query };
    if (token && token.start === next.start && token.query === query) return;
    token = next;
    clearTimeout(timer);
    timer = setTimeout(() => ask(query), DELAY);
  };

  textarea.addEventListener('input', update);
  textarea.addEventListener('click', update);
  textarea.addEventListener('keyup', (event) => {
    if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) update();
  });
  textarea.addEventListener('keydown', (event) => {
    if (list.hidden || !items.length) {
      if (event.key === 'Escape' && token) { close(); event.stopPropagation(); }
      return;
    }
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((active + 1) % items.length);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((active - 1 + items.length) % items.length);
    } else if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation(); // a dialog or menu around the form stays open
      close();
      status.textContent = '';
    }
  });
  textarea.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== textarea) close(); }, 150));
  signal?.addEventListener('abort', close, { once: true });
  return { element, close };
}

/** "Department · @sales", "Queue · @billing", "Colleague · @li.wei · Sales". */
function describe(item, departments) {
  const kind = ['user', 'department', 'queue'].includes(item.kind) ? t(`mentions.kind.${item.kind}`) : item.kind;
  const department = item.department_id ? departments?.get(item.department_id)?.name : null;
  return [kind, item.handle ? `@${item.handle}` : null, item.kind !== 'department' ? department : null].filter(Boolean).join(' · ');
}

/** A name as a mention can carry it: no brackets or parentheses, one line. */
function cleanName(name) {
  return String(name).replace(/[[\]()\n\r]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200) || '?';
}

/** True when the caret is in code (an open ``` block, or an odd number of backticks on its line): no mentions there. */
function insideCode(before) {
  const fences = before.split('\n').filter((line) => line.trimStart().startsWith('```')).length;
  if (fences % 2 === 1) return true;
  const line = before.slice(before.lastIndexOf('\n') + 1);
  return (line.match(/`/g)?.length ?? 0) % 2 === 1;
}
