// Hono middleware: the request must carry the gateway token (Authorization: Bearer …). A missing or
// wrong token is answered 401 with a reason; only WRONG tokens count per client address, and after
// repeated ones that address gets 429 for wrong tokens until the window passes. The right one always passes.

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
    // A browser or script without a token is not guessing: it is told, not counted.
    if (!given) return c.json({ error: 'missing gateway token (Authorization: Bearer <token>)' }, 401);
    // Checked first so a client that shares an address with a guesser (a proxy, NAT) is never locked out.
    if (tokensEqual(given, getToken())) return await next();
    const address = clientAddress(c);
    const wait = limiter.retryAfter(address);
    if (wait > 0) {
      return c.json({ error: `too many failed token attempts; try again in ${wait} s` }, 429, {
        'retry-after': String(wait),
      });
    }
    limiter.fail(address);
    return c.json({ error: 'invalid gateway token' }, 401);
  };
}
