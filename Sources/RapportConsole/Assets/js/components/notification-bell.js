// The header's bell: a link to #/notifications with the signed-in user's unread count
// (GET /v1/notifications/unread-count), kept current by one event stream of
// rapport.notification.created (the server sends each user only their own). Pages hear the same
// notifications through `onNotification`, and call `refreshUnread()` after marking some read.
// A new notification is said in a polite live region (who mentioned, who wrote a note, or that
// the customer wrote where the user follows).

import { api } from '../api.js';
import { h, svgIcon } from '../dom.js';
import { t } from '../i18n.js';
import { follow } from '../live.js';
import * as session from '../session.js';

const TYPE = 'rapport.notification.created';
const SEEN = 500; // notification ids remembered, so a repeated event counts once

let unread = 0;
let state = 'closed';
let stream = null;
let asking = 0;
const bells = new Set();     // { link, count, status }
const listeners = new Set();
const seen = new Set();

/** `fn(notification)` for each notification that arrives while someone is signed in; returns the way to stop. */
export function onNotification(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Asks the server for the unread count again. */
export async function refreshUnread() {
  if (!session.signedIn()) return;
  const mine = ++asking;
  try {
    const body = await api.get('/v1/notifications/unread-count', { signal: stream?.signal });
    if (mine === asking && typeof body?.unread === 'number') setUnread(body.unread);
  } catch (error) {
    if (error?.name !== 'AbortError' && error?.status !== 401 && error?.status !== 409) console.warn('unread count', error);
  }
}

function setUnread(value) {
  unread = Math.max(0, value);
  for (const bell of [...bells]) {
    if (!bell.link.isConnected && bell.placed) { bells.delete(bell); continue; }
    show(bell);
  }
}

function show(bell) {
  bell.link.dataset.unread = String(unread);
  bell.link.dataset.state = state;
  bell.link.setAttribute('aria-label', unread ? t('bell.labelUnread', { count: unread }) : t('bell.label'));
  bell.count.textContent = unread > 99 ? '99+' : String(unread);
  bell.count.hidden = unread === 0;
}

/** The bell for the header (drawn again with the header; every bell shows the same count). */
export function notificationBell({ current = false } = {}) {
  const count = h('span', { class: 'bell-count', 'aria-hidden': 'true', hidden: true });
  const link = h('a', { class: 'bell', href: '#/notifications', 'data-nav': 'notifications', 'aria-current': current ? 'page' : null },
    bellIcon(), count);
  const status = h('span', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const bell = { link, count, status, placed: false };
  bells.add(bell);
  show(bell);
  queueMicrotask(() => { bell.placed = true; });
  return h('div', { class: 'bell-wrap' }, link, status);
}

function announce(notification) {
  const who = notification.actor_name || t('bell.someone');
  const text = notification.kind === 'mention' ? t('bell.newMention', { name: who })
    : notification.kind === 'note_on_followed' ? t('bell.newNote', { name: who })
      : notification.kind === 'reply_on_followed' ? t('bell.newReply') : t('bell.newOther');
  for (const bell of bells) {
    if (!bell.link.isConnected) continue;
    bell.status.textContent = '';
    setTimeout(() => { bell.status.textContent = text; }, 50);
  }
}

function onEvent(event) {
  const notification = event?.data?.notification;
  if (!notification || typeof notification.id !== 'string' || seen.has(notification.id)) return;
  seen.add(notification.id);
  if (seen.size > SEEN) seen.delete(seen.values().next().value);
  if (!notification.read_at) {
    setUnread(unread + 1);
    announce(notification);
  }
  for (const fn of listeners) {
    try { fn(notification); } catch (error) { console.error(error); }
  }
  // The server's count is the truth (another tab may have read some meanwhile).
  clearTimeout(onEvent.timer);
  onEvent.timer = setTimeout(refreshUnread, 300);
}

function setState(next) {
  state = next;
  for (const bell of bells) bell.link.dataset.state = state;
}

function stop() {
  stream?.abort();
  stream = null;
  setState('closed');
}

function start() {
  stop();
  seen.clear();
  unread = 0;
  if (!session.signedIn()) return;
  stream = new AbortController();
  refreshUnread();
  follow({ filter: `type == ${JSON.stringify(TYPE)}`, types: [TYPE], signal: stream.signal, onEvent, onState: setState })
    .catch((error) => console.warn('notification events', error));
}

let mounted = false;
/** Starts following the signed-in user's notifications (once; again after each sign-in). */
export function startNotifications() {
  if (mounted) return;
  mounted = true;
  session.onSessionChange(start);
  // Closed before the session ends, so the stream is not refused (and retried) on its way out.
  session.beforeSignOut(stop);
  start();
}

function bellIcon() {
  return svgIcon('0 0 24 24', 'M12 2a6 6 0 0 0-6 6v3.6L4.3 15A1 1 0 0 0 5.2 16.5h13.6a1 1 0 0 0 .9-1.5L18 11.6V8a6 6 0 0 0-6-6zm-2.6 16a2.7 2.7 0 0 0 5.2 0z', 'icon bell-icon');
}
