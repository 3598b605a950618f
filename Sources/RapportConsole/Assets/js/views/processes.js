// #/processes: the deployed BPMN processes (GET /v1/processes: each key's newest version, by key,
// "Show more" with the cursor), each a link to its page (views/process.js); for those who may
// define processes the form that deploys a .bpmn file (process-deploy.js); and the open incidents
// with Retry (process-incidents.js). Messages: i18n/processes/, loaded with the page.

import { api } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { loadMessages, t, timeElement } from '../i18n.js';
import * as session from '../session.js';
import { deployForm } from '../components/process-deploy.js';
import { incidentList } from '../components/process-incidents.js';
import { DEFINERS, processHref, processStyles } from '../components/process-text.js';

const PAGE = 100;

export default async function render({ container, signal, setTitle }) {
  await Promise.all([loadMessages('processes'), processStyles()]);
  if (signal.aborted) return;
  setTitle(t('processes.title'));
  const canDefine = DEFINERS.includes(session.user()?.role);

  const status = h('p', { class: 'muted', role: 'status', 'data-field': 'processes-status' });
  const problem = h('p', { class: 'notice notice-error', role: 'alert', hidden: true, 'data-field': 'processes-problem' });
  const slot = h('div', { 'data-slot': 'processes' });
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true, 'data-action': 'more-processes' }, t('processes.more'));
  const incidents = incidentList({ signal, canRetry: canDefine });
  const deploy = canDefine ? deployForm({ signal, onDeployed: () => { load(); } }) : null;
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('processes.title'))),
    h('p', { class: 'muted' }, t('processes.intro')),
    deploy ? h('section', { class: 'card', 'aria-labelledby': 'deploy-title', 'data-card': 'deploy' },
      h('h2', { id: 'deploy-title' }, t('processes.deploy.title')), h('p', { class: 'muted' }, t('processes.deploy.intro')), deploy.element) : null,
    h('section', { class: 'card', 'aria-labelledby': 'processes-list-title', 'data-card': 'processes' },
      h('h2', { id: 'processes-list-title' }, t('processes.list')), status, problem, slot, more),
    incidents.element);

  let items = [];
  let cursor = null;
  let generation = 0;
  const draw = () => {
    more.hidden = !cursor;
    status.textContent = items.length ? t('processes.listCount', { count: items.length }) : '';
    if (!items.length) {
      replace(slot, h('p', { class: 'empty', 'data-field': 'no-processes' }, t('processes.none')));
      return;
    }
    replace(slot, h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'processes-list-title' },
      h('table', { class: 'table process-table', 'data-table': 'processes' },
        h('caption', { class: 'visually-hidden' }, t('processes.list')),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('processes.key')),
          h('th', { scope: 'col' }, t('processes.name')),
          h('th', { scope: 'col', class: 'num' }, t('processes.version')),
          h('th', { scope: 'col' }, t('processes.deployedAt')))),
        h('tbody', null, items.map((p) => h('tr', { 'data-key': p.key },
          h('th', { scope: 'row', 'data-field': 'key' }, h('a', { href: processHref(p.key), 'data-action': 'open-process', class: 'mono' }, p.key)),
          h('td', { 'data-field': 'name' }, p.name ?? ''),
          h('td', { class: 'num', 'data-field': 'version' }, String(p.version ?? '')),
          h('td', { 'data-field': 'deployed_at' }, timeElement(p.deployed_at))))))));
  };

  const load = async (mode = 'fresh') => {
    const mine = ++generation;
    slot.setAttribute('aria-busy', 'true');
    more.disabled = true;
    try {
      const page = await api.get('/v1/processes', { query: { limit: PAGE, cursor: mode === 'more' ? cursor : null }, signal });
      if (mine !== generation) return;
      const found = (page?.data ?? []).filter((p) => typeof p?.key === 'string');
      items = mode === 'more' ? [...items, ...found.filter((p) => !items.some((known) => known.key === p.key))] : found;
      cursor = page?.next_cursor ?? null;
      problem.hidden = true;
      draw();
    } catch (error) {
      if (isAbort(error) || error.status === 401 || mine !== generation) return;
      problem.textContent = error.status === 403 ? t('processes.forbidden') : t('app.error');
      problem.hidden = false;
    } finally {
      if (mine === generation) { slot.removeAttribute('aria-busy'); more.disabled = false; }
    }
  };
  more.addEventListener('click', () => load('more'));

  await Promise.all([load(), incidents.load()]);
}
