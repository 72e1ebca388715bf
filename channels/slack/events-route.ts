// `POST /slack/events` on the gateway's one HTTP server: events, slash commands and interactivity
// all arrive here (DESIGN §9.1). Every request must carry X-Slack-Signature = v0=HMAC-SHA256(signing
// secret, `v0:<timestamp>:<raw body>`) with X-Slack-Request-Timestamp within 5 minutes of now
// (Slack, "Verifying requests from Slack"); otherwise 401 and nothing runs. The signature is checked
// over the body exactly as received, before anything parses it.

import { verifySlackRequest } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ChannelRoute } from '../channel.js';
import type { Acknowledgement, Envelope } from './bolt-receiver.js';

export const EVENTS_PATH = '/slack/events';
/** Slack's replay window for a signed request. */
const MAX_SKEW_SEC = 5 * 60;
/** Slack payloads are a few KB; a view submission can be larger, nothing legitimate is near this. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface EventsRouteOptions {
  signingSecret: string;
  dispatch(envelope: Envelope): Promise<Acknowledgement>;
  log: Logger;
  now?: () => number;
}

export function createEventsRoute(opts: EventsRouteOptions): ChannelRoute {
  const now = opts.now ?? Date.now;
  return {
    method: 'POST',
    path: EVENTS_PATH,
    handler: async (req) => {
      const declared = Number(req.headers.get('content-length') ?? 0);
      if (declared > MAX_BODY_BYTES) return empty(413);
      const raw = await req.text();
      if (Buffer.byteLength(raw) > MAX_BODY_BYTES) return empty(413);
      if (!verified(opts.signingSecret, req.headers, raw, now())) {
        opts.log.warn('slack: request with a missing, stale or wrong signature refused');
        return empty(401);
      }
      let body: Record<string, unknown>;
      try {
        body = parseBody(raw, req.headers.get('content-type') ?? '');
      } catch (err) {
        opts.log.warn({ err: (err as Error).message }, 'slack: malformed request body');
        return empty(400);
      }
      if (body.ssl_check === '1') return empty(200);
      if (body.type === 'url_verification') {
        return Response.json({ challenge: typeof body.challenge === 'string' ? body.challenge : '' });
      }
      const retryNum = Number(req.headers.get('x-slack-retry-num') ?? Number.NaN);
      const retryReason = req.headers.get('x-slack-retry-reason');
      try {
        const ack = await opts.dispatch({
          body,
          ...(Number.isInteger(retryNum) ? { retryNum } : {}),
          ...(retryReason ? { retryReason } : {}),
        });
        return toResponse(ack.response);
      } catch (err) {
        // Not persisted: a 500 makes Slack deliver the event again (up to three retries).
        opts.log.warn({ err }, 'slack: payload not accepted; Slack will retry');
        return empty(500);
      }
    },
  };
}

function verified(secret: string, headers: Headers, raw: string, nowMs: number): boolean {
  const signature = headers.get('x-slack-signature');
  const timestamp = Number(headers.get('x-slack-request-timestamp'));
  if (!signature || !Number.isInteger(timestamp)) return false;
  // Bolt checks only for stale timestamps; one from the future is as suspect.
  if (Math.abs(nowMs / 1000 - timestamp) > MAX_SKEW_SEC) return false;
  try {
    verifySlackRequest({
      signingSecret: secret,
      body: raw,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: nowMs,
    });
    return true;
  } catch {
    return false;
  }
}

/** JSON (Events API) or form-encoded (slash commands; interactivity wraps JSON in `payload`). */
function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.startsWith('application/json')) {
    const parsed = JSON.parse(raw) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  }
  const form = Object.fromEntries(new URLSearchParams(raw));
  if (typeof form.payload === 'string') {
    const parsed = JSON.parse(form.payload) as unknown;
    if (!parsed || typeof parsed !== 'object') throw new Error('payload is not a JSON object');
    return parsed as Record<string, unknown>;
  }
  return form;
}

function toResponse(response: unknown): Response {
  if (response === undefined || response === '') return empty(200);
  if (typeof response === 'string')
    return new Response(response, { headers: { 'content-type': 'text/plain' } });
  return Response.json(response);
}

function empty(status: number): Response {
  return new Response(null, { status });
}
