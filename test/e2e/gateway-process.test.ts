import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, runCli, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';

describe('the gateway process', () => {
  const home = tempHome();
  const secretKey = 'sk-ant-test-secret-0123456789';
  let gw: GatewayProcess;
  let token: string;

  beforeAll(async () => {
    gw = await startGatewayProcess(home.home, { ANTHROPIC_API_KEY: secretKey, LOG_LEVEL: 'debug' });
    token = readFileSync(join(home.home, 'gateway-token'), 'utf8').trim();
  });
  afterAll(async () => {
    await gw?.stop();
    home.cleanup();
  });

  it('serves health and metrics without a token', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/# TYPE sandgate_inbound_total counter/);
    expect(metrics).toMatch(/sandgate_queue_depth 0/);
  });

  it('stores a generated token readable only by its owner', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(home.home, 'gateway-token')).mode & 0o777).toBe(0o600);
    expect(runCli(home.home, ['token', 'show']).stdout.trim()).toBe(token);
  });

  it('refuses /api/* without the right token', async () => {
    expect((await fetch(`${gw.url}/api/status`)).status).toBe(401);
    const wrong = await fetch(`${gw.url}/api/status`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'invalid gateway token' });
    const ok = await fetch(`${gw.url}/api/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
  });

  it('answers malformed JSON with 400 and a reason', async () => {
    const res = await fetch(`${gw.url}/api/local/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"text": ',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/not valid JSON/);
    const bad = await fetch(`${gw.url}/api/local/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 42 }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/text/);
  });

  it('talks through `sandgate chat -m`', () => {
    const res = runCli(home.home, ['chat', '-m', '/help'], { SANDGATE_PORT: String(gw.port) });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\/cancel — stop the current run/);
    const unknown = runCli(home.home, ['chat', '-m', '/nope'], { SANDGATE_PORT: String(gw.port) });
    expect(unknown.stdout).toMatch(/Unknown command \/nope/);
  });

  it('channels status: the channels the gateway runs, live and flat; when it is down, what the config starts', () => {
    const up = runCli(home.home, ['channels', 'status', '--json'], { SANDGATE_PORT: String(gw.port) });
    expect(up.code).toBe(0);
    const body = JSON.parse(up.stdout) as { running: boolean; channels: { id: string; state: string }[] };
    expect(body.running).toBe(true);
    expect(body.channels).toEqual([expect.objectContaining({ id: 'local', state: 'connected' })]);
    const other = tempHome();
    try {
      // Nothing listens on port 1; a bot token is configured, other platforms are not.
      const down = runCli(other.home, ['channels', 'status', '--json'], {
        SANDGATE_PORT: '1',
        TELEGRAM_BOT_TOKEN: '123:abc',
      });
      expect(down.code).toBe(1);
      expect(JSON.parse(down.stdout)).toMatchObject({
        running: false,
        configured: ['local', 'telegram'],
        channels: [
          { id: 'local', state: 'stopped' },
          { id: 'telegram', state: 'stopped' },
        ],
      });
    } finally {
      other.cleanup();
    }
  }, 60_000);

  it('refuses a second gateway on the same SANDGATE_HOME', async () => {
    await expect(startGatewayProcess(home.home)).rejects.toThrow(/already running with this SANDGATE_HOME/);
  });

  it('never writes the token or the model key to its logs', async () => {
    await fetch(`${gw.url}/api/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(gw.logs()).not.toContain(token);
    expect(gw.logs()).not.toContain(secretKey);
  });
});

describe('start-up failures', () => {
  it('stops with a clear error on a read-only state directory', async () => {
    if (process.getuid?.() === 0) {
      // root ignores file modes; use a path under a regular file instead, which nobody can create.
      const home = tempHome();
      writeFileSync(join(home.home, 'a-file'), '');
      const res = runCli(join(home.home, 'a-file', 'state'), ['gateway'], {});
      home.cleanup();
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/sandgate: .*(not writable|cannot)/);
      return;
    }
    const home = tempHome();
    chmodSync(home.home, 0o500);
    const res = runCli(home.home, ['gateway']);
    chmodSync(home.home, 0o700);
    home.cleanup();
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/not writable/);
  });

  it('names the bad setting and exits 1', () => {
    const home = tempHome();
    const res = runCli(home.home, ['gateway'], { SANDGATE_PORT: 'eighty' });
    home.cleanup();
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/port \(from env SANDGATE_PORT\)/);
  });
});
