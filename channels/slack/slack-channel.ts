// The Slack channel on @slack/bolt: HTTP mode (events, slash commands and interactivity at
// POST /slack/events on the gateway's server) or Socket Mode (SLACK_APP_TOKEN). It learns who the bot
// is (auth.test, once, unless the ids are configured), turns DMs, mentions and `/sandgate` into Inbound
// for the gateway's sink and posts replies. Connection trouble shows in status() and is retried with
// backoff; it never throws out of start() or crashes the process.

import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { Backoff } from '../../src/timing/backoff.js';
import { sleep } from '../../src/timing/clock.js';
import type {
  Channel,
  ChannelRoute,
  ChannelState,
  ChannelStatus,
  ConversationRef,
  DeliveryReceipt,
  InboundSink,
  Outbound,
} from '../channel.js';
import type { CommandMenuEntry } from '../channel-deps.js';
import { SlackFiles } from './attachments.js';
import { boltLogger } from './bolt-logger.js';
import { GatewayReceiver } from './bolt-receiver.js';
import { classify } from './errors.js';
import { createEventsRoute, EVENTS_PATH } from './events-route.js';
import type { BotIdentity } from './inbound-mapper.js';
import { buildApp } from './listeners.js';
import { SLACK_CHUNK_MAX } from './mrkdwn.js';
import { SlackSender } from './outbound-sender.js';
import { SlashReplies } from './slash-replies.js';
import { SocketTransport } from './socket-transport.js';
import { UserNames } from './user-names.js';

export interface SlackChannelOptions {
  botToken: string;
  /** HTTP mode: verifies every request to /slack/events. */
  signingSecret?: string;
  /** Socket Mode when set (xapp-…). */
  appToken?: string;
  /** Web API base, e.g. https://slack.com/api/ (SLACK_API_URL). */
  apiUrl: string;
  /** Known bot ids skip auth.test. */
  botUserId?: string;
  botId?: string;
  commands: readonly CommandMenuEntry[];
  log: Logger;
  /** Largest inbound file downloaded (the gateway refuses bigger ones with a reply first). */
  maxAttachmentBytes: number;
  /** Socket Mode: silence after which the socket is replaced. Default 5 min. */
  watchdogMs?: number;
  /** Socket Mode: the client's pong timeout and reconnect step. Default 5 s. */
  clientPingTimeoutMs?: number;
  /** Backoff between failed auth.test attempts. Default 1 s doubling to 60 s. */
  connectBackoff?: { initialMs: number; maxMs: number };
}

export class SlackChannel implements Channel {
  readonly id = 'slack' as const;
  readonly limits = { textMax: SLACK_CHUNK_MAX };
  readonly mode: 'http' | 'socket';

  private readonly client: webApi.WebClient;
  private readonly clientOptions: webApi.WebClientOptions;
  private readonly receiver: GatewayReceiver;
  private readonly files: SlackFiles;
  private readonly sender: SlackSender;
  private readonly replies = new SlashReplies();
  private readonly names: UserNames;
  private socket: SocketTransport | undefined;
  private bot: (BotIdentity & { team?: string; name?: string }) | undefined;
  private sink: InboundSink | undefined;
  private state: ChannelState = 'stopped';
  private detail: string | undefined;
  private lastError: ChannelStatus['lastError'];

  constructor(private readonly opts: SlackChannelOptions) {
    if (!opts.appToken && !opts.signingSecret) {
      throw new Error('Slack needs slack.signingSecret (HTTP mode) or slack.appToken (Socket Mode)');
    }
    this.mode = opts.appToken ? 'socket' : 'http';
    // No retries inside the client: the outbox retries deliveries, honouring Retry-After.
    this.clientOptions = {
      slackApiUrl: opts.apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      timeout: 30_000,
      logger: boltLogger(opts.log),
    };
    this.client = new webApi.WebClient(opts.botToken, this.clientOptions);
    this.receiver = new GatewayReceiver(opts.log);
    this.files = new SlackFiles({
      token: opts.botToken,
      apiUrl: opts.apiUrl,
      maxBytes: opts.maxAttachmentBytes,
    });
    this.names = new UserNames(this.client, opts.log);
    this.sender = new SlackSender({
      client: this.client,
      replies: this.replies,
      log: opts.log,
      failed: (message, unauthorized) => this.fail(message, unauthorized ? 'error' : undefined),
    });
  }

  /** Resolves after the first connection attempt, whether it worked or is being retried. */
  start(sink: InboundSink, signal: AbortSignal): Promise<void> {
    this.sink = sink;
    this.set('connecting', this.mode === 'socket' ? 'Socket Mode: starting' : 'HTTP mode: starting');
    return new Promise<void>((ready) => {
      void this.run(signal, ready)
        .catch((err: unknown) => {
          this.opts.log.error({ err }, 'slack: channel stopped unexpectedly');
          this.fail(String(err), 'error');
        })
        .finally(ready);
      signal.addEventListener(
        'abort',
        () => {
          void this.socket?.stop();
          this.set('stopped');
        },
        { once: true },
      );
    });
  }

