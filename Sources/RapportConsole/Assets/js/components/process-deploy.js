// The form that deploys a BPMN file (views/processes.js): a .bpmn file picked, read in the browser
// as text and sent as POST /v1/processes {"xml": text}. The answer is shown under the form: each
// process of the file with its version (new, or the newest already), or, when the file cannot run
// (422), every problem with its line and element. The server's words are data: shown as text.

import { api } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { formatNumber, t } from '../i18n.js';
import { field } from './form.js';
import { processHref } from './process-text.js';

const MAX_BYTES = 4 * 1024 * 1024; // as the server takes

/** Returns { element }; `onDeployed(processes)` after a file was taken. */
export function deployForm({ signal, onDeployed }) {
  const file = field({ label: t('processes.deploy.file'), name: 'file', type: 'file', required: true, hint: t('processes.deploy.fileHint'),
    attrs: { accept: '.bpmn,.xml,application/xml,text/xml' } });
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'deploy-process' }, t('processes.deploy.submit'));
  const result = h('div', { 'data-slot': 'deploy-result' });
  const form = h('form', { class: 'form deploy-form', novalidate: true, 'data-form': 'deploy-process' },
    file.element, h('div', { class: 'form-actions' }, submit), result);

  const busy = (on) => {
    submit.disabled = on;
    if (on) form.setAttribute('aria-busy', 'true');
    else form.removeAttribute('aria-busy');
  };

  file.input.addEventListener('change', () => { file.setError(null); replace(result); });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    file.setError(null);
    replace(result);
    const chosen = file.input.files?.[0] ?? null;
    if (!chosen) { file.setError(t('processes.deploy.fileNeeded')); file.input.focus(); return; }
    if (chosen.size > MAX_BYTES) { file.setError(t('processes.deploy.tooLarge')); file.input.focus(); return; }
    busy(true);
    let xml;
    try {
      xml = await chosen.text();
    } catch {
      busy(false);
      file.setError(t('processes.deploy.unreadable'));
      file.input.focus();
      return;
    }
    try {
      const body = await api.post('/v1/processes', { xml }, { signal });
      const deployed = body?.processes ?? [];
      replace(result, deployedNotice(deployed));
      onDeployed?.(deployed);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(result, refusal(error));
    } finally {
      busy(false);
    }
  });

  return { element: form };
}

/** What the file deployed: each process, its version, and whether the version is new. */
function deployedNotice(deployed) {
  return h('div', { class: 'notice notice-success', role: 'status', 'data-field': 'deploy-result' },
    h('p', null, t('processes.deploy.done', { count: deployed.length })),
    h('ul', { class: 'deploy-list', 'data-list': 'deployed' }, deployed.map((p) => h('li', { 'data-key': p.key, 'data-created': String(Boolean(p.created)) },
      h('a', { href: processHref(p.key), 'data-action': 'open-process' }, p.name || p.key), ' ',
      h('span', null, p.created ? t('processes.deploy.newVersion', { version: formatNumber(p.version) })
        : t('processes.deploy.sameVersion', { version: formatNumber(p.version) }))))));
}

/** A refusal: every problem of the file with its line and element, or what else went wrong. */
function refusal(error) {
  const problems = Array.isArray(error.problem?.problems) ? error.problem.problems : [];
  if (error.status === 422 && problems.length) {
    return h('div', { class: 'notice notice-error', role: 'alert', 'data-field': 'deploy-problems' },
      h('p', null, t('processes.deploy.problems', { count: problems.length })),
      h('ol', { class: 'deploy-problems', 'data-list': 'deploy-problems' }, problems.map((p) => h('li', {
        'data-line': String(p?.line ?? ''), 'data-element': p?.element_id ?? '' },
      h('span', { class: 'problem-where', 'data-field': 'where' }, p?.element_id
        ? t('processes.deploy.where', { line: formatNumber(Number(p?.line) || 0), element: p.element_id })
        : t('processes.deploy.whereLine', { line: formatNumber(Number(p?.line) || 0) })),
      ' ', h('span', { 'data-field': 'message' }, String(p?.message ?? ''))))));
  }
  const message = error.status === 403 ? t('processes.forbidden') : error.status === 413 ? t('processes.deploy.tooLarge')
    : error.status === 422 || error.status === 400 ? t('processes.deploy.refused', { detail: error.message }) : t('app.error');
  return h('p', { class: 'notice notice-error', role: 'alert', 'data-field': 'deploy-problems' }, message);
}
