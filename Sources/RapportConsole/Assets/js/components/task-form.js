// The "New task" form (POST /v1/tasks): title, description, due time, priority, who it is for
// (me, or a colleague, queue or department chosen from GET /v1/mentionables?q= in a listbox under
// a search field) and checklist lines; a customer given by the page (the Customer 360's card).
// The server's problems beside the fields (`assignee.id`, `checklist[2].text` too). Loaded by the
// Tasks page and, when someone starts writing a task, by the Customer 360's card.

import { api } from '../api.js';
import { h, isAbort, uid } from '../dom.js';
import { t } from '../i18n.js';
import { field, formMessage, showFieldErrors } from './form.js';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const MAX_TITLE = 300;
const PICK_LIMIT = 8;

/** A datetime-local value ("2026-12-04T09:00") as an RFC 3339 instant, or null. */
export function instant(local) {
  if (!local) return null;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * `customerId`: the customer the task is about (optional); `me`: the signed-in user;
 * `onSaved(task)` after the server stored it; `onCancel()` shows a Cancel button.
 */
export function taskForm({ customerId, me, signal, onSaved, onCancel }) {
  const title = field({ label: t('tasks.form.title'), name: 'title', required: true, attrs: { maxlength: String(MAX_TITLE) } });
  const description = field({ label: t('tasks.form.description'), name: 'description', as: 'textarea', attrs: { rows: '3' } });
  const due = field({ label: t('tasks.form.due'), name: 'due_at', type: 'datetime-local', hint: t('tasks.form.dueHint') });
  const priority = field({
    label: t('tasks.form.priority'), name: 'priority', as: 'select', value: 'normal',
    options: PRIORITIES.map((p) => ({ value: p, label: t(`tasks.priority.${p}`) })),
  });
  const checklist = field({ label: t('tasks.form.checklist'), name: 'checklist', as: 'textarea', hint: t('tasks.form.checklistHint'), attrs: { rows: '3' } });
  const assignee = assigneeField({ me, signal });

  const message = formMessage();
  const save = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'task-submit' }, t('tasks.form.submit'));
  const form = h('form', { class: 'form task-form', novalidate: true, 'data-form': 'task' },
    message.element, title.element, description.element,
    h('div', { class: 'field-row' }, due.element, priority.element),
    assignee.element, checklist.element,
    h('div', { class: 'form-actions' }, save,
      onCancel ? h('button', { type: 'button', class: 'button', 'data-action': 'task-cancel', onclick: () => onCancel() }, t('tasks.form.cancel')) : null));
  const fields = [title, description, due, priority, assignee, checklist];
  let key = null;
  form.addEventListener('input', () => { key = null; });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    for (const f of fields) f.setError(null);
    const text = title.input.value.trim();
    if (!text) { title.setError(t('validation.required')); title.input.focus(); return; }
    if (due.input.value && !instant(due.input.value)) { due.setError(t('tasks.form.badDue')); due.input.focus(); return; }
    const who = assignee.value();
    if (who === undefined) { assignee.setError(t('tasks.form.chooseAssignee')); assignee.input.focus(); return; }
    const payload = { title: text, priority: priority.input.value };
    if (description.input.value.trim()) payload.description = description.input.value;
    if (due.input.value) payload.due_at = instant(due.input.value);
    if (who) payload.assignee = who;
    if (customerId) payload.customer_id = customerId;
    const lines = checklist.input.value.split('\n').map((line) => line.trim()).filter(Boolean);
    if (lines.length) payload.checklist = lines.map((line) => ({ text: line, done: false }));
    key ??= crypto.randomUUID();
    save.disabled = true;
    try {
      const task = await api.post('/v1/tasks', payload, { headers: { 'Idempotency-Key': key }, signal });
      key = null;
      for (const f of [title, description, due, checklist]) f.input.value = '';
      priority.input.value = 'normal';
      assignee.reset();
      message.show(t('tasks.form.saved'), 'success');
      onSaved?.(task);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      if (!(error.status === 422 && showTaskErrors(error, fields, lines) > 0)) {
        message.show(error.status === 403 ? t('tasks.forbidden') : error.status === 404 ? t('tasks.form.subjectGone') : t('app.error'));
      }
    } finally {
      save.disabled = false;
    }
  });
  return { element: form, focus: () => title.input.focus() };
}

/** The server's field names (`assignee.id`, `checklist[2].text`) onto the form's fields. */
function showTaskErrors(error, fields, lines) {
  const byField = {};
  for (const [name, text] of Object.entries(error?.fieldErrors ?? {})) {
    const line = /^checklist\[(\d+)\]/.exec(name);
    const target = fields.find((f) => name === f.name || name.startsWith(`${f.name}.`) || name.startsWith(`${f.name}[`));
    if (!target || target.name in byField) continue;
    byField[target.name] = line ? t('tasks.form.checklistLine', { line: Number(line[1]) + 1, text: lines[Number(line[1])] ?? '', message: text }) : text;
  }
  return showFieldErrors({ fieldErrors: byField }, fields);
}

/**
 * Who the task is for: "Me" or "Someone else", then a search field whose suggestions
 * (colleagues, queues, departments) open in a listbox under it (ArrowDown/ArrowUp, Enter,
 * Escape). `value()`: null for me, `{kind, id}` for the chosen one, undefined when none is chosen.
 */