  routes(): ChannelRoute[] {
    if (this.mode !== 'http' || !this.opts.signingSecret) return [];
    const route = createEventsRoute({
      signingSecret: this.opts.signingSecret,
      dispatch: (envelope) => this.receiver.dispatch(envelope),
      log: this.opts.log,
    });
    return [
      {
        ...route,
        handler: (req) =>
          this.receiver.ready ? route.handler(req) : Promise.resolve(new Response(null, { status: 503 })),
      },
    ];
  }

  deliver(to: ConversationRef, msg: Outbound): Promise<DeliveryReceipt> {
    return this.sender.deliver(to, msg);
  }

  edit(to: ConversationRef, receipt: DeliveryReceipt, text: string): Promise<void> {
    return this.sender.edit(to, receipt, text);
  }

  fetchAttachment(ref: string): Promise<Buffer> {
    return this.files.fetchStored(ref);
  }

  status(): ChannelStatus {
    const s: ChannelStatus = { state: this.state };
    if (this.detail !== undefined) s.detail = this.detail;
    if (this.lastError) s.lastError = { ...this.lastError };
    if (this.bot?.name) s.identity = `@${this.bot.name}${this.bot.team ? ` (${this.bot.team})` : ''}`;
    return s;
  }

  private modeDetail(): string {
    return this.mode === 'socket' ? 'Socket Mode' : `HTTP mode: events at ${EVENTS_PATH}`;
  }

  private set(state: ChannelState, detail?: string): void {
    this.state = state;
    this.detail = detail;
  }

  private fail(message: string, state?: ChannelState, detail?: string): void {
    this.lastError = { message, at: new Date().toISOString() };
    if (state) this.set(state, detail ?? message);
  }

  private async run(signal: AbortSignal, ready: () => void): Promise<void> {
    const backoff = new Backoff(this.opts.connectBackoff ?? { initialMs: 1000, maxMs: 60_000 });
    while (!signal.aborted) {
      try {
        this.bot = await this.identify();
        break;
      } catch (err) {
        const f = classify(err);
        const wait = f.kind === 'rate-limited' ? f.retryAfterMs : backoff.next();
        const inS = `retrying in ${Math.ceil(wait / 1000)}s`;
        if (f.kind === 'unauthorized')
          this.fail(f.message, 'error', `Slack rejected the bot token (${f.message}); ${inS}`);
        else this.fail(f.message, 'connecting', `cannot reach Slack (${f.message}); ${inS}`);
        this.opts.log.warn({ failure: f.kind, detail: f.message, waitMs: wait }, 'slack: auth.test failed');
        ready();
        await sleep(wait, signal).catch(() => undefined);
      }
    }
    if (signal.aborted || !this.bot) return;
    buildApp({
      token: this.opts.botToken,
      bot: this.bot,
      receiver: this.receiver,
      clientOptions: this.clientOptions,
      sink: this.sink as InboundSink,
      files: this.files,
      names: this.names,
      replies: this.replies,
      commands: this.opts.commands,
      log: this.opts.log,
    });
    if (this.mode === 'socket') {
      this.socket = new SocketTransport({
        appToken: this.opts.appToken as string,
        apiUrl: this.opts.apiUrl,
        dispatch: (envelope) => this.receiver.dispatch(envelope),
        log: this.opts.log,
        report: (state, detail) =>
          state === 'error' ? this.fail(detail ?? state, state) : this.set(state, detail),
        ...(this.opts.watchdogMs ? { watchdogMs: this.opts.watchdogMs } : {}),
        ...(this.opts.clientPingTimeoutMs ? { clientPingTimeoutMs: this.opts.clientPingTimeoutMs } : {}),
      });
      try {
        await this.socket.start();
      } catch (err) {
        const f = classify(err);
        this.fail(f.message, 'error', `Socket Mode could not connect (${f.message}); check slack.appToken`);
        return;
      }
      if (signal.aborted) await this.socket.stop();
    } else {
      this.set('connected', this.modeDetail());
    }
    this.opts.log.info({ bot: this.bot.name, mode: this.mode }, 'slack: connected');
  }

  /** auth.test (once) unless both ids are configured. */
  private async identify(): Promise<BotIdentity & { team?: string; name?: string }> {
    const { botUserId, botId } = this.opts;
    if (botUserId && botId) return { userId: botUserId, botId };
    const me = await this.client.auth.test();
    if (!me.user_id) throw new Error('auth.test returned no user_id');
    return {
      userId: me.user_id,
      ...(me.bot_id ? { botId: me.bot_id } : {}),
      ...(me.team ? { team: me.team } : {}),
      ...(me.user ? { name: me.user } : {}),
    };
  }
}
