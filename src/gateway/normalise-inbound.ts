// Pipeline step 0: every inbound message is normalised once, before it is stored, so commands,
// approval codes and agents all read the same text. Invisible characters go (a zero-width space
// before `/sh` no longer hides the command), file names become safe basenames, forwarded text is
// marked as such (so it can never run as its forwarder's command), context strings are bounded.

import type { Inbound } from '../../channels/channel.js';
import type { InboundContext } from '../../channels/inbound-context.js';
import { cutText, shorten, wellFormed } from '../text/cut.js';
import { safeFileName } from '../text/file-name.js';
import { normaliseInvisible } from '../text/invisible.js';

/** How much of a replied-to message and of a quote an agent is shown (UTF-16 units). */
export const REPLY_TEXT_MAX = 2000;
export const QUOTE_MAX = 1000;
const NAME_MAX = 80;

/** Text as every later step reads it: well-formed, without invisible format characters. */
export function normaliseText(text: string): string {
  return normaliseInvisible(wellFormed(text));
}

/** The first line agents see above a forwarded message; the text after it is the forwarded text. */
export function forwardedHeader(from: string): string {
  return `[Forwarded message from ${from}]`;
}

export function normaliseInbound(inbound: Inbound): Inbound {
  const context = normaliseContext(inbound.context);
  let text = normaliseText(inbound.text);
  // Marked in the text itself, so no later step can read a forwarded `/sh …` as a command.
  if (context?.forwardedFrom) text = `${forwardedHeader(context.forwardedFrom)}\n${text}`;
  return {
    ...inbound,
    text,
    attachments: inbound.attachments.map((a, i) => ({ ...a, name: safeFileName(a.name, `file-${i + 1}`) })),
    ...(context ? { context } : {}),
  };
}

function normaliseContext(context: InboundContext | undefined): InboundContext | undefined {
  if (!context) return undefined;
  const name = (s: string | undefined) =>
    s === undefined
      ? undefined
      : shorten(normaliseText(s).replace(/\s+/g, ' ').trim(), NAME_MAX) || 'someone';
  const out: InboundContext = { ...context };
  if (context.forwardedFrom !== undefined) out.forwardedFrom = name(context.forwardedFrom);
  if (context.onBehalfOf !== undefined) out.onBehalfOf = name(context.onBehalfOf);
  if (context.replyTo) {
    const { from, text, quote } = context.replyTo;
    out.replyTo = {
      ...(from !== undefined ? { from: name(from) } : {}),
      ...(text ? { text: cutText(normaliseText(text), REPLY_TEXT_MAX) } : {}),
      ...(quote ? { quote: cutText(normaliseText(quote), QUOTE_MAX) } : {}),
    };
  }
  return out;
}
