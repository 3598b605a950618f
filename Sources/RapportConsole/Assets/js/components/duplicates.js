// Open duplicate suggestions for a customer: the other record, how likely they are the same and
// why (the matcher's per-field grades), with "merge into this customer" and "not the same".
// After a merge, an Undo button stays until the page changes.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { formatNumber, formatPercent, has, t } from '../i18n.js';

export function duplicatesCard(customerId, { signal, onChanged }) {
  const body = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  const notice = h('div', { role: 'status' });
  const card = h('section', { class: 'card', 'aria-labelledby': 'duplicates-title' },
    h('h2', { id: 'duplicates-title' }, t('duplicates.title')), notice, body);

  const load = async () => {
    try {
      const page = await api.get('/v1/duplicates', { query: { customer_id: customerId, status: 'open', limit: 20 }, signal });
      const candidates = page?.data ?? [];
      if (!candidates.length) { replace(body, h('p', { class: 'empty' }, t('duplicates.empty'))); return; }
      const others = await Promise.all(candidates.map((c) => {
        const otherId = c.customer_ids.find((id) => id !== customerId) ?? c.customer_ids[1];
        return api.get(`/v1/customers/${seg(otherId)}`, { signal }).catch((error) => {
          if (isAbort(error)) throw error;
          return { id: otherId, name: otherId };
        });
      }));
      replace(body, h('ul', { class: 'plain-list' }, candidates.map((c, i) => item(c, others[i]))));
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      console.warn('duplicates', error);
      replace(body, h('p', { class: 'notice notice-error' }, error.status === 403 ? t('app.forbidden') : t('app.error')));
    }
  };

  const item = (candidate, other) => {
    const merge = h('button', { type: 'button', class: 'button button-small' }, t('duplicates.merge'));
    const reject = h('button', { type: 'button', class: 'button button-small' }, t('duplicates.reject'));
    const act = async (action) => {
      merge.disabled = true;
      reject.disabled = true;
      try {
        const result = await api.post(`/v1/duplicates/${seg(candidate.id)}/${action}`, action === 'accept' ? { survivor_id: customerId } : {});
        if (action === 'accept') {
          const mergeId = result?.merge?.merge_id ?? result?.merge_id;
          showMerged(mergeId, other.name);
          onChanged?.();
        } else {
          replace(notice, h('p', { class: 'notice notice-success' }, t('duplicates.rejected', { name: other.name })));
        }
        load();
      } catch (error) {
        merge.disabled = false;
        reject.disabled = false;
        if (error.status === 401) return;
        replace(notice, h('p', { class: 'notice notice-error' }, error.status === 409 ? t('duplicates.conflict') : t('app.error')));
      }
    };
    merge.addEventListener('click', () => act('accept'));
    reject.addEventListener('click', () => act('reject'));

    const fields = (candidate.explanation?.fields ?? []).filter((f) => f.grade !== null && f.grade !== undefined);
    return h('li', null,
      h('div', { class: 'conv-line' },
        h('a', { href: `#/customers/${encodeURIComponent(other.id)}`, class: 'conv-title' }, other.name),
        h('span', { class: 'badge' }, t('duplicates.probability', { value: formatPercent(candidate.probability, 1) }))),
      fields.length ? h('ul', { class: 'conv-meta plain-inline' }, fields.map((f) => h('li', null,
        `${has(`matchField.${f.field}`) ? t(`matchField.${f.field}`) : f.field}: ${has(`matchGrade.${f.grade}`) ? t(`matchGrade.${f.grade}`) : f.grade} (${formatNumber(f.weight, { maximumFractionDigits: 1, signDisplay: 'always' })})`))) : null,
      h('div', { class: 'form-actions' }, merge, reject));
  };

  const showMerged = (mergeId, name) => {
    const undo = h('button', { type: 'button', class: 'button button-small' }, t('duplicates.undo'));
    undo.addEventListener('click', async () => {
      undo.disabled = true;
      try {
        await api.post(`/v1/merges/${seg(mergeId)}/undo`, {});
        replace(notice, h('p', { class: 'notice notice-success' }, t('duplicates.undone', { name })));
        onChanged?.();
        load();
      } catch (error) {
        undo.disabled = false;
        if (error.status !== 401) replace(notice, h('p', { class: 'notice notice-error' }, t('app.error')));
      }
    });
    replace(notice, h('div', { class: 'notice notice-success' }, h('p', null, t('duplicates.merged', { name })), mergeId ? undo : null));
  };

  load();
  return card;
}
