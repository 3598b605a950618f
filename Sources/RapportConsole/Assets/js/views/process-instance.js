// #/process-instances/{id}: one instance of a process (GET /v1/process-instances/{id}) — its status
// and facts, its tokens with the timers they wait for (when an SLA fires), its open incidents (Retry for processes:define), its path on the diagram
// of its own version (nodes completed per the history in one colour, nodes holding tokens in
// another), its variables as JSON text (process-variables.js), and its history (GET
// .../history, process-history.js). Cancel (processes:run, after a confirmation) while it runs;
// move it to another version of its process (processes:define, process-migrate.js).
// Messages: i18n/processes/, loaded with the page.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { loadMessages, t, timeElement } from '../i18n.js';
import * as lookups from '../lookups.js';
import { navigate } from '../router.js';
import * as session from '../session.js';
import { processDiagram } from '../components/process-diagram.js';
import { historyTable } from '../components/process-history.js';
import { incidentList } from '../components/process-incidents.js';
import { migrateCard } from '../components/process-migrate.js';
import { variablesCard } from '../components/process-variables.js';
import {
  actorName, customerHref, DEFINERS, nodeNamer, processHref, processStyles, readAll, RUNNERS, statusBadge, tokenCounts, tokenText,
} from '../components/process-text.js';

