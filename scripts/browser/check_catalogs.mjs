// Checks the console's message catalogs against each other and against the code:
//   node scripts/browser/check_catalogs.mjs [assets folder]
// The catalogs are i18n/{locale}.js and the parts loaded with the pages that need them,
// i18n/{part}/{locale}.js (i18n.js loadMessages). For each:
// - en and zh-CN have the same keys, the same {placeholders} per key, and plural messages
//   (objects) in the same places, each with an `other` form;
// - no message is empty;
// - a part's keys are in no other catalog or part (one message per key);
// - every literal t('key') in the JavaScript names a key that exists in one of them.
// Prints one PASS/FAIL line per check; exit status 1 when one failed.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const assets = resolve(process.argv[2] ?? join(here, '../../Sources/RapportConsole/Assets'));
const locales = ['en', 'zh-CN'];
let failed = 0;

function check(name, ok, detail = '') {
  if (!ok) failed += 1;
  console.log(`  ${ok ? 'PASS' : 'FAIL'} ${name}${detail ? (ok ? ` (${detail})` : `: ${detail}`) : ''}`);
}

function sample(items) {
  return items.slice(0, 8).join(', ') + (items.length > 8 ? `, ... (${items.length} in all)` : '');
}

function forms(message) {
  return typeof message === 'object' ? Object.values(message) : [message];
}

function placeholders(message) {
  const names = new Set();
  for (const text of forms(message)) for (const m of String(text).matchAll(/\{(\w+)\}/g)) names.add(m[1]);
  return [...names].sort().join(',');
}

async function load(folder) {
  const catalogs = {};
  for (const locale of locales) {
    catalogs[locale] = (await import(pathToFileURL(join(folder, `${locale}.js`)).href)).default;
  }
  return catalogs;
}

/** The checks of one catalog and its translation; `name` is '' for the main one, else the part. */
function checkCatalogs(name, catalogs) {
  const label = (locale) => (name ? `${name}/${locale}` : locale);
  const [base, ...others] = locales;
  const baseKeys = Object.keys(catalogs[base]);
  check(`catalog ${label(base)} has messages`, baseKeys.length > 0, `${baseKeys.length} keys`);

  for (const locale of others) {
    const keys = Object.keys(catalogs[locale]);
    const missing = baseKeys.filter((k) => !(k in catalogs[locale]));
    const extra = keys.filter((k) => !(k in catalogs[base]));
    check(`catalog ${label(locale)} has every key of ${label(base)}`, missing.length === 0, sample(missing));
    check(`catalog ${label(locale)} has no key ${label(base)} lacks`, extra.length === 0, sample(extra));
    const mismatched = baseKeys.filter((k) => k in catalogs[locale] && placeholders(catalogs[base][k]) !== placeholders(catalogs[locale][k]));
    check(`catalog ${label(locale)} uses the same placeholders as ${label(base)}`, mismatched.length === 0, sample(mismatched));
    const pluralMismatch = baseKeys.filter((k) => k in catalogs[locale] && (typeof catalogs[base][k] === 'object') !== (typeof catalogs[locale][k] === 'object'));
    check(`catalog ${label(locale)} has plural messages where ${label(base)} has them`, pluralMismatch.length === 0, sample(pluralMismatch));
  }

  for (const locale of locales) {
    const catalog = catalogs[locale];
    const empty = Object.keys(catalog).filter((k) => forms(catalog[k]).some((text) => typeof text !== 'string' || text.trim() === ''));
    check(`catalog ${label(locale)} has no empty message`, empty.length === 0, sample(empty));
    const noOther = Object.keys(catalog).filter((k) => typeof catalog[k] === 'object' && typeof catalog[k].other !== 'string');
    check(`catalog ${label(locale)} plural messages all have an "other" form`, noOther.length === 0, sample(noOther));
  }
  const zh = catalogs['zh-CN'];
  const chinese = Object.entries(zh).filter(([k]) => k !== 'app.name').filter(([, v]) => forms(v).some((text) => /[\u4e00-\u9fff]/.test(text)));
  const all = Object.keys(zh).filter((k) => k !== 'app.name').length;
  check(`catalog ${label('zh-CN')} is written in Chinese`, chinese.length >= all * 0.9,
    `${chinese.length} of ${Object.keys(zh).length} messages have Chinese characters`);
}

const i18n = join(assets, 'i18n');
const main = await load(i18n);
checkCatalogs('', main);
const known = new Set(Object.keys(main[locales[0]]));
const parts = readdirSync(i18n).filter((name) => statSync(join(i18n, name)).isDirectory()).sort();
for (const part of parts) {
  const catalogs = await load(join(i18n, part));
  checkCatalogs(part, catalogs);
  const keys = Object.keys(catalogs[locales[0]]);
  const twice = keys.filter((k) => known.has(k));
  check(`part ${part}: its keys are in no other catalog`, twice.length === 0, sample(twice));
  for (const k of keys) known.add(k);
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (path.endsWith('.js')) yield path;
  }
}
const used = new Set();
for (const path of walk(join(assets, 'js'))) {
  for (const m of readFileSync(path, 'utf8').matchAll(/\bt\(\s*'([^'`]+)'/g)) used.add(m[1]);
}
const unknown = [...used].filter((k) => !known.has(k));
check('every t(\'key\') in the code has a message', unknown.length === 0, unknown.length ? sample(unknown) : `${used.size} keys used literally`);

console.log(failed ? `catalog check: ${failed} failed` : 'catalog check: all passed');
process.exit(failed ? 1 : 0);
