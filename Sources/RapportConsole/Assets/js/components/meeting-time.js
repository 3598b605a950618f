// The times of meetings. A meeting is kept as two instants and the IANA zone its invitation is
// written in: here a date and time on the clocks of a zone become an instant and back (the browser
// knows every zone through Intl), a meeting's time is shown in the viewer's language with its zone
// named (and the viewer's own time beside it when their clocks differ), and its repetition rule
// (an RRULE such as FREQ=WEEKLY;BYDAY=MO;COUNT=10) is said in words.

import { currentLocale, formatDateTime, t } from '../i18n.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
export const WEEKDAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** The browser's zone ('UTC' when it names none). */
export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** True when the browser knows `zone` as a time zone. */
export function knownZone(zone) {
  if (typeof zone !== 'string' || !zone.trim()) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone.trim() });
    return true;
  } catch {
    return false;
  }
}

/** Every zone the browser knows, for a list of suggestions. */
export function zoneNames() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

const clocks = new Map();
function clockFormatter(zone) {
  let formatter = clocks.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    clocks.set(zone, formatter);
  }
  return formatter;
}

/** What the clocks of `zone` show at `instant` (ms or Date): {year, month (1-12), day, hour, minute, weekday (0 = Sunday)}. */
export function wallClock(instant, zone) {
  const parts = {};
  for (const part of clockFormatter(zone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const hour = parts.hour === 24 ? 0 : parts.hour;
  const weekday = new Date(Date.UTC(parts.year, parts.month - 1, parts.day)).getUTCDay();
  return { year: parts.year, month: parts.month, day: parts.day, hour, minute: parts.minute, second: parts.second, weekday };
}

/** How far `zone`'s clocks are ahead of UTC at `instant`, in ms. */
function offset(zone, instant) {
  const c = wallClock(instant, zone);
  return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant when the clocks of `zone` show `date` ('YYYY-MM-DD') at `time` ('HH:MM'), or null
 * when either is not a date or time. A time the change to summer time skips lands an hour later.
 */
export function zonedInstant(date, time, zone) {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(date ?? ''));
  const tm = /^(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(String(time ?? ''));
  if (!d || !tm) return null;
  const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(tm[1]), Number(tm[2]));
  if (Number.isNaN(wall)) return null;
  const guess = wall - offset(zone, wall);
  return new Date(wall - offset(zone, guess));
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** 'YYYY-MM-DD' and 'HH:MM' of `instant` on the clocks of `zone` (for date and time inputs). */
export function dateAndTime(instant, zone) {
  const c = wallClock(instant, zone);
  return { date: `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}`, time: `${pad(c.hour)}:${pad(c.minute)}` };
}

/** The weekday of a 'YYYY-MM-DD' date (0 = Sunday), or null. */
export function weekdayOf(date) {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(date ?? ''));
  return d ? new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]))).getUTCDay() : null;
}

/** The day of the month of a 'YYYY-MM-DD' date, or null. */
export function monthDayOf(date) {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(date ?? ''));
  return d ? Number(d[3]) : null;
}

/** RFC 3339 in UTC, whole seconds. */
export function rfc3339(date) {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The weekday's name in the current language (0 = Sunday). */
export function weekdayName(weekday) {
  // 7 January 2024 was a Sunday.
  return new Intl.DateTimeFormat(currentLocale(), { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 7 + weekday)));
}

/** "America/New York" for America/New_York, with the zone's name in the current language when the browser has one. */
export function zoneLabel(zone, at = Date.now()) {
  const id = zone.replace(/_/g, ' ');
  let name = null;
  try {
    name = new Intl.DateTimeFormat(currentLocale(), { timeZone: zone, timeZoneName: 'longGeneric' })
      .formatToParts(new Date(at)).find((part) => part.type === 'timeZoneName')?.value ?? null;
  } catch { /* an older browser: the id alone */ }
  return name && name !== zone && !/^GMT[+-]/.test(name) ? t('meetings.zoneNamed', { name, zone: id }) : id;
}

function range(start, end, zone) {
  const formatter = new Intl.DateTimeFormat(currentLocale(), {
    weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: zone,
  });
  return typeof formatter.formatRange === 'function' ? formatter.formatRange(start, end) : `${formatter.format(start)} – ${formatter.format(end)}`;
}

/**
 * A meeting's time: {range, zone, local} — the start and end on the clocks of the meeting's zone
 * in the viewer's language, the zone named, and the same range on the viewer's clocks when those
 * differ (else null).
 */
export function meetingWhen(meeting) {
  const start = new Date(meeting.start);
  const end = new Date(meeting.end);
  const zone = knownZone(meeting.time_zone) ? meeting.time_zone : 'UTC';
  const mine = browserZone();
  const differs = knownZone(mine) && (offset(zone, start.getTime()) !== offset(mine, start.getTime())
    || offset(zone, end.getTime()) !== offset(mine, end.getTime()));
  return {
    range: range(start, end, zone),
    zone: zoneLabel(zone, start.getTime()),
    local: differs ? range(start, end, mine) : null,
  };
}

