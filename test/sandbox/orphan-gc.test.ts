// Orphans whose owner lived only in one process's memory: an eval pool member left by an interrupted
// `sandgate eval` (or a killed gateway) is deleted once it has been idle a minute — not sooner, since
// a member still being created is listed before its slot knows it — while other sandboxes only stop.

import { afterAll, describe, expect, it } from 'vitest';
import { collectOrphans } from '../../src/sandbox/orphan-gc.js';
import { localProvider, silentLog, tempHome } from './helpers.js';

describe('orphan clean-up', () => {
  const { home, cleanup } = tempHome();
  const provider = localProvider(home);
  afterAll(async () => {
    await provider.shutdown();
    cleanup();
  });

  const sweep = (inMs: number) =>
    collectOrphans({
      provider,
      log: silentLog,
      labels: { sandgate: '1' },
      held: () => false,
      now: Date.now() + inMs,
      stopAfterMs: 60_000,
      deleteAfterMs: 7 * 24 * 3600_000,
    });

  it('deletes an eval pool member nobody holds after a minute idle, and only that one', async () => {
    const member = await provider.create({ labels: { sandgate: '1', eval: '1' } });
    const chat = await provider.create({ labels: { sandgate: '1', conversation: 'local:c' } });
    expect((await sweep(1_000)).deleted).toEqual([]);
    const later = await sweep(61_000);
    expect(later.deleted).toEqual([member.id]);
    expect(await provider.get(member.id)).toBeUndefined();
    expect(await provider.get(chat.id)).toBeDefined();
  });
});
