// Administration · Settings · Duplicate matching as a form: whether customers are checked as they
// change, the probability from which a pair is proposed, and automatic merging with its own
// threshold (PUT /v1/settings/matching, keeping the rest of the settings — a custom profile — as
// stored). The server's errors appear beside the field they name.

import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { card, errorText, showErrors } from './admin-kit.js';
import { clearErrors, field, formMessage } from './form.js';

export async function matchingForm({ signal, onSaved }) {
  const online = field({ label: t('admin.matching.online'), name: 'online', type: 'checkbox', hint: t('admin.matching.onlineHint') });
  const review = field({ label: t('admin.matching.review'), name: 'review_threshold', type: 'number', hint: t('admin.matching.reviewHint'),
    attrs: { min: '0.01', max: '0.99', step: '0.01', inputmode: 'decimal' } });
  const automatic = field({ label: t('admin.matching.autoMerge'), name: 'auto_merge', type: 'checkbox', hint: t('admin.matching.autoMergeHint') });
  const automaticAt = field({ label: t('admin.matching.autoMergeAt'), name: 'auto_merge_threshold', type: 'number',
    hint: t('admin.matching.autoMergeAtHint'), attrs: { min: '0.01', max: '0.999', step: '0.001', inputmode: 'decimal' } });
  const fields = [online, review, automatic, automaticAt];
  const message = formMessage();
  const save = h('button', { type: 'submit', class: 'button button-primary' }, t('admin.save'));
  const form = h('form', { class: 'form', novalidate: true, 'data-form': 'matching' },
    message.element, fields.map((f) => f.element), h('div', { class: 'form-actions' }, save));

  let stored = {};
  const fill = (settings) => {
    stored = settings ?? {};
    online.input.checked = stored.online !== false;
    review.input.value = String(stored.review_threshold ?? 0.5);
    automatic.input.checked = stored.auto_merge === true;
    automaticAt.input.value = String(stored.auto_merge_threshold ?? 0.999);
  };
  const number = (f) => {
    const value = Number(f.input.value);
    if (f.input.value.trim() === '' || !Number.isFinite(value) || value <= 0 || value >= 1) {
      f.setError(t('admin.matching.between'));
      f.input.focus();
      return null;
    }
    return value;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(fields);
    message.show(null);
    const reviewValue = number(review);
    if (reviewValue === null) return;
    const automaticValue = number(automaticAt);
    if (automaticValue === null) return;
    save.disabled = true;
    try {
      fill(await api.put('/v1/settings/matching', {
        ...stored, online: online.input.checked, review_threshold: reviewValue,
        auto_merge: automatic.input.checked, auto_merge_threshold: automaticValue,
      }, { signal }));
      message.show(t('admin.settings.saved'), 'success');
      onSaved?.();
    } catch (error) {
      if (error.status === 401) return;
      if (!(error.status === 422 && showErrors(error, fields) > 0)) message.show(errorText(error));
    } finally {
      save.disabled = false;
    }
  });

  fill(await api.get('/v1/settings/matching', { signal }));
  return card(t('admin.matching.title'), h('p', { class: 'muted' }, t('admin.matching.intro')), form);
}
