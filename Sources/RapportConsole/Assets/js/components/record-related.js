// The records that refer to a record, on its page (record-detail.js loads this module after the page
// is drawn): for every record type with a reference field whose target is `record:<this type>` (GET
// /v1/record-types), a card listing that type's records whose field names this record (GET
// /v1/records/{type}?filter=fields.<key> == "<id>", oldest first) — a deal's lines, quotes, orders and
// invoices, an invoice's lines and payments — as a table of the fields that hold values (money with its
// currency), the stage when the type has a pipeline, and "Show all" (the type's page with the filter)
// when there are more. The page hands it its record events (`onEvent`): a record of such a type that
// names this one, or one shown, reads its card again; a changed type draws the cards again.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t } from '../i18n.js';
import { display, eventRecord, isEmpty, liveFields, plain } from './record-values.js';

const LIMIT = 50;
const COLUMNS = 6;
const REFERENCE_KINDS = new Set(['reference', 'reference_list']);

/** Every (type, field) whose field refers to records of `typeKey`, in the types' order. */
export function referringFields(types, typeKey) {
  const target = `record:${typeKey}`;
  const links = [];
  for (const type of types) {
    const fields = liveFields(type).filter((f) => REFERENCE_KINDS.has(f.kind) && f.target === target);
    for (const field of fields) links.push({ type, field, several: fields.length > 1 });
  }
  return links;
}

/** The CEL condition of the records whose `field` names `id`. */
export function referringFilter(field, id) {
  const value = JSON.stringify(String(id));
  return field.kind === 'reference_list' ? `${value} in fields.${field.key}` : `fields.${field.key} == ${value}`;
}

function names(value, id) {
  return Array.isArray(value) ? value.includes(id) : value === id;
}

function stageLabel(type, key) {
  const stage = (type.stages ?? []).find((s) => s?.key === key);
  return stage?.label || key || '';
}

/**
 * The cards of the records referring to `record` (of `type`). Returns { element, onEvent(event) }:
 * `element` stays empty when no type refers to this one.
 */
export function relatedRecords({ type, record, refs, signal }) {
  const element = h('div', { class: 'record-related', 'data-slot': 'related' });
  let cards = new Map(); // "type.field" -> card
  let timer = null;
  const due = new Set();
  let retype = false;
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });

  const card = (link) => {
    const { type: other, field, several } = link;
    const titleId = uid('related');
    const plural = other.plural_label || other.label || other.key;
    const filter = referringFilter(field, record.id);
    const status = h('p', { class: 'muted small', role: 'status', 'data-field': 'related-status' });
    const slot = h('div', { 'data-slot': 'related-table' });
    const all = h('p', { hidden: true }, h('a', {
      href: `#/records/${encodeURIComponent(other.key)}?${new URLSearchParams({ filter })}`, 'data-action': 'show-all-related',
    }, t('records.related.showAll', { plural })));
    const section = h('section', { class: 'card', 'aria-labelledby': titleId, 'data-card': 'related', 'data-type': other.key, 'data-via': field.key },
      h('h2', { id: titleId }, several ? t('records.related.via', { plural, field: field.label || field.key }) : plural), status, slot, all);
    let shown = [];
    let generation = 0;

    const draw = (records) => {
      const focused = slot.contains(document.activeElement) ? document.activeElement.closest('tr')?.dataset.id : null;
      if (!records.length) {
        replace(slot, h('p', { class: 'empty' }, t('records.none', { plural })));
        return;
      }
      // The fields that hold a value in one of the records, but the one naming this record.
      let columns = liveFields(other).filter((f) => f.key !== field.key && records.some((r) => !isEmpty(r.fields?.[f.key]))).slice(0, COLUMNS);
      if (!columns.length) columns = [null];
      const staged = Array.isArray(other.stages) && other.stages.length > 0;
      replace(slot, h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': titleId },
        h('table', { class: 'table related-table', 'data-type': other.key },
          h('caption', { class: 'visually-hidden' }, section.querySelector('h2').textContent),
          h('thead', null, h('tr', null,
            columns.map((f) => h('th', { scope: 'col', 'data-column': f?.key ?? 'id', 'data-kind': f?.kind ?? 'text' }, f ? f.label || f.key : t('records.id'))),
            staged ? h('th', { scope: 'col', 'data-column': 'stage' }, t('records.related.stage')) : null)),
          h('tbody', null, records.map((r) => h('tr', { 'data-id': r.id },
            columns.map((f, i) => {
              const value = f ? r.fields?.[f.key] : null;
              if (i === 0) {
                return h('th', { scope: 'row', 'data-field': f?.key ?? 'id' }, h('a', {
                  href: `#/records/${encodeURIComponent(other.key)}/${encodeURIComponent(r.id)}`, 'data-action': 'open-related',
                }, (f && plain(f, value)) || r.id));
              }
              return h('td', { 'data-field': f.key, 'data-kind': f.kind }, display(f, value, refs));
            }),
            staged ? h('td', { 'data-field': 'stage', 'data-stage': r.stage ?? '' }, stageLabel(other, r.stage)) : null))))));
      if (focused) slot.querySelector(`tr[data-id="${CSS.escape(focused)}"] a`)?.focus();
    };

    const load = async () => {
      const mine = ++generation;
      slot.setAttribute('aria-busy', 'true');
      try {
        const page = await api.get(`/v1/records/${seg(other.key)}`, { query: { filter, sort: 'created_at', limit: LIMIT }, signal });
        if (mine !== generation) return;
        shown = (page?.data ?? []).filter((r) => typeof r?.id === 'string');
        draw(shown);
        status.textContent = shown.length ? t('records.count', { count: shown.length }) : '';
        all.hidden = !page?.next_cursor;
      } catch (error) {
        if (isAbort(error) || error.status === 401 || mine !== generation) return;
        console.warn('related records', error);
        replace(slot, h('p', { class: 'notice notice-error' }, error.status === 403 ? t('records.forbidden') : t('records.related.failed')));
      } finally {
        if (mine === generation) slot.removeAttribute('aria-busy');
      }
    };
    return { element: section, load, link, concerns: (item) => names(item.fields?.[field.key], record.id) || shown.some((r) => r.id === item.id) };
  };

  const build = async () => {
    let types;
    try {
      const body = await api.get('/v1/record-types', { signal });
      types = (body?.data ?? []).filter((candidate) => typeof candidate?.key === 'string');
    } catch (error) {
      if (!isAbort(error) && error.status !== 401) console.warn('related record types', error);
      return;
    }
    if (signal.aborted) return;
    const next = new Map();
    for (const link of referringFields(types, type.key)) {
      const made = card(link);
      next.set(`${link.type.key}.${link.field.key}`, made);
    }
    cards = next;
    replace(element, [...cards.values()].map((c) => c.element));
    await Promise.all([...cards.values()].map((c) => c.load()));
  };

  // Several events in a moment read each card once.
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (retype) { retype = false; due.clear(); build(); return; }
      for (const c of due) c.load();
      due.clear();
    }, 250);
  };

  build();
  return {
    element,
    onEvent(event) {
      const item = eventRecord(event);
      if (event.type?.startsWith('rapport.record_type.')) {
        retype = true;
        schedule();
        return;
      }
      if (typeof item?.type !== 'string' || typeof item?.id !== 'string') return;
      let any = false;
      for (const c of cards.values()) {
        if (c.link.type.key === item.type && c.concerns(item)) { due.add(c); any = true; }
      }
      if (any) schedule();
    },
  };
}
