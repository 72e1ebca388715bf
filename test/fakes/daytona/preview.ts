// Preview links of the Daytona fake, following the documented rules: a standard link needs its
// token in `x-daytona-preview-token` (unless the sandbox is public), a signed link carries its token
// in the URL and stops working at its expiry (1 s – 24 h, default 60 s). The fake serves both on one
// path-based proxy, `/proxy/<port>-<sandbox id or signed token>/…`, forwarding to 127.0.0.1:<port>
// because a fake sandbox's processes run on this machine.

import { randomBytes } from 'node:crypto';
import { type IncomingMessage, request, type ServerResponse } from 'node:http';

interface SignedToken {
  sandboxId: string;
  port: number;
  expiresAt: number;
}

type Reply = (status: number, body?: unknown) => void;

export class FakePreviews {
  private readonly standard = new Map<string, string>(); // sandboxId → token
  private readonly signed = new Map<string, SignedToken>();

  constructor(
    private readonly base: () => string,
    private readonly sandbox: (id: string) => { public: boolean; started: boolean } | undefined,
  ) {}

  /** `GET /sandbox/:id/ports/:port/preview-url` and `…/signed-preview-url`. */
  route(sandboxId: string, method: string, sub: string, url: URL, reply: Reply): boolean {
    const m = /^\/ports\/(\d+)\/(preview-url|signed-preview-url)$/.exec(sub);
    if (!m || method !== 'GET') return false;
    const port = Number(m[1]);
    if (port < 3000 || port > 9999) {
      reply(400, { statusCode: 400, message: `Port ${port} is outside the preview range 3000-9999` });
      return true;
    }
    if (m[2] === 'preview-url') {
      let token = this.standard.get(sandboxId);
      if (!token) {
        token = randomBytes(12).toString('hex');
        this.standard.set(sandboxId, token);
      }
      reply(200, { sandboxId, url: `${this.base()}/proxy/${port}-${sandboxId}`, token });
      return true;
    }
    const raw = url.searchParams.get('expiresInSeconds');
    const seconds = raw === null ? 60 : Number(raw);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) {
      reply(400, { statusCode: 400, message: 'expiresInSeconds must be between 1 and 86400' });
      return true;
    }
    const token = randomBytes(12).toString('hex');
    this.signed.set(token, { sandboxId, port, expiresAt: Date.now() + seconds * 1000 });
    reply(200, { sandboxId, port, token, url: `${this.base()}/proxy/${port}-${token}` });
    return true;
  }

  /** A restart resets standard tokens, as Daytona documents. */
  resetStandard(sandboxId: string): void {
    this.standard.delete(sandboxId);
  }

  /** Serves `/proxy/…`; answers 401/404/502 like a proxy would. */
  proxy(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) {
    const m = /^\/proxy\/(\d+)-([^/]+)(\/.*)?$/.exec(url.pathname);
    const fail = (status: number, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ statusCode: status, message }));
    };
    if (!m) return fail(404, 'unknown preview host');
    const port = Number(m[1]);
    const key = m[2]!;
    const signed = this.signed.get(key);
    let sandboxId: string;
    if (signed) {
      if (signed.port !== port || Date.now() >= signed.expiresAt) return fail(401, 'preview link expired');
      sandboxId = signed.sandboxId;
    } else {
      sandboxId = key;
      const box = this.sandbox(sandboxId);
      if (!box) return fail(404, 'sandbox not found');
      const token = req.headers['x-daytona-preview-token'];
      if (!box.public && (!token || token !== this.standard.get(sandboxId)))
        return fail(401, 'missing or invalid x-daytona-preview-token');
    }
    const box = this.sandbox(sandboxId);
    if (!box?.started) return fail(502, 'sandbox is not running');
    const headers = { ...req.headers };
    delete headers.host;
    delete headers['x-daytona-preview-token'];
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: (m[3] ?? '/') + url.search, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) fail(502, `nothing is listening on port ${port} in the sandbox`);
    });
    // A client that goes away (an event stream it stopped reading) ends the upstream request too.
    res.on('close', () => upstream.destroy());
    upstream.end(body);
  }
}
