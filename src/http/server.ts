// The one HTTP server (Hono on @hono/node-server): health, readiness, metrics, the token-guarded
// /api/*, and whatever routes channels, the preview proxy and the dashboard mount on it.

import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { ChannelRoute } from '../../channels/channel.js';
import { requireToken } from './require-token.js';

export interface HttpAppOptions {
  token: () => string;
  metrics: () => string;
  ready: () => { ready: boolean; detail?: unknown };
  /** Endpoints channels serve (Channel.routes): platform webhooks, outside the token-guarded /api. */
  channelRoutes?: ChannelRoute[];
  /** Routes mounted by other parts (local channel API, preview proxy, dashboard). */
  mount?: (app: Hono, api: Hono) => void;
}

export function createHttpApp(opts: HttpAppOptions): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', (c) => {
    const r = opts.ready();
    return c.json(r, r.ready ? 200 : 503);
  });
  app.get('/metrics', (c) => c.text(opts.metrics(), 200, { 'content-type': 'text/plain; version=0.0.4' }));
  mountChannelRoutes(app, opts.channelRoutes ?? []);
  const api = new Hono();
  api.use('*', requireToken(opts.token));
  opts.mount?.(app, api);
  api.all('*', (c) => c.json({ error: `no such API route: ${c.req.method} ${c.req.path}` }, 404));
  app.route('/api', api);
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((err, c) => {
    if (err instanceof SyntaxError) return c.json({ error: `malformed request body: ${err.message}` }, 400);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

/**
 * Mounts each channel route as is: the handler gets the raw Request (a signature check needs the
 * body byte for byte). Throws on a path under /api (token-guarded) or one claimed twice, so a
 * misconfigured channel fails the start-up instead of shadowing another's webhook.
 */
export function mountChannelRoutes(app: Hono, routes: readonly ChannelRoute[]): void {
  const taken = new Set<string>();
  for (const route of routes) {
    if (!route.path.startsWith('/') || route.path === '/api' || route.path.startsWith('/api/'))
      throw new Error(`a channel route must be an absolute path outside /api, not "${route.path}"`);
    const key = `${route.method} ${route.path}`;
    if (taken.has(key)) throw new Error(`two channels claim ${key}`);
    taken.add(key);
    app.on(route.method, route.path, (c) => route.handler(c.req.raw));
  }
}

export async function listen(
  app: Pick<Hono, 'fetch'>,
  port: number,
  hostname: string,
): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) =>
      resolve({ server, port: info.port }),
    );
    server.once('error', reject);
  });
}

export function closeServer(server: ServerType, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      resolve();
    }, timeoutMs);
    timer.unref();
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
