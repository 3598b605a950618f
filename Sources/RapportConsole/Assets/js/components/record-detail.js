// #/records/{type}/{id}: one business record (GET /v1/records/{type}/{id}) — each field with its
// label (money as amount and currency, choices by label, customers as links to the Customer 360),
// its customer and times; Edit (record-form.js: PATCH with only the changed fields and If-Match; a
// 412 says someone else changed it, reads it again and keeps what was typed) and Delete after a
// confirmation (DELETE with If-Match). A record of a type with a pipeline shows its stage, "Move
// to…" and the stage history (record-stages.js, loaded with its messages then). A deal offers
// "Invoice this deal" to those who may write records (deal-invoice.js, loaded with its messages then).
// Below, the records that refer to this one (record-related.js, loaded after the page is drawn: a
// deal's lines and invoices, an invoice's lines…). It follows rapport.record.updated/deleted for itself
// and rapport.record_type.updated for its type, and hands the record events to the related lists.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t, timeElement } from '../i18n.js';
import { follow } from '../live.js';
import { recordForm } from './record-form.js';
import {
  RECORD_EVENTS, WRITERS, display, eventRecord, isEmpty, liveBadge, liveFields, notFound, recordETag, recordTitle, reference, references,
} from './record-values.js';

export async function recordDetail({ container, params, signal, setTitle, role }) {
  const typeLink = () => h('a', { href: `#/records/${encodeURIComponent(params.type)}`, 'data-action': 'back-to-list' },
    type?.plural_label || type?.label || params.type);
  let type = null;
  let record = null;
  // Both asked for at once; the type's answer first (a record of no type is a type not found).
  const asked = api.get(`/v1/records/${seg(params.type)}/${seg(params.id)}`, { signal });
  asked.catch(() => {});
  try {
    type = await api.get(`/v1/record-types/${seg(params.type)}`, { signal });
    record = await asked;
  } catch (error) {
    if (error.status === 404) {
      if (type) notFound(container, setTitle, t('records.noSuchRecord'), typeLink());
      else notFound(container, setTitle);
      return;
    }
    throw error;
  }
  const refs = await references(signal);
  if (signal.aborted) return;
  const canWrite = WRITERS.includes(role);
  const key = type.key;

  const live = liveBadge();
  const heading = h('h1', { tabindex: '-1', 'data-field': 'record-title' });
  const kind = h('span', { class: 'muted', 'data-field': 'record-type' });
  const notice = h('div', { role: 'status', 'data-field': 'record-notice' });
  const fields = h('dl', { class: 'fields record-fields-list', 'data-list': 'record-fields' });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const editButton = canWrite ? h('button', { type: 'button', class: 'button', 'data-action': 'edit-record', 'aria-expanded': 'false' }, t('records.edit')) : null;
  const deleteButton = canWrite ? h('button', { type: 'button', class: 'button button-danger', 'data-action': 'delete-record' }, t('records.delete')) : null;
  const editId = uid('edit-record');
  const editTitle = h('h2', { id: `${editId}-title`, tabindex: '-1' });
  const editCard = h('section', { id: editId, class: 'card', 'aria-labelledby': editTitle.id, 'data-card': 'edit-record', hidden: true }, editTitle);
  editButton?.setAttribute('aria-controls', editId);
  const actions = canWrite ? h('div', { class: 'form-actions record-actions' }, editButton, deleteButton) : null;
  const body = h('div', { class: 'record-page' },
    h('section', { class: 'card', 'aria-labelledby': 'record-fields-title', 'data-card': 'record' },
      h('h2', { id: 'record-fields-title' }, t('records.fields')), fields, actions, problem),
    editCard);
  container.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/records' }, t('records.title')), ' › ', typeLink()),
    h('div', { class: 'page-header' }, heading, kind, live.element),
    notice, body);
  container.dataset.recordId = record.id;

  /** The page's error area: a text, nodes (a link in it) or null. */
  const say = (message) => { replace(problem, message); problem.hidden = !message; };
  const tell = (message, tone = 'info') => replace(notice, message ? h('p', { class: `notice notice-${tone}` }, message) : null);

  const draw = () => {
    const title = recordTitle(type, record);
    setTitle(`${title} · ${type.label || key}`);
    heading.textContent = title;
    kind.textContent = type.label || key;
    container.dataset.version = String(record.version ?? '');
    const row = (label, name, value) => [h('dt', { 'data-label': name }, label), h('dd', { 'data-field': name }, value)];
    const retired = (type.fields ?? []).filter((f) => f?.retired && !isEmpty(record.fields?.[f.key]));
    replace(fields,
      liveFields(type).map((f) => row(f.label || f.key, f.key, display(f, record.fields?.[f.key], refs))),
      retired.map((f) => row(t('records.retiredField', { label: f.label || f.key }), f.key, display(f, record.fields?.[f.key], refs))),
      row(t('records.customer'), 'customer_id', record.customer_id ? reference('customer', record.customer_id, refs) : h('span', { class: 'muted' }, t('records.noValue'))),
      row(t('records.createdAt'), 'created_at', timeElement(record.created_at)),
      row(t('records.updated'), 'updated_at', timeElement(record.updated_at)),
      row(t('records.version'), 'version', String(record.version ?? '')));
    editTitle.textContent = t('records.editOf', { title });
    invoicing?.update(type, record);
  };
  let invoicing = null;
  draw();

  // The stage, when the type has a pipeline: its module and messages come with the first such record.
  let stages = null;
  let staging = null;
  const drawStage = async () => {
    if (stages) { stages.update(type, record); return; }
    if (!(Array.isArray(type.stages) && type.stages.length) && !record.stage) return;
    staging ??= import('./record-stages.js').then(async (module) => {
      await module.prepare();
      if (signal.aborted) return;
      stages = module.stageCard({
        type, record, refs, signal, canWrite,
        onMoved: (moved) => { record = moved; draw(); form?.rebase(moved); },
      });
      body.firstChild.after(stages.element);
    }).catch((error) => console.warn('record stages', error));
    await staging;
  };
  await drawStage();

  // Edit.
  let form = null;
  const closeEdit = (focus) => {
    editCard.hidden = true;
    editButton?.setAttribute('aria-expanded', 'false');
    form?.element.remove();
    form = null;
    if (focus) editButton?.focus();
  };
  const reread = async () => {
    try {
      const fresh = await api.get(`/v1/records/${seg(key)}/${seg(record.id)}`, { signal });
      record = fresh;
      draw();
      drawStage();
      form?.rebase(fresh);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      if (error.status === 404) gone(t('records.deletedMeanwhile'));
    }
  };
  editButton?.addEventListener('click', () => {
    if (form) { closeEdit(true); return; }
    tell(null);
    form = recordForm({
      type, record, refs, signal,
      onSaved: (saved) => {
        record = saved;
        draw();
        drawStage();
        closeEdit(true);
        tell(t('records.saved'), 'success');
      },
      onStale: () => reread(),
      onCancel: () => closeEdit(true),
    });
    editCard.append(form.element);
    editCard.hidden = false;
    editButton.setAttribute('aria-expanded', 'true');
    form.focus();
  });

  // Delete.
  let deleted = false;
  const gone = (message) => {
    deleted = true;
    closeEdit(false);
    replace(body, h('p', { class: 'notice notice-info', 'data-field': 'record-deleted' }, message, ' ',
      h('a', { href: `#/records/${encodeURIComponent(key)}`, 'data-action': 'back-to-list' }, t('records.backTo', { plural: type.plural_label || type.label || key }))));
    tell(null);
  };
  deleteButton?.addEventListener('click', async () => {
    if (!window.confirm(t('records.confirmDelete', { title: recordTitle(type, record) }))) return;
    say(null);
    deleteButton.disabled = true;
    try {
      await api.delete(`/v1/records/${seg(key)}/${seg(record.id)}`, { headers: { 'If-Match': recordETag(record) }, signal });
      gone(t('records.deleted', { title: recordTitle(type, record) }));
      container.querySelector('[data-field=record-deleted] a')?.focus();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      deleteButton.disabled = false;
      if (error.status === 412) { say(t('records.stale')); await reread(); } else if (error.status === 404) gone(t('records.deletedMeanwhile'));
      else say(error.status === 403 ? t('records.forbidden') : t('app.error'));
    }
  });

  // A deal: "Invoice this deal", for those who may write records (its module and messages come then).
  if (canWrite && key === 'deal') {
    import('./deal-invoice.js').then(async (module) => {
      await module.prepare();
      if (signal.aborted || deleted) return;
      invoicing = module.invoiceAction({ type, record, signal, actions, say, place: (node) => editCard.before(node) });
    }).catch((error) => console.warn('invoicing', error));
  }

  // The records that refer to this one, below the rest.
  let related = null;
  import('./record-related.js').then((module) => {
    if (signal.aborted || deleted) return;
    related = module.relatedRecords({ type, record, refs, signal });
    body.append(related.element);
  }).catch((error) => console.warn('related records', error));

  // Live.
  follow({
    filter: RECORD_EVENTS.map((name) => `type == ${JSON.stringify(name)}`).join(' || '),
    types: RECORD_EVENTS, signal, onState: live.set,
    onEvent: async (event) => {
      if (deleted) return;
      related?.onEvent(event);
      const item = eventRecord(event);
      if (event.type === 'rapport.record_type.updated' && item?.key === key) {
        try {
          type = Array.isArray(item.fields) ? item : await api.get(`/v1/record-types/${seg(key)}`, { signal });
        } catch { return; }
        draw();
        drawStage();
        form?.retype(type);
        return;
      }
      if (item?.id !== record.id) return;
      if (event.type === 'rapport.record.deleted') { gone(t('records.deletedMeanwhile')); return; }
      if (event.type === 'rapport.record.updated' && (item.version ?? 0) > (record.version ?? 0)) {
        record = item;
        draw();
        drawStage();
        // An open form keeps what it was opened with: saving it says someone else changed the record.
        tell(form ? t('records.changedWhileEditing') : t('records.changedLive'));
      }
    },
  }).catch((error) => console.warn('record events', error));
}
