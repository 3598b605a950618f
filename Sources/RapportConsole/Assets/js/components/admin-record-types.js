// Administration · Record types: the kinds of business records (deals, orders, cases…) and their
// fields (GET /v1/record-types). A new type (POST) has a key, labels, a description and its fields,
// each a row: key, label, kind, required, unique, default, choices (choice kinds), what it refers to
// (reference kinds), a CEL validation. Editing (PUT with If-Match) changes labels, adds fields and
// choices, retires a field (it keeps its values and takes no new ones) or brings it back, changes a
// kind; the keys of stored fields and choices stay. A type may have a pipeline: its stages in order
// (added, removed, moved up and down), each with a label, a probability, an outcome (open, won,
// lost) and the fields a record must have to stand in it, chosen among the type's fields. The
// server's problems show beside the inputs they name (`fields[2].choices`, `fields.amount`,
// `stages[0].outcome`), and a change stored records cannot take (a field's kind, a stage taken away)
// lists those records as links. "Install a template" lists the server's templates (GET
// /v1/templates: the types each brings) and installs one (POST /v1/templates/{name}/install),
// saying which types it created and which it kept as they were. The section's messages are a part
// (i18n/record-types/).

import { api, seg } from '../api.js';
import { append, h, isAbort, replace, uid } from '../dom.js';
import { loadMessages, t } from '../i18n.js';
import { card, errorText, showErrors, table } from './admin-kit.js';
import { field, formMessage } from './form.js';

export const KINDS = ['text', 'long_text', 'number', 'money', 'percent', 'date', 'datetime', 'boolean', 'choice', 'multi_choice',
  'email', 'phone', 'url', 'reference', 'reference_list'];
const CHOICE_KINDS = new Set(['choice', 'multi_choice']);
const REFERENCE_KINDS = new Set(['reference', 'reference_list']);
const LIST_KINDS = new Set(['multi_choice', 'reference_list']);
const KEY = /^[a-z][a-z0-9_]{0,39}$/;
const TARGETS = ['customer', 'user', 'department'];
const OUTCOMES = ['open', 'won', 'lost'];

function typeETag(type) {
  return `"rt_${type.key}-v${type.version}"`;
}

export default async function render({ container, signal }) {
  await loadMessages('record-types');
  if (signal.aborted) return;
  const notice = h('div', { role: 'status', 'data-field': 'record-types-notice' });
  const listSlot = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  container.append(card(t('recordTypes.list'), notice, listSlot));
  let types = [];

  const editor = typeEditor({
    signal,
    knownTypes: () => types,
    onSaved: async (saved, created) => {
      replace(notice, h('p', { class: 'notice notice-success' }, t(created ? 'recordTypes.created' : 'recordTypes.saved', { label: saved.label }), ' ',
        h('a', { href: `#/records/${encodeURIComponent(saved.key)}` }, t('recordTypes.openRecords', { plural: saved.plural_label || saved.label }))));
      await load();
    },
  });
  container.append(editor.element, templatesCard({ signal, knownTypes: () => types, onInstalled: () => load() }).element);

  async function load() {
    try {
      types = (await api.get('/v1/record-types', { signal }))?.data ?? [];
      replace(listSlot, table(t('recordTypes.list'), [
        { label: t('recordTypes.label'), cell: (type) => h('span', null, type.label, type.plural_label && type.plural_label !== type.label ? h('span', { class: 'muted' }, ` · ${type.plural_label}`) : null) },
        { label: t('recordTypes.key'), cell: (type) => h('span', { class: 'mono' }, type.key) },
        { label: t('recordTypes.fields'), cell: (type) => {
          const retired = (type.fields ?? []).filter((f) => f.retired).length;
          return t('recordTypes.fieldCount', { count: (type.fields ?? []).length - retired, retired });
        } },
        { label: t('recordTypes.version'), cell: (type) => String(type.version ?? '') },
        { label: t('admin.actions'), cell: (type) => h('div', { class: 'actions-row' },
          h('button', { type: 'button', class: 'button button-small', 'data-action': 'edit', 'aria-label': t('admin.editNamed', { name: type.label }),
            onclick: () => editor.edit(type.key) }, t('admin.edit')),
          h('a', { href: `#/records/${encodeURIComponent(type.key)}`, class: 'button button-small', 'data-action': 'open-records',
            'aria-label': t('recordTypes.openRecords', { plural: type.plural_label || type.label }) }, t('recordTypes.records'))) },
      ], types.map((type) => ({ ...type, id: type.key })), t('recordTypes.none')));
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(listSlot, h('p', { class: 'notice notice-error' }, errorText(error)));
    }
  }
  await load();
}

