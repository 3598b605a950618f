// Scheduling a meeting with a customer from the Customer 360 (POST /v1/meetings) and moving one
// (PATCH /v1/meetings/{id}). The time is typed as a date and a time on the clocks of a zone (the
// browser's unless changed) and sent as instants with that zone; the repetition (none, daily,
// weekly on the start's weekday, monthly on its day) becomes an RRULE with a COUNT. Invitations go
// by email from the chosen email channel to the customer, the chosen colleagues and the other
// addresses typed. The server's complaints are shown beside the fields they name; without a mail
// relay it sends no invitation and says so (409). An Idempotency-Key, kept until the form
// changes, makes a retried scheduling safe.

import { api, seg } from '../api.js';
import { h, uid } from '../dom.js';
import { has, t } from '../i18n.js';
import { field, formMessage } from './form.js';
import {
  WEEKDAY_CODES, browserZone, dateAndTime, knownZone, monthDayOf, rfc3339, weekdayName, weekdayOf, zonedInstant, zoneNames,
} from './meeting-time.js';

const MAX_MINUTES = 24 * 60;
const MAX_ADDRESSES = 100;
const MAX_COLLEAGUES = 50;
const MAX_REPEATS = 365;
const DEFAULT_MINUTES = 30;
const DEFAULT_REPEATS = 4;

/** Email channels that can send invitations: those with an address. */
export function invitationChannels(channels) {
  return [...(channels?.values() ?? [])].filter((c) => c.kind === 'email' && typeof c.settings?.address === 'string' && c.settings.address);
}

/**
 * The schedule form. `customer()` gives the customer as last loaded (name, identities);
 * `channels`: invitationChannels(); `users`: id -> user; `onScheduled(meeting)` after a success,
 * `onClose()` when the form is put away. Returns { element, focus() }.
 */
