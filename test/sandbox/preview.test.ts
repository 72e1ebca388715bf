// Preview links end to end: a real HTTP server (Hono on @hono/node-server, as the gateway runs it)
// proxies signed links to servers inside a real local sandbox: pages, streamed responses and a
// WebSocket; expired, forged and revoked links get 403.

import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachPreviewUpgrade, createPreviewRoutes } from '../../src/sandbox/preview/preview-routes.js';
import { PreviewTokens } from '../../src/sandbox/preview/preview-tokens.js';
import type { LocalSandbox } from '../../src/sandbox/providers/local/local-sandbox.js';
import { localProvider, silentLog, tempHome, until } from './helpers.js';

const STREAM_SERVER = `
import http.server, os, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.end_headers()
        self.wfile.write(b"first part\\n"); self.wfile.flush()
        while not os.path.exists("/home/sandbox/go"):
            time.sleep(0.05)
        self.wfile.write(b"second part\\n")
http.server.HTTPServer(("127.0.0.1", 8001), H).serve_forever()
`;

const WS_ECHO = `
import base64, hashlib, socketserver, struct
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
class H(socketserver.StreamRequestHandler):
    def handle(self):
        headers = {}
        self.rfile.readline()
        while True:
            line = self.rfile.readline().decode().strip()
            if not line:
                break
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest()).decode()
        self.wfile.write(("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
                          "Sec-WebSocket-Accept: %s\\r\\n\\r\\n" % accept).encode())
        while True:
            hdr = self.rfile.read(2)
            if len(hdr) < 2:
                return
            n = hdr[1] & 0x7F
            if n == 126:
                n = struct.unpack(">H", self.rfile.read(2))[0]
            mask = self.rfile.read(4)
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(n)))
            if hdr[0] & 0x0F == 8:
                return
            reply = b"echo:" + data + (" (cookie %s)" % headers.get("cookie", "")).encode()
            self.wfile.write(bytes([0x81, len(reply)]) + reply)
socketserver.ThreadingTCPServer(("127.0.0.1", 8765), H).serve_forever()
`;

function wsFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

function readUntil(sock: Socket, done: (buf: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (done(buf)) {
        sock.off('data', onData);
        resolve(buf);
      }
    };
    sock.on('data', onData);
    sock.once('error', reject);
    sock.once('close', () => resolve(buf));
  });
}

