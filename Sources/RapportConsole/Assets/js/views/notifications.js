// #/notifications: the signed-in user's notifications, newest first (unread ones marked; "Unread"
// shows only those), each with who, what, when and the excerpt (the note's, or the customer's
// message) as text, and links that open the customer (at the note), the conversation, the task
// (#/tasks?task=) and the handoff (#/handoffs?handoff=) when there is one —
// following a link marks it read. "Mark all read"; new ones arrive live (the header's stream,
// notification-bell.js). Below, which kinds of notification the user wants and the email digest
// (off, every hour, or every day at an hour of their department's time zone), saved together
// (GET/PUT /v1/notification-preferences). The page's messages are a part (i18n/notifications/),
// loaded with it.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { formatDateTime, has, loadMessages, t, timeElement } from '../i18n.js';
import { hasRoute, navigate } from '../router.js';
import { onNotification, refreshUnread } from '../components/notification-bell.js';
import { formMessage } from '../components/form.js';

const PAGE = 30;
const KNOWN_KINDS = ['mention', 'note_on_followed', 'reply_on_followed', 'assignment', 'task_due', 'task_overdue', 'rule', 'handoff', 'handoff_escalated'];

const FREQUENCIES = ['off', 'hourly', 'daily'];

export default async function render({ container, signal, setTitle }) {
  await loadMessages('notifications');
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

/** "Ana Lima mentioned you", "Ana Lima mentioned Sales", "Ana Lima wrote a note where you follow",
 * "The customer wrote in a conversation you follow". */
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
  if (n.kind === 'reply_on_followed') return t(n.conversation_id ? 'notifications.what.replyConversation' : 'notifications.what.replyCustomer');
  // Kinds beyond notes (tasks, routing rules): said plainly; an unknown kind still names who.
  if (['assignment', 'task_due', 'task_overdue', 'rule', 'handoff', 'handoff_escalated'].includes(n.kind)) return t(`notifications.what.${n.kind}`, { name });
  return t('notifications.what.other', { name });
}

/** A field's error beside it: the text in the element `error`, aria-invalid on `target`. */
function errorSetter(target, error) {
  return (text) => {
    error.textContent = text ?? '';
    error.hidden = !text;
    if (text) { target.setAttribute('aria-invalid', 'true'); target.setAttribute('aria-describedby', error.id); } else {
      target.removeAttribute('aria-invalid'); target.removeAttribute('aria-describedby');
    }
  };
}

/** The server's message for a field in words of the catalog when it has them (`fieldError.digest.hour`). */
function fieldText(name, text) {
  return has(`fieldError.${name}`) ? t(`fieldError.${name}`) : text;
}

/** The email digest: Off, Every hour, Every day at [hour]. `digest.frequency` and `digest.hour`
 * errors show beside the choice and the hour. */
function digestFields() {
  const group = uid('digest');
  const frequencyError = h('p', { class: 'field-error', id: `${group}-error`, hidden: true });
  const hourError = h('p', { class: 'field-error', id: `${group}-hour-error`, hidden: true });
  const hour = h('select', { name: 'digest.hour', 'aria-label': t('notifications.digest.hour') },
    Array.from({ length: 24 }, (_, n) => h('option', { value: String(n) }, formatDateTime(new Date(2000, 0, 1, n), { hour: 'numeric', minute: '2-digit' }))));
  // The hour sits in the group beside "Every day at": the radios are named by the legend and their
  // own label (aria-labelledby), as a group holding another control needs.
  const legendId = `${group}-legend`;
  const radios = new Map(FREQUENCIES.map((value) => {
    const id = uid(`digest-${value}`);
    return [value, h('input', { type: 'radio', id, name: 'digest.frequency', value, 'aria-labelledby': `${legendId} ${id}-label`, dataset: { digest: value } })];
  }));
  const option = (value) => h('div', { class: 'choice-option' }, radios.get(value),
    h('label', { for: radios.get(value).id, id: `${radios.get(value).id}-label` }, t(`notifications.digest.${value}`)), value === 'daily' ? hour : null);
  hour.addEventListener('change', () => { radios.get('daily').checked = true; });
  const hintId = `${group}-hint`;
  const fieldset = h('fieldset', { class: 'choice', 'data-field': 'digest', 'aria-describedby': hintId },
    h('legend', { id: legendId }, t('notifications.digest.legend')),
    h('p', { class: 'field-hint', id: hintId }, t('notifications.digest.hint')),
    FREQUENCIES.map(option), frequencyError, hourError);
  const setFrequencyError = errorSetter(fieldset, frequencyError);
  const setHourError = errorSetter(hour, hourError);
  return {
    element: fieldset,
    fill(digest) {
      const frequency = FREQUENCIES.includes(digest?.frequency) ? digest.frequency : 'off';
      for (const [value, radio] of radios) radio.checked = value === frequency;
      hour.value = String(Number.isInteger(digest?.hour) && digest.hour >= 0 && digest.hour <= 23 ? digest.hour : 8);
    },
    value: () => ({ frequency: [...radios].find(([, radio]) => radio.checked)?.[0] ?? 'off', hour: Number(hour.value) }),
    clear() { setFrequencyError(null); setHourError(null); fieldset.setAttribute('aria-describedby', hintId); },
    /** Shows an error named `digest…`; true when it was one. */
    show(name, text) {
      if (name === 'digest.hour') { setHourError(fieldText(name, text)); hour.focus(); return true; }
      if (name !== 'digest' && !name.startsWith('digest.')) return false;
      setFrequencyError(fieldText(name, text));
      fieldset.setAttribute('aria-describedby', `${hintId} ${frequencyError.id}`);
      radios.get(FREQUENCIES.find((value) => radios.get(value).checked) ?? 'off').focus();
      return true;
    },
  };
}