export function scheduleForm({ customer, channels, users, onScheduled, onClose }) {
  const titleId = uid('meeting-form-title');
  const zone = browserZone();
  const tomorrow = dateAndTime(Date.now() + 24 * 3600_000, knownZone(zone) ? zone : 'UTC').date;

  const summary = field({ label: t('meetings.form.summary'), name: 'summary', required: true, attrs: { maxlength: '500' } });
  const when = timeFields({ date: tomorrow, time: '10:00', minutes: DEFAULT_MINUTES });
  const zoneField = zoneInput(zone);
  const location = field({ label: t('meetings.form.location'), name: 'location', hint: t('meetings.form.locationHint'), attrs: { maxlength: '500' } });
  const description = field({ label: t('meetings.form.description'), name: 'description', as: 'textarea', attrs: { rows: 3, maxlength: '20000' } });
  const channel = field({
    label: t('meetings.form.channel'), name: 'channel_id', as: 'select', value: channels[0]?.id,
    hint: t('meetings.form.channelHint'),
    options: channels.map((c) => ({ value: c.id, label: `${c.name} <${c.settings.address}>` })),
  });
  const customerAddress = firstEmail(customer());
  const includeCustomer = field({
    label: customerAddress ? t('meetings.form.inviteCustomer', { name: customer().name, address: customerAddress }) : t('meetings.form.inviteCustomerNone'),
    name: 'include_customer', type: 'checkbox',
    attrs: { checked: Boolean(customerAddress), disabled: !customerAddress },
  });
  includeCustomer.element.classList.add('field-check');
  const people = [...(users?.values() ?? [])].filter((u) => u.active !== false).sort((a, b) => String(a.name).localeCompare(String(b.name)));
  const colleagues = field({
    label: t('meetings.form.colleagues'), name: 'user_ids', as: 'select', hint: t('meetings.form.colleaguesHint'),
    options: people.map((u) => ({ value: u.id, label: `${u.name} <${u.email}>` })),
    attrs: { multiple: true, size: String(Math.min(6, Math.max(2, people.length))) },
  });
  const others = field({
    label: t('meetings.form.others'), name: 'attendees', hint: t('meetings.form.othersHint'), autocomplete: 'off',
    attrs: { inputmode: 'email', spellcheck: 'false' },
  });
  const repeat = field({
    label: t('meetings.form.repeat'), name: 'recurrence', as: 'select', value: 'none',
    options: ['none', 'daily', 'weekly', 'monthly'].map((value) => ({ value, label: t(`meetings.form.repeat.${value}`) })),
  });
  const count = field({
    label: t('meetings.form.count'), name: 'count', type: 'number', value: String(DEFAULT_REPEATS), hint: t('meetings.form.countHint', { max: MAX_REPEATS }),
    attrs: { min: '2', max: String(MAX_REPEATS), step: '1', inputmode: 'numeric' },
  });
  count.element.hidden = true;
  // The weekly and monthly choices name the start's weekday and day.
  const labelRepeats = () => {
    const weekday = weekdayOf(when.date.input.value);
    const day = monthDayOf(when.date.input.value);
    for (const option of repeat.input.options) {
      if (option.value === 'weekly') option.textContent = weekday === null ? t('meetings.form.repeat.weekly') : t('meetings.form.repeat.weeklyOn', { day: weekdayName(weekday) });
      if (option.value === 'monthly') option.textContent = day === null ? t('meetings.form.repeat.monthly') : t('meetings.form.repeat.monthlyOn', { day });
    }
  };
  labelRepeats();
  when.date.input.addEventListener('change', labelRepeats);
  when.date.input.addEventListener('input', labelRepeats);
  repeat.input.addEventListener('change', () => { count.element.hidden = repeat.input.value === 'none'; });

  const fields = [summary, when.date, when.time, when.minutes, zoneField, location, description, channel, includeCustomer, colleagues, others, repeat, count];
  const message = formMessage();
  const save = h('button', { type: 'submit', class: 'button button-primary' }, t('meetings.form.submit'));
  const close = h('button', { type: 'button', class: 'button', 'data-action': 'close-meeting-form' }, t('meetings.form.close'));
  close.addEventListener('click', () => onClose?.());
  const form = h('form', { class: 'form meeting-form', novalidate: true, 'aria-labelledby': titleId, 'data-form': 'schedule-meeting' },
    h('h3', { id: titleId }, t('meetings.form.title')), message.element,
    summary.element,
    h('div', { class: 'field-row' }, when.date.element, when.time.element, when.minutes.element),
    zoneField.element, location.element, description.element, channel.element,
    h('fieldset', { class: 'meeting-people' }, h('legend', null, t('meetings.form.people')),
      includeCustomer.element, people.length ? colleagues.element : null, others.element),
    h('div', { class: 'field-row' }, repeat.element, count.element),
    h('div', { class: 'form-actions' }, save, close));
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { event.preventDefault(); onClose?.(); }
  });

  let key = null;
  for (const f of fields) {
    f.input.addEventListener('input', () => { key = null; });
    f.input.addEventListener('change', () => { key = null; });
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    for (const f of fields) f.setError(null);
    const title = summary.input.value.trim();
    summary.setError(title ? null : t('validation.required'));
    const timing = when.read(zoneField);
    const addresses = splitAddresses(others.input.value);
    const bad = addresses.find((entry) => !looksLikeAddress(entry));
    others.setError(bad !== undefined ? t('meetings.form.addressInvalid', { address: bad })
      : addresses.length > MAX_ADDRESSES ? t('meetings.form.tooManyAddresses', { max: MAX_ADDRESSES }) : null);
    const chosen = [...colleagues.input.selectedOptions].map((o) => o.value);
    colleagues.setError(chosen.length > MAX_COLLEAGUES ? t('meetings.form.tooManyColleagues', { max: MAX_COLLEAGUES }) : null);
    const repeats = repeat.input.value === 'none' ? null : Number(count.input.value);
    count.setError(repeats === null || (Number.isInteger(repeats) && repeats >= 2 && repeats <= MAX_REPEATS) ? null : t('meetings.form.countInvalid', { max: MAX_REPEATS }));
    if (!includeCustomer.input.checked && !chosen.length && !addresses.length) others.setError(t('meetings.form.nobody'));
    const invalid = fields.find((f) => f.input.getAttribute('aria-invalid') === 'true');
    if (invalid || !timing) { invalid?.input.focus(); return; }

    const payload = {
      customer_id: customer().id,
      channel_id: channel.input.value,
      summary: title,
      start: rfc3339(timing.start),
      end: rfc3339(timing.end),
      time_zone: timing.zone,
      include_customer: includeCustomer.input.checked,
    };
    const place = location.input.value.trim();
    if (place) payload.location = place;
    const about = description.input.value.trim();
    if (about) payload.description = about;
    if (chosen.length) payload.user_ids = chosen;
    if (addresses.length) payload.attendees = addresses.map((email) => ({ email }));
    if (repeats !== null) payload.recurrence = recurrenceRule(repeat.input.value, repeats, when.date.input.value);
    key ??= crypto.randomUUID();
    save.disabled = true;
    message.show(t('meetings.form.sending'), 'info');
    try {
      const meeting = await api.post('/v1/meetings', payload, { headers: { 'Idempotency-Key': key } });
      key = null;
      summary.input.value = '';
      location.input.value = '';
      description.input.value = '';
      others.input.value = '';
      for (const option of colleagues.input.options) option.selected = false;
      repeat.input.value = 'none';
      count.element.hidden = true;
      message.show(null);
      onScheduled?.(meeting);
    } catch (error) {
      if (error.status === 401) return;
      message.show(null);
      showProblem(error, message, {
        summary, start: when.date, end: when.minutes, time_zone: zoneField, location, description, channel_id: channel,
        customer_id: includeCustomer, user_ids: colleagues, attendees: others, recurrence: repeat,
      }, addresses);
    } finally {
      save.disabled = false;
    }
  });
  return { element: form, focus: () => summary.input.focus() };
}

