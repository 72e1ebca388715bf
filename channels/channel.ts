// The Channel port: what a chat platform adapter must provide to the gateway.
// Channels only report who sent what and deliver what they are given; policy,
// chunking, retries and persistence live in the gateway (src/gateway).

import type { InboundContext } from './inbound-context.js';

export type ChannelId = 'telegram' | 'whatsapp' | 'slack' | 'local';

/** Where a reply goes. `key` is the gateway's conversation key; the rest is channel-specific routing. */
export interface ConversationRef {
  channel: ChannelId;
  /** Stable conversation key, e.g. `tg:123` or `tg:-100123:topic:7`. */
  key: string;
  /** Channel-specific routing data (chat id, thread ts, topic id …), JSON-serialisable. */
  route: Record<string, string | number | boolean | null>;
}

export interface Attachment {
  name: string;
  mime: string;
  size: number;
  /**
   * A serialisable handle (e.g. Telegram's file_id) the gateway stores with the message, so the file
   * can still be fetched through `Channel.fetchAttachment` after a restart.
   */
  ref?: string;
  /** Fetched lazily: the gateway decides whether the attachment is wanted before downloading it. */
  fetch(): Promise<Buffer>;
}

export interface Inbound {
  channel: ChannelId;
  /** Conversation key (unique within the channel). */
  conversationKey: string;
  route: ConversationRef['route'];
  sender: { id: string; name: string; isBot?: boolean };
  isDirect: boolean;
  /** In a group: the bot was mentioned, replied to or addressed with a command. */
  mentioned: boolean;
  text: string;
  attachments: Attachment[];
  /** The platform's id for this message; (channel, platformId) is the dedupe key. */
  platformId: string;
  at: Date;
  /** Forwarded, a reply, part of an album, an edit, a kind we cannot take … (see inbound-context.ts). */
  context?: InboundContext;
}

export interface OutboundLink {
  url: string;
  label?: string;
}

/**
 * ONE part of a reply: a text chunk (with its links), an image or a file. The reply writer
 * (src/gateway/reply-writer.ts) stores one outbox row per part, so the outbox is the delivery ledger:
 * a 429 on the third image retries that image only, and a channel keeps no record of its own of
 * what it already posted. A channel may still post one part as two platform messages (a caption
 * too long for the platform goes as a text after the photo); a retry then repeats that part.
 */
export type OutboundPart =
  | { kind: 'text'; text: string; links?: OutboundLink[] }
  | { kind: 'image'; png: Buffer; caption?: string }
  | { kind: 'file'; name: string; data: Buffer };

export type Outbound = OutboundPart & {
  /**
   * Stable across retries of the same outbox row (`delivery-<row id>`): a channel whose platform
   * dedupes on a client-chosen id (a message id, a request id) can pass it on.
   */
  idempotencyKey?: string;
};

export interface DeliveryReceipt {
  /** Platform message id(s) of what was sent; the first is the one `edit` targets. */
  messageIds: string[];
}

export type ChannelState = 'connected' | 'connecting' | 'needs-login' | 'error' | 'stopped';

export interface ChannelStatus {
  state: ChannelState;
  /** Human-readable reason for `error` / `needs-login`. */
  detail?: string;
  /** A QR payload while a device link (WhatsApp) is in progress. */
  qr?: string;
  /** Instead of a QR: the code to type on the phone (WhatsApp "link with phone number"). */
  pairingCode?: string;
  lastError?: { message: string; at: string };
  /** Who the channel is connected as (bot username), if known. */
  identity?: string;
}

/**
 * The gateway's intake. `receive` resolves once the message is persisted (or recognised as a
 * duplicate): a channel acknowledges / advances its offset only after that.
 */
export interface InboundSink {
  receive(inbound: Inbound): Promise<InboundReceipt>;
}

export interface InboundReceipt {
  accepted: boolean;
  duplicate: boolean;
  reason?: string;
  /** The gateway's row id of the message (of the first copy, for a duplicate), when it has one. */
  id?: number;
  /**
   * Set when the gateway answered the message itself instead of running it (pairing code for an
   * unknown sender, access refused, too large): no run follows. `replied`: that answer is already
   * queued in the outbox for this message's route. Slack shows such an answer to a slash command as
   * the command's ephemeral response (DESIGN §9.1), which it can only do if it knows while acking.
   */
  refused?: { replied: boolean };
}

/**
 * A delivery error that says when to try again (Telegram 429 retry_after, Slack Retry-After).
 * `permanent` errors (403 blocked by user, 400 chat not found) are not retried.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly opts: { retryAfterMs?: number; permanent?: boolean } = {},
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/**
 * An HTTP endpoint a channel serves on the gateway's one server: a platform's webhook (Telegram's
 * webhook, Slack's `POST /slack/events`). Mounted as is, outside the token-guarded /api, so the
 * handler proves the request's origin itself (a secret header, a signature over the raw body).
 * It gets the web-standard Request untouched: `await req.text()` is the raw body as sent.
 */
export interface ChannelRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Absolute path, e.g. `/slack/events`. Two channels claiming one path fail the start-up. */
  path: string;
  handler(req: Request): Promise<Response>;
}

/** What `settled` reports: the gateway's id of a message and where it ended. */
export interface SettledMessage {
  /** The gateway's inbound row id (what POST /api/local/messages answers as `id`). */
  id: number;
  platformId: string;
  /** The message's final state: done, failed, cancelled, interrupted, rejected, held … */
  state: string;
}

export interface Channel {
  readonly id: ChannelId;
  /** Connect, then push inbound messages into `sink` until `signal` aborts. Resolves once connected. */
  start(sink: InboundSink, signal: AbortSignal): Promise<void>;
  deliver(to: ConversationRef, msg: Outbound): Promise<DeliveryReceipt>;
  /** Replace the text of an earlier message (progress status). */
  edit?(to: ConversationRef, receipt: DeliveryReceipt, text: string): Promise<void>;
  /** Show a typing indicator for a few seconds. */
  typing?(to: ConversationRef): Promise<void>;
  /** Fetch an attachment by its `ref` (after a restart, when the live `fetch` is gone). */
  fetchAttachment?(ref: string): Promise<Buffer>;
  status(): ChannelStatus;
  /** HTTP endpoints this channel needs on the gateway's server (webhook mode); read once at start-up. */
  routes?(): ChannelRoute[];
  /**
   * For a channel that runs as a linked device (WhatsApp): start linking — a QR in `status().qr`, or
   * with `phone` (digits, country code first) a pairing code in `status().pairingCode` — unless it is
   * already connected. Returns the status right after the request; the QR follows in status().
   */
  login?(opts: { phone?: string }): ChannelStatus;
  /**
   * Called once a message from this channel reached its final state and none of its replies is
   * pending (each delivered or given up). Best effort, not persisted: after a restart it may come
   * again or, for a message settled while the gateway was down, not at all.
   */
  settled?(to: ConversationRef, message: SettledMessage): void;
  /**
   * Chunking is done by the gateway, fence-aware, to `textMax`. `attachmentMax`: the largest file
   * the platform lets a bot download; bigger ones get a clear reply instead of a run.
   */
  readonly limits: { textMax: number; attachmentMax?: number };
}
