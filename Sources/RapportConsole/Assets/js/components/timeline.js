// The customer's interactions across channels, newest first, paged by cursor as the list end
// scrolls into view (IntersectionObserver); a button does the same for keyboard users.

import { api, seg } from '../api.js';
import { h, isAbort } from '../dom.js';
import { t } from '../i18n.js';
import { interactionContent, interactionHead } from './interaction-item.js';

const PAGE = 25;

export function timelineCard(customerId, { channels, users, signal }) {
  const list = h('ol', { class: 'timeline', 'aria-labelledby': 'timeline-title' });
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true }, t('timeline.loadMore'));
  const status = h('p', { class: 'sentinel', role: 'status' });
  const sentinel = h('div', null, status, more);
  const card = h('section', { class: 'card', 'aria-labelledby': 'timeline-title' },
    h('h2', { id: 'timeline-title' }, t('timeline.title')), list, sentinel);

  let cursor = null;
  let done = false;
  let loading = false;
  let count = 0;

  const load = async () => {
    if (loading || done) return;
    loading = true;
    more.hidden = true;
    status.textContent = t('app.loading');
    list.setAttribute('aria-busy', 'true');
    try {
      const body = await api.get(`/v1/customers/${seg(customerId)}/timeline`, { query: { order: 'desc', limit: PAGE, cursor }, signal });
      for (const interaction of body?.data ?? []) {
        list.append(h('li', { class: `timeline-item ${interaction.direction}`, dataset: { id: interaction.id } },
          interactionHead(interaction, channels), interactionContent(interaction, { users })));
        count += 1;
      }
      cursor = body?.next_cursor ?? null;
      done = !cursor;
      status.textContent = done ? (count ? t('timeline.end', { count }) : t('timeline.empty')) : '';
      more.hidden = done;
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      console.warn('timeline', error);
      status.textContent = t('timeline.failed');
      more.hidden = false;
    } finally {
      loading = false;
      list.removeAttribute('aria-busy');
    }
    // A short first page may leave the sentinel in view: keep going.
    if (!done && isInView(sentinel)) load();
  };

  more.addEventListener('click', load);
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) load();
  }, { rootMargin: '400px 0px' });
  observer.observe(sentinel);
  signal.addEventListener('abort', () => observer.disconnect(), { once: true });
  load();
  return card;
}

function isInView(el) {
  const rect = el.getBoundingClientRect();
  return rect.top < window.innerHeight + 400 && rect.bottom > -400;
}
