// Text in and out of Slack's mrkdwn. Outbound: `&`, `<`, `>` must be escaped as `&amp;` `&lt;` `&gt;`
// (Slack, "Formatting text for app surfaces": the only escaping required), and one message carries
// at most 4,000 characters (chat.postMessage truncates longer text), counted AFTER escaping — so a
// piece is cut from the raw text where its escaped form fits. Inbound: Slack sends text escaped the
// same way, with links as `<url|label>`; we hand the gateway what the user typed.

import type { OutboundLink } from '../channel.js';

/** chat.postMessage: "limit the number of characters in the text field to 4,000". */
export const SLACK_TEXT_MAX = 4000;
/**
 * What the gateway chunks replies to (Channel.limits.textMax): below SLACK_TEXT_MAX so a chunk's
 * escaping (`&` → `&amp;` …) still fits one message in the common case; deliver() splits the rest.
 */
export const SLACK_CHUNK_MAX = 3500;

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapedLength(ch: string): number {
  return ch === '&' ? 5 : ch === '<' || ch === '>' ? 4 : ch.length;
}

/**
 * Cuts raw text into pieces whose escaped form is at most `max` characters, preferring line breaks
 * and never splitting a surrogate pair. The pieces joined are the input.
 */
export function splitForSlack(text: string, max = SLACK_TEXT_MAX): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let size = 0;
    let end = start;
    let lastBreak = -1;
    while (end < text.length) {
      const cp = text.codePointAt(end) as number;
      const ch = String.fromCodePoint(cp);
      const add = escapedLength(ch);
      if (size + add > max) break;
      size += add;
      end += ch.length;
      if (ch === '\n') lastBreak = end;
    }
    if (end < text.length && lastBreak > start + (end - start) / 2) end = lastBreak;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/** A link as mrkdwn: `<url|label>`; a URL Slack would misread (`|`, `>`, spaces) is sent as text. */
export function mrkdwnLink(link: OutboundLink): string {
  if (!/^https?:\/\/[^\s|<>]+$/.test(link.url))
    return escapeMrkdwn(link.label ? `${link.label}: ${link.url}` : link.url);
  return link.label ? `<${link.url}|${escapeMrkdwn(link.label.replace(/[|\n]/g, ' '))}>` : `<${link.url}>`;
}

export function containsUrl(text: string): boolean {
  return /\bhttps?:\/\//i.test(text);
}

/**
 * What the user typed, from a message's `text`: `<url|label>` and `<url>` become the URL, `<@U1>`
 * stays (a mention), then the three entities are unescaped (last, so `&amp;lt;` stays `&lt;`).
 */
export function fromSlackText(text: string): string {
  return text
    .replace(/<((?:https?|mailto|tel):[^|>]+)(?:\|[^>]*)?>/g, (_m, url: string) =>
      url.replace(/^mailto:/, ''),
    )
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
