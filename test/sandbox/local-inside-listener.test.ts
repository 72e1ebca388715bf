// Sandbox.listenInside on the local provider: a loopback port inside the sandbox's own network
// namespace whose connections the gateway serves over the supervisor channel (the model proxy's way in).

import { createServer } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/provider.js';
import type { LocalSandboxProvider } from '../../src/sandbox/providers/local/local-provider.js';
import { localProvider, tempHome } from './helpers.js';

const FETCH = (port: number, path: string) =>
  [
    'python3 -c "',
    'import urllib.request, sys',
    `r = urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:${port}${path}', data=b'ping', method='POST'), timeout=10)`,
    'sys.stdout.write(str(r.status) + chr(32) + r.read().decode())',
    '"',
  ].join('\n');

describe('local sandbox: a port inside served by the gateway', () => {
  const home = tempHome();
  let provider: LocalSandboxProvider;
  let box: Sandbox;
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`pong from the gateway for ${req.url}`);
    });
  });

  beforeAll(async () => {
    provider = localProvider(home.home);
    box = await provider.create({ labels: { sandgate: '1' }, network: 'off' });
  });
  afterAll(async () => {
    await provider.shutdown();
    home.cleanup();
  });

  it('carries HTTP from inside the sandbox to a handler in the gateway, until closed', async () => {
    if (!box.listenInside) throw new Error('the local sandbox has no listenInside');
    const listener = await box.listenInside((socket) => server.emit('connection', socket));
    const r = await box.exec(FETCH(listener.port, '/v1/messages'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('200 pong from the gateway for /v1/messages');
    expect(seen).toEqual(['POST /v1/messages ping']);

    // The port is the sandbox's own (its network namespace): nothing on the host listens there.
    const hostSide = await new Promise<string>((resolve) => {
      const s = connect(listener.port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(hostSide).toBe('ECONNREFUSED');

    await listener.close();
    const after = await box.exec(FETCH(listener.port, '/again'));
    expect(after.exitCode).not.toBe(0);
    expect(after.stderr).toMatch(/Connection refused/);
    expect(seen).toHaveLength(1);
  });
});
