// Keeps outgoing messages under Telegram's flood limits (about 1 msg/s per chat, 20/min per group,
// 30/s overall) by waiting before a send rather than collecting 429s. Sends to one chat keep their
// order; a 429 for a chat blocks that chat until retry_after has passed.

import { type Clock, systemClock } from './timing.js';

export interface PacingLimits {
  /** Minimum gap between two sends to the same chat. */
  perChatIntervalMs: number;
  /** Sends per rolling minute to one group (negative chat id). */
  groupPerMinute: number;
  /** Sends per rolling second across all chats. */
  globalPerSecond: number;
}

export const TELEGRAM_PACING: PacingLimits = {
  perChatIntervalMs: 1000,
  groupPerMinute: 20,
  globalPerSecond: 30,
};

interface ChatState {
  sent: number[];
  blockedUntil: number;
  /** Tail of this chat's acquire chain: a later send waits for the earlier one's slot. */
  tail: Promise<void>;
  pending: number;
}

export class SendPacer {
  private readonly chats = new Map<string, ChatState>();
  private readonly globalSent: number[] = [];
  private acquiresSinceSweep = 0;

  constructor(
    private readonly limits: PacingLimits = TELEGRAM_PACING,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Resolves when a message to `chatId` may be sent now; the slot is taken on resolve. */
  acquire(chatId: string | number, signal?: AbortSignal): Promise<void> {
    const id = String(chatId);
    const chat = this.chat(id);
    chat.pending++;
    const turn = chat.tail
      .then(() => this.waitForSlot(id, chat, signal))
      .finally(() => {
        chat.pending--;
      });
    // A failed (aborted) acquire must not block the chat's later sends.
    chat.tail = turn.catch(() => undefined);
    return turn;
  }

  /** After a 429 for this chat: hold its sends until the server's retry_after has passed. */
  penalize(chatId: string | number, ms: number): void {
    const chat = this.chat(String(chatId));
    chat.blockedUntil = Math.max(chat.blockedUntil, this.clock.now() + ms);
  }

  private async waitForSlot(id: string, chat: ChatState, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const wait = this.waitNeeded(id, chat, now);
      if (wait <= 0) {
        chat.sent.push(now);
        this.globalSent.push(now);
        this.sweep(now);
        return;
      }
      await this.clock.sleep(wait, signal);
    }
  }

  private waitNeeded(id: string, chat: ChatState, now: number): number {
    const { perChatIntervalMs, groupPerMinute, globalPerSecond } = this.limits;
    prune(chat.sent, now - 60_000);
    prune(this.globalSent, now - 1000);
    let until = chat.blockedUntil;
    const last = chat.sent.at(-1);
    if (last !== undefined) until = Math.max(until, last + perChatIntervalMs);
    if (id.startsWith('-') && groupPerMinute > 0 && chat.sent.length >= groupPerMinute) {
      until = Math.max(until, chat.sent[chat.sent.length - groupPerMinute]! + 60_000);
    }
    if (globalPerSecond > 0 && this.globalSent.length >= globalPerSecond) {
      until = Math.max(until, this.globalSent[this.globalSent.length - globalPerSecond]! + 1000);
    }
    return until - now;
  }

  private chat(id: string): ChatState {
    let chat = this.chats.get(id);
    if (!chat) {
      chat = { sent: [], blockedUntil: 0, tail: Promise.resolve(), pending: 0 };
      this.chats.set(id, chat);
    }
    return chat;
  }

  /** Forget chats that have been quiet for a minute so the map does not grow without bound. */
  private sweep(now: number): void {
    if (++this.acquiresSinceSweep < 500) return;
    this.acquiresSinceSweep = 0;
    for (const [id, chat] of this.chats) {
      const last = chat.sent.at(-1) ?? 0;
      if (chat.pending === 0 && last < now - 60_000 && chat.blockedUntil < now) this.chats.delete(id);
    }
  }
}

/** Drop timestamps at or before `cutoff` from a sorted array. */
function prune(times: number[], cutoff: number): void {
  let n = 0;
  while (n < times.length && times[n]! <= cutoff) n++;
  if (n > 0) times.splice(0, n);
}
