// The Telegram channel (grammY's Api client): connects (getMe, command menu, webhook or polling),
// turns updates into Inbound for the gateway's sink, and sends replies. Connection trouble (bad
// token, another poller, network) shows in status() and is retried with backoff; it never throws
// out of start() or crashes the process.

import { Api } from 'grammy';
import type { Logger } from 'pino';
import { Backoff, type BackoffOptions } from '../../src/timing/backoff.js';
import { type Clock, systemClock } from '../../src/timing/clock.js';
import { type PacingLimits, SendPacer } from '../../src/timing/pacer.js';
import type {
  Channel,
  ChannelRoute,
  ChannelStatus,
  ConversationRef,
  DeliveryReceipt,
  InboundSink,
  Outbound,
} from '../channel.js';
import type { CommandMenuEntry, KeyValue } from '../channel-deps.js';
import { TELEGRAM_DOWNLOAD_MAX_BYTES, TelegramFiles } from './attachments.js';
import { syncCommands } from './command-sync.js';
import { classify } from './errors.js';
import { type BotIdentity, mapMessage } from './inbound-mapper.js';
import { OutboundSender } from './outbound-sender.js';
import { TELEGRAM_PACING } from './pacing.js';
import { runPolling } from './polling.js';
import { StatusTracker } from './status-tracker.js';
import { ALLOWED_UPDATES, updateSchema } from './update-schema.js';
import { createWebhookRoute, type UpdateOutcome, webhookPath } from './webhook-route.js';

export interface TelegramChannelOptions {
  token: string;
  /** Bot API root, e.g. https://api.telegram.org or a self-hosted server. */
  apiRoot: string;
  /** Webhook mode instead of long polling; `path` defaults to the URL's path. */
  webhook?: { url: string; secret: string; path?: string };
  kv: KeyValue;
  /** Read at each connect: the gateway fills it after the channel was built. */
  commands: readonly CommandMenuEntry[];
  log: Logger;
  /** Long-poll hold time (Telegram allows up to 50). Default 30. */
  pollTimeoutSec?: number;
  pacing?: PacingLimits;
  clock?: Clock;
  /** Backoff after a failed connect / getUpdates. Default 1 s doubling to 60 s. */
  errorBackoff?: BackoffOptions;
  /** Backoff before an update whose sink.receive threw is polled again. Default 250 ms to 10 s. */
  retryBackoff?: BackoffOptions;
  /** Per-request timeout of Bot API calls in seconds. Default 120. */
  requestTimeoutSec?: number;
}

export class TelegramChannel implements Channel {
  readonly id = 'telegram' as const;
  readonly limits = { textMax: 4096, attachmentMax: TELEGRAM_DOWNLOAD_MAX_BYTES };

