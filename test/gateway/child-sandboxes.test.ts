// RunContext.spawnSandbox through the real pipeline and real local sandboxes: whatever way a run
// ends (answered, failed, /cancel), its child sandboxes are gone by the time the reply is written,
// and /cancel reaches a host call in flight inside a child.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent, RunContext, RunResult, Task } from '../../agents/agent.js';
import type { AccessControl } from '../../src/gateway/access.js';
import { ConversationSandboxes } from '../../src/sandbox/conversation-sandboxes.js';
import { RUN_LABEL } from '../../src/sandbox/run-sandboxes.js';
import { RecordingChannel } from '../helpers/recording-channel.js';
import { tempHome } from '../helpers/temp-home.js';
import { testGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { localProvider, silentLog } from '../sandbox/helpers.js';

const allowAll: AccessControl = { check: () => ({ allow: true }) };

/** Spawns a child, writes to it, then answers, fails, or waits in a host call, as the text says. */
class SpawningAgent implements Agent {
  readonly name = 'coding' as const;
  readonly children: string[] = [];
  hostCall: 'none' | 'waiting' | 'aborted' = 'none';

  async run(task: Task, ctx: RunContext): Promise<RunResult> {
    const child = await ctx.spawnSandbox({ purpose: task.text });
    this.children.push(child.id);
    await child.writeFile('note.txt', task.text);
    if (task.text === 'fail') throw new Error('the agent broke');
    if (task.text === 'sub-call') {
      const r = await child.runCode('host_call("rlm_query", {"task": "sub"})', {
        signal: ctx.signal,
        onHostCall: (_method, _params, { signal }) =>
          new Promise((_, reject) => {
            this.hostCall = 'waiting';
            signal.addEventListener('abort', () => {
              this.hostCall = 'aborted';
              reject(new Error('sub-agent cancelled'));
            });
          }),
      });
      return { text: `the code ended with ${r.error?.name}` };
    }
    return { text: `worked in ${child.id}: ${(await child.readFile('note.txt')).toString()}` };
  }
}

describe('child sandboxes of a run', () => {
  let home: ReturnType<typeof tempHome>;
  const stops: (() => Promise<void>)[] = [];
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    home.cleanup();
  });

  async function setup() {
    const provider = localProvider(home.home);
    const sandboxes = new ConversationSandboxes({ provider, log: silentLog, idleStopSec: 0, maxLive: 4 });
    const channel = new RecordingChannel('telegram');
    const agent = new SpawningAgent();
    const { gateway, store } = testGateway(home.home, {
      channels: [channel],
      agents: [agent],
      access: allowAll,
      sandboxes,
    });
    stops.push(async () => {
      await gateway.stop(5000);
      await sandboxes.shutdown();
      await provider.shutdown();
      store.db.close();
    });
    await gateway.start();
    const childrenLeft = async () =>
      (await provider.list({ labels: { sandgate: '1' } })).filter((s) => s.labels[RUN_LABEL] !== undefined);
    return { channel, agent, store, sandboxes, childrenLeft };
  }

  it('deletes the child after a run that answered', async () => {
    const { channel, agent, store, sandboxes, childrenLeft } = await setup();
    await channel.sink!.receive(channel.inbound({ text: 'ok' }));
    await waitFor(() => channel.texts().some((t) => t.startsWith('worked in')), 'the answer');
    expect(channel.texts()).toContain(`worked in ${agent.children[0]}: ok`);
    expect(await childrenLeft()).toEqual([]);
    expect(store.runs.list()[0]?.state).toBe('done');
    expect(sandboxes.capacity.list().filter((s) => s.owner === 'run')).toEqual([]);
  }, 60_000);

  it('deletes the child after a run that failed', async () => {
    const { channel, agent, store, childrenLeft } = await setup();
    await channel.sink!.receive(channel.inbound({ text: 'fail' }));
    await waitFor(() => channel.texts().some((t) => t.includes('the agent broke')), 'the failure reply');
    expect(agent.children).toHaveLength(1);
    expect(await childrenLeft()).toEqual([]);
    expect(store.runs.list()[0]?.state).toBe('failed');
  }, 60_000);

  it('/cancel aborts the host call in flight, ends the run, and deletes the child', async () => {
    const { channel, agent, store, childrenLeft } = await setup();
    await channel.sink!.receive(channel.inbound({ text: 'sub-call' }));
    await waitFor(() => agent.hostCall === 'waiting', 'the host call');
    expect((await childrenLeft()).map((s) => s.id)).toEqual(agent.children);
    await channel.sink!.receive(channel.inbound({ text: '/cancel' }));
    await waitFor(() => channel.texts().includes('Cancelled.'), 'the cancel notice');
    expect(agent.hostCall).toBe('aborted');
    expect(await childrenLeft()).toEqual([]);
    expect(store.runs.list()[0]?.state).toBe('cancelled');
  }, 60_000);
});
