// Splits one Outbound into the Telegram messages that carry it, in a fixed order (text with link
// buttons, photos, documents), so a retried delivery maps each part to the same index and the
// ledger can skip what was already posted.

import type { Outbound, OutboundLink } from '../channel.js';

export const TEXT_MAX = 4096;
export const CAPTION_MAX = 1024;
/** Bot API upload limits: photos over 10 MB are refused, any file over 50 MB. */
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
export const UPLOAD_MAX_BYTES = 50 * 1024 * 1024;

export type Part =
  | { kind: 'text'; text: string; buttons: OutboundLink[] }
  | { kind: 'photo'; png: Buffer; caption?: string }
  | { kind: 'document'; name: string; data: Buffer };

export function planParts(msg: Outbound): Part[] {
  const parts: Part[] = [];
  const links = msg.links ?? [];
  const buttons = links.filter((l) => buttonable(l.url));
  const linkLines = links.filter((l) => !buttonable(l.url)).map(linkLine);
  const text = msg.text ?? '';
  const linkText = linkLines.join('\n');

  if (text.trim() !== '') {
    if (linkText && text.length + linkText.length + 2 <= TEXT_MAX) {
      parts.push({ kind: 'text', text: `${text}\n\n${linkText}`, buttons });
    } else {
      parts.push({ kind: 'text', text, buttons: linkText ? [] : buttons });
      if (linkText) parts.push({ kind: 'text', text: linkText, buttons });
    }
  } else if (linkText) {
    parts.push({ kind: 'text', text: linkText, buttons });
  } else if (buttons.length > 0) {
    parts.push({ kind: 'text', text: buttons.length === 1 ? 'Link:' : 'Links:', buttons });
  }

  for (const img of msg.images ?? []) {
    const caption = img.caption?.trim() ? img.caption : undefined;
    if (img.png.length > PHOTO_MAX_BYTES) {
      parts.push({ kind: 'document', name: 'chart.png', data: img.png });
      if (caption) parts.push({ kind: 'text', text: caption, buttons: [] });
    } else if (caption && caption.length > CAPTION_MAX) {
      parts.push({ kind: 'photo', png: img.png });
      parts.push({ kind: 'text', text: caption, buttons: [] });
    } else {
      parts.push(caption ? { kind: 'photo', png: img.png, caption } : { kind: 'photo', png: img.png });
    }
  }
  for (const f of msg.files ?? []) parts.push({ kind: 'document', name: f.name, data: f.data });
  return parts;
}

export function linkLine(l: OutboundLink): string {
  return l.label ? `${l.label}: ${l.url}` : l.url;
}

/**
 * Telegram refuses URL buttons that point at localhost, bare IPs or non-http schemes; such links
 * (a preview on 127.0.0.1) go into the text instead.
 */
export function buttonable(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
  const host = u.hostname;
  if (host === 'localhost' || host.endsWith('.localhost') || host.startsWith('[')) return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return false;
  return host.includes('.');
}
