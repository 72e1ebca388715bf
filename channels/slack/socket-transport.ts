// Socket Mode (SLACK_APP_TOKEN): Bolt's SocketModeReceiver supplies the real SocketModeClient
// (apps.connections.open at SLACK_API_URL, hello, reconnects with backoff, ping/pong); each envelope
// goes through the GatewayReceiver and is acknowledged only after it was persisted. The client's own
// checks miss the most reported Socket Mode fault — a socket that stays open and delivers nothing — so
// a watchdog reconnects when neither an envelope nor a ping arrived for `watchdogMs`.

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { SocketModeReceiver } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ChannelState } from '../channel.js';
import { boltLogger } from './bolt-logger.js';
import type { Acknowledgement, Envelope } from './bolt-receiver.js';

export interface SocketTransportOptions {
  appToken: string;
  apiUrl: string;
  dispatch(envelope: Envelope): Promise<Acknowledgement>;
  log: Logger;
  /** Reports the connection state (and why) to the channel's status. */
  report(state: ChannelState, detail?: string): void;
  /** Silence (no envelope, no ping) after which the socket is replaced. Default 5 minutes. */
  watchdogMs?: number;
  /** The client's pong timeout, also its reconnect delay step. Default 5 s (the client's own default). */
  clientPingTimeoutMs?: number;
}

interface SlackEventArgs {
  ack(response?: Record<string, unknown>): Promise<void>;
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
}

/** undici publishes every WebSocket ping here; the gateway's only undici WebSocket is this one. */
const PING_CHANNEL = 'undici:websocket:ping';

export class SocketTransport {
  private readonly receiver: SocketModeReceiver;
  private lastTraffic = Date.now();
  private watchdog: NodeJS.Timeout | undefined;
  private replacing = false;
  private stopped = false;
  /** Sockets replaced because they went silent. */
  watchdogReconnects = 0;
  private readonly onPing = () => {
    this.lastTraffic = Date.now();
  };

  constructor(private readonly opts: SocketTransportOptions) {
    this.receiver = new SocketModeReceiver({
      appToken: opts.appToken,
      logger: boltLogger(opts.log),
      clientPingTimeout: opts.clientPingTimeoutMs ?? 5000,
      installerOptions: { clientOptions: { slackApiUrl: opts.apiUrl } },
    });
    const client = this.receiver.client;
    // Bolt's receiver is never init()ed with the app: its own envelope handler stays idle and ours
    // decides when to acknowledge.
    client.on('slack_event', (args: SlackEventArgs) => void this.onEnvelope(args));
    client.on('ws_message', () => {
      this.lastTraffic = Date.now();
    });
    client.on('connecting', () => opts.report('connecting', 'Socket Mode: opening a connection'));
    client.on('reconnecting', () => opts.report('connecting', 'Socket Mode: reconnecting'));
    client.on('connected', () => {
      this.lastTraffic = Date.now();
      opts.report('connected', this.detail());
    });
    client.on('disconnected', () => {
      if (!this.stopped && !this.replacing) opts.report('connecting', 'Socket Mode: disconnected');
    });
  }

  /** Resolves once Slack said hello; rejects when the app token is refused. */
  async start(): Promise<void> {
    this.stopped = false;
    subscribe(PING_CHANNEL, this.onPing);
    await this.receiver.client.start();
    const watchdogMs = this.opts.watchdogMs ?? 5 * 60_000;
    this.watchdog = setInterval(() => void this.check(watchdogMs), Math.min(30_000, watchdogMs / 4));
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    unsubscribe(PING_CHANNEL, this.onPing);
    await this.receiver.client.disconnect().catch(() => undefined);
  }

  private detail(): string {
    const n = this.watchdogReconnects;
    return `Socket Mode${n ? ` (${n} silent socket${n === 1 ? '' : 's'} replaced by the watchdog)` : ''}`;
  }

  private async check(watchdogMs: number): Promise<void> {
    if (this.replacing || this.stopped) return;
    const silentMs = Date.now() - this.lastTraffic;
    if (silentMs < watchdogMs) return;
    this.replacing = true;
    this.watchdogReconnects += 1;
    const why = `Socket Mode: nothing received for ${Math.round(silentMs / 1000)} s; reconnecting`;
    this.opts.log.warn({ silentMs, replaced: this.watchdogReconnects }, 'slack: silent socket, reconnecting');
    this.opts.report('connecting', why);
    try {
      await this.receiver.client.disconnect();
      if (!this.stopped) await this.receiver.client.start();
      this.lastTraffic = Date.now();
    } catch (err) {
      this.opts.log.error({ err }, 'slack: Socket Mode reconnect failed');
      this.opts.report('error', `Socket Mode reconnect failed: ${(err as Error).message}`);
      this.lastTraffic = Date.now();
    } finally {
      this.replacing = false;
    }
  }

  private async onEnvelope(args: SlackEventArgs): Promise<void> {
    this.lastTraffic = Date.now();
    let ack: Acknowledgement;
    try {
      ack = await this.opts.dispatch({
        body: args.body,
        ...(args.retry_num !== undefined ? { retryNum: args.retry_num } : {}),
        ...(args.retry_reason ? { retryReason: args.retry_reason } : {}),
      });
    } catch (err) {
      // Unacknowledged: Slack redelivers the envelope.
      this.opts.log.warn({ err }, 'slack: envelope not accepted; left unacknowledged');
      return;
    }
    const payload =
      ack.response === undefined
        ? undefined
        : typeof ack.response === 'string'
          ? { text: ack.response }
          : (ack.response as Record<string, unknown>);
    await args.ack(payload).catch((err: unknown) => this.opts.log.warn({ err }, 'slack: ack not sent'));
  }
}
