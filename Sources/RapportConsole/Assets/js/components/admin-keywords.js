// Administration · Keyword sets: the sets routing rules refer to by name (list with term counts),
// and a form that creates a set or replaces its terms (PUT /v1/keyword-sets/{name}).

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { formatNumber, t } from '../i18n.js';
import { all, card, errorText, showErrors, table } from './admin-kit.js';
import { clearErrors, field, formMessage } from './form.js';

export default async function render({ container, signal }) {
  const notice = h('div', { role: 'status' });
  const listSlot = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  container.append(card(t('admin.keywords.list'), notice, listSlot));

  const name = field({ label: t('admin.keywords.name'), name: 'name', required: true, autocomplete: 'off', attrs: { spellcheck: 'false' } });
  const terms = field({ label: t('admin.keywords.terms'), name: 'terms', as: 'textarea', required: true, hint: t('admin.keywords.termsHint'), attrs: { rows: 8 } });
  const whole = field({ label: t('admin.keywords.wholeWords'), name: 'whole_words', type: 'checkbox' });
  const fields = [name, terms, whole];
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, t('admin.save'));
  const form = h('form', { class: 'form', novalidate: true, 'data-form': 'keyword-set' }, message.element, fields.map((f) => f.element), h('div', { class: 'form-actions' }, submit));

  const edit = async (set) => {
    try {
      const full = await api.get(`/v1/keyword-sets/${seg(set.name)}`, { signal });
      name.input.value = full.name;
      terms.input.value = (full.terms ?? []).join('\n');
      whole.input.checked = Boolean(full.whole_words);
      terms.input.focus();
    } catch (error) {
      if (!isAbort(error) && error.status !== 401) replace(notice, h('p', { class: 'notice notice-error' }, errorText(error)));
    }
  };
  const load = async () => {
    try {
      const sets = await all('/v1/keyword-sets', { signal });
      replace(listSlot, table(t('admin.keywords.list'), [
        { label: t('admin.keywords.name'), cell: (s) => h('span', { class: 'mono' }, s.name) },
        { label: t('admin.keywords.count'), cell: (s) => formatNumber(s.term_count ?? 0) },
        { label: t('admin.keywords.wholeWords'), cell: (s) => t(s.whole_words ? 'admin.models.yes' : 'admin.models.no') },
        { label: t('admin.rules.version'), cell: (s) => `v${s.version ?? 1}` },
        { label: t('admin.actions'), cell: (s) => h('button', { type: 'button', class: 'button button-small', 'aria-label': t('admin.editNamed', { name: s.name }), onclick: () => edit(s) }, t('admin.edit')) },
      ], sets, t('admin.empty')));
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(listSlot, h('p', { class: 'notice notice-error' }, errorText(error)));
    }
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(fields);
    message.show(null);
    const list = terms.input.value.split('\n').map((s) => s.trim()).filter(Boolean);
    if (!name.input.value.trim()) { name.setError(t('validation.required')); name.input.focus(); return; }
    if (!list.length) { terms.setError(t('validation.required')); terms.input.focus(); return; }
    submit.disabled = true;
    try {
      const saved = await api.put(`/v1/keyword-sets/${seg(name.input.value.trim())}`, { terms: list, whole_words: whole.input.checked });
      replace(notice, h('p', { class: 'notice notice-success' }, t('admin.saved', { name: saved?.name ?? name.input.value.trim() })));
      form.reset();
      await load();
    } catch (error) {
      if (error.status === 401) return;
      if (!(error.status === 422 && showErrors(error, fields) > 0)) message.show(errorText(error));
    } finally {
      submit.disabled = false;
    }
  });
  container.append(card(t('admin.keywords.new'), form));
  await load();
}
