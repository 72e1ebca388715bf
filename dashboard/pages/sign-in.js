// The screens before the dashboard: sign in with the gateway token, and "waiting for approval" with this
// device's id for the owner to compare and approve (CLI or another device). The waiting screen checks
// every couple of seconds and moves on by itself.

import { code, fmtRemaining, h } from '../lib/dom.js';

export function renderSignIn(main, { message, onSubmit }) {
  const input = h('input', {
    type: 'password',
    id: 'token',
    name: 'token',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'token-help',
  });
  const error = h('p', { class: 'error-text', role: 'alert', id: 'sign-in-error' }, message ?? '');
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        if (!input.value.trim()) return;
        button.disabled = true;
        error.textContent = '';
        try {
          await onSubmit(input.value.trim());
        } finally {
          button.disabled = false;
        }
      },
    },
    h('label', { for: 'token' }, 'Gateway token'),
    input,
    h(
      'p',
      { class: 'muted small', id: 'token-help' },
      'Print it on the gateway machine with ',
      code('sandgate token show'),
      '. Or run ',
      code('sandgate dashboard'),
      ' there for a one-time link that signs this browser in and approves it.',
    ),
    h('p', {}, button),
    error,
  );
  main.replaceChildren(
    h(
      'div',
      { class: 'centered' },
      h(
        'div',
        { class: 'panel' },
        h('h1', {}, 'Sign in to sandgate'),
        h(
          'p',
          { class: 'muted' },
          'The dashboard needs the gateway token and an approved device. This browser keeps its own device key; the first sign-in asks the owner to approve it.',
        ),
        form,
      ),
    ),
  );
  input.focus();
  return { showError: (text) => (error.textContent = text) };
}

export function renderWaiting(main, { device }) {
  const remaining = h('span', {}, '');
  const tick = () => {
    remaining.textContent = device.expiresAt ? fmtRemaining(device.expiresAt - Date.now()) : '';
  };
  tick();
  const timer = setInterval(tick, 1000);
  main.replaceChildren(
    h(
      'div',
      { class: 'centered' },
      h(
        'div',
        { class: 'panel', 'aria-live': 'polite' },
        h('h1', {}, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Waiting for approval'),
        h(
          'p',
          {},
          'This device signed in with the gateway token. The owner must approve it before it can see anything.',
        ),
        h('p', { class: 'muted small' }, 'Device id'),
        h('p', {}, h('span', { class: 'device-id big', id: 'device-id' }, device.display)),
        h(
          'p',
          { class: 'muted small' },
          device.label ? `${device.label} · ` : '',
          'the request lapses in ',
          remaining,
        ),
        h('h2', {}, 'To approve it'),
        h(
          'ol',
          { class: 'steps' },
          h(
            'li',
            {},
            'On the gateway machine run ',
            code(`sandgate devices approve ${device.display}`),
            ', or',
          ),
          h(
            'li',
            {},
            'open Devices on a dashboard that is already approved and press Approve next to this id.',
          ),
        ),
        h(
          'p',
          { class: 'muted small' },
          'Check that the id matches before approving. This page continues by itself.',
        ),
      ),
    ),
  );
  return () => clearInterval(timer);
}
