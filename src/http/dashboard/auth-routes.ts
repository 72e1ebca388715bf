// Signing a device in: POST /auth/challenge with the gateway token (or a one-time link secret) and the
// device's public key → a nonce; POST /auth/verify with the signed nonce → the session cookie. Failed
// token or link attempts are counted per client address and refused for a while once too many.

import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { DeviceError, type Devices, formatDeviceId } from '../../../pairing/devices/index.js';
import { clientAddress, type FailureLimiter } from '../failure-limiter.js';
import { tokensEqual } from '../gateway-token.js';
import { crossSiteReason } from './security-headers.js';
import { setSessionCookie } from './session.js';
import { deviceView } from './views.js';

const challengeBody = z
  .object({
    publicKey: z.string().min(1).max(512),
    token: z.string().min(1).max(1024).optional(),
    link: z.string().min(1).max(256).optional(),
  })
  .strict();
const verifyBody = z
  .object({
    deviceId: z.string().min(1).max(64),
    nonce: z.string().min(1).max(128),
    signature: z.string().min(1).max(256),
  })
  .strict();

export interface AuthRouteDeps {
  devices: Devices;
  token: () => string;
  limiter: FailureLimiter;
  secureCookies: boolean;
  clock: () => number;
}

/** "Chrome on Linux"-style label from the User-Agent, for telling devices apart in the list. */
export function browserLabel(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS X/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : 'unknown OS';
  return `${browser} on ${os}`;
}

async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T> | { error: string }> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    return { error: 'the body must be JSON' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return {
      error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    };
  }
  return parsed.data;
}

function deviceErrorResponse(c: Context, err: unknown): Response {
  if (err instanceof DeviceError) return c.json({ error: err.message, kind: err.kind }, err.status);
  throw err;
}

export function authRoutes(deps: AuthRouteDeps): Hono {
  const app = new Hono();

  app.use('*', async (c, next) => {
    const crossSite = crossSiteReason(c);
    if (crossSite) return c.json({ error: crossSite }, 403);
    await next();
  });

  // Only a wrong credential (token or login link) counts, per address; a locked-out address is still
  // let in with the right one, so one guesser behind a shared proxy address cannot lock the owner out.
  app.post('/challenge', async (c) => {
    const address = clientAddress(c);
    const failed = (res: () => Response): Response => {
      const wait = deps.limiter.retryAfter(address);
      if (wait > 0) {
        c.header('Retry-After', String(wait));
        return c.json({ error: `too many failed sign-in attempts; try again in ${wait} s` }, 429);
      }
      deps.limiter.fail(address);
      return res();
    };
    const body = await readJson(c, challengeBody);
    if ('error' in body) return c.json({ error: body.error }, 400);
    if (body.link === undefined) {
      if (!body.token) return c.json({ error: 'the gateway token is required (`sandgate token show`)' }, 401);
      if (!tokensEqual(body.token, deps.token()))
        return failed(() => c.json({ error: 'wrong gateway token' }, 401));
    }
    try {
      const ch = await deps.devices.challenge({
        publicKey: body.publicKey,
        ...(body.link !== undefined ? { link: body.link } : {}),
      });
      return c.json({ ...ch, display: formatDeviceId(ch.deviceId) });
    } catch (err) {
      if (err instanceof DeviceError && err.kind === 'unknown-link')
        return failed(() => deviceErrorResponse(c, err));
      return deviceErrorResponse(c, err);
    }
  });

  app.post('/verify', async (c) => {
    const body = await readJson(c, verifyBody);
    if ('error' in body) return c.json({ error: body.error }, 400);
    try {
      const login = await deps.devices.verify({ ...body, label: browserLabel(c.req.header('user-agent')) });
      setSessionCookie(c, login.sessionSecret, login.expiresAt, deps.secureCookies, deps.clock());
      return c.json({ device: deviceView(login.device), via: login.via, csrfToken: login.csrfToken });
    } catch (err) {
      return deviceErrorResponse(c, err);
    }
  });

  return app;
}

export { deviceErrorResponse };
