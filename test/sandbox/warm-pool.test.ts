// The warm pool over the real local provider: a first acquire gets a sandbox that was already created
// and started, the pool refills, /new and gc leave it alone, members count toward the live cap,
// shutdown stops everything and the next run takes the stopped members over.

import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { ConversationSandboxes } from '../../src/sandbox/conversation-sandboxes.js';
import { createConversationSandboxes } from '../../src/sandbox/factory.js';
import type { Sandbox, SandboxProvider } from '../../src/sandbox/provider.js';
import { POOL_LABEL } from '../../src/sandbox/warm-pool.js';
import { startFakeDaytona } from '../fakes/daytona/server.js';
import { daytonaProvider, localProvider, silentLog, tempHome } from './helpers.js';

describe('warm pool', () => {
  const { home, cleanup } = tempHome();
  const provider = localProvider(home);
  let clock = 1_000_000;
  const open: ConversationSandboxes[] = [];
  const leases = (over: Partial<ConstructorParameters<typeof ConversationSandboxes>[0]> = {}) => {
    const l = new ConversationSandboxes({
      provider,
      log: silentLog,
      idleStopSec: 60,
      idleDeleteSec: 3600,
      maxLive: 10,
      poolSize: 1,
      now: () => clock,
      ...over,
    });
    open.push(l);
    return l;
  };
  const members = async () => provider.list({ labels: { sandgate: '1', [POOL_LABEL]: '1' } });

  afterAll(async () => {
    for (const l of open) await l.shutdown();
    await provider.shutdown();
    cleanup();
  }, 60_000);

  it('hands a first conversation a sandbox that was already running, and refills', async () => {
    const pool = leases();
    await pool.pool?.settled();
    const before = await members();
    expect(before).toHaveLength(1);
    expect(before[0]?.state).toBe('running');

    const box = await pool.acquire('telegram:1');
    expect(box.id).toBe(before[0]?.id);
    expect((await box.exec('echo hi')).stdout).toBe('hi\n');
    expect((await box.runCode('x = 41\nprint(x + 1)')).stdout).toBe('42\n');
    const mine = (await provider.list({ labels: { conversation: 'telegram:1' } })).map((s) => s.id);
    expect(mine).toEqual([box.id]);

    await pool.pool?.settled();
    const after = await members();
    expect(after).toHaveLength(1);
    expect(after[0]?.id).not.toBe(box.id);
    expect(after[0]?.state).toBe('running');
    await pool.shutdown();
  }, 60_000);

  it('is not drained by /new, and gc never deletes or stops its members', async () => {
    const pool = leases();
    await pool.pool?.settled();
    const box = await pool.acquire('renew');
    await pool.pool?.settled();
    const spare = (await members()).map((s) => s.id);
    expect(spare).toHaveLength(1);

    await pool.discard('renew');
    expect(await provider.get(box.id)).toBeUndefined();
    expect((await members()).map((s) => s.id)).toEqual(spare);

    clock = Date.now() + 10 * 3600_000; // long past idle stop and idle delete
    const { stopped, deleted } = await pool.gc();
    expect([...stopped, ...deleted]).not.toContain(spare[0]);
    const still = await members();
    expect(still.map((s) => [s.id, s.state])).toEqual([[spare[0], 'running']]);

    const fresh = await pool.acquire('renew');
    expect(fresh.id).toBe(spare[0]);
    await pool.shutdown();
  }, 60_000);

  it('counts members toward the live cap and gives one up before stopping a conversation', async () => {
    const pool = leases({ maxLive: 2, poolSize: 1 });
    const running = async () =>
      (await provider.list({ labels: { sandgate: '1' } }))
        .filter((s) => s.state === 'running')
        .map((s) => s.id);
    const a = await pool.acquire('cap-a');
    await pool.pool?.settled();
    expect(await members()).toHaveLength(1);
    await a.stop();
    const b = await pool.acquire('cap-b');
    await pool.pool?.settled();
    const spare = (await members()).map((s) => s.id);
    expect(spare).toHaveLength(1);
    expect((await running()).sort()).toEqual([b.id, ...spare].sort());

    // cap-a comes back while cap-b and the spare fill the cap: the spare goes, cap-b keeps running.
    const again = await pool.acquire('cap-a');
    expect(again.id).toBe(a.id);
    expect((await again.exec('echo back')).stdout).toBe('back\n');
    const states = Object.fromEntries(pool.list().map((l) => [l.conversationKey, l.state]));
    expect(states).toEqual({ 'cap-a': 'running', 'cap-b': 'running' });
    expect(await provider.get(spare[0] ?? '')).toBeUndefined();
    expect((await running()).sort()).toEqual([a.id, b.id].sort());
    await pool.shutdown();
  }, 60_000);

  it('stops every member at shutdown, and the next run takes them over instead of creating', async () => {
    const first = leases({ poolSize: 2 });
    await first.pool?.settled();
    await first.acquire('shut');
    await first.pool?.settled();
    const spare = (await members()).map((s) => s.id).sort();
    expect(spare).toHaveLength(2);
    await first.shutdown();
    expect((await provider.list({ labels: { sandgate: '1' } })).filter((s) => s.state === 'running')).toEqual(
      [],
    );

    const second = leases({ poolSize: 1 });
    await second.pool?.settled();
    const now = await members();
    expect(now).toHaveLength(1);
    expect(spare).toContain(now[0]?.id);
    expect(now[0]?.state).toBe('running');
    await second.shutdown();
  }, 60_000);

  it('falls back to a fresh sandbox when the provider cannot relabel', async () => {
    const noRelabel: SandboxProvider = {
      name: provider.name,
      list: (f) => provider.list(f),
      get: (id) => provider.get(id),
      create: async (spec) => withoutRelabel(await provider.create(spec)),
    };
    const pool = leases({ provider: noRelabel, labels: { sandgate: '2' } });
    await pool.pool?.settled();
    const box = await pool.acquire('plain');
    expect((await box.exec('echo ok')).stdout).toBe('ok\n');
    expect(await provider.list({ labels: { sandgate: '2', conversation: 'plain' } })).toHaveLength(1);
    await pool.pool?.settled();
    expect(await provider.list({ labels: { sandgate: '2', [POOL_LABEL]: '1' } })).toHaveLength(0);
    await pool.shutdown();
  }, 60_000);
});

