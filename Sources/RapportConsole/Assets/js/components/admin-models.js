// Administration · Models: the routing classifier's versions (GET /v1/classifier: examples,
// labels, features, accuracy on held-out messages), training a new version from the resolved
// conversations (POST /v1/classifier/train), and the duplicate matcher's state
// (GET /v1/matching/status).

import { api } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { formatNumber, formatPercent, t, timeElement } from '../i18n.js';
import { card, errorText, none, table } from './admin-kit.js';

export default async function render({ container, signal }) {
  const classifier = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  const matcher = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  container.append(card(t('admin.models.classifier'), classifier), card(t('admin.models.matcher'), matcher));
  const fail = (slot, error) => {
    if (isAbort(error) || error.status === 401) return;
    replace(slot, h('p', { class: 'notice notice-error' }, errorText(error)));
  };
  const notice = h('div', { 'aria-live': 'polite' });
  const train = h('button', { type: 'button', class: 'button', 'data-action': 'train' }, t('admin.models.train'));
  const versions = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  replace(classifier, h('p', { class: 'muted' }, t('admin.models.trainHint')), h('div', { class: 'actions' }, train), notice, versions);
  const loadVersions = () => api.get('/v1/classifier', { signal }).then((body) => replace(versions,
    h('p', null, body?.current_version ? t('admin.models.current', { version: body.current_version }) : t('admin.models.untrained')),
    table(t('admin.models.classifier'), [
      { label: t('admin.rules.version'), cell: (v) => `v${v.version}` },
      { label: t('admin.keys.created'), cell: (v) => (v.created_at ? timeElement(v.created_at) : none()) },
      { label: t('admin.models.examples'), cell: (v) => formatNumber(v.summary?.examples ?? 0) },
      { label: t('admin.models.labels'), cell: (v) => (v.summary?.labels ?? []).join(', ') || none() },
      { label: t('admin.models.features'), cell: (v) => formatNumber(v.summary?.features ?? 0) },
      { label: t('admin.models.heldOut'), cell: heldOut },
    ], body?.versions ?? [], t('admin.empty')))).catch((error) => fail(versions, error));
  train.addEventListener('click', async () => {
    train.disabled = true;
    replace(notice, h('p', { class: 'muted' }, t('admin.models.training')));
    try {
      const model = await api.post('/v1/classifier/train', {}, { signal });
      replace(notice, h('p', { class: 'notice notice-success' }, t('admin.models.trained', { version: model.version })));
      await loadVersions();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(notice, h('p', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
    } finally {
      train.disabled = false;
    }
  });
  loadVersions();
  api.get('/v1/matching/status', { signal }).then((s) => replace(matcher, h('dl', { class: 'fields' },
    h('dt', null, t('admin.models.ready')), h('dd', null, t(s.ready ? 'admin.models.yes' : 'admin.models.no')),
    h('dt', null, t('admin.models.customers')), h('dd', null, formatNumber(s.customers ?? 0)),
    h('dt', null, t('admin.rules.version')), h('dd', null, s.model_version ? `v${s.model_version}` : t('admin.models.untrained')),
    h('dt', null, t('admin.consumers.position')), h('dd', null, String(s.log_position ?? ''))))).catch((error) => fail(matcher, error));
}

/** Accuracy on the messages held out of training, with how many there were. */
function heldOut(version) {
  const evaluation = version.summary?.held_out;
  if (!evaluation || typeof evaluation.accuracy !== 'number') return none();
  return t('admin.models.heldOutValue', { accuracy: formatPercent(evaluation.accuracy, 1), count: formatNumber(evaluation.examples ?? 0) });
}
