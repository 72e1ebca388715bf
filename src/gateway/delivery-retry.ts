// Retry timing for deliveries: exponential with jitter, capped, and overridden by a platform's
// explicit retry-after (Telegram 429 parameters.retry_after, Slack Retry-After).

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 5 * 60_000, maxAttempts: 12 };

/** Delay before attempt number `attempt + 1`, given `attempt` failures so far (1-based). */
export function retryDelay(
  policy: BackoffPolicy,
  attempt: number,
  retryAfterMs?: number,
  random = Math.random,
): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, policy.maxMs) + 50;
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}
