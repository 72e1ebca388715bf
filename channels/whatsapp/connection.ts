// Keeps one Baileys socket alive: connects, saves creds on every creds.update, shows the link QR (or
// asks for a pairing code), and on every close applies the DisconnectReason table (disconnect-policy.ts):
// restart at once, back off, wipe and wait for a new link, or stop and report. Never throws at the
// caller: a WhatsApp that cannot connect is a status, not a failure of the gateway.

import type { WAMessage } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import { Backoff, type BackoffOptions } from '../../src/timing/backoff.js';
import type { ChannelState, ChannelStatus } from '../channel.js';
import type { WhatsAppAuthStore } from './auth-store.js';
import { decideOnClose, statusCodeOf } from './disconnect-policy.js';
import { LivenessWatchdog } from './liveness.js';
import type { SocketFactory, WaEvents, WaSocket } from './socket.js';

export interface ConnectionOptions {
  auth: WhatsAppAuthStore;
  createSocket: SocketFactory;
  log: Logger;
  wsUrl?: string;
  /** Reconnect backoff after transient closes. Default 2 s doubling to 2 min, half jittered. */
  backoff?: BackoffOptions;
  /** No frame from WhatsApp for this long ends the socket (Baileys pings every 30 s). Default 2 min. */
  livenessTimeoutMs?: number;
  /** A batch of messages from `messages.upsert`, with the socket they came from. */
  onMessages(upsert: { messages: WAMessage[]; type: 'notify' | 'append' }, socket: WaSocket): void;
}

export class WhatsAppConnection {
  private socket: WaSocket | undefined;
  private open = false;
  private signal: AbortSignal | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;
  private snapshot: ChannelStatus = { state: 'stopped' };
  /** Set by link(): pairing-code login for this number instead of a QR. */
  private phone: string | undefined;
  private pairingRequested = false;
  private qrShown = false;

  constructor(private readonly opts: ConnectionOptions) {
    this.backoff = new Backoff(opts.backoff ?? { initialMs: 2000, maxMs: 120_000, jitter: 0.5 });
  }

  start(signal: AbortSignal): void {
    this.signal = signal;
    signal.addEventListener('abort', () => this.shutdown(), { once: true });
    this.connect();
  }

  /** The open socket, or undefined while not connected. */
  current(): WaSocket | undefined {
    return this.open ? this.socket : undefined;
  }

  status(): ChannelStatus {
    return { ...this.snapshot };
  }

  /**
   * Starts linking (QR, or a pairing code for `phone`) unless already connected: a stopped or idle
   * connection connects again at once; one already showing a QR keeps it (and asks for a code if a
   * phone number is given now).
   */
  link(opts: { phone?: string } = {}): void {
    if (this.signal?.aborted || this.open) return;
    if (opts.phone) this.phone = opts.phone.replace(/\D/g, '');
    if (this.socket && this.qrShown) {
      if (this.phone && !this.pairingRequested) void this.requestPairingCode(this.socket);
      return;
    }
    if (this.socket) return; // connecting: the QR (or code) follows
    this.clearRetry();
    this.connect();
  }

  private connect(): void {
    if (this.signal?.aborted) return;
    const auth = this.opts.auth.load();
    this.qrShown = false;
    this.pairingRequested = false;
    this.set('connecting', auth.creds.account ? 'connecting to WhatsApp' : 'connecting to WhatsApp to link');
    let socket: WaSocket;
    try {
      socket = this.opts.createSocket({
        auth,
        log: this.opts.log,
        ...(this.opts.wsUrl ? { wsUrl: this.opts.wsUrl } : {}),
      });
    } catch (err) {
      this.closed(undefined, err, Boolean(auth.creds.account));
      return;
    }
    this.socket = socket;
    const watchdog = new LivenessWatchdog(this.opts.livenessTimeoutMs ?? 120_000, (silentMs) => {
      this.opts.log.warn({ silentMs }, 'whatsapp: no traffic from WhatsApp; reconnecting');
      socket.end(closeError(`no traffic from WhatsApp for ${Math.round(silentMs / 1000)}s`, 408));
    });
    socket.ws.on('message', () => watchdog.touch());
    const stopEvents = socket.ev.process((events: WaEvents) => {
      if (socket !== this.socket) return;
      const creds = events['creds.update'];
      if (creds) {
        Object.assign(auth.creds, creds);
        try {
          this.opts.auth.saveCreds(auth.creds);
        } catch (err) {
          this.opts.log.error({ err }, 'whatsapp: could not save credentials');
        }
      }
      const upsert = events['messages.upsert'];
      if (upsert) this.opts.onMessages(upsert, socket);
      const update = events['connection.update'];
      if (!update) return;
      if (update.qr) this.onQr(socket, update.qr);
      if (update.isNewLogin) this.set('connecting', 'linked; WhatsApp restarts the connection');
      if (update.connection === 'open') {
        this.open = true;
        this.backoff.reset();
        watchdog.start();
        this.snapshot = { state: 'connected', ...identity(socket) };
        this.opts.log.info({ as: this.snapshot.identity }, 'whatsapp: connected');
      } else if (update.connection === 'close') {
        watchdog.stop();
        stopEvents();
        this.socket = undefined;
        this.open = false;
        this.closed(
          statusCodeOf(update.lastDisconnect?.error),
          update.lastDisconnect?.error,
          Boolean(auth.creds.account),
        );
      }
    });
  }

