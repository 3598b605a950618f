// A process version drawn as inline SVG from its BPMN DI (GET /v1/processes/{key}: each node's
// `bounds`, each flow's `waypoints`): events as circles, gateways as diamonds, tasks as rounded
// rectangles, flows as polylines with an arrow, names as SVG text. Each node shows its active
// tokens and incidents as small badges, and an instance's path is coloured (completed, active,
// incident). The same numbers stand in a table of the nodes below the drawing; a version without a
// diagram gets that table and a list of its flows instead. Text goes in as text nodes only.

import { h, svg, uid } from '../dom.js';
import { formatNumber, t } from '../i18n.js';
import { typeText } from './process-text.js';

const PAD = 24;
const LABEL_ROOM = 40; // under events and gateways, for their names
const FONT = 12;
const LINE = 14;

const shapeOf = (type) => (/Event$/.test(type) ? 'event' : /Gateway$/.test(type) ? 'gateway' : 'task');

/**
 * `definition`: a version with `nodes` and `flows`. `active`, `incidents`: Map node id -> count.
 * `completed`: the ids of nodes an instance has completed (its path), or null for none shown.
 * Returns { element, drawn } (drawn: whether the version has a diagram).
 */
export function processDiagram(definition, { active = new Map(), incidents = new Map(), completed = null } = {}) {
  const nodes = definition?.nodes ?? [];
  const flows = definition?.flows ?? [];
  const stateOf = (id) => ((incidents.get(id) ?? 0) > 0 ? 'incident' : (active.get(id) ?? 0) > 0 ? 'active'
    : completed?.has(id) ? 'completed' : 'idle');
  const drawn = nodes.some((node) => node.bounds);
  const parts = [];
  if (drawn) {
    parts.push(drawing(definition, { active, incidents, stateOf, path: completed !== null }));
  } else {
    parts.push(h('p', { class: 'notice notice-info', 'data-field': 'no-diagram' }, t('processes.diagram.none')));
  }
  parts.push(nodeTable(nodes, { active, incidents, stateOf, path: completed !== null }));
  if (!drawn) parts.push(flowList(flows, nodes));
  return { element: h('div', { class: 'process-diagram', 'data-diagram': drawn ? 'drawn' : 'list' }, parts), drawn };
}

function drawing(definition, { active, incidents, stateOf, path }) {
  const nodes = definition.nodes.filter((node) => node.bounds);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const xs = [];
  const ys = [];
  for (const { bounds: b, type } of nodes) {
    xs.push(b.x, b.x + b.width);
    ys.push(b.y - 12, b.y + b.height + (shapeOf(type) === 'task' ? 0 : LABEL_ROOM));
  }
  for (const flow of definition.flows) for (const p of flow.waypoints ?? []) { xs.push(p.x); ys.push(p.y); }
  const minX = Math.min(...xs) - PAD - 30;
  const minY = Math.min(...ys) - PAD;
  const width = Math.max(...xs) - minX + PAD + 30;
  const height = Math.max(...ys) - minY + PAD;
  const arrow = uid('arrow');
  const title = definition.name || definition.key;
  const picture = svg('svg', {
    // A wide diagram keeps its size and scrolls in its frame; a smaller one shrinks to fit.
    class: width > 1200 ? 'diagram diagram-wide' : 'diagram', viewBox: `${round(minX)} ${round(minY)} ${round(width)} ${round(height)}`, width: round(width), height: round(height),
    role: 'img', 'aria-label': t('processes.diagram.label', { name: title }), 'data-chart': 'process',
  },
  svg('defs', null, svg('marker', { id: arrow, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'diagram-arrow' }))),
  definition.flows.map((flow) => flowLine(flow, byId, arrow)),
  // Boundary events sit on their activity's edge: drawn after it, so that it does not cover them.
  [...nodes].sort((a, b) => (a.type === 'boundaryEvent') - (b.type === 'boundaryEvent'))
    .map((node) => nodeShape(node, { active: active.get(node.id) ?? 0, incidents: incidents.get(node.id) ?? 0, state: stateOf(node.id) })));
  const legend = h('ul', { class: 'chart-legend diagram-legend', 'data-list': 'diagram-legend' },
    h('li', null, badgeSample('active'), t('processes.diagram.legendActive')),
    h('li', null, badgeSample('incident'), t('processes.diagram.legendIncident')),
    path ? h('li', null, swatch('completed'), t('processes.diagram.legendCompleted')) : null,
    path ? h('li', null, swatch('active'), t('processes.diagram.legendWaiting')) : null);
  return h('div', null,
    h('div', { class: 'diagram-wrap', tabindex: '0', role: 'region', 'aria-label': t('processes.diagram.region', { name: title }) }, picture),
    legend);
}