/** An RRULE's parts by name (upper case), or null. */
export function ruleParts(rule) {
  if (typeof rule !== 'string' || !rule.trim()) return null;
  const parts = {};
  for (const piece of rule.trim().replace(/^RRULE:/i, '').split(';')) {
    const eq = piece.indexOf('=');
    if (eq <= 0) return null;
    parts[piece.slice(0, eq).trim().toUpperCase()] = piece.slice(eq + 1).trim().toUpperCase();
  }
  return parts.FREQ ? parts : null;
}

/** UNTIL's instant (a date, or a date and time, in UTC unless it says otherwise), or null. */
function untilInstant(value) {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(value ?? '');
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 23), Number(m[5] ?? 59), Number(m[6] ?? 59));
}

const KNOWN = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'WKST']);
const FREQS = { DAILY: 'daily', WEEKLY: 'weekly', MONTHLY: 'monthly', YEARLY: 'yearly' };

/** The repetition said in words ("Every week on Monday, 10 times"); the rule itself when it says more than these words can. */
export function describeRecurrence(rule, zone = 'UTC') {
  const parts = ruleParts(rule);
  if (!parts) return rule ? String(rule) : null;
  const freq = FREQS[parts.FREQ];
  const interval = parts.INTERVAL ? Number(parts.INTERVAL) : 1;
  if (!freq || !Number.isInteger(interval) || interval < 1 || Object.keys(parts).some((key) => !KNOWN.has(key))) return String(rule);
  const every = interval > 1 ? 'Every' : '';
  const days = parts.BYDAY ? parts.BYDAY.split(',') : [];
  const monthDays = parts.BYMONTHDAY ? parts.BYMONTHDAY.split(',').map(Number) : [];
  let text;
  if (freq === 'weekly' && days.length && !monthDays.length) {
    const names = days.map((code) => WEEKDAY_CODES.indexOf(code));
    if (names.some((n) => n < 0)) return String(rule);
    text = t(`meetings.repeat.weeklyOn${every}`, { count: interval, days: list(names.map(weekdayName)) });
  } else if (freq === 'monthly' && days.length === 1 && !monthDays.length) {
    const m = /^([+-]?\d)(MO|TU|WE|TH|FR|SA|SU)$/.exec(days[0]);
    const nth = m ? Number(m[1]) : NaN;
    if (!m || !(nth === -1 || (nth >= 1 && nth <= 4))) return String(rule);
    text = t(`meetings.repeat.monthlyNth${every}`, { count: interval, nth: t(`meetings.nth.${nth}`), day: weekdayName(WEEKDAY_CODES.indexOf(m[2])) });
  } else if (freq === 'monthly' && monthDays.length === 1 && !days.length && monthDays[0] >= 1 && monthDays[0] <= 31) {
    text = t(`meetings.repeat.monthlyDay${every}`, { count: interval, day: monthDays[0] });
  } else if (!days.length && !monthDays.length) {
    text = t(`meetings.repeat.${freq}${every}`, { count: interval });
  } else {
    return String(rule);
  }
  let limit = null;
  if (parts.COUNT && /^\d+$/.test(parts.COUNT)) limit = t('meetings.repeat.times', { count: Number(parts.COUNT) });
  else if (parts.UNTIL && untilInstant(parts.UNTIL) !== null) {
    limit = t('meetings.repeat.until', { date: formatDateTime(new Date(untilInstant(parts.UNTIL)), { dateStyle: 'medium', timeZone: knownZone(zone) ? zone : 'UTC' }) });
  }
  return limit ? t('meetings.repeat.limited', { rule: text, limit }) : text;
}

function list(items) {
  try {
    return new Intl.ListFormat(currentLocale(), { type: 'conjunction' }).format(items);
  } catch {
    return items.join(', ');
  }
}

/**
 * When a meeting's last occurrence ends (ms): its end, or for a repeating one a generous bound
 * from COUNT or UNTIL (Infinity when it repeats for ever). A meeting is upcoming until then.
 */
export function lastEnd(meeting) {
  const start = Date.parse(meeting.start);
  const end = Date.parse(meeting.end);
  const parts = ruleParts(meeting.recurrence);
  if (!parts) return end;
  const until = untilInstant(parts.UNTIL);
  if (until !== null) return until + (end - start);
  const count = Number(parts.COUNT);
  if (!Number.isInteger(count) || count < 1) return Infinity;
  const interval = Math.max(1, Number(parts.INTERVAL) || 1);
  const perPeriod = Math.max(1, parts.FREQ === 'WEEKLY' && parts.BYDAY ? parts.BYDAY.split(',').length : 1);
  const period = { DAILY: DAY, WEEKLY: 7 * DAY, MONTHLY: 31 * DAY, YEARLY: 366 * DAY }[parts.FREQ] ?? 366 * DAY;
  return end + Math.ceil(count / perPeriod) * interval * period;
}