export default async function render({ container, params, query, signal, setTitle }) {
  await Promise.all([loadMessages('processes'), processStyles()]);
  if (signal.aborted) return;
  const role = session.user()?.role;
  const canRun = RUNNERS.includes(role);
  const canDefine = DEFINERS.includes(role);

  let instance;
  try {
    instance = await api.get(`/v1/process-instances/${seg(params.id)}`, { signal });
  } catch (error) {
    if (error.status !== 404) throw error;
    setTitle(t('processes.instance.heading'));
    container.append(h('h1', { tabindex: '-1' }, t('processes.instance.heading')),
      h('p', { class: 'notice notice-info', 'data-field': 'instance-missing' }, t('processes.instance.notFound'), ' ',
        h('a', { href: '#/processes' }, t('processes.backToList'))));
    return;
  }
  const [definition, newest, users, steps] = await Promise.all([
    api.get(`/v1/processes/${seg(instance.process)}`, { query: { version: instance.process_version }, signal }),
    canDefine ? api.get(`/v1/processes/${seg(instance.process)}`, { signal }) : null,
    lookups.optional(lookups.users),
    readAll(`/v1/process-instances/${seg(instance.id)}/history`, { signal, limit: 500 })]);
  if (signal.aborted) return;
  const title = definition.name || definition.key;
  setTitle(`${t('processes.instance.title', { name: title })} · ${t('processes.title')}`);
  const nameOf = nodeNamer(definition);

  const heading = h('h1', { tabindex: '-1', 'data-field': 'instance-title' }, t('processes.instance.title', { name: title }));
  const badgeSlot = h('span', { 'data-slot': 'instance-status' });
  const refresh = h('button', { type: 'button', class: 'button button-small', 'data-action': 'refresh-instance' }, t('processes.refresh'));
  const facts = h('dl', { class: 'fields', 'data-list': 'instance-fields' });
  const cancel = canRun ? h('button', { type: 'button', class: 'button button-danger', 'data-action': 'cancel-instance' }, t('processes.instance.cancel')) : null;
  const notice = h('div', { role: 'status', 'data-field': 'instance-notice' });
  const movedTo = /^[1-9][0-9]{0,9}$/.test(query?.get('moved') ?? '') ? Number(query.get('moved')) : null;
  if (movedTo !== null && movedTo === Number(instance.process_version)) {
    notice.append(h('p', { class: 'notice notice-success' }, t('processes.migrate.moved', { version: movedTo })));
  }
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true, 'data-field': 'instance-problem' });
  const tokens = h('div', { 'data-slot': 'tokens' });
  const diagramSlot = h('div', { 'data-slot': 'diagram' });
  const historySlot = h('div', { 'data-slot': 'history' });
  const incidents = incidentList({ signal, canRetry: canDefine, instance, nameOf, onRetried: () => reread() });
  // A change of variables moves no timer: the answer has none, so the page keeps those it shows.
  const variables = variablesCard({ canChange: canDefine, signal, onSaved: (after) => { instance = { ...after, timers: instance.timers }; draw(); } });
  // Moved, the page is drawn again on the new version's diagram.
  const migrate = canDefine ? migrateCard({
    instance, newest: newest?.version, signal,
    onMoved: (moved) => navigate(`#/process-instances/${encodeURIComponent(moved.id)}?moved=${Number(moved.process_version)}`, { replace: true }),
  }) : { element: null };

  container.dataset.instanceId = instance.id;
  container.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/processes' }, t('processes.title')), ' › ',
      h('a', { href: processHref(definition.key), 'data-action': 'open-process' }, title)),
    h('div', { class: 'page-header' }, heading, badgeSlot, refresh),
    notice,
    h('section', { class: 'card', 'aria-labelledby': 'instance-facts-title', 'data-card': 'instance' },
      h('h2', { id: 'instance-facts-title' }, t('processes.instance.about')), facts,
      cancel ? h('div', { class: 'form-actions record-actions' }, cancel) : null, problem),
    h('section', { class: 'card', 'aria-labelledby': 'instance-tokens-title', 'data-card': 'tokens' },
      h('h2', { id: 'instance-tokens-title' }, t('processes.tokens.title')), tokens),
    incidents.element,
    migrate.element,
    h('section', { class: 'card', 'aria-labelledby': 'instance-diagram-title', 'data-card': 'diagram' },
      h('h2', { id: 'instance-diagram-title' }, t('processes.instance.path')), diagramSlot),
    variables.element,
    h('section', { class: 'card', 'aria-labelledby': 'instance-history-title', 'data-card': 'history' },
      h('h2', { id: 'instance-history-title' }, t('processes.history.title')), historySlot));

  let history = steps;
  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };
  const draw = () => {
    container.dataset.status = instance.status;
    container.dataset.version = String(instance.version ?? '');
    replace(badgeSlot, statusBadge(instance.status));
    const row = (label, name, value) => (value === null || value === '' ? [] : [h('dt', null, label), h('dd', { 'data-field': name }, value)]);
    replace(facts,
      row(t('processes.instance.status'), 'status', statusBadge(instance.status)),
      row(t('processes.instance.process'), 'process', h('a', { href: processHref(definition.key, instance.process_version) },
        t('processes.instance.processVersion', { name: title, version: Number(instance.process_version) }))),
      row(t('processes.instance.id'), 'id', h('code', null, instance.id)),
      row(t('processes.instances.businessKey'), 'business_key', instance.business_key ?? null),
      row(t('processes.instances.customer'), 'customer', instance.customer_id
        ? h('a', { href: customerHref(instance.customer_id), class: 'mono' }, instance.customer_id) : null),
      row(t('processes.instances.started'), 'created_at', timeElement(instance.created_at)),
      row(t('processes.instance.startedBy'), 'started_by', actorName(instance.started_by, users)),
      row(t('processes.instance.updated'), 'updated_at', timeElement(instance.updated_at)),
      row(t('processes.instance.ended'), 'ended_at', instance.ended_at ? timeElement(instance.ended_at) : null));
    if (cancel) cancel.hidden = instance.status !== 'running';
    const list = instance.tokens ?? [];
    const timers = instance.timers ?? [];
    replace(tokens, list.length
      ? h('ul', { class: 'plain-list token-list', 'data-list': 'tokens' }, list.map((token) => h('li', {
        'data-token': String(token.id), 'data-node': token.node, 'data-state': token.state },
      h('strong', null, nameOf(token.node)), ' ',
      h('span', { class: token.state === 'incident' ? 'token-incident' : 'muted' }, tokenText(token)),
      timers.filter((timer) => timer.token === token.id).map((timer) => h('span', { class: 'token-timer', 'data-timer': timer.node },
        t('processes.token.timer', { node: nameOf(timer.node) }), ' ', timeElement(timer.due_at))))))
      : h('p', { class: 'empty', 'data-field': 'no-tokens' }, t('processes.tokens.none')));
    const completed = new Set(history.filter((step) => step.kind === 'completed').map((step) => step.node));
    const { active, incidents: stopped } = tokenCounts([instance]);
    replace(diagramSlot, processDiagram(definition, { active, incidents: stopped, completed }).element);
    replace(historySlot, historyTable(history, { nameOf, users }));
    variables.show(instance);
  };

  const reread = async () => {
    try {
      const [fresh, steps] = await Promise.all([
        api.get(`/v1/process-instances/${seg(instance.id)}`, { signal }),
        readAll(`/v1/process-instances/${seg(instance.id)}/history`, { signal, limit: 500 })]);
      instance = fresh;
      history = steps;
      say(null);
      draw();
      await incidents.load();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      say(t('app.error'));
    }
  };

  cancel?.addEventListener('click', async () => {
    if (!window.confirm(t('processes.instance.confirmCancel', { name: title }))) return;
    say(null);
    cancel.disabled = true;
    try {
      instance = await api.post(`/v1/process-instances/${seg(instance.id)}/cancel`, undefined, { signal });
      replace(notice, h('p', { class: 'notice notice-success' }, t('processes.instance.cancelled')));
      await reread();
      heading.focus();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      say(error.status === 403 ? t('processes.forbidden') : error.status === 409 ? t('processes.instance.alreadyEnded') : t('app.error'));
      if (error.status === 409) reread();
    } finally {
      cancel.disabled = false;
    }
  });
  refresh.addEventListener('click', () => { replace(notice); reread(); });

  draw();
  await incidents.load();
}