function flowLine(flow, byId, arrow) {
  let points = (flow.waypoints ?? []).map((p) => [p.x, p.y]);
  if (points.length < 2) {
    // No waypoints drawn: from the middle of one shape to the middle of the other.
    const from = byId.get(flow.source)?.bounds;
    const to = byId.get(flow.target)?.bounds;
    if (!from || !to) return null;
    points = [[from.x + from.width / 2, from.y + from.height / 2], [to.x + to.width / 2, to.y + to.height / 2]];
  }
  const label = flow.name ? (() => {
    const middle = Math.floor((points.length - 1) / 2);
    const [a, b] = [points[middle], points[middle + 1]];
    return svg('text', { x: round((a[0] + b[0]) / 2 + 4), y: round((a[1] + b[1]) / 2 - 4), class: 'diagram-flow-name' }, flow.name);
  })() : null;
  return svg('g', { class: 'diagram-flow', 'data-flow': flow.id },
    svg('polyline', { points: points.map(([x, y]) => `${round(x)},${round(y)}`).join(' '), 'marker-end': `url(#${arrow})` }),
    label);
}

function nodeShape(node, { active, incidents, state }) {
  const { x, y, width: w, height: hgt } = node.bounds;
  const kind = shapeOf(node.type);
  const name = node.name ?? '';
  const parts = [];
  if (kind === 'event') {
    const r = Math.min(w, hgt) / 2;
    const cx = x + w / 2;
    const cy = y + hgt / 2;
    parts.push(svg('circle', { cx: round(cx), cy: round(cy), r: round(r), class: 'diagram-shape' }));
    if (/^(intermediate|boundary)/.test(node.type)) parts.push(svg('circle', { cx: round(cx), cy: round(cy), r: round(r - 3), class: 'diagram-inner' }));
    parts.push(label(name, cx, y + hgt + 4, Math.max(w * 3, 90), 2));
  } else if (kind === 'gateway') {
    const cx = x + w / 2;
    const cy = y + hgt / 2;
    parts.push(svg('polygon', { points: [[cx, y], [x + w, cy], [cx, y + hgt], [x, cy]].map(([px, py]) => `${round(px)},${round(py)}`).join(' '),
      class: 'diagram-shape' }));
    const mark = gatewayMark(node.type, cx, cy, Math.min(w, hgt) / 5);
    if (mark) parts.push(mark);
    parts.push(label(name, cx, y + hgt + 4, Math.max(w * 3, 90), 2));
  } else {
    parts.push(svg('rect', { x: round(x), y: round(y), width: round(w), height: round(hgt), rx: 10, ry: 10, class: 'diagram-shape' }));
    const lines = wrap(name, w - 10, Math.max(1, Math.floor((hgt - 8) / LINE)));
    const top = y + hgt / 2 - ((lines.length - 1) * LINE) / 2 + FONT / 2 - 2;
    parts.push(svg('text', { class: 'diagram-name', 'text-anchor': 'middle' },
      lines.map((text, i) => svg('tspan', { x: round(x + w / 2), y: round(top + i * LINE) }, text))));
  }
  // Badges at the shape's top corners: active tokens on the left, incidents on the right.
  if (active > 0) parts.push(badge(x, y, active, 'active'));
  if (incidents > 0) parts.push(badge(x + w, y, incidents, 'incident'));
  const said = [name || node.id, typeText(node.type)];
  if (active > 0) said.push(t('processes.diagram.activeCount', { count: active }));
  if (incidents > 0) said.push(t('processes.diagram.incidentCount', { count: incidents }));
  if (state === 'completed') said.push(t('processes.diagram.completed'));
  return svg('g', { class: `diagram-node diagram-${kind}`, 'data-node': node.id, 'data-type': node.type, 'data-shape': kind,
    'data-state': state, 'data-active': active, 'data-incidents': incidents },
  svg('title', null, said.join(' · ')), parts);
}

/** A node's name under its shape, centred, in at most `most` lines. */
function label(text, cx, top, room, most) {
  if (!text) return null;
  return svg('text', { class: 'diagram-name', 'text-anchor': 'middle' },
    wrap(text, room, most).map((line, i) => svg('tspan', { x: round(cx), y: round(top + FONT + i * LINE) }, line)));
}

function gatewayMark(type, cx, cy, s) {
  if (type === 'exclusiveGateway') return svg('path', { class: 'diagram-mark', d: `M${round(cx - s)},${round(cy - s)} L${round(cx + s)},${round(cy + s)} M${round(cx + s)},${round(cy - s)} L${round(cx - s)},${round(cy + s)}` });
  if (type === 'parallelGateway') return svg('path', { class: 'diagram-mark', d: `M${round(cx)},${round(cy - s * 1.3)} V${round(cy + s * 1.3)} M${round(cx - s * 1.3)},${round(cy)} H${round(cx + s * 1.3)}` });
  if (type === 'inclusiveGateway') return svg('circle', { class: 'diagram-mark', cx: round(cx), cy: round(cy), r: round(s * 1.2) });
  return null;
}

