// Hash routes: '#/customers', '#/customers/cus_…[?note=not_…]', '#/inbox/cnv_…', '#/notifications',
// '#/tasks[?tab=…&task=tsk_…]', '#/handoffs[?tab=in|out&handoff=hof_…]', '#/department[?department=dep_…&day=…]',
// '#/records', '#/records/{type}[?filter=…&sort=…&view=board]', '#/records/{type}/rec_…',
// '#/segments', '#/segments/seg_…', '#/imports', '#/imports/imp_…',
// '#/processes[/{key}[?version=N]]', '#/process-instances/pin_…',
// '#/setup?token=…', '#/sign-in'.
// Each view is a module loaded on first use; its default export renders into a fresh container
// and gets an AbortSignal that fires when the user navigates away.

import { h } from './dom.js';
import { t } from './i18n.js';
import { signedIn, user } from './session.js';

function loadInbox() {
  return import('./views/inbox.js');
}

function loadDuplicates() {
  return import('./views/duplicates.js');
}

function loadRecords() {
  return import('./views/records.js');
}

function loadSegments() {
  return import('./views/segments.js');
}

function loadImports() {
  return import('./views/imports.js');
}

function loadAdmin() {
  return import('./views/admin.js');
}

/** Roles the admin pages are for (the server checks each request too). */
export const ADMIN_ROLES = ['admin', 'manager'];
/** Roles that may import (customers:write or records:write). */
const IMPORT_ROLES = ['admin', 'manager', 'agent'];

const ROUTES = [
  { path: /^\/sign-in$/, view: 'sign-in', load: () => import('./views/sign-in.js'), public: true },
  { path: /^\/setup$/, view: 'setup', load: () => import('./views/setup.js'), public: true },
  { path: /^\/customers$/, view: 'customers', load: () => import('./views/customers.js'), nav: 'customers' },
  { path: /^\/customers\/([A-Za-z0-9_-]+)$/, view: 'customer', load: () => import('./views/customer.js'), nav: 'customers', keys: ['id'] },
  { path: /^\/inbox$/, view: 'inbox', load: loadInbox, nav: 'inbox', keys: [] },
  { path: /^\/inbox\/([A-Za-z0-9_-]+)$/, view: 'inbox', load: loadInbox, nav: 'inbox', keys: ['conversation'] },
  { path: /^\/duplicates$/, view: 'duplicates', load: loadDuplicates, nav: 'duplicates', keys: [] },
  { path: /^\/duplicates\/([A-Za-z0-9_-]+)$/, view: 'duplicates', load: loadDuplicates, nav: 'duplicates', keys: ['candidate'] },
  { path: /^\/events$/, view: 'events', load: () => import('./views/events.js'), nav: 'events' },
  { path: /^\/dashboards$/, view: 'dashboards', load: () => import('./views/dashboards.js'), nav: 'dashboards' },
  { path: /^\/notifications$/, view: 'notifications', load: () => import('./views/notifications.js'), nav: 'notifications' },
  { path: /^\/tasks$/, view: 'tasks', load: () => import('./views/tasks.js'), nav: 'tasks' },
  { path: /^\/handoffs$/, view: 'handoffs', load: () => import('./views/handoffs.js'), nav: 'handoffs' },
  { path: /^\/department$/, view: 'department', load: () => import('./views/department.js'), nav: 'department' },
  { path: /^\/records$/, view: 'records', load: loadRecords, nav: 'records', keys: [] },
  { path: /^\/records\/([a-z][a-z0-9_]*)$/, view: 'records', load: loadRecords, nav: 'records', keys: ['type'] },
  { path: /^\/records\/([a-z][a-z0-9_]*)\/([A-Za-z0-9_-]+)$/, view: 'records', load: loadRecords, nav: 'records', keys: ['type', 'id'] },
  { path: /^\/segments$/, view: 'segments', load: loadSegments, nav: 'segments', keys: [] },
  { path: /^\/segments\/([A-Za-z0-9_-]+)$/, view: 'segments', load: loadSegments, nav: 'segments', keys: ['id'] },
  { path: /^\/imports$/, view: 'imports', load: loadImports, nav: 'imports', keys: [], roles: IMPORT_ROLES },
  { path: /^\/imports\/([A-Za-z0-9_-]+)$/, view: 'imports', load: loadImports, nav: 'imports', keys: ['id'], roles: IMPORT_ROLES },
  { path: /^\/processes$/, view: 'processes', load: () => import('./views/processes.js'), nav: 'processes' },
  { path: /^\/processes\/([\w.~%-]+)$/, view: 'process', load: () => import('./views/process.js'), nav: 'processes', keys: ['key'] },
  { path: /^\/process-instances\/([A-Za-z0-9_-]+)$/, view: 'process-instance', load: () => import('./views/process-instance.js'), nav: 'processes', keys: ['id'] },
  { path: /^\/admin(?:\/([a-z-]+))?$/, view: 'admin', load: loadAdmin, nav: 'admin', keys: ['section'], roles: ADMIN_ROLES },
];

export const HOME = '#/customers';

/** True when a page exists at `path` (so links to pages not built yet are left out) and the
 * signed-in user's role may open it. */
export function hasRoute(path) {
  return ROUTES.some((route) => route.path.test(path) && allowed(route));
}

function allowed(route) {
  return !route.roles || route.roles.includes(user()?.role);
}
const RETURN_KEY = 'rapport.return';

let main = null;
let active = null; // { controller, cleanups, load, handle }
let navListener = null;
let generation = 0;

/** The current route: path, query and the matching route. */
export function current() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
  const [path, search = ''] = raw.split('?', 2);
  return { path, query: new URLSearchParams(search) };
}

