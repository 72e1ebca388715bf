// Long polling without loss: our own getUpdates loop, because the offset is the acknowledgement.
// The offset moves past an update only after its handler (sink.receive: persisted) resolved; when
// the handler throws, the same offset is polled again and Telegram hands the update back. 409 and
// 401 put the channel in `error` and back off; network failures back off and reconnect.

import type { Logger } from 'pino';
import { Backoff, type BackoffOptions } from '../../src/timing/backoff.js';
import type { Clock } from '../../src/timing/clock.js';
import { classify } from './errors.js';
import type { StatusTracker } from './status-tracker.js';
import { ALLOWED_UPDATES } from './update-schema.js';

export interface UpdatesApi {
  getUpdates(
    other: { offset?: number; timeout: number; allowed_updates: (typeof ALLOWED_UPDATES)[number][] },
    signal?: AbortSignal,
  ): Promise<unknown[]>;
}

export interface PollingOptions {
  api: UpdatesApi;
  /** Persist (or drop as ignorable) one update; throwing means "give it to me again". */
  handle(update: unknown): Promise<void>;
  status: StatusTracker;
  log: Logger;
  clock: Clock;
  timeoutSec: number;
  /** Backoff after a failed getUpdates (network, 5xx, 409, 401). */
  errorBackoff: BackoffOptions;
  /** Backoff before re-polling an update whose handler threw. */
  retryBackoff: BackoffOptions;
}

export async function runPolling(o: PollingOptions, signal: AbortSignal): Promise<void> {
  const errors = new Backoff(o.errorBackoff);
  const retries = new Backoff(o.retryBackoff);
  let offset: number | undefined;
  // After a failure, poll once without holding so a recovery shows in status() at once.
  let probe = false;
  while (!signal.aborted) {
    let updates: unknown[];
    try {
      updates = await o.api.getUpdates(
        {
          ...(offset === undefined ? {} : { offset }),
          timeout: probe ? 0 : o.timeoutSec,
          allowed_updates: [...ALLOWED_UPDATES],
        },
        signal,
      );
    } catch (err) {
      if (signal.aborted) return;
      const f = classify(err);
      const wait = f.kind === 'rate-limited' ? f.retryAfterMs : errors.next();
      const inS = `retrying in ${Math.ceil(wait / 1000)}s`;
      if (f.kind === 'conflict') {
        o.status.failed(
          f.message,
          'error',
          `another instance is polling this bot token (409 Conflict); ${inS}`,
        );
      } else if (f.kind === 'unauthorized') {
        o.status.failed(f.message, 'error', `Telegram rejected the bot token (401 Unauthorized); ${inS}`);
      } else {
        o.status.failed(f.message, 'connecting', `cannot reach Telegram (${f.message}); ${inS}`);
      }
      o.log.warn({ failure: f.kind, detail: f.message, waitMs: wait }, 'telegram: getUpdates failed');
      probe = true;
      await pause(o.clock, wait, signal);
      continue;
    }
    errors.reset();
    probe = false;
    if (o.status.current !== 'connected') o.status.connected();

    for (const update of updates) {
      const id = updateIdOf(update);
      if (id === undefined) {
        o.log.warn('telegram: update without update_id ignored');
        continue;
      }
      if (offset !== undefined && id < offset) continue;
      try {
        await o.handle(update);
      } catch (err) {
        if (signal.aborted) return;
        const wait = retries.next();
        o.status.failed(
          `inbound update ${id} not accepted: ${err instanceof Error ? err.message : String(err)}`,
        );
        o.log.warn({ err, updateId: id, waitMs: wait }, 'telegram: update not accepted, will poll it again');
        await pause(o.clock, wait, signal);
        break;
      }
      retries.reset();
      offset = id + 1;
    }
  }
}

function updateIdOf(update: unknown): number | undefined {
  if (typeof update !== 'object' || update === null || !('update_id' in update)) return undefined;
  const id = update.update_id;
  return typeof id === 'number' && Number.isInteger(id) ? id : undefined;
}

async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  await clock.sleep(ms, signal).catch(() => undefined);
}
