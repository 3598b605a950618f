// A business record on the Customer 360's timeline (activity.js loads this module when a page of it
// has one): the type's label (GET /v1/record-types, once per page), the record's first text field
// (else its first choice's label) as a link to #/records/{type}/{id}, its money, its stage with won or lost, its first choice field
// that holds a value by their labels (a campaign result's outcome, where a cart was started), and
// the time. Small on purpose (the Customer 360 is the heaviest first screen): it draws without the
// Records' modules, with messages of its own (i18n/record-entry/): `prepare()` first.

import { api } from '../api.js';
import { h } from '../dom.js';
import { formatNumber, loadMessages, t, timeElement } from '../i18n.js';

/** Loads the messages and the types; resolves to the `refs` of `recordItem`. */
export async function prepare(signal) {
  const [, types] = await Promise.all([loadMessages('record-entry'),
    api.get('/v1/record-types', { signal }).then((body) => body?.data ?? [], () => [])]);
  return { types: new Map(types.filter((type) => typeof type?.key === 'string').map((type) => [type.key, type])) };
}

const live = (type) => (type.fields ?? []).filter((f) => f && !f.retired);

/** "1,250.00 EUR" in the locale (as record-values.js formatMoney). */
function money(value) {
  const amount = String(value?.amount ?? '');
  const digits = Math.min((amount.split('.')[1] ?? '').length, 20);
  const n = Number(amount);
  return `${amount && Number.isFinite(n) ? formatNumber(n, { minimumFractionDigits: digits, maximumFractionDigits: digits }) : amount} ${value?.currency ?? ''}`.trim();
}

/** The timeline line of `record` (an activity entry's), at `at`. */
export function recordItem(record, refs, at) {
  const type = refs.types.get(record.type) ?? { key: record.type, label: record.type };
  const fields = record.fields ?? {};
  const text = live(type).find((f) => f.kind === 'text' && typeof fields[f.key] === 'string' && fields[f.key]);
  const amount = live(type).find((f) => f.kind === 'money');
  const value = amount ? fields[amount.key] : null;
  const stage = (type.stages ?? []).find((s) => s?.key === record.stage) ?? null;
  const choice = live(type).find((f) => f.kind === 'choice' && typeof fields[f.key] === 'string' && fields[f.key]);
  const chosen = choice ? (choice.choices ?? []).find((c) => c?.key === fields[choice.key]) : null;
  const outcome = stage?.outcome === 'won' || stage?.outcome === 'lost' ? stage.outcome : null;
  // Won or lost said once: no badge beside a stage whose label says it.
  const badge = outcome && String(stage.label ?? '').trim().toLocaleLowerCase() !== t(`recordEntry.${outcome}`).toLocaleLowerCase();
  return h('li', { class: 'timeline-item record-entry', dataset: { recordId: record.id, recordType: record.type, stage: record.stage ?? '', outcome: outcome ?? 'open' } },
    h('div', { class: 'item-head' },
      h('span', { class: 'badge badge-record', 'data-field': 'type' }, type.label || type.key),
      record.stage ? h('span', { 'data-field': 'stage' }, t('recordEntry.stage', { stage: stage?.label || record.stage })) : null,
      badge ? h('span', { class: `badge badge-outcome-${outcome}`, 'data-field': 'outcome' }, t(`recordEntry.${outcome}`)) : null,
      choice ? h('span', { 'data-field': 'choice', 'data-key': choice.key, 'data-value': fields[choice.key] },
        t('recordEntry.choice', { field: choice.label || choice.key, value: chosen?.label || fields[choice.key] })) : null,
      timeElement(at ?? record.created_at)),
    h('p', { class: 'item-subject' },
      h('a', { href: `#/records/${encodeURIComponent(record.type)}/${encodeURIComponent(record.id)}`, 'data-action': 'open-record', 'data-field': 'title' },
        text ? fields[text.key] : chosen?.label || record.id),
      value?.amount ? h('span', { class: 'muted', 'data-field': 'money' }, ` · ${money(value)}`) : null));
}