/**
 * Moving a meeting: its date, time, length and place (PATCH; the server raises SEQUENCE and asks
 * everyone again). `onSaved(meeting)` after a success, `onClose()` to put it away.
 */
export function rescheduleForm(meeting, { onSaved, onClose }) {
  const titleId = uid('reschedule-title');
  const zone = knownZone(meeting.time_zone) ? meeting.time_zone : 'UTC';
  const start = dateAndTime(Date.parse(meeting.start), zone);
  const minutes = Math.max(1, Math.round((Date.parse(meeting.end) - Date.parse(meeting.start)) / 60_000));
  const when = timeFields({ date: start.date, time: start.time, minutes });
  const location = field({ label: t('meetings.form.location'), name: 'location', value: meeting.location ?? '', attrs: { maxlength: '500' } });
  const fields = [when.date, when.time, when.minutes, location];
  const message = formMessage();
  const save = h('button', { type: 'submit', class: 'button button-primary button-small' }, t('meetings.reschedule.submit'));
  const close = h('button', { type: 'button', class: 'button button-small' }, t('meetings.form.close'));
  close.addEventListener('click', () => onClose?.());
  const form = h('form', { class: 'form meeting-form reschedule-form', novalidate: true, 'aria-labelledby': titleId, 'data-form': 'reschedule-meeting' },
    h('h4', { id: titleId }, t('meetings.reschedule.title', { title: meeting.summary })),
    h('p', { class: 'field-hint' }, t('meetings.reschedule.hint'), ' ', t('meetings.form.inZone', { zone: zone.replace(/_/g, ' ') })),
    message.element,
    h('div', { class: 'field-row' }, when.date.element, when.time.element, when.minutes.element),
    location.element,
    h('div', { class: 'form-actions' }, save, close));
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { event.preventDefault(); onClose?.(); }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.show(null);
    for (const f of fields) f.setError(null);
    const timing = when.read({ input: { value: zone }, setError: () => {} });
    if (!timing) return;
    // Only what changed is sent: a time sent back as shown (to the second) could differ from the
    // stored one by a fraction of a second, and a new time asks everyone again.
    const changes = {};
    const second = (ms) => Math.floor(ms / 1000);
    if (second(timing.start.getTime()) !== second(Date.parse(meeting.start))) changes.start = rfc3339(timing.start);
    if (second(timing.end.getTime()) !== second(Date.parse(meeting.end))) changes.end = rfc3339(timing.end);
    const place = location.input.value.trim();
    if (place !== (meeting.location ?? '')) changes.location = place || null;
    if (!Object.keys(changes).length) { message.show(t('meetings.reschedule.unchanged'), 'info'); when.date.input.focus(); return; }
    save.disabled = true;
    try {
      const saved = await api.patch(`/v1/meetings/${seg(meeting.id)}`, changes);
      onSaved?.(saved);
    } catch (error) {
      if (error.status === 401) return;
      if (error.status === 409 && !String(error.problem?.type ?? '').endsWith('mail-relay-not-configured')) {
        message.show(t('meetings.reschedule.conflict'));
      } else {
        showProblem(error, message, { start: when.date, end: when.minutes, location }, []);
      }
    } finally {
      save.disabled = false;
    }
  });
  return { element: form, focus: () => when.date.input.focus() };
}

