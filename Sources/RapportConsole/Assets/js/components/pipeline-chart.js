// "Pipeline by stage" above a type's Board (record-board.js): the sum of the type's first money
// field per stage (the number of records when it has none), in pipeline order, computed in the
// database (GET /v1/aggregates?source=records.<type>&measures=count,sum:fields.<money>.amount&
// group_by=stage, with the Board's CEL filter). Drawn as dashboards.js draws its charts: inline SVG
// made with createElementNS (role="img", named by a summary), the same numbers in a table below it.

import { api } from '../api.js';
import { h, isAbort, replace, svg } from '../dom.js';
import { currentLocale, formatNumber, t } from '../i18n.js';
import { moneyField, outcomeBadge, stagesOf } from './record-stages.js';

// Bar fills by outcome, each at least 3:1 on white (as the dashboards' colours).
const FILLS = { open: '#1d4ed8', won: '#047857', lost: '#be123c' };

/** The chart's card. `load(filter)` asks the server again; `currency()` names the sums' currency
 * when the Board's records have one only (the database adds amounts, whatever their currency). */
export function pipelineChart({ signal, currency }) {
  const slot = h('div', { 'data-report': 'pipeline' }, h('p', { class: 'muted' }, t('app.loading')));
  const element = h('section', { class: 'card', 'aria-labelledby': 'pipeline-chart-title', 'data-card': 'pipeline-chart' },
    h('h2', { id: 'pipeline-chart-title' }, t('pipeline.chart.title')), slot);
  let generation = 0;

  const load = async (type, filter) => {
    const mine = ++generation;
    const money = moneyField(type);
    const measure = money ? `sum:fields.${money.key}.amount` : 'count';
    slot.setAttribute('aria-busy', 'true');
    try {
      const body = await api.get('/v1/aggregates', { query: {
        source: `records.${type.key}`, measures: money ? `count,${measure}` : 'count', group_by: 'stage', filter: filter || null }, signal });
      if (mine !== generation) return;
      const byStage = new Map();
      for (const row of body?.data ?? []) byStage.set(row?.group?.stage ?? null, row?.values ?? {});
      const rows = stagesOf(type).map((s) => ({ key: s.key, label: s.label || s.key, stage: s, values: byStage.get(s.key) ?? {} }));
      if ((byStage.get(null)?.count ?? 0) > 0) rows.push({ key: '', label: t('pipeline.noStage'), stage: null, values: byStage.get(null) });
      replace(slot, draw(rows, { measure, money, currency: money ? currency() : null }));
    } catch (error) {
      if (isAbort(error) || error.status === 401 || mine !== generation) return;
      console.warn('pipeline chart', error);
      replace(slot, h('p', { class: 'notice notice-error', 'data-field': 'chart-problem' },
        error.status === 403 ? t('records.forbidden') : error.status === 400 ? t('pipeline.chart.refused', { detail: error.message })
          : error.status === 404 ? t('pipeline.chart.missing') : t('pipeline.chart.failed')));
    } finally {
      if (mine === generation) slot.removeAttribute('aria-busy');
    }
  };
  return { element, load };
}

function draw(rows, { measure, money, currency }) {
  const number = (value) => formatNumber(Number(value) || 0, money ? { minimumFractionDigits: 2, maximumFractionDigits: 2 } : {});
  const amount = (value) => (currency ? `${number(value)} ${currency}` : number(value));
  const bars = rows.map((r) => {
    const value = Number(r.values[measure] ?? 0) || 0;
    return { ...r, value, text: money ? amount(value) : formatNumber(value), count: Number(r.values.count ?? 0) || 0 };
  });
  if (!bars.length) return h('p', { class: 'empty' }, t('pipeline.chart.empty'));
  const list = new Intl.ListFormat(currentLocale(), { type: 'unit' }).format(bars.map((b) => t('pipeline.chart.pair', { stage: b.label, value: b.text })));
  const summary = t(money ? 'pipeline.chart.summaryMoney' : 'pipeline.chart.summaryCount', { field: money?.label || money?.key || '', list });
  const caption = t('pipeline.chart.title');
  const headers = [t('pipeline.column.stage'), t('pipeline.chart.records'), ...(money ? [t('pipeline.chart.sum', { field: money.label || money.key })] : [])];
  return h('div', { class: 'dash-pair' },
    h('div', null, hbars(bars, summary)),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, h('table', { class: 'table dash-table', 'data-table': 'pipeline' },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, headers.map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', null, bars.map((b) => h('tr', { 'data-stage': b.key },
        h('th', { scope: 'row' }, b.label, ' ', outcomeBadge(b.stage)),
        h('td', { 'data-field': 'count' }, formatNumber(b.count)),
        money ? h('td', { 'data-field': 'sum' }, b.text) : null))))));
}

/** Horizontal bars in pipeline order, a label above each; `rows`: [{ label, value, text, stage }]. */
function hbars(rows, summary) {
  const W = 400, ROW = 44, max = Math.max(1, ...rows.map((r) => r.value));
  return svg('svg', { viewBox: `0 0 ${W} ${rows.length * ROW}`, class: 'chart chart-h', role: 'img', 'aria-label': summary, 'data-chart': 'pipeline' },
    rows.map((r, i) => {
      const width = r.value > 0 ? Math.max(2, (r.value / max) * (W - 150)) : 0;
      const label = [...String(r.label)];
      return svg('g', { 'data-stage': r.key },
        svg('text', { x: 0, y: i * ROW + 15 }, label.length > 44 ? `${label.slice(0, 43).join('')}…` : r.label),
        svg('rect', { x: 0, y: i * ROW + 21, width, height: 16, rx: 2, fill: FILLS[r.stage?.outcome] ?? FILLS.open }),
        svg('text', { x: width + 6, y: i * ROW + 34 }, r.text));
    }));
}
