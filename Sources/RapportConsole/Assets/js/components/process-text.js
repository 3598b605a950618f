// What the process pages (views/processes.js, process.js, process-instance.js) share: their
// stylesheet, who may do what, links, an instance's status as a badge, a node's name and kind, who
// acted, where an instance waits, and reading every page of a list. Messages: i18n/processes/.

import { api } from '../api.js';
import { h } from '../dom.js';
import { has, t } from '../i18n.js';

/** Roles with processes:define (deploy, set variables, retry incidents); the server checks too. */
export const DEFINERS = ['admin', 'manager'];
/** Roles with processes:run (start and cancel instances). */
export const RUNNERS = ['admin', 'manager', 'agent'];
export const STATUSES = ['running', 'completed', 'terminated', 'cancelled'];

export const processHref = (key, version = null) =>
  `#/processes/${encodeURIComponent(key)}${version ? `?version=${encodeURIComponent(version)}` : ''}`;
export const instanceHref = (id) => `#/process-instances/${encodeURIComponent(id)}`;
export const customerHref = (id) => `#/customers/${encodeURIComponent(id)}`;

let styles = null;
/** Adds the process pages' stylesheet (processes.css) to the page once; resolves when it applies
 * (or failed to load). Kept out of app.css, which every first load fetches, as their messages are
 * kept out of the main catalogs. */
export function processStyles() {
  styles ??= new Promise((resolve) => {
    const link = h('link', { rel: 'stylesheet', href: new URL('../../processes.css', import.meta.url).href });
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', () => { styles = null; resolve(); }, { once: true });
    document.head.append(link);
  });
  return styles;
}

/** An instance's status as a badge (the status itself in `data-status`). */
export function statusBadge(status) {
  const known = STATUSES.includes(status);
  return h('span', { class: `badge badge-process-${known ? status : 'other'}`, 'data-status': status },
    known ? t(`processes.status.${status}`) : String(status ?? ''));
}

/** The name of a node by its id, from a version's nodes: its name, else its id. */
export function nodeNamer(definition) {
  const byId = new Map((definition?.nodes ?? []).map((node) => [node.id, node]));
  return (id) => byId.get(id)?.name || id;
}

/** A node's BPMN element (`serviceTask`) in words. */
export function typeText(type) {
  return has(`processes.type.${type}`) ? t(`processes.type.${type}`) : String(type ?? '');
}

/** A node as a modeler draws it, in words: its element with its event marker (`event`: "Timer
 * boundary event") and, for a boundary event, whether it interrupts its activity. */
export function kindText(node) {
  const type = node?.type;
  const event = node?.event;
  if (!event || !has(`processes.event.${event}`) || !has(`processes.typeWith.${type}`)) return typeText(type);
  const key = type === 'boundaryEvent' && node.interrupting === false ? 'processes.typeWith.boundaryEventNonInterrupting' : `processes.typeWith.${type}`;
  return t(key, { event: t(`processes.event.${event}`) });
}

/** Who did something ({type, id}): a user's name when known, else the kind of actor. */
export function actorName(actor, users) {
  if (!actor) return '';
  if (actor.type === 'user' && actor.id) return users?.get(actor.id)?.name ?? actor.id;
  return has(`processes.actor.${actor.type}`) ? t(`processes.actor.${actor.type}`) : String(actor.type ?? '');
}

/** A token's state in words (an incident with its message). */
export function tokenText(token) {
  if (token.state === 'incident') return t('processes.token.incident', { message: token.incident ?? '' });
  return has(`processes.token.${token.state}`) ? t(`processes.token.${token.state}`) : String(token.state ?? '');
}

/** Where an instance waits: its tokens' nodes by name, an incident marked. */
export function waitsText(instance, nameOf) {
  return (instance.tokens ?? []).map((token) => (token.state === 'incident'
    ? t('processes.waits.incident', { node: nameOf(token.node) }) : nameOf(token.node))).join(', ');
}

/** Active tokens and incidents per node of running instances: { active: Map, incidents: Map }. */
export function tokenCounts(instances) {
  const active = new Map();
  const incidents = new Map();
  for (const instance of instances) {
    for (const token of instance.tokens ?? []) {
      const into = token.state === 'incident' ? incidents : active;
      into.set(token.node, (into.get(token.node) ?? 0) + 1);
    }
  }
  return { active, incidents };
}

/** Every item of a list the API pages by cursor (at most `pages` pages of `limit`). */
export async function readAll(path, { query = {}, signal, limit = 200, pages = 25 } = {}) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < pages; page += 1) {
    const body = await api.get(path, { query: { ...query, limit, cursor }, signal });
    items.push(...(body?.data ?? []));
    cursor = body?.next_cursor ?? null;
    if (!cursor) break;
  }
  return items;
}
