// Small reference lists the pages share (channels, users, departments, queues), fetched once per
// session and kept in memory. A failed fetch is forgotten so the next caller tries again.

import { api } from './api.js';
import { onSessionChange } from './session.js';

const cache = new Map();

onSessionChange(() => cache.clear());

/** Drops a cached list (after the admin pages change it), so the next caller fetches it again. */
export function invalidate(key) {
  cache.delete(key);
}

function cached(key, load) {
  if (!cache.has(key)) {
    const promise = load().catch((error) => {
      cache.delete(key);
      throw error;
    });
    cache.set(key, promise);
  }
  return cache.get(key);
}

async function all(path) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 20; page += 1) {
    // These lists are short and take no paging parameters; follow a cursor only if one comes.
    const body = await api.get(path, { query: cursor ? { cursor } : undefined });
    items.push(...(body?.data ?? []));
    cursor = body?.next_cursor;
    if (!cursor) break;
  }
  return items;
}

function byId(items) {
  return new Map(items.map((item) => [item.id, item]));
}

export const channels = () => cached('channels', async () => byId(await all('/v1/channels')));
export const users = () => cached('users', async () => byId(await all('/v1/users')));
export const departments = () => cached('departments', async () => byId(await all('/v1/departments')));
export const queues = () => cached('queues', async () => byId(await all('/v1/queues')));

/** Like `load()` but an empty map when the caller may not read the list (403) or it fails. */
export async function optional(load) {
  try {
    return await load();
  } catch (error) {
    if (error?.status !== 403) console.warn('lookup', error);
    return new Map();
  }
}
