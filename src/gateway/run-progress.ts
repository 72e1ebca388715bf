// Shows that a long run is alive: a typing indicator every few seconds and one status message,
// edited at most every ~2 s with the latest progress lines. Best effort by design: the final answer
// goes through the outbox and replaces the status message, so a lost edit costs nothing.

import type { Logger } from 'pino';
import type { Progress } from '../../agents/agent.js';
import type { Channel, ConversationRef, DeliveryReceipt } from '../../channels/channel.js';
import { shorten, wellFormed } from '../text/cut.js';

const TYPING_EVERY_MS = 4500;
const EDIT_EVERY_MS = 2000;
const LINES_SHOWN = 6;
const STEP_MAX_CHARS = 300;

export class RunProgress {
  private readonly lines: string[] = [];
  private receipt: DeliveryReceipt | undefined;
  private sending: Promise<void> | undefined;
  private lastEdit = 0;
  private editTimer: NodeJS.Timeout | undefined;
  private readonly typingTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly channel: Channel,
    private readonly to: ConversationRef,
    private readonly log: Logger,
    private readonly title: string,
  ) {
    if (channel.typing) {
      const type = () => void channel.typing?.(to).catch(() => {});
      type();
      this.typingTimer = setInterval(type, TYPING_EVERY_MS);
      this.typingTimer.unref();
    }
  }

  emit(p: Progress): void {
    if (this.closed) return;
    // One short line per step: a status message must stay well under any platform's text limit.
    const line = wellFormed((p.agent ? `[${p.agent}] ${p.text}` : p.text).replace(/\s+/g, ' ').trim());
    this.lines.push(shorten(line, STEP_MAX_CHARS));
    if (!this.receipt && !this.sending) {
      this.sending = this.channel
        .deliver(this.to, { kind: 'text', text: this.render() })
        .then((r) => {
          this.receipt = r;
          this.lastEdit = Date.now();
          if (this.lines.length > 1) this.scheduleEdit();
        })
        .catch((err) => this.log.debug({ err }, 'status message not sent'));
      return;
    }
    this.scheduleEdit();
  }

  /** The status message, for the final answer to replace. */
  async finish(): Promise<DeliveryReceipt | undefined> {
    this.closed = true;
    if (this.typingTimer) clearInterval(this.typingTimer);
    if (this.editTimer) clearTimeout(this.editTimer);
    await this.sending;
    return this.receipt;
  }

  private render(): string {
    const shown = this.lines.slice(-LINES_SHOWN);
    const more = this.lines.length - shown.length;
    return [
      `⏳ ${this.title}`,
      ...(more > 0 ? [`… ${more} earlier steps`] : []),
      ...shown.map((l) => `• ${l}`),
    ].join('\n');
  }

  private scheduleEdit(): void {
    if (this.editTimer || !this.receipt || !this.channel.edit) return;
    const wait = Math.max(0, this.lastEdit + EDIT_EVERY_MS - Date.now());
    this.editTimer = setTimeout(() => {
      this.editTimer = undefined;
      if (this.closed || !this.receipt) return;
      this.lastEdit = Date.now();
      this.channel
        .edit?.(this.to, this.receipt, this.render())
        .catch((err) => this.log.debug({ err }, 'status edit failed'));
    }, wait);
    this.editTimer.unref();
  }
}