  private readonly api: Api;
  private readonly statusTracker: StatusTracker;
  private readonly files: TelegramFiles;
  private readonly sender: OutboundSender;
  private readonly clock: Clock;
  private bot: BotIdentity | undefined;
  private sink: InboundSink | undefined;
  private signal: AbortSignal | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly opts: TelegramChannelOptions) {
    const apiRoot = opts.apiRoot.replace(/\/+$/, '');
    this.clock = opts.clock ?? systemClock;
    this.api = new Api(opts.token, { apiRoot, timeoutSeconds: opts.requestTimeoutSec ?? 120 });
    this.statusTracker = new StatusTracker(() => this.clock.now());
    this.files = new TelegramFiles({ api: this.api, apiRoot, token: opts.token });
    this.sender = new OutboundSender({
      api: this.api,
      pacer: new SendPacer(opts.pacing ?? TELEGRAM_PACING, this.clock),
      status: this.statusTracker,
      log: opts.log,
    });
  }

  /**
   * Connects and keeps receiving until `signal` aborts. Resolves after the first connection
   * attempt, whether it worked (status connected) or not (status error/connecting, retrying).
   */
  start(sink: InboundSink, signal: AbortSignal): Promise<void> {
    this.sink = sink;
    this.signal = signal;
    this.statusTracker.set('connecting');
    return new Promise<void>((ready) => {
      this.loop = this.run(signal, ready)
        .catch((err: unknown) => {
          this.opts.log.error({ err }, 'telegram: channel loop stopped unexpectedly');
          this.statusTracker.failed(String(err), 'error');
        })
        .finally(() => {
          if (signal.aborted) this.statusTracker.set('stopped');
          ready();
        });
    });
  }

  /** Resolves when the loop started by start() has ended (after the signal aborted). */
  closed(): Promise<void> {
    return this.loop;
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
    return this.files.fetchStored(ref);
  }

  status(): ChannelStatus {
    return this.statusTracker.snapshot();
  }

  /** Webhook mode: the endpoint Telegram posts updates to; none in long-polling mode. */
  routes(): ChannelRoute[] {
    const wh = this.opts.webhook;
    if (!wh) return [];
    return [
      createWebhookRoute({
        path: webhookPath(wh.url, wh.path),
        secret: wh.secret,
        handle: (u) => this.handleWebhookUpdate(u),
        log: this.opts.log,
      }),
    ];
  }

  private async run(signal: AbortSignal, ready: () => void): Promise<void> {
    const backoff = new Backoff(this.opts.errorBackoff ?? { initialMs: 1000, maxMs: 60_000 });
    while (!signal.aborted) {
      try {
        await this.connect(signal);
        break;
      } catch (err) {
        if (signal.aborted) return;
        const f = classify(err);
        const wait = f.kind === 'rate-limited' ? f.retryAfterMs : backoff.next();
        const inS = `retrying in ${Math.ceil(wait / 1000)}s`;
        if (f.kind === 'unauthorized') {
          this.statusTracker.failed(
            f.message,
            'error',
            `Telegram rejected the bot token (401 Unauthorized); ${inS}`,
          );
        } else if (f.kind === 'conflict') {
          this.statusTracker.failed(
            f.message,
            'error',
            `Telegram reported a conflict (409): ${f.message}; ${inS}`,
          );
        } else {
          this.statusTracker.failed(f.message, 'connecting', `cannot reach Telegram (${f.message}); ${inS}`);
        }
        this.opts.log.warn({ failure: f.kind, detail: f.message, waitMs: wait }, 'telegram: connect failed');
        ready();
        await this.clock.sleep(wait, signal).catch(() => undefined);
      }
    }
    if (signal.aborted) return;
    this.statusTracker.connected();
    ready();
    if (this.opts.webhook) {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      return;
    }
    await runPolling(
      {
        api: { getUpdates: (other, sig) => this.api.getUpdates(other, sig && grammySignal(sig)) },
        handle: async (u) => {
          await this.handleUpdate(u);
        },
        status: this.statusTracker,
        log: this.opts.log,
        clock: this.clock,
        timeoutSec: this.opts.pollTimeoutSec ?? 30,
        errorBackoff: this.opts.errorBackoff ?? { initialMs: 1000, maxMs: 60_000 },
        retryBackoff: this.opts.retryBackoff ?? { initialMs: 250, maxMs: 10_000 },
      },
      signal,
    );
  }

  private async connect(signal: AbortSignal): Promise<void> {
    const sig = grammySignal(signal);
    const me = await this.api.getMe(sig);
    this.bot = { id: me.id, username: me.username };
    this.statusTracker.identify(`@${me.username}`);
    await syncCommands(this.api, this.opts.kv, me.id, this.opts.commands, this.opts.log);
    const wh = this.opts.webhook;
    if (wh) {
      await this.api.setWebhook(
        wh.url,
        { secret_token: wh.secret, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false },
        sig,
      );
      this.opts.log.info({ bot: me.username }, 'telegram: webhook set');
    } else {
      // A webhook left from an earlier run would make getUpdates answer 409.
      await this.api.deleteWebhook({ drop_pending_updates: false }, sig);
      this.opts.log.info({ bot: me.username }, 'telegram: long polling');
    }
  }

  /**
   * Invalid updates are skipped and recorded (a log line with the update id and what is wrong, and
   * the channel's lastError): they would never pass, and refusing one would make Telegram deliver
   * it again forever, blocking the chat behind it. Sink failures throw, to retry.
   */
  private async handleUpdate(raw: unknown): Promise<UpdateOutcome> {
    const parsed = updateSchema.safeParse(raw);
    if (!parsed.success) {
      const id = (raw as { update_id?: unknown } | null)?.update_id;
      const where = parsed.error.issues.map((i) => i.path.join('.') || '(update)').slice(0, 5);
      return this.skipped(typeof id === 'number' ? id : undefined, `malformed (${where.join(', ')})`);
    }
    const edited = parsed.data.message === undefined && parsed.data.edited_message !== undefined;
    const msg = parsed.data.message ?? parsed.data.edited_message;
    if (!msg) return 'ok';
    if (!this.bot || !this.sink) return 'unavailable';
    let mapped: ReturnType<typeof mapMessage>;
    try {
      mapped = mapMessage(msg, this.bot, this.files, { edited });
    } catch (err) {
      // A message we cannot read would otherwise be retried forever and block every later one.
      this.opts.log.error({ err, updateId: parsed.data.update_id }, 'telegram: update could not be mapped');
      return this.skipped(parsed.data.update_id, `unreadable: ${(err as Error).message}`);
    }
    if ('skipped' in mapped) {
      this.opts.log.debug(
        { reason: mapped.skipped, updateId: parsed.data.update_id },
        'telegram: update ignored',
      );
      return 'ok';
    }
    await this.sink.receive(mapped.inbound);
    return 'ok';
  }

  private skipped(updateId: number | undefined, why: string): UpdateOutcome {
    this.opts.log.warn({ updateId, why }, 'telegram: update cannot be processed; skipped');
    this.statusTracker.failed(`update ${updateId ?? '(no id)'} skipped: ${why}`);
    return 'invalid';
  }

  private handleWebhookUpdate(raw: unknown): Promise<UpdateOutcome> {
    if (this.signal?.aborted) return Promise.resolve('unavailable');
    return this.handleUpdate(raw);
  }
}

/** grammY types signals with its abort-controller shim; at run time it only calls addEventListener. */
function grammySignal(signal: AbortSignal): Parameters<Api['getMe']>[0] {
  return signal as unknown as Parameters<Api['getMe']>[0];
}
