// A run's child sandboxes over the real local provider: created labelled with the run and counted
// against the live cap, deleted when the run ends (even one still being created), waiting for a slot
// a sibling frees, cancelled with the run, never evicting the conversation sandbox mid-run, and
// cleaned up by gc when a gateway stopped before its run could.

import { afterAll, describe, expect, it } from 'vitest';
import { ConversationSandboxes } from '../../src/sandbox/conversation-sandboxes.js';
import { SandboxCapacityError } from '../../src/sandbox/errors.js';
import { RUN_LABEL } from '../../src/sandbox/run-sandboxes.js';
import { localProvider, silentLog, tempHome } from './helpers.js';

describe('run child sandboxes', () => {
  const { home, cleanup } = tempHome();
  const provider = localProvider(home);
  const open: ConversationSandboxes[] = [];
  let nextRun = 1;
  const leases = (maxLive: number, childWaitMs = 0) => {
    const l = new ConversationSandboxes({ provider, log: silentLog, idleStopSec: 0, maxLive, childWaitMs });
    open.push(l);
    return l;
  };
  const runOf = (
    l: ConversationSandboxes,
    conversationKey: string,
    signal = new AbortController().signal,
  ) => {
    const runId = nextRun++;
    return { runId, scope: l.forRun({ runId, conversationKey, signal, log: silentLog }) };
  };
  const childrenOf = async (runId: number) =>
    (await provider.list({ labels: { [RUN_LABEL]: String(runId) } })).map((s) => s.id).sort();

  afterAll(async () => {
    for (const l of open) await l.shutdown();
    await provider.shutdown();
    cleanup();
  }, 60_000);

  it('spawns working children counted against the cap, and deletes them all when the run ends', async () => {
    const l = leases(4);
    const { runId, scope } = runOf(l, 'conv-a');
    const a = await scope.spawn({ purpose: 'rlm depth 1', labels: { rlm: 'agent-1' } });
    const b = await scope.spawn();
    expect((await a.exec('echo child a')).stdout).toBe('child a\n');
    expect((await b.runCode('print(6 * 7)')).stdout).toBe('42\n');
    expect(await childrenOf(runId)).toEqual([a.id, b.id].sort());
    expect((await provider.list({ labels: { rlm: 'agent-1' } })).map((s) => s.id)).toEqual([a.id]);
    expect(l.capacity.list().filter((s) => s.owner === 'run')).toHaveLength(2);

    await scope.close();
    expect(await childrenOf(runId)).toEqual([]);
    expect(await provider.get(a.id)).toBeUndefined();
    expect(l.capacity.used).toBe(0);
    await expect(scope.spawn()).rejects.toThrow(/has ended/);
  }, 60_000);

  it('leaves nothing behind when the run ends while a child is still being created', async () => {
    const l = leases(2);
    const { runId, scope } = runOf(l, 'conv-h');
    const spawning = scope.spawn();
    await scope.close();
    await expect(spawning).rejects.toThrow(/has ended/);
    expect(await childrenOf(runId)).toEqual([]);
    expect(l.capacity.used).toBe(0);
  }, 60_000);

  it('frees the slot when the agent deletes a child, and a waiting spawn gets it', async () => {
    const l = leases(2, 60_000);
    const { runId, scope } = runOf(l, 'conv-b');
    const first = await scope.spawn();
    const second = await scope.spawn();
    const third = scope.spawn();
    await first.delete();
    const got = await third;
    expect((await got.exec('echo third')).stdout).toBe('third\n');
    expect(await childrenOf(runId)).toEqual([second.id, got.id].sort());
    await scope.close();
    expect(await childrenOf(runId)).toEqual([]);
  }, 60_000);

  it('refuses a spawn at once when full and not waiting, and a cancel ends a waiting one', async () => {
    const l = leases(1, 60_000);
    const stop = new AbortController();
    const { runId, scope } = runOf(l, 'conv-c', stop.signal);
    await scope.spawn();
    await expect(scope.spawn({ waitMs: 0 })).rejects.toBeInstanceOf(SandboxCapacityError);
    const waiting = scope.spawn();
    stop.abort('cancel');
    await expect(waiting).rejects.toBe('cancel');
    await scope.close();
    expect(await childrenOf(runId)).toEqual([]);
    expect(l.capacity.used).toBe(0);
  }, 60_000);

  it("never stops the conversation's sandbox between calls of its run to make room", async () => {
    const l = leases(2);
    const state = (key: string) => l.list().find((e) => e.conversationKey === key)?.state;
    await (await l.acquire('conv-d')).exec('true');
    const { scope } = runOf(l, 'conv-d');
    await (await l.acquire('conv-g')).exec('true');
    // conv-d is the least recently used and idle between calls, but its run is on: conv-g goes.
    await l.acquire('conv-e');
    expect([state('conv-d'), state('conv-g'), state('conv-e')]).toEqual(['running', 'stopped', 'running']);
    await scope.close();
    await l.acquire('conv-g');
    expect([state('conv-d'), state('conv-g'), state('conv-e')]).toEqual(['stopped', 'running', 'running']);
  }, 60_000);

  it('gc deletes children left by a run of an earlier gateway, but not the children of a live run', async () => {
    const l = leases(4);
    const { scope } = runOf(l, 'conv-f');
    const live = await scope.spawn();
    const left = await provider.create({ labels: { sandgate: '1', [RUN_LABEL]: '999' } });
    await left.exec('true');
    const { deleted } = await l.gc();
    expect(deleted).toContain(left.id);
    expect(deleted).not.toContain(live.id);
    expect(await provider.get(left.id)).toBeUndefined();
    expect((await live.exec('echo still here')).stdout).toBe('still here\n');
    await scope.close();
  }, 60_000);
});
