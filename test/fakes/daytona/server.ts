// A protocol fake of Daytona for tests: the REST API (`/api/sandbox…`) and the per-sandbox toolbox
// (`/toolbox/<id>/…`) on one local HTTP server, speaking the subset of routes @daytonaio/sdk 0.218
// calls. Sandboxes are directories; their commands run on this machine. Can inject 429s.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeBox, killBox, newBox, toolboxRoute, toolboxUpgrade } from './toolbox.js';

export interface FakeDaytona {
  /** Pass as DaytonaConfig.apiUrl. */
  apiUrl: string;
  apiKey: string;
  /** Every REST request, for asserting what the SDK sent. */
  requests: { method: string; path: string; body: unknown }[];
  sandboxes: Map<string, { dto: Record<string, unknown>; box: FakeBox }>;
  /** The next `count` REST requests get 429 with Retry-After: seconds. */
  rateLimitNext(count: number, seconds: number): void;
  /** Delete a sandbox behind the gateway's back. */
  deleteExternally(id: string): void;
  close(): Promise<void>;
}

export async function startFakeDaytona(): Promise<FakeDaytona> {
  const root = mkdtempSync(join(tmpdir(), 'fake-daytona-'));
  const apiKey = `dtn_${randomBytes(8).toString('hex')}`;
  const sandboxes = new Map<string, { dto: Record<string, unknown>; box: FakeBox }>();
  const requests: FakeDaytona['requests'] = [];
  let limited = { count: 0, seconds: 0 };
  let base = '';

  const json = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const notFound = (res: ServerResponse, what = 'Sandbox') =>
    json(res, 404, { statusCode: 404, message: `${what} not found`, code: 'NOT_FOUND' });

  const touch = (dto: Record<string, unknown>, patch: Record<string, unknown> = {}) => {
    Object.assign(dto, patch, { updatedAt: new Date().toISOString() });
    return dto;
  };

  async function api(method: string, path: string, url: URL, body: Buffer, res: ServerResponse) {
    const parsed = body.length ? (JSON.parse(body.toString()) as Record<string, unknown>) : {};
    requests.push({ method, path, body: parsed });
    if (limited.count > 0) {
      limited.count--;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(limited.seconds) });
      res.end(JSON.stringify({ statusCode: 429, message: 'Too many requests' }));
      return;
    }
    if (method === 'POST' && path === '/sandbox') {
      const id = randomBytes(6).toString('hex');
      const now = new Date().toISOString();
      const dto = {
        id,
        organizationId: 'org-fake',
        name: id,
        user: 'daytona',
        env: parsed.env ?? {},
        labels: parsed.labels ?? {},
        public: false,
        networkBlockAll: parsed.networkBlockAll ?? false,
        target: 'us',
        cpu: 1,
        gpu: 0,
        memory: 1,
        disk: 3,
        state: 'started',
        desiredState: 'started',
        autoStopInterval: parsed.autoStopInterval ?? 15,
        autoDeleteInterval: parsed.autoDeleteInterval ?? -1,
        createdAt: now,
        updatedAt: now,
        lastActivityAt: now,
        toolboxProxyUrl: `${base}/toolbox`,
      };
      sandboxes.set(id, { dto, box: newBox(id, root, (parsed.env as Record<string, string>) ?? {}) });
      json(res, 200, dto);
      return;
    }
    if (method === 'GET' && path === '/sandbox') {
      const labels = url.searchParams.get('labels');
      const want = labels ? (JSON.parse(labels) as Record<string, string>) : {};
      const items = [...sandboxes.values()]
        .map((s) => s.dto)
        .filter((d) => Object.entries(want).every(([k, v]) => (d.labels as Record<string, string>)[k] === v));
      json(res, 200, { items, nextCursor: null });
      return;
    }
    const m = /^\/sandbox\/([^/]+)(\/.*)?$/.exec(path);
    const entry = m ? sandboxes.get(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !entry) return notFound(res);
    const sub = m[2] ?? '';
    const { dto, box } = entry;
    if (method === 'GET' && sub === '') return json(res, 200, dto);
    if (method === 'GET' && sub === '/toolbox-proxy-url') return json(res, 200, { url: `${base}/toolbox` });
    if (method === 'POST' && sub === '/start')
      return json(res, 200, touch(dto, { state: 'started', desiredState: 'started' }));
    if (method === 'POST' && sub === '/stop') {
      killBox(box);
      return json(res, 200, touch(dto, { state: 'stopped', desiredState: 'stopped' }));
    }
    if (method === 'DELETE' && sub === '') {
      killBox(box);
      sandboxes.delete(dto.id as string);
      return json(res, 200, touch(dto, { state: 'destroyed', desiredState: 'destroyed' }));
    }
    if (method === 'PUT' && sub === '/labels') {
      // replaceLabels: the body's labels replace the sandbox's; the answer is { labels }.
      const labels = parsed.labels;
      if (!labels || typeof labels !== 'object')
        return json(res, 400, { statusCode: 400, message: 'labels must be an object' });
      touch(dto, { labels });
      return json(res, 200, { labels });
    }
    if (method === 'POST' && sub === '/last-activity') {
      touch(dto, { lastActivityAt: new Date().toISOString() });
      res.writeHead(201).end();
      return;
    }
    const preview = /^\/ports\/(\d+)\/signed-preview-url$/.exec(sub);
    if (method === 'GET' && preview) {
      const token = randomBytes(12).toString('hex');
      const port = Number(preview[1]);
      return json(res, 200, {
        sandboxId: dto.id,
        port,
        token,
        url: `https://${port}-${token}.preview.fake-daytona.test`,
      });
    }
    notFound(res, `Route ${method} ${sub}`);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const method = req.method ?? 'GET';
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        json(res, 401, { statusCode: 401, message: 'Unauthorized' });
        return;
      }
      const body = Buffer.concat(chunks);
      const run = async () => {
        if (url.pathname.startsWith('/api/')) return api(method, url.pathname.slice(4), url, body, res);
        const t = /^\/toolbox\/([^/]+)(\/.*)$/.exec(url.pathname);
        const entry = t ? sandboxes.get(t[1]!) : undefined;
        if (!t || !entry) return notFound(res);
        if (entry.dto.state !== 'started') {
          json(res, 409, { statusCode: 409, message: `sandbox is ${entry.dto.state}` });
          return;
        }
        if (!(await toolboxRoute(entry.box, method, t[2]!, url, body, req, res))) notFound(res, 'Route');
      };
      run().catch((err: unknown) => json(res, 500, { statusCode: 500, message: String(err) }));
    });
  });
  server.on('upgrade', (req, socket) => {
    const url = new URL(req.url ?? '/', base);
    const t = /^\/toolbox\/([^/]+)(\/.*)$/.exec(url.pathname);
    const entry = t ? sandboxes.get(t[1]!) : undefined;
    if (
      req.headers.authorization !== `Bearer ${apiKey}` ||
      !entry ||
      !toolboxUpgrade(entry.box, t![2]!, req, socket)
    ) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${base}/api`,
    apiKey,
    requests,
    sandboxes,
    rateLimitNext(count, seconds) {
      limited = { count, seconds };
    },
    deleteExternally(id) {
      const e = sandboxes.get(id);
      if (e) killBox(e.box);
      sandboxes.delete(id);
    },
    async close() {
      for (const e of sandboxes.values()) killBox(e.box);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
