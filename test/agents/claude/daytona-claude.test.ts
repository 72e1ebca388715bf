// /claude on the Daytona provider (the real @daytonaio/sdk against the Daytona fake, whose PTY is a
// real terminal on this machine): the CLI reaches the model only through the gateway's public URL
// with a per-run token, and without a public URL nothing starts and no key is handed over.

import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress, RunContext } from '../../../agents/agent.js';
import { createClaudeAgent } from '../../../agents/claude/index.js';
import { ModelProxy } from '../../../src/model/proxy/model-proxy.js';
import { ProxyGrants } from '../../../src/model/proxy/proxy-grants.js';
import { PUBLIC_PROXY_PATH, publicProxyRoutes } from '../../../src/model/proxy/sandbox-endpoint.js';
import type { Sandbox } from '../../../src/sandbox/provider.js';
import {
  type FakeAnthropic,
  reply,
  startFakeAnthropic,
  text,
  toolUse,
} from '../../fakes/anthropic/server.js';
import { type FakeDaytona, startFakeDaytona } from '../../fakes/daytona/server.js';
import { claudeBinaryForTests } from '../../helpers/claude-binary.js';
import { daytonaProvider, silentLog } from '../../sandbox/helpers.js';

const KEY = 'sk-ant-daytona-claude-REAL-0123456789';
const MODEL = 'claude-sonnet-5';
const CLAUDE_BIN = claudeBinaryForTests();

/** An address of this machine other than loopback: what a remote sandbox could be told to use. */
function machineAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('this machine has no non-loopback IPv4 address');
}

describe('/claude in a Daytona sandbox', () => {
  let anthropic: FakeAnthropic;
  let daytona: FakeDaytona;
  let server: ServerType;
  let publicUrl = '';
  let box: Sandbox;
  const grants = new ProxyGrants();

  const agentWith = (publicUrlSetting?: string) => {
    const sessions = new Map<string, string>();
    return createClaudeAgent({
      binary: () => ({ state: 'found', path: CLAUDE_BIN, from: 'config' }),
      proxy: new ModelProxy({ apiKey: KEY, upstream: anthropic.url, grants, log: silentLog }),
      sessions: {
        get: (k) => sessions.get(k),
        set: (k, v) => void sessions.set(k, v),
        delete: (k) => void sessions.delete(k),
      },
      config: { model: MODEL, timeoutSec: 120, ...(publicUrlSetting ? { publicUrl: publicUrlSetting } : {}) },
      log: silentLog,
    });
  };
  const context = (progress: Progress[]): RunContext => ({
    sandbox: async () => box,
    spawnSandbox: () => Promise.reject(new Error('not here')),
    emit: (p) => progress.push(p),
    signal: new AbortController().signal,
    log: silentLog,
  });
  const task = (text: string) => ({
    runId: 1,
    conversationKey: 'local:dt',
    senderId: 'local:owner',
    text,
    files: [],
    options: {},
  });

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: KEY, model: MODEL });
    daytona = await startFakeDaytona();
    const provider = daytonaProvider(daytona);
    // The fake runs sandbox commands as this test's user (root here); a Daytona sandbox's user is not
    // root, which the CLI requires for --dangerously-skip-permissions unless told it is in a sandbox.
    box = await provider.create({ labels: { sandgate: '1' }, env: { IS_SANDBOX: '1' } });
    const app = new Hono();
    app.route(
      PUBLIC_PROXY_PATH,
      publicProxyRoutes(new ModelProxy({ apiKey: KEY, upstream: anthropic.url, grants, log: silentLog })),
    );
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '0.0.0.0' }, () => resolve(s));
    });
    publicUrl = `http://${machineAddress()}:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await daytona?.close();
    await anthropic?.close();
  });

  it('refuses without a public URL, before anything runs in the sandbox', async () => {
    const before = daytona.requests.length;
    const result = await agentWith(undefined).run(task('write a file'), context([]));
    expect(result.text).toMatch(/public URL/);
    expect(result.text).toMatch(/never handed to a sandbox/);
    expect(anthropic.requests).toHaveLength(0);
    expect(daytona.requests.slice(before).filter((r) => r.path.includes('/process/'))).toEqual([]);
  });

  it('runs the CLI over a Daytona PTY against the proxy at the public URL; the key stays in the gateway', async () => {
    anthropic.push(
      reply(toolUse('Write', { file_path: `${box.workdir}/from-daytona.txt`, content: 'remote hello\n' })),
      reply(text('Done on Daytona.')),
    );
    const progress: Progress[] = [];
    const result = await agentWith(publicUrl).run(task('write from-daytona.txt'), context(progress));
    expect(anthropic.problems).toEqual([]);
    expect(result.text).toBe('Done on Daytona.\n\nFiles changed: from-daytona.txt');
    expect(progress.map((p) => p.text)).toContain('Write from-daytona.txt');
    expect((await box.readFile('from-daytona.txt')).toString()).toBe('remote hello\n');
    for (const r of anthropic.requests) expect(r.headers['x-api-key']).toBe(KEY);
    expect(result.usage?.inputTokens).toBeGreaterThan(0);
    expect(JSON.stringify(daytona.requests)).not.toContain(KEY);
    expect(grants.size).toBe(0);
  }, 120_000);
});
