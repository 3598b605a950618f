// A customer's merge history (GET /v1/merges?customer_id=): each merge this customer survived,
// newest first — when, by whom, the customers it absorbed and what moved — with Undo on those not
// yet undone (POST /v1/merges/{id}/undo). An undo the server refuses says why (the fields that
// changed since, as the server names them).

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { formatNumber, has, t, timeElement } from '../i18n.js';

export function mergeHistoryCard(customerId, { signal, users, onChanged }) {
  const body = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  const notice = h('div', { role: 'status' });
  const element = h('section', { class: 'card merge-history', 'aria-labelledby': 'merges-title' },
    h('h2', { id: 'merges-title' }, t('merges.title')), notice, body);

  const load = async () => {
    try {
      const page = await api.get('/v1/merges', { query: { customer_id: customerId, limit: 20 }, signal });
      const merges = page?.data ?? [];
      replace(body, merges.length
        ? h('ul', { class: 'plain-list' }, merges.map(item))
        : h('p', { class: 'empty' }, t('merges.empty')));
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(body, h('p', { class: 'notice notice-error' }, error.status === 403 ? t('app.forbidden') : t('app.error')));
    }
  };

  const item = (merge) => {
    const absorbed = merge.absorbed_ids ?? [];
    const moved = merge.moved ?? {};
    const actor = actorName(merge.actor, users);
    return h('li', { 'data-merge-id': merge.merge_id },
      h('div', { class: 'conv-line' },
        h('span', null, t('merges.absorbed', { count: formatNumber(absorbed.length) })),
        merge.undone_at
          ? h('span', { class: 'badge' }, t('merges.undone'))
          : h('span', { class: 'badge badge-open' }, t('merges.inEffect'))),
      h('p', { class: 'conv-meta' }, timeElement(merge.created_at), actor ? ` · ${actor}` : '',
        ` · ${t('merges.moved', { interactions: formatNumber(moved.interactions ?? 0), identities: formatNumber(moved.identities ?? 0) })}`),
      h('ul', { class: 'plain-inline small' }, absorbed.map((id) => h('li', null,
        merge.undone_at ? h('a', { href: `#/customers/${encodeURIComponent(id)}`, class: 'mono' }, id) : h('span', { class: 'mono' }, id)))),
      merge.undone_at
        ? h('p', { class: 'conv-meta' }, t('merges.undoneAt'), ' ', timeElement(merge.undone_at))
        : undoButton(merge));
  };

  const undoButton = (merge) => {
    const button = h('button', { type: 'button', class: 'button button-small', 'data-action': 'undo-merge' }, t('merges.undo'));
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api.post(`/v1/merges/${seg(merge.merge_id)}/undo`, {});
        replace(notice, h('p', { class: 'notice notice-success' }, t('merges.undoDone')));
        onChanged?.();
        await load();
      } catch (error) {
        button.disabled = false;
        if (error.status === 401) return;
        replace(notice, h('p', { class: 'notice notice-error', role: 'alert' },
          error.status === 409 ? t('merges.undoRefused', { detail: error.message }) : t('app.error')));
      }
    });
    return button;
  };

  load();
  return { element, reload: load };
}

/** Who merged: a user's name when known, else the kind of actor. */
function actorName(actor, users) {
  if (!actor) return '';
  if (actor.type === 'user' && actor.id) return users?.get(actor.id)?.name ?? actor.id;
  return has(`merges.actor.${actor.type}`) ? t(`merges.actor.${actor.type}`) : actor.type;
}
