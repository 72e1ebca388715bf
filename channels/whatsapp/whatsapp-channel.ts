// The WhatsApp channel behind the Channel port, on a Baileys linked device. The connection
// (connection.ts) keeps a socket alive; this class turns its `messages.upsert` batches — live
// (`notify`) and caught up after a reconnect (`append`) — into Inbound messages, in order, off
// Baileys' event path, and sends replies through the open socket. Never blocks the gateway's start.

import { jidNormalizedUser, toNumber, type WAMessage } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import { Backoff } from '../../src/timing/backoff.js';
import { sleep } from '../../src/timing/clock.js';
import type { PacingLimits } from '../../src/timing/pacer.js';
import { SendPacer } from '../../src/timing/pacer.js';
import type {
  Channel,
  ChannelStatus,
  ConversationRef,
  DeliveryReceipt,
  InboundSink,
  Outbound,
} from '../channel.js';
import type { WhatsAppAuthStore } from './auth-store.js';
import { WhatsAppConnection } from './connection.js';
import { type MapContext, mapMessage } from './inbound-mapper.js';
import { WhatsAppMedia } from './media.js';
import { OutboundSender, WHATSAPP_PACING } from './outbound-sender.js';
import { RecentIds } from './recent-ids.js';
import { baileysSocketFactory, type SocketFactory, type WaSocket } from './socket.js';

/** Offline messages older than this are history, not requests: nobody waits for an answer any more. */
const APPEND_MAX_AGE_MS = 24 * 3600_000;
/** WhatsApp takes 65,536 characters; replies read better in pieces the size of Telegram's. */
const TEXT_MAX = 4000;

export interface WhatsAppChannelOptions {
  auth: WhatsAppAuthStore;
  log: Logger;
  /** Answer the owner in their own "message yourself" chat. */
  selfChat: boolean;
  /** Largest inbound file fetched (bytes). */
  maxAttachmentBytes: number;
  createSocket?: SocketFactory;
  wsUrl?: string;
  backoff?: { initialMs: number; maxMs: number; jitter?: number };
  livenessTimeoutMs?: number;
  pacing?: PacingLimits;
  /** Called once the channel has stopped (closes what from-config opened). */
  onStopped?: () => void;
}

export class WhatsAppChannel implements Channel {
  readonly id = 'whatsapp' as const;
  readonly limits: { textMax: number; attachmentMax: number };

  private readonly connection: WhatsAppConnection;
  private readonly media: WhatsAppMedia;
  private readonly sender: OutboundSender;
  private readonly seen = new RecentIds(10_000);
  private readonly sent = new RecentIds(2_000);
  private sink: InboundSink | undefined;
  /** Inbound handling, one message after another, so order and back-pressure hold. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: WhatsAppChannelOptions) {
    this.limits = { textMax: TEXT_MAX, attachmentMax: opts.maxAttachmentBytes };
    this.connection = new WhatsAppConnection({
      auth: opts.auth,
      createSocket: opts.createSocket ?? baileysSocketFactory,
      log: opts.log,
      ...(opts.wsUrl ? { wsUrl: opts.wsUrl } : {}),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      ...(opts.livenessTimeoutMs ? { livenessTimeoutMs: opts.livenessTimeoutMs } : {}),
      onMessages: (upsert, socket) => this.enqueue(upsert.messages, upsert.type, socket),
    });
    const socket = () => this.connection.current();
    this.media = new WhatsAppMedia({ maxBytes: opts.maxAttachmentBytes, socket, log: opts.log });
    this.sender = new OutboundSender({
      socket,
      remember: (id) => this.sent.add(id),
      log: opts.log,
      ...(opts.pacing ? { pacer: new SendPacer(opts.pacing) } : {}),
    });
  }

  /** Resolves at once: connecting (and failing to) is reported by status(), never awaited. */
  async start(sink: InboundSink, signal: AbortSignal): Promise<void> {
    this.sink = sink;
    signal.addEventListener('abort', () => void this.queue.finally(() => this.opts.onStopped?.()), {
      once: true,
    });
    this.connection.start(signal);
  }

  /** Starts linking this device: a QR code, or a pairing code for `phone` (digits, country code first). */
  login(opts: { phone?: string } = {}): ChannelStatus {
    this.connection.link(opts);
    return this.connection.status();
  }

  deliver(to: ConversationRef, msg: Outbound): Promise<DeliveryReceipt> {
    return this.sender.deliver(to, msg);
  }

  edit(to: ConversationRef, receipt: DeliveryReceipt, text: string): Promise<void> {
    return this.sender.edit(to, receipt, text);
  }

  typing(to: ConversationRef): Promise<void> {
    return this.sender.typing(to);
  }

  fetchAttachment(ref: string): Promise<Buffer> {
    return this.media.fetchStored(ref);
  }

  status(): ChannelStatus {
    return this.connection.status();
  }

  /** Resolves when every inbound message handed over so far has been dealt with. */
  drained(): Promise<void> {
    return this.queue;
  }

  private enqueue(messages: WAMessage[], type: 'notify' | 'append', socket: WaSocket): void {
    for (const msg of messages) {
      this.queue = this.queue
        .then(() => this.handle(msg, type, socket))
        .catch((err: unknown) => this.opts.log.error({ err }, 'whatsapp: inbound message lost'));
    }
  }

  private async handle(msg: WAMessage, type: 'notify' | 'append', socket: WaSocket): Promise<void> {
    const id = msg.key.id;
    if (!id || this.seen.has(id) || this.sent.has(id)) return;
    const at = msg.messageTimestamp ? toNumber(msg.messageTimestamp) * 1000 : Date.now();
    if (type === 'append' && Date.now() - at > APPEND_MAX_AGE_MS) {
      this.seen.add(id);
      return;
    }
    const mapped = await mapMessage(msg, this.context(socket));
    if ('skipped' in mapped) {
      this.seen.add(id);
      this.opts.log.debug({ reason: mapped.skipped, type }, 'whatsapp: message ignored');
      return;
    }
    await this.receive(mapped.inbound);
    this.seen.add(id);
  }

  /**
   * Baileys has already acknowledged the message to WhatsApp, which will not send it again: a
   * failing store is retried here a few times before the message is given up (and logged).
   */
  private async receive(inbound: Parameters<InboundSink['receive']>[0]): Promise<void> {
    const backoff = new Backoff({ initialMs: 250, maxMs: 8000, jitter: 0.5 });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sink?.receive(inbound);
        return;
      } catch (err) {
        if (attempt >= 6) throw err;
        this.opts.log.warn({ err, attempt }, 'whatsapp: inbound not accepted; retrying');
        await sleep(backoff.next());
      }
    }
  }

  private context(socket: WaSocket): MapContext {
    const user = socket.user;
    return {
      me: {
        ...(user?.id ? { pn: jidNormalizedUser(user.id) } : {}),
        ...(user?.lid ? { lid: jidNormalizedUser(user.lid) } : {}),
      },
      selfChat: this.opts.selfChat,
      phoneForLid: async (lid) => (await socket.signalRepository.lidMapping.getPNForLID(lid)) ?? undefined,
      media: this.media,
    };
  }
}

export { WHATSAPP_PACING };
