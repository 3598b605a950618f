// A process version drawn as inline SVG from its BPMN DI (GET /v1/processes/{key}: each node's
// `bounds`, each flow's `waypoints`), as a BPMN modeler draws it: events as circles (intermediate
// and boundary ones doubled, end events thick, non-interrupting boundary events dashed) with their
// marker (`event`: timer, message, … — filled when thrown, outlined when caught), gateways as
// diamonds with their mark, tasks as rounded rectangles with a small icon of their kind, an
// expanded subprocess as a rounded rectangle behind its inner nodes (`parent`) with its name at the
// top left, flows as polylines with an arrow, names as SVG text. Each node shows its active tokens
// and incidents as small badges, and an instance's path is coloured (completed, active, incident).
// The same numbers stand in a table of the nodes below the drawing; a version without a diagram
// gets that table and a list of its flows instead. Text goes in as text nodes only.

import { h, svg, uid } from '../dom.js';
import { formatNumber, t } from '../i18n.js';
import { kindText } from './process-text.js';

const PAD = 24;
const LABEL_ROOM = 40; // under events and gateways, for their names
const FONT = 12;
const LINE = 14;
const round = (n) => Math.round(n * 10) / 10;

const shapeOf = (type) => (type === 'subProcess' ? 'subprocess' : /Event$/.test(type) ? 'event' : /Gateway$/.test(type) ? 'gateway' : 'task');
/** Events that throw: their marker is filled (caught ones are outlined). */
const THROWS = new Set(['endEvent', 'intermediateThrowEvent']);
/** Whether the centre of bounds `b` lies in bounds `o`. */
const within = (b, o) => b.x + b.width / 2 >= o.x && b.x + b.width / 2 <= o.x + o.width
  && b.y + b.height / 2 >= o.y && b.y + b.height / 2 <= o.y + o.height;

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
  const all = new Map(definition.nodes.map((node) => [node.id, node]));
  const { shown: nodes, expanded, hiddenIn } = layout(definition.nodes.filter((node) => node.bounds), all);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  // The incidents inside a collapsed subprocess (whose inner nodes are not drawn here) count on it.
  const stopped = new Map(incidents);
  for (const [id, holder] of hiddenIn) stopped.set(holder, (stopped.get(holder) ?? 0) + (incidents.get(id) ?? 0));
  const flows = definition.flows.filter((flow) => !hiddenIn.has(flow.source) && !hiddenIn.has(flow.target));
  const xs = [];
  const ys = [];
  for (const { bounds: b, type } of nodes) {
    xs.push(b.x, b.x + b.width);
    ys.push(b.y - 12, b.y + b.height + (/Event$|Gateway$/.test(type) ? LABEL_ROOM : 0));
  }
  for (const flow of flows) for (const p of flow.waypoints ?? []) { xs.push(p.x); ys.push(p.y); }
  const minX = Math.min(...xs) - PAD - 30;
  const minY = Math.min(...ys) - PAD;
  const width = Math.max(...xs) - minX + PAD + 30;
  const height = Math.max(...ys) - minY + PAD;
  const arrow = uid('arrow');
  const title = definition.name || definition.key;
  const nameOf = (id) => all.get(id)?.name || id;
  const shape = (node) => nodeShape(node, { active: active.get(node.id) ?? 0, incidents: stopped.get(node.id) ?? 0, state: stateOf(node.id),
    expanded: expanded.has(node.id), nameOf });
  const picture = svg('svg', {
    // A wide diagram keeps its size and scrolls in its frame; a smaller one shrinks to fit.
    class: width > 1200 ? 'diagram diagram-wide' : 'diagram', viewBox: `${round(minX)} ${round(minY)} ${round(width)} ${round(height)}`, width: round(width), height: round(height),
    role: 'img', 'aria-label': t('processes.diagram.label', { name: title }), 'data-chart': 'process',
  },
  svg('defs', null, svg('marker', { id: arrow, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'diagram-arrow' }))),
  // Painted in layers, as a modeler does: expanded subprocesses (outer ones first) behind
  // everything, then the flows, the other nodes, and the boundary events on their activity's edge.
  nodes.filter((node) => expanded.has(node.id)).sort((a, b) => depth(a, all) - depth(b, all)).map(shape),
  flows.map((flow) => flowLine(flow, byId, arrow)),
  nodes.filter((node) => !expanded.has(node.id) && node.type !== 'boundaryEvent').map(shape),
  nodes.filter((node) => node.type === 'boundaryEvent').map(shape));
  const legend = h('ul', { class: 'chart-legend diagram-legend', 'data-list': 'diagram-legend' },
    h('li', null, badgeSample('active'), t('processes.diagram.legendActive')),
    h('li', null, badgeSample('incident'), t('processes.diagram.legendIncident')),
    path ? h('li', null, swatch('completed'), t('processes.diagram.legendCompleted')) : null,
    path ? h('li', null, swatch('active'), t('processes.diagram.legendWaiting')) : null);
  return h('div', null,
    h('div', { class: 'diagram-wrap', tabindex: '0', role: 'region', 'aria-label': t('processes.diagram.region', { name: title }) }, picture),
    legend);
}

