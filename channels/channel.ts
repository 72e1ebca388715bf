// The Channel port: what a chat platform adapter must provide to the gateway.
// Channels only report who sent what and deliver what they are given; policy,
// chunking, retries and persistence live in the gateway (src/gateway).

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
}

export interface OutboundImage {
  png: Buffer;
  caption?: string;
}
export interface OutboundFile {
  name: string;
  data: Buffer;
}
export interface OutboundLink {
  url: string;
  label?: string;
}

export interface Outbound {
  text?: string;
  images?: OutboundImage[];
  files?: OutboundFile[];
  links?: OutboundLink[];
  /** A stable key so a channel that supports it can make a retried send idempotent. */
  idempotencyKey?: string;
}

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
  lastError?: { message: string; at: string };
  /** Who the channel is connected as (bot username), if known. */
  identity?: string;
}

/**
 * The gateway's intake. `receive` resolves once the message is persisted (or recognised as a
 * duplicate): a channel acknowledges / advances its offset only after that.
 */
export interface InboundSink {
  receive(inbound: Inbound): Promise<{ accepted: boolean; duplicate: boolean; reason?: string }>;
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
  /**
   * Chunking is done by the gateway, fence-aware, to `textMax`. `attachmentMax`: the largest file
   * the platform lets a bot download; bigger ones get a clear reply instead of a run.
   */
  readonly limits: { textMax: number; attachmentMax?: number };
}
