// Business records' values as people read them, for the Records pages (views/records.js,
// record-detail.js, record-form.js): per field kind a node or a text — money as its amount and
// currency, choices by their labels, dates in the locale, customer references as links to the
// Customer 360 named after the customer (GET /v1/customers/{id}, once per page), users and
// departments by name (lookups.js), records as links. What a record holds is always text. And the
// pieces the pages share: the live badge, the page of a type or record that is not there.

import { api, seg } from '../api.js';
import { h } from '../dom.js';
import { formatDateTime, formatNumber, t, timeElement } from '../i18n.js';
import * as lookups from '../lookups.js';

/** Roles with `records:write` and `records:define` (the server checks each request too). */
export const WRITERS = ['admin', 'manager', 'agent'];
export const DEFINERS = ['admin', 'manager'];

/** Kinds whose value is a list: not sortable. */
export const LIST_KINDS = new Set(['multi_choice', 'reference_list']);

/** The entity tags of a record's and a type's versions, as the server writes them. */
export function recordETag(record) {
  return `"${record.id}-v${record.version}"`;
}

export function typeETag(type) {
  return `"rt_${type.key}-v${type.version}"`;
}

/** The fields that take values (not retired), in their order. */
export function liveFields(type) {
  return (type?.fields ?? []).filter((f) => f && !f.retired);
}

export function isEmpty(value) {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** The record types' events and the records' (js/event-types.js lists them for the event log). */
export const RECORD_EVENTS = ['rapport.record.created', 'rapport.record.updated', 'rapport.record.deleted',
  'rapport.record_type.created', 'rapport.record_type.updated'];

/** The record or type an event carries: `data` itself, or `data.record` / `data.record_type`. */
export function eventRecord(event) {
  const data = event?.data;
  return data?.record ?? data?.record_type ?? data ?? null;
}

/** What the references of one page are named by: users and departments (lookups), customers
 * asked for once each. */
export async function references(signal) {
  const [users, departments] = await Promise.all([lookups.optional(lookups.users), lookups.optional(lookups.departments)]);
  const customers = new Map();
  return {
    users,
    departments,
    customerName(id) {
      if (!customers.has(id)) {
        customers.set(id, api.get(`/v1/customers/${seg(id)}`, { signal })
          .then((c) => (typeof c?.name === 'string' && c.name.trim() ? c.name : null), () => null));
      }
      return customers.get(id);
    },
  };
}

/** A money value `{amount: "1250.00", currency: "EUR"}` as "1,250.00 EUR" in the locale. */
export function formatMoney(value) {
  const amount = String(value?.amount ?? '');
  const digits = Math.min((amount.split('.')[1] ?? '').length, 20);
  const n = Number(amount);
  const shown = amount && Number.isFinite(n) ? formatNumber(n, { minimumFractionDigits: digits, maximumFractionDigits: digits }) : amount;
  return `${shown} ${value?.currency ?? ''}`.trim();
}

function formatDay(value) {
  return formatDateTime(`${value}T00:00:00Z`, { dateStyle: 'medium', timeZone: 'UTC' });
}

function choiceLabel(field, key) {
  return (field.choices ?? []).find((c) => c.key === key)?.label ?? String(key);
}

/** A value as one line of text (a table's first column, a page's title). */
export function plain(field, value) {
  if (isEmpty(value)) return '';
  switch (field?.kind) {
    case 'number': return typeof value === 'number' ? formatNumber(value, { maximumFractionDigits: 20 }) : String(value);
    case 'percent': return formatNumber(Number(value) / 100, { style: 'percent', maximumFractionDigits: 6 });
    case 'money': return formatMoney(value);
    case 'date': return formatDay(value);
    case 'datetime': return formatDateTime(value);
    case 'boolean': return value ? t('records.yes') : t('records.no');
    case 'choice': return choiceLabel(field, value);
    case 'multi_choice': return (Array.isArray(value) ? value : [value]).map((k) => choiceLabel(field, k)).join(', ');
    case 'reference_list': return (Array.isArray(value) ? value : [value]).join(', ');
    default: return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** A record's name: its first text field's value, else its first other short value that is not a
 * reference (a line's product, not the id of the deal it belongs to), else its id. */
export function recordTitle(type, record) {
  const fields = liveFields(type);
  for (const wanted of [(f) => f.kind === 'text', (f) => !UNTITLED_KINDS.has(f.kind)]) {
    for (const field of fields.filter(wanted)) {
      const text = plain(field, record?.fields?.[field.key]);
      if (text) return text;
    }
  }
  return record?.id ?? '';
}

const UNTITLED_KINDS = new Set(['reference', 'reference_list', 'long_text']);

/** A reference to a customer, user, department or record, as a link or a name. */
export function reference(target, id, refs) {
  const text = String(id);
  if (target === 'customer') {
    const link = h('a', { href: `#/customers/${encodeURIComponent(text)}`, 'data-ref': 'customer', 'data-id': text }, text);
    refs?.customerName(text).then((name) => { if (name) link.textContent = name; });
    return link;
  }
  if (target === 'user' && refs?.users?.get(text)?.name) return refs.users.get(text).name;
  if (target === 'department' && refs?.departments?.get(text)?.name) return refs.departments.get(text).name;
  if (typeof target === 'string' && target.startsWith('record:')) {
    return h('a', { href: `#/records/${encodeURIComponent(target.slice(7))}/${encodeURIComponent(text)}`, class: 'mono', 'data-ref': 'record' }, text);
  }
  return h('span', { class: 'mono' }, text);
}

/** A value as a node: links for references, emails and web addresses; `—` (muted) for none. */
export function display(field, value, refs) {
  if (isEmpty(value)) return h('span', { class: 'muted' }, t('records.noValue'));
  switch (field?.kind) {
    case 'long_text': return h('span', { class: 'record-long' }, String(value));
    case 'date': return h('time', { datetime: String(value) }, formatDay(value));
    case 'datetime': return timeElement(String(value));
    case 'email': return h('a', { href: `mailto:${value}` }, String(value));
    case 'url': return /^https?:\/\//i.test(String(value))
      ? h('a', { href: String(value), target: '_blank', rel: 'noopener noreferrer' }, String(value)) : String(value);
    case 'reference': return reference(field.target, value, refs);
    case 'reference_list': {
      const items = Array.isArray(value) ? value : [value];
      return h('span', { class: 'record-refs' }, items.flatMap((id, i) => [i ? ', ' : null, reference(field.target, id, refs)]));
    }
    default: return plain(field, value);
  }
}

/** The live badge of a page: connecting, live, closed. */
export function liveBadge() {
  const badge = h('span', { class: 'badge live-status', role: 'status', 'data-state': 'connecting' }, t('inbox.connecting'));
  return {
    element: badge,
    set: (state) => { badge.dataset.state = state; badge.textContent = t(`inbox.live.${state}`); },
  };
}

/** A page for a type or record that is not there (`back`: a link to where to go instead). */
export function notFound(container, setTitle, message = t('records.noSuchType'), back = null) {
  setTitle(t('notFound.title'));
  container.append(h('h1', { tabindex: '-1' }, t('notFound.title')), h('p', null, message),
    h('p', null, back ?? h('a', { href: '#/records' }, t('records.backToTypes'))));
}
