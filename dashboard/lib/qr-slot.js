// The slot for a channel's link QR code (WhatsApp): the gateway draws it (qrcode, as an SVG data URL)
// and the overview redraws it on every refresh, so a rotated code replaces the old one. The payload
// stays copyable for a phone that cannot scan the screen.

import { h } from './dom.js';

export function renderQr(slot, payload, image) {
  const copy = h('button', { type: 'button', class: 'small' }, 'Copy code');
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
      image
        ? h('img', {
            class: 'qr-image',
            src: image,
            width: '264',
            height: '264',
            alt: 'WhatsApp link QR code',
          })
        : h('code', {}, payload),
      h(
        'p',
        { class: 'muted small' },
        'WhatsApp shows a new code every 20 seconds; this one refreshes by itself. ',
        'Also shown by `sandgate channels login whatsapp` in a terminal.',
      ),
      h('p', {}, copy),
    ),
  );
}
