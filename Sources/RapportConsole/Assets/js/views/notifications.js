// #/notifications: the signed-in user's notifications, newest first (unread ones marked; "Unread"
// shows only those), each with who, what, when and the note's excerpt as text, and links that open
// the customer (at the note), the conversation, the task (#/tasks?task=) and the handoff
// (#/handoffs?handoff=) when there is one —
// following a link marks it read. "Mark all read"; new ones arrive live (the header's stream,
// notification-bell.js). Below, which kinds of notification the user wants (GET/PUT
// /v1/notification-preferences).

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { has, t, timeElement } from '../i18n.js';
import { hasRoute, navigate } from '../router.js';
import { onNotification, refreshUnread } from '../components/notification-bell.js';
import { formMessage } from '../components/form.js';

const PAGE = 30;
const KNOWN_KINDS = ['mention', 'note_on_followed', 'assignment', 'task_due', 'task_overdue', 'rule', 'handoff', 'handoff_escalated'];

export default async function render({ container, signal, setTitle }) {
  setTitle(t('notifications.title'));
  const markAll = h('button', { type: 'button', class: 'button', 'data-action': 'mark-all-read' }, t('notifications.markAll'));
  const status = h('p', { class: 'notifications-status muted', role: 'status' });
  const list = h('ol', { class: 'notification-list', 'aria-labelledby': 'notifications-list-title' });
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true, 'data-action': 'more-notifications' }, t('notifications.more'));
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const prefsSlot = h('div');
  let onlyUnread = false;
  const filterButton = (unread, label) => {
    const button = h('button', { type: 'button', 'aria-pressed': String(unread === onlyUnread), dataset: { filter: unread ? 'unread' : 'all' } }, label);
    button.addEventListener('click', () => {
      if (onlyUnread === unread) return;
      onlyUnread = unread;
      for (const b of filters.children) b.setAttribute('aria-pressed', String(b === button));
      cursor = null;
      shown.clear();
      list.replaceChildren();
      load();
    });
    return button;
  };
  const filters = h('div', { class: 'status-tabs', role: 'group', 'aria-label': t('notifications.filter') });
  filters.append(filterButton(false, t('notifications.all')), filterButton(true, t('notifications.onlyUnread')));
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('notifications.title')), markAll),
    status,
    h('section', { class: 'card', 'aria-labelledby': 'notifications-list-title' },
      h('h2', { id: 'notifications-list-title' }, t('notifications.listTitle')), filters, problem, list, more),
    prefsSlot);

  const customers = new Map(); // id -> Promise of the name (or null)
  const shown = new Map();     // notification id -> { notification, element }
  let cursor = null;

  const customerName = (id) => {
    if (!customers.has(id)) {
      customers.set(id, api.get(`/v1/customers/${seg(id)}`, { signal }).then((c) => (typeof c?.name === 'string' ? c.name : null), () => null));
    }
    return customers.get(id);
  };

  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };

  const markRead = async (entry) => {
    if (entry.notification.read_at) return;
    try {
      const updated = await api.post(`/v1/notifications/${seg(entry.notification.id)}/read`, undefined, { signal });
      entry.notification = updated?.id ? updated : { ...entry.notification, read_at: new Date().toISOString() };
      draw(entry);
      refreshUnread();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      say(t('app.error'));
    }
  };

  const draw = (entry) => {
    const n = entry.notification;
    const unread = !n.read_at;
    entry.element.className = `notification${unread ? ' unread' : ''}`;
    entry.element.dataset.notificationId = n.id;
    entry.element.dataset.kind = n.kind;
    entry.element.dataset.read = String(!unread);
    const open = (href, label, action) => {
      const link = h('a', { href, 'data-action': action }, label);
      link.addEventListener('click', async (event) => {
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { markRead(entry); return; }
        event.preventDefault();
        // Marked read before leaving (the answer, or a second at most), then opened.
        await Promise.race([markRead(entry), new Promise((resolve) => { setTimeout(resolve, 1000); })]);
        navigate(href);
      });
      return link;
    };
    const customerHref = n.customer_id
      ? `#/customers/${encodeURIComponent(n.customer_id)}${n.note_id ? `?note=${encodeURIComponent(n.note_id)}` : ''}` : null;
    const customerLink = customerHref ? open(customerHref, t('notifications.openCustomer'), 'open-customer') : null;
    if (customerLink && n.customer_id) {
      customerName(n.customer_id).then((name) => { if (name) customerLink.textContent = t('notifications.openCustomerNamed', { name }); });
    }
    replace(entry.element,
      h('div', { class: 'notification-head' },
        unread ? h('span', { class: 'badge badge-open', 'data-field': 'unread' }, t('notifications.unread')) : null,
        h('span', { class: 'notification-what', 'data-field': 'what' }, describe(n)),
        timeElement(n.created_at)),
      n.excerpt ? h('p', { class: 'notification-excerpt', 'data-field': 'excerpt' }, n.excerpt) : null,
      h('div', { class: 'notification-links' },
        customerLink,
        n.conversation_id ? open(`#/inbox/${encodeURIComponent(n.conversation_id)}`, t('notifications.openConversation'), 'open-conversation') : null,
        n.task_id && hasRoute('/tasks') ? open(`#/tasks?task=${encodeURIComponent(n.task_id)}`, t('notifications.openTask'), 'open-task') : null,
        n.handoff_id && hasRoute('/handoffs') ? open(`#/handoffs?handoff=${encodeURIComponent(n.handoff_id)}`, t('notifications.openHandoff'), 'open-handoff') : null,
        unread ? h('button', { type: 'button', class: 'button button-small', 'data-action': 'mark-read', onclick: () => markRead(entry) }, t('notifications.markRead')) : null));
  };

  const add = (notification, { prepend = false } = {}) => {
    if (!notification?.id || shown.has(notification.id)) return;
    const entry = { notification, element: h('li') };
    shown.set(notification.id, entry);
    draw(entry);
    if (prepend) list.prepend(entry.element);
    else list.append(entry.element);
  };

  const showCount = () => {
    const unread = [...shown.values()].filter((e) => !e.notification.read_at).length;
    status.textContent = shown.size ? t('notifications.shownUnread', { count: unread }) : t('notifications.empty');
  };

  let generation = 0;
  const load = async () => {
    const mine = ++generation;
    more.hidden = true;
    list.setAttribute('aria-busy', 'true');
    try {
      const page = await api.get('/v1/notifications', { query: { limit: PAGE, cursor, unread: onlyUnread ? 'true' : undefined }, signal });
      if (mine !== generation) return; // the filter changed meanwhile
      for (const notification of page?.data ?? []) add(notification);
      cursor = page?.next_cursor ?? null;
      more.hidden = !cursor;
      showCount();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      console.warn('notifications', error);
      say(error.status === 409 ? t('notifications.notUser') : t('app.error'));
    } finally {
      list.removeAttribute('aria-busy');
    }
  };

  more.addEventListener('click', load);
  markAll.addEventListener('click', async () => {
    markAll.disabled = true;
    say(null);
    try {
      const body = await api.post('/v1/notifications/read-all', undefined, { signal });
      const now = new Date().toISOString();
      for (const entry of shown.values()) {
        if (!entry.notification.read_at) { entry.notification = { ...entry.notification, read_at: now }; draw(entry); }
      }
      status.textContent = t('notifications.markedAll', { count: Number(body?.read ?? 0) });
      refreshUnread();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      say(t('app.error'));
    } finally {
      markAll.disabled = false;
    }
  });
  const stop = onNotification((notification) => { add(notification, { prepend: true }); showCount(); });
  signal.addEventListener('abort', stop, { once: true });

  prefsSlot.append(preferencesForm(signal));
  await load();
}

