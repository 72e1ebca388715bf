// Headers on every dashboard response: a strict Content-Security-Policy (scripts and styles only from
// the gateway, no inline code), no framing, no referrer, no sniffing; API answers are never cached.
// Also the same-origin check for state-changing requests (a second line behind SameSite and CSRF).

import type { Context, MiddlewareHandler } from 'hono';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  const h = c.res.headers;
  h.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  h.set('X-Frame-Options', 'DENY');
  h.set('X-Content-Type-Options', 'nosniff');
  h.set('Referrer-Policy', 'no-referrer');
  h.set('Cross-Origin-Opener-Policy', 'same-origin');
  h.set('Cross-Origin-Resource-Policy', 'same-origin');
  h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store');
};

/**
 * A browser's cross-site request shows itself by Origin or Sec-Fetch-Site; either one pointing elsewhere
 * refuses it. Non-browser clients send neither (and have no ambient cookie to abuse).
 */
export function crossSiteReason(c: Context): string | undefined {
  const site = c.req.header('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none')
    return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  const origin = c.req.header('origin');
  if (origin) {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return 'cross-site request refused (malformed Origin)';
    }
    if (host !== c.req.header('host')) return 'cross-site request refused (Origin does not match Host)';
  }
  return undefined;
}
