// An instance's history (views/process-instance.js): the steps of GET
// /v1/process-instances/{id}/history in order — when, what (reached, completed, incident,
// withdrawn), which node, which token, who — as a table.

import { h, uid } from '../dom.js';
import { has, t, timeElement } from '../i18n.js';
import { actorName } from './process-text.js';

/** `steps` in order; `nameOf(node id)`; `users` (id -> user) to name who acted. */
export function historyTable(steps, { nameOf, users }) {
  if (!steps.length) return h('p', { class: 'empty', 'data-field': 'no-history' }, t('processes.history.none'));
  const captionId = uid('history');
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': captionId },
    h('table', { class: 'table history-table', 'data-table': 'history' },
      h('caption', { id: captionId, class: 'visually-hidden' }, t('processes.history.title')),
      h('thead', null, h('tr', null,
        ['position', 'at', 'kind', 'node', 'token', 'actor'].map((column) =>
          h('th', { scope: 'col', class: column === 'position' || column === 'token' ? 'num' : null }, t(`processes.history.${column}`))))),
      h('tbody', null, steps.map((step) => h('tr', { 'data-position': String(step.position), 'data-kind': step.kind, 'data-node': step.node },
        h('td', { class: 'num', 'data-field': 'position' }, String(step.position + 1)),
        h('td', { 'data-field': 'at' }, timeElement(step.at, { dateStyle: 'medium', timeStyle: 'medium' })),
        h('td', { 'data-field': 'kind' }, has(`processes.step.${step.kind}`) ? t(`processes.step.${step.kind}`) : step.kind),
        h('td', { 'data-field': 'node' }, nameOf(step.node)),
        h('td', { class: 'num', 'data-field': 'token' }, String(step.token)),
        h('td', { 'data-field': 'actor' }, actorName(step.actor, users)))))));
}