describe('warm pool from config', () => {
  it('is off by default, on in the gateway when sandbox.pool.size is set, and never in a one-shot CLI', async () => {
    const { home, cleanup } = tempHome();
    const provider = localProvider(home);
    expect(configSchema.parse({}).sandbox.pool.size).toBe(0);
    const config = configSchema.parse({ sandbox: { pool: { size: 1 } } });
    const cli = createConversationSandboxes(config, provider, silentLog, { gcIntervalMs: 0 });
    expect(cli.pool).toBeUndefined();
    const gateway = createConversationSandboxes(config, provider, silentLog);
    await gateway.pool?.settled();
    expect(gateway.pool?.ids).toHaveLength(1);
    await gateway.shutdown();
    await cli.shutdown();
    cleanup();
  }, 60_000);
});

describe('warm pool on Daytona (real SDK, protocol fake)', () => {
  it('hands a pool member to the first conversation, relabelled through the SDK', async () => {
    const fake = await startFakeDaytona();
    const provider = daytonaProvider(fake, { autoStopMinutes: 20, autoDeleteMinutes: 1440 });
    const leases = new ConversationSandboxes({
      provider,
      log: silentLog,
      idleStopSec: 60,
      maxLive: 4,
      poolSize: 1,
    });
    try {
      await leases.pool?.settled();
      const member = leases.pool?.ids[0];
      expect(member).toBeDefined();
      const box = await leases.acquire('slack:T1:C9');
      expect((await box.exec('echo ok')).stdout).toBe('ok\n');
      expect(box.id).toBe(member); // no create on the first reply
      const labelled = await provider.list({ labels: { sandgate: '1', conversation: 'slack:T1:C9' } });
      expect(labelled.map((s) => s.id)).toEqual([box.id]);
      expect(fake.requests.some((r) => r.method === 'PUT' && r.path === `/sandbox/${member}/labels`)).toBe(
        true,
      );
      await leases.pool?.settled();
      expect(await provider.list({ labels: { sandgate: '1', [POOL_LABEL]: '1' } })).toHaveLength(1);
    } finally {
      await leases.shutdown();
      await fake.close();
    }
  }, 60_000);
});

/** The sandbox's methods without setLabels (a provider that cannot relabel). */
function withoutRelabel(box: Sandbox): Sandbox {
  return {
    id: box.id,
    workdir: box.workdir,
    exec: (c, o) => box.exec(c, o),
    runCode: (c, o) => box.runCode(c, o),
    startProcess: (c, o) => box.startProcess(c, o),
    writeFile: (p, d) => box.writeFile(p, d),
    readFile: (p) => box.readFile(p),
    listFiles: (p) => box.listFiles(p),
    previewUrl: (p, o) => box.previewUrl(p, o),
    stop: () => box.stop(),
    delete: () => box.delete(),
  };
}
