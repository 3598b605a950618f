// The Board of a type with a pipeline (#/records/{type}?view=board, views/records.js): "Pipeline by
// stage" (pipeline-chart.js) above a column per stage — its label, won or lost, how many records
// stand in it, the sum of the type's first money field — with a card per record (its first text
// field as a link to it, its money). A card dragged to another column (HTML5 drag and drop) moves
// the record there; "Move to…" on each card does the same from the keyboard (record-stages.js: the
// PATCH with If-Match, and the dialog asking for the fields a stage requires). The page hands it the
// rapport.record.* events: a colleague's move shows at once. The Board reads up to 1,000 records of
// the filter, newest change first; the chart counts all of them in the database.

import { api, seg } from '../api.js';
import { h, isAbort, replace, uid } from '../dom.js';
import { t } from '../i18n.js';
import { pipelineChart } from './pipeline-chart.js';
import {
  moneyField, moneySum, moveControl, moveProblem, moveRecord, outcomeBadge, prepare, probabilityText, stageLabel, stagesOf, titleOf,
} from './record-stages.js';
import { eventRecord, formatMoney } from './record-values.js';

const PAGE = 200; // the most records one request may ask for
const PAGES = 5;  // pages the Board reads at most
const CHART_DELAY = 800;

export { prepare };

