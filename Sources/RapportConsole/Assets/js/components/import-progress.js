// One import as it goes (views/imports.js): its file, what it goes into, its status, a progress bar
// (`percent` of the file read), the rows read, created, updated, unchanged and failed ("would be
// created" and "would be updated" in a dry run), why it failed when it could not run, Cancel while it
// waits or runs, and the error report (import-report.js) once it has ended with rows that failed.
// `show(job or id)` follows a job: GET /v1/imports/{id} every 500 ms while it is queued or running,
// until it ends, another job is shown or the page is left (`signal`); `onChange(job)` hears of each
// state read. The file's name is the user's text: shown as text. Messages: i18n/imports/.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { formatPercent, t, timeElement } from '../i18n.js';
import { importReport } from './import-report.js';

const POLL_MS = 500;
const RETRY_MS = 2000;
const GOING = new Set(['queued', 'running']);
const ENDED = new Set(['completed', 'failed', 'cancelled']);

/** `typeLabel(key)`: a record type's name. Returns { element, show(jobOrId, {focus}), hide(), current() }. */
export function importProgress({ signal, typeLabel, onChange }) {
  const heading = h('h2', { id: 'import-progress-title', tabindex: '-1', 'data-field': 'import-title' });
  const status = h('p', { class: 'import-status', role: 'status', 'data-field': 'import-status' });
  const bar = h('progress', { max: '100', value: '0', 'aria-labelledby': 'import-progress-label', 'data-field': 'import-bar' });
  const percent = h('span', { class: 'import-percent', 'data-field': 'import-percent' });
  const counts = h('dl', { class: 'fields import-counts', 'data-list': 'import-counts' });
  const dryNote = h('p', { class: 'notice notice-info', 'data-field': 'import-dry-note', hidden: true });
  const failure = h('p', { class: 'notice notice-error', 'data-field': 'import-failure', hidden: true });
  const cancel = h('button', { type: 'button', class: 'button button-danger', hidden: true, 'data-action': 'cancel-import' }, t('imports.cancel'));
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true, 'data-field': 'import-problem' });
  const report = importReport({ signal });
  const details = h('div', { 'data-slot': 'import-details' }, status, dryNote,
    h('div', { class: 'import-bar' }, h('span', { id: 'import-progress-label', class: 'visually-hidden' }, t('imports.progress')), bar, percent),
    counts, failure, h('div', { class: 'form-actions' }, cancel));
  const element = h('section', { class: 'card import-progress', 'aria-labelledby': heading.id, 'data-card': 'import-progress', hidden: true },
    heading, details, problem, report.element);

  let job = null;
  let following = null; // the AbortController of the job followed now

  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };

  const draw = () => {
    const dry = Boolean(job.dry_run);
    element.hidden = false;
    details.hidden = false;
    element.dataset.importId = job.id;
    heading.textContent = t('imports.progressTitle', { name: job.file_name || job.id });
    const into = job.target === 'records' ? t('imports.recordsOf', { label: typeLabel(job.record_type) }) : t('imports.customers');
    replace(status,
      h('span', { class: `badge badge-import badge-import-${job.status}`, 'data-status': job.status }, t(`imports.status.${job.status}`)), ' ',
      h('span', { class: 'muted', 'data-field': 'import-target' }, into),
      dry ? [' ', h('span', { class: 'badge badge-dry-run', 'data-field': 'import-dry' }, t('imports.dryRunBadge'))] : null);
    status.dataset.status = job.status;
    const value = Math.max(0, Math.min(100, Number(job.percent) || 0));
    bar.value = value;
    percent.textContent = formatPercent(value / 100);
    const count = (name, label, value) => [h('dt', null, label), h('dd', { 'data-count': name }, String(value ?? 0))];
    replace(counts,
      count('read', t('imports.rowsRead'), job.rows_read),
      count('created', dry ? t('imports.wouldCreate') : t('imports.created'), job.rows_created),
      count('updated', dry ? t('imports.wouldUpdate') : t('imports.updated'), job.rows_updated),
      count('unchanged', t('imports.unchanged'), job.rows_unchanged),
      count('failed', t('imports.failed'), job.rows_failed),
      job.started_at ? [h('dt', null, t('imports.started')), h('dd', { 'data-field': 'started' }, timeElement(job.started_at))] : null,
      job.finished_at ? [h('dt', null, t('imports.finished')), h('dd', { 'data-field': 'finished' }, timeElement(job.finished_at))] : null);
    dryNote.hidden = !(dry && job.status === 'completed');
    dryNote.textContent = dryNote.hidden ? '' : t('imports.dryRunDone');
    failure.hidden = !(job.status === 'failed' && job.failure);
    failure.textContent = failure.hidden ? '' : t('imports.failure', { reason: job.failure });
    cancel.hidden = !(GOING.has(job.status) || job.status === 'awaiting_file');
  };

  const wait = (ms, stop) => new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    stop.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });

  /** Takes a new state of the job followed (never an older one: a poll and Cancel may cross). */
  const take = (next, own) => {
    if (own.aborted || next?.id !== job?.id) return;
    if (ENDED.has(job.status) && !ENDED.has(next.status)) return;
    const ended = !ENDED.has(job.status) && ENDED.has(next.status);
    job = next;
    draw();
    onChange?.(job);
    if (ended) report.load(job);
  };

  const follow = async (own) => {
    while (!own.aborted && GOING.has(job.status)) {
      await wait(POLL_MS, own);
      if (own.aborted) return;
      try {
        take(await api.get(`/v1/imports/${seg(job.id)}`, { signal: own }), own);
        say(null);
      } catch (error) {
        if (own.aborted || isAbort(error) || error.status === 401) return;
        if (error.status === 404) { say(t('imports.gone')); return; }
        say(t('imports.pollFailed'));
        await wait(RETRY_MS, own);
      }
    }
  };

  cancel.addEventListener('click', async () => {
    const own = following?.signal;
    if (!job || !own) return;
    cancel.disabled = true;
    say(null);
    try {
      take(await api.post(`/v1/imports/${seg(job.id)}/cancel`, undefined, { signal: own }), own);
    } catch (error) {
      if (own.aborted || isAbort(error) || error.status === 401) return;
      if (error.status === 409) {
        // It ended meanwhile: its end is shown.
        try { take(await api.get(`/v1/imports/${seg(job.id)}`, { signal: own }), own); } catch { /* the poll tells */ }
      } else {
        say(error.status === 403 ? t('imports.forbidden') : t('app.error'));
      }
    } finally {
      cancel.disabled = false;
    }
  });

  /** Follows `target`: a job as the API answered it, or the id of one (read first); `focus` moves
   * the focus to its heading once it is shown. */
  const show = async (target, { focus = false } = {}) => {
    following?.abort();
    const controller = new AbortController();
    following = controller;
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    const own = controller.signal;
    say(null);
    report.clear();
    let next = typeof target === 'object' ? target : null;
    if (!next) {
      try {
        next = await api.get(`/v1/imports/${seg(target)}`, { signal: own });
      } catch (error) {
        if (own.aborted || isAbort(error) || error.status === 401) return;
        job = null;
        element.hidden = false;
        details.hidden = true;
        delete element.dataset.importId;
        heading.textContent = t('imports.progress');
        say(error.status === 404 ? t('imports.notFound') : error.status === 403 ? t('imports.forbidden') : t('app.error'));
        return;
      }
    }
    if (own.aborted) return;
    job = next;
    draw();
    if (focus) heading.focus();
    if (ENDED.has(job.status)) report.load(job);
    await follow(own);
  };

  /** Stops following and hides the card. */
  const hide = () => {
    following?.abort();
    following = null;
    job = null;
    report.clear();
    element.hidden = true;
  };

  return { element, show, hide, current: () => job };
}
