// Hono middleware: the request must carry the gateway token (Authorization: Bearer …). Failures are
// answered 401 with a reason and counted per client address, which is slowed down after repeated misses.

import type { MiddlewareHandler } from 'hono';
import { tokensEqual } from './gateway-token.js';

const WINDOW_MS = 60_000;
const MAX_FAILURES = 20;

export function requireToken(getToken: () => string): MiddlewareHandler {
  const failures = new Map<string, { count: number; since: number }>();
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const given = header.startsWith('Bearer ')
      ? header.slice(7).trim()
      : (c.req.header('x-sandgate-token') ?? '');
    const client = c.req.header('x-forwarded-for') ?? 'direct';
    const now = Date.now();
    const f = failures.get(client);
    if (f && now - f.since < WINDOW_MS && f.count >= MAX_FAILURES) {
      return c.json({ error: 'too many failed token attempts; wait a minute' }, 429);
    }
    if (!given || !tokensEqual(given, getToken())) {
      const entry = f && now - f.since < WINDOW_MS ? f : { count: 0, since: now };
      entry.count++;
      failures.set(client, entry);
      return c.json(
        { error: given ? 'invalid gateway token' : 'missing gateway token (Authorization: Bearer <token>)' },
        401,
      );
    }
    await next();
  };
}
