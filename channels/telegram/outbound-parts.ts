// Turns one reply part (a text chunk with its links, an image, a file) into the Telegram messages
// that carry it: one, or two when the platform's limits force it (a caption over 1024 characters,
// a photo over 10 MB sent as a document, links that no longer fit beside the text).

import type { OutboundLink, OutboundPart } from '../channel.js';

export const TEXT_MAX = 4096;
export const CAPTION_MAX = 1024;
/** Bot API upload limits: photos over 10 MB are refused, any file over 50 MB. */
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
export const UPLOAD_MAX_BYTES = 50 * 1024 * 1024;

export type Part =
  | { kind: 'text'; text: string; buttons: OutboundLink[] }
  | { kind: 'photo'; png: Buffer; caption?: string }
  | { kind: 'document'; name: string; data: Buffer };

export function planParts(msg: OutboundPart): Part[] {
  if (msg.kind === 'file') return [{ kind: 'document', name: msg.name, data: msg.data }];
  if (msg.kind === 'image') {
    const { png } = msg;
    const caption = msg.caption?.trim() ? msg.caption : undefined;
    if (png.length > PHOTO_MAX_BYTES) {
      const doc: Part = { kind: 'document', name: 'chart.png', data: png };
      return caption ? [doc, { kind: 'text', text: caption, buttons: [] }] : [doc];
    }
    if (caption && caption.length > CAPTION_MAX) {
      return [
        { kind: 'photo', png },
        { kind: 'text', text: caption, buttons: [] },
      ];
    }
    return [caption ? { kind: 'photo', png, caption } : { kind: 'photo', png }];
  }
  const links = msg.links ?? [];
  const buttons = links.filter((l) => buttonable(l.url));
  const linkText = links
    .filter((l) => !buttonable(l.url))
    .map(linkLine)
    .join('\n');
  const text = msg.text;
  if (text.trim() !== '') {
    if (linkText && text.length + linkText.length + 2 <= TEXT_MAX) {
      return [{ kind: 'text', text: `${text}\n\n${linkText}`, buttons }];
    }
    if (!linkText) return [{ kind: 'text', text, buttons }];
    return [
      { kind: 'text', text, buttons: [] },
      { kind: 'text', text: linkText, buttons },
    ];
  }
  if (linkText) return [{ kind: 'text', text: linkText, buttons }];
  if (buttons.length > 0) return [{ kind: 'text', text: buttons.length === 1 ? 'Link:' : 'Links:', buttons }];
  return [];
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
