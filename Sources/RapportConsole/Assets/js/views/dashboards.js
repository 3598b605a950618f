// #/dashboards?days=14: the reports the server computes in the database (/v1/reports/…). Each
// chart is inline SVG made with createElementNS (role="img", named by a summary) with the same
// numbers in a table below it. Refresh button; events that change the numbers refresh it too.

import { api } from '../api.js';
import { h, isAbort, replace, svg, uid } from '../dom.js';
import { currentLocale, formatDateTime, formatNumber, has, t } from '../i18n.js';
import { follow } from '../live.js';
import * as lookups from '../lookups.js';
import { ADMIN_ROLES } from '../router.js';
import * as session from '../session.js';

const PERIODS = [7, 14, 30];
const STATUSES = ['open', 'pending', 'snoozed', 'resolved'];
// Bar fills, each at least 3:1 on white; chart text uses the text colour (app.css).
const COLORS = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0e7490', '#4d5b6a'];
const LIVE_TYPES = ['interaction.created', 'conversation.created', 'conversation.updated', 'conversation.routed',
  'duplicate.proposed', 'duplicate.accepted', 'duplicate.rejected'].map((type) => `rapport.${type}`);

export default async function render({ container, query, signal, setTitle }) {
  setTitle(t('dash.title'));
  let days = PERIODS.includes(Number(query.get('days'))) ? Number(query.get('days')) : 14;
  const periodId = uid('period');
  const period = h('select', { id: periodId }, PERIODS.map((n) => h('option', { value: n, selected: n === days }, t('dash.days', { days: n }))));
  const refresh = h('button', { type: 'button', class: 'button', 'data-action': 'refresh' }, t('dash.refresh'));
  const status = h('p', { class: 'muted small', role: 'status' }, t('app.loading'));
  const slots = {};
  const section = (key, wide) => {
    const id = uid('dash');
    slots[key] = h('div', { 'data-report': key });
    return h('section', { class: ['card', wide && 'dash-wide'], 'aria-labelledby': id }, h('h2', { id }, t(`dash.${key}.title`)), slots[key]);
  };
  container.append(
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, t('dash.title')),
      h('div', { class: 'actions-row' }, h('div', { class: 'field' }, h('label', { for: periodId }, t('dash.period')), period), refresh)),
    status,
    h('div', { class: 'dash-grid' }, section('interactions', true), section('departments'), section('queues'),
      section('responses', true), section('routing', true), section('duplicates'), section('consumers')));

  let loading = null;
  const load = async () => {
    loading?.abort();
    const controller = new AbortController();
    loading = controller;
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    const get = (path, q) => api.get(path, { query: q, signal: controller.signal });
    refresh.disabled = true;
    const mayRules = ADMIN_ROLES.includes(session.user()?.role);
    const [channels, departments, queues, rules, ...reports] = await Promise.all([
      lookups.optional(lookups.channels), lookups.optional(lookups.departments), lookups.optional(lookups.queues),
      mayRules ? get('/v1/rules').then((b) => new Map((b?.data ?? []).map((r) => [r.id, r])), () => new Map()) : new Map(),
      ...[['interactions', { days }], ['conversations'], ['response-times', { days }], ['routing', { days }], ['duplicates']]
        .map(([name, q]) => get(`/v1/reports/${name}`, q).catch((e) => e)),
      get('/v1/consumers').catch((e) => e),
    ]);
    if (controller.signal.aborted) return;
    const [interactions, conversations, responses, routing, duplicates, consumers] = reports;
    const name = (map, id) => (id ? map.get(id)?.name ?? id : t('dash.noDepartment'));
    const show = (keys, body, draw) => {
      for (const key of keys) {
        if (body instanceof Error) {
          if (!isAbort(body) && body.status !== 401) console.warn('dashboards', body);
          replace(slots[key], h('p', { class: 'notice notice-error' }, body.status === 403 ? t('app.forbidden') : t('app.error')));
        } else {
          replace(slots[key], draw(key));
        }
      }
    };
    show(['interactions'], interactions, () => interactionsReport(interactions, channels));
    show(['departments', 'queues'], conversations, (key) => conversationsReport(key,
      key === 'departments' ? conversations.departments.map((d) => ({ id: d.department_id, name: name(departments, d.department_id), counts: d.counts }))
        : conversations.queues.map((q) => ({ id: q.queue_id, name: name(queues, q.queue_id), counts: q.counts }))));
    show(['responses'], responses, () => responsesReport(responses.data.map((r) => ({ ...r, id: r.department_id ?? '', name: name(departments, r.department_id) }))));
    show(['routing'], routing, () => routingReport(routing, rules));
    show(['duplicates'], duplicates, () => duplicatesReport(duplicates.counts ?? {}));
    show(['consumers'], consumers, () => consumersReport(consumers.data ?? []));
    refresh.disabled = false;
    status.textContent = t('dash.updated', { time: formatDateTime(new Date(), { timeStyle: 'medium' }) });
  };

  period.addEventListener('change', () => {
    days = Number(period.value);
    history.replaceState(null, '', `#/dashboards?days=${days}`);
    load();
  });
  refresh.addEventListener('click', load);
  let timer = null;
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  follow({ types: LIVE_TYPES, signal, onEvent: () => { clearTimeout(timer); timer = setTimeout(load, 3000); } });
  await load();
}