function badge(cx, cy, count, kind) {
  const text = formatNumber(count);
  const width = 12 + 7 * [...text].length;
  return svg('g', { class: `diagram-badge diagram-badge-${kind}`, 'data-badge': kind, 'aria-hidden': 'true' },
    svg('rect', { x: round(cx - width / 2), y: round(cy - 10), width, height: 20, rx: 10, ry: 10 }),
    svg('text', { x: round(cx), y: round(cy + 4), 'text-anchor': 'middle' }, text));
}

function badgeSample(kind) {
  return svg('svg', { class: 'swatch diagram-sample', viewBox: '0 0 12 12', 'aria-hidden': 'true', focusable: 'false' },
    svg('g', { class: `diagram-badge diagram-badge-${kind}` }, svg('rect', { x: 0, y: 0, width: 12, height: 12, rx: 6, ry: 6 })));
}

function swatch(state) {
  return svg('svg', { class: 'swatch diagram-sample', viewBox: '0 0 12 12', 'aria-hidden': 'true', focusable: 'false' },
    svg('g', { class: 'diagram-node', 'data-state': state }, svg('rect', { x: 0.5, y: 0.5, width: 11, height: 11, rx: 3, ry: 3, class: 'diagram-shape' })));
}

/** The nodes with their tokens: what the drawing shows, as a table. */
function nodeTable(nodes, { active, incidents, stateOf, path }) {
  const captionId = uid('process-nodes');
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': captionId },
    h('table', { class: 'table process-nodes', 'data-table': 'process-nodes' },
      h('caption', { id: captionId, class: 'table-caption' }, t('processes.nodes.title')),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, t('processes.nodes.node')),
        h('th', { scope: 'col' }, t('processes.nodes.type')),
        h('th', { scope: 'col', class: 'num' }, t('processes.nodes.active')),
        h('th', { scope: 'col', class: 'num' }, t('processes.nodes.incidents')),
        path ? h('th', { scope: 'col' }, t('processes.nodes.path')) : null)),
      h('tbody', null, nodes.map((node) => {
        const state = stateOf(node.id);
        return h('tr', { 'data-node': node.id, 'data-state': state },
          h('th', { scope: 'row', 'data-field': 'name' }, node.name || node.id, node.name ? h('span', { class: 'muted small node-id' }, ` ${node.id}`) : null),
          h('td', { 'data-field': 'type' }, typeText(node.type)),
          h('td', { class: 'num', 'data-field': 'active' }, formatNumber(active.get(node.id) ?? 0)),
          h('td', { class: 'num', 'data-field': 'incidents' }, formatNumber(incidents.get(node.id) ?? 0)),
          path ? h('td', { 'data-field': 'path' }, state === 'idle' ? '' : t(`processes.nodes.state.${state}`)) : null);
      }))));
}

/** The flows of a version without a diagram: from, to, condition. */
function flowList(flows, nodes) {
  const names = new Map(nodes.map((node) => [node.id, node.name || node.id]));
  const titleId = uid('process-flows');
  return h('div', { class: 'process-flows' },
    h('h3', { id: titleId }, t('processes.flows.title')),
    flows.length ? h('ul', { class: 'plain-list', 'aria-labelledby': titleId, 'data-list': 'process-flows' }, flows.map((flow) =>
      h('li', { 'data-flow': flow.id },
        t('processes.flows.step', { from: names.get(flow.source) ?? flow.source, to: names.get(flow.target) ?? flow.target }),
        flow.name ? h('span', { class: 'muted' }, ` (${flow.name})`) : null,
        flow.condition ? [' ', h('span', { class: 'muted' }, t('processes.flows.when')), ' ', h('code', null, flow.condition)] : null)))
      : h('p', { class: 'empty' }, t('processes.flows.none')));
}

/** `text` in lines of about `room` units (CJK characters count twice), at most `most` of them. */
function wrap(text, room, most) {
  const wide = /[\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF]/;
  const widthOf = (s) => [...s].reduce((n, c) => n + (wide.test(c) ? FONT : FONT * 0.58), 0);
  const pieces = String(text).match(/[\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF]|[^\s\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF]+|\s+/g) ?? [];
  const lines = [];
  let line = '';
  for (const piece of pieces) {
    if (/^\s+$/.test(piece)) { if (line) line += ' '; continue; }
    if (line && widthOf(line + piece) > room) { lines.push(line.trimEnd()); line = ''; }
    let rest = piece;
    while (widthOf(rest) > room && [...rest].length > 1) {
      // A word longer than the room: cut where it fills a line.
      const chars = [...rest];
      let n = 1;
      while (n < chars.length && widthOf(chars.slice(0, n + 1).join('')) <= room) n += 1;
      lines.push(chars.slice(0, n).join(''));
      rest = chars.slice(n).join('');
    }
    line += rest;
  }
  if (line.trim()) lines.push(line.trimEnd());
  if (lines.length > most) {
    const kept = lines.slice(0, most);
    kept[most - 1] = `${[...kept[most - 1]].slice(0, -1).join('')}…`;
    return kept;
  }
  return lines;
}

const round = (n) => Math.round(n * 10) / 10;
