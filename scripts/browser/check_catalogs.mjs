// Checks the console's message catalogs against each other and against the code:
//   node scripts/browser/check_catalogs.mjs [assets folder]
// - en and zh-CN have the same keys, the same {placeholders} per key, and plural messages
//   (objects) in the same places, each with an `other` form;
// - every literal t('key') in the JavaScript names a key that exists;
// - no message is empty.
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

const catalogs = {};
for (const locale of locales) {
  catalogs[locale] = (await import(pathToFileURL(join(assets, 'i18n', `${locale}.js`)).href)).default;
}
const [base, ...others] = locales;
const baseKeys = Object.keys(catalogs[base]);
check(`catalog ${base} has messages`, baseKeys.length > 0, `${baseKeys.length} keys`);

for (const locale of others) {
  const keys = Object.keys(catalogs[locale]);
  const missing = baseKeys.filter((k) => !(k in catalogs[locale]));
  const extra = keys.filter((k) => !(k in catalogs[base]));
  check(`catalog ${locale} has every key of ${base}`, missing.length === 0, sample(missing));
  check(`catalog ${locale} has no key ${base} lacks`, extra.length === 0, sample(extra));
  const mismatched = baseKeys.filter((k) => k in catalogs[locale] && placeholders(catalogs[base][k]) !== placeholders(catalogs[locale][k]));
  check(`catalog ${locale} uses the same placeholders as ${base}`, mismatched.length === 0, sample(mismatched));
  const pluralMismatch = baseKeys.filter((k) => k in catalogs[locale] && (typeof catalogs[base][k] === 'object') !== (typeof catalogs[locale][k] === 'object'));
  check(`catalog ${locale} has plural messages where ${base} has them`, pluralMismatch.length === 0, sample(pluralMismatch));
}

for (const locale of locales) {
  const catalog = catalogs[locale];
  const empty = Object.keys(catalog).filter((k) => forms(catalog[k]).some((text) => typeof text !== 'string' || text.trim() === ''));
  check(`catalog ${locale} has no empty message`, empty.length === 0, sample(empty));
  const noOther = Object.keys(catalog).filter((k) => typeof catalog[k] === 'object' && typeof catalog[k].other !== 'string');
  check(`catalog ${locale} plural messages all have an "other" form`, noOther.length === 0, sample(noOther));
}
const chinese = Object.entries(catalogs['zh-CN']).filter(([k]) => k !== 'app.name').filter(([, v]) => forms(v).some((text) => /[\u4e00-\u9fff]/.test(text)));
check('catalog zh-CN is written in Chinese', chinese.length >= (Object.keys(catalogs['zh-CN']).length - 1) * 0.9,
  `${chinese.length} of ${Object.keys(catalogs['zh-CN']).length} messages have Chinese characters`);

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
const unknown = [...used].filter((k) => !(k in catalogs[base]));
check('every t(\'key\') in the code has a message', unknown.length === 0, unknown.length ? sample(unknown) : `${used.size} keys used literally`);

console.log(failed ? `catalog check: ${failed} failed` : 'catalog check: all passed');
process.exit(failed ? 1 : 0);
