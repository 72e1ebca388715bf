// A protocol fake of Daytona for tests: the REST API (`/api/sandbox…`, `/api/volumes…`), the
// per-sandbox toolbox (`/toolbox/<id>/…`) and preview links (`/proxy/…`) on one local HTTP server,
// speaking the subset of routes @daytonaio/sdk 0.218 calls. Sandboxes are directories whose root is
// `<tmp>/<id>`; their commands run on this machine. Can inject 429s and error answers.

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FakePreviews } from './preview.js';
import { type FakeBox, killBox, newBox, toolboxRoute, toolboxUpgrade } from './toolbox.js';
import { FakeVolumes } from './volumes.js';

export interface FakeDaytona {
  /** Pass as DaytonaConfig.apiUrl. */
  apiUrl: string;
  apiKey: string;
  /** Every REST request, for asserting what the SDK sent. */
  requests: { method: string; path: string; body: unknown }[];
  sandboxes: Map<string, { dto: Record<string, unknown>; box: FakeBox }>;
  volumes: FakeVolumes;
  /** The next `count` REST requests get 429 with Retry-After: seconds. */
  rateLimitNext(count: number, seconds: number): void;
  /**
   * The next request whose method and URL path (`/api/…` or `/toolbox/<id>/…`) match is answered
   * `status` with Daytona's error body `{statusCode, message, code}` instead of being served.
   */
  failNext(match: { method?: string; path: RegExp }, status: number, message: string): void;
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
  const failures: { method?: string; path: RegExp; status: number; message: string }[] = [];
  let base = '';
  const volumes = new FakeVolumes(root, (volumeId) =>
    [...sandboxes.values()].some((s) =>
      ((s.dto.volumes as { volumeId: string }[] | undefined) ?? []).some((v) => v.volumeId === volumeId),
    ),
  );
  const previews = new FakePreviews(
    () => base,
    (id) => {
      const dto = sandboxes.get(id)?.dto;
      return dto ? { public: dto.public === true, started: dto.state === 'started' } : undefined;
    },
  );
  /** Sandboxes are addressed by id or by name, as `/sandbox/{sandboxIdOrName}` allows. */
  const lookup = (idOrName: string) =>
    sandboxes.get(idOrName) ?? [...sandboxes.values()].find((s) => s.dto.name === idOrName);
  const injected = (method: string, path: string) => {
    const i = failures.findIndex((f) => (!f.method || f.method === method) && f.path.test(path));
    return i < 0 ? undefined : failures.splice(i, 1)[0];
  };

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
    if (volumes.route(method, path, parsed, (status, b) => json(res, status, b))) return;
    if (method === 'POST' && path === '/sandbox') {
      const id = randomBytes(6).toString('hex');
      const now = new Date().toISOString();
      const name = typeof parsed.name === 'string' && parsed.name ? parsed.name : id;
      if (lookup(name)) {
        json(res, 409, { statusCode: 409, message: `Sandbox with name ${name} already exists` });
        return;
      }
      const mounts = (parsed.volumes as { volumeId: string; mountPath: string }[] | undefined) ?? [];
      for (const m of mounts) {
        const volume = volumes.byId.get(m.volumeId);
        if (volume?.dto.state !== 'ready') {
          json(res, 400, { statusCode: 400, message: `Volume ${m.volumeId} is not ready` });
          return;
        }
        if (!m.mountPath?.startsWith('/') || m.mountPath.includes('..')) {
          json(res, 400, { statusCode: 400, message: `Invalid mount path ${m.mountPath}` });
          return;
        }
      }
      const dto = {
        id,
        organizationId: 'org-fake',
        name,
        user: 'daytona',
        env: parsed.env ?? {},
        labels: parsed.labels ?? {},
        public: parsed.public === true,
        networkBlockAll: parsed.networkBlockAll ?? false,
        target: 'us',
        snapshot: parsed.snapshot,
        buildInfo: parsed.buildInfo,
        volumes: mounts,
        cpu: parsed.cpu ?? 1,
        gpu: 0,
        memory: parsed.memory ?? 1,
        disk: parsed.disk ?? 3,
        state: 'started',
        desiredState: 'started',
        autoStopInterval: parsed.autoStopInterval ?? 15,
        autoDeleteInterval: parsed.autoDeleteInterval ?? -1,
        createdAt: now,
        updatedAt: now,
        lastActivityAt: now,
        toolboxProxyUrl: `${base}/toolbox`,
      };
      const box = newBox(id, root, (parsed.env as Record<string, string>) ?? {});
      // A volume appears at its mount path inside the sandbox, whose filesystem root is <root>/<id>.
      for (const m of mounts) {
        const at = join(root, id, m.mountPath);
        mkdirSync(dirname(at), { recursive: true });
        symlinkSync(volumes.byId.get(m.volumeId)!.dir, at);
      }
      sandboxes.set(id, { dto, box });
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
    const entry = m ? lookup(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !entry) return notFound(res);
    const sub = m[2] ?? '';
    const { dto, box } = entry;
    if (method === 'GET' && sub === '') return json(res, 200, dto);
    if (method === 'GET' && sub === '/toolbox-proxy-url') return json(res, 200, { url: `${base}/toolbox` });
    if (method === 'POST' && sub === '/start') {
      previews.resetStandard(dto.id as string);
      return json(res, 200, touch(dto, { state: 'started', desiredState: 'started' }));
    }
    const autostop = /^\/autostop\/(\d+)$/.exec(sub);
    if (method === 'POST' && autostop) {
      touch(dto, { autoStopInterval: Number(autostop[1]) });
      res.writeHead(201).end();
      return;
    }
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
    if (previews.route(dto.id as string, method, sub, url, (status, b) => json(res, status, b))) return;
    notFound(res, `Route ${method} ${sub}`);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const method = req.method ?? 'GET';
      const body = Buffer.concat(chunks);
      // Preview links are authorised by their own tokens, never by the API key.
      if (url.pathname.startsWith('/proxy/')) return previews.proxy(req, res, url, body);
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        json(res, 401, { statusCode: 401, message: 'Unauthorized' });
        return;
      }
      const failure = injected(method, url.pathname);
      if (failure) {
        const code = failure.status === 404 ? 'NOT_FOUND' : 'FAKE_INJECTED';
        json(res, failure.status, { statusCode: failure.status, message: failure.message, code });
        return;
      }
      const run = async () => {
        if (url.pathname.startsWith('/api/')) return api(method, url.pathname.slice(4), url, body, res);
        const t = /^\/toolbox\/([^/]+)(\/.*)$/.exec(url.pathname);
        const entry = t ? lookup(t[1]!) : undefined;
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
    volumes,
    rateLimitNext(count, seconds) {
      limited = { count, seconds };
    },
    failNext(match, status, message) {
      failures.push({ ...match, status, message });
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
