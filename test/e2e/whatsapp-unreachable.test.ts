// A WhatsApp that cannot be reached, through the real gateway process and a REAL Baileys makeWASocket:
// pointed at a local WebSocket that closes every connection, the channel reports connecting/error with
// the reason, /healthz answers and the local chat still works; `sandgate channels login whatsapp`
// fails in under 30 s with a plain message, through the gateway and on its own — also against the
// real WhatsApp endpoint, which this machine (no internet) cannot reach.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { cliEnv, type GatewayProcess, runCli, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sandgate.mjs');

/** The CLI without blocking this process (the WebSocket server below lives in it). */
function cli(
  home: string,
  args: string[],
  extra: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cliEnv(home, extra),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
}

describe('WhatsApp that cannot connect', () => {
  const home = tempHome();
  let wss: WebSocketServer;
  let closes = 0;
  let gw: GatewayProcess;
  let token: string;

  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (ws) => {
      closes++;
      ws.close(1011, 'no WhatsApp here');
    });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    const { port } = wss.address() as { port: number };
    const set = runCli(home.home, ['config', 'set', 'whatsapp.wsUrl', `ws://127.0.0.1:${port}/ws/chat`]);
    expect(set.code, set.stderr).toBe(0);
    gw = await startGatewayProcess(home.home, { WHATSAPP_ENABLED: '1' });
    token = readFileSync(join(home.home, 'gateway-token'), 'utf8').trim();
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await new Promise((r) => wss?.close(r));
    home.cleanup();
  });

  const whatsappStatus = async () => {
    const res = await fetch(`${gw.url}/api/status`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as {
      channels: { id: string; status: { state: string; detail?: string } }[];
    };
    return body.channels.find((c) => c.id === 'whatsapp')?.status;
  };

  it('reports the failure with its reason while the gateway stays healthy and the local chat answers', async () => {
    const status = await waitFor(async () => {
      const s = await whatsappStatus();
      return s?.detail && /Connection Terminated/.test(s.detail) ? s : undefined;
    }, 'a WhatsApp status naming the failure');
    expect(['connecting', 'error']).toContain(status.state);
    expect(closes).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);

    // The channel keeps retrying: between two failures its status says it is connecting again, so
    // read the CLI's view until it shows a failure (what a user sees most of the time).
    const flat = await waitFor(async () => {
      const r = await cli(home.home, ['channels', 'status', '--json'], { SANDGATE_URL: gw.url });
      return r.code !== 0 || /cannot reach WhatsApp/.test(r.stdout) ? r : undefined;
    }, 'the CLI to show the failure');
    expect(flat.code, flat.stderr).toBe(0);
    const body = JSON.parse(flat.stdout) as { channels: Record<string, unknown>[] };
    const wa = body.channels.find((c) => c.id === 'whatsapp');
    expect(wa).toMatchObject({ id: 'whatsapp', state: expect.stringMatching(/^(connecting|error)$/) });
    expect(wa?.detail).toMatch(/cannot reach WhatsApp: connection closed \(Connection Terminated, 428\)/);
    expect(body.channels.find((c) => c.id === 'local')).toMatchObject({ state: 'connected' });

    const chat = await cli(home.home, ['chat', '-m', '/help'], { SANDGATE_URL: gw.url });
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout).toMatch(/\/cancel/);
  }, 60_000);

  it('`channels login whatsapp` through the running gateway fails within 30 s, plainly', async () => {
    const res = await cli(home.home, ['channels', 'login', 'whatsapp'], { SANDGATE_URL: gw.url });
    expect(res.code).toBe(1);
    expect(res.ms).toBeLessThan(30_000);
    expect(res.stderr).toMatch(
      /^sandgate: Cannot reach WhatsApp \(Connection Terminated\)\. Check this machine's internet/m,
    );
    expect(res.stderr).not.toMatch(/at .*\.ts:\d+/);
  }, 60_000);

  it('`channels login whatsapp` without a gateway fails within 30 s, plainly; also against the real endpoint', async () => {
    await gw.stop();
    // SANDGATE_PORT 1: nothing answers there, so the command runs the channel itself.
    const local = await cli(home.home, ['channels', 'login', 'whatsapp'], { SANDGATE_PORT: '1' });
    expect(local.code, local.stdout + local.stderr).toBe(1);
    expect(local.ms).toBeLessThan(30_000);
    expect(local.stderr, local.stdout).toMatch(/Cannot reach WhatsApp \(Connection Terminated\)/);

    // No wsUrl: Baileys' own wss://web.whatsapp.com, which this machine cannot reach.
    const other = tempHome();
    try {
      const real = await cli(other.home, ['channels', 'login', 'whatsapp', '--phone', '+1 555 000 1111'], {
        SANDGATE_PORT: '1',
      });
      expect(real.code, real.stdout + real.stderr).toBe(1);
      expect(real.ms).toBeLessThan(30_000);
      expect(real.stderr).toMatch(
        /^sandgate: Cannot reach WhatsApp \(.+\)\. Check this machine's internet connection/m,
      );
    } finally {
      other.cleanup();
    }
  }, 90_000);
});
