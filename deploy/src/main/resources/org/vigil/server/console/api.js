// The REST API with the session cookie: the server applies the same access rules as for any bearer token. Every
// change carries the session's CSRF token, which only this page can know.
let csrfToken = null;

export function setCsrf(token) { csrfToken = token; }

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

let onSignedOut = () => {};
export function whenSignedOut(handler) { onSignedOut = handler; }

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(`/api/v1${path}`, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    if (response.status === 401 && path !== '/session') onSignedOut();
    const error = new ApiError(response.status, json);
    error.retryAfter = response.headers.get('Retry-After');
    throw error;
  }
  return json;
}

/** Every item of a paged list (follows next cursors), up to max items. */
export async function all(path, max = 5000, cursor = 'after') {
  const items = [];
  let next = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api('GET', `${path}${sep}limit=500${next === null ? '' : `&${cursor}=${next}`}`);
    items.push(...page.items);
    next = page.next === undefined ? null : page.next;
  } while (next !== null && items.length < max);
  return items;
}
