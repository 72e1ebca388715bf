// Keeps a bot's outgoing messages under a platform's send limits by waiting before a send rather
// than collecting 429s: a token bucket per chat (a short burst goes out at once, the sustained rate is
// capped), a rolling per-minute cap for group chats, a rolling per-second cap overall. Sends to one chat keep their order; a 429 for a chat holds that chat until the
// server's retry-after has passed, without holding up other chats. Each channel passes its limits.

import { type Clock, systemClock } from './clock.js';

export interface PacingLimits {
  /** Sustained rate per chat: one send per this many ms (0 = none). */
  perChatIntervalMs: number;
  /**
   * Sends to one chat that may go out back to back before the sustained rate applies (the bucket's
   * size; default 1, a strict gap). Platforms limit sustained rates, not a reply's few messages.
   */
  perChatBurst?: number;
  /** Sends per rolling minute to one group chat (0 = no cap). */
  groupPerMinute: number;
  /** Sends per rolling second across all chats (0 = no cap). */
  globalPerSecond: number;
  /** Which chat ids are groups (for groupPerMinute); default: none. */
  isGroup?: (chatId: string) => boolean;
}

interface ChatState {
  sent: number[];
  /** Token bucket: sends available now (fractional while refilling), as of `refilledAt`. */
  tokens: number;
  refilledAt: number;
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
    private readonly limits: PacingLimits,
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

  /** After a 429 for this chat: hold its sends for `ms` (the server's retry-after). */
  penalize(chatId: string | number, ms: number): void {
    const chat = this.chat(String(chatId));
    chat.blockedUntil = Math.max(chat.blockedUntil, this.clock.now() + ms);
  }

  private async waitForSlot(id: string, chat: ChatState, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const wait = this.waitNeeded(id, chat, now);
      if (wait <= 0) {
        if (this.limits.perChatIntervalMs > 0) chat.tokens -= 1;
        chat.sent.push(now);
        this.globalSent.push(now);
        this.sweep(now);
        return;
      }
      await this.clock.sleep(wait, signal);
    }
  }

  private waitNeeded(id: string, chat: ChatState, now: number): number {
    const { perChatIntervalMs, groupPerMinute, globalPerSecond, isGroup } = this.limits;
    prune(chat.sent, now - 60_000);
    prune(this.globalSent, now - 1000);
    let until = chat.blockedUntil;
    if (perChatIntervalMs > 0) {
      const burst = Math.max(1, this.limits.perChatBurst ?? 1);
      chat.tokens = Math.min(burst, chat.tokens + (now - chat.refilledAt) / perChatIntervalMs);
      chat.refilledAt = now;
      if (chat.tokens < 1) until = Math.max(until, now + Math.ceil((1 - chat.tokens) * perChatIntervalMs));
    }
    if (groupPerMinute > 0 && chat.sent.length >= groupPerMinute && isGroup?.(id)) {
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
      const full = Math.max(1, this.limits.perChatBurst ?? 1);
      chat = {
        sent: [],
        tokens: full,
        refilledAt: this.clock.now(),
        blockedUntil: 0,
        tail: Promise.resolve(),
        pending: 0,
      };
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
