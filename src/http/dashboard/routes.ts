// The dashboard, as a Hono sub-app to mount at /dashboard: static assets, device sign-in (/auth), and
// the session-guarded API (/api) behind it. Needs the gateway token AND an approved device (DESIGN §4).

import { Hono } from 'hono';
import { FailureLimiter } from '../failure-limiter.js';
import { accessRoutes } from './access-routes.js';
import { activityRoutes } from './activity-routes.js';
import { authRoutes } from './auth-routes.js';
import { chatRoutes } from './chat-routes.js';
import type { DashboardDeps } from './deps.js';
import { EventStreams } from './event-streams.js';
import { securityHeaders } from './security-headers.js';
import { clearSessionCookie, type DashboardEnv, requireApproved, requireSession } from './session.js';
import { assetServer, DEFAULT_ASSETS_DIR } from './static-assets.js';
import { deviceView } from './views.js';

/** Where the routes are mounted: the assets, cookie path and page links assume it. */
export const DASHBOARD_PATH = '/dashboard';

/** Failed token or link attempts allowed per client address in LOGIN_WINDOW_MS. */
export const MAX_LOGIN_FAILURES = 10;
export const LOGIN_WINDOW_MS = 5 * 60_000;

export function createDashboardRoutes(deps: DashboardDeps): Hono {
  const clock = deps.clock ?? Date.now;
  const secure = deps.publicUrl.toLowerCase().startsWith('https:');
  const streams = new EventStreams((h) => deps.devices.sessionAlive(h), deps.streamCheckMs ?? 1000);
  deps.signal?.addEventListener('abort', () => streams.closeAll(), { once: true });
  const limiter = new FailureLimiter(MAX_LOGIN_FAILURES, LOGIN_WINDOW_MS, clock);
  const asset = assetServer(deps.assetsDir ?? DEFAULT_ASSETS_DIR);

  const app = new Hono();
  app.use('*', securityHeaders);
  app.get('/', (c) => asset(c, 'index.html'));
  app.get('/assets/*', (c) => asset(c, c.req.path.replace(/^.*?\/assets\//, '')));
  app.route(
    '/auth',
    authRoutes({ devices: deps.devices, token: deps.token, limiter, secureCookies: secure, clock }),
  );

  const api = new Hono<DashboardEnv>();
  api.use('*', requireSession(deps.devices, secure));
  api.get('/session', (c) => {
    const s = c.get('session');
    return c.json({
      device: deviceView(s.device, s.device.id),
      csrfToken: s.csrfToken,
      expiresAt: s.expiresAt,
    });
  });
  api.post('/logout', (c) => {
    const s = c.get('session');
    deps.devices.endSession(c.get('sessionSecret'));
    streams.closeSession(s.idHash);
    clearSessionCookie(c, secure);
    return c.json({ signedOut: true });
  });
  api.use('*', requireApproved);
  api.route('/', accessRoutes({ pairing: deps.pairing, devices: deps.devices, streams }));
  api.route('/', activityRoutes({ ...deps, streams }));
  api.route('/', chatRoutes({ local: deps.local, streams }));
  api.all('*', (c) => c.json({ error: `no such dashboard API route: ${c.req.method} ${c.req.path}` }, 404));
  app.route('/api', api);

  // Mounted at DASHBOARD_PATH, the sub-app's '/' is '/dashboard' only; the slashed form lands here.
  app.all('*', (c) =>
    c.req.method === 'GET' && c.req.path === `${DASHBOARD_PATH}/`
      ? asset(c, 'index.html')
      : c.json({ error: 'not found' }, 404),
  );
  app.onError((err, c) => {
    if (err instanceof SyntaxError) return c.json({ error: `malformed request: ${err.message}` }, 400);
    deps.log.error({ err, path: c.req.path }, 'dashboard request failed');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
