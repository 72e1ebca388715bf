// Shared test wiring: a TelegramChannel pointed at the fake Bot API, with an in-memory kv, a sink
// that records (and can refuse) inbound messages, no pacing delays and short backoffs.

import pino from 'pino';
import type { Inbound, InboundSink } from '../../../channels/channel.js';
import { TelegramChannel, type TelegramChannelOptions } from '../../../channels/telegram/index.js';
import type { FakeTelegram } from '../../fakes/telegram/fake-telegram.js';

export const silentLog = pino({ level: 'silent' });

export class MemoryKv {
  readonly data = new Map<string, string>();
  get(key: string): string | undefined {
    return this.data.get(key);
  }
  set(key: string, value: string): void {
    this.data.set(key, value);
  }
  delete(key: string): void {
    this.data.delete(key);
  }
}

export class RecordingSink implements InboundSink {
  readonly received: Inbound[] = [];
  /** How many receive() calls in total were attempted (including refused ones). */
  attempts = 0;
  private refusals = 0;

  /** The next `n` receive() calls throw, as a failing database would. */
  refuseNext(n: number): void {
    this.refusals += n;
  }

  async receive(inbound: Inbound) {
    this.attempts++;
    if (this.refusals > 0) {
      this.refusals--;
      throw new Error('database is locked');
    }
    const duplicate = this.received.some((r) => r.platformId === inbound.platformId);
    if (!duplicate) this.received.push(inbound);
    return { accepted: !duplicate, duplicate };
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<Inbound[]> {
    const until = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > until)
        throw new Error(`sink: ${this.received.length}/${count} inbound after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received;
  }
}

export const COMMANDS = [
  { command: 'sh', description: 'Run a shell command' },
  { command: 'py', description: 'Run Python' },
];

export function makeChannel(
  fake: FakeTelegram,
  opts: Partial<TelegramChannelOptions> = {},
): {
  channel: TelegramChannel;
  kv: MemoryKv;
  sink: RecordingSink;
  controller: AbortController;
  start(): Promise<void>;
  stop(): Promise<void>;
} {
  const kv = (opts.kv as MemoryKv | undefined) ?? new MemoryKv();
  const channel = new TelegramChannel({
    token: fake.token,
    apiRoot: fake.apiRoot,
    kv,
    commands: COMMANDS,
    log: silentLog,
    pollTimeoutSec: 5,
    pacing: { perChatIntervalMs: 0, groupPerMinute: 0, globalPerSecond: 0 },
    errorBackoff: { initialMs: 20, maxMs: 200 },
    retryBackoff: { initialMs: 10, maxMs: 50 },
    ...opts,
  });
  const sink = new RecordingSink();
  const controller = new AbortController();
  return {
    channel,
    kv,
    sink,
    controller,
    start: () => channel.start(sink, controller.signal),
    stop: async () => {
      controller.abort();
      await channel.closed();
    },
  };
}

export async function until<T>(
  check: () => T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
