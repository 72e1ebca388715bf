// The WhatsApp side of the channel's socket seam. Baileys cannot log in to anything but WhatsApp (the
// noise handshake pins WhatsApp's certificate), so tests hand the channel this socket: its events go
// through Baileys' own event buffer (makeEventBuffer), inbound messages are built with Baileys' own
// generateWAMessage / generateWAMessageFromContent and proto, and every send is turned into the
// WAMessage Baileys would send (media encrypted and uploaded to the local MediaCdn) and recorded.

import { EventEmitter } from 'node:events';
import { Boom } from '@hapi/boom';
import {
  type AnyMessageContent,
  type AuthenticationState,
  type Contact,
  generateWAMessage,
  generateWAMessageFromContent,
  jidNormalizedUser,
  type MiscMessageGenerationOptions,
  makeEventBuffer,
  proto,
  type WAMessage,
  type WAPresence,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import type { SocketFactory, SocketOptions, WaSocket } from '../../../channels/whatsapp/socket.js';
import type { MediaCdn } from './media-cdn.js';

const quiet = pino({ level: 'silent' });

export interface SentMessage {
  jid: string;
  content: AnyMessageContent;
  options: MiscMessageGenerationOptions | undefined;
  message: WAMessage;
}

export class FakeSocket implements WaSocket {
  readonly ev = makeEventBuffer(quiet);
  readonly ws = new EventEmitter();
  user: Contact | undefined;
  readonly sent: SentMessage[] = [];
  readonly presences: { type: WAPresence; jid: string | undefined }[] = [];
  readonly pairingRequests: string[] = [];
  readonly lidToPn = new Map<string, string>();
  reuploads = 0;
  endedWith: Error | undefined | null = null;
  /** Make the next sendMessage calls fail with these Baileys errors, in order. */
  readonly sendFailures: Boom[] = [];
  readonly signalRepository = {
    lidMapping: { getPNForLID: async (lid: string) => this.lidToPn.get(jidNormalizedUser(lid)) ?? null },
  };

  constructor(
    readonly opts: SocketOptions,
    private readonly cdn: MediaCdn | undefined,
  ) {}

  get auth(): AuthenticationState {
    return this.opts.auth;
  }

  /** The connection opens as `me`, linked (a first open also brings what pair-success adds to creds). */
  open(me: Contact = { id: '15550001111:7@s.whatsapp.net', lid: '77700011:7@lid', name: 'Owner' }): void {
    this.user = me;
    if (!this.auth.creds.account) this.scanned(me);
    this.ev.emit('connection.update', { connection: 'open' });
  }

  /** The owner scanned the QR (or typed the code): pair-success puts the signed identity into creds. */
  scanned(me: Contact = { id: '15550001111:7@s.whatsapp.net', name: 'Owner' }): void {
    const account = proto.ADVSignedDeviceIdentity.fromObject({ details: Buffer.from(`device of ${me.id}`) });
    this.ev.emit('creds.update', { me, account });
    this.ev.emit('connection.update', { isNewLogin: true, qr: undefined });
  }

  showQr(qr: string): void {
    this.ev.emit('connection.update', { qr });
  }

  /** WhatsApp closes the connection with a DisconnectReason, as Baileys' end() reports it. */
  close(statusCode: number, message = 'Connection Failure'): void {
    this.finish(new Boom(message, { statusCode }));
  }

  /** Messages arrive as Baileys emits them: live (`notify`) or caught up after a reconnect (`append`). */
  deliver(messages: WAMessage[], type: 'notify' | 'append' = 'notify'): void {
    this.ev.emit('messages.upsert', { messages, type });
  }

  /** A frame from WhatsApp on the transport (what the liveness watchdog counts). */
  frame(): void {
    this.ws.emit('message', Buffer.from([0]));
  }

  async sendMessage(
    jid: string,
    content: AnyMessageContent,
    options?: MiscMessageGenerationOptions,
  ): Promise<WAMessage | undefined> {
    const failure = this.sendFailures.shift();
    if (failure) throw failure;
    const userJid = this.user?.id ?? '0@s.whatsapp.net';
    const message = await generateWAMessage(jid, content, {
      userJid,
      upload:
        this.cdn?.upload ??
        (async () => {
          throw new Error('no media CDN in this test');
        }),
      logger: quiet,
      ...(options?.messageId ? { messageId: options.messageId } : {}),
    });
    this.sent.push({ jid, content, options, message });
    return message;
  }

  async sendPresenceUpdate(type: WAPresence, jid?: string): Promise<void> {
    this.presences.push({ type, jid });
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.pairingRequests.push(phoneNumber);
    return 'K7PQ4XWZ';
  }

  async updateMediaMessage(message: WAMessage): Promise<WAMessage> {
    this.reuploads++;
    return message;
  }

  end(error: Error | undefined): void {
    this.finish(error);
  }

  private finish(error: Error | undefined): void {
    if (this.endedWith !== null) return;
    this.endedWith = error;
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
    this.ev.removeAllListeners('connection.update');
  }
}

/** Hands the channel a new FakeSocket per connect and keeps them all, newest last. */
export class FakeWhatsApp {
  readonly sockets: FakeSocket[] = [];
  private readonly waiters: ((s: FakeSocket) => void)[] = [];

  /** Called with each new socket, after the channel has subscribed to its events (e.g. to open it). */
  onSocket: ((socket: FakeSocket) => void) | undefined;

  constructor(private readonly cdn?: MediaCdn) {}

  readonly factory: SocketFactory = (opts) => {
    const socket = new FakeSocket(opts, this.cdn);
    this.sockets.push(socket);
    if (this.onSocket) queueMicrotask(() => this.onSocket?.(socket));
    for (const w of this.waiters.splice(0)) w(socket);
    return socket;
  };

  get current(): FakeSocket {
    const s = this.sockets.at(-1);
    if (!s) throw new Error('the channel has not connected yet');
    return s;
  }

  /** Resolves with socket number `n` (1-based) once the channel has created it. */
  async socket(n: number): Promise<FakeSocket> {
    while (this.sockets.length < n) await new Promise<FakeSocket>((r) => this.waiters.push(r));
    return this.sockets[n - 1] as FakeSocket;
  }
}

let seq = 0;

/** A message someone else sent, as Baileys hands it to the app after decryption. */
export function incoming(opts: {
  chat: string;
  text?: string;
  content?: proto.IMessage;
  participant?: string;
  participantAlt?: string;
  remoteJidAlt?: string;
  fromMe?: boolean;
  pushName?: string;
  id?: string;
  at?: Date;
}): WAMessage {
  const content = opts.content ?? proto.Message.fromObject({ conversation: opts.text ?? '' });
  const msg = generateWAMessageFromContent(opts.chat, content, {
    userJid: opts.participant ?? opts.chat,
    ...(opts.at ? { timestamp: opts.at } : {}),
  });
  msg.key = {
    remoteJid: opts.chat,
    fromMe: opts.fromMe ?? false,
    id: opts.id ?? `3A${(++seq).toString(16).padStart(18, '0').toUpperCase()}`,
    ...(opts.participant ? { participant: opts.participant } : {}),
    ...(opts.participantAlt ? { participantAlt: opts.participantAlt } : {}),
    ...(opts.remoteJidAlt ? { remoteJidAlt: opts.remoteJidAlt } : {}),
  };
  msg.pushName = opts.pushName ?? 'Alice';
  return msg;
}

/** Media someone sent: Baileys prepares (encrypts, uploads to the CDN) as the sender's phone would. */
export async function incomingMedia(
  cdn: MediaCdn,
  opts: Parameters<typeof incoming>[0] & { media: AnyMessageContent },
): Promise<WAMessage> {
  const prepared = await generateWAMessage(opts.chat, opts.media, {
    userJid: opts.participant ?? opts.chat,
    upload: cdn.upload,
    logger: quiet,
  });
  return incoming({ ...opts, content: prepared.message ?? undefined });
}
