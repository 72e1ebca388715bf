// Sorts what grammY throws into the few cases the channel acts on: rate limit (retry_after), bad
// token, polling conflict, HTML rejected, "not modified", permanent refusals, and transient failures
// (5xx, network). Error texts are Telegram's descriptions, which never contain the token.

import { GrammyError, HttpError } from 'grammy';
import { DeliveryError } from '../channel.js';

export type ApiFailure =
  | { kind: 'rate-limited'; retryAfterMs: number; message: string }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'conflict'; message: string }
  | { kind: 'cannot-parse'; message: string }
  | { kind: 'not-modified'; message: string }
  | { kind: 'permanent'; code: number; message: string }
  | { kind: 'transient'; message: string };

export function classify(err: unknown): ApiFailure {
  if (err instanceof GrammyError) {
    const message = `${err.error_code} ${err.description}`;
    const code = err.error_code;
    if (code === 429) {
      const seconds = err.parameters?.retry_after;
      return { kind: 'rate-limited', retryAfterMs: Math.max(1, seconds ?? 1) * 1000, message };
    }
    if (code === 401) return { kind: 'unauthorized', message };
    if (code === 409) return { kind: 'conflict', message };
    if (/can't parse entities|can't find end of the entity|unsupported start tag/i.test(err.description)) {
      return { kind: 'cannot-parse', message };
    }
    if (/message is not modified/i.test(err.description)) return { kind: 'not-modified', message };
    if (code >= 500) return { kind: 'transient', message };
    if (code === 400 || code === 403 || code === 404) return { kind: 'permanent', code, message };
    return { kind: 'transient', message };
  }
  if (err instanceof HttpError) return { kind: 'transient', message: `network: ${err.message}` };
  return { kind: 'transient', message: err instanceof Error ? err.message : String(err) };
}

/** The gateway's outbox decides about retries from this. */
export function toDeliveryError(failure: ApiFailure, what: string): DeliveryError {
  const message = `Telegram ${what} failed: ${failure.message}`;
  switch (failure.kind) {
    case 'rate-limited':
      return new DeliveryError(message, { retryAfterMs: failure.retryAfterMs });
    case 'permanent':
    case 'cannot-parse':
      return new DeliveryError(message, { permanent: true });
    case 'unauthorized':
      // A token fixed in the config should let pending replies through later.
      return new DeliveryError(message, { retryAfterMs: 60_000 });
    default:
      return new DeliveryError(message);
  }
}