// ---- reports ----

function interactionsReport(report, channels) {
  const ids = [...new Set(report.data.map((r) => r.channel_id))];
  const dates = [...new Set(report.data.map((r) => r.date))].sort();
  const total = new Map();
  for (const r of report.data) total.set(`${r.date}|${r.channel_id}`, (r.inbound ?? 0) + (r.outbound ?? 0));
  const value = (date, id) => total.get(`${date}|${id}`) ?? 0;
  const names = ids.map((id) => channels.get(id)?.name ?? id);
  const dayTotals = dates.map((d) => ids.reduce((n, id) => n + value(d, id), 0));
  if (!ids.length) return h('p', { class: 'empty' }, t('dash.interactions.empty'));
  const sum = dayTotals.reduce((a, b) => a + b, 0);
  const peak = Math.max(...dayTotals);
  const peakDay = dates[dayTotals.indexOf(peak)];
  const summary = t('dash.interactions.summary', { total: formatNumber(sum), days: dates.length, day: shortDate(peakDay), max: formatNumber(peak) });

  // Stacked bars, one per day; a label under every few days.
  const W = 400, H = 200, L = 40, B = 24, plotW = W - L - 16, plotH = H - B - 8;
  const max = Math.max(1, peak);
  const step = plotW / dates.length;
  const every = Math.ceil(dates.length / 6);
  const bars = dates.flatMap((date, i) => {
    let y = H - B;
    return ids.map((id, c) => {
      const height = (value(date, id) / max) * plotH;
      y -= height;
      return height ? svg('rect', { x: L + i * step + step * 0.15, y, width: step * 0.7, height, fill: COLORS[c % COLORS.length] }) : null;
    });
  });
  const ticks = dates.map((date, i) => ((dates.length - 1 - i) % every ? null
    : svg('text', { x: L + i * step + step / 2, y: H - 6, 'text-anchor': 'middle' }, shortDate(date))));
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': summary },
    svg('line', { x1: L, x2: L + plotW, y1: H - B, y2: H - B, class: 'chart-axis' }),
    svg('line', { x1: L, x2: L + plotW, y1: H - B - plotH, y2: H - B - plotH, class: 'chart-grid' }),
    svg('text', { x: L - 6, y: H - B, 'text-anchor': 'end' }, formatNumber(0)),
    svg('text', { x: L - 6, y: H - B - plotH + 10, 'text-anchor': 'end' }, formatNumber(max)),
    bars, ticks);
  const legend = h('ul', { class: 'chart-legend' }, names.map((n, c) => h('li', null, swatch(c), n)));
  return pair([chart, legend], dataTable(t('dash.interactions.caption'),
    [t('dash.day'), ...names, t('dash.total')],
    dates.map((date, i) => ({
      id: date,
      head: h('time', { datetime: date }, formatDateTime(date, { dateStyle: 'medium', timeZone: 'UTC' })),
      cells: [...ids.map((id) => ({ value: formatNumber(value(date, id)), attrs: { 'data-channel': id } })), { value: formatNumber(dayTotals[i]) }],
    }))));
}

