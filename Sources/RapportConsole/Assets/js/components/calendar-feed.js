// "Calendar feed" in the user menu: POST /v1/calendar-feeds makes a private link to an iCalendar
// feed of the meetings the user organises or attends, for a calendar program to subscribe to. The
// server shows the link once: here it is shown whole (absolute), with a copy button, what to do
// with it and who can read it. Loaded when asked for, not with every page.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { copyable } from './admin-kit.js';

/** Asks for a new feed link and shows it in `slot`; `trigger` (the menu item) is put away once it is there. */
export async function showCalendarFeed(slot, trigger) {
  trigger.disabled = true;
  replace(slot, h('p', { class: 'muted small', role: 'status' }, t('app.loading')));
  try {
    const feed = await api.post('/v1/calendar-feeds', {});
    const url = new URL(String(feed?.url ?? ''), location.origin).href;
    replace(slot, h('div', { class: 'calendar-feed', 'data-feed': 'calendar' },
      copyable(t('calendarFeed.label'), url),
      h('p', { class: 'small' }, t('calendarFeed.hint')),
      h('p', { class: 'small calendar-feed-warning' }, t('calendarFeed.private'))));
    trigger.hidden = true;
    const input = slot.querySelector('input');
    input?.focus();
    input?.select();
  } catch (error) {
    trigger.disabled = false;
    if (error.status === 401) return;
    replace(slot, h('p', { class: 'field-error', role: 'alert' }, error.status === 403 ? t('app.forbidden') : t('app.error')));
  }
}
