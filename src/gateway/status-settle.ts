// A status message ("⏳ working on it…") must never be left saying that: when the answer meant to
// replace it is posted as a new message instead, or cannot be delivered at all, the status message
// is edited to say so. Best effort: a status message that cannot be edited either is logged.

import type { Logger } from 'pino';
import type { Channel, ConversationRef, DeliveryReceipt } from '../../channels/channel.js';
import { shorten } from '../text/cut.js';

export const ANSWER_BELOW = '✓ Done — the answer is below.';

export function answerLost(reason: string): string {
  return `⚠ Done, but the answer could not be delivered: ${shorten(reason.replace(/\s+/g, ' '), 300)}`;
}

export async function settleStatus(
  channel: Channel,
  to: ConversationRef,
  status: DeliveryReceipt,
  text: string,
  log: Logger,
): Promise<void> {
  if (!channel.edit) return;
  try {
    await channel.edit(to, status, text);
  } catch (err) {
    log.warn({ err: (err as Error).message, conversation: to.key }, 'could not settle the status message');
  }
}
