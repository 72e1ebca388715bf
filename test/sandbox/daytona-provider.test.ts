// Daytona-specific behaviour through the real SDK against the protocol fake: what a create sends,
// rate limits honoured per Retry-After, a sandbox stopped or deleted behind our back, and activity
// kept fresh during long runs.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxGoneError } from '../../src/sandbox/errors.js';
import { daytonaClient } from '../../src/sandbox/providers/daytona/daytona-client.js';
import { DaytonaSandboxProvider } from '../../src/sandbox/providers/daytona/daytona-provider.js';
import { type FakeDaytona, startFakeDaytona } from '../fakes/daytona/server.js';
import { silentLog } from './helpers.js';

describe('daytona provider', () => {
  let fake: FakeDaytona;
  let provider: DaytonaSandboxProvider;
  const sleeps: number[] = [];

  beforeAll(async () => {
    fake = await startFakeDaytona();
    provider = new DaytonaSandboxProvider({
      client: daytonaClient({ apiKey: fake.apiKey, apiUrl: fake.apiUrl, polling: true }),
      log: silentLog,
      autoStopMinutes: 20,
      autoDeleteMinutes: 1440,
      interruptGraceMs: 500,
      activityEveryMs: 100,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
  });

  afterAll(async () => {
    await fake.close();
  });

  it('creates with our labels, explicit auto-stop/delete, network off, and no gateway secrets', async () => {
    process.env.ANTHROPIC_API_KEY = 'sk-ant-must-not-travel';
    try {
      await provider.create({
        labels: { sandgate: '1', conversation: 'telegram:42' },
        env: { PROJECT: 'x' },
      });
    } finally {
      delete process.env.ANTHROPIC_API_KEY;
    }
    const create = fake.requests.find((r) => r.method === 'POST' && r.path === '/sandbox');
    expect(create?.body).toMatchObject({
      labels: { sandgate: '1', conversation: 'telegram:42', 'code-toolbox-language': 'python' },
      env: { PROJECT: 'x' },
      autoStopInterval: 20,
      autoDeleteInterval: 1440,
      networkBlockAll: true,
    });
    expect(JSON.stringify(fake.requests)).not.toContain('sk-ant-must-not-travel');
  });

  it('waits as long as Retry-After says when rate limited, then succeeds', async () => {
    sleeps.length = 0;
    fake.rateLimitNext(2, 3);
    const listed = await provider.list({ labels: { conversation: 'telegram:42' } });
    expect(listed).toHaveLength(1);
    expect(sleeps).toEqual([3000, 3000]);
  });

  it('starts a sandbox that was stopped behind its back before using it', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    const other = daytonaClient({ apiKey: fake.apiKey, apiUrl: fake.apiUrl, polling: true });
    await (await other.get(box.id)).stop();
    const r = await box.exec('echo back');
    expect(r.stdout).toBe('back\n');
    expect(fake.requests.some((q) => q.method === 'POST' && q.path === `/sandbox/${box.id}/start`)).toBe(
      true,
    );
  });

  it("keeps Daytona's idle timer fresh while a long command runs", async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    await box.exec('sleep 1');
    expect(fake.requests.some((q) => q.path === `/sandbox/${box.id}/last-activity`)).toBe(true);
  });

  it('reports a sandbox deleted from outside: a running cell fails clearly, later calls say it is gone', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    await box.runCode('x = 1');
    let started!: () => void;
    const isRunning = new Promise<void>((r) => {
      started = r;
    });
    const running = box.runCode('print("running", flush=True)\nimport time\ntime.sleep(30)', {
      timeoutMs: 20_000,
      onStdout: () => started(),
    });
    await isRunning;
    fake.deleteExternally(box.id);
    const r = await running;
    expect(r.error?.name).toBe('InterpreterDied');
    await expect(box.exec('true')).rejects.toBeInstanceOf(SandboxGoneError);
    expect(await provider.get(box.id)).toBeUndefined();
  });
});
