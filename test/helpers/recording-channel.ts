// A Channel for pipeline tests: records what the gateway delivers and can be told to fail.
// It implements our own port (not a platform library), so nothing external is being mocked.

import type {
  Channel,
  ChannelId,
  ChannelStatus,
  ConversationRef,
  DeliveryReceipt,
  Inbound,
  InboundSink,
  Outbound,
} from '../../channels/channel.js';
import { DeliveryError } from '../../channels/channel.js';

export class RecordingChannel implements Channel {
  readonly limits: { textMax: number };
  readonly delivered: { to: ConversationRef; msg: Outbound; at: number }[] = [];
  readonly edits: { messageId: string; text: string }[] = [];
  sink: InboundSink | undefined;
  /** Throw this many times before delivering (per call, in order). */
  failures: DeliveryError[] = [];
  attempts = 0;
  private seq = 0;

  constructor(
    readonly id: ChannelId = 'telegram',
    textMax = 4096,
  ) {
    this.limits = { textMax };
  }

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
  }

  status(): ChannelStatus {
    return { state: 'connected' };
  }

  async deliver(to: ConversationRef, msg: Outbound): Promise<DeliveryReceipt> {
    this.attempts++;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.delivered.push({ to, msg, at: Date.now() });
    return { messageIds: [String(++this.seq)] };
  }

  async edit(_to: ConversationRef, receipt: DeliveryReceipt, text: string): Promise<void> {
    this.edits.push({ messageId: receipt.messageIds[0] as string, text });
  }

  /** What the chat shows now: each message's text with later edits applied, in posting order. */
  texts(conversationKey?: string): string[] {
    return this.delivered
      .map((d, i) => ({ d, id: String(i + 1) }))
      .filter(({ d }) => !conversationKey || d.to.key === conversationKey)
      .map(
        ({ d, id }) =>
          this.edits.filter((e) => e.messageId === id).at(-1)?.text ??
          (d.msg.kind === 'text' ? d.msg.text : ''),
      );
  }

  inbound(over: Partial<Inbound> & { text: string }): Inbound {
    const chat = over.conversationKey ?? 'c1';
    return {
      channel: this.id,
      conversationKey: chat,
      route: { chat },
      sender: { id: 'u1', name: 'User One' },
      isDirect: true,
      mentioned: false,
      attachments: [],
      platformId: `p-${Math.random().toString(36).slice(2)}`,
      at: new Date(),
      ...over,
    };
  }
}

export const retryAfter = (ms: number) => new DeliveryError('rate limited', { retryAfterMs: ms });
