// The preview proxy: `/preview/<token>/…` on the gateway's HTTP server reaches 127.0.0.1:PORT inside
// a local sandbox (through its supervisor tunnel). Bad, expired or revoked tokens get 403; an
// unreachable port gets 502. Responses stream; WebSocket upgrades go through attachPreviewUpgrade.

import http, { type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { type Duplex, Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { HOP_BY_HOP_HEADERS } from '../../http/hop-by-hop.js';
import type { SandboxProvider } from '../provider.js';
import { PreviewTokens } from './preview-tokens.js';

export interface PreviewRoutesOptions {
  /** The sandbox provider; only one with the optional connectPort (local) has anything to proxy to. */
  provider: Pick<SandboxProvider, 'previewTokens' | 'connectPort'>;
  /** HMAC secret; used when the provider does not carry its own PreviewTokens. */
  secret?: string;
  log: Logger;
  /**
   * Serve previews as same-origin pages. Off by default: pages get a CSP sandbox (opaque origin)
   * so code from a sandbox cannot read the gateway's cookies or call its API from the browser.
   */
  allowSameOrigin?: boolean;
}

/** Not forwarded to a preview: connection headers, and the gateway's own host and credentials. */
const HOP_BY_HOP = new Set([...HOP_BY_HOP_HEADERS, 'host', 'authorization']);
const CSP_SANDBOX =
  'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads allow-pointer-lock';

function tokensOf(o: PreviewRoutesOptions): PreviewTokens {
  if (o.provider.previewTokens) return o.provider.previewTokens;
  if (!o.secret) throw new Error("preview routes need the provider's PreviewTokens or a secret");
  return new PreviewTokens({ secret: o.secret });
}

/** The gateway's own cookies (sandgate*) never reach a sandbox. */
function filterCookie(value: string): string {
  return value
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c && !/^sandgate/i.test(c))
    .join('; ');
}

function upstreamHeaders(pairs: [string, string][], port: number, prefix: string): [string, string][] {
  const out: [string, string][] = [['host', `127.0.0.1:${port}`]];
  for (const [k, v] of pairs) {
    const key = k.toLowerCase();
    if (HOP_BY_HOP.has(key)) continue;
    if (key === 'cookie') {
      const kept = filterCookie(v);
      if (kept) out.push([k, kept]);
      continue;
    }
    out.push([k, v]);
  }
  out.push(['x-forwarded-prefix', prefix]);
  return out;
}

function splitPreviewPath(pathAndQuery: string): { token: string; rest: string } | undefined {
  const m = /^\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)([/?][\s\S]*)?$/.exec(pathAndQuery);
  if (!m) return undefined;
  const rest = m[2] ?? '/';
  return { token: m[1]!, rest: rest.startsWith('?') ? `/${rest}` : rest };
}

export function createPreviewRoutes(o: PreviewRoutesOptions): Hono {
  const tokens = tokensOf(o);
  const app = new Hono();
  app.all('/:token{[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+}', (c) => {
    const url = new URL(c.req.url);
    return c.redirect(`${url.pathname}/${url.search}`, 301);
  });
  app.all('/:token{[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+}/*', async (c) => {
    const token = c.req.param('token');
    const check = tokens.verify(token);
    if (!check.ok) return c.text(`preview link refused: ${check.reason}`, 403);
    if (!o.provider.connectPort) return c.text('this gateway has no local sandboxes to preview', 404);
    const url = new URL(c.req.url);
    const at = url.pathname.indexOf(`/${token}/`);
    const prefix = url.pathname.slice(0, at + token.length + 1);
    const path = url.pathname.slice(at + token.length + 1) + url.search;
    let socket: Duplex;
    try {
      socket = await o.provider.connectPort(check.sandboxId, check.port);
    } catch (err) {
      o.log.debug({ err, sandbox: check.sandboxId, port: check.port }, 'preview target unreachable');
      return c.text(
        `nothing is answering on port ${check.port} in the sandbox (${(err as Error).message})`,
        502,
      );
    }
    const pairs: [string, string][] = [];
    c.req.raw.headers.forEach((v, k) => {
      pairs.push([k, v]);
    });
    try {
      return await proxyHttp(
        socket,
        c.req.method,
        path,
        upstreamHeaders(pairs, check.port, prefix),
        c.req.raw.body,
        o,
      );
    } catch (err) {
      socket.destroy();
      return c.text(`preview request failed: ${(err as Error).message}`, 502);
    }
  });
  return app;
}

