// The webhook endpoint the channel offers the gateway's HTTP server (Channel.routes). Telegram signs nothing; the only proof a
// request comes from Telegram is the secret_token we gave setWebhook, echoed in a header: wrong or
// missing → 401. A 200 goes back only once the update is persisted, so anything else makes Telegram
// deliver it again — which is why an update that can never be processed also gets a 200 (it is
// recorded by the channel): a 4xx would have Telegram redeliver it forever, blocking the chat.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { ChannelRoute } from '../channel.js';

/** What handling one update came to: handled (or ignored), malformed, or not possible yet. */
export type UpdateOutcome = 'ok' | 'invalid' | 'unavailable';

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
}): ChannelRoute {
  const expected = digest(opts.secret);
  const handler = async (req: Request): Promise<Response> => {
    if (req.method !== 'POST') return answer(405, { ok: false, description: 'POST only' });
    const given = req.headers.get(SECRET_HEADER);
    if (given === null || !timingSafeEqual(digest(given), expected)) {
      opts.log.warn('telegram webhook: request with a wrong or missing secret token');
      return answer(401, { ok: false, description: 'Unauthorized' });
    }
    const body = await req.text();
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
      return answer(413, { ok: false, description: 'body too large' });
    }
    let update: unknown;
    try {
      update = JSON.parse(body);
    } catch {
      opts.log.warn({ bytes: Buffer.byteLength(body) }, 'telegram webhook: body is not JSON; skipped');
      return answer(200, { ok: true, description: 'skipped: body is not JSON' });
    }
    let outcome: UpdateOutcome;
    try {
      outcome = await opts.handle(update);
    } catch (err) {
      opts.log.warn({ err }, 'telegram webhook: update not accepted; Telegram will retry');
      return answer(500, { ok: false, description: 'not accepted, retry later' });
    }
    if (outcome === 'invalid') return answer(200, { ok: true, description: 'skipped: cannot be processed' });
    if (outcome === 'unavailable') return answer(503, { ok: false, description: 'not ready' });
    return answer(200, { ok: true });
  };
  return { method: 'POST', path: opts.path, handler };
}

function answer(status: number, body: { ok: boolean; description?: string }): Response {
  return Response.json(body, { status });
}

/** Equal-length digests let timingSafeEqual compare secrets of any length. */
function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