/** "Ana Lima mentioned you", "Ana Lima mentioned Sales", "Ana Lima wrote a note where you follow". */
function describe(n) {
  const name = n.actor_name || t('notifications.someone');
  if (n.kind === 'mention') {
    if (n.via?.kind === 'department') return t('notifications.what.mentionDepartment', { name, via: n.via.name ?? '' });
    if (n.via?.kind === 'queue') return t('notifications.what.mentionQueue', { name, via: n.via.name ?? '' });
    return t('notifications.what.mention', { name });
  }
  if (n.kind === 'note_on_followed') {
    return t(n.conversation_id ? 'notifications.what.followedConversation' : 'notifications.what.followedCustomer', { name });
  }
  // Kinds beyond notes (tasks, routing rules): said plainly; an unknown kind still names who.
  if (['assignment', 'task_due', 'task_overdue', 'rule', 'handoff', 'handoff_escalated'].includes(n.kind)) return t(`notifications.what.${n.kind}`, { name });
  return t('notifications.what.other', { name });
}

/** Which kinds of notification to get: a checkbox each; the server's 422 (`kinds.x`) beside the box. */
function preferencesForm(signal) {
  const titleId = uid('prefs-title');
  const message = formMessage();
  const boxes = h('div', { class: 'prefs-kinds' }, h('p', { class: 'muted' }, t('app.loading')));
  const save = h('button', { type: 'submit', class: 'button button-primary', disabled: true }, t('notifications.prefs.save'));
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': titleId, 'data-form': 'notification-preferences' },
    h('h2', { id: titleId }, t('notifications.prefs.title')),
    h('p', { class: 'muted small' }, t('notifications.prefs.intro')),
    message.element,
    h('fieldset', { class: 'choice' }, h('legend', null, t('notifications.prefs.legend')), boxes),
    h('div', { class: 'form-actions' }, save));
  const fields = new Map(); // kind -> { input, setError }

  const drawKinds = (kinds) => {
    fields.clear();
    const order = [...KNOWN_KINDS.filter((k) => k in kinds), ...Object.keys(kinds).filter((k) => !KNOWN_KINDS.includes(k))];
    replace(boxes, order.map((kind) => {
      const id = uid(`pref-${kind}`);
      const errorId = `${id}-error`;
      const input = h('input', { type: 'checkbox', id, name: `kinds.${kind}`, checked: kinds[kind] !== false });
      const error = h('p', { class: 'field-error', id: errorId, hidden: true });
      fields.set(kind, {
        input,
        setError: (text) => {
          error.textContent = text ?? '';
          error.hidden = !text;
          if (text) { input.setAttribute('aria-invalid', 'true'); input.setAttribute('aria-describedby', errorId); } else {
            input.removeAttribute('aria-invalid'); input.removeAttribute('aria-describedby');
          }
        },
      });
      return h('div', { class: 'field field-check' }, input,
        h('label', { for: id }, has(`notifications.kind.${kind}`) ? t(`notifications.kind.${kind}`) : kind), error);
    }));
    save.disabled = false;
  };

  api.get('/v1/notification-preferences', { signal })
    .then((body) => drawKinds(body?.kinds && typeof body.kinds === 'object' ? body.kinds : {}))
    .catch((error) => {
      if (isAbort(error) || error.status === 401) return;
      replace(boxes, h('p', { class: 'field-error', role: 'alert' }, t('app.error')));
    });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    for (const f of fields.values()) f.setError(null);
    const kinds = {};
    for (const [kind, f] of fields) kinds[kind] = f.input.checked;
    save.disabled = true;
    try {
      const body = await api.put('/v1/notification-preferences', { kinds }, { signal });
      if (body?.kinds) drawKinds(body.kinds);
      message.show(t('notifications.prefs.saved'), 'success');
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      let shown = 0;
      for (const [name, text] of Object.entries(error.fieldErrors ?? {})) {
        const f = fields.get(name.replace(/^kinds\./, ''));
        if (f) { f.setError(text); if (!shown) f.input.focus(); shown += 1; }
      }
      if (!shown) message.show(t('app.error'));
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