/** Which kinds of notification to get (a checkbox each) and the email digest, saved together; the
 * server's 422 (`kinds.x`, `digest.hour`) beside the field it names. */
function preferencesForm(signal) {
  const titleId = uid('prefs-title');
  const message = formMessage();
  const boxes = h('div', { class: 'prefs-kinds' }, h('p', { class: 'muted' }, t('app.loading')));
  const digest = digestFields();
  digest.element.hidden = true; // until the server says what is set
  const save = h('button', { type: 'submit', class: 'button button-primary', disabled: true }, t('notifications.prefs.save'));
  const form = h('form', { class: 'card form', novalidate: true, 'aria-labelledby': titleId, 'data-form': 'notification-preferences' },
    h('h2', { id: titleId }, t('notifications.prefs.title')),
    h('p', { class: 'muted small' }, t('notifications.prefs.intro')),
    message.element,
    h('fieldset', { class: 'choice' }, h('legend', null, t('notifications.prefs.legend')), boxes),
    digest.element,
    h('div', { class: 'form-actions' }, save));
  const fields = new Map(); // kind -> { input, setError }

  const drawKinds = (kinds) => {
    fields.clear();
    const order = [...KNOWN_KINDS.filter((k) => k in kinds), ...Object.keys(kinds).filter((k) => !KNOWN_KINDS.includes(k))];
    replace(boxes, order.map((kind) => {
      const id = uid(`pref-${kind}`);
      const input = h('input', { type: 'checkbox', id, name: `kinds.${kind}`, checked: kinds[kind] !== false });
      const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
      fields.set(kind, { input, setError: errorSetter(input, error) });
      return h('div', { class: 'field field-check' }, input,
        h('label', { for: id }, has(`notifications.kind.${kind}`) ? t(`notifications.kind.${kind}`) : kind), error);
    }));
    save.disabled = false;
  };
  const draw = (body) => {
    drawKinds(body?.kinds && typeof body.kinds === 'object' ? body.kinds : {});
    // A server without digests says nothing of them: the choice stays hidden and is not sent.
    if (body?.digest && typeof body.digest === 'object') {
      digest.fill(body.digest);
      digest.element.hidden = false;
    }
  };

  api.get('/v1/notification-preferences', { signal })
    .then(draw)
    .catch((error) => {
      if (isAbort(error) || error.status === 401) return;
      replace(boxes, h('p', { class: 'field-error', role: 'alert' }, t('app.error')));
    });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    for (const f of fields.values()) f.setError(null);
    digest.clear();
    const kinds = {};
    for (const [kind, f] of fields) kinds[kind] = f.input.checked;
    const body = { kinds };
    if (!digest.element.hidden) body.digest = digest.value();
    save.disabled = true;
    try {
      draw(await api.put('/v1/notification-preferences', body, { signal }));
      message.show(t('notifications.prefs.saved'), 'success');
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      let shown = 0;
      for (const [name, text] of Object.entries(error.fieldErrors ?? {})) {
        if (digest.show(name, text)) { shown += 1; continue; }
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
