// The recent imports (views/imports.js): GET /v1/imports, newest first, 20 at a time with "Show
// more": each with its file's name as a link to its progress (#/imports/{id}), a dry run marked, what
// it went into, its status, what it did and when it was started. `put(job)` shows a job's new state
// (a new job on top); `setCurrent(id)` marks the one shown. File names are the user's text: shown
// as text. Messages: i18n/imports/.

import { api } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { t, timeElement } from '../i18n.js';

const PAGE = 20;

/** `typeLabel(key)`: a record type's name. Returns { element, load(), put(job), setCurrent(id) }. */
export function importList({ signal, typeLabel }) {
  const title = h('h2', { id: 'imports-list-title' }, t('imports.recent'));
  const status = h('p', { class: 'muted', role: 'status', 'data-field': 'imports-status' });
  const problem = h('p', { class: 'notice notice-error', role: 'alert', hidden: true, 'data-field': 'imports-problem' });
  const slot = h('div', { 'data-slot': 'imports' });
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true, 'data-action': 'more-imports' }, t('imports.more'));
  const element = h('section', { class: 'card', 'aria-labelledby': title.id, 'data-card': 'imports' }, title, status, problem, slot, more);

  let jobs = []; // newest first
  let cursor = null;
  let current = null;

  const outcome = (job) => t(job.dry_run ? 'imports.outcomeDry' : 'imports.outcome',
    { created: job.rows_created ?? 0, updated: job.rows_updated ?? 0, unchanged: job.rows_unchanged ?? 0, failed: job.rows_failed ?? 0 });

  const count = () => {
    const text = jobs.length ? t('imports.listCount', { count: jobs.length }) : '';
    if (status.textContent !== text) status.textContent = text;
  };
  const draw = () => {
    // Drawn again as a job goes on: the link that had the focus keeps it.
    const focused = slot.contains(document.activeElement) ? document.activeElement.closest('tr')?.dataset.id : null;
    count();
    if (!jobs.length) {
      replace(slot, h('p', { class: 'empty' }, t('imports.none')));
      return;
    }
    replace(slot, h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': title.id },
      h('table', { class: 'table import-table', 'data-list': 'imports' },
        h('caption', { class: 'visually-hidden' }, t('imports.recent')),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('imports.fileColumn')),
          h('th', { scope: 'col' }, t('imports.targetColumn')),
          h('th', { scope: 'col' }, t('imports.statusColumn')),
          h('th', { scope: 'col' }, t('imports.outcomeColumn')),
          h('th', { scope: 'col' }, t('imports.whenColumn')))),
        h('tbody', null, jobs.map((job) => h('tr', { 'data-id': job.id, 'data-status': job.status },
          h('th', { scope: 'row', 'data-field': 'file' },
            h('a', { href: `#/imports/${encodeURIComponent(job.id)}`, 'data-action': 'open-import', 'aria-current': job.id === current ? 'true' : null },
              job.file_name || job.id),
            job.dry_run ? [' ', h('span', { class: 'badge badge-dry-run' }, t('imports.dryRunBadge'))] : null),
          h('td', { 'data-field': 'target' }, job.target === 'records' ? t('imports.recordsOf', { label: typeLabel(job.record_type) }) : t('imports.customers')),
          h('td', { 'data-field': 'status' }, h('span', { class: `badge badge-import badge-import-${job.status}` }, t(`imports.status.${job.status}`))),
          h('td', { 'data-field': 'outcome' }, outcome(job)),
          h('td', { 'data-field': 'when' }, timeElement(job.created_at))))))));
    if (focused) slot.querySelector(`tr[data-id="${CSS.escape(focused)}"] a`)?.focus();
  };

  const read = async (fresh) => {
    more.disabled = true;
    slot.setAttribute('aria-busy', 'true');
    try {
      const page = await api.get('/v1/imports', { query: { limit: PAGE, cursor: fresh ? null : cursor }, signal });
      const items = (page?.data ?? []).filter((job) => typeof job?.id === 'string');
      const known = new Set(fresh ? [] : jobs.map((job) => job.id));
      jobs = fresh ? items : [...jobs, ...items.filter((job) => !known.has(job.id))];
      cursor = page?.next_cursor ?? null;
      problem.hidden = true;
      draw();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      problem.textContent = error.status === 403 ? t('imports.forbidden') : t('app.error');
      problem.hidden = false;
    } finally {
      more.disabled = false;
      more.hidden = !cursor;
      slot.removeAttribute('aria-busy');
    }
  };
  more.addEventListener('click', () => read(false));

  return {
    element,
    load: () => read(true),
    put: (job) => {
      const index = jobs.findIndex((j) => j.id === job.id);
      if (index >= 0) jobs[index] = job;
      else jobs = [job, ...jobs];
      draw();
    },
    setCurrent: (id) => {
      current = id ?? null;
      for (const link of slot.querySelectorAll('a[data-action=open-import]')) {
        if (link.closest('tr')?.dataset.id === current) link.setAttribute('aria-current', 'true');
        else link.removeAttribute('aria-current');
      }
    },
  };
}
