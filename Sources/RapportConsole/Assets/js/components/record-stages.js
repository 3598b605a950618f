// Pipelines of business records, for the Board (record-board.js) and a record's page
// (record-detail.js): a type's stages (label, probability, outcome, the fields a stage requires), a
// record's stage with its outcome as a badge, "Move to…" (a select and a button: what the keyboard
// uses where a mouse drags), moving a record (PATCH /v1/records/{type}/{id} with `stage` and
// If-Match; when the stage requires values the record lacks, the server's 422 names them
// (`fields.<key>`) and a dialog asks for exactly those, with record-form.js's inputs (loaded then),
// and sends them with the move), and a record's stage history (GET /v1/records/{type}/{id}/stages) in words. The
// messages are a part (i18n/pipeline/): `prepare()` loads them.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { currentLocale, formatNumber, has, loadMessages, t, timeElement } from '../i18n.js';
import { formMessage } from './form.js';
import { isEmpty, liveFields, recordETag, recordTitle } from './record-values.js';

export const OUTCOMES = ['open', 'won', 'lost'];

/** Loads the pipeline's messages (again after a language switch: the catalog was replaced). */
export function prepare() {
  return loadMessages('pipeline');
}

/** The type's stages in pipeline order ([] for a type without a pipeline). */
export function stagesOf(type) {
  return Array.isArray(type?.stages) ? type.stages.filter((s) => s && typeof s.key === 'string') : [];
}

export function stageOf(type, key) {
  return stagesOf(type).find((s) => s.key === key) ?? null;
}

export function stageLabel(type, key) {
  return stageOf(type, key)?.label || key || t('pipeline.noStage');
}

function outcomeOf(stage) {
  return OUTCOMES.includes(stage?.outcome) ? stage.outcome : 'open';
}

/** Won or lost as a badge: none for an open stage (most are), nor for one whose label says it ("Won"). */
export function outcomeBadge(stage) {
  const outcome = outcomeOf(stage);
  if (outcome === 'open') return null;
  const words = t(`pipeline.outcome.${outcome}`);
  if (String(stage?.label ?? '').trim().toLocaleLowerCase() === words.toLocaleLowerCase()) return null;
  return h('span', { class: `badge badge-outcome-${outcome}`, 'data-field': 'outcome', 'data-outcome': outcome }, t(`pipeline.outcome.${outcome}`));
}

/** The type's first text field (a card's and a timeline line's name), else its first field. */
export function titleOf(type, record) {
  const text = liveFields(type).find((f) => f.kind === 'text' && !isEmpty(record?.fields?.[f.key]));
  return text ? String(record.fields[text.key]) : recordTitle(type, record);
}

/** The type's first money field (what the Board and the chart add up), or null. */
export function moneyField(type) {
  return liveFields(type).find((f) => f.kind === 'money') ?? null;
}

/** Money values added up per currency: "1,250.00 EUR + 40.00 USD" ('' for none). */
export function moneySum(values) {
  const totals = new Map();
  for (const value of values) {
    const amount = Number(value?.amount);
    if (!value || !Number.isFinite(amount) || typeof value.currency !== 'string') continue;
    const digits = (String(value.amount).split('.')[1] ?? '').length;
    const was = totals.get(value.currency) ?? { total: 0, digits: 0 };
    totals.set(value.currency, { total: was.total + amount, digits: Math.max(was.digits, Math.min(digits, 6)) });
  }
  return [...totals].sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, { total, digits }]) => `${formatNumber(total, { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${currency}`)
    .join(' + ');
}

/** Seconds in words in the locale ("2 days, 3 hours"): the two largest units, under a minute said so. */
export function durationWords(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  if (s < 60) return t('pipeline.underMinute');
  const all = [['day', Math.floor(s / 86400)], ['hour', Math.floor((s % 86400) / 3600)], ['minute', Math.floor((s % 3600) / 60)]];
  const first = all.findIndex(([, n]) => n > 0);
  const parts = all.slice(first, first + 2).filter(([, n]) => n > 0);
  const text = typeof Intl.DurationFormat === 'function'
    ? new Intl.DurationFormat(currentLocale(), { style: 'long' }).format(Object.fromEntries(parts.map(([u, n]) => [`${u}s`, n]))) : '';
  return text || new Intl.ListFormat(currentLocale(), { type: 'unit' })
    .format(parts.map(([unit, n]) => formatNumber(n, { style: 'unit', unit, unitDisplay: 'long' })));
}

