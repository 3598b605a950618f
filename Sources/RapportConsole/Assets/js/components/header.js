// The header: brand, main navigation, language switch, the notifications bell (unread count, live)
// and the user menu with the calendar feed and sign-out.

import { h, replace, uid } from '../dom.js';
import { currentLocale, LOCALES, onLocaleChange, setLocale, t } from '../i18n.js';
import { hasRoute, leave, navigate, onNavigate } from '../router.js';
import * as session from '../session.js';
import { notificationBell, startNotifications } from './notification-bell.js';

// Only pages that exist, and that the user's role may open, are listed.
const NAV = [
  { key: 'customers', href: '#/customers' },
  { key: 'inbox', href: '#/inbox' },
  { key: 'tasks', href: '#/tasks' },
  { key: 'handoffs', href: '#/handoffs' },
  { key: 'department', href: '#/department' },
  { key: 'records', href: '#/records' },
  { key: 'segments', href: '#/segments' },
  { key: 'imports', href: '#/imports' },
  { key: 'processes', href: '#/processes' },
  { key: 'duplicates', href: '#/duplicates' },
  { key: 'events', href: '#/events' },
  { key: 'dashboards', href: '#/dashboards' },
  { key: 'admin', href: '#/admin' },
];

const LANGUAGE_NAMES = { en: 'English', 'zh-CN': '简体中文' };

export function mountHeader(header) {
  let activeNav = null;
  let drawn = null;
  const draw = () => {
    drawn?.abort();
    drawn = new AbortController();
    replace(header, ...content(activeNav, drawn.signal));
  };
  onNavigate((key) => {
    activeNav = key;
    for (const link of header.querySelectorAll('[data-nav]')) {
      if (link.dataset.nav === key) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  });
  onLocaleChange(draw);
  session.onSessionChange(draw);
  startNotifications();
  draw();
}

function content(activeNav, signal) {
  const parts = [h('a', { class: 'brand', href: session.signedIn() ? '#/customers' : '#/sign-in' }, t('app.name'))];
  if (session.signedIn()) {
    parts.push(h('nav', { class: 'main-nav', 'aria-label': t('nav.label') },
      h('ul', null, NAV.filter((item) => hasRoute(item.href.slice(1))).map((item) => h('li', null,
        h('a', {
          href: item.href,
          'data-nav': item.key,
          'aria-current': item.key === activeNav ? 'page' : null,
        }, t(`nav.${item.key}`)))))));
  }
  const tools = h('div', { class: 'header-tools' }, languageSwitch());
  if (session.signedIn() && hasRoute('/notifications')) tools.append(notificationBell({ current: activeNav === 'notifications' }));
  if (session.signedIn()) tools.append(userMenu(session.user(), signal));
  parts.push(tools);
  return parts;
}

function languageSwitch() {
  const id = uid('lang');
  const select = h('select', {
    id,
    // aria-label, not a visually hidden <label>: axe-core 3 reports a clipped label as hidden.
    'aria-label': t('lang.label'),
    onchange: () => setLocale(select.value, { remember: true }),
  }, LOCALES.map((code) => h('option', { value: code, lang: code, selected: code === currentLocale() }, LANGUAGE_NAMES[code])));
  return h('div', { class: 'lang-switch' }, select);
}

function userMenu(user, signal) {
  const menuId = uid('user-menu');
  let open = false;
  const button = h('button', {
    type: 'button',
    class: 'user-button',
    'aria-expanded': 'false',
    'aria-controls': menuId,
    'aria-label': t('user.menu', { name: user?.name ?? '' }),
  }, h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(user?.name)), h('span', { class: 'user-name' }, user?.name ?? ''));

  const signOutButton = h('button', { type: 'button', class: 'menu-item', onclick: signOut }, t('user.signOut'));
  // The private calendar feed: its module is loaded when asked for.
  const feedSlot = h('div', { class: 'user-panel-feed' });
  const feedButton = h('button', { type: 'button', class: 'menu-action', 'data-action': 'calendar-feed' }, t('user.calendarFeed'));
  feedButton.addEventListener('click', () => {
    import('./calendar-feed.js').then((feed) => feed.showCalendarFeed(feedSlot, feedButton)).catch((error) => console.warn('calendar feed', error));
  });
  const panel = h('div', { id: menuId, class: 'user-panel', hidden: true },
    h('p', { class: 'user-panel-who' }, h('strong', null, user?.name ?? ''), h('br'), h('span', { class: 'muted' }, user?.email ?? '')),
    h('p', { class: 'muted' }, t(`role.${user?.role ?? 'viewer'}`)),
    feedButton, feedSlot,
    signOutButton);

  const setOpen = (value, focusButton = false) => {
    open = value;
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) signOutButton.focus();
    else if (focusButton) button.focus();
  };
  button.addEventListener('click', () => setOpen(!open));
  const wrapper = h('div', { class: 'user-menu' }, button, panel);
  wrapper.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && open) { event.stopPropagation(); setOpen(false, true); }
  });
  wrapper.addEventListener('focusout', (event) => {
    if (open && event.relatedTarget && !wrapper.contains(event.relatedTarget)) setOpen(false);
  });
  document.addEventListener('click', (event) => {
    if (open && !wrapper.contains(event.target)) setOpen(false);
  }, { signal });
  return wrapper;
}

async function signOut() {
  leave(); // closes the page's event stream before the session ends
  try {
    await session.signOut();
  } catch (error) {
    console.warn('sign-out', error);
  }
  navigate('#/sign-in', { replace: true });
}

function initials(name) {
  const text = String(name ?? '').trim();
  if (!text) return '?';
  const words = text.split(/\s+/);
  if (words.length > 1 && /^[A-Za-z]/.test(words[0])) return (words[0][0] + words[words.length - 1][0]).toUpperCase();
  return [...text][0].toUpperCase();
}
