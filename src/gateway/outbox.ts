// Delivers outbox rows: the oldest pending row of each conversation, conversations in parallel,
// retried with exponential backoff (or the platform's retry-after) until delivered or given up.
// A row is marked sent only after the channel confirmed it, so a crash means a retry, not a loss.

import type { Logger } from 'pino';
import { type Channel, DeliveryError, type DeliveryReceipt, type Outbound } from '../../channels/channel.js';
import type { DeliveryRow } from '../store/repos/deliveries-repo.js';
import type { Store } from '../store/store.js';
import { type BackoffPolicy, DEFAULT_BACKOFF, retryDelay } from './delivery-retry.js';
import type { GatewayMetrics } from './metrics.js';
import { ANSWER_BELOW, answerLost, settleStatus } from './status-settle.js';

export interface OutboxDeps {
  store: Store;
  channels: Map<string, Channel>;
  log: Logger;
  metrics: GatewayMetrics;
  backoff?: BackoffPolicy;
  /** How often to look for rows written by other processes (the CLI) or due retries. */
  pollMs?: number;
  now?: () => number;
  /** After a row was marked sent or failed for good (the settle notifier looks at its message). */
  onSettled?: (row: DeliveryRow) => void;
}

export class Outbox {
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private wakeScheduled = false;
  private readonly backoff: BackoffPolicy;
  private readonly now: () => number;
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly deps: OutboxDeps) {
    this.backoff = deps.backoff ?? DEFAULT_BACKOFF;
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.running = true;
    this.wake();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Look for due rows now (after an enqueue). */
  wake(): void {
    if (!this.running || this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.tick();
    });
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Resolves when nothing due is pending or in flight, or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    const deadline = this.now() + timeoutMs;
    while (this.now() < deadline) {
      if (this.inFlight.size === 0 && this.deps.store.deliveries.due(this.now(), 1).length === 0) return;
      this.wake();
      await new Promise<void>((r) => {
        this.drainWaiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  private tick(): void {
    if (this.timer) clearTimeout(this.timer);
    if (!this.running) return;
    const now = this.now();
    for (const row of this.deps.store.deliveries.due(now, 200)) {
      if (this.inFlight.has(row.conversationKey)) continue;
      this.inFlight.add(row.conversationKey);
      void this.deliver(row).finally(() => {
        this.inFlight.delete(row.conversationKey);
        for (const w of this.drainWaiters.splice(0)) w();
        this.wake();
      });
    }
    this.timer = setTimeout(() => this.tick(), this.deps.pollMs ?? 250);
    this.timer.unref();
  }

  /** Resolves after the commit, so the conversation's next row is not looked at before this one is settled. */
  private markSent(id: number, receipt: unknown): Promise<void> {
    const { store } = this.deps;
    return store.batch.run(() => store.deliveries.markSent(id, receipt, this.now()));
  }

  /**
   * The parts a row carries, each one Outbound. The reply writer writes one part per row; rows
   * written before it did (text + images + files in one) are sent part by part, in that order,
   * and a retry after a partial failure of such a row repeats the parts already sent.
   */
  private partsOf(row: DeliveryRow): Outbound[] {
    const { artifacts } = this.deps.store;
    const p = row.payload;
    const parts: Outbound[] = [];
    if (p.text !== undefined || p.links) {
      parts.push({ kind: 'text', text: p.text ?? '', ...(p.links ? { links: p.links } : {}) });
    }
    for (const id of p.imageIds ?? []) {
      const a = artifacts.get(id);
      if (a) parts.push({ kind: 'image', png: a.data, ...(a.caption ? { caption: a.caption } : {}) });
    }
    for (const id of p.fileIds ?? []) {
      const a = artifacts.get(id);
      if (a) parts.push({ kind: 'file', name: a.name, data: a.data });
    }
    return parts.map((part, i) => ({ ...part, idempotencyKey: `delivery-${row.id}${i ? `.${i}` : ''}` }));
  }

  private async send(channel: Channel, to: Parameters<Channel['deliver']>[0], row: DeliveryRow) {
    const parts = this.partsOf(row);
    const [first] = parts;
    if (
      row.payload.replaces &&
      channel.edit &&
      parts.length === 1 &&
      first?.kind === 'text' &&
      !first.links
    ) {
      try {
        await channel.edit(to, row.payload.replaces, first.text);
        return row.payload.replaces;
      } catch (err) {
        this.deps.log.debug(
          { err, delivery: row.id },
          'could not edit the status message; sending a new one',
        );
      }
    }
    const receipt: DeliveryReceipt = { messageIds: [] };
    for (const part of parts) receipt.messageIds.push(...(await channel.deliver(to, part)).messageIds);
    if (row.payload.replaces)
      await settleStatus(channel, to, row.payload.replaces, ANSWER_BELOW, this.deps.log);
    return receipt;
  }

  private async deliver(row: DeliveryRow): Promise<void> {
    const { store, channels, log, metrics } = this.deps;
    const channel = channels.get(row.channel);
    const to = { channel: row.channel as Channel['id'], key: row.conversationKey, route: row.route };
    try {
      if (!channel) throw new DeliveryError(`channel ${row.channel} is not running`);
      const receipt = await this.send(channel, to, row);
      await this.markSent(row.id, receipt);
      metrics.deliveries.inc({ channel: row.channel, outcome: 'sent' });
      this.deps.onSettled?.(row);
    } catch (err) {
      const e = err instanceof DeliveryError ? err : undefined;
      const message = (err as Error).message ?? String(err);
      const attempts = row.attempts + 1;
      if (e?.opts.permanent || attempts >= this.backoff.maxAttempts) {
        store.deliveries.markFailed(row.id, message);
        metrics.deliveries.inc({ channel: row.channel, outcome: 'failed' });
        log.error(
          { delivery: row.id, channel: row.channel, attempts, error: message },
          'delivery failed for good',
        );
        if (channel && row.payload.replaces)
          await settleStatus(channel, to, row.payload.replaces, answerLost(message), log);
        this.deps.onSettled?.(row);
        return;
      }
      const delay = retryDelay(this.backoff, attempts, e?.opts.retryAfterMs);
      store.deliveries.markRetry(row.id, this.now() + delay, message);
      metrics.deliveries.inc({ channel: row.channel, outcome: 'retry' });
      log.warn(
        { delivery: row.id, channel: row.channel, attempts, delayMs: delay, error: message },
        'delivery failed; will retry',
      );
    }
  }
}
