// The seam between the channel and Baileys: the slice of a Baileys socket the channel uses, and the
// factory that makes one. Production passes makeWASocket (baileysSocketFactory); tests pass a socket
// whose events are Baileys' own event buffer fed with messages built by Baileys' own functions, because
// a real socket cannot log in to anything but WhatsApp (the noise handshake pins WhatsApp's key).

import makeWASocket, {
  type AnyMessageContent,
  type AuthenticationState,
  type BaileysEventMap,
  Browsers,
  type Contact,
  type MiscMessageGenerationOptions,
  makeCacheableSignalKeyStore,
  type WAMessage,
  type WAPresence,
} from '@whiskeysockets/baileys';
import type { Logger } from 'pino';

export type WaEvents = Partial<BaileysEventMap>;

export interface WaSocket {
  /** Baileys' buffered event emitter: `process` gets each flushed batch of events. */
  ev: { process(handler: (events: WaEvents) => void | Promise<void>): () => void };
  /** The transport: every frame from WhatsApp is a 'message' (the liveness watchdog listens). */
  ws: { on(event: 'message', listener: () => void): unknown };
  /** Who this device is logged in as, once known. */
  user: Contact | undefined;
  sendMessage(
    jid: string,
    content: AnyMessageContent,
    options?: MiscMessageGenerationOptions,
  ): Promise<WAMessage | undefined>;
  sendPresenceUpdate(type: WAPresence, toJid?: string): Promise<void>;
  /** Pairing-code login (instead of a QR): returns the 8-character code to type on the phone. */
  requestPairingCode(phoneNumber: string): Promise<string>;
  /** Asks the sender's phone to upload expired media again. */
  updateMediaMessage(message: WAMessage): Promise<WAMessage>;
  signalRepository: { lidMapping: { getPNForLID(lid: string): Promise<string | null> } };
  end(error: Error | undefined): unknown;
}

export interface SocketOptions {
  auth: AuthenticationState;
  log: Logger;
  /** Override of Baileys' WhatsApp Web endpoint (a proxy or test server). */
  wsUrl?: string;
}

export type SocketFactory = (opts: SocketOptions) => WaSocket;

/** A real Baileys socket. Baileys logs generously; only its warnings reach our log. */
export const baileysSocketFactory: SocketFactory = ({ auth, log, wsUrl }) => {
  const logger = log.child({ lib: 'baileys' }, { level: log.levelVal > 40 ? log.level : 'warn' });
  return makeWASocket({
    auth: { creds: auth.creds, keys: makeCacheableSignalKeyStore(auth.keys, logger) },
    logger,
    browser: Browsers.macOS('Chrome'),
    ...(wsUrl ? { waWebSocketUrl: wsUrl } : {}),
    // The bot should not look "online" on the owner's phone, nor pull years of history it never answers.
    markOnlineOnConnect: false,
    syncFullHistory: false,
    // Our own sends need no echo through messages.upsert; the channel knows what it sent.
    emitOwnEvents: false,
    // Above Baileys' 20 s default so a slow link still gets through; the CLI has its own 30 s limit.
    connectTimeoutMs: 25_000,
  });
};