describe('preview links', () => {
  const { home, cleanup } = tempHome();
  let clock = Math.floor(Date.now() / 1000);
  const tokens = new PreviewTokens({
    secret: 'preview-secret-0123456789',
    revocationFile: join(home, 'preview-revocations.json'),
    now: () => clock,
  });
  let base: string;
  let server: Server;
  const provider = localProvider(home, { previewTokens: tokens });
  let box: LocalSandbox;

  beforeAll(async () => {
    const app = new Hono();
    app.route('/preview', createPreviewRoutes({ provider, log: silentLog }));
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));
    attachPreviewUpgrade(server, { provider, log: silentLog });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    box = await provider.create({ labels: { sandgate: '1' } });
    await box.writeFile('site/index.html', '<h1>hello from the sandbox</h1>');
    await box.startProcess('python3 -m http.server 8000 --bind 127.0.0.1 --directory site');
  });

  afterAll(async () => {
    await provider.shutdown();
    server.close();
    cleanup();
  });

  const link = async (port: number, ttlSec = 600) => {
    const { url, expiresAt } = await box.previewUrl(port, { ttlSec });
    return { url: url.replace('http://127.0.0.1:1', base), expiresAt };
  };

  it('serves a page from python3 -m http.server inside the sandbox', async () => {
    const { url, expiresAt } = await link(8000);
    expect(url).toMatch(/\/preview\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\/$/);
    expect(expiresAt.getTime()).toBe((clock + 600) * 1000);
    const res = await until(async () => {
      const r = await fetch(url);
      return r.status === 200 ? r : undefined;
    }, 'http.server to answer');
    expect(await res.text()).toContain('hello from the sandbox');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    const noSlash = await fetch(url.slice(0, -1), { redirect: 'manual' });
    expect(noSlash.status).toBe(301);
    expect(noSlash.headers.get('location')).toMatch(/\/$/);
    expect((await fetch(`${url}missing.html`)).status).toBe(404);
  });

  it('refuses expired, forged and revoked links with 403', async () => {
    const { url } = await link(8000, 60);
    expect((await fetch(url)).status).toBe(200);
    const token = url.split('/preview/')[1]!.slice(0, -1);
    const [body, mac] = token.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...payload, p: 22 })).toString('base64url');
    const forgedRes = await fetch(`${base}/preview/${forged}.${mac}/`);
    expect(forgedRes.status).toBe(403);
    expect(await forgedRes.text()).toContain('bad-signature');
    expect((await fetch(`${base}/preview/${body}.${mac.slice(1)}x/`)).status).toBe(403);
    clock += 120;
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('expired');
    const fresh = await link(8000);
    expect((await fetch(fresh.url)).status).toBe(200);
    expect(tokens.revoke(fresh.url)).toBe(true);
    const revoked = await fetch(fresh.url);
    expect(revoked.status).toBe(403);
    expect(await revoked.text()).toContain('revoked');
  });

  it('says 502 when nothing listens on the port', async () => {
    const { url } = await link(9999);
    expect((await fetch(url)).status).toBe(502);
  });

  it('streams a response as the server produces it', async () => {
    await box.writeFile('stream.py', STREAM_SERVER);
    await box.startProcess('python3 stream.py');
    const { url } = await link(8001);
    const res = await until(async () => {
      const r = await fetch(url);
      return r.status === 200 ? r : undefined;
    }, 'stream server');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('first part')) text += Buffer.from((await reader.read()).value!).toString();
    expect(text).not.toContain('second part'); // the server is still waiting for us
    await box.writeFile('go', '');
    for (let r = await reader.read(); !r.done; r = await reader.read())
      text += Buffer.from(r.value).toString();
    expect(text).toBe('first part\nsecond part\n');
  });

  it('passes WebSocket upgrades through to a server in the sandbox', async () => {
    await box.writeFile('ws.py', WS_ECHO);
    await box.startProcess('python3 ws.py');
    const { url } = await link(8765);
    const path = new URL(url).pathname;
    const key = randomBytes(16).toString('base64');
    const { sock, head } = await until(
      () =>
        new Promise<{ sock: Socket; head: string } | undefined>((resolve) => {
          const s = connect((server.address() as AddressInfo).port, '127.0.0.1', () => {
            s.write(
              `GET ${path}socket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
                `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nCookie: sandgate_session=secret; app=1\r\n\r\n`,
            );
            void readUntil(s, (b) => b.includes('\r\n\r\n')).then((head) => {
              if (head.toString().startsWith('HTTP/1.1 101')) resolve({ sock: s, head: head.toString() });
              else {
                s.destroy();
                resolve(undefined);
              }
            });
          });
          s.on('error', () => resolve(undefined));
        }),
      'websocket echo server',
    );
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    expect(head).toContain(`Sec-WebSocket-Accept: ${accept}`);
    sock.write(wsFrame('hello'));
    const frame = await readUntil(sock, (b) => b.length >= 2 && b.length >= 2 + (b[1]! & 0x7f));
    expect(frame[0]).toBe(0x81);
    expect(frame.subarray(2, 2 + frame[1]!).toString()).toBe('echo:hello (cookie app=1)');
    sock.destroy();

    const bad = connect((server.address() as AddressInfo).port, '127.0.0.1');
    bad.write(
      `GET /preview/not.valid/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
    );
    const refused = await readUntil(bad, (b) => b.includes('\r\n\r\n'));
    expect(refused.toString()).toMatch(/^HTTP\/1.1 403/);
    bad.destroy();
  });

  it('revokes every link of a deleted sandbox', async () => {
    const { url } = await link(8000);
    expect((await fetch(url)).status).toBe(200);
    clock += 1;
    await box.delete();
    expect((await fetch(url)).status).toBe(403);
  });
});