/**
 * Which drawn nodes to show. An expanded subprocess has its inner nodes drawn inside its rectangle;
 * a collapsed one (a modeler draws its inner flow on a diagram of its own, another BPMNPlane) is
 * shown as an activity with a "+", and the nodes inside it are left out (`hiddenIn`: such a node's
 * id -> the outermost collapsed subprocess shown in its place).
 */
function layout(drawn, all) {
  const children = new Map();
  for (const node of drawn) if (node.parent) children.set(node.parent, [...(children.get(node.parent) ?? []), node]);
  const expanded = new Set(drawn.filter((node) => node.type === 'subProcess' && (children.get(node.id) ?? []).length
    && children.get(node.id).every((child) => within(child.bounds, node.bounds))).map((node) => node.id));
  const hiddenIn = new Map();
  for (const node of all.values()) {
    let holder = null;
    for (let up = node.parent, hops = 0; up && hops < 100; up = all.get(up)?.parent, hops += 1) {
      if (!expanded.has(up) && all.get(up)?.type === 'subProcess') holder = up;
    }
    if (holder) hiddenIn.set(node.id, holder);
  }
  return { shown: drawn.filter((node) => !hiddenIn.has(node.id)), expanded, hiddenIn };
}

/** How many subprocesses a node is in. */
function depth(node, all) {
  let n = 0;
  for (let up = node.parent; up && n < 100; up = all.get(up)?.parent) n += 1;
  return n;
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

function nodeShape(node, { active, incidents, state, expanded, nameOf }) {
  const { x, y, width: w, height: hgt } = node.bounds;
  const kind = shapeOf(node.type);
  const name = node.name ?? '';
  const event = kind === 'event' && Object.hasOwn(EVENT_MARKS, node.event ?? '') ? node.event : null;
  const nonInterrupting = node.type === 'boundaryEvent' && node.interrupting === false;
  const parts = [];
  if (kind === 'event') {
    const r = Math.min(w, hgt) / 2;
    const cx = x + w / 2;
    const cy = y + hgt / 2;
    parts.push(svg('circle', { cx: round(cx), cy: round(cy), r: round(r), class: 'diagram-shape' }));
    if (/^(intermediate|boundary)/.test(node.type)) parts.push(svg('circle', { cx: round(cx), cy: round(cy), r: round(r - 3), class: 'diagram-inner' }));
    if (event) parts.push(eventMarker(event, cx, cy, r, event === 'terminate' || THROWS.has(node.type)));
    parts.push(label(name, cx, y + hgt + 4, Math.max(w * 3, 90), 2));
  } else if (kind === 'gateway') {
    const cx = x + w / 2;
    const cy = y + hgt / 2;
    parts.push(svg('polygon', { points: [[cx, y], [x + w, cy], [cx, y + hgt], [x, cy]].map(([px, py]) => `${round(px)},${round(py)}`).join(' '),
      class: 'diagram-shape' }));
    const mark = gatewayMark(node.type, cx, cy, Math.min(w, hgt) / 5);
    if (mark) parts.push(mark);
    parts.push(label(name, cx, y + hgt + 4, Math.max(w * 3, 90), 2));
  } else if (expanded) {
    // An expanded subprocess: behind its inner nodes, its name at the top left.
    parts.push(svg('rect', { x: round(x), y: round(y), width: round(w), height: round(hgt), rx: 10, ry: 10, class: 'diagram-shape' }));
    if (name) {
      parts.push(svg('text', { class: 'diagram-name diagram-corner-name', 'text-anchor': 'start', 'data-field': 'subprocess-name' },
        wrap(name, Math.max(w - 24, 40), 2).map((text, i) => svg('tspan', { x: round(x + 12), y: round(y + 8 + FONT + i * LINE) }, text))));
    }
  } else {
    parts.push(svg('rect', { x: round(x), y: round(y), width: round(w), height: round(hgt), rx: 10, ry: 10, class: 'diagram-shape' }));
    const icon = taskIcon(node.type, x + 5, y + 5);
    if (icon) parts.push(icon);
    const collapsed = node.type === 'subProcess';
    if (collapsed) {
      // A collapsed subprocess: a "+" in a small square at the bottom centre.
      const cx = x + w / 2;
      const top = y + hgt - 17;
      parts.push(svg('g', { class: 'diagram-glyph', 'data-mark': 'collapsed' },
        svg('rect', { class: 'glyph-body', x: round(cx - 7), y: round(top), width: 14, height: 14 }),
        svg('path', { class: 'glyph-line', d: `M${round(cx - 4)},${round(top + 7)} H${round(cx + 4)} M${round(cx)},${round(top + 3)} V${round(top + 11)}` })));
    }
    const room = hgt - 8 - (collapsed ? 16 : 0);
    const lines = wrap(name, w - 10, Math.max(1, Math.floor(room / LINE)));
    const top = y + (collapsed ? hgt - 16 : hgt) / 2 - ((lines.length - 1) * LINE) / 2 + FONT / 2 - 2;
    parts.push(svg('text', { class: 'diagram-name', 'text-anchor': 'middle' },
      lines.map((text, i) => svg('tspan', { x: round(x + w / 2), y: round(top + i * LINE) }, text))));
  }
  // Badges at the shape's top corners: active tokens on the left, incidents on the right.
  if (active > 0) parts.push(badge(x, y, active, 'active'));
  if (incidents > 0) parts.push(badge(x + w, y, incidents, 'incident'));
  const said = [name || node.id, kindText(node)];
  if (node.attached_to) said.push(t('processes.diagram.attachedTo', { node: nameOf(node.attached_to) }));
  else if (node.parent) said.push(t('processes.diagram.inside', { node: nameOf(node.parent) }));
  if (active > 0) said.push(t('processes.diagram.activeCount', { count: active }));
  if (incidents > 0) said.push(t('processes.diagram.incidentCount', { count: incidents }));
  if (state === 'completed') said.push(t('processes.diagram.completed'));
  const attrs = { class: `diagram-node diagram-${kind}${nonInterrupting ? ' diagram-dashed' : ''}`, 'data-node': node.id, 'data-type': node.type,
    'data-shape': kind, 'data-state': state, 'data-active': active, 'data-incidents': incidents };
  if (node.parent) attrs['data-parent'] = node.parent;
  if (event) attrs['data-event'] = event;
  if (kind === 'subprocess') attrs['data-expanded'] = expanded ? 'true' : 'false';
  if (node.type === 'boundaryEvent') {
    if (node.attached_to) attrs['data-attached-to'] = node.attached_to;
    attrs['data-interrupting'] = nonInterrupting ? 'false' : 'true';
  }
  return svg('g', attrs, svg('title', null, said.join(' · ')), parts);
}

/**
 * The markers inside event circles, drawn for a circle of radius 18 (a 36 × 36 event) and scaled:
 * each a list of [element, attributes, part] where part is `body` (filled when the event throws)
 * or `line` (a stroke over the body).
 */
const EVENT_MARKS = {
  timer: [['circle', { cx: 0, cy: 0, r: 11 }, 'body'],
    ['path', { d: Array.from({ length: 12 }, (_, i) => {
      const a = (i * Math.PI) / 6;
      return `M${round(Math.sin(a) * 8.5)},${round(-Math.cos(a) * 8.5)} L${round(Math.sin(a) * 11)},${round(-Math.cos(a) * 11)}`;
    }).join(' ') }, 'line'],
    ['path', { d: 'M0,-8 L0,0 L5.5,3' }, 'line']],
  message: [['rect', { x: -9, y: -6.5, width: 18, height: 13 }, 'body'], ['path', { d: 'M-9,-6.5 L0,1 L9,-6.5' }, 'line']],
  signal: [['path', { d: 'M0,-10 L9,6.5 L-9,6.5 Z' }, 'body']],
  error: [['path', { d: 'M-7,9 L-2.5,-7.5 L2.5,1.5 L7.5,-9 L3.5,8 L-1.5,-1 Z' }, 'body']],
  escalation: [['path', { d: 'M0,-9.5 L7,8.5 L0,2 L-7,8.5 Z' }, 'body']],
  terminate: [['circle', { cx: 0, cy: 0, r: 11 }, 'body']],
  link: [['path', { d: 'M-8.5,-3.5 H1 V-8.5 L9.5,0 L1,8.5 V3.5 H-8.5 Z' }, 'body']],
  conditional: [['rect', { x: -6.5, y: -9, width: 13, height: 18 }, 'body'], ['path', { d: 'M-4,-5.5 H4 M-4,-2 H4 M-4,1.5 H4 M-4,5 H4' }, 'line']],
};

function eventMarker(event, cx, cy, r, filled) {
  const scale = Math.round((r / 18) * 100) / 100;
  return svg('g', { class: `diagram-glyph diagram-marker ${filled ? 'glyph-filled' : 'glyph-outline'}`, 'data-marker': event,
    transform: `translate(${round(cx)} ${round(cy)}) scale(${scale})` },
  EVENT_MARKS[event].map(([tag, attrs, part]) => svg(tag, { ...attrs, class: `glyph-${part}` })));
}

/** A small icon of a task's kind, its top left at (x, y), 16 units wide. */
const TASK_ICONS = {
  userTask: [['circle', { cx: 8, cy: 4.5, r: 3.2 }, 'body'], ['path', { d: 'M2,15 C2,10.5 4.5,8.8 8,8.8 C11.5,8.8 14,10.5 14,15 Z' }, 'body']],
  serviceTask: [['circle', { cx: 8, cy: 8, r: 6, 'stroke-dasharray': '2.4 2.31' }, 'teeth'], ['circle', { cx: 8, cy: 8, r: 4.6 }, 'body'],
    ['circle', { cx: 8, cy: 8, r: 1.8 }, 'body']],
  scriptTask: [['path', { d: 'M4.5,1 H14.5 C11.5,4 11.5,6 13.5,8 C15.5,10 15.5,12 12.5,15 H2.5 C5.5,12 5.5,10 3.5,8 C1.5,6 1.5,4 4.5,1 Z' }, 'body'],
    ['path', { d: 'M5.5,4.5 H11 M6.5,8 H12 M5.5,11.5 H11' }, 'line']],
  sendTask: [['rect', { x: 1, y: 3, width: 14, height: 10 }, 'fill'], ['path', { d: 'M1,3 L8,8.5 L15,3' }, 'cut']],
  receiveTask: [['rect', { x: 1, y: 3, width: 14, height: 10 }, 'body'], ['path', { d: 'M1,3 L8,8.5 L15,3' }, 'line']],
  businessRuleTask: [['rect', { x: 1, y: 2, width: 14, height: 12 }, 'body'], ['rect', { x: 1, y: 2, width: 14, height: 3.5 }, 'fill'],
    ['path', { d: 'M1,9.7 H15 M5.5,5.5 V14' }, 'line']],
};

function taskIcon(type, x, y) {
  if (!Object.hasOwn(TASK_ICONS, type ?? '')) return null;
  const parts = TASK_ICONS[type];
  return svg('g', { class: 'diagram-glyph diagram-icon glyph-outline', 'data-icon': type, transform: `translate(${round(x)} ${round(y)})` },
    parts.map(([tag, attrs, part]) => svg(tag, { ...attrs, class: `glyph-${part}` })));
}

/** A node's name under its shape, centred, in at most `most` lines. */
function label(text, cx, top, room, most) {
  if (!text) return null;
  return svg('text', { class: 'diagram-name', 'text-anchor': 'middle' },
    wrap(text, room, most).map((line, i) => svg('tspan', { x: round(cx), y: round(top + FONT + i * LINE) }, line)));
}

function gatewayMark(type, cx, cy, s) {
  if (type === 'eventBasedGateway') {
    // A pentagon in a double circle.
    const pentagon = Array.from({ length: 5 }, (_, i) => {
      const a = -Math.PI / 2 + (i * 2 * Math.PI) / 5;
      return `${round(cx + Math.cos(a) * s * 0.6)},${round(cy + Math.sin(a) * s * 0.6 + s * 0.05)}`;
    }).join(' ');
    return svg('g', { class: 'diagram-mark diagram-mark-thin', 'data-mark': 'eventBased' },
      svg('circle', { cx: round(cx), cy: round(cy), r: round(s * 1.2) }),
      svg('circle', { cx: round(cx), cy: round(cy), r: round(s * 0.95) }),
      svg('polygon', { points: pentagon }));
  }
  if (type === 'exclusiveGateway') return svg('path', { class: 'diagram-mark', 'data-mark': 'exclusive', d: `M${round(cx - s)},${round(cy - s)} L${round(cx + s)},${round(cy + s)} M${round(cx + s)},${round(cy - s)} L${round(cx - s)},${round(cy + s)}` });
  if (type === 'parallelGateway') return svg('path', { class: 'diagram-mark', 'data-mark': 'parallel', d: `M${round(cx)},${round(cy - s * 1.3)} V${round(cy + s * 1.3)} M${round(cx - s * 1.3)},${round(cy)} H${round(cx + s * 1.3)}` });
  if (type === 'inclusiveGateway') return svg('circle', { class: 'diagram-mark', 'data-mark': 'inclusive', cx: round(cx), cy: round(cy), r: round(s * 1.2) });
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
          h('td', { 'data-field': 'type' }, kindText(node)),
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

