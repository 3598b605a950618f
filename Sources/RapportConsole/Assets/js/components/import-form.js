// The form that starts an import (views/imports.js): what the file goes into (customers, or the
// records of a type from GET /v1/record-types), the file (.csv or .jsonl) and "dry run". A CSV
// file's header is read in the browser (csv-header.js) and shown as the mapping table
// (import-mapping.js); a JSON Lines file's keys are used as they are. Start: POST /v1/imports with
// the mapping (with an Idempotency-Key), then PUT /v1/imports/{id}/file with the file
// itself as the body; `onStarted(job)` with the queued job. The form keeps its choices afterwards,
// so that a dry run can be followed by the import itself. The server's refusals stay beside the
// inputs they name (`record_type`, `mapping.<column>`), the rest in the form's message.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t } from '../i18n.js';
import { HeaderProblem, readCsvHeader } from './csv-header.js';
import { field, formMessage } from './form.js';
import { customerTargets, mappingTable, recordTargets } from './import-mapping.js';

const CUSTOMERS = 'customers';
const RECORDS = 'records:';
const CONTENT_TYPES = { csv: 'text/csv', jsonl: 'application/jsonl' };

/** The format of a picked file: JSON Lines by its name or type, else CSV. */
function formatOf(file) {
  return /\.(jsonl|ndjson)$/i.test(file.name) || /json/i.test(file.type) ? 'jsonl' : 'csv';
}