/** Who moved a record, in words. */
export function actorName(actor, refs) {
  if (actor?.type === 'user') return refs?.users?.get(actor.id)?.name ?? actor.id ?? '';
  if (actor?.type === 'api_key') return t('notes.author.apiKey');
  return t('notes.author.system');
}

/**
 * "Move to…": a select of the other stages and a Move button. `onMove(stageKey, select)` when one
 * is chosen and Move pressed. `label`: what the select is named (it says which record).
 */
export function moveControl({ type, record, label, onMove }) {
  // Named by aria-label: a visually hidden <label> (absolutely placed) would escape the Board's
  // scrolling region and widen the page.
  const select = h('select', { name: 'stage', 'aria-label': label, 'data-action': 'move-select' },
    h('option', { value: '' }, t('pipeline.moveTo')),
    stagesOf(type).filter((s) => s.key !== record.stage).map((s) => h('option', { value: s.key }, s.label || s.key)));
  const button = h('button', { type: 'submit', class: 'button button-small', 'data-action': 'move-record' }, t('pipeline.move'));
  const form = h('form', { class: 'stage-move', novalidate: true, 'data-form': 'move-stage' }, select, button);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (select.value) onMove(select.value, select);
  });
  return form;
}

/** The field keys a 422 names (`fields.lost_reason`, `fields.amount.currency` → amount), once each. */
function namedFields(error) {
  const keys = [];
  for (const name of Object.keys(error?.fieldErrors ?? {})) {
    const m = /^fields\.([a-z][a-z0-9_]*)/.exec(name);
    if (m && !keys.includes(m[1])) keys.push(m[1]);
  }
  return keys;
}

/** Why a move failed, in words. */
export function moveProblem(error) {
  if (error?.status === 412) return t('pipeline.stale');
  if (error?.status === 404) return t('pipeline.gone');
  if (error?.status === 403) return t('records.forbidden');
  if ((error?.status === 422 || error?.status === 409) && error.fieldErrors?.stage) return t('pipeline.badStage', { detail: error.fieldErrors.stage });
  if (error?.status === 422 || error?.status === 409) return t('pipeline.refused', { detail: error.message });
  return t('app.error');
}

/**
 * Moves `record` to `stage`. Resolves { record } (moved), { cancelled: true } (the dialog asking
 * for the stage's fields was closed) or { error } (an ApiError: say it with `moveProblem`).
 */
export async function moveRecord({ type, record, stage, refs, signal }) {
  const path = `/v1/records/${seg(type.key)}/${seg(record.id)}`;
  try {
    return { record: await api.patch(path, { stage }, { headers: { 'If-Match': recordETag(record) }, signal }) };
  } catch (error) {
    if (isAbort(error) || error.status === 401) return { cancelled: true };
    const keys = error.status === 422 ? namedFields(error) : [];
    const fields = keys.map((key) => liveFields(type).find((f) => f.key === key)).filter(Boolean);
    if (!fields.length || fields.length !== keys.length) return { error };
    const { control } = await import('./record-form.js');
    // The inputs start without an error line: the dialog's introduction says what they are for.
    return askFields({ type, record, stage, fields, refs, signal, path, control });
  }
}

