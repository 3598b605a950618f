// The page's one EventSource on /v1/events/stream. It starts at the log's head (GET
// /v1/consumers tells where that is) so a page does not replay history; after a dropped
// connection EventSource resumes by itself with Last-Event-ID.

import { api } from './api.js';

/**
 * Follows the events `filter` (a CEL expression; empty for all) selects. `onEvent(cloudEvent)` for
 * each; `onState('live' | 'connecting' | 'closed')`. `types`: the event types to listen to, when
 * the filter does not name them. Ends when `signal` aborts.
 */
export async function follow({ filter, types, onEvent, onState, signal }) {
  onState?.('connecting');
  const openedAt = Date.now();
  const after = await head(signal);
  if (signal.aborted) return;
  const url = new URL('/v1/events/stream', location.origin);
  if (filter) url.searchParams.set('filter', filter);
  url.searchParams.set('heartbeat', '15');
  if (after !== null) url.searchParams.set('after', after);
  const source = new EventSource(url, { withCredentials: true });
  const handle = (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch { return; }
    // Without a known head the stream starts at the beginning: skip what is older than the page.
    if (after === null && Date.parse(event.time) < openedAt - 5000) return;
    onEvent(event);
  };
  // The server names each message by its event type; listen to the types the filter allows.
  for (const type of types ?? typesIn(filter)) source.addEventListener(type, handle);
  source.addEventListener('message', handle);
  source.addEventListener('open', () => onState?.('live'));
  source.addEventListener('error', () => {
    const closed = source.readyState === EventSource.CLOSED;
    onState?.(closed ? 'closed' : 'connecting');
    // EventSource gives up on a refused stream without saying why: if the session ended, this
    // request's 401 takes the user to sign in (api.js).
    if (closed && !signal.aborted) api.get('/v1/session').catch(() => {});
  });
  signal.addEventListener('abort', () => { source.close(); onState?.('closed'); }, { once: true });
  // Leaving the page closes the stream at once: a browser allows six connections to a server, and
  // a stream left to the server's next heartbeat would hold one of them after the page is gone.
  const leave = () => source.close();
  window.addEventListener('pagehide', leave, { once: true });
  signal.addEventListener('abort', () => window.removeEventListener('pagehide', leave), { once: true });
}

/** The newest sequence on the log, or null when it cannot be learned. */
async function head(signal) {
  try {
    const body = await api.get('/v1/consumers', { signal });
    const heads = (body?.data ?? []).map((c) => BigInt(c.head ?? '0'));
    if (!heads.length) return null;
    return heads.reduce((a, b) => (a > b ? a : b)).toString();
  } catch (error) {
    if (signal.aborted) return null;
    console.warn('live: log head unknown', error);
    return null;
  }
}

function typesIn(filter) {
  return [...new Set([...filter.matchAll(/"(rapport\.[a-z_]+\.[a-z_]+)"/g)].map((m) => m[1]))];
}