/** `types`: the record types the user may import into. Returns { element, focus() }. */
export function importForm({ types, signal, onStarted }) {
  const target = field({ label: t('imports.target'), name: 'target', as: 'select', value: CUSTOMERS,
    options: [{ value: CUSTOMERS, label: t('imports.customers') },
      ...types.map((type) => ({ value: `${RECORDS}${type.key}`, label: t('imports.recordsOf', { label: type.plural_label || type.label || type.key }) }))] });
  const file = field({ label: t('imports.file'), name: 'file', type: 'file', required: true, hint: t('imports.fileHint'),
    attrs: { accept: '.csv,.jsonl,text/csv,application/jsonl' } });
  const dryId = uid('dry-run');
  const dryRun = h('input', { type: 'checkbox', id: dryId, name: 'dry_run', 'aria-describedby': `${dryId}-hint` });
  const dryField = h('div', { class: 'field field-check' }, dryRun, h('label', { for: dryId }, t('imports.dryRun')),
    h('p', { id: `${dryId}-hint`, class: 'field-hint import-dry-hint' }, t('imports.dryRunHint')));
  const mappingSlot = h('div', { 'data-slot': 'mapping-slot' });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'start-import' }, t('imports.start'));
  const form = h('form', { class: 'form import-form', novalidate: true, 'data-form': 'import' },
    target.element, file.element, dryField, mappingSlot, message.element, h('div', { class: 'form-actions' }, submit));

  let picked = null; // { file, format, columns (CSV: the header; null when it could not be read) }
  let table = null;
  let reading = 0;
  let key = null; // the Idempotency-Key of the job being asked for
  let lastBody = null;
  const typeCache = new Map();

  const typeOf = async (key) => {
    if (!typeCache.has(key)) typeCache.set(key, await api.get(`/v1/record-types/${seg(key)}`, { signal }));
    return typeCache.get(key);
  };

  /** The mapping table for the picked file and the chosen target (none for JSON Lines). */
  const drawMapping = async () => {
    const mine = ++reading;
    table = null;
    if (!picked) { replace(mappingSlot); return; }
    if (picked.format === 'jsonl') {
      replace(mappingSlot, h('p', { class: 'notice notice-info', 'data-field': 'jsonl-note' }, t('imports.jsonlNote')));
      return;
    }
    if (!picked.columns) { replace(mappingSlot); return; }
    let targets;
    const chosen = target.input.value;
    if (chosen.startsWith(RECORDS)) {
      mappingSlot.setAttribute('aria-busy', 'true');
      try {
        targets = recordTargets(await typeOf(chosen.slice(RECORDS.length)));
      } catch (error) {
        if (isAbort(error) || error.status === 401 || mine !== reading) return;
        target.setError(error.status === 404 ? t('imports.typeGone') : t('app.error'));
        replace(mappingSlot);
        return;
      } finally {
        if (mine === reading) mappingSlot.removeAttribute('aria-busy');
      }
    } else {
      targets = customerTargets();
    }
    if (mine !== reading) return;
    table = mappingTable({ columns: picked.columns, targets, attributes: chosen === CUSTOMERS });
    replace(mappingSlot, h('p', { class: 'muted', 'data-field': 'columns-found' }, t('imports.columnsFound', { count: picked.columns.length })),
      table.element);
  };

  file.input.addEventListener('change', async () => {
    file.setError(null);
    message.show(null);
    const chosen = file.input.files?.[0] ?? null;
    if (!chosen) { picked = null; drawMapping(); return; }
    const format = formatOf(chosen);
    picked = { file: chosen, format, columns: null };
    if (format === 'csv') {
      try {
        const columns = await readCsvHeader(chosen);
        if (picked?.file !== chosen) return;
        picked.columns = columns;
      } catch (error) {
        if (picked?.file !== chosen) return;
        file.setError(t(`imports.header.${error instanceof HeaderProblem ? error.reason : 'unreadable'}`));
      }
    }
    drawMapping();
  });
  target.input.addEventListener('change', () => { target.setError(null); drawMapping(); });
  dryRun.addEventListener('change', () => { submit.textContent = dryRun.checked ? t('imports.startDryRun') : t('imports.start'); });

  const busy = (on) => {
    submit.disabled = on;
    if (on) form.setAttribute('aria-busy', 'true');
    else form.removeAttribute('aria-busy');
  };

  /** The server's refusal beside the input it names; the rest in the form's message. */
  const refused = (error) => {
    const errors = error.fieldErrors ?? {};
    let first = null;
    for (const [name, text] of Object.entries(errors)) {
      if (name.startsWith('mapping.') && table?.setError(name.slice('mapping.'.length), t('imports.badMapping', { detail: text }))) {
        first ??= table;
      } else if (name === 'record_type' || name === 'target') {
        target.setError(t('imports.badTarget', { detail: text }));
        first ??= target;
      }
    }
    if (first === table) { table.focusError(); return; }
    if (first) { first.input.focus(); return; }
    if (error.status === 403) message.show(t('imports.forbidden'));
    else if (error.status === 413) message.show(t('imports.tooLarge'));
    else if (error.status === 422) message.show(t('imports.refused', { detail: error.message }));
    else message.show(t('app.error'));
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    target.setError(null);
    table?.clear();
    if (!picked) { file.setError(t('imports.fileNeeded')); file.input.focus(); return; }
    if (picked.format === 'csv' && !picked.columns) { file.input.focus(); return; }
    const mapping = table ? table.read() : undefined;
    if (table && !mapping) return;
    const chosen = target.input.value;
    const body = {
      target: chosen.startsWith(RECORDS) ? 'records' : 'customers',
      format: picked.format,
      dry_run: dryRun.checked,
      file_name: [...picked.file.name].slice(0, 255).join(''),
    };
    if (chosen.startsWith(RECORDS)) body.record_type = chosen.slice(RECORDS.length);
    if (mapping) body.mapping = mapping;
    // The same key when the same job is asked for again after the connection broke, a new one otherwise.
    const sent = JSON.stringify(body);
    if (sent !== lastBody) key = null;
    lastBody = sent;
    key ??= crypto.randomUUID();
    busy(true);
    let job;
    try {
      job = await api.post('/v1/imports', body, { headers: { 'Idempotency-Key': key }, signal });
      key = null;
    } catch (error) {
      busy(false);
      if (!isAbort(error) && error.status !== 401) refused(error);
      return;
    }
    try {
      job = await api.put(`/v1/imports/${seg(job.id)}/file`, picked.file, { headers: { 'Content-Type': CONTENT_TYPES[picked.format] }, signal });
    } catch (error) {
      busy(false);
      if (isAbort(error) || error.status === 401) return;
      refused(error);
      // The job without its file would wait for ever: it is called off (if that fails, it waits).
      api.post(`/v1/imports/${seg(job.id)}/cancel`, undefined, { signal }).catch(() => {});
      return;
    }
    busy(false);
    onStarted?.(job);
  });

  return { element: form, focus: () => target.input.focus() };
}