  private onQr(socket: WaSocket, qr: string): void {
    this.qrShown = true;
    if (this.phone) {
      if (!this.pairingRequested) void this.requestPairingCode(socket);
      return;
    }
    this.snapshot = {
      state: 'needs-login',
      detail: 'scan the QR code in WhatsApp: Settings → Linked devices → Link a device',
      qr,
    };
  }

  private async requestPairingCode(socket: WaSocket): Promise<void> {
    this.pairingRequested = true;
    try {
      const code = await socket.requestPairingCode(this.phone as string);
      if (socket !== this.socket) return;
      this.snapshot = {
        state: 'needs-login',
        detail: `enter the code ${code} in WhatsApp: Linked devices → Link a device → Link with phone number instead`,
        pairingCode: code,
      };
    } catch (err) {
      this.opts.log.warn({ err }, 'whatsapp: pairing code request failed');
      this.failed('error', `WhatsApp did not give a pairing code: ${messageOf(err)}`, err);
    }
  }

  private closed(code: number | undefined, error: unknown, wasLinked: boolean): void {
    if (this.signal?.aborted) {
      this.set('stopped');
      return;
    }
    const decision = decideOnClose(code);
    const why = `${decision.reason}${error ? ` (${messageOf(error)}${code ? `, ${code}` : ''})` : ''}`;
    this.opts.log.warn(
      { code, action: decision.action, error: messageOf(error) },
      'whatsapp: connection closed',
    );
    if (!wasLinked && this.qrShown && decision.action === 'reconnect-backoff') {
      // The QR codes ran out unscanned (Baileys ends with 408): wait for the owner to ask again.
      this.failed(
        'needs-login',
        'the link QR code expired unscanned; run `sandgate channels login whatsapp` for a new one',
        error,
      );
      return;
    }
    switch (decision.action) {
      case 'reconnect-now':
        this.set('connecting', why);
        setImmediate(() => this.connect());
        return;
      case 'reconnect-backoff': {
        const wait = this.backoff.next();
        this.failed(
          'connecting',
          `cannot reach WhatsApp: ${why}; retrying in ${Math.ceil(wait / 1000)}s`,
          error,
        );
        this.retryTimer = setTimeout(() => this.connect(), wait);
        this.retryTimer.unref();
        return;
      }
      case 'wipe-and-relink':
        this.opts.auth.wipe();
        this.failed('needs-login', decision.reason, error);
        return;
      case 'stop':
        this.failed('error', why, error);
        return;
    }
  }

  private shutdown(): void {
    this.clearRetry();
    const socket = this.socket;
    this.socket = undefined;
    this.open = false;
    this.set('stopped');
    socket?.end(undefined);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private set(state: ChannelState, detail?: string): void {
    const lastError = this.snapshot.lastError;
    this.snapshot = { state, ...(detail ? { detail } : {}), ...(lastError ? { lastError } : {}) };
  }

  private failed(state: ChannelState, detail: string, error: unknown): void {
    this.snapshot = {
      state,
      detail,
      lastError: { message: error ? messageOf(error) : detail, at: new Date().toISOString() },
    };
  }
}

/** "+15551234567" from "15551234567:3@s.whatsapp.net". */
export function phoneOf(jid: string | undefined): string | undefined {
  const user = jid?.split('@')[0]?.split(':')[0];
  return user && /^\d+$/.test(user) ? `+${user}` : undefined;
}

function identity(socket: WaSocket): { identity?: string } {
  const phone = phoneOf(socket.user?.id);
  return phone ? { identity: phone } : {};
}

/** An error Baileys' close handling reads like its own Boom (output.statusCode). */
export function closeError(message: string, statusCode: number): Error {
  return Object.assign(new Error(message), { output: { statusCode } });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
