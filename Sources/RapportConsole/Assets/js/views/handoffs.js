// #/handoffs[?tab=in|out][&handoff=hof_…]: the caller's department's handoffs (GET /v1/handoffs) in
// two tabs — Incoming (direction=in) and Outgoing (direction=out) — each with its kind, from → to
// department, the customer it is about, the reason (text), its status, "Unanswered", the answer-due
// time and "SLA breached" / "Escalated" when so. The receiving side accepts, declines (with a
// reason) or marks done (an optional outcome); the sending side cancels (POST …/accept|decline|
// complete|cancel with If-Match "{id}-v{version}"; the server's 409/403 said as a message). The
// list follows rapport.handoff.* events (one stream besides the header bell's: a browser allows
// six connections to a host). `?handoff=` (a notification's link) brings that handoff into view.

import { api, seg } from '../api.js';
import { h, isAbort, replace } from '../dom.js';
import { t, timeElement } from '../i18n.js';
import * as lookups from '../lookups.js';
import { follow } from '../live.js';
import * as session from '../session.js';

const PAGE = 50;
const TABS = ['in', 'out'];
const EVENTS = ['requested', 'accepted', 'declined', 'done', 'cancelled', 'escalated'].map((change) => `rapport.handoff.${change}`);

/** The entity tag of a handoff's version, as the server writes it. */
export function handoffETag(handoff) {
  return `"${handoff.id}-v${handoff.version}"`;
}

export default async function render({ container, query, signal, setTitle }) {
  setTitle(t('handoffs.title'));
  let tab = TABS.includes(query?.get('tab')) ? query.get('tab') : 'in';
  const wanted = query?.get('handoff') ?? null;
  const me = session.user();
  const status = h('p', { class: 'handoffs-status muted', role: 'status' });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const listTitle = h('h2', { id: 'handoffs-list-title', tabindex: '-1' }, t('handoffs.listTitle'));
  const list = h('ol', { class: 'handoff-list', 'aria-labelledby': 'handoffs-list-title' });
  const more = h('button', { type: 'button', class: 'button button-small', hidden: true, 'data-action': 'more-handoffs' }, t('handoffs.more'));
  const tabs = h('div', { class: 'status-tabs', role: 'group', 'aria-label': t('handoffs.tabs') });
  const press = () => { for (const b of tabs.children) b.setAttribute('aria-pressed', String(b.dataset.tab === tab)); };
  for (const key of TABS) {
    tabs.append(h('button', {
      type: 'button', 'aria-pressed': 'false', dataset: { tab: key },
      onclick: () => {
        if (tab === key) return;
        tab = key;
        press();
        history.replaceState(null, '', `#/handoffs?tab=${key}`);
        reload();
      },
    }, t(`handoffs.tab.${key}`)));
  }
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('handoffs.title'))),
    h('section', { class: 'card', 'aria-labelledby': 'handoffs-list-title', 'data-card': 'handoffs' }, listTitle, tabs, status, problem, list, more));

  const departments = await lookups.optional(lookups.departments);
  const refs = { me, departments, customers: new Map(), signal };
  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };
  const shown = new Map(); // handoff id -> { element, set(handoff) }
  let cursor = null;
  let generation = 0;

  /** True when the handoff belongs in the tab shown. */
  const belongs = (handoff) => !me?.department_id
    || (tab === 'in' ? handoff.to_department_id === me.department_id : handoff.from_department_id === me.department_id);

  const add = (handoff, prepend = false) => {
    if (!handoff?.id || shown.has(handoff.id)) return;
    const item = handoffItem(handoff, refs, tab);
    shown.set(handoff.id, item);
    if (prepend) list.prepend(item.element); else list.append(item.element);
  };
  const count = () => { status.textContent = shown.size ? t('handoffs.count', { count: shown.size }) : t(`handoffs.empty.${tab}`); };

  const load = async () => {
    const mine = ++generation;
    more.hidden = true;
    say(null);
    list.setAttribute('aria-busy', 'true');
    try {
      const page = await api.get('/v1/handoffs', { query: { direction: tab, limit: PAGE, cursor }, signal });
      if (mine !== generation) return;
      for (const handoff of page?.data ?? []) add(handoff);
      cursor = page?.next_cursor ?? null;
      more.hidden = !cursor;
      count();
    } catch (error) {
      if (isAbort(error) || error.status === 401 || mine !== generation) return;
      console.warn('handoffs', error);
      status.textContent = '';
      say(error.status === 403 ? t('app.forbidden') : t('app.error'));
    } finally {
      if (mine === generation) list.removeAttribute('aria-busy');
    }
  };
  const reload = () => {
    cursor = null;
    shown.clear();
    list.replaceChildren();
    return load();
  };
  more.addEventListener('click', load);

  // A notification's link: the tab the handoff is in (incoming when it is to my department).
  let target = null;
  if (wanted) {
    try {
      target = await api.get(`/v1/handoffs/${seg(wanted)}`, { signal });
      if (me?.department_id && target.from_department_id === me.department_id && target.to_department_id !== me.department_id) tab = 'out';
      else if (me?.department_id && target.to_department_id === me.department_id) tab = 'in';
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      console.warn('handoff', error);
    }
  }
  press();

  // Changes made elsewhere (colleagues, the deadline watcher): the handoff is read again.
  const onEvent = async (event) => {
    const id = event?.data?.handoff?.id;
    if (typeof id !== 'string') return;
    let handoff;
    try {
      handoff = await api.get(`/v1/handoffs/${seg(id)}`, { signal });
    } catch (error) {
      if (!isAbort(error) && error.status !== 404 && error.status !== 401) console.warn('handoff event', error);
      return;
    }
    if (shown.has(id)) shown.get(id).set(handoff);
    else if (belongs(handoff)) { add(handoff, true); count(); }
  };
  follow({ filter: EVENTS.map((type) => `type == ${JSON.stringify(type)}`).join(' || '), types: EVENTS, signal, onEvent })
    .catch((error) => console.warn('handoff events', error));

  await load();
  if (target && !shown.has(target.id) && belongs(target)) add(target, true);
  if (wanted && shown.has(wanted)) {
    const element = shown.get(wanted).element;
    element.classList.add('handoff-target');
    element.querySelector('.handoff-title')?.setAttribute('data-autofocus', '');
    element.scrollIntoView({ block: 'center' });
  }
}

