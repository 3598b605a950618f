// One event of the log: type, subject, time and sequence, and its data as indented JSON behind a
// disclosure. Everything goes in as text.

import { h } from '../dom.js';
import { t, timeElement } from '../i18n.js';

export function eventItem(event) {
  const sequence = String(event.sequence ?? '').replace(/^0+(?=\d)/, '');
  return h('li', { class: 'event-item', 'data-sequence': sequence, 'data-type': event.type ?? '' },
    h('div', { class: 'event-head' },
      h('span', { class: 'event-type' }, event.type ?? ''),
      event.subject ? h('span', { class: 'mono small' }, event.subject) : null,
      h('span', { class: 'muted small' }, event.time ? timeElement(event.time, { dateStyle: 'medium', timeStyle: 'medium' }) : ''),
      h('span', { class: 'muted small' }, t('events.sequence', { sequence }))),
    h('details', null,
      h('summary', null, t('events.data')),
      h('pre', { class: 'pre' }, JSON.stringify(event.data ?? null, null, 2))));
}
