// #/processes/{key}[?version=N]: one process — a version of it (the newest unless asked; GET
// /v1/processes/{key}) drawn from its BPMN DI (process-diagram.js) with the active tokens and
// incidents of its running instances on each node (GET /v1/process-instances?process=KEY&
// status=running, counted per node), or listed when the file has no diagram; the form that starts
// an instance (process-start.js, processes:run); and its instances (process-instances.js).
// Messages: i18n/processes/, loaded with the page.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { loadMessages, t, timeElement } from '../i18n.js';
import * as lookups from '../lookups.js';
import { navigate } from '../router.js';
import * as session from '../session.js';
import { processDiagram } from '../components/process-diagram.js';
import { instanceList } from '../components/process-instances.js';
import { startForm } from '../components/process-start.js';
import {
  actorName, instanceHref, nodeNamer, processHref, processStyles, readAll, RUNNERS, tokenCounts, waitsText,
} from '../components/process-text.js';

export default async function render({ container, params, query, signal, setTitle }) {
  await Promise.all([loadMessages('processes'), processStyles()]);
  if (signal.aborted) return;
  const canRun = RUNNERS.includes(session.user()?.role);
  const asked = /^[1-9][0-9]{0,9}$/.test(query?.get('version') ?? '') ? query.get('version') : null;
  const back = () => h('a', { href: '#/processes', 'data-action': 'back-to-processes' }, t('processes.backToList'));

  let definition;
  let newest;
  try {
    [definition, newest] = await Promise.all([
      api.get(`/v1/processes/${seg(params.key)}`, { query: { version: asked }, signal }),
      asked ? api.get(`/v1/processes/${seg(params.key)}`, { signal }) : null]);
  } catch (error) {
    if (error.status !== 404) throw error;
    setTitle(t('processes.title'));
    container.append(h('h1', { tabindex: '-1' }, t('processes.title')),
      h('p', { class: 'notice notice-info', 'data-field': 'process-missing' }, t('processes.notFound'), ' ', back()));
    return;
  }
  if (signal.aborted) return;
  newest ??= definition;
  const users = await lookups.optional(lookups.users);
  if (signal.aborted) return;
  const title = definition.name || definition.key;
  setTitle(`${title} · ${t('processes.title')}`);
  const nameOf = nodeNamer(definition);

  // The version shown, and the others to choose from.
  const versionId = 'process-version';
  const versions = h('select', { id: versionId, 'data-field': 'version-picker' },
    Array.from({ length: Number(newest.version) || 1 }, (_, i) => Number(newest.version) - i).map((v) =>
      h('option', { value: String(v), selected: v === Number(definition.version) },
        v === Number(newest.version) ? t('processes.versionNewest', { version: v }) : t('processes.versionN', { version: v }))));
  versions.addEventListener('change', () => navigate(processHref(definition.key, versions.value === String(newest.version) ? null : versions.value)));
  const row = (label, name, value) => [h('dt', null, label), h('dd', { 'data-field': name }, value)];
  const refresh = h('button', { type: 'button', class: 'button button-small', 'data-action': 'refresh-process' }, t('processes.refresh'));
  const diagramSlot = h('div', { 'data-slot': 'diagram' });
  const countsNote = h('p', { class: 'muted', role: 'status', 'data-field': 'counts-status' });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true, 'data-field': 'process-problem' });
  const started = h('div', { 'data-slot': 'started' });
  const instances = instanceList({ processKey: definition.key, signal, nameOf });
  const start = canRun ? startForm({ processKey: definition.key, signal, onStarted: (instance) => {
    replace(started, h('p', { class: 'notice notice-success', role: 'status', 'data-field': 'instance-started' },
      t('processes.start.done'), ' ',
      h('a', { href: instanceHref(instance.id), 'data-action': 'open-instance' }, t('processes.start.open')),
      instance.tokens?.length ? ` ${t('processes.start.waits', { nodes: waitsText(instance, nameOf) })}` : ''));
    reread();
  } }) : null;

  container.dataset.processKey = definition.key;
  container.dataset.version = String(definition.version);
  container.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/processes' }, t('processes.title'))),
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1', 'data-field': 'process-name' }, title), refresh),
    h('section', { class: 'card', 'aria-labelledby': 'process-facts-title', 'data-card': 'process' },
      h('h2', { id: 'process-facts-title' }, t('processes.about')),
      h('dl', { class: 'fields', 'data-list': 'process-fields' },
        row(t('processes.key'), 'key', h('code', null, definition.key)),
        [h('dt', null, h('label', { for: versionId }, t('processes.version'))), h('dd', { 'data-field': 'version' }, versions)],
        row(t('processes.deployedAt'), 'deployed_at', timeElement(definition.deployed_at)),
        row(t('processes.deployedBy'), 'deployed_by', actorName(definition.deployed_by, users)))),
    h('section', { class: 'card', 'aria-labelledby': 'process-diagram-title', 'data-card': 'diagram' },
      h('h2', { id: 'process-diagram-title' }, t('processes.diagram.title')), countsNote, problem, diagramSlot),
    start ? h('section', { class: 'card', 'aria-labelledby': 'start-title', 'data-card': 'start-instance' },
      h('h2', { id: 'start-title' }, t('processes.start.title')),
      h('p', { class: 'muted' }, t('processes.start.intro', { version: Number(newest.version) })), start.element, started) : null,
    instances.element);

  // The running instances' tokens, counted on the version shown (other versions' nodes may differ).
  let generation = 0;
  const drawCounts = async () => {
    const mine = ++generation;
    diagramSlot.setAttribute('aria-busy', 'true');
    try {
      const running = await readAll('/v1/process-instances', { query: { process: definition.key, status: 'running' }, signal });
      if (mine !== generation) return;
      const here = running.filter((i) => Number(i.process_version) === Number(definition.version));
      const { active, incidents } = tokenCounts(here);
      replace(diagramSlot, processDiagram(definition, { active, incidents }).element);
      const others = running.length - here.length;
      countsNote.textContent = [t('processes.diagram.running', { count: here.length }),
        others ? t('processes.diagram.otherVersions', { count: others }) : ''].filter(Boolean).join(' ');
      diagramSlot.dataset.running = String(here.length);
      problem.hidden = true;
    } catch (error) {
      if (isAbort(error) || error.status === 401 || mine !== generation) return;
      if (!diagramSlot.firstChild) replace(diagramSlot, processDiagram(definition).element);
      problem.textContent = t('app.error');
      problem.hidden = false;
    } finally {
      if (mine === generation) diagramSlot.removeAttribute('aria-busy');
    }
  };
  const reread = () => Promise.all([drawCounts(), instances.load()]);
  refresh.addEventListener('click', () => reread());
  await reread();
}