function proxyHttp(
  socket: Duplex,
  method: string,
  path: string,
  headers: [string, string][],
  body: ReadableStream<Uint8Array> | null,
  o: PreviewRoutesOptions,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const up = http.request({
      method,
      path,
      headers: headers.flat(),
      createConnection: () => socket as Socket,
    });
    up.on('error', reject);
    up.on('response', (res) => {
      const out = new Headers();
      const raw = res.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const k = raw[i]!;
        const v = raw[i + 1]!;
        const key = k.toLowerCase();
        if (HOP_BY_HOP.has(key) || key === 'content-length') continue;
        if (key === 'set-cookie' && /^\s*sandgate/i.test(v)) continue;
        out.append(k, v);
      }
      if (!o.allowSameOrigin) out.set('content-security-policy', CSP_SANDBOX);
      const status = res.statusCode ?? 502;
      const empty = method === 'HEAD' || status === 204 || status === 304;
      if (empty) res.resume();
      res.on('end', () => socket.destroy());
      const stream = empty ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
      resolve(new Response(stream, { status, headers: out }));
    });
    if (body) Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>).pipe(up);
    else up.end();
  });
}

/**
 * WebSocket (and other Upgrade) requests under `basePath` go straight through to the sandbox port.
 * Call after serve() with the node server; returns a function that detaches the listener.
 * Upgrades outside `basePath` are left alone for other listeners.
 */
export function attachPreviewUpgrade(
  server: http.Server,
  o: PreviewRoutesOptions & { basePath?: string },
): () => void {
  const tokens = tokensOf(o);
  const base = (o.basePath ?? '/preview').replace(/\/+$/, '');
  const refuse = (socket: Duplex, status: string, text: string) => {
    socket.end(
      `HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '';
    if (!url.startsWith(`${base}/`)) return;
    const parts = splitPreviewPath(url.slice(base.length));
    const check = parts ? tokens.verify(parts.token) : undefined;
    if (!parts || !check?.ok) {
      refuse(
        socket,
        '403 Forbidden',
        `preview link refused: ${check && !check.ok ? check.reason : 'malformed'}`,
      );
      return;
    }
    if (!o.provider.connectPort) {
      refuse(socket, '404 Not Found', 'no local sandboxes');
      return;
    }
    socket.on('error', () => undefined);
    o.provider.connectPort(check.sandboxId, check.port).then(
      (up) => {
        const pairs: [string, string][] = [];
        for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
          pairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
        const headers = upstreamHeaders(pairs, check.port, `${base}/${parts.token}`);
        // Upgrade needs its hop-by-hop headers back.
        headers.push(['connection', 'Upgrade'], ['upgrade', req.headers.upgrade ?? 'websocket']);
        const lines = [
          `${req.method ?? 'GET'} ${parts.rest} HTTP/1.1`,
          ...headers.map(([k, v]) => `${k}: ${v}`),
        ];
        up.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length) up.write(head);
        up.on('error', () => socket.destroy());
        socket.on('close', () => up.destroy());
        up.on('close', () => socket.destroy());
        socket.pipe(up);
        up.pipe(socket);
      },
      (err: Error) =>
        refuse(socket, '502 Bad Gateway', `nothing is answering on port ${check.port}: ${err.message}`),
    );
  };
  server.on('upgrade', onUpgrade);
  return () => server.off('upgrade', onUpgrade);
}
