// #/imports: customers, or a record type's records, imported from a CSV or JSON Lines file — the
// form (import-form.js: what into, the file, dry run, the CSV's columns mapped to fields), the
// import started shown as it goes (import-progress.js: status, progress bar, counts, Cancel, the
// error report) and the recent imports (import-list.js). #/imports/{id}: the same page showing that
// import; moving between imports keeps the form as it is (the router's `update`). For those who may
// write customers or records. Messages: i18n/imports/, loaded with the page.

import { api } from '../api.js';
import { h, isAbort } from '../dom.js';
import { loadMessages, t } from '../i18n.js';
import { importForm } from '../components/import-form.js';
import { importList } from '../components/import-list.js';
import { importProgress } from '../components/import-progress.js';

export default async function render({ container, params, signal, setTitle }) {
  await loadMessages('imports');
  if (signal.aborted) return;
  setTitle(t('imports.title'));

  let types = [];
  try {
    types = ((await api.get('/v1/record-types', { signal }))?.data ?? []).filter((type) => typeof type?.key === 'string');
  } catch (error) {
    if (isAbort(error) || error.status === 401) return;
    if (error.status !== 403) console.warn('record types', error); // customers can still be imported
  }
  if (signal.aborted) return;
  const byKey = new Map(types.map((type) => [type.key, type]));
  const typeLabel = (key) => { const type = byKey.get(key); return type?.plural_label || type?.label || key || ''; };

  const list = importList({ signal, typeLabel });
  const progress = importProgress({ signal, typeLabel, onChange: (job) => list.put(job) });
  let started = null; // the job just started, shown without reading it again
  const form = importForm({
    types, signal,
    onStarted: (job) => {
      started = job;
      list.put(job);
      location.hash = `#/imports/${encodeURIComponent(job.id)}`;
    },
  });
  const formTitle = h('h2', { id: 'import-form-title' }, t('imports.new'));
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('imports.title'))),
    h('p', { class: 'muted' }, t('imports.intro')),
    h('section', { class: 'card', 'aria-labelledby': formTitle.id, 'data-card': 'new-import' }, formTitle, form.element),
    progress.element,
    list.element);

  const open = (id, { focus = false } = {}) => {
    list.setCurrent(id || null);
    if (!id) { progress.hide(); return; }
    if (id === progress.current()?.id) return;
    const job = started?.id === id ? started : id;
    started = null;
    progress.show(job, { focus });
  };
  open(params.id);
  await list.load();
  list.setCurrent(params.id || null);

  return { update: (next) => open(next.id, { focus: true }) };
}
