// Who is signed in. The cookie is HttpOnly, so the page learns it from GET /v1/session; the CSRF
// token lives only in memory (api.js). A flag in localStorage remembers that this browser had a
// session, so a signed-out start does not ask the server (and log a 401) for nothing.

import { api, setCsrfToken } from './api.js';

const HINT_KEY = 'rapport.session';
let current = null;
const listeners = new Set();
const leaving = new Set();

export function user() {
  return current?.user ?? null;
}

export function signedIn() {
  return current !== null;
}

export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** `fn()` runs just before signing out, while the session still holds (to close event streams). */
export function beforeSignOut(fn) {
  leaving.add(fn);
  return () => leaving.delete(fn);
}

function setHint(on) {
  try {
    if (on) localStorage.setItem(HINT_KEY, '1');
    else localStorage.removeItem(HINT_KEY);
  } catch { /* storage disabled */ }
}

function hinted() {
  try { return localStorage.getItem(HINT_KEY) === '1'; } catch { return true; }
}

/** Takes a session body ({user, csrf_token, expires_at}) as the current session. */
export function adopt(body) {
  current = body;
  setCsrfToken(body?.csrf_token);
  setHint(Boolean(body));
  for (const fn of listeners) fn(current);
}

/** Forgets the session locally (after a 401 or sign-out). */
export function forget() {
  if (current === null) { setHint(false); return; }
  adopt(null);
}

/** At start-up: the session the cookie carries, if any. */
export async function restore() {
  if (!hinted()) return null;
  try {
    adopt(await api.get('/v1/session', { allow401: true }));
  } catch (error) {
    if (error.status !== 401) throw error;
    forget();
  }
  return current;
}

export async function signIn(email, password) {
  adopt(await api.post('/v1/session', { email, password }, { allow401: true }));
  return current;
}

export async function signOut() {
  for (const fn of leaving) {
    try { fn(); } catch (error) { console.error(error); }
  }
  try {
    await api.delete('/v1/session', { allow401: true });
  } finally {
    forget();
  }
}
