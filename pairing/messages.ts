// Everything pairing says to people in chats, in one place so the wording stays consistent.
// The pairing reply must carry the code and the exact approve command (DESIGN §8).

import { CODE_TTL_MS } from './pairing-codes.js';

function ttlWords(ttlMs: number): string {
  const min = Math.round(ttlMs / 60_000);
  if (min % 60 === 0) return min === 60 ? '1 hour' : `${min / 60} hours`;
  return `${min} minutes`;
}

export function pairingReply(channel: string, code: string, ttlMs = CODE_TTL_MS): string {
  return [
    "Hi! I don't know you yet, so I can't answer. Ask the owner of this bot to approve you.",
    '',
    `Your pairing code: ${code} (valid for ${ttlWords(ttlMs)})`,
    '',
    'The owner approves it on the gateway with:',
    `sandgate pairing approve ${channel} ${code}`,
    `or by sending /approve ${code} in their own chat with me.`,
    '',
    "I've kept your message and will answer it once you're approved.",
  ].join('\n');
}

export function queueFullReply(): string {
  return 'Sorry, too many people are waiting for approval on this bot right now. Please try again later.';
}

export function approvedNotice(): string {
  return "You're approved! I'll answer your message now.";
}
