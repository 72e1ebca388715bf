// Draws a channel's link QR (WhatsApp) as an SVG data URL with the `qrcode` library, so the overview
// shows a scannable image without any script from a CDN (the CSP allows data: images). The last
// payload is cached: WhatsApp rotates it every 20 s while the overview polls every 5 s.

import QRCode from 'qrcode';

let last: { payload: string; url: string } | undefined;

/** `data:image/svg+xml;base64,…` of the QR code for `payload` (error correction M, 2-module margin). */
export async function qrImage(payload: string): Promise<string> {
  if (last?.payload === payload) return last.url;
  const svg = await QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const url = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  last = { payload, url };
  return url;
}
