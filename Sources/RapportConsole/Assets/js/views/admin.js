// #/admin/{section}: administration for admins and managers. A side list of sections; each
// section is its own component module, loaded when opened. Managers do not see the sections that
// need `access:manage` (users' accounts and API keys are the admin's). The administration's
// messages are a part (i18n/admin/), loaded before anything is drawn.

import { h } from '../dom.js';
import { loadMessages, t } from '../i18n.js';
import * as session from '../session.js';

const SECTIONS = [
  { key: 'users', load: () => import('../components/admin-users.js'), roles: ['admin', 'manager'] },
  { key: 'rules', load: () => import('../components/admin-rules.js') },
  { key: 'departments', load: () => import('../components/admin-departments.js') },
  { key: 'record-types', load: () => import('../components/admin-record-types.js') },
  { key: 'channels', load: () => import('../components/admin-channels.js') },
  { key: 'api-keys', load: () => import('../components/admin-api-keys.js'), roles: ['admin'] },
  { key: 'keywords', load: () => import('../components/admin-keywords.js') },
  { key: 'models', load: () => import('../components/admin-models.js') },
  { key: 'webhooks', load: () => import('../components/admin-webhooks.js') },
  { key: 'consumers', load: () => import('../components/admin-consumers.js') },
  { key: 'settings', load: () => import('../components/admin-settings.js') },
];

export default async function render({ container, params, signal, setTitle }) {
  await loadMessages('admin');
  if (signal.aborted) return;
  const role = session.user()?.role;
  const sections = SECTIONS.filter((s) => !s.roles || s.roles.includes(role));
  const section = sections.find((s) => s.key === (params.section || 'users')) ?? null;
  const title = section ? t(`admin.section.${section.key}`) : t('notFound.title');
  setTitle(`${title} · ${t('admin.title')}`);

  const nav = h('nav', { class: 'side-nav', 'aria-label': t('admin.sections') },
    h('ul', null, sections.map((s) => h('li', null, h('a', {
      href: `#/admin/${s.key}`,
      'aria-current': s === section ? 'page' : null,
    }, t(`admin.section.${s.key}`))))));
  const body = h('div', { class: 'admin-section' });
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, title), h('span', { class: 'muted' }, t('admin.title'))),
    h('div', { class: 'admin-layout' }, nav, body));

  if (!section) {
    body.append(h('p', null, t('notFound.body')));
    return;
  }
  const module = await section.load();
  if (signal.aborted) return;
  await module.default({ container: body, signal, role });
}
