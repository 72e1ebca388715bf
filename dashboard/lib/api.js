// Talking to the gateway: JSON over fetch with the session cookie (HttpOnly, sent by the browser) and
// the CSRF token on every mutation. A 401 means the session ended (signed out, revoked): the app is told
// through the 'sandgate:signed-out' event and shows the sign-in screen.

const BASE = '/dashboard';
let csrfToken = '';

export function setCsrfToken(token) {
  csrfToken = token ?? '';
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `request failed (${status})`);
    this.status = status;
    this.body = body;
  }
}

async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: payload,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, { error: 'the gateway is not reachable; is it running?' });
  }
  let json = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = new ApiError(res.status, json);
    if (res.status === 401 && path.startsWith('/api/')) {
      window.dispatchEvent(new CustomEvent('sandgate:signed-out', { detail: err.message }));
    } else if (res.status === 403 && json?.state) {
      window.dispatchEvent(new CustomEvent('sandgate:device-state', { detail: json.state }));
    }
    throw err;
  }
  return json;
}

export const api = {
  get: (path) => request('GET', `/api${path}`),
  post: (path, body = {}) => request('POST', `/api${path}`, body),
  auth: (path, body) => request('POST', `/auth${path}`, body),
};
