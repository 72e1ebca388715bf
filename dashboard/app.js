// The dashboard shell: takes a token or one-time link out of the address bar at once (so it never stays
// in history), signs the device in, shows "waiting for approval" until the owner approves, then routes
// #/page hashes to the page modules. Any 401 brings back the sign-in screen.

import { api, setCsrfToken } from './lib/api.js';
import { h, toast } from './lib/dom.js';
import { startLive, stopLive } from './lib/live.js';
import { signIn } from './lib/sign-in.js';
import { renderSignIn, renderWaiting } from './pages/sign-in.js';

const PAGES = {
  overview: () => import('./pages/overview.js'),
  chat: () => import('./pages/chat.js'),
  runs: () => import('./pages/runs.js'),
  pairing: () => import('./pages/pairing.js'),
  allowlists: () => import('./pages/allowlists.js'),
  devices: () => import('./pages/devices.js'),
  sandboxes: () => import('./pages/sandboxes.js'),
  audit: () => import('./pages/audit.js'),
};
const POLL_COUNTS_MS = 10_000;
const POLL_APPROVAL_MS = 1500;

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const navToggle = document.getElementById('nav-toggle');
const whoami = document.getElementById('whoami');

let session = null;
let mode = 'none'; // none | sign-in | waiting | app
let pageCleanup = null;
let timers = [];
let everSignedIn = false;

/** ?token=… and #link=… are read once and removed from the address bar and history before anything else. */
function takeSecretsFromUrl() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token') || undefined;
  const linkMatch = /^#link=([A-Za-z0-9_-]+)/.exec(url.hash);
  const link = linkMatch?.[1];
  if (url.searchParams.has('token') || link) {
    url.searchParams.delete('token');
    history.replaceState(null, '', `${url.pathname}${url.search}${link ? '#/overview' : url.hash}`);
  }
  return { token, link };
}

function stopEverything() {
  for (const t of timers) clearInterval(t);
  timers = [];
  stopLive();
  if (pageCleanup) pageCleanup();
  pageCleanup = null;
}

function setChrome(visible) {
  nav.hidden = !visible;
  navToggle.hidden = !visible;
  whoami.replaceChildren();
  if (!visible || !session) return;
  whoami.append(
    h(
      'span',
      { title: 'This device' },
      h('span', { class: 'mono' }, session.device.display.slice(0, 11)),
      '…',
    ),
    h('button', { type: 'button', class: 'link', id: 'sign-out', onclick: signOut }, 'Sign out'),
  );
}

function showSignIn(message) {
  stopEverything();
  mode = 'sign-in';
  session = null;
  setCsrfToken('');
  setChrome(false);
  document.title = 'Sign in · sandgate';
  const view = renderSignIn(main, {
    message,
    onSubmit: async (token) => {
      try {
        await completeSignIn({ token });
      } catch (err) {
        view.showError(err.message);
      }
    },
  });
}

function showWaiting() {
  stopEverything();
  mode = 'waiting';
  setChrome(false);
  document.title = 'Waiting for approval · sandgate';
  pageCleanup = renderWaiting(main, { device: session.device });
  timers.push(setInterval(() => void checkSession(), POLL_APPROVAL_MS));
}

function showApp() {
  if (mode === 'app') return;
  stopEverything();
  mode = 'app';
  everSignedIn = true;
  setChrome(true);
  startLive(() => void checkSession());
  timers.push(setInterval(() => void refreshCounts(), POLL_COUNTS_MS));
  void refreshCounts();
  void route();
}

async function completeSignIn(creds) {
  const res = await signIn(creds);
  setCsrfToken(res.csrfToken);
  if (res.via === 'link') toast('Signed in with a one-time link; this device is approved.');
  await checkSession();
}

/** Asks the gateway where this device stands and shows the matching screen. */
async function checkSession() {
  let s;
  try {
    s = await api.get('/session');
  } catch (err) {
    if (err.status !== 401 && mode !== 'app') showSignIn(err.message);
    return; // 401: the signed-out handler shows the sign-in screen
  }
  const wasWaiting = mode === 'waiting';
  session = s;
  setCsrfToken(s.csrfToken);
  if (s.device.state === 'approved') {
    if (wasWaiting) toast('This device was approved.');
    showApp();
  } else if (s.device.state === 'pending') {
    if (mode !== 'waiting') showWaiting();
  } else {
    showSignIn("This device's request expired before it was approved. Sign in again to ask again.");
  }
}

async function signOut() {
  try {
    await api.post('/logout');
  } catch {
    /* signed out either way */
  }
  everSignedIn = false;
  showSignIn('Signed out.');
}

async function refreshCounts() {
  try {
    const o = await api.get('/overview');
    setCount('count-pairing', o.pendingPairing);
    setCount('count-devices', o.pendingDevices);
  } catch {
    /* a 401 is handled globally; anything else waits for the next poll */
  }
}

function setCount(id, n) {
  const el = document.getElementById(id);
  if (!el) return;
  el.hidden = !n;
  el.textContent = String(n ?? '');
  el.setAttribute('aria-label', `${n} waiting`);
}

function parseHash() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(2) : 'overview';
  const [path, query = ''] = raw.split('?');
  const [name, ...params] = path.split('/').map(decodeURIComponent);
  return { name: PAGES[name] ? name : 'overview', params, query: new URLSearchParams(query) };
}

async function route() {
  if (mode !== 'app') return;
  const { name, params, query } = parseHash();
  if (pageCleanup) pageCleanup();
  pageCleanup = null;
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.route === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  nav.classList.remove('open');
  navToggle.setAttribute('aria-expanded', 'false');
  document.title = `${name[0].toUpperCase()}${name.slice(1)} · sandgate`;
  const view = h('div', { class: `page page-${name}` });
  main.replaceChildren(view);
  try {
    const page = await PAGES[name]();
    const cleanup = await page.render(view, { session, params, query, refreshCounts });
    if (mode === 'app' && main.contains(view)) pageCleanup = cleanup ?? null;
    else cleanup?.();
    // Keyboard and screen-reader users land on the new page, not back in the menu.
    if (nav.contains(document.activeElement) || document.activeElement === document.body) {
      main.focus({ preventScroll: true });
    }
  } catch (err) {
    if (err.status === 401) return;
    view.replaceChildren(
      h('div', { class: 'empty' }, h('h3', {}, 'This page could not load'), h('p', {}, err.message)),
    );
  }
}

window.addEventListener('hashchange', () => void route());
window.addEventListener('sandgate:signed-out', () => {
  if (mode === 'waiting') showSignIn('This device was not approved (it was denied or revoked).');
  else if (everSignedIn)
    showSignIn('Your session ended: you signed out elsewhere, it expired, or this device was revoked.');
  else showSignIn();
});
window.addEventListener('sandgate:device-state', () => void checkSession());
navToggle.addEventListener('click', () => {
  const open = !nav.classList.contains('open');
  nav.classList.toggle('open', open);
  navToggle.setAttribute('aria-expanded', String(open));
});
document.getElementById('skip').addEventListener('click', () => main.focus());

async function boot() {
  const creds = takeSecretsFromUrl();
  if (creds.token || creds.link) {
    try {
      await completeSignIn(creds);
    } catch (err) {
      showSignIn(err.message);
    }
    return;
  }
  await checkSession();
}

void boot();