function departmentName(id, refs) {
  return refs.departments?.get(id)?.name ?? id ?? '';
}

function customerLink(id, refs) {
  const link = h('a', { href: `#/customers/${encodeURIComponent(id)}`, 'data-action': 'open-customer' }, t('tasks.customer'));
  if (!refs.customers.has(id)) {
    refs.customers.set(id, api.get(`/v1/customers/${seg(id)}`, { signal: refs.signal }).then((c) => (typeof c?.name === 'string' ? c.name : null), () => null));
  }
  refs.customers.get(id).then((name) => { if (name) link.textContent = t('tasks.customerNamed', { name }); });
  return link;
}

/** One handoff; `tab` says which side's buttons it offers. */
function handoffItem(initial, refs, tab) {
  let handoff = initial;
  const element = h('li', { class: 'handoff' });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };
  const canWrite = refs.me?.role !== 'viewer';
  let busy = false;
  let asking = null; // 'decline' | 'complete' while its small form is open

  const step = async (name, body, button) => {
    if (busy) return;
    busy = true;
    say(null);
    if (button) button.disabled = true;
    try {
      handoff = await api.post(`/v1/handoffs/${seg(handoff.id)}/${name}`, body ?? {}, { headers: { 'If-Match': handoffETag(handoff) }, signal: refs.signal });
      asking = null;
      draw();
      element.querySelector('.handoff-title')?.focus();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      if (error.status === 412 || error.status === 409) {
        try { handoff = await api.get(`/v1/handoffs/${seg(handoff.id)}`, { signal: refs.signal }); asking = null; draw(); } catch { /* the message stands */ }
      }
      say(error.status === 412 ? t('handoffs.stale') : error.status === 409 ? t('handoffs.conflict', { status: t(`handoffs.status.${handoff.status}`) })
        : error.status === 403 ? t('handoffs.forbidden') : t('app.error'));
    } finally {
      busy = false;
      if (button?.isConnected) button.disabled = false;
    }
  };

  const button = (name, label, onclick, danger = false) => h('button', {
    type: 'button', class: `button button-small${danger ? ' button-danger' : ''}`, 'data-action': `handoff-${name}`, onclick,
  }, label);

  /** The reason (decline, required) or outcome (done, optional) asked for beside the buttons. */
  const ask = (name) => {
    const id = `${handoff.id}-${name}`;
    const area = h('textarea', { id, name: name === 'decline' ? 'reason' : 'outcome', rows: '2', maxlength: '4000', 'aria-describedby': `${id}-error` });
    const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
    const form = h('form', { class: 'handoff-ask', novalidate: true, 'data-form': `handoff-${name}` },
      h('div', { class: 'field' }, h('label', { for: id }, t(`handoffs.ask.${name}`)), area, error),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'button button-small button-primary', 'data-action': `handoff-${name}-confirm` }, name === 'decline' ? t('handoffs.decline') : t('handoffs.markDone')),
        button('ask-cancel', t('app.back'), () => { asking = null; draw(); element.querySelector(`[data-action="handoff-${name}"]`)?.focus(); })));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = area.value.trim();
      if (name === 'decline' && !text) {
        error.textContent = t('validation.required');
        error.hidden = false;
        area.setAttribute('aria-invalid', 'true');
        area.focus();
        return;
      }
      step(name, name === 'decline' ? { reason: text } : text ? { outcome: text } : {}, form.querySelector('[type=submit]'));
    });
    queueMicrotask(() => area.focus());
    return form;
  };

  const draw = () => {
    element.dataset.handoffId = handoff.id;
    element.dataset.status = handoff.status;
    element.dataset.unanswered = String(Boolean(handoff.unanswered));
    element.dataset.version = String(handoff.version);
    element.classList.toggle('handoff-breached', Boolean(handoff.sla_breached));
    const requested = handoff.status === 'requested';
    const actions = [];
    if (canWrite && tab === 'in' && requested) {
      actions.push(button('accept', t('handoffs.accept'), (event) => step('accept', {}, event.currentTarget)),
        button('decline', t('handoffs.decline'), () => { asking = 'decline'; draw(); }, true));
    }
    if (canWrite && tab === 'in' && handoff.status === 'accepted') actions.push(button('complete', t('handoffs.complete'), () => { asking = 'complete'; draw(); }));
    if (canWrite && tab === 'out' && (requested || handoff.status === 'accepted')) {
      actions.push(button('cancel', t('handoffs.cancel'), (event) => step('cancel', {}, event.currentTarget), true));
    }
    const kind = `handoffs.kind.${handoff.kind}`;
    replace(element,
      h('div', { class: 'handoff-head' },
        h('h3', { class: 'handoff-title', tabindex: '-1', 'data-field': 'kind' }, t(kind)),
        h('span', { class: `badge badge-handoff-${handoff.status}`, 'data-field': 'status' }, t(`handoffs.status.${handoff.status}`)),
        handoff.unanswered ? h('span', { class: 'badge badge-pending', 'data-field': 'unanswered' }, t('handoffs.unanswered')) : null,
        handoff.escalated_at ? h('span', { class: 'badge badge-breached', 'data-field': 'escalated' }, t('handoffs.escalated'))
          : handoff.sla_breached ? h('span', { class: 'badge badge-breached', 'data-field': 'breached' }, t('handoffs.breached')) : null),
      h('p', { class: 'handoff-meta' },
        h('span', { 'data-field': 'route' }, t('handoffs.route', { from: departmentName(handoff.from_department_id, refs), to: departmentName(handoff.to_department_id, refs) })),
        handoff.customer_id ? customerLink(handoff.customer_id, refs) : null,
        requested ? h('span', { class: `handoff-due${handoff.sla_breached ? ' overdue' : ''}`, 'data-field': 'due' }, t('handoffs.dueAt'), ' ', timeElement(handoff.answer_due_at)) : null),
      h('p', { class: 'handoff-reason', 'data-field': 'reason' }, handoff.reason ?? ''),
      handoff.decline_reason ? h('p', { class: 'handoff-answer', 'data-field': 'decline-reason' }, t('handoffs.declinedBecause', { reason: handoff.decline_reason })) : null,
      handoff.outcome ? h('p', { class: 'handoff-answer', 'data-field': 'outcome' }, t('handoffs.outcome', { outcome: handoff.outcome })) : null,
      asking ? ask(asking) : actions.length ? h('div', { class: 'task-actions' }, actions) : null,
      problem);
  };
  draw();
  return {
    element,
    set: (next) => {
      if (busy || !next || next.version < handoff.version) return;
      handoff = next;
      if (asking && next.status !== (asking === 'decline' ? 'requested' : 'accepted')) asking = null;
      if (!asking) draw(); // an open reason form is not taken away from under the typing
    },
  };
}
