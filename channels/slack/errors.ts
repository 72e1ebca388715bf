// Sorts what @slack/web-api throws into the cases the channel acts on: rate limited (Retry-After),
// bad token, bot not in the channel, permanent refusals (Slack's documented method errors that no
// retry fixes) and transient failures (5xx, network, Slack's internal_error). The WebClient is built
// with rejectRateLimitedCalls and no retries of its own, so every retry goes through the outbox.

import { webApi } from '@slack/bolt';
import { DeliveryError } from '../channel.js';

export type SlackFailure =
  | { kind: 'rate-limited'; retryAfterMs: number; message: string }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'not-in-channel'; message: string }
  | { kind: 'permanent'; message: string }
  | { kind: 'transient'; message: string };

const UNAUTHORIZED = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
]);
const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found']);
/** Retrying cannot help: the request itself is wrong for this conversation or message. */
const PERMANENT = new Set([
  'is_archived',
  'msg_too_long',
  'no_text',
  'invalid_blocks',
  'restricted_action',
  'cannot_dm_bot',
  'user_not_found',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'invalid_arguments',
  'file_not_found',
  'file_upload_size_mismatch',
  'too_many_attachments',
  'duplicate_channel_not_found',
]);

interface CodedError {
  code?: unknown;
  data?: { error?: unknown };
  retryAfter?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/** Slack's error string of a platform error (`{ok:false, error}`), if this is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = err as CodedError | undefined;
  if (e?.code !== webApi.ErrorCode.PlatformError) return undefined;
  return typeof e.data?.error === 'string' ? e.data.error : undefined;
}

export function classify(err: unknown): SlackFailure {
  const e = (err ?? {}) as CodedError;
  const text = typeof e.message === 'string' ? e.message : String(err);
  if (e.code === webApi.ErrorCode.RateLimitedError) {
    const seconds = typeof e.retryAfter === 'number' ? e.retryAfter : 1;
    return { kind: 'rate-limited', retryAfterMs: Math.max(1, seconds) * 1000, message: text };
  }
  const code = slackErrorCode(err);
  if (code !== undefined) {
    if (code === 'ratelimited') return { kind: 'rate-limited', retryAfterMs: 1000, message: code };
    if (UNAUTHORIZED.has(code)) return { kind: 'unauthorized', message: code };
    if (NOT_IN_CHANNEL.has(code)) return { kind: 'not-in-channel', message: code };
    if (PERMANENT.has(code)) return { kind: 'permanent', message: code };
    return { kind: 'transient', message: code };
  }
  if (e.code === webApi.ErrorCode.HTTPError)
    return { kind: 'transient', message: `HTTP ${String(e.statusCode)}` };
  if (e.code === webApi.ErrorCode.RequestError) return { kind: 'transient', message: `network: ${text}` };
  return { kind: 'transient', message: text };
}

/** The gateway's outbox decides about retries from this. */
export function toDeliveryError(failure: SlackFailure, what: string): DeliveryError {
  const message = `Slack ${what} failed: ${failure.message}`;
  switch (failure.kind) {
    case 'rate-limited':
      return new DeliveryError(message, { retryAfterMs: failure.retryAfterMs });
    case 'permanent':
    case 'not-in-channel':
      return new DeliveryError(message, { permanent: true });
    case 'unauthorized':
      // A token fixed in the config (or a scope added and the app reinstalled) lets replies through later.
      return new DeliveryError(message, { retryAfterMs: 60_000 });
    default:
      return new DeliveryError(message);
  }
}
