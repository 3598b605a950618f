// Message catalogs (i18n/en.js, i18n/zh-CN.js; parts in i18n/{part}/ loaded with the page that
// needs them), t(key, params) with plural forms chosen by Intl.PluralRules, and date/number
// formatters in the chosen locale.

export const LOCALES = ['en', 'zh-CN'];
const STORAGE_KEY = 'rapport.locale';

let locale = 'en';
let catalog = {};
let plurals = new Intl.PluralRules('en');
const listeners = new Set();

/** The remembered choice, else the browser's preference, else English. */
export function preferredLocale() {
  let stored = null;
  try { stored = localStorage.getItem(STORAGE_KEY); } catch { /* storage disabled */ }
  if (LOCALES.includes(stored)) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export function currentLocale() {
  return locale;
}

/** Loads a catalog and makes it current; `remember` stores the choice. */
export async function setLocale(next, { remember = false } = {}) {
  if (!LOCALES.includes(next)) next = 'en';
  const module = await import(`../i18n/${next}.js`);
  catalog = module.default;
  locale = next;
  plurals = new Intl.PluralRules(locale);
  document.documentElement.lang = locale;
  if (remember) {
    try { localStorage.setItem(STORAGE_KEY, locale); } catch { /* storage disabled */ }
  }
  for (const fn of listeners) fn(locale);
}

/** Adds a part's messages (i18n/{part}/{locale}.js) to the current catalog: strings of one page
 * stay out of the first load. Awaited before drawing; a language switch draws the page again. */
export async function loadMessages(part) {
  const into = catalog;
  Object.assign(into, (await import(`../i18n/${part}/${locale}.js`)).default);
}

export function onLocaleChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The message for `key`, with `{name}` placeholders filled from `params`. A message that is an
 * object is chosen by plural category of `params.count` (`one`, `few`, ..., falling back to `other`). */
export function t(key, params = {}) {
  let message = catalog[key];
  if (message === undefined) {
    console.warn(`i18n: missing message ${key} in ${locale}`);
    return key;
  }
  if (typeof message === 'object') {
    const count = Number(params.count ?? 0);
    message = message[plurals.select(count)] ?? message.other;
  }
  return message.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === 'number' ? formatNumber(value) : String(value);
  });
}

/** True when the catalog has `key` (for optional, data-driven labels). */
export function has(key) {
  return key in catalog;
}

const formatterCache = new Map();
function formatter(kind, options) {
  const key = `${locale}|${kind}|${JSON.stringify(options)}`;
  let f = formatterCache.get(key);
  if (!f) {
    f = kind === 'date' ? new Intl.DateTimeFormat(locale, options) : new Intl.NumberFormat(locale, options);
    formatterCache.set(key, f);
  }
  return f;
}

export function formatNumber(value, options = {}) {
  return formatter('number', options).format(value);
}

export function formatPercent(value, fractionDigits = 0) {
  return formatter('number', { style: 'percent', maximumFractionDigits: fractionDigits }).format(value);
}

/** Date and time of an RFC 3339 string (or Date); '' for null. */
export function formatDateTime(value, options = { dateStyle: 'medium', timeStyle: 'short' }) {
  if (value === null || value === undefined || value === '') return '';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return formatter('date', options).format(date);
}

export function formatDate(value) {
  return formatDateTime(value, { dateStyle: 'medium' });
}

/** A <time> element showing `value` in the locale with the exact instant as its datetime. */
export function timeElement(value, options) {
  const el = document.createElement('time');
  el.dateTime = value;
  el.textContent = formatDateTime(value, options);
  return el;
}
