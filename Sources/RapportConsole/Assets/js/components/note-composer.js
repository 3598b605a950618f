// Writing notes: the composer (Markdown text with the @-autocomplete, who sees it, files; the
// server's problems beside the fields; the mentions it could not resolve said to the author) and
// the editor of a note's text (PATCH with If-Match). Loaded when someone starts writing, so the
// pages that show notes do not carry it.

import { api, seg } from '../api.js';
import { h, isAbort, uid } from '../dom.js';
import { has, t } from '../i18n.js';
import { readFile, sizeText } from './file-input.js';
import { formMessage, showFieldErrors } from './form.js';
import { mentionAutocomplete } from './mention-input.js';
import { patchNote, unresolvedNotice } from './notes.js';

export const MAX_NOTE_LENGTH = 20000;
const MAX_FILES = 5;
const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** A textarea field with the @-autocomplete under it. */
function bodyField({ label, hint, value, departments, signal }) {
  const id = uid('note-body');
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const input = h('textarea', { id, name: 'body', rows: 5, 'aria-describedby': hintId, dataset: { field: 'note-body' } });
  if (value !== undefined) input.value = value;
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const popup = mentionAutocomplete(input, { departments, signal });
  const element = h('div', { class: 'field note-body-field' },
    h('label', { for: id }, label),
    h('p', { id: hintId, class: 'field-hint' }, hint),
    h('div', { class: 'mention-anchor' }, input, popup.element),
    error);
  const setError = (message) => {
    error.textContent = message ?? '';
    error.hidden = !message;
    input.setAttribute('aria-describedby', message ? `${hintId} ${errorId}` : hintId);
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  return { element, input, setError, name: 'body' };
}

/** The text's own problem before sending it, or null. */
function bodyProblem(text) {
  if (!text.trim()) return t('validation.required');
  if (text.length > MAX_NOTE_LENGTH && characters(text) > MAX_NOTE_LENGTH) return t('notes.tooLong', { max: MAX_NOTE_LENGTH });
  return null;
}

/** Characters as people (and the server) count them: 👍🏽 is one. */
function characters(text) {
  if (typeof Intl.Segmenter !== 'function') return [...text].length;
  let n = 0;
  for (const _ of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) n += 1; // eslint-disable-line no-unused-vars
  return n;
}

/** Field errors as the server names them (`attachments[0].content_base64`, `kinds.x`) onto the form's fields. */
function showNoteErrors(error, fields) {
  const byField = {};
  for (const [name, message] of Object.entries(error?.fieldErrors ?? {})) {
    const target = fields.find((f) => name === f.name || name.startsWith(`${f.name}[`) || name.startsWith(`${f.name}.`)
      || (f.aliases ?? []).includes(name));
    if (target && !(target.name in byField)) byField[target.name] = has(`fieldError.note.${name}`) ? t(`fieldError.note.${name}`) : message;
  }
  return showFieldErrors({ fieldErrors: byField }, fields);
}

export function noteEditor(note, board, { signal, onSaved, onCancel, onStale, current }) {
  const body = bodyField({ label: t('notes.editLabel'), hint: t('notes.hint'), value: note.body ?? '', departments: board.departments, signal });
  const message = formMessage();
  const save = h('button', { type: 'submit', class: 'button button-primary button-small', 'data-action': 'note-save' }, t('notes.save'));
  const cancel = h('button', { type: 'button', class: 'button button-small', 'data-action': 'note-cancel', onclick: () => onCancel() }, t('notes.cancel'));
  const form = h('form', { class: 'note-edit-form', novalidate: true, 'data-form': 'edit-note' }, message.element, body.element, h('div', { class: 'form-actions' }, save, cancel));
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !event.defaultPrevented) { event.preventDefault(); onCancel(); }
  });
  body.input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    const text = body.input.value;
    const problem = bodyProblem(text);
    body.setError(problem);
    if (problem) { body.input.focus(); return; }
    save.disabled = true;
    try {
      const shown = current();
      const saved = await patchNote(shown, { body: text });
      onSaved(saved, Array.isArray(saved.unresolved_mentions) ? saved.unresolved_mentions : []);
    } catch (error) {
      if (error.status === 401) return;
      if (error.status === 412) {
        message.show(t('notes.staleEdit'));
        try { onStale(await api.get(`/v1/notes/${seg(note.id)}`)); } catch { /* the message stands */ }
      } else if (error.status === 413) {
        body.setError(t('notes.tooLong', { max: MAX_NOTE_LENGTH }));
        body.input.focus();
      } else if (!(error.status === 422 && showNoteErrors(error, [body]) > 0)) {
        message.show(error.status === 403 ? t('notes.forbidden') : t('app.error'));
      }
    } finally {
      save.disabled = false;
    }
  });
  return { element: form, focus: () => { body.input.focus(); body.input.setSelectionRange(body.input.value.length, body.input.value.length); } };
}

/**
 * The form that writes a note on a customer (`customerId`) or a conversation (`conversationId`).
 * `onSaved(note)` after the server stored it.
 */
