// What an agent sees of the message a person replied to: its author, its text and the part they
// quoted, each marked as quoted context above the person's own words, so "why?" has its subject and
// quoted text is read as data, not as the person's instructions.

import type { InboundContext } from '../../channels/inbound-context.js';

const quoted = (text: string) =>
  text
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');

/** `text` with the reply context above it; `text` itself when the message was not a reply. */
export function withReplyContext(text: string, context: InboundContext | undefined): string {
  const reply = context?.replyTo;
  if (!reply || (!reply.text && !reply.quote)) return text;
  const from = reply.from ? ` from ${reply.from}` : '';
  const parts: string[] = [];
  if (reply.text) parts.push(`[In reply to a message${from} — quoted for context]`, quoted(reply.text));
  if (reply.quote) {
    parts.push(reply.text ? '[The part they quoted]' : `[Quoting a message${from}]`, quoted(reply.quote));
  }
  return `${parts.join('\n')}\n\n${text}`;
}