/** Returns { element, load(filter) (rejects with the server's ApiError), onEvent(event), retype(type) }. */
export function recordBoard({ type: initialType, refs, signal, canWrite }) {
  let type = initialType;
  let filter = '';
  let records = [];
  let truncated = false;
  let dragging = null; // the id of the card being dragged
  let generation = 0;

  const currencies = () => {
    const money = moneyField(type);
    return new Set(money ? records.map((r) => r.fields?.[money.key]?.currency).filter((c) => typeof c === 'string') : []);
  };
  const chart = pipelineChart({ signal, currency: () => (currencies().size === 1 ? [...currencies()][0] : null) });
  const title = h('h2', { id: 'board-title', tabindex: '-1' });
  const hintId = uid('board-hint');
  const hint = h('p', { id: hintId, class: 'muted small' }, t(canWrite ? 'pipeline.board.hint' : 'pipeline.board.readOnly'));
  const status = h('p', { class: 'muted', 'data-field': 'board-status' });
  const notice = h('p', { class: 'board-notice', role: 'status', 'data-field': 'board-notice' });
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true, 'data-field': 'board-problem' });
  const columns = h('div', { class: 'board', 'data-board': type.key });
  const wrap = h('div', { class: 'board-wrap table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': title.id, 'aria-describedby': hintId }, columns);
  const element = h('div', { class: 'board-page', 'data-slot': 'board' }, chart.element,
    h('section', { class: 'card', 'aria-labelledby': title.id, 'data-card': 'board' }, title, hint, status, notice, problem, wrap));

  const say = (message) => { problem.textContent = message ?? ''; problem.hidden = !message; };
  const tell = (message) => { notice.textContent = message ?? ''; };
  const cardOf = (id) => columns.querySelector(`.board-card[data-id="${CSS.escape(id)}"]`);
  const focusMove = (id) => cardOf(id)?.querySelector('[data-action=move-select]')?.focus();

  let chartTimer = null;
  const chartSoon = (delay = CHART_DELAY) => {
    clearTimeout(chartTimer);
    chartTimer = setTimeout(() => chart.load(type, filter), delay);
  };
  signal.addEventListener('abort', () => clearTimeout(chartTimer), { once: true });

  // ---- drawing ----

  const card = (record, money) => {
    const name = titleOf(type, record) || record.id;
    const value = money ? record.fields?.[money.key] : null;
    return h('li', { class: 'board-card', draggable: canWrite ? 'true' : null, 'data-id': record.id, 'data-version': String(record.version ?? '') },
      h('a', { href: `#/records/${encodeURIComponent(type.key)}/${encodeURIComponent(record.id)}`, class: 'board-card-title',
        draggable: 'false', 'data-action': 'open-record', 'data-field': 'title' }, name),
      value ? h('p', { class: 'board-card-money', 'data-field': 'money' }, formatMoney(value)) : null,
      canWrite ? moveControl({ type, record, label: t('pipeline.moveNamed', { title: name }), onMove: (stage) => move(record.id, stage, true) }) : null);
  };

  const column = (col, money) => {
    const headId = uid('board-column');
    const probability = probabilityText(col.stage);
    return h('section', { class: 'board-column', 'aria-labelledby': headId, 'data-stage': col.key, 'data-count': String(col.items.length),
      'data-outcome': col.stage?.outcome ?? null,
      'data-drop': col.stage && canWrite ? 'true' : null },
    h('h3', { id: headId, class: 'board-column-title' }, h('span', { 'data-field': 'label' }, col.label), ' ', outcomeBadge(col.stage)),
    h('p', { class: 'board-sum' },
      h('span', { 'data-field': 'count' }, t('pipeline.board.count', { count: col.items.length })),
      money ? h('span', { 'data-field': 'sum' }, moneySum(col.items.map((r) => r.fields?.[money.key])) || t('pipeline.board.noSum')) : null,
      probability ? h('span', { class: 'muted', 'data-field': 'probability' }, t('pipeline.probability', { percent: probability })) : null),
    col.items.length ? h('ol', { class: 'board-cards', 'aria-labelledby': headId }, col.items.map((r) => card(r, money)))
      : h('p', { class: 'empty board-empty' }, t('pipeline.board.empty')));
  };

  const draw = () => {
    const active = document.activeElement;
    const again = columns.contains(active) && active.closest('.board-card') ? { id: active.closest('.board-card').dataset.id, action: active.dataset.action } : null;
    const plural = type.plural_label || type.label || type.key;
    title.textContent = t('pipeline.board.title', { plural });
    const money = moneyField(type);
    const stages = stagesOf(type);
    const known = new Set(stages.map((s) => s.key));
    const strays = records.filter((r) => !known.has(r.stage));
    const cols = [
      ...(strays.length ? [{ key: '', label: t('pipeline.noStage'), stage: null, items: strays }] : []),
      ...stages.map((s) => ({ key: s.key, label: s.label || s.key, stage: s, items: records.filter((r) => r.stage === s.key) })),
    ];
    replace(columns, cols.map((col) => column(col, money)));
    status.textContent = truncated ? t('pipeline.board.truncated', { count: records.length })
      : records.length ? t('records.count', { count: records.length }) : filter ? t('records.noneMatch') : t('records.none', { plural });
    if (again?.action) cardOf(again.id)?.querySelector(`[data-action="${again.action}"]`)?.focus();
  };

  /** A record as it is now: kept when it is newer than the one shown (or new). */
  const put = (record) => {
    const index = records.findIndex((r) => r.id === record.id);
    if (index < 0) { records = [record, ...records]; return true; }
    if ((records[index].version ?? 0) > (record.version ?? 0)) return false;
    records[index] = record;
    return true;
  };

  // ---- moving ----

  const busy = new Set();
  const reread = async (id) => {
    try {
      put(await api.get(`/v1/records/${seg(type.key)}/${seg(id)}`, { signal }));
    } catch (error) {
      if (isAbort(error) || error.status === 401) return;
      if (error.status === 404) records = records.filter((r) => r.id !== id);
    }
    draw();
  };
  /** Moves a record to `stage`; `keyboard`: the focus goes back to its card's "Move to…". */
  const move = async (id, stage, keyboard = false) => {
    const record = records.find((r) => r.id === id);
    if (!record || !stage || record.stage === stage || busy.has(id)) return;
    busy.add(id);
    say(null);
    tell(null);
    cardOf(id)?.setAttribute('aria-busy', 'true');
    const moved = await moveRecord({ type, record, stage, refs, signal });
    busy.delete(id);
    if (signal.aborted) return;
    cardOf(id)?.removeAttribute('aria-busy');
    if (moved.record) {
      put(moved.record);
      draw();
      tell(t('pipeline.moved', { title: titleOf(type, moved.record), stage: stageLabel(type, moved.record.stage) }));
      chartSoon(0);
    } else if (moved.error) {
      say(moveProblem(moved.error));
      if (moved.error.status === 412 || moved.error.status === 404) await reread(id);
    }
    if (keyboard || !moved.record) focusMove(id);
  };

  // Drag and drop: a card onto a column (the column says it takes it while one is over it).
  const dropTarget = (event) => {
    const col = event.target.closest?.('.board-column[data-drop=true]');
    return dragging && col ? col : null;
  };
  const endDrag = () => {
    dragging = null;
    for (const el of columns.querySelectorAll('.board-drop, .board-dragging')) el.classList.remove('board-drop', 'board-dragging');
  };
  columns.addEventListener('dragstart', (event) => {
    const dragged = event.target.closest?.('.board-card[draggable=true]');
    if (!dragged) return;
    dragging = dragged.dataset.id;
    event.dataTransfer?.setData('text/plain', dragging);
    if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
    dragged.classList.add('board-dragging');
  });
  columns.addEventListener('dragover', (event) => {
    const col = dropTarget(event);
    if (!col) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
    for (const el of columns.querySelectorAll('.board-drop')) if (el !== col) el.classList.remove('board-drop');
    col.classList.add('board-drop');
  });
  columns.addEventListener('dragleave', (event) => {
    const col = event.target.closest?.('.board-column');
    if (col && !col.contains(event.relatedTarget)) col.classList.remove('board-drop');
  });
  columns.addEventListener('drop', (event) => {
    const col = dropTarget(event);
    if (!col) return;
    event.preventDefault();
    const id = dragging;
    endDrag();
    move(id, col.dataset.stage);
  });
  columns.addEventListener('dragend', endDrag);

  // ---- reading ----

  let reloadTimer = null;
  signal.addEventListener('abort', () => clearTimeout(reloadTimer), { once: true });
  /** Reads the filter's records (up to PAGES pages); rejects with the server's error (a filter it cannot run). */
  const load = async (nextFilter = filter) => {
    const mine = ++generation;
    wrap.setAttribute('aria-busy', 'true');
    try {
      const items = [];
      let cursor = null;
      let pages = 0;
      do {
        const page = await api.get(`/v1/records/${seg(type.key)}`, { query: { filter: nextFilter || null, sort: '-updated_at', limit: PAGE, cursor }, signal });
        items.push(...(page?.data ?? []).filter((r) => typeof r?.id === 'string'));
        cursor = page?.next_cursor ?? null;
        pages += 1;
      } while (cursor && pages < PAGES && mine === generation);
      if (mine !== generation) return false;
      const seen = new Set();
      records = items.filter((r) => !seen.has(r.id) && seen.add(r.id));
      truncated = Boolean(cursor);
      filter = nextFilter;
      say(null);
      draw();
      chart.load(type, filter);
      return true;
    } finally {
      if (mine === generation) wrap.removeAttribute('aria-busy');
    }
  };
  const reloadSoon = () => {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => load().catch((error) => { if (!isAbort(error)) console.warn('board', error); }), 300);
  };

  return {
    element,
    load,
    /** A rapport.record.* event: a record of this type drawn where it stands now. */
    onEvent(event) {
      const item = eventRecord(event);
      if (item?.type !== type.key || typeof item?.id !== 'string') return;
      if (event.type === 'rapport.record.deleted') {
        records = records.filter((r) => r.id !== item.id);
        draw();
        chartSoon();
        return;
      }
      // A filter decides which records the Board shows: the server says which match now.
      if (filter) { reloadSoon(); return; }
      if (put(item)) { draw(); chartSoon(); }
    },
    retype(next) {
      type = next;
      draw();
      chartSoon(0);
    },
  };
}
