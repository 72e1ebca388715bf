// The outbox's retry policy: exponential backoff with equal jitter (src/timing/backoff.ts), capped,
// a bounded number of attempts, and a platform's explicit retry-after (Telegram 429
// parameters.retry_after, Slack Retry-After) taking precedence over the formula.

import { backoffDelay } from '../timing/backoff.js';

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 5 * 60_000, maxAttempts: 12 };

/** Delay in ms before the next attempt, given `attempt` failures so far (1-based). */
export function retryDelay(
  policy: BackoffPolicy,
  attempt: number,
  retryAfterMs?: number,
  random = Math.random,
): number {
  // A little past the server's time, so the retry does not land a hair too early.
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, policy.maxMs) + 50;
  return backoffDelay({ initialMs: policy.baseMs, maxMs: policy.maxMs, jitter: 0.5 }, attempt, random);
}
