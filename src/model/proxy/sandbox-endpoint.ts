// Opens the model proxy into one sandbox for one run: through a loopback port inside the sandbox
// when the provider has one (local: carried over the supervisor channel), else through the
// gateway's public URL (Daytona) — and when neither exists, a refusal saying why. Never the key.

import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { Sandbox } from '../../sandbox/provider.js';
import type { ModelProxy } from './model-proxy.js';
import type { ProxyGrant } from './proxy-grants.js';

/** Where the gateway serves the proxy for sandboxes that reach it over the network. */
export const PUBLIC_PROXY_PATH = '/model-proxy';

export interface ProxyEndpoint {
  /** ANTHROPIC_BASE_URL for the program in the sandbox. */
  baseUrl: string;
  /** Its per-run token (ANTHROPIC_API_KEY) and the usage metered under it. */
  grant: ProxyGrant;
  /** Revokes the token and stops serving the sandbox's port. Idempotent. */
  close(): Promise<void>;
}

export interface EndpointOptions {
  runId: number;
  senderKey: string;
  /**
   * The gateway's public base URL when it is reachable from outside this machine (explicitly
   * configured, not loopback); undefined otherwise.
   */
  publicUrl?: string;
}

/** True when `url` names this machine only, so a remote sandbox could never reach it. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127\./.test(host) ||
    host === '0.0.0.0'
  );
}

/**
 * Why the proxy cannot be served into `sandbox`, or undefined when it can: a sandbox without an
 * inside port reaches it only through a public URL a remote machine can reach.
 */
export function endpointRefusal(sandbox: Sandbox, publicUrl: string | undefined): string | undefined {
  if (sandbox.listenInside) return undefined;
  if (publicUrl && !isLoopbackUrl(publicUrl)) return undefined;
  return 'Claude Code in this sandbox would reach the model through the gateway’s public URL, and this gateway has none that a remote sandbox can reach. Set one (`sandgate config set publicUrl https://…`, or SANDGATE_PUBLIC_URL) — the model key itself is never handed to a sandbox.';
}

export async function openProxyEndpoint(
  proxy: ModelProxy,
  sandbox: Sandbox,
  o: EndpointOptions,
): Promise<ProxyEndpoint | { refused: string }> {
  if (sandbox.listenInside) {
    const via = { kind: 'tunnel' as const, sandboxId: sandbox.id };
    const grant = proxy.grants.issue({ runId: o.runId, senderKey: o.senderKey, via });
    const server = createServer(
      getRequestListener((req) => proxy.handle(req, via, new URL(req.url).pathname), {
        overrideGlobalObjects: false,
      }),
    );
    try {
      const listener = await sandbox.listenInside((socket) => server.emit('connection', socket));
      let closed = false;
      return {
        baseUrl: `http://127.0.0.1:${listener.port}`,
        grant,
        close: async () => {
          if (closed) return;
          closed = true;
          grant.revoke();
          await listener.close().catch(() => undefined);
          server.closeAllConnections();
        },
      };
    } catch (err) {
      grant.revoke();
      throw err;
    }
  }
  const refused = endpointRefusal(sandbox, o.publicUrl);
  if (refused || !o.publicUrl) return { refused: refused ?? 'no public URL' };
  const grant = proxy.grants.issue({ runId: o.runId, senderKey: o.senderKey, via: { kind: 'public' } });
  return {
    baseUrl: `${o.publicUrl.replace(/\/+$/, '')}${PUBLIC_PROXY_PATH}`,
    grant,
    close: async () => grant.revoke(),
  };
}

/** The public route (mounted at PUBLIC_PROXY_PATH): same proxy, tokens issued for the public way in. */
export function publicProxyRoutes(proxy: ModelProxy): Hono {
  const app = new Hono();
  app.all('*', (c) => {
    const path = new URL(c.req.url).pathname.slice(PUBLIC_PROXY_PATH.length) || '/';
    return proxy.handle(c.req.raw, { kind: 'public' }, path);
  });
  return app;
}
