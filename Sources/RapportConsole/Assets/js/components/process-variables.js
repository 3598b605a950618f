// An instance's variables (views/process-instance.js) as formatted JSON text, and for those who may
// define processes, while it runs, "Change variables": a JSON object merged into them (POST
// /v1/process-instances/{id}/variables) — to fix what an incident stopped on before retrying it.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t } from '../i18n.js';
import { field, formMessage } from './form.js';

/** Returns { element, show(instance) }; `onSaved(instance)` after a change. */
export function variablesCard({ canChange, signal, onSaved }) {
  const titleId = uid('variables-title');
  const shown = h('pre', { class: 'pre', 'data-field': 'variables' });
  const slot = h('div', { 'data-slot': 'variables-form' });
  const element = h('section', { class: 'card', 'aria-labelledby': titleId, 'data-card': 'variables' },
    h('h2', { id: titleId }, t('processes.variables.title')), shown, slot);
  let instance = null;
  let form = null;

  const makeForm = () => {
    const box = field({ label: t('processes.variables.change'), name: 'variables', as: 'textarea', value: '{}',
      hint: t('processes.variables.hint'), attrs: { class: 'json-box', spellcheck: 'false' } });
    const message = formMessage();
    const submit = h('button', { type: 'submit', class: 'button', 'data-action': 'save-variables' }, t('processes.variables.save'));
    const element = h('form', { class: 'form variables-form', novalidate: true, 'data-form': 'variables' },
      box.element, message.element, h('div', { class: 'form-actions' }, submit));
    element.addEventListener('submit', async (event) => {
      event.preventDefault();
      box.setError(null);
      message.show(null);
      let value;
      try { value = JSON.parse(box.input.value.trim() || '{}'); } catch { value = undefined; }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        box.setError(t('processes.start.notObject'));
        box.input.focus();
        return;
      }
      submit.disabled = true;
      try {
        const after = await api.post(`/v1/process-instances/${seg(instance.id)}/variables`, { variables: value }, { signal });
        box.input.value = '{}';
        message.show(t('processes.variables.saved'), 'success');
        onSaved?.(after);
      } catch (error) {
        if (isAbort(error) || error.status === 401) return;
        if (error.fieldErrors?.variables) box.setError(t('processes.start.fieldRefused', { detail: error.fieldErrors.variables }));
        else message.show(error.status === 403 ? t('processes.forbidden') : error.status === 409 ? t('processes.instance.alreadyEnded')
          : error.status === 422 ? t('processes.start.refused', { detail: error.message }) : t('app.error'));
      } finally {
        submit.disabled = false;
      }
    });
    return { element };
  };

  const show = (next) => {
    instance = next;
    shown.textContent = JSON.stringify(instance.variables ?? {}, null, 2);
    const changeable = canChange && instance.status === 'running';
    if (changeable && !form) { form = makeForm(); replace(slot, form.element); }
    if (!changeable && form) { form = null; replace(slot); }
  };
  return { element, show };
}