/** A checkbox with its label and an error line: { element, input, setError, name }. */
function checkbox(label, part) {
  const id = uid(`rt-${part}`);
  const input = h('input', { id, type: 'checkbox', 'data-part': part });
  const error = h('p', { id: `${id}-error`, class: 'field-error', hidden: true });
  return {
    name: part, input,
    element: h('div', { class: 'field field-check' }, input, h('label', { for: id }, label), error),
    setError: (message) => {
      error.textContent = message ?? '';
      error.hidden = !message;
      if (message) { input.setAttribute('aria-invalid', 'true'); input.setAttribute('aria-describedby', error.id); } else {
        input.removeAttribute('aria-invalid'); input.removeAttribute('aria-describedby');
      }
    },
  };
}

/** Ties an error line to an input (aria-describedby, aria-invalid) or unties it, leaving the
 * input's other ties (its own error, a hint) as they are. */
function tie(el, id, on) {
  const ids = new Set((el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean));
  if (on) ids.add(id); else ids.delete(id);
  if (ids.size) el.setAttribute('aria-describedby', [...ids].join(' ')); else el.removeAttribute('aria-describedby');
  const erring = [...ids].some((other) => {
    const line = document.getElementById(other);
    return other === id ? on : line?.classList.contains('field-error') && !line.hidden;
  });
  if (erring) el.setAttribute('aria-invalid', 'true'); else el.removeAttribute('aria-invalid');
}

/** An error line for a group of inputs (a row, the choices, the fields): { element, setError,
 * source(name) } — `source` gives a setter of its own, for messages from several places at once. */
function groupError(group, inputs) {
  const error = h('p', { id: uid('rt-error'), class: 'field-error', hidden: true });
  const messages = new Map();
  const show = () => {
    const text = [...messages.values()].join(' ');
    error.textContent = text;
    error.hidden = !text;
    for (const el of [group, ...inputs()]) if (el) tie(el, error.id, Boolean(text));
  };
  const source = (name) => (message) => {
    if (message) messages.set(name, message); else messages.delete(name);
    show();
  };
  return { element: error, setError: source(''), source };
}

/** A default as the text box shows it. */
function defaultText(kind, value) {
  if (value === null || value === undefined) return '';
  if (kind === 'money') return `${value.amount ?? ''} ${value.currency ?? ''}`.trim();
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/** The text box's default as the kind takes it; throws a message when it cannot be one. */
function defaultValue(kind, text) {
  const value = text.trim();
  if (!value) return null;
  if (kind === 'number' || kind === 'percent') {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) throw t('recordTypes.defaultNumber');
    return Number(value);
  }
  if (kind === 'boolean') {
    if (/^(true|yes|1)$/i.test(value)) return true;
    if (/^(false|no|0)$/i.test(value)) return false;
    throw t('recordTypes.defaultBoolean');
  }
  if (kind === 'money') {
    const m = /^([+-]?(?:\d+\.?\d*|\.\d+))\s*([A-Za-z]{3})$/.exec(value);
    if (!m) throw t('recordTypes.defaultMoney');
    return { amount: m[1], currency: m[2].toUpperCase() };
  }
  if (LIST_KINDS.has(kind)) return value.split(/[\s,]+/).filter(Boolean);
  return kind === 'long_text' ? text : value;
}

/** The choices of a choice field: key and label per choice; stored keys stay. */
function choicesEditor(stored) {
  const storedKeys = new Set((stored ?? []).map((c) => c.key));
  const list = h('ol', { class: 'type-choices' });
  const add = h('button', { type: 'button', class: 'button button-small', 'data-action': 'add-choice' }, t('recordTypes.addChoice'));
  const fieldset = h('fieldset', { class: 'choice type-choices-group', 'data-part': 'choices' }, h('legend', null, t('recordTypes.choices')));
  const rows = [];
  const group = groupError(fieldset, () => rows.map((r) => r.key.input));
  let prefix = 'choices';
  const rename = () => rows.forEach((r, j) => {
    r.key.name = `${prefix}[${j}].key`;
    r.label.name = `${prefix}[${j}].label`;
    r.key.input.name = r.key.name;
    r.label.input.name = r.label.name;
    r.legend.textContent = t('recordTypes.choiceN', { n: j + 1 });
  });
  const addRow = (choice, focus) => {
    const kept = storedKeys.has(choice?.key);
    const key = field({ label: t('recordTypes.choiceKey'), name: 'key', value: choice?.key ?? '', attrs: { class: 'mono', spellcheck: 'false', autocomplete: 'off', maxlength: '40', readonly: kept, 'data-part': 'choice-key' } });
    const label = field({ label: t('recordTypes.choiceLabel'), name: 'label', value: choice?.label ?? '', attrs: { autocomplete: 'off', 'data-part': 'choice-label' } });
    const legend = h('legend', { class: 'visually-hidden' });
    const row = { key, label, legend, kept, element: null };
    const remove = kept ? null : h('button', { type: 'button', class: 'button button-small', 'data-action': 'remove-choice',
      onclick: () => { rows.splice(rows.indexOf(row), 1); row.element.remove(); rename(); add.focus(); } }, t('recordTypes.remove'));
    row.element = h('li', null, h('fieldset', { class: 'type-choice' }, legend, h('div', { class: 'field-row' }, key.element, label.element,
      remove ? h('div', { class: 'field type-row-action' }, remove) : null)));
    if (remove) remove.setAttribute('aria-label', t('recordTypes.removeChoice'));
    rows.push(row);
    list.append(row.element);
    rename();
    if (focus) key.input.focus();
  };
  add.addEventListener('click', () => addRow(null, true));
  for (const choice of stored ?? []) addRow(choice, false);
  fieldset.append(list, group.element, add);
  return {
    element: fieldset,
    get name() { return prefix; },
    set name(value) { prefix = value; rename(); },
    get input() { return rows[0]?.key.input ?? add; },
    setError: group.setError,
    controls: () => rows.flatMap((r) => [r.key, r.label]),
    ensureOne: () => { if (!rows.length) addRow(null, false); },
    /** [{key, label}] and the problems found: [[control, message]]. */
    read: () => {
      const problems = [];
      const seen = new Set();
      const choices = rows.map((r) => {
        const k = r.key.input.value.trim();
        const l = r.label.input.value.trim();
        if (!k) problems.push([r.key, t('validation.required')]);
        else if (!KEY.test(k)) problems.push([r.key, t('recordTypes.badKey')]);
        else if (seen.has(k)) problems.push([r.key, t('recordTypes.duplicateChoice')]);
        seen.add(k);
        if (!l) problems.push([r.label, t('validation.required')]);
        return { key: k, label: l };
      });
      return { choices, problems };
    },
  };
}