export function navigate(hash, { replace = false } = {}) {
  if (location.hash === hash) { render(); return; }
  if (replace) {
    history.replaceState(null, '', hash);
    render();
  } else {
    location.hash = hash;
  }
}

/** Remembers where the user was, then goes to sign-in. */
export function toSignIn() {
  const { path } = current();
  if (path !== '/sign-in' && path !== '/setup') {
    try { sessionStorage.setItem(RETURN_KEY, location.hash); } catch { /* storage disabled */ }
  }
  navigate('#/sign-in', { replace: true });
}

/** Where to go after signing in: where the user was, else home. */
export function afterSignIn() {
  let target = null;
  try {
    target = sessionStorage.getItem(RETURN_KEY);
    sessionStorage.removeItem(RETURN_KEY);
  } catch { /* storage disabled */ }
  navigate(target && target.startsWith('#/') && !target.startsWith('#/sign-in') ? target : HOME, { replace: true });
}

/** Tells the header which nav entry is current. */
export function onNavigate(fn) {
  navListener = fn;
}

/** Starts loading the current route's view module and every module it imports, all at once
 * (the page lists them: `meta[name=rapport-module-graph]`), without rendering it, so that they arrive while
 * start-up waits for the catalog and the session. */
export function prefetch() {
  const { path } = current();
  const route = ROUTES.find((candidate) => candidate.path.test(path));
  if (!route) return;
  const root = new URL('../', import.meta.url);
  for (const module of viewModules(`js/views/${route.view}.js`)) {
    document.head.append(h('link', { rel: 'modulepreload', href: new URL(module, root).href }));
  }
  route.load().catch(() => {});
}

/** The modules a view needs, from the page's graph: `{"m": [paths…], "v": {view: [positions…]}}`. */
function viewModules(view) {
  try {
    const graph = JSON.parse(document.querySelector('meta[name="rapport-module-graph"]')?.content || '{}');
    const modules = Array.isArray(graph.m) ? graph.m : [];
    return (graph.v?.[view] ?? []).map((position) => modules[position]).filter((path) => typeof path === 'string');
  } catch {
    return [];
  }
}

export function start(mainElement) {
  main = mainElement;
  window.addEventListener('hashchange', () => render());
  render({ initial: true });
}

/** Renders the current route again (after a language switch). */
export function reload() {
  render({ keepFocus: true });
}

async function render({ initial = false, keepFocus = false } = {}) {
  if (!location.hash.startsWith('#/')) {
    // '#main' from the skip link and the like: not a route.
    if (location.hash === '' || location.hash === '#') navigate(signedIn() ? HOME : '#/sign-in', { replace: true });
    return;
  }
  const { path, query } = current();
  if (path === '/' || path === '') { navigate(signedIn() ? HOME : '#/sign-in', { replace: true }); return; }

  let route = null;
  let match = null;
  for (const candidate of ROUTES) {
    match = candidate.path.exec(path);
    if (match) { route = candidate; break; }
  }
  if (route && !route.public && !signedIn()) { toSignIn(); return; }
  if (route && path === '/sign-in' && signedIn()) { navigate(HOME, { replace: true }); return; }
  if (route && !allowed(route)) route = null; // shown as not found, as for a page that is not there

  // A view that returned an `update` function handles moves within itself (the inbox keeps its
  // list and event stream when another conversation opens).
  const params = {};
  (route?.keys ?? []).forEach((key, i) => { params[key] = decoded(match[i + 1] ?? ''); });
  if (route && active?.load === route.load && typeof active.handle?.update === 'function' && !keepFocus) {
    navListener?.(route.nav ?? null);
    active.handle.update(params, query);
    return;
  }

  teardown();
  const mine = ++generation;
  const controller = new AbortController();
  const cleanups = [];
  active = { controller, cleanups, load: route?.load, handle: null };
  const entry = active;
  navListener?.(route?.nav ?? null);

  const container = h('div', { class: 'view' });
  main.replaceChildren(container);
  const context = {
    container,
    params,
    query,
    signal: controller.signal,
    onCleanup: (fn) => cleanups.push(fn),
    setTitle: (title) => { document.title = title ? `${title} · ${t('app.name')}` : t('app.name'); },
  };

  try {
    if (!route) {
      renderNotFound(context);
    } else {
      const module = await route.load();
      if (mine !== generation) return;
      entry.handle = await module.default(context);
    }
  } catch (error) {
    if (mine !== generation || controller.signal.aborted) return;
    if (error?.status === 401) return; // api.js already sent the user to sign in
    console.error(error);
    container.replaceChildren(h('div', { class: 'notice notice-error', role: 'alert' }, t('app.error')));
  }
  if (mine !== generation || keepFocus) return;
  const autofocus = container.querySelector('[data-autofocus]');
  // A fresh page load leaves focus at the top (for the skip link) unless the page has a first field.
  const target = autofocus ?? (initial ? null : container.querySelector('h1'));
  target?.focus();
}

/** `text` decoded; as it is when it is no valid encoding (a process key typed by hand). */
function decoded(text) {
  try { return decodeURIComponent(text); } catch { return text; }
}

/** Ends the current view (its requests and streams) before the session goes away. */
export function leave() {
  teardown();
  main?.replaceChildren();
}

function teardown() {
  if (!active) return;
  active.controller.abort();
  for (const fn of active.cleanups) {
    try { fn(); } catch (error) { console.error(error); }
  }
  active = null;
}

function renderNotFound(context) {
  context.setTitle(t('notFound.title'));
  context.container.append(
    h('h1', { tabindex: '-1' }, t('notFound.title')),
    h('p', null, t('notFound.body')),
    h('p', null, h('a', { href: HOME }, t('notFound.home'))),
  );
}
