// api.js: the session and every call to the management API. The session
// token lives in sessionStorage (it dies with the tab) and goes out only
// as "Authorization: Bearer"; the console sets no cookie and sends none
// (credentials: 'omit'), so a cross-site request has nothing to ride on.
const KEY = 'dindex.session';

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function setSession(s) {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// One request; resolves to the parsed JSON answer (null when empty),
// rejects with an ApiError carrying the server's {"error"} text.
export async function call(method, url, body) {
  const s = session();
  const headers = {};
  if (s) headers.Authorization = 'Bearer ' + s.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(url, {
    method, headers, credentials: 'omit', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!r.ok) {
    const msg = data && typeof data.error === 'string' ? data.error : r.statusText;
    throw new ApiError(r.status, msg);
  }
  return data;
}

// A path from parts; each part's segments are encoded, '/' kept between
// them ("alice/app" stays two segments).
export function path(...parts) {
  return parts.map((p) => String(p).split('/').map(encodeURIComponent).join('/')).join('/');
}