export function noteComposer({ board, customerId, conversationId, signal, onSaved }) {
  const me = board.me;
  const myDepartment = me?.department_id ? board.departments?.get(me.department_id) : null;
  const body = bodyField({ label: t('notes.label'), hint: t('notes.hint'), departments: board.departments, signal });

  // Who sees it: everyone who may see the customer, or the author's department only.
  const visibilityError = h('p', { class: 'field-error', id: uid('note-visibility-error'), hidden: true });
  const group = uid('visibility');
  const radio = (value, label, disabled = false) => {
    const id = uid(`note-visibility-${value}`);
    const input = h('input', { type: 'radio', id, name: group, value, checked: value === 'everyone', disabled, dataset: { visibility: value } });
    return { input, element: h('div', { class: 'choice-option' }, input, h('label', { for: id }, label)) };
  };
  const everyone = radio('everyone', t('notes.visibility.everyone'));
  const department = radio('department',
    myDepartment ? t('notes.visibility.department', { department: myDepartment.name }) : t('notes.visibility.noDepartment'),
    !me?.department_id);
  const visibilityFieldset = h('fieldset', { class: 'choice note-visibility', 'aria-describedby': visibilityError.id },
    h('legend', null, t('notes.visibility.label')), everyone.element, department.element, visibilityError);
  const visibility = {
    name: 'visibility', aliases: ['department_id'], element: visibilityFieldset, input: everyone.input,
    setError: (msg) => {
      visibilityError.textContent = msg ?? '';
      visibilityError.hidden = !msg;
      if (msg) visibilityFieldset.setAttribute('aria-invalid', 'true');
      else visibilityFieldset.removeAttribute('aria-invalid');
    },
  };

  const filesId = uid('note-files');
  const filesInput = h('input', { type: 'file', id: filesId, name: 'attachments', multiple: true, 'aria-describedby': `${filesId}-hint` });
  const filesError = h('p', { class: 'field-error', id: `${filesId}-error`, hidden: true });
  const files = {
    name: 'attachments', input: filesInput,
    element: h('div', { class: 'field' }, h('label', { for: filesId }, t('notes.files')),
      h('p', { class: 'field-hint', id: `${filesId}-hint` }, t('notes.filesHint', { max: MAX_FILES })), filesInput, filesError),
    setError: (msg) => {
      filesError.textContent = msg ?? '';
      filesError.hidden = !msg;
      filesInput.setAttribute('aria-describedby', msg ? `${filesId}-hint ${filesId}-error` : `${filesId}-hint`);
      if (msg) filesInput.setAttribute('aria-invalid', 'true');
      else filesInput.removeAttribute('aria-invalid');
    },
  };
  filesInput.addEventListener('change', () => {
    key = null;
    const chosen = [...filesInput.files];
    const large = chosen.find((file) => file.size > MAX_FILE_BYTES);
    files.setError(chosen.length > MAX_FILES ? t('reply.tooManyFiles', { max: MAX_FILES })
      : large ? t('reply.fileTooLarge', { name: large.name, size: sizeText(large.size) }) : null);
  });

  const message = formMessage();
  const warnings = h('div', { class: 'note-warnings' });
  const save = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'note-submit' }, t('notes.submit'));
  const form = h('form', { class: 'form note-composer', novalidate: true, 'data-form': 'note' },
    message.element, body.element, visibilityFieldset, files.element,
    h('div', { class: 'form-actions' }, save),
    warnings);
  let key = null;
  body.input.addEventListener('input', () => { key = null; });
  everyone.input.addEventListener('change', () => { key = null; });
  department.input.addEventListener('change', () => { key = null; });
  body.input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    warnings.replaceChildren();
    const fields = [body, visibility, files];
    for (const f of fields) f.setError(null);
    const text = body.input.value;
    const problem = bodyProblem(text);
    if (problem) { body.setError(problem); body.input.focus(); return; }
    if (filesInput.getAttribute('aria-invalid') === 'true') { filesInput.focus(); return; }
    let attachments = [];
    try {
      attachments = await Promise.all([...filesInput.files].map(readFile));
    } catch (error) {
      files.setError(t('emailReply.unreadable', { name: error.fileName ?? '' }));
      filesInput.focus();
      return;
    }
    const payload = { body: text, visibility: department.input.checked ? 'department' : 'everyone' };
    if (payload.visibility === 'department') payload.department_id = me?.department_id;
    if (conversationId) payload.conversation_id = conversationId;
    else payload.customer_id = customerId;
    if (attachments.length) payload.attachments = attachments;
    key ??= crypto.randomUUID();
    save.disabled = true;
    try {
      const note = await api.post('/v1/notes', payload, { headers: { 'Idempotency-Key': key }, signal });
      key = null;
      body.input.value = '';
      filesInput.value = '';
      everyone.input.checked = true;
      message.show(t('notes.saved'), 'success');
      const unresolved = Array.isArray(note?.unresolved_mentions) ? note.unresolved_mentions : [];
      if (unresolved.length) warnings.append(unresolvedNotice(unresolved));
      onSaved?.(note);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      if (error.status === 413) {
        body.setError(t('notes.tooLong', { max: MAX_NOTE_LENGTH }));
        body.input.focus();
      } else if (!(error.status === 422 && showNoteErrors(error, fields) > 0)) {
        message.show(error.status === 403 ? t('notes.forbidden') : error.status === 404 ? t('notes.subjectGone') : t('app.error'));
      }
    } finally {
      save.disabled = false;
    }
  });
  return { element: form, focus: () => body.input.focus() };
}
