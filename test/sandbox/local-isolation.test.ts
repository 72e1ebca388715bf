// The local provider's isolation, for real (bubblewrap, python3): what code inside a sandbox can
// and cannot see, reach and exhaust, and that the gateway process keeps working while it tries.

import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSandboxProvider } from '../../src/sandbox/providers/local/local-provider.js';
import { localProvider, tempHome } from './helpers.js';

const SECRET_ENV = {
  ANTHROPIC_API_KEY: 'sk-ant-test-do-not-leak-0001',
  TELEGRAM_BOT_TOKEN: '123456:telegram-do-not-leak',
};
const BASE_ENV = new Set(
  'HOME USER LOGNAME PATH LANG TMPDIR TERM MPLBACKEND PWD SHLVL _ OPENBLAS_NUM_THREADS OMP_NUM_THREADS MALLOC_ARENA_MAX'.split(
    ' ',
  ),
);

describe('local sandbox isolation', () => {
  const { home, cleanup } = tempHome();
  let provider: LocalSandboxProvider;
  let gateway: Server;
  let gatewayPort: number;

  beforeAll(async () => {
    Object.assign(process.env, SECRET_ENV);
    writeFileSync(join(home, 'sandgate.db'), 'state-database-secret');
    provider = localProvider(home);
    gateway = createServer((_req, res) => res.end('gateway ok'));
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    gatewayPort = (gateway.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const k of Object.keys(SECRET_ENV)) delete process.env[k];
    await provider.shutdown();
    gateway.close();
    cleanup();
  });

  it("gives sandboxed code none of the gateway's environment, only the minimal one plus the spec's", async () => {
    const box = await provider.create({ labels: { sandgate: '1' }, env: { PROJECT: 'demo' } });
    const r = await box.exec('env');
    expect(r.exitCode).toBe(0);
    const names = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('=')[0]!);
    expect(r.stdout).not.toContain('sk-ant-test-do-not-leak');
    expect(r.stdout).not.toContain('telegram-do-not-leak');
    expect(names.filter((n) => !BASE_ENV.has(n) && n !== 'PROJECT')).toEqual([]);
    expect(r.stdout).toContain('PROJECT=demo');
    // Nothing of the parent's environment is reachable through /proc either.
    const proc = await box.exec('cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n"');
    expect(proc.stdout).not.toContain('do-not-leak');
  });

  it("cannot read the state database, /root, or another sandbox's workspace", async () => {
    const a = await provider.create({ labels: { sandgate: '1', conversation: 'a' } });
    const b = await provider.create({ labels: { sandgate: '1', conversation: 'b' } });
    await a.writeFile('secret.txt', 'only-for-a');
    const aOnHost = join(home, 'sandboxes', a.id, 'secret.txt');
    const r = await b.exec(`cat ${aOnHost}; cat ${join(home, 'sandgate.db')}; ls /root; ls /home`);
    expect(r.stdout).not.toContain('only-for-a');
    expect(r.stdout).not.toContain('state-database-secret');
    expect(r.stdout.trim()).toBe('sandbox');
    expect((await a.exec('cat secret.txt')).stdout).toBe('only-for-a');
  });

  it('cannot write outside its workspace, and /tmp is private to each sandbox', async () => {
    const a = await provider.create({ labels: { sandgate: '1' } });
    const b = await provider.create({ labels: { sandgate: '1' } });
    const r = await a.exec(
      'touch /usr/x || echo no-usr; touch /etc/x || echo no-etc; echo tmp-a > /tmp/t; echo ok > ~/w',
    );
    expect(r.stdout).toContain('no-usr');
    expect(r.stdout).toContain('no-etc');
    expect((await a.exec('cat /tmp/t ~/w')).stdout).toBe('tmp-a\nok\n');
    expect((await b.exec('cat /tmp/t 2>&1 || true')).stdout).toContain('No such file');
  });

  it("with network off cannot reach the gateway's port; with network host it can", async () => {
    const connect = `python3 -c "import socket; socket.create_connection(('127.0.0.1', ${gatewayPort}), timeout=3); print('connected')"`;
    const off = await provider.create({ labels: { sandgate: '1' } });
    const r = await off.exec(connect);
    expect(r.stdout).not.toContain('connected');
    expect(r.exitCode).not.toBe(0);
    expect(
      (await off.exec('python3 -c "import socket; socket.getaddrinfo(\'example.com\', 80)" 2>&1; echo $?'))
        .stdout,
    ).not.toMatch(/^0$/m);
    const host = await provider.create({ labels: { sandgate: '1' }, network: 'host' });
    expect((await host.exec(connect)).stdout).toContain('connected');
  });

  it('stops a fork bomb, a memory hog and an infinite loop, reports each, and keeps serving', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    const bomb = await box.exec('bomb() { bomb | bomb & }; bomb; sleep 30', { timeoutMs: 3000 });
    expect(bomb.timedOut).toBe(true);
    expect(bomb.stderr).toContain('timed out');
    const hog = await box.exec('python3 -c "x = bytearray(2 * 1024 ** 3)"');
    expect(hog.exitCode).not.toBe(0);
    expect(hog.stderr).toContain('MemoryError');
    const loop = await box.exec('sh -c "sleep 300 & sleep 300 & while :; do :; done"', { timeoutMs: 1000 });
    expect(loop).toMatchObject({ timedOut: true, exitCode: 137 });
    // The process group is gone: no sleeper survived, and the sandbox still works.
    const left = await box.exec('cat /proc/[0-9]*/comm');
    expect(left.stdout).not.toContain('sleep');
    expect(left.stdout.split('\n').filter(Boolean).length).toBeLessThan(10);
    expect((await box.exec('echo alive')).stdout).toBe('alive\n');
    const res = await fetch(`http://127.0.0.1:${gatewayPort}/`);
    expect(await res.text()).toBe('gateway ok');
  });

  it('caps huge output with a marker and refuses oversized files', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    const r = await box.exec('head -c 3000000 /dev/zero | tr "\\0" a; printf "\\377\\376 bad utf8" >&2');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBeLessThan(1024 * 1024 + 200);
    expect(r.stdout.startsWith('aaaa')).toBe(true);
    expect(r.stdout).toMatch(/output truncated/);
    expect(r.stderr).toContain('bad utf8');
    const big = await box.exec('head -c 100000000 /dev/zero > big.bin; echo $?');
    expect(big.stdout.trim()).not.toBe('0');
  });
});
