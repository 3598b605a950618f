// Open incidents (GET /v1/incidents?status=open): tokens a failure stopped, each with its instance,
// node, message and time, and Retry (POST /v1/incidents/{id}/retry, processes:define) that moves
// the token on again. On the processes page all of them, each named by its instance's process; on an
// instance's page only that instance's. The message is the worker's text: shown as text.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t, timeElement } from '../i18n.js';
import { instanceHref, nodeNamer, readAll } from './process-text.js';

/**
 * `instance`: the instance whose incidents are shown (with `nameOf(node id)` naming its nodes), or
 * null for all. `onRetried(instance)` after a retry. Returns { element, load() }.
 */
export function incidentList({ signal, canRetry, instance = null, nameOf = (id) => id, onRetried }) {
  const titleId = uid('incidents-title');
  const title = h('h2', { id: titleId, tabindex: '-1' }, t('processes.incidents.title'));
  const status = h('p', { class: 'muted', role: 'status', 'data-field': 'incidents-status' });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true, 'data-field': 'incidents-problem' });
  const slot = h('div', { 'data-slot': 'incidents' });
  const element = h('section', { class: 'card', 'aria-labelledby': titleId, 'data-card': 'incidents' }, title, status, problem, slot);
  const described = new Map(); // instance id -> { key, nameOf } of its process's version, for the list of all
  const versions = new Map(); // 'key@version' -> a promise of nameOf

  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };

  /** The process of each instance listed and its nodes' names (read once; an instance gone stays unnamed). */
  const describe = async (incidents) => {
    const unknown = [...new Set(incidents.map((i) => i.instance_id))].filter((id) => !described.has(id)).slice(0, 50);
    await Promise.all(unknown.map(async (id) => {
      try {
        const found = await api.get(`/v1/process-instances/${seg(id)}`, { signal });
        const version = `${found.process}@${found.process_version}`;
        if (!versions.has(version)) {
          versions.set(version, api.get(`/v1/processes/${seg(found.process)}`, { query: { version: found.process_version }, signal })
            .then(nodeNamer, () => null));
        }
        described.set(id, { key: found.process, nameOf: await versions.get(version) });
      } catch (error) {
        if (isAbort(error)) throw error;
        described.set(id, { key: null, nameOf: null });
      }
    }));
  };
  const nodeName = (incident) => (instance ? nameOf : described.get(incident.instance_id)?.nameOf ?? ((id) => id))(incident.node);

  const draw = (incidents) => {
    if (!incidents.length) {
      replace(slot, h('p', { class: 'empty', 'data-field': 'no-incidents' }, t('processes.incidents.none')));
      return;
    }
    replace(slot, h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': titleId },
      h('table', { class: 'table incident-table', 'data-table': 'incidents' },
        h('caption', { class: 'visually-hidden' }, t('processes.incidents.title')),
        h('thead', null, h('tr', null,
          instance ? null : h('th', { scope: 'col' }, t('processes.incidents.instance')),
          h('th', { scope: 'col' }, t('processes.incidents.node')),
          h('th', { scope: 'col' }, t('processes.incidents.message')),
          h('th', { scope: 'col' }, t('processes.incidents.since')),
          canRetry ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('processes.incidents.actions'))) : null)),
        h('tbody', null, incidents.map((incident) => row(incident))))));
  };

  const row = (incident) => {
    const retry = canRetry ? h('button', { type: 'button', class: 'button button-small', 'data-action': 'retry-incident',
      'aria-label': t('processes.incidents.retryLabel', { node: nodeName(incident) }) }, t('processes.incidents.retry')) : null;
    retry?.addEventListener('click', () => retryIncident(incident, retry));
    const key = described.get(incident.instance_id)?.key;
    return h('tr', { 'data-id': incident.id, 'data-instance': incident.instance_id },
      instance ? null : h('td', { 'data-field': 'instance' }, h('a', { href: instanceHref(incident.instance_id), 'data-action': 'open-instance' },
        key ? t('processes.incidents.instanceOf', { process: key }) : incident.instance_id)),
      h('td', { 'data-field': 'node', 'data-node': incident.node }, nodeName(incident)),
      h('td', { 'data-field': 'message', class: 'incident-message' }, incident.message ?? ''),
      h('td', { 'data-field': 'since' }, timeElement(incident.created_at)),
      canRetry ? h('td', null, retry) : null);
  };

  let current = [];
  let generation = 0;
  const load = async () => {
    const mine = ++generation;
    slot.setAttribute('aria-busy', 'true');
    try {
      const open = await readAll('/v1/incidents', { query: { status: 'open' }, signal });
      const chosen = instance ? open.filter((i) => i.instance_id === instance.id) : open;
      if (!instance) await describe(chosen);
      if (mine !== generation) return;
      current = chosen;
      say(null);
      draw(current);
    } catch (error) {
      if (isAbort(error) || error.status === 401 || mine !== generation) return;
      say(error.status === 403 ? t('processes.forbidden') : t('app.error'));
    } finally {
      if (mine === generation) slot.removeAttribute('aria-busy');
    }
  };

  const retryIncident = async (incident, button) => {
    say(null);
    status.textContent = '';
    button.disabled = true;
    try {
      const after = await api.post(`/v1/incidents/${seg(incident.id)}/retry`, undefined, { signal });
      current = current.filter((i) => i.id !== incident.id);
      draw(current);
      status.textContent = t('processes.incidents.retried', { node: nodeName(incident) });
      title.focus();
      onRetried?.(after);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      button.disabled = false;
      if (error.status === 404 || error.status === 409) { say(t('processes.incidents.gone')); load(); return; }
      say(error.status === 403 ? t('processes.forbidden') : t('app.error'));
    }
  };

  return { element, load };
}
