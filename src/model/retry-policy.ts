// When and how long to wait before retrying a model call: 429, 5xx, 529 and dropped connections.
// Honours retry-after / retry-after-ms but never waits longer than maxWaitMs; beyond that we give up.

import type { APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { backoffDelay } from '../timing/backoff.js';
import { parseRetryAfter } from '../timing/retry-after.js';

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

/** The SDK's error classes, handed in by the client that loaded the SDK (it is imported lazily). */
export interface SdkErrors {
  APIError: typeof APIError;
  APIUserAbortError: typeof APIUserAbortError;
}

/** Classifies an error thrown by the SDK. Aborts are never retryable. */
export function classifyError(err: unknown, now: number, sdk: SdkErrors): RetryDecision {
  if (err instanceof sdk.APIUserAbortError)
    return { retryable: false, status: undefined, message: 'aborted' };
  if (err instanceof sdk.APIError) {
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
  return backoffDelay(
    { initialMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: 0.25 },
    attempt,
    random,
  );
}