function conversationsReport(key, rows) {
  if (!rows.length) return h('p', { class: 'empty' }, t('dash.emptyReport'));
  const statuses = [...new Set([...STATUSES, ...rows.flatMap((r) => Object.keys(r.counts ?? {}))])];
  const bars = rows.map((r) => ({ label: r.name, value: r.counts?.open ?? 0 }));
  return [
    hbars(bars, t(`dash.${key}.summary`, { list: listSummary(bars) })),
    dataTable(t(`dash.${key}.caption`), [t(`dash.${key}.name`), ...statuses.map((s) => (has(`conversation.status.${s}`) ? t(`conversation.status.${s}`) : s))],
      rows.map((r) => ({ id: r.id, head: r.name, cells: statuses.map((s) => ({ value: formatNumber(r.counts?.[s] ?? 0), attrs: { 'data-status': s } })) }))),
  ];
}

function responsesReport(rows) {
  if (!rows.length) return h('p', { class: 'empty' }, t('dash.emptyReport'));
  const bars = rows.map((r) => ({ label: r.name, value: r.average_first_response_seconds ?? 0, text: duration(r.average_first_response_seconds) }));
  return [
    h('p', { class: 'muted small' }, t('dash.responses.intro')),
    pair(hbars(bars, t('dash.responses.summary', { list: listSummary(bars) })), dataTable(t('dash.responses.caption'), [t('dash.departments.name'), t('dash.responses.conversations'), t('dash.responses.responded'),
      t('dash.responses.firstResponse'), t('dash.responses.resolved'), t('dash.responses.resolution')],
    rows.map((r) => ({ id: r.id, head: r.name, cells: [formatNumber(r.conversations ?? 0), formatNumber(r.responded ?? 0),
      duration(r.average_first_response_seconds), formatNumber(r.resolved ?? 0), duration(r.average_resolution_seconds)].map((value) => ({ value })) })))),
  ];
}

function routingReport(report, rules) {
  const part = (key, items, label) => {
    const bars = items.map((item) => ({ id: item[key], label: label(item[key]), value: item.count }));
    return h('div', { class: 'dash-part' }, h('h3', null, t(`dash.routing.${key}`)),
      bars.length ? [
        hbars(bars, t('dash.routing.summary', { title: t(`dash.routing.${key}`), list: listSummary(bars) })),
        dataTable(t(`dash.routing.${key}`), [t(`dash.routing.${key}`), t('dash.count')], bars.map((b) => ({ id: b.id, head: b.label, cells: [{ value: formatNumber(b.value) }] }))),
      ] : h('p', { class: 'empty' }, t('dash.emptyReport')));
  };
  return [
    tile(t('dash.routing.total'), report.total ?? 0, 'routing-total'),
    h('div', { class: 'dash-parts' },
      part('reason', report.by_reason ?? [], (r) => (has(`dash.reason.${r}`) ? t(`dash.reason.${r}`) : r)),
      part('rule_id', report.by_rule ?? [], (id) => rules.get(id)?.name ?? id),
      part('label', report.by_label ?? [], (l) => l)),
  ];
}

function duplicatesReport(counts) {
  const others = Object.entries(counts).filter(([s]) => s !== 'open');
  return [
    tile(t('dash.duplicates.open'), counts.open ?? 0, 'duplicates-open'),
    others.length ? h('p', { class: 'muted small' }, others.map(([s, n]) => t('dash.duplicates.other', { status: has(`dash.dupStatus.${s}`) ? t(`dash.dupStatus.${s}`) : s, count: formatNumber(n) })).join(' · ')) : null,
    h('p', null, h('a', { href: '#/duplicates' }, t('dash.duplicates.review'))),
  ];
}

