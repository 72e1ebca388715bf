// Hono middleware: the request must carry the gateway token (Authorization: Bearer …). Failures are
// answered 401 with a reason and counted per client address; after repeated misses that address
// gets 429 until the window passes.

import type { MiddlewareHandler } from 'hono';
import { clientAddress, FailureLimiter } from './failure-limiter.js';
import { tokensEqual } from './gateway-token.js';

export function requireToken(
  getToken: () => string,
  limiter = new FailureLimiter(20, 60_000),
): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const given = header.startsWith('Bearer ')
      ? header.slice(7).trim()
      : (c.req.header('x-sandgate-token') ?? '');
    const address = clientAddress(c);
    const wait = limiter.retryAfter(address);
    if (wait > 0) {
      return c.json({ error: `too many failed token attempts; try again in ${wait} s` }, 429, {
        'retry-after': String(wait),
      });
    }
    if (!given || !tokensEqual(given, getToken())) {
      limiter.fail(address);
      return c.json(
        { error: given ? 'invalid gateway token' : 'missing gateway token (Authorization: Bearer <token>)' },
        401,
      );
    }
    await next();
  };
}
