// Overview: each channel and its state (with the WhatsApp QR slot while a link is in progress), the
// queue, what needs the owner (pairing requests, waiting devices), and the latest runs, kept live.

import { api } from '../lib/api.js';
import { add, badge, clear, code, emptyState, fmtAgo, fmtCost, fmtDuration, h } from '../lib/dom.js';
import { onRunEvent } from '../lib/live.js';
import { renderQr } from '../lib/qr-slot.js';

function channelRow(ch) {
  const detail = ch.detail ?? ch.lastError?.message ?? '';
  const row = h(
    'li',
    { class: 'item', 'data-channel': ch.id },
    h(
      'div',
      { class: 'grow' },
      h('h3', {}, ch.id, ' ', badge(ch.state)),
      ch.identity ? h('p', { class: 'muted small' }, 'as ', ch.identity) : null,
      detail ? h('p', { class: ch.state === 'error' ? 'error-text small' : 'muted small' }, detail) : null,
    ),
  );
  if (ch.qr) {
    const slot = h('div', { class: 'qr-slot', id: `qr-${ch.id}` });
    renderQr(slot, ch.qr, ch.qrImage);
    row.append(
      h(
        'div',
        { class: 'grow' },
        h(
          'p',
          {},
          'Link this channel: in WhatsApp open Settings → Linked devices → Link a device, and scan:',
        ),
        slot,
      ),
    );
  }
  return row;
}

function runsTable(runs) {
  if (!runs.length) {
    return emptyState(
      'No runs yet',
      'Send a message on the ',
      h('a', { href: '#/chat' }, 'Chat page'),
      ', try ',
      code('/help'),
      ', or message the bot on a connected channel.',
    );
  }
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Run'),
          h('th', {}, 'Kind'),
          h('th', {}, 'State'),
          h('th', { class: 'optional' }, 'Conversation'),
          h('th', {}, 'Started'),
          h('th', { class: 'optional' }, 'Took'),
          h('th', { class: 'optional' }, 'Cost'),
        ),
      ),
      h(
        'tbody',
        {},
        runs.map((r) =>
          h(
            'tr',
            {},
            h('td', {}, h('a', { href: `#/runs/${r.id}` }, `#${r.id}`)),
            h('td', {}, r.kind),
            h('td', {}, badge(r.state)),
            h('td', { class: 'optional mono small' }, r.conversationKey),
            h('td', {}, fmtAgo(r.startedAt)),
            h('td', { class: 'optional' }, fmtDuration(r.startedAt, r.finishedAt)),
            h('td', { class: 'optional' }, r.usage?.costUsd !== undefined ? fmtCost(r.usage.costUsd) : ''),
          ),
        ),
      ),
    ),
  );
}

function card(value, label, href) {
  const inner = [h('div', { class: 'value' }, String(value)), h('div', { class: 'label' }, label)];
  return h('div', { class: 'card' }, href ? h('a', { href }, inner) : inner);
}

export async function render(view, ctx) {
  const body = h('div', {});
  add(
    view,
    h('h1', {}, 'Overview'),
    h(
      'p',
      { class: 'muted' },
      'Channels, the queue, and the latest runs.',
      ' ',
      h('span', { class: 'live' }, '● live'),
    ),
    body,
  );

  const load = async () => {
    const o = await api.get('/overview');
    clear(
      body,
      h(
        'div',
        { class: 'cards' },
        card(o.queueDepth, 'messages queued'),
        card(o.activeRuns, 'runs in progress', '#/runs'),
        card(o.pendingPairing, 'pairing requests waiting', '#/pairing'),
        card(o.pendingDevices, 'devices waiting', '#/devices'),
      ),
      o.pendingPairing
        ? h(
            'p',
            { class: 'panel' },
            `${o.pendingPairing} ${o.pendingPairing === 1 ? 'person is' : 'people are'} waiting to be let in. `,
            h('a', { href: '#/pairing' }, 'Review pairing requests'),
          )
        : null,
      h('h2', {}, 'Channels'),
      o.channels.length
        ? h('ul', { class: 'list', id: 'channels' }, o.channels.map(channelRow))
        : emptyState(
            'No channels',
            'Set TELEGRAM_BOT_TOKEN (or Slack / WhatsApp settings) and restart the gateway.',
          ),
      h('h2', {}, 'Recent runs'),
      runsTable(o.recentRuns),
    );
    ctx.refreshCounts();
  };
  await load();

  let pending;
  const refresh = () => {
    clearTimeout(pending);
    pending = setTimeout(() => void load().catch(() => {}), 300);
  };
  const off = onRunEvent((name) => {
    if (name !== 'run-progress') refresh();
  });
  const poll = setInterval(refresh, 5000);
  return () => {
    off();
    clearInterval(poll);
    clearTimeout(pending);
  };
}
