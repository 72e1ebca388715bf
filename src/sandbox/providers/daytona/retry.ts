// Daytona answers 429 when we go too fast: wait as long as its Retry-After says (capped), then try
// again a few times. A vanished sandbox (404) becomes SandboxGoneError so callers can start afresh.

import { DaytonaNotFoundError, DaytonaRateLimitError } from '@daytonaio/sdk';
import { SandboxGoneError } from '../../errors.js';

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function retryAfterMs(err: { headers?: unknown }, fallbackMs: number): number {
  const h = err.headers as { get?: (k: string) => unknown; [k: string]: unknown } | undefined;
  const raw = h ? (typeof h.get === 'function' ? h.get('retry-after') : h['retry-after']) : undefined;
  const value = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
  const secs = Number(value);
  if (value && Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : fallbackMs;
}

export async function withRetryAfter<T>(
  fn: () => Promise<T>,
  opts: { sleep?: Sleep; attempts?: number; maxWaitMs?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 4;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const limited =
        err instanceof DaytonaRateLimitError || (err as { statusCode?: number }).statusCode === 429;
      if (!limited || i >= attempts) throw err;
      const wait = Math.min(retryAfterMs(err as { headers?: unknown }, 1000 * i), opts.maxWaitMs ?? 30_000);
      await (opts.sleep ?? realSleep)(wait);
    }
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof DaytonaNotFoundError || (err as { statusCode?: number })?.statusCode === 404;
}

export function goneIfNotFound(sandboxId: string, err: unknown): unknown {
  return isNotFound(err) ? new SandboxGoneError(sandboxId, 'deleted in Daytona') : err;
}
