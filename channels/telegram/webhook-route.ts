// The webhook endpoint the gateway mounts on its Hono app. Telegram signs nothing; the only proof a
// request comes from Telegram is the secret_token we gave setWebhook, echoed in a header: wrong or
// missing → 401. A 200 goes back only once the update is persisted, so anything else makes Telegram
// deliver it again.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { Logger } from 'pino';

/** What handling one update came to: handled (or ignored), malformed, or not possible yet. */
export type UpdateOutcome = 'ok' | 'invalid' | 'unavailable';

export interface WebhookRoute {
  path: string;
  handler: (c: Context) => Promise<Response>;
}

export const SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';
/** Updates are a few KB; anything far bigger is not from Telegram. */
const MAX_BODY_BYTES = 1024 * 1024;

export function webhookPath(url: string, explicit?: string): string {
  if (explicit) return explicit;
  const path = new URL(url).pathname;
  return path === '/' || path === '' ? '/webhooks/telegram' : path;
}

export function createWebhookRoute(opts: {
  path: string;
  secret: string;
  handle: (update: unknown) => Promise<UpdateOutcome>;
  log: Logger;
}): WebhookRoute {
  const expected = digest(opts.secret);
  const handler = async (c: Context): Promise<Response> => {
    if (c.req.method !== 'POST') return c.json({ ok: false, description: 'POST only' }, 405);
    const given = c.req.header(SECRET_HEADER);
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      opts.log.warn('telegram webhook: request with a wrong or missing secret token');
      return c.json({ ok: false, description: 'Unauthorized' }, 401);
    }
    const body = await c.req.text();
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
      return c.json({ ok: false, description: 'body too large' }, 413);
    }
    let update: unknown;
    try {
      update = JSON.parse(body);
    } catch {
      return c.json({ ok: false, description: 'body is not JSON' }, 400);
    }
    let outcome: UpdateOutcome;
    try {
      outcome = await opts.handle(update);
    } catch (err) {
      opts.log.warn({ err }, 'telegram webhook: update not accepted; Telegram will retry');
      return c.json({ ok: false, description: 'not accepted, retry later' }, 500);
    }
    if (outcome === 'invalid') return c.json({ ok: false, description: 'not a Telegram update' }, 400);
    if (outcome === 'unavailable') return c.json({ ok: false, description: 'not ready' }, 503);
    return c.json({ ok: true }, 200);
  };
  return { path: opts.path, handler };
}

/** Equal-length digests let timingSafeEqual compare secrets of any length. */
function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
