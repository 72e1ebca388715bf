// Building the page without innerHTML: every piece of text from the server goes in as a text node, so
// a sender's name or a message can never become markup. Plus small formatting helpers.

/**
 * h('button', { class: 'primary', onclick: fn, 'aria-label': 'x' }, 'text', child…)
 * Attributes starting with "on" become listeners; false/null/undefined attributes are left out.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Appends children, skipping null/undefined/false and flattening arrays (unlike Element.append). */
export function add(el, ...children) {
  append(el, children);
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function fmtTime(ms) {
  if (!ms) return '';
  const d = new Date(ms);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

export function fmtAgo(ms, now = Date.now()) {
  if (!ms) return 'never';
  const s = Math.round((now - ms) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function fmtRemaining(ms) {
  if (ms <= 0) return 'expired';
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function fmtDuration(start, end) {
  if (!start) return '';
  const s = Math.max(0, Math.round(((end ?? Date.now()) - start) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function fmtTokens(n) {
  if (n === undefined || n === null) return '';
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

export function fmtCost(usd) {
  if (usd === undefined || usd === null) return '';
  return usd < 0.01 && usd > 0 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

export function badge(state, text = state) {
  return h('span', { class: `badge ${state}` }, text);
}

/** An empty state that says what to do next. `hint` may hold nodes (e.g. a <code> command). */
export function emptyState(title, ...hint) {
  return h('div', { class: 'empty' }, h('h3', {}, title), h('p', {}, ...hint));
}

export function code(text) {
  return h('code', {}, text);
}

let toastTimer;
export function toast(message, kind = '') {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = message;
  el.className = `toast show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.className = 'toast';
  }, 3500);
}

/**
 * A button that asks twice: the first press arms it ("Really revoke?"), the second runs `action`.
 * Keyboard friendly (no modal), disarms itself after a few seconds.
 */
export function confirmButton(label, armedLabel, action, attrs = {}) {
  let armed = false;
  let timer;
  const button = h('button', { type: 'button', class: 'danger', ...attrs }, label);
  button.addEventListener('click', async () => {
    if (!armed) {
      armed = true;
      button.textContent = armedLabel;
      button.classList.add('armed');
      timer = setTimeout(() => {
        armed = false;
        button.textContent = label;
        button.classList.remove('armed');
      }, 5000);
      return;
    }
    clearTimeout(timer);
    await busy(button, action);
  });
  return button;
}

/** Disables the button while `action` runs; shows its error as a toast. */
export async function busy(button, action) {
  button.disabled = true;
  try {
    await action();
  } catch (err) {
    toast(err.message ?? String(err), 'bad');
  } finally {
    button.disabled = false;
  }
}

export function actionButton(label, action, attrs = {}) {
  const button = h('button', { type: 'button', ...attrs }, label);
  button.addEventListener('click', () => busy(button, action));
  return button;
}
