// #/duplicates: the open duplicate candidates the matcher found, most recent first, paged by
// cursor; #/duplicates/{id}: one candidate side by side with the matcher's explanation and the
// accept (merge) / reject decision.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { formatPercent, t, timeElement } from '../i18n.js';
import { duplicateReview } from '../components/duplicate-review.js';
import { matchExplanation } from '../components/match-explanation.js';

const PAGE = 25;

export default async function render(context) {
  if (context.params.candidate) return renderCandidate(context);
  return renderList(context);
}

/** A customer, or a stand-in with its id as name when it cannot be read (deleted, no access). */
async function customer(id, signal) {
  try {
    return await api.get(`/v1/customers/${seg(id)}`, { signal });
  } catch (error) {
    if (isAbort(error) || error.status === 401) throw error;
    return { id, name: id, missing: true };
  }
}

async function renderList({ container, signal, setTitle }) {
  setTitle(t('review.listTitle'));
  const status = h('p', { class: 'muted', role: 'status' }, t('app.loading'));
  const list = h('ul', { class: 'plain-list dup-list' });
  const more = h('button', { type: 'button', class: 'button', hidden: true }, t('review.more'));
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('review.listTitle'))),
    h('p', { class: 'muted' }, t('review.listIntro')),
    h('section', { class: 'card', 'aria-label': t('review.listTitle') }, status, list, more));

  let cursor = null;
  let shown = 0;
  const load = async () => {
    more.disabled = true;
    try {
      const page = await api.get('/v1/duplicates', { query: { status: 'open', limit: PAGE, cursor }, signal });
      const candidates = page?.data ?? [];
      const pairs = await Promise.all(candidates.map((c) => Promise.all(c.customer_ids.map((id) => customer(id, signal)))));
      candidates.forEach((c, i) => list.append(item(c, pairs[i])));
      shown += candidates.length;
      cursor = page?.next_cursor ?? null;
      more.hidden = !cursor;
      more.disabled = false;
      status.textContent = shown ? t('review.count', { count: shown }) : t('review.empty');
      status.className = shown ? 'muted' : 'empty';
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      console.warn('duplicates', error);
      status.className = 'notice notice-error';
      status.textContent = error.status === 403 ? t('app.forbidden') : t('app.error');
    }
  };
  more.addEventListener('click', load);
  await load();
}

function item(candidate, [a, b]) {
  return h('li', { 'data-candidate': candidate.id },
    h('div', { class: 'conv-line' },
      h('a', { href: `#/duplicates/${encodeURIComponent(candidate.id)}`, class: 'conv-title' },
        t('review.pair', { a: a.name, b: b.name })),
      h('span', { class: 'badge' }, t('duplicates.probability', { value: formatPercent(candidate.probability, 1) }))),
    h('p', { class: 'conv-meta muted small' }, t('review.found'), ' ', timeElement(candidate.created_at)));
}

async function renderCandidate({ container, params, signal, setTitle }) {
  setTitle(t('review.title'));
  const heading = h('h1', { tabindex: '-1' }, t('review.title'));
  const body = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  container.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/duplicates' }, t('review.back'))),
    h('div', { class: 'page-header' }, heading),
    body);
  let candidate;
  let customers;
  try {
    candidate = await api.get(`/v1/duplicates/${seg(params.candidate)}`, { signal });
    customers = await Promise.all(candidate.customer_ids.map((id) => customer(id, signal)));
  } catch (error) {
    if (isAbort(error) || error.status === 401) return;
    replace(body, h('div', { class: 'notice notice-error', role: 'alert' }, error.status === 404 ? t('review.notFound') : t('app.error')));
    return;
  }
  heading.textContent = t('review.pair', { a: customers[0].name, b: customers[1].name });
  replace(body, h('div', { class: 'review-layout' }, duplicateReview(candidate, customers), matchExplanation(candidate)));
}
