// Pairing requests: people who messaged the bot and wait for the owner. Approve allowlists them, tells
// them and answers their first message (the running gateway does it within seconds); Deny drops it.

import { api } from '../lib/api.js';
import {
  actionButton,
  add,
  clear,
  code,
  confirmButton,
  emptyState,
  fmtAgo,
  fmtRemaining,
  h,
  toast,
} from '../lib/dom.js';

function requestItem(r, reload) {
  const who = r.senderName ? `${r.senderName} (${r.senderId})` : r.senderId;
  return h(
    'li',
    { class: 'item', 'data-code': r.code },
    h(
      'div',
      { class: 'grow' },
      h('h3', {}, who),
      h(
        'p',
        { class: 'muted small' },
        `${r.channel} · code `,
        h('span', { class: 'mono' }, r.code),
        ` · asked ${fmtAgo(r.createdAt)} · lapses in ${fmtRemaining(r.expiresAt - Date.now())}`,
      ),
      r.firstMessage
        ? h(
            'p',
            {},
            h('span', { class: 'muted' }, 'First message: '),
            h('q', {}, r.firstMessage.slice(0, 300)),
          )
        : null,
    ),
    h(
      'div',
      { class: 'buttons' },
      actionButton(
        'Approve',
        async () => {
          const res = await api.post(
            `/pairing/${encodeURIComponent(r.channel)}/${encodeURIComponent(r.code)}/approve`,
          );
          toast(
            `Approved ${who}.${res.replayed ? ' Their first message is being answered.' : ''}${res.becameOwner ? ' They are now the channel owner.' : ''}`,
          );
          await reload();
        },
        { class: 'primary', 'aria-label': `Approve ${who}` },
      ),
      confirmButton(
        'Deny',
        'Really deny?',
        async () => {
          await api.post(`/pairing/${encodeURIComponent(r.channel)}/${encodeURIComponent(r.code)}/deny`);
          toast(`Denied ${who}.`);
          await reload();
        },
        { 'aria-label': `Deny ${who}` },
      ),
    ),
  );
}

export async function render(view, ctx) {
  const body = h('div', {});
  add(
    view,
    h('h1', {}, 'Pairing requests'),
    h('p', { class: 'muted' }, 'People who sent the bot a direct message and are not on the allowlist yet.'),
    body,
  );
  const load = async () => {
    const { requests } = await api.get('/pairing');
    clear(
      body,
      requests.length
        ? h(
            'ul',
            { class: 'list', id: 'pairing-requests' },
            requests.map((r) => requestItem(r, load)),
          )
        : emptyState(
            'No one is waiting',
            'When someone messages your bot, they get a code and their request shows up here. You can also approve from a terminal with ',
            code('sandgate pairing approve CHANNEL CODE'),
            ' or add people directly on the ',
            h('a', { href: '#/allowlists' }, 'Allowlists'),
            ' page.',
          ),
    );
    ctx.refreshCounts();
  };
  await load();
  const poll = setInterval(() => void load().catch(() => {}), 5000);
  return () => clearInterval(poll);
}