/** One field of the type: a row of inputs. `stored`: the field as the server has it (null: new). */
function fieldRow(stored, { knownTypes, onRemove }) {
  const kept = Boolean(stored);
  const legend = h('legend');
  const key = field({ label: t('recordTypes.fieldKey'), name: 'key', value: stored?.key ?? '', required: true,
    hint: kept ? t('recordTypes.keyKept') : null,
    attrs: { class: 'mono', spellcheck: 'false', autocomplete: 'off', maxlength: '40', readonly: kept, 'data-part': 'key' } });
  const label = field({ label: t('recordTypes.fieldLabel'), name: 'label', value: stored?.label ?? '', required: true, attrs: { autocomplete: 'off', 'data-part': 'label' } });
  const kind = field({ label: t('recordTypes.kind'), name: 'kind', as: 'select', value: stored?.kind ?? 'text',
    options: KINDS.map((k) => ({ value: k, label: t(`recordTypes.kind.${k}`) })), attrs: { 'data-part': 'kind' } });
  const required = checkbox(t('recordTypes.required'), 'required');
  const unique = checkbox(t('recordTypes.unique'), 'unique');
  const retired = kept ? checkbox(t('recordTypes.retired'), 'retired') : null;
  required.input.checked = Boolean(stored?.required);
  unique.input.checked = Boolean(stored?.unique);
  if (retired) retired.input.checked = Boolean(stored?.retired);
  const byDefault = field({ label: t('recordTypes.default'), name: 'default', value: defaultText(stored?.kind, stored?.default),
    hint: t(`recordTypes.defaultHint.${stored?.kind ?? 'text'}`), attrs: { autocomplete: 'off', spellcheck: 'false', 'data-part': 'default' } });
  const targetOptions = () => [...TARGETS.map((k) => ({ value: k, label: t(`recordTypes.target.${k}`) })),
    ...knownTypes().map((type) => ({ value: `record:${type.key}`, label: t('recordTypes.target.record', { label: type.label }) }))];
  const target = field({ label: t('recordTypes.target'), name: 'target', as: 'select', value: stored?.target ?? 'customer', options: targetOptions(), attrs: { 'data-part': 'target' } });
  if (stored?.target && ![...target.input.options].some((o) => o.value === stored.target)) {
    target.input.append(h('option', { value: stored.target, selected: true }, stored.target));
  }
  const validation = field({ label: t('recordTypes.validation'), name: 'validation', value: stored?.validation ?? '', hint: t('recordTypes.validationHint'),
    attrs: { class: 'mono', spellcheck: 'false', autocomplete: 'off', 'data-part': 'validation' } });
  const choices = choicesEditor(stored?.choices ?? []);
  const fieldset = h('fieldset', { class: 'type-field' }, legend);
  const rowError = groupError(fieldset, () => [kind.input]);
  const blocking = h('div', { class: 'type-blocking', 'data-field': 'blocking', hidden: true });
  const remove = kept ? null : h('button', { type: 'button', class: 'button button-small', 'data-action': 'remove-field' }, t('recordTypes.removeField'));
  const element = h('li', { class: 'type-field-row', 'data-stored': kept ? 'true' : 'false' }, fieldset);
  append(fieldset, [
    h('div', { class: 'field-row' }, key.element, label.element, kind.element),
    h('div', { class: 'field-row type-flags' }, required.element, unique.element, retired?.element),
    h('div', { class: 'field-row' }, byDefault.element, target.element),
    choices.element, validation.element, rowError.element, blocking,
    remove ? h('div', { class: 'form-actions' }, remove) : null]);

  const sync = () => {
    const k = kind.input.value;
    choices.element.hidden = !CHOICE_KINDS.has(k);
    if (CHOICE_KINDS.has(k)) choices.ensureOne();
    target.element.hidden = !REFERENCE_KINDS.has(k);
    byDefault.element.querySelector('.field-hint').textContent = t(`recordTypes.defaultHint.${k}`);
    element.classList.toggle('type-field-retired', Boolean(retired?.input.checked));
    element.dataset.key = key.input.value.trim();
    element.dataset.kind = k;
  };
  kind.input.addEventListener('change', sync);
  retired?.input.addEventListener('change', sync);
  key.input.addEventListener('input', sync);
  sync();

  const row = {
    element, kept, key, label, kind,
    focus: () => (kept ? label.input : key.input).focus(),
    /** The server's names for this row's inputs, as the index `i` of the body's fields. */
    rename(i) {
      legend.textContent = t('recordTypes.fieldN', { n: i + 1 });
      remove?.setAttribute('aria-label', t('recordTypes.removeFieldN', { n: i + 1 }));
      for (const [control, part] of [[key, 'key'], [label, 'label'], [kind, 'kind'], [required, 'required'], [unique, 'unique'],
        [byDefault, 'default'], [target, 'target'], [validation, 'validation']]) {
        control.name = `fields[${i}].${part}`;
        control.input.name = control.name;
      }
      if (retired) { retired.name = `fields[${i}].retired`; retired.input.name = retired.name; }
      choices.name = `fields[${i}].choices`;
      row.whole.name = `fields[${i}]`;
      row.named.name = `fields.${key.input.value.trim() || '?'}`;
    },
    whole: { name: '', input: key.input, setError: rowError.source('whole') },
    named: { name: '', input: kind.input, setError: rowError.source('named') },
    // Groups after their inputs: an input's own error line replaces its ties, a group's adds to them.
    controls: () => [key, label, kind, required, unique, ...(retired ? [retired] : []), byDefault, target, validation, ...choices.controls(), choices, row.whole, row.named],
    setBlocking(links) {
      replace(blocking, links);
      blocking.hidden = !links;
    },
    /** The field as the body sends it, and the problems found: [[control, message]]. */
    read() {
      const problems = [];
      const k = kind.input.value;
      const body = { key: key.input.value.trim(), label: label.input.value.trim(), kind: k, required: required.input.checked, unique: unique.input.checked };
      if (!body.key) problems.push([key, t('validation.required')]);
      else if (!KEY.test(body.key)) problems.push([key, t('recordTypes.badKey')]);
      if (!body.label) problems.push([label, t('validation.required')]);
      try {
        const value = defaultValue(k, byDefault.input.value);
        if (value !== null) body.default = value;
      } catch (message) {
        problems.push([byDefault, String(message)]);
      }
      if (CHOICE_KINDS.has(k)) {
        const read = choices.read();
        body.choices = read.choices;
        problems.push(...read.problems);
      }
      if (REFERENCE_KINDS.has(k)) body.target = target.input.value;
      const rule = validation.input.value.trim();
      if (rule) body.validation = rule;
      if (retired) body.retired = retired.input.checked;
      return { body, problems };
    },
  };
  remove?.addEventListener('click', () => onRemove(row));
  return row;
}

