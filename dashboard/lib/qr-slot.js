// The slot for a channel's link QR code (WhatsApp). The payload is shown as text with a copy button;
// a drawn QR code can replace renderQr without touching the overview page.

import { h } from './dom.js';

export function renderQr(slot, payload) {
  const copy = h('button', { type: 'button' }, 'Copy code');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(payload);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Copy failed';
    }
  });
  slot.replaceChildren(
    h(
      'div',
      { class: 'qr-box', 'data-qr': payload },
      h(
        'p',
        { class: 'muted small' },
        'QR payload (also shown by `sandgate channels login whatsapp` in a terminal):',
      ),
      h('code', {}, payload),
      h('p', {}, copy),
    ),
  );
}