/** Date, time and length (minutes) fields; `read(zoneField)` checks them and gives {start, end, zone} or null. */
function timeFields({ date, time, minutes }) {
  const dateField = field({ label: t('meetings.form.date'), name: 'start_date', type: 'date', required: true, value: date });
  const timeField = field({ label: t('meetings.form.time'), name: 'start_time', type: 'time', required: true, value: time, attrs: { step: '60' } });
  const minutesField = field({
    label: t('meetings.form.minutes'), name: 'duration', type: 'number', required: true, value: String(minutes),
    attrs: { min: '1', max: String(MAX_MINUTES), step: '1', inputmode: 'numeric' },
  });
  const read = (zoneField) => {
    const zone = zoneField.input.value.trim();
    const zoneOk = knownZone(zone);
    zoneField.setError(zoneOk ? null : t('meetings.form.zoneInvalid'));
    const length = Number(minutesField.input.value);
    const lengthOk = minutesField.input.value.trim() !== '' && Number.isInteger(length) && length >= 1 && length <= MAX_MINUTES;
    minutesField.setError(lengthOk ? null : t('meetings.form.minutesInvalid', { max: MAX_MINUTES }));
    dateField.setError(dateField.input.value ? null : t('meetings.form.dateInvalid'));
    timeField.setError(timeField.input.value ? null : t('meetings.form.timeInvalid'));
    const start = zoneOk && dateField.input.value && timeField.input.value ? zonedInstant(dateField.input.value, timeField.input.value, zone) : null;
    if (zoneOk && dateField.input.value && timeField.input.value && !start) dateField.setError(t('meetings.form.dateInvalid'));
    const first = [dateField, timeField, minutesField, zoneField].find((f) => f.input.getAttribute?.('aria-invalid') === 'true');
    if (first || !start || !lengthOk) { first?.input.focus(); return null; }
    return { start, end: new Date(start.getTime() + length * 60_000), zone };
  };
  return { date: dateField, time: timeField, minutes: minutesField, read };
}

/** A zone typed with suggestions (every zone the browser knows). */
function zoneInput(value) {
  const listId = uid('zones');
  const zone = field({
    label: t('meetings.form.zone'), name: 'time_zone', value, hint: t('meetings.form.zoneHint'), autocomplete: 'off',
    attrs: { list: listId, spellcheck: 'false', maxlength: '64' },
  });
  zone.input.after(h('datalist', { id: listId }, zoneNames().map((name) => h('option', { value: name }))));
  return zone;
}

/** FREQ=…;COUNT=n for the choice, weekly on the start's weekday. */
function recurrenceRule(choice, repeats, date) {
  if (choice === 'daily') return `FREQ=DAILY;COUNT=${repeats}`;
  if (choice === 'weekly') {
    const weekday = weekdayOf(date);
    return weekday === null ? `FREQ=WEEKLY;COUNT=${repeats}` : `FREQ=WEEKLY;BYDAY=${WEEKDAY_CODES[weekday]};COUNT=${repeats}`;
  }
  return `FREQ=MONTHLY;COUNT=${repeats}`;
}

/** Puts a refused request's problems beside the fields (by the server's names), else above the form. */
function showProblem(error, message, byName, addresses) {
  const type = String(error.problem?.type ?? '');
  if (error.status === 409 && type.endsWith('mail-relay-not-configured')) { message.show(t('meetings.noRelay')); return; }
  if (error.status === 403) { message.show(t('app.forbidden')); return; }
  if (error.status === 404) { message.show(t('meetings.gone')); return; }
  if (error.status !== 422) { message.show(t('app.error')); return; }
  const errors = {};
  const others = [];
  for (const [name, detail] of Object.entries(error.fieldErrors ?? {})) {
    const base = name.replace(/[[.].*$/, '');
    const target = byName[base];
    if (!target) { others.push(detail); continue; }
    const item = /^attendees\[(\d+)\]/.exec(name);
    const text = item ? t('meetings.form.addressInvalid', { address: addresses[Number(item[1])] ?? '' })
      : has(`meetings.fieldError.${base}`) ? t(`meetings.fieldError.${base}`) : detail;
    errors[base] ??= text;
  }
  let first = null;
  for (const [base, text] of Object.entries(errors)) {
    byName[base].setError(text);
    first ??= byName[base];
  }
  if (others.length || !first) message.show(others.join(' ') || error.message);
  first?.input.focus();
}

/** The customer's first email address, or null. */
function firstEmail(customer) {
  const identity = (customer?.identities ?? []).find((value) => typeof value === 'string' && value.startsWith('email:'));
  return identity ? identity.slice('email:'.length) : null;
}

/** "a@x.example, Bo <b@y.example>" -> entries, blanks left out. */
function splitAddresses(value) {
  return value.split(/[,;\n]/).map((part) => part.trim()).filter(Boolean);
}

/** A light check: the server decides. `local@domain.tld`, or a name with the address in <>. */
function looksLikeAddress(entry) {
  const angle = /<([^<>]*)>\s*$/.exec(entry);
  return /^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/.test(angle ? angle[1].trim() : entry);
}
