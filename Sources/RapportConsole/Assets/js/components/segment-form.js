// A segment's form (new, and edit on its page): name, description and the CEL filter in a textarea,
// with a short help naming what the filter may use and two examples. POST /v1/segments, or PUT
// /v1/segments/{id} with If-Match. The server's refusals stay beside the inputs they name (a filter
// that does not compile: its message with line:column), keeping what was typed; a 412 says someone
// else changed the segment and offers to reload it (`onStale`). Messages: i18n/segments/.

import { api, seg } from '../api.js';
import { h, isAbort, uid } from '../dom.js';
import { t } from '../i18n.js';
import { field, formMessage } from './form.js';

const EXAMPLES = ['lifecycle_stage == "lead" && attributes.interest == "solar"', 'attributes.vip || attributes.tier in ["gold", "silver"]'];

/** The entity tag of a segment's version, as the server writes it. */
export function segmentETag(segment) {
  return `"${segment.id}-v${segment.version}"`;
}

/**
 * `segment`: the one edited (absent: a new one). `onSaved(segment)` after 201/200; `onCancel()`;
 * `onStale()` when asked to reload after a 412 (resolves with the segment as it is now).
 * Returns { element, focus(), rebase(segment) }.
 */
export function segmentForm({ segment = null, signal, onSaved, onCancel, onStale }) {
  let base = segment;
  const name = field({ label: t('segments.name'), name: 'name', required: true, value: segment?.name ?? '',
    attrs: { maxlength: '200', autocomplete: 'off' } });
  const description = field({ label: t('segments.description'), name: 'description', as: 'textarea', value: segment?.description ?? '',
    attrs: { rows: '2' } });
  const filter = field({ label: t('segments.filter'), name: 'filter', as: 'textarea', required: true, value: segment?.filter ?? '',
    hint: t('segments.filterHint'), attrs: { rows: '3', class: 'mono', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off' } });
  const examples = h('div', { class: 'field-hint', 'data-field': 'filter-examples' }, t('segments.examples'),
    h('ul', null, EXAMPLES.map((text) => h('li', null, h('code', null, text)))));
  filter.element.querySelector('.field-hint')?.after(examples);
  const message = formMessage();
  const reload = h('button', { type: 'button', class: 'button button-small', 'data-action': 'reload-segment', hidden: true }, t('segments.reload'));
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'save-segment' },
    segment ? t('segments.save') : t('segments.create'));
  const cancel = h('button', { type: 'button', class: 'button', 'data-action': 'cancel-segment' }, t('segments.cancel'));
  const fields = [name, description, filter];
  const form = h('form', { class: 'form', novalidate: true, 'data-form': segment ? 'edit-segment' : 'new-segment' },
    name.element, description.element, filter.element, message.element, reload,
    h('div', { class: 'form-actions' }, submit, cancel));
  form.id = uid('segment-form');

  const busy = (on) => {
    submit.disabled = on;
    cancel.disabled = on;
    if (on) form.setAttribute('aria-busy', 'true');
    else form.removeAttribute('aria-busy');
  };
  const clear = () => {
    for (const f of fields) f.setError(null);
    message.show(null);
    reload.hidden = true;
  };

  cancel.addEventListener('click', () => onCancel?.());
  reload.addEventListener('click', async () => {
    reload.disabled = true;
    try {
      const fresh = await onStale?.();
      if (fresh) {
        rebase(fresh, true);
        message.show(t('segments.reloaded'), 'info');
        name.input.focus();
      }
    } finally {
      reload.disabled = false;
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear();
    const body = { name: name.input.value.trim(), filter: filter.input.value.trim() };
    const text = description.input.value.trim();
    if (text) body.description = text; // left out: none (a PUT without it takes it away)
    const missing = [body.name ? null : name, body.filter ? null : filter].filter(Boolean);
    if (missing.length) {
      for (const f of missing) f.setError(t('validation.required'));
      missing[0].input.focus();
      return;
    }
    busy(true);
    try {
      const saved = base
        ? await api.put(`/v1/segments/${seg(base.id)}`, body, { headers: { 'If-Match': segmentETag(base) }, signal })
        : await api.post('/v1/segments', body, { signal });
      busy(false);
      onSaved?.(saved);
    } catch (error) {
      if (isAbort(error)) return;
      busy(false);
      if (error.status === 401) return;
      refused(error);
    }
  });

  /** The server's refusal beside the input it names; the rest in the form's message. */
  const refused = (error) => {
    const errors = error.fieldErrors ?? {};
    let first = null;
    if (errors.filter) {
      filter.setError(t('segments.badFilter', { detail: errors.filter }));
      first = filter;
    }
    if (errors.name) {
      name.setError(error.status === 409 ? t('segments.nameTaken') : t('segments.badName', { detail: errors.name }));
      first = name;
    }
    if (errors.description) {
      description.setError(errors.description);
      first ??= description;
    }
    if (first) { first.input.focus(); return; }
    if (error.status === 412) {
      message.show(t('segments.stale'), 'warning');
      reload.hidden = !onStale;
      reload.focus();
    } else if (error.status === 404) {
      message.show(t('segments.deletedMeanwhile'));
    } else {
      message.show(error.status === 403 ? t('segments.forbidden') : t('app.error'));
    }
  };

  /** Takes `fresh` as the version edited; `refill` puts its values in the inputs. */
  const rebase = (fresh, refill = false) => {
    base = fresh;
    if (!refill) return;
    name.input.value = fresh.name ?? '';
    description.input.value = fresh.description ?? '';
    filter.input.value = fresh.filter ?? '';
    for (const f of fields) f.setError(null);
    reload.hidden = true;
  };

  return { element: form, focus: () => name.input.focus(), rebase };
}
