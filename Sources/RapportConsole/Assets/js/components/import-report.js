// An import's error report (import-progress.js): the rows that failed, each with its row number (1
// is the first row after the header), the column and the reason (GET /v1/imports/{id}/issues, 100
// at a time with "Show more" while there is a next_cursor). Columns and reasons quote the file: they
// are shown as text. Messages: i18n/imports/.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { formatNumber, t } from '../i18n.js';

const PAGE = 100;

/** Returns { element, load(job), clear() }. */
export function importReport({ signal }) {
  const title = h('h3', { id: 'import-report-title' }, t('imports.report'));
  const intro = h('p', { class: 'muted', 'data-field': 'report-status' });
  const body = h('tbody');
  const table = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': title.id },
    h('table', { class: 'table import-issues', 'data-list': 'import-issues' },
      h('caption', { class: 'visually-hidden' }, t('imports.report')),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', class: 'num' }, t('imports.issueRow')),
        h('th', { scope: 'col' }, t('imports.issueColumn')),
        h('th', { scope: 'col' }, t('imports.issueReason')))),
      body));
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true, 'data-action': 'more-issues' }, t('imports.moreIssues'));
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true, 'data-field': 'report-problem' });
  const element = h('div', { class: 'import-report', 'data-slot': 'import-report', hidden: true }, title, intro, table, more, problem);

  let job = null;
  let cursor = null;
  let shown = 0;
  let generation = 0;

  const row = (issue) => h('tr', { 'data-row': String(issue.row ?? '') },
    h('td', { class: 'num', 'data-field': 'row' }, typeof issue.row === 'number' ? formatNumber(issue.row) : ''),
    h('td', { 'data-field': 'column', class: issue.column ? null : 'muted' }, issue.column || t('imports.wholeRow')),
    h('td', { 'data-field': 'reason' }, issue.reason ?? ''));

  const read = async (fresh) => {
    const mine = ++generation;
    more.disabled = true;
    element.setAttribute('aria-busy', 'true');
    try {
      const page = await api.get(`/v1/imports/${seg(job.id)}/issues`, { query: { limit: PAGE, cursor: fresh ? null : cursor }, signal });
      if (mine !== generation) return;
      const issues = (page?.data ?? []).filter((issue) => issue && typeof issue === 'object');
      if (fresh) { replace(body); shown = 0; }
      body.append(...issues.map(row));
      shown += issues.length;
      cursor = page?.next_cursor ?? null;
      more.hidden = !cursor;
      intro.textContent = t('imports.reportCount', { count: job.rows_failed ?? shown });
      problem.hidden = true;
    } catch (error) {
      if (mine !== generation || isAbort(error) || error.status === 401) return;
      problem.textContent = t('app.error');
      problem.hidden = false;
    } finally {
      if (mine === generation) { more.disabled = false; element.removeAttribute('aria-busy'); }
    }
  };
  more.addEventListener('click', () => read(false));

  return {
    element,
    /** Shows the report of `job` (nothing when no row failed). */
    load: (next) => {
      job = next;
      element.hidden = !(job?.rows_failed > 0);
      if (element.hidden) { generation += 1; return Promise.resolve(); }
      return read(true);
    },
    clear: () => {
      generation += 1;
      job = null;
      cursor = null;
      replace(body);
      element.hidden = true;
    },
  };
}