/** A number box's probability: null for none, a whole number from 0 to 100; throws a message otherwise. */
function probabilityValue(text) {
  const value = text.trim().replace(/%$/, '').trim();
  if (!value) return null;
  if (!/^\d{1,3}$/.test(value) || Number(value) > 100) throw t('recordTypes.badProbability');
  return Number(value);
}

/** The fields a stage requires: a checkbox per field of the type (as the form has them now). */
function requiredPicker(chosen) {
  let keys = new Set(chosen ?? []);
  const fieldset = h('fieldset', { class: 'choice type-stage-required', 'data-part': 'required-fields' }, h('legend', null, t('recordTypes.requiredFields')));
  const list = h('div', { class: 'type-stage-fields' });
  const group = groupError(fieldset, () => [...list.querySelectorAll('input')]);
  fieldset.append(h('p', { class: 'field-hint' }, t('recordTypes.requiredFieldsHint')), list, group.element);
  let boxes = [];
  return {
    element: fieldset,
    name: '',
    get input() { return boxes[0]?.input ?? fieldset; },
    setError: group.setError,
    /** Draws a box per field ([{key, label}]), keeping what was ticked. */
    refresh(fields) {
      if (boxes.length) keys = new Set(boxes.filter((b) => b.input.checked).map((b) => b.key));
      boxes = fields.map((f) => {
        const id = uid('rt-required');
        const input = h('input', { id, type: 'checkbox', value: f.key, checked: keys.has(f.key), 'data-part': 'required-field' });
        return { key: f.key, input, element: h('div', { class: 'choice-option' }, input, h('label', { for: id }, f.label ? `${f.label} (${f.key})` : f.key)) };
      });
      replace(list, boxes.length ? boxes.map((b) => b.element) : h('p', { class: 'muted small' }, t('recordTypes.noFieldsYet')));
    },
    read: () => boxes.filter((b) => b.input.checked).map((b) => b.key),
  };
}

