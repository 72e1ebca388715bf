// Quick sandbox commands are not stuck behind long agent runs: the runs' cap does not hold /sh, in
// a real gateway pipeline with a real local sandbox; and a conversation's own order still holds.

import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { CommandRegistry } from '../../src/gateway/commands.js';
import { LaneQueue } from '../../src/gateway/lane-queue.js';
import { createConversationSandboxes, createSandboxCommandsFromConfig } from '../../src/sandbox/factory.js';
import { GatedAgent } from '../helpers/gated-agent.js';
import { RecordingChannel } from '../helpers/recording-channel.js';
import { tempHome } from '../helpers/temp-home.js';
import { testGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { localProvider, silentLog } from '../sandbox/helpers.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('lane pools', () => {
  it('starts a command while the runs pool is full, and keeps each conversation in order', async () => {
    type Item = { id: number; conversationKey: string; pool: 'runs' | 'commands' };
    const gates = new Map<number, ReturnType<typeof deferred>>();
    const started: number[] = [];
    const q = new LaneQueue<Item>(
      { runs: 2, commands: 2 },
      async (item) => {
        started.push(item.id);
        const g = deferred();
        gates.set(item.id, g);
        await g.promise;
      },
      () => {},
      (item) => item.pool,
    );
    q.enqueue({ id: 1, conversationKey: 'a', pool: 'runs' });
    q.enqueue({ id: 2, conversationKey: 'b', pool: 'runs' });
    q.enqueue({ id: 3, conversationKey: 'c', pool: 'runs' }); // waits: runs are full
    q.enqueue({ id: 4, conversationKey: 'a', pool: 'commands' }); // waits: behind a's run
    q.enqueue({ id: 5, conversationKey: 'd', pool: 'commands' }); // starts at once
    expect(started).toEqual([1, 2, 5]);
    gates.get(1)?.resolve();
    await waitFor(() => started.length === 5, 'the next two');
    // c's run took the freed runs slot; a's command (its turn now) the commands slot.
    expect(started).toEqual([1, 2, 5, 3, 4]);
    for (const g of gates.values()) g.resolve();
    await q.idle();
  });

  describe('through the gateway', () => {
    const home = tempHome();
    const provider = localProvider(home.home);
    const config = validateConfig({ limits: { maxConcurrentRuns: 2 } }, home.home);
    const leases = createConversationSandboxes(config, provider, silentLog, { gcIntervalMs: 0 });
    const commands = new CommandRegistry();
    for (const c of Object.values(createSandboxCommandsFromConfig(config))) commands.register(c);
    const channel = new RecordingChannel();
    const agent = new GatedAgent();
    const { gateway, store } = testGateway(home.home, {
      channels: [channel],
      agents: [agent],
      commands,
      sandboxes: leases,
      access: { check: () => ({ allow: true }) },
      config: { limits: { maxConcurrentRuns: 2 } },
    });

    afterAll(async () => {
      await gateway.stop(5000);
      await leases.shutdown();
      await provider.shutdown();
      store.db.close();
      home.cleanup();
    });

    it('answers a quick /sh while two long agent runs hold the runs cap', async () => {
      await gateway.start();
      await channel.sink!.receive(channel.inbound({ conversationKey: 'a', text: 'long one' }));
      await channel.sink!.receive(channel.inbound({ conversationKey: 'b', text: 'long two' }));
      await waitFor(() => agent.running === 2, 'both long runs');
      await channel.sink!.receive(channel.inbound({ conversationKey: 'a', text: '/sh echo after-long-one' }));
      await channel.sink!.receive(channel.inbound({ conversationKey: 'c', text: '/sh echo quick-ok' }));
      await waitFor(() => channel.texts('c').some((t) => t.includes('quick-ok')), 'the quick /sh', 60_000);
      expect(agent.running).toBe(2);
      // Conversation a's /sh waits for a's own run: its order holds.
      expect(channel.texts('a').some((t) => t.includes('after-long-one'))).toBe(false);
      agent.release('long one');
      await waitFor(() => channel.texts('a').some((t) => t.includes('after-long-one')), 'a’s /sh', 60_000);
      const a = channel.texts('a');
      expect(a.findIndex((t) => t.includes('answer to long one'))).toBeLessThan(
        a.findIndex((t) => t.includes('after-long-one')),
      );
      agent.release('long two');
    });
  });
});