function consumersReport(consumers) {
  if (!consumers.length) return h('p', { class: 'empty' }, t('dash.emptyReport'));
  return dataTable(t('dash.consumers.caption'), [t('admin.consumers.name'), t('admin.consumers.lag'), t('admin.consumers.position')],
    consumers.map((c) => ({ id: c.name, head: h('span', { class: 'mono' }, c.name), cells: [
      { value: h('span', { class: c.lag > 0 ? 'badge badge-pending' : 'badge badge-open' }, formatNumber(c.lag ?? 0)), attrs: { 'data-lag': c.lag ?? 0 } },
      { value: c.position ?? '' }] })));
}

// ---- pieces ----

/** Horizontal bars, a label above each; `rows`: [{ label, value }]. */
function hbars(rows, summary) {
  const W = 400, ROW = 44, max = Math.max(1, ...rows.map((r) => r.value));
  return svg('svg', { viewBox: `0 0 ${W} ${rows.length * ROW}`, class: 'chart chart-h', role: 'img', 'aria-label': summary },
    rows.map((r, i) => {
      const width = r.value ? Math.max(2, (r.value / max) * (W - 110)) : 0;
      const label = [...String(r.label)];
      return svg('g', null,
        svg('text', { x: 0, y: i * ROW + 15 }, label.length > 44 ? `${label.slice(0, 43).join('')}…` : r.label),
        svg('rect', { x: 0, y: i * ROW + 21, width, height: 16, rx: 2, fill: COLORS[0] }),
        svg('text', { x: width + 6, y: i * ROW + 34 }, r.text ?? formatNumber(r.value)));
    }));
}

/** A chart and its table: side by side when there is room, else the table below. */
function pair(chart, numbers) {
  return h('div', { class: 'dash-pair' }, h('div', null, chart), numbers);
}

function swatch(index) {
  return svg('svg', { viewBox: '0 0 10 10', class: 'swatch', 'aria-hidden': 'true' }, svg('rect', { width: 10, height: 10, fill: COLORS[index % COLORS.length] }));
}

/** A table with a caption, column headers and a row header per row; `rows`: [{ id, head, cells: [{ value, attrs }] }]. */
function dataTable(caption, headers, rows) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, h('table', { class: 'table dash-table' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', null, h('tr', null, headers.map((label) => h('th', { scope: 'col' }, label)))),
    h('tbody', null, rows.map((row) => h('tr', { 'data-id': row.id }, h('th', { scope: 'row' }, row.head),
      row.cells.map((cell) => h('td', cell.attrs ?? null, cell.value)))))));
}

function tile(label, value, key) {
  return h('p', { class: 'tile', 'data-tile': key }, h('span', { class: 'tile-value' }, formatNumber(value)), h('span', { class: 'tile-label' }, label));
}

function listSummary(bars) {
  const list = bars.slice(0, 8).map((b) => t('dash.pair', { name: b.label, value: b.text ?? formatNumber(b.value) }));
  return new Intl.ListFormat(currentLocale(), { type: 'unit' }).format(list);
}

function shortDate(date) {
  return formatDateTime(date, { month: 'numeric', day: 'numeric', timeZone: 'UTC' });
}

/** Seconds as "2 h 5 min" in the locale (the two largest units); '—' for null. */
function duration(seconds) {
  if (seconds === null || seconds === undefined) return t('dash.noValue');
  const s = Math.round(seconds);
  const all = [['day', Math.floor(s / 86400)], ['hour', Math.floor((s % 86400) / 3600)], ['minute', Math.floor((s % 3600) / 60)], ['second', s % 60]];
  const found = all.findIndex(([, n]) => n > 0);
  const first = found < 0 ? 3 : found;
  const parts = all.slice(first, first + 2).filter(([, n], i) => n > 0 || i === 0);
  // Intl.DurationFormat leaves out zero units (and says nothing for 0 s): then units one by one.
  const text = typeof Intl.DurationFormat === 'function'
    ? new Intl.DurationFormat(currentLocale(), { style: 'short' }).format(Object.fromEntries(parts.map(([u, n]) => [`${u}s`, n]))) : '';
  return text || parts.map(([unit, n]) => formatNumber(n, { style: 'unit', unit, unitDisplay: 'short' })).join(' ');
}