/** The dialog asking for the values a stage requires; sends them with the move. */
function askFields({ type, record, stage, fields, refs, signal, path, control }) {
  return new Promise((resolve) => {
    const titleId = uid('stage-dialog');
    const message = formMessage();
    const controls = fields.map((f) => {
      const c = control({ ...f, required: true }, { refs, signal });
      c.write(record.fields?.[f.key] ?? null);
      return c;
    });
    const submit = h('button', { type: 'submit', class: 'button button-primary', 'data-action': 'stage-dialog-move' }, t('pipeline.move'));
    const cancel = h('button', { type: 'button', class: 'button', 'data-action': 'stage-dialog-cancel' }, t('records.form.cancel'));
    const form = h('form', { class: 'form', novalidate: true, 'data-form': 'stage-fields' },
      h('h2', { id: titleId }, t('pipeline.dialog.title', { title: titleOf(type, record), stage: stageLabel(type, stage) })),
      h('p', { class: 'muted' }, t('pipeline.dialog.intro', { count: fields.length })),
      message.element, controls.map((c) => c.element),
      h('div', { class: 'form-actions' }, submit, cancel));
    const dialog = h('dialog', { class: 'stage-dialog', 'aria-labelledby': titleId, 'data-dialog': 'stage-fields', 'data-stage': stage }, form);
    let answer = { cancelled: true };
    const finish = () => {
      signal.removeEventListener('abort', close);
      dialog.remove();
      resolve(answer);
    };
    const close = () => { if (dialog.open) dialog.close(); else finish(); };
    dialog.addEventListener('close', finish, { once: true });
    signal.addEventListener('abort', close, { once: true });
    cancel.addEventListener('click', close);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      message.show(null);
      const values = {};
      let first = null;
      for (const c of controls) {
        c.setError(null);
        const read = c.read();
        const problem = read.problem ?? (isEmpty(read.value) ? t('validation.required') : null);
        if (problem) { c.setError(problem); first ??= c; } else values[c.key] = read.value;
      }
      if (first) { first.input?.focus(); return; }
      submit.disabled = true;
      try {
        answer = { record: await api.patch(path, { stage, fields: values }, { headers: { 'If-Match': recordETag(record) }, signal }) };
        close();
      } catch (failure) {
        if (isAbort(failure) || failure.status === 401) return;
        let shown = null;
        for (const c of controls) {
          const text = Object.entries(failure.fieldErrors ?? {}).find(([n]) => n === c.name || n.startsWith(`${c.name}.`))?.[1];
          if (text) { c.setError(text); shown ??= c; }
        }
        if (shown && failure.status === 422) { shown.input?.focus(); return; }
        answer = { error: failure };
        close();
      } finally {
        submit.disabled = false;
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    controls[0]?.input?.focus();
  });
}

/**
 * A record's stage on its page: the stage with its outcome, since when and how likely; "Move to…"
 * (`canWrite`); the history, each stage with when it was entered and left, the time spent in it in
 * words and who moved the record there. `onMoved(record)` after a move made here.
 * Returns { element, update(type, record) } — `update` draws a changed record (and reads the
 * history again when its stage changed).
 */
export function stageCard({ type: initialType, record: initialRecord, refs, signal, canWrite, onMoved }) {
  let type = initialType;
  let record = initialRecord;
  const current = h('div', { class: 'stage-current', 'data-field': 'stage' });
  const moveSlot = h('div', { class: 'stage-move-slot' });
  const status = h('p', { class: 'muted small', role: 'status', 'data-field': 'stage-status' });
  const historyTitle = h('h3', { id: uid('stage-history') }, t('pipeline.history'));
  const history = h('div', { 'data-list': 'stage-history' });
  const element = h('section', { class: 'card', 'aria-labelledby': 'record-stage-title', 'data-card': 'record-stage' },
    h('h2', { id: 'record-stage-title' }, t('pipeline.stage')), current, moveSlot, status, historyTitle, history);

  const drawCurrent = () => {
    const stage = stageOf(type, record.stage);
    element.dataset.stage = record.stage ?? '';
    element.dataset.outcome = stage ? outcomeOf(stage) : '';
    replace(current,
      h('p', { class: 'stage-now' }, h('strong', { 'data-field': 'stage-label' }, stageLabel(type, record.stage)), ' ', outcomeBadge(stage),
        stage && typeof stage.probability === 'number' ? h('span', { class: 'muted', 'data-field': 'probability' }, ' ', t('pipeline.probability', { percent: formatNumber(stage.probability / 100, { style: 'percent' }) })) : null),
      record.stage_entered_at ? h('p', { class: 'muted small' }, t('pipeline.since'), ' ', timeElement(record.stage_entered_at)) : null);
    replace(moveSlot, canWrite && stagesOf(type).length > 1 ? moveControl({
      type, record, label: t('pipeline.moveNamed', { title: titleOf(type, record) }),
      onMove: async (stage, select) => {
        status.textContent = '';
        const moved = await moveRecord({ type, record, stage, refs, signal });
        if (moved.record) {
          record = moved.record;
          status.textContent = t('pipeline.moved', { title: titleOf(type, record), stage: stageLabel(type, record.stage) });
          drawCurrent();
          loadHistory();
          onMoved?.(record);
          moveSlot.querySelector('select')?.focus();
        } else if (moved.error) {
          status.textContent = moveProblem(moved.error);
          select.focus();
        } else {
          select.focus();
        }
      },
    }) : null);
  };

  let generation = 0;
  const loadHistory = async () => {
    const mine = ++generation;
    history.setAttribute('aria-busy', 'true');
    try {
      const body = await api.get(`/v1/records/${seg(type.key)}/${seg(record.id)}/stages`, { signal });
      if (mine !== generation) return;
      const rows = (body?.data ?? []).filter((row) => row && typeof row.entered_at === 'string');
      if (!rows.length) { replace(history, h('p', { class: 'empty' }, t('pipeline.noHistory'))); return; }
      const caption = t('pipeline.history');
      replace(history, h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': historyTitle.id },
        h('table', { class: 'table stage-history' },
          h('caption', { class: 'visually-hidden' }, caption),
          h('thead', null, h('tr', null, ['stage', 'entered', 'left', 'time', 'by'].map((c) => h('th', { scope: 'col' }, t(`pipeline.column.${c}`))))),
          h('tbody', null, rows.map((row) => {
            const open = !row.left_at;
            // The stage a record stands in now: its time so far (the server counts closed stays).
            const seconds = open ? (Date.now() - Date.parse(row.entered_at)) / 1000 : row.seconds;
            return h('tr', { 'data-stage': row.stage ?? '', 'data-outcome': outcomeOf(stageOf(type, row.stage)), 'data-open': String(open) },
              h('th', { scope: 'row', 'data-field': 'stage' }, stageLabel(type, row.stage), ' ', outcomeBadge(stageOf(type, row.stage))),
              h('td', { 'data-field': 'entered' }, timeElement(row.entered_at)),
              h('td', { 'data-field': 'left' }, open ? h('span', { class: 'muted' }, t('pipeline.stillThere')) : timeElement(row.left_at)),
              h('td', { 'data-field': 'time', 'data-seconds': String(Math.round(seconds ?? 0)) }, open ? t('pipeline.soFar', { time: durationWords(seconds) }) : durationWords(seconds)),
              h('td', { 'data-field': 'by' }, actorName(row.moved_by, refs)));
          })))));
    } catch (error) {
      if (isAbort(error) || error.status === 401 || mine !== generation) return;
      console.warn('stage history', error);
      replace(history, h('p', { class: 'notice notice-error' }, error.status === 403 ? t('records.forbidden') : t('pipeline.historyFailed')));
    } finally {
      if (mine === generation) history.removeAttribute('aria-busy');
    }
  };

  drawCurrent();
  loadHistory();
  return {
    element,
    update(nextType, nextRecord) {
      const moved = nextRecord.stage !== record.stage || nextRecord.stage_entered_at !== record.stage_entered_at;
      type = nextType;
      record = nextRecord;
      const focused = moveSlot.contains(document.activeElement);
      drawCurrent();
      if (focused) moveSlot.querySelector('select')?.focus();
      if (moved) loadHistory();
    },
  };
}

/** The probability of a stage, as the Board's column says it ("50 %"), or null. */
export function probabilityText(stage) {
  return typeof stage?.probability === 'number' ? formatNumber(stage.probability / 100, { style: 'percent' }) : null;
}

/** The label of an outcome for a key that may be unknown. */
export function outcomeText(outcome) {
  return has(`pipeline.outcome.${outcome}`) ? t(`pipeline.outcome.${outcome}`) : String(outcome ?? '');
}