/** One stage of the pipeline: a row of inputs. `stored`: the stage as the server has it (null: new). */
function stageRow(stored, { onRemove, onMove }) {
  const kept = Boolean(stored);
  const legend = h('legend');
  const key = field({ label: t('recordTypes.stageKey'), name: 'key', value: stored?.key ?? '', required: true,
    hint: kept ? t('recordTypes.stageKeyKept') : null,
    attrs: { class: 'mono', spellcheck: 'false', autocomplete: 'off', maxlength: '40', readonly: kept, 'data-part': 'stage-key' } });
  const label = field({ label: t('recordTypes.stageLabel'), name: 'label', value: stored?.label ?? '', required: true, attrs: { autocomplete: 'off', 'data-part': 'stage-label' } });
  const probability = field({ label: t('recordTypes.probability'), name: 'probability', hint: t('recordTypes.probabilityHint'),
    value: typeof stored?.probability === 'number' ? String(stored.probability) : '',
    attrs: { inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', maxlength: '4', 'data-part': 'probability' } });
  const outcome = field({ label: t('recordTypes.outcome'), name: 'outcome', as: 'select', value: OUTCOMES.includes(stored?.outcome) ? stored.outcome : 'open',
    options: OUTCOMES.map((o) => ({ value: o, label: t(`recordTypes.outcome.${o}`) })), attrs: { 'data-part': 'outcome' } });
  const required = requiredPicker(stored?.required_fields ?? []);
  const fieldset = h('fieldset', { class: 'type-field type-stage' }, legend);
  const rowError = groupError(fieldset, () => [key.input]);
  const up = h('button', { type: 'button', class: 'button button-small', 'data-action': 'stage-up' }, t('recordTypes.stageUp'));
  const down = h('button', { type: 'button', class: 'button button-small', 'data-action': 'stage-down' }, t('recordTypes.stageDown'));
  const remove = h('button', { type: 'button', class: 'button button-small', 'data-action': 'remove-stage' }, t('recordTypes.removeStage'));
  const element = h('li', { class: 'type-stage-row', 'data-stored': kept ? 'true' : 'false' }, fieldset);
  append(fieldset, [
    h('div', { class: 'field-row' }, key.element, label.element),
    h('div', { class: 'field-row' }, probability.element, outcome.element),
    required.element, rowError.element,
    h('div', { class: 'form-actions' }, up, down, remove)]);
  const sync = () => { element.dataset.key = key.input.value.trim(); };
  key.input.addEventListener('input', sync);
  sync();

  const row = {
    element, kept, key, label, probability, outcome, required,
    focus: () => (kept ? label.input : key.input).focus(),
    /** The server's names for this row's inputs, as the index `i` of `count` stages. */
    rename(i, count) {
      legend.textContent = t('recordTypes.stageN', { n: i + 1 });
      up.setAttribute('aria-label', t('recordTypes.stageUpN', { n: i + 1 }));
      down.setAttribute('aria-label', t('recordTypes.stageDownN', { n: i + 1 }));
      remove.setAttribute('aria-label', t('recordTypes.removeStageN', { n: i + 1 }));
      up.disabled = i === 0;
      down.disabled = i === count - 1;
      for (const [control, part] of [[key, 'key'], [label, 'label'], [probability, 'probability'], [outcome, 'outcome'], [required, 'required_fields']]) {
        control.name = `stages[${i}].${part}`;
        if (control.input?.tagName !== 'FIELDSET' && control !== required) control.input.name = control.name;
      }
      row.whole.name = `stages[${i}]`;
    },
    whole: { name: '', input: key.input, setError: rowError.source('whole') },
    controls: () => [key, label, probability, outcome, required, row.whole],
    /** The stage as the body sends it, and the problems found: [[control, message]]. */
    read() {
      const problems = [];
      const body = { key: key.input.value.trim(), label: label.input.value.trim(), outcome: outcome.input.value, required_fields: required.read() };
      if (!body.key) problems.push([key, t('validation.required')]);
      else if (!KEY.test(body.key)) problems.push([key, t('recordTypes.badKey')]);
      if (!body.label) problems.push([label, t('validation.required')]);
      try {
        const value = probabilityValue(probability.input.value);
        if (value !== null) body.probability = value;
      } catch (message) {
        problems.push([probability, String(message)]);
      }
      return { body, problems };
    },
  };
  remove.addEventListener('click', () => onRemove(row));
  up.addEventListener('click', () => onMove(row, -1, up));
  down.addEventListener('click', () => onMove(row, 1, down));
  return row;
}

/** The pipeline: the stages in order, with "Add a stage". `fields()` gives the type's fields as the
 * form has them now ([{key, label}]), for the fields each stage may require. */
function stagesEditor({ fields }) {
  const list = h('ol', { class: 'type-field-list type-stage-list', 'data-list': 'type-stages' });
  const add = h('button', { type: 'button', class: 'button', 'data-action': 'add-stage' }, t('recordTypes.addStage'));
  const fieldset = h('fieldset', { class: 'type-fields type-stages', 'data-part': 'stages' }, h('legend', null, t('recordTypes.stages')));
  const group = groupError(fieldset, () => []);
  const blocking = h('div', { class: 'type-blocking', 'data-field': 'stages-blocking', hidden: true });
  fieldset.append(h('p', { class: 'field-hint' }, t('recordTypes.stagesHint')), list, group.element, blocking, add);
  let rows = [];
  const renumber = () => rows.forEach((row, i) => row.rename(i, rows.length));
  const refresh = () => {
    const known = fields().filter((f) => f.key && KEY.test(f.key));
    for (const row of rows) row.required.refresh(known);
  };
  const addRow = (stored, focus) => {
    const row = stageRow(stored, {
      onRemove: (gone) => {
        rows = rows.filter((r) => r !== gone);
        gone.element.remove();
        renumber();
        add.focus();
      },
      onMove: (moved, step, button) => {
        const from = rows.indexOf(moved);
        const to = from + step;
        if (to < 0 || to >= rows.length) return;
        rows.splice(from, 1);
        rows.splice(to, 0, moved);
        list.replaceChildren(...rows.map((r) => r.element));
        renumber();
        // The focus stays with the button pressed, or its twin when the stage reached an end.
        (button.disabled ? moved.element.querySelector(step < 0 ? '[data-action=stage-down]' : '[data-action=stage-up]') : button).focus();
      },
    });
    rows.push(row);
    list.append(row.element);
    renumber();
    row.required.refresh(fields().filter((f) => f.key && KEY.test(f.key)));
    if (focus) row.focus();
  };
  add.addEventListener('click', () => addRow(null, true));
  const control = { name: 'stages', input: add, setError: group.setError };
  return {
    element: fieldset,
    refresh,
    fill(stages) {
      rows = [];
      list.replaceChildren();
      for (const stage of stages ?? []) addRow(stage, false);
    },
    controls: () => [control, ...rows.flatMap((r) => r.controls())],
    setBlocking(links) {
      replace(blocking, links);
      blocking.hidden = !links;
    },
    /** The stages as the body sends them, and the problems found. */
    read() {
      renumber();
      const problems = [];
      const seen = new Set();
      const stages = rows.map((row) => {
        const read = row.read();
        problems.push(...read.problems);
        if (read.body.key && seen.has(read.body.key)) problems.push([row.key, t('recordTypes.duplicateStage')]);
        seen.add(read.body.key);
        return read.body;
      });
      return { stages, problems };
    },
  };
}

/** "Install a template": the server's templates, the types each brings, Install and what it did. */
function templatesCard({ signal, knownTypes, onInstalled }) {
  const list = h('div', null, h('p', { class: 'muted' }, t('app.loading')));
  const result = h('div', { role: 'status', 'data-field': 'template-result' });
  const element = card(t('recordTypes.templates'), h('p', { class: 'muted' }, t('recordTypes.templatesIntro')), result, list);
  element.dataset.card = 'templates';
  const typeLinks = (keys) => h('ul', { class: 'plain-inline' }, keys.map((key) => {
    const type = knownTypes().find((k) => k.key === key);
    return h('li', { 'data-type': key }, h('a', { href: `#/records/${encodeURIComponent(key)}` }, type?.label || key), ' ', h('span', { class: 'mono muted' }, key));
  }));
  const install = async (template, button) => {
    replace(result);
    button.disabled = true;
    try {
      const done = await api.post(`/v1/templates/${seg(template.name)}/install`, {}, { signal });
      await onInstalled();
      const installed = Array.isArray(done?.installed) ? done.installed.filter((k) => typeof k === 'string') : [];
      const kept = Array.isArray(done?.kept) ? done.kept.filter((k) => typeof k === 'string') : [];
      replace(result, h('div', { class: 'notice notice-success', 'data-template': template.name },
        h('p', null, t('recordTypes.installedTemplate', { label: template.label || template.name })),
        h('p', { 'data-field': 'installed' }, installed.length ? t('recordTypes.installedTypes', { count: installed.length }) : t('recordTypes.installedNone')),
        installed.length ? typeLinks(installed) : null,
        kept.length ? [h('p', { 'data-field': 'kept' }, t('recordTypes.keptTypes', { count: kept.length })), typeLinks(kept)] : null));
      result.querySelector('a')?.focus();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(result, h('p', { class: 'notice notice-error' }, errorText(error)));
    } finally {
      button.disabled = false;
    }
  };
  (async () => {
    try {
      const templates = ((await api.get('/v1/templates', { signal }))?.data ?? []).filter((tpl) => typeof tpl?.name === 'string');
      replace(list, templates.length ? h('ul', { class: 'template-list', 'data-list': 'templates' }, templates.map((template) => {
        const id = uid('template');
        const button = h('button', { type: 'button', class: 'button', 'data-action': 'install-template',
          'aria-label': t('recordTypes.installNamed', { label: template.label || template.name }) }, t('recordTypes.install'));
        button.addEventListener('click', () => install(template, button));
        const types = Array.isArray(template.record_types) ? template.record_types.filter((k) => typeof k === 'string') : [];
        const requires = Array.isArray(template.requires) ? template.requires.filter((k) => typeof k === 'string') : [];
        return h('li', { 'data-template': template.name, 'aria-labelledby': id },
          h('h3', { id }, template.label || template.name),
          template.summary ? h('p', null, template.summary) : null,
          h('p', { class: 'small' }, h('span', { class: 'muted' }, t('recordTypes.brings')), ' ',
            h('span', { 'data-field': 'record-types' }, types.map((k, i) => [i ? ', ' : '', h('span', { class: 'mono' }, k)]))),
          requires.length ? h('p', { class: 'small muted', 'data-field': 'requires' }, t('recordTypes.requires', { list: requires.join(', ') })) : null,
          button);
      })) : h('p', { class: 'empty' }, t('recordTypes.noTemplates')));
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      replace(list, h('p', { class: 'notice notice-error' }, error.status === 404 ? t('recordTypes.templatesMissing') : errorText(error)));
    }
  })();
  return { element };
}

/** The form that defines a new type or changes one. */
function typeEditor({ signal, knownTypes, onSaved }) {
  let editing = null; // the stored type being changed, with its version
  const heading = h('h2', { id: 'record-type-form-title', tabindex: '-1' }, t('recordTypes.new'));
  const message = formMessage();
  const blocking = h('div', { class: 'notice notice-error type-blocking', 'data-field': 'blocking-records', hidden: true });
  const keyField = field({ label: t('recordTypes.key'), name: 'key', required: true, hint: t('recordTypes.keyHint'),
    attrs: { class: 'mono', spellcheck: 'false', autocomplete: 'off', maxlength: '40' } });
  const label = field({ label: t('recordTypes.label'), name: 'label', required: true, hint: t('recordTypes.labelHint'), attrs: { autocomplete: 'off' } });
  const plural = field({ label: t('recordTypes.plural'), name: 'plural_label', hint: t('recordTypes.pluralHint'), attrs: { autocomplete: 'off' } });
  const description = field({ label: t('recordTypes.description'), name: 'description', as: 'textarea', attrs: { rows: '2' } });
  const list = h('ol', { class: 'type-field-list', 'data-list': 'type-fields' });
  const addField = h('button', { type: 'button', class: 'button', 'data-action': 'add-field' }, t('recordTypes.addField'));
  const fieldsSet = h('fieldset', { class: 'type-fields' }, h('legend', null, t('recordTypes.fields')));
  const fieldsError = groupError(fieldsSet, () => []);
  fieldsSet.append(h('p', { class: 'field-hint' }, t('recordTypes.fieldsHint')), list, fieldsError.element, addField);
  // A stage may require the fields that take values (a retired one cannot be required).
  const stages = stagesEditor({ fields: () => rows.filter((r) => !r.element.classList.contains('type-field-retired'))
    .map((r) => ({ key: r.key.input.value.trim(), label: r.label.input.value.trim() })) });
  const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'save-type' }, t('recordTypes.create'));
  const cancel = h('button', { type: 'button', class: 'button', hidden: true, 'data-action': 'cancel-edit' }, t('admin.cancel'));
  const form = h('form', { class: 'form type-form', novalidate: true, 'data-form': 'record-type' },
    message.element, blocking, keyField.element, label.element, plural.element, description.element, fieldsSet, stages.element,
    h('div', { class: 'form-actions' }, submit, cancel));
  // The fields a stage may require follow the fields as they are typed.
  list.addEventListener('input', (event) => { if (event.target.matches('[data-part=key], [data-part=label]')) stages.refresh(); });
  list.addEventListener('change', (event) => { if (event.target.matches('[data-part=retired]')) stages.refresh(); });
  const element = h('section', { class: 'card', 'aria-labelledby': heading.id, 'data-card': 'record-type-form' }, heading, form);
  let rows = [];
  const fieldsControl = { name: 'fields', input: addField, setError: fieldsError.setError };

  const renumber = () => rows.forEach((row, i) => row.rename(i));
  const add = (stored, focus) => {
    const row = fieldRow(stored, {
      knownTypes,
      onRemove: (gone) => {
        rows = rows.filter((r) => r !== gone);
        gone.element.remove();
        renumber();
        stages.refresh();
        addField.focus();
      },
    });
    rows.push(row);
    list.append(row.element);
    renumber();
    stages.refresh();
    if (focus) row.focus();
  };
  addField.addEventListener('click', () => add(null, true));

  const controls = () => [keyField, label, plural, description, fieldsControl, ...rows.flatMap((r) => r.controls()), ...stages.controls()];
  const clear = () => {
    message.show(null);
    blocking.hidden = true;
    blocking.replaceChildren();
    for (const c of controls()) c.setError(null);
    for (const r of rows) r.setBlocking(null);
    stages.setBlocking(null);
  };

  const fill = (type) => {
    editing = type;
    form.reset();
    rows = [];
    list.replaceChildren();
    clear();
    keyField.input.value = type?.key ?? '';
    keyField.input.readOnly = Boolean(type);
    label.input.value = type?.label ?? '';
    plural.input.value = type && type.plural_label !== type.label ? type.plural_label ?? '' : '';
    description.input.value = type?.description ?? '';
    for (const f of type?.fields ?? []) add(f, false);
    if (!type) add(null, false);
    stages.fill(Array.isArray(type?.stages) ? type.stages : []);
    heading.textContent = type ? t('recordTypes.edit', { label: type.label }) : t('recordTypes.new');
    submit.textContent = type ? t('admin.save') : t('recordTypes.create');
    cancel.hidden = !type;
    form.dataset.editing = type?.key ?? '';
  };
  cancel.addEventListener('click', () => { fill(null); heading.focus(); });
  fill(null);

  const edit = async (key) => {
    try {
      const type = await api.get(`/v1/record-types/${seg(key)}`, { signal });
      fill(type);
      heading.focus();
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      message.show(errorText(error));
    }
  };

  const blockingLinks = (typeKey, ids) => [
    h('p', null, t('recordTypes.blocking', { count: ids.length })),
    h('ul', { class: 'plain-inline' }, ids.map((id) => h('li', null,
      h('a', { href: `#/records/${encodeURIComponent(typeKey)}/${encodeURIComponent(id)}`, class: 'mono', 'data-action': 'blocking-record' }, id)))),
  ];

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear();
    const problems = [];
    const key = keyField.input.value.trim();
    if (!key) problems.push([keyField, t('validation.required')]);
    else if (!KEY.test(key)) problems.push([keyField, t('recordTypes.badKey')]);
    if (!label.input.value.trim()) problems.push([label, t('validation.required')]);
    const fields = [];
    const seen = new Set();
    for (const row of rows) {
      const read = row.read();
      problems.push(...read.problems);
      if (read.body.key && seen.has(read.body.key)) problems.push([row.key, t('recordTypes.duplicateField')]);
      seen.add(read.body.key);
      fields.push(read.body);
    }
    const pipeline = stages.read();
    problems.push(...pipeline.problems);
    if (problems.length) {
      const shown = new Set();
      for (const [control, text] of problems) if (!shown.has(control)) { control.setError(text); shown.add(control); }
      problems[0][0].input.focus();
      return;
    }
    renumber();
    // Always sent: a PUT without stages would take the pipeline away.
    const body = { key, label: label.input.value.trim(), fields, stages: pipeline.stages };
    if (plural.input.value.trim()) body.plural_label = plural.input.value.trim();
    if (description.input.value.trim()) body.description = description.input.value.trim();
    submit.disabled = true;
    try {
      const saved = editing
        ? await api.put(`/v1/record-types/${seg(editing.key)}`, body, { headers: { 'If-Match': typeETag(editing) }, signal })
        : await api.post('/v1/record-types', body, { signal });
      const created = !editing;
      fill(null);
      await onSaved(saved, created);
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      if (error.status === 412 && editing) {
        // Someone changed the type meanwhile: read again; what was typed is gone, so say so.
        const key = editing.key;
        await edit(key);
        message.show(t('recordTypes.stale'));
        return;
      }
      const ids = Array.isArray(error.problem?.blocking_records) ? error.problem.blocking_records.filter((id) => typeof id === 'string') : [];
      const shown = (error.status === 422 || error.status === 409) ? showErrors(error, controls()) : 0;
      if (ids.length) {
        replace(blocking, blockingLinks(key, ids));
        blocking.hidden = false;
        // Beside the field the server names too.
        for (const name of Object.keys(error.fieldErrors ?? {})) {
          const row = rows.find((r) => r.named.name === name);
          row?.setBlocking(blockingLinks(key, ids));
          if (name === 'stages') stages.setBlocking(blockingLinks(key, ids));
        }
      }
      if (!shown) message.show(errorText(error));
    } finally {
      submit.disabled = false;
    }
  });

  return { element, edit };
}
