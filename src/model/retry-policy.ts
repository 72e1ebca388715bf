// When and how long to wait before retrying a model call: 429, 5xx, 529 and dropped connections.
// Honours retry-after / retry-after-ms but never waits longer than maxWaitMs; beyond that we give up.

import { APIError, APIUserAbortError } from '@anthropic-ai/sdk';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A retry-after longer than this ends the retries at once (the chat should not hang for minutes). */
  maxWaitMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 1000,
  maxDelayMs: 16_000,
  maxWaitMs: 60_000,
};

export interface RetryDecision {
  retryable: boolean;
  status: number | undefined;
  message: string;
  /** What the server asked for, if it did. */
  retryAfterMs?: number;
}

const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504, 529]);
const RETRYABLE_STREAM_ERRORS = new Set(['overloaded_error', 'api_error', 'rate_limit_error']);

export function parseRetryAfter(headers: Headers | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Classifies an error thrown by the SDK. Aborts are never retryable. */
export function classifyError(err: unknown, now: number): RetryDecision {
  if (err instanceof APIUserAbortError) return { retryable: false, status: undefined, message: 'aborted' };
  if (err instanceof APIError) {
    const message = err.apiMessage ?? err.message;
    if (err.status === undefined) {
      // No status: a dropped connection, or an `error` event inside an SSE stream.
      const streamType = err.type ?? undefined;
      const retryable = streamType === undefined || RETRYABLE_STREAM_ERRORS.has(streamType);
      const status =
        streamType === 'overloaded_error' ? 529 : streamType === 'rate_limit_error' ? 429 : undefined;
      return { retryable, status, message };
    }
    const retryAfterMs = parseRetryAfter(err.headers, now);
    return {
      retryable: RETRYABLE_STATUS.has(err.status) || err.status >= 500,
      status: err.status,
      message,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  return { retryable: false, status: undefined, message: err instanceof Error ? err.message : String(err) };
}

/** Exponential backoff with jitter, or the server's retry-after when given. */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  decision: RetryDecision,
  random: () => number,
): number {
  if (decision.retryAfterMs !== undefined) return decision.retryAfterMs;
  const exp = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(exp * (0.75 + random() * 0.25));
}

/** Resolves after `ms`, or rejects at once when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new APIUserAbortError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new APIUserAbortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
