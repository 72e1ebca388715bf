// Devices: the browsers that may use this dashboard. Approve one that is waiting (compare the id on its
// screen), revoke one at once (its sessions and live streams end). "This device" is marked.

import { api } from '../lib/api.js';
import {
  actionButton,
  add,
  badge,
  clear,
  code,
  confirmButton,
  emptyState,
  fmtAgo,
  fmtRemaining,
  h,
  toast,
} from '../lib/dom.js';

function deviceItem(d, reload) {
  const buttons = [];
  if (d.state === 'pending') {
    buttons.push(
      actionButton(
        'Approve',
        async () => {
          await api.post(`/devices/${d.id}/approve`);
          toast(`Approved ${d.display}.`);
          await reload();
        },
        { class: 'primary', 'aria-label': `Approve device ${d.display}` },
      ),
    );
  }
  if (d.state === 'pending' || d.state === 'approved') {
    buttons.push(
      confirmButton(
        d.state === 'pending' ? 'Deny' : 'Revoke',
        d.thisDevice ? 'Revoke this device?' : 'Really revoke?',
        async () => {
          await api.post(`/devices/${d.id}/revoke`);
          toast(`Revoked ${d.display}.`);
          await reload();
        },
        { 'aria-label': `${d.state === 'pending' ? 'Deny' : 'Revoke'} device ${d.display}` },
      ),
    );
  }
  const when =
    d.state === 'pending' && d.expiresAt
      ? `asked ${fmtAgo(d.createdAt)}, lapses in ${fmtRemaining(d.expiresAt - Date.now())}`
      : `last seen ${fmtAgo(d.lastSeenAt)}${d.decidedBy ? ` · ${d.state} by ${d.decidedBy}` : ''}`;
  return h(
    'li',
    { class: `item${d.thisDevice ? ' this-device' : ''}`, 'data-device': d.id },
    h(
      'div',
      { class: 'grow' },
      h(
        'p',
        {},
        h('span', { class: 'device-id' }, d.display),
        ' ',
        badge(d.state),
        d.thisDevice ? [' ', badge('me', 'this device')] : null,
      ),
      h('p', { class: 'muted small' }, d.label || 'unknown browser', ' · ', when),
    ),
    h('div', { class: 'buttons' }, buttons),
  );
}

export async function render(view, ctx) {
  const list = h('div', {});
  add(
    view,
    h('h1', {}, 'Devices'),
    h(
      'p',
      { class: 'muted' },
      'Browsers allowed to use this dashboard. To add one, open the dashboard on it and sign in with the gateway token, then approve it here; or run ',
      code('sandgate dashboard'),
      ' for a one-time link.',
    ),
    list,
  );
  const load = async () => {
    const { devices } = await api.get('/devices');
    const shown = devices.filter((d) => d.state !== 'expired');
    clear(
      list,
      shown.length
        ? h(
            'ul',
            { class: 'list', id: 'devices' },
            shown.map((d) => deviceItem(d, load)),
          )
        : emptyState('No devices', 'Sign in from another browser to see it here.'),
    );
    ctx.refreshCounts();
  };
  await load();
  const poll = setInterval(() => void load().catch(() => {}), 4000);
  return () => clearInterval(poll);
}