function assigneeField({ me, signal }) {
  const group = uid('assignee');
  const errorId = `${group}-error`;
  const listId = `${group}-list`;
  const radio = (value, label) => {
    const id = `${group}-${value}`;
    const input = h('input', { type: 'radio', id, name: group, value, checked: value === 'me', dataset: { assignee: value } });
    return { input, element: h('div', { class: 'choice-option' }, input, h('label', { for: id }, label)) };
  };
  const mine = radio('me', me?.name ? t('tasks.form.meNamed', { name: me.name }) : t('tasks.form.me'));
  const other = radio('other', t('tasks.form.other'));
  const searchId = `${group}-search`;
  // The ARIA 1.1 combobox, as the customer search has it: a wrapper owning the text box and the list.
  const search = h('input', {
    type: 'text', id: searchId, name: 'assignee-search', autocomplete: 'off', 'aria-autocomplete': 'list', 'aria-controls': listId, disabled: true,
  });
  const list = h('ul', { id: listId, class: 'mention-listbox', role: 'listbox', 'aria-label': t('tasks.form.suggestions'), hidden: true });
  const combobox = h('div', { role: 'combobox', 'aria-expanded': 'false', 'aria-owns': listId, 'aria-haspopup': 'listbox' }, search);
  const chosenText = h('p', { class: 'task-assignee-chosen', 'data-field': 'assignee-chosen', 'aria-live': 'polite' });
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  // The radios alone in their fieldset (a fieldset with other inputs is no radio group to axe-core).
  const fieldset = h('fieldset', { class: 'choice task-assignee' },
    h('legend', null, t('tasks.form.assignee')), mine.element, other.element);
  const element = h('div', { class: 'task-assignee-field' }, fieldset,
    h('div', { class: 'field task-assignee-search' },
      h('label', { for: searchId }, t('tasks.form.search')),
      h('div', { class: 'mention-anchor' }, combobox, list)),
    chosenText, error);

  let chosen = null;
  let items = [];
  let active = -1;
  let timer = null;
  let asking = null;

  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    items = [];
    active = -1;
    combobox.setAttribute('aria-expanded', 'false');
    search.removeAttribute('aria-activedescendant');
  };
  const setActive = (index) => {
    active = index;
    [...list.children].forEach((option, i) => option.setAttribute('aria-selected', String(i === index)));
    if (list.children[index]) search.setAttribute('aria-activedescendant', list.children[index].id);
    else search.removeAttribute('aria-activedescendant');
  };
  const choose = (index) => {
    const item = items[index];
    if (!item) return;
    chosen = item;
    search.value = item.name;
    chosenText.textContent = t('tasks.form.chosen', { name: item.name, kind: t(`mentions.kind.${item.kind}`) });
    close();
  };
  const ask = (query) => {
    asking?.abort();
    asking = new AbortController();
    const own = asking;
    signal?.addEventListener('abort', () => own.abort(), { once: true });
    api.get('/v1/mentionables', { query: { q: query, limit: PICK_LIMIT }, signal: own.signal })
      .then((body) => {
        if (own !== asking) return;
        items = (body?.data ?? []).filter((item) => ['user', 'queue', 'department'].includes(item?.kind) && typeof item.id === 'string' && typeof item.name === 'string');
        list.replaceChildren(...items.map((item, i) => {
          const option = h('li', { id: `${listId}-${i}`, role: 'option', 'aria-selected': 'false', dataset: { kind: item.kind, id: item.id } },
            h('span', { class: 'option-name' }, item.name), h('span', { class: 'option-meta' }, t(`mentions.kind.${item.kind}`)));
          option.addEventListener('mousedown', (event) => { event.preventDefault(); choose(i); });
          return option;
        }));
        list.hidden = items.length === 0;
        combobox.setAttribute('aria-expanded', String(items.length > 0));
        setActive(items.length ? 0 : -1);
      })
      .catch((error) => { if (!isAbort(error) && error.status !== 401) console.warn('mentionables', error); });
  };
  const sync = () => {
    search.disabled = !other.input.checked;
    if (!other.input.checked) { close(); chosenText.textContent = ''; }
  };
  mine.input.addEventListener('change', sync);
  other.input.addEventListener('change', () => { sync(); search.focus(); });
  search.addEventListener('input', () => {
    chosen = null;
    chosenText.textContent = '';
    clearTimeout(timer);
    const query = search.value.trim();
    if (!query) { close(); return; }
    timer = setTimeout(() => ask(query), 150);
  });
  search.addEventListener('keydown', (event) => {
    if (list.hidden || !items.length) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((active + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length);
    } else if (event.key === 'Enter' && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  search.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== search) close(); }, 150));

  return {
    name: 'assignee',
    element,
    get input() { return other.input.checked ? search : mine.input; },
    value: () => (mine.input.checked ? null : chosen ? { kind: chosen.kind, id: chosen.id } : undefined),
    reset: () => { chosen = null; mine.input.checked = true; search.value = ''; sync(); },
    setError: (text) => {
      error.textContent = text ?? '';
      error.hidden = !text;
      for (const el of [fieldset, search]) {
        if (text) { el.setAttribute('aria-invalid', 'true'); el.setAttribute('aria-describedby', errorId); } else {
          el.removeAttribute('aria-invalid'); el.removeAttribute('aria-describedby');
        }
      }
    },
  };
}
