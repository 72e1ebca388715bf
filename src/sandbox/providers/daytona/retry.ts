// Daytona answers 429 when we go too fast: wait as long as its Retry-After says (capped), then try
// again a few times. A vanished sandbox (404) becomes SandboxGoneError so callers can start afresh.

import { backoffDelay } from '../../../timing/backoff.js';
import { sleep } from '../../../timing/clock.js';
import { type HeaderSource, parseRetryAfter } from '../../../timing/retry-after.js';
import { SandboxGoneError } from '../../errors.js';

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => sleep(ms);

/** Without a readable Retry-After: 1 s, 2 s, 4 s … with jitter. */
const FALLBACK = { initialMs: 1000, maxMs: 30_000, jitter: 0.5 };

export async function withRetryAfter<T>(
  fn: () => Promise<T>,
  opts: { sleep?: Sleep; attempts?: number; maxWaitMs?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 4;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      // By status and name, not instanceof: the SDK is imported lazily and its errors carry both.
      const limited =
        (err as { statusCode?: number }).statusCode === 429 ||
        (err as Error).name === 'DaytonaRateLimitError';
      if (!limited || i >= attempts) throw err;
      const headers = (err as { headers?: HeaderSource }).headers;
      const wait = Math.min(parseRetryAfter(headers) ?? backoffDelay(FALLBACK, i), opts.maxWaitMs ?? 30_000);
      await (opts.sleep ?? realSleep)(wait);
    }
  }
}

export function isNotFound(err: unknown): boolean {
  return (
    (err as { statusCode?: number })?.statusCode === 404 || (err as Error)?.name === 'DaytonaNotFoundError'
  );
}

export function goneIfNotFound(sandboxId: string, err: unknown): unknown {
  return isNotFound(err) ? new SandboxGoneError(sandboxId, 'deleted in Daytona') : err;
}
