// The console's one door to the server: the public /v1 API, same origin, with the session cookie.
// Sends X-CSRF-Token on every unsafe method, turns problem+json into ApiError, and hands every 401
// to the handler main.js installs (which goes to the sign-in page).

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

let csrfToken = null;
let unauthorizedHandler = null;

export function setCsrfToken(token) {
  csrfToken = token || null;
}

export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

export class ApiError extends Error {
  constructor(status, problem, response) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    /** Field name (as the server names it: `email`, `addresses[0].country`) -> message. */
    this.fieldErrors = {};
    for (const item of problem?.errors ?? []) {
      if (item?.field && !(item.field in this.fieldErrors)) this.fieldErrors[item.field] = item.message;
    }
    const retry = response?.headers.get('Retry-After');
    /** Seconds to wait, from Retry-After (429, 503), or null. */
    this.retryAfter = retry !== null && retry !== undefined && /^\d+$/.test(retry) ? Number(retry) : null;
    this.requestId = problem?.request_id ?? response?.headers.get('X-Request-ID') ?? null;
  }
}

/**
 * One request. `query` values that are null/undefined/'' are left out; `body` is sent as JSON, or as
 * it is when it is a Blob (a File picked in a form) with the Content-Type the caller gives in `headers`.
 * `allow401: true` lets the caller handle 401 itself (sign-in answers 401 for a wrong password).
 * Resolves with the parsed JSON (null for 204).
 */
export async function request(method, path, { query, body, signal, headers = {}, allow401 = false } = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    url.searchParams.set(key, String(value));
  }
  const raw = body instanceof Blob;
  const sent = { Accept: 'application/json, application/problem+json', ...headers };
  if (body !== undefined && !raw) sent['Content-Type'] = 'application/json';
  if (!SAFE_METHODS.has(method) && csrfToken) sent['X-CSRF-Token'] = csrfToken;

  const response = await fetch(url, {
    method,
    headers: sent,
    body: body === undefined || raw ? body : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
    signal,
  });

  let data = null;
  if (response.status !== 204) {
    const type = response.headers.get('Content-Type') || '';
    if (type.includes('json')) {
      try { data = await response.json(); } catch (error) { if (signal?.aborted) throw error; data = null; }
    } else {
      await response.text();
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data, response);
    if (response.status === 401 && !allow401 && unauthorizedHandler) unauthorizedHandler(error);
    throw error;
  }
  return data;
}

export const api = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options = {}) => request('POST', path, { ...options, body }),
  put: (path, body, options = {}) => request('PUT', path, { ...options, body }),
  patch: (path, body, options = {}) => request('PATCH', path, { ...options, body }),
  delete: (path, options) => request('DELETE', path, options),
};

/** A path segment, escaped. */
export function seg(value) {
  return encodeURIComponent(String(value));
}
