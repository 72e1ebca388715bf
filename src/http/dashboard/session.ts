// The dashboard session: an HttpOnly, SameSite=Strict cookie (Secure behind https) naming a session
// bound to one device, checked against the database on every request — so a revocation from the CLI
// counts at once. Mutations must also echo the session's CSRF token in X-CSRF-Token.

import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Devices, SessionView } from '../../../pairing/devices/index.js';
import { tokensEqual } from '../gateway-token.js';
import { crossSiteReason } from './security-headers.js';

export const SESSION_COOKIE = 'sandgate_session';
export const CSRF_HEADER = 'x-csrf-token';
const COOKIE_PATH = '/dashboard';

export type DashboardEnv = { Variables: { session: SessionView; sessionSecret: string } };

export function setSessionCookie(
  c: Context,
  secret: string,
  expiresAt: number,
  secure: boolean,
  now: number,
): void {
  setCookie(c, SESSION_COOKIE, secret, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'Strict',
    secure,
    maxAge: Math.max(1, Math.floor((expiresAt - now) / 1000)),
  });
}

export function clearSessionCookie(c: Context, secure: boolean): void {
  deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH, httpOnly: true, sameSite: 'Strict', secure });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Signed in (any device state); mutations additionally need the same origin and the CSRF token. */
export function requireSession(devices: Devices, secure: boolean): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const secret = getCookie(c, SESSION_COOKIE);
    const session = secret ? devices.session(secret) : undefined;
    if (!secret || !session) {
      if (secret) clearSessionCookie(c, secure);
      return c.json({ error: 'not signed in (the session ended or this device was revoked)' }, 401);
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      const crossSite = crossSiteReason(c);
      if (crossSite) return c.json({ error: crossSite }, 403);
      const given = c.req.header(CSRF_HEADER) ?? '';
      if (!given || !tokensEqual(given, session.csrfToken)) {
        return c.json(
          { error: 'missing or wrong CSRF token (send the X-CSRF-Token header from /dashboard/api/session)' },
          403,
        );
      }
    }
    c.set('session', session);
    c.set('sessionSecret', secret);
    await next();
  };
}

/** Everything but the session itself needs an approved device. */
export const requireApproved: MiddlewareHandler<DashboardEnv> = async (c, next) => {
  const { device } = c.get('session');
  if (device.state !== 'approved') {
    const error =
      device.state === 'pending'
        ? 'this device is waiting for approval'
        : 'this device is not approved (its request expired); sign in again';
    return c.json({ error, state: device.state }, 403);
  }
  await next();
};
