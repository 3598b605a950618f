// One step of a handoff (requested, accepted, declined, done, cancelled, escalated) as the
// department's day (views/department.js) and the customer's timeline (activity.js, which loads this
// module when a page of it has a step) show it: the kind, "Service → Sales", the step in words
// ("Escalated" with "SLA breached" marked), who took it, the customer, the reason / decline reason /
// outcome as text, and the time. Its messages are a part (i18n/handoff-steps/): `prepare()` first.

import { api, seg } from '../api.js';
import { h } from '../dom.js';
import { has, loadMessages, t, timeElement } from '../i18n.js';
import * as lookups from '../lookups.js';

const LABELS = new Set(['requested', 'declined', 'done']);

/** Loads the messages and the names steps are drawn with; resolves to the `refs` of `stepItem`. */
export async function prepare(signal) {
  const [, users, departments] = await Promise.all([
    loadMessages('handoff-steps'), lookups.optional(lookups.users), lookups.optional(lookups.departments)]);
  return { users, departments, customers: new Map(), signal };
}

/** Who took the step, in words. */
export function actorName(actor, refs) {
  if (actor?.type === 'user') return refs.users?.get(actor.id)?.name ?? actor.id ?? '';
  if (actor?.type === 'api_key') return t('notes.author.apiKey');
  return t('notes.author.system');
}

function departmentName(id, refs) {
  return refs.departments?.get(id)?.name ?? id ?? '';
}

/** A link to the customer, named once their record is read (one read per customer and page). */
export function customerLink(id, refs) {
  const link = h('a', { href: `#/customers/${encodeURIComponent(id)}`, 'data-action': 'open-customer' }, t('tasks.customer'));
  if (!refs.customers.has(id)) {
    refs.customers.set(id, api.get(`/v1/customers/${seg(id)}`, { signal: refs.signal }).then((c) => (typeof c?.name === 'string' ? c.name : null), () => null));
  }
  refs.customers.get(id).then((name) => { if (name) link.textContent = t('tasks.customerNamed', { name }); });
  return link;
}

/** The step's element: `timeline` draws it as an internal entry of the customer's timeline (like a
 * note), else as an entry of the department's day with its `direction` ('in' | 'out') and the
 * customer's link. */
export function stepItem(step, refs, { direction = null, timeline = false } = {}) {
  const handoff = step.handoff ?? {};
  const route = t('handoffs.route', { from: departmentName(handoff.from_department_id, refs), to: departmentName(handoff.to_department_id, refs) });
  const kind = has(`handoffs.kind.${handoff.kind}`) ? t(`handoffs.kind.${handoff.kind}`) : handoff.kind ?? '';
  const breached = step.sla_breach ? h('span', { class: 'badge badge-breached', 'data-field': 'breached' }, t('handoffs.breached')) : null;
  const detail = step.detail ? h('p', { class: 'handoff-reason' },
    h('span', { class: 'muted' }, t(`steps.detail.${LABELS.has(step.step) ? step.step : 'other'}`)), ' ',
    h('span', { 'data-field': 'detail' }, step.detail)) : null;
  const who = h('span', { 'data-field': 'actor' }, t('steps.by', { name: actorName(step.actor, refs) }));
  const dataset = { stepId: step.id ?? '', step: step.step ?? '', handoffId: handoff.id ?? '', breach: String(Boolean(step.sla_breach)) };
  if (timeline) {
    const words = has(`steps.step.${step.step}`) ? t(`steps.step.${step.step}`) : step.step ?? '';
    return h('li', { class: 'timeline-item note handoff-step', dataset },
      h('div', { class: 'item-head note-head' },
        h('span', { class: 'badge badge-note', 'data-field': 'internal' }, t('steps.internal')),
        h('strong', { 'data-field': 'summary' }, t('steps.summary', { route, step: words })),
        breached,
        h('span', { class: 'badge', 'data-field': 'kind' }, kind),
        who, timeElement(step.at)),
      detail);
  }
  const state = step.step === 'escalated' ? t('handoffs.escalated') : has(`handoffs.status.${step.step}`) ? t(`handoffs.status.${step.step}`) : step.step ?? '';
  return h('li', { class: `handoff${step.sla_breach ? ' handoff-breached' : ''}`, dataset: { ...dataset, direction: direction ?? '' } },
    h('div', { class: 'handoff-head' },
      h('h3', { class: 'handoff-title', 'data-field': 'kind' }, kind),
      h('span', { class: 'badge', 'data-field': 'direction' }, t(`handoffs.tab.${direction === 'out' ? 'out' : 'in'}`)),
      h('span', { class: `badge badge-handoff-${step.step}`, 'data-field': 'step' }, state),
      breached),
    h('p', { class: 'handoff-meta' },
      h('span', { 'data-field': 'route' }, route),
      who,
      handoff.customer_id ? customerLink(handoff.customer_id, refs) : null,
      timeElement(step.at)),
    detail);
}
