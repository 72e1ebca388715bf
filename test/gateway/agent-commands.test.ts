// An agent plugs in by declaring its own chat command: the gateway lists it in /help, parses its
// flags, switches the conversation to it, and routes plain text by `agents.default` — no table in
// the core names an agent.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent, AgentCommand, RunResult, Task } from '../../agents/agent.js';
import type { AccessControl } from '../../src/gateway/access.js';
import { RecordingChannel } from '../helpers/recording-channel.js';
import { tempHome } from '../helpers/temp-home.js';
import { testGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

const allowAll: AccessControl = { check: () => ({ allow: true }) };

class EchoAgent implements Agent {
  readonly tasks: Task[] = [];
  constructor(
    readonly name: string,
    readonly command?: AgentCommand,
  ) {}

  async run(task: Task): Promise<RunResult> {
    this.tasks.push(task);
    return { text: `${this.name} heard: ${task.text}`, usage: { inputTokens: 3, outputTokens: 4 } };
  }
}

const echoCommand: AgentCommand = {
  name: 'echo',
  usage: 'echo [--loud] TASK',
  summary: 'repeat the task back',
  flags: { loud: 'boolean' },
};

describe('agent commands', () => {
  let home: ReturnType<typeof tempHome>;
  const stops: (() => Promise<void>)[] = [];
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    home.cleanup();
  });

  async function setup(config: Record<string, unknown> = {}) {
    const channel = new RecordingChannel('telegram');
    const echo = new EchoAgent('echo', echoCommand);
    const coding = new EchoAgent('coding');
    const { gateway, store } = testGateway(home.home, {
      channels: [channel],
      agents: [echo, coding],
      access: allowAll,
      config,
    });
    stops.push(async () => {
      await gateway.stop(2000);
      store.db.close();
    });
    await gateway.start();
    const say = async (text: string, expectedReplies: number) => {
      await channel.sink!.receive(channel.inbound({ text }));
      await waitFor(() => channel.texts().length >= expectedReplies, `reply ${expectedReplies} to ${text}`);
      return channel.texts()[expectedReplies - 1];
    };
    return { channel, echo, coding, gateway, store, say };
  }

  it('/help lists the commands agents declare, and none for an agent without one', async () => {
    const { say } = await setup();
    const help = await say('/help', 1);
    expect(help).toContain('/echo [--loud] TASK — repeat the task back');
    expect(help).not.toMatch(/\/code|\/analyze|\/rlm/);
  });

  it('runs the task with its flags, records the run under the command, and switches the conversation', async () => {
    const { echo, coding, store, say } = await setup();
    expect(await say('/echo --loud hi there', 1)).toBe('echo heard: hi there');
    expect(echo.tasks[0]?.options).toEqual({ loud: true });
    const [run] = store.runs.list();
    expect(run).toMatchObject({ kind: 'echo', state: 'done', usage: { inputTokens: 3, outputTokens: 4 } });
    expect(await say('and again', 2)).toBe('echo heard: and again');
    expect(await say('/status', 3)).toMatch(/^Agent: echo$/m);
    expect(coding.tasks).toHaveLength(0);
  });

  it('answers a flag it does not declare with the usage, runs nothing and switches nothing', async () => {
    const { echo, say } = await setup();
    expect(await say('/echo --lod hi', 1)).toBe('/echo has no option --lod. Usage: /echo [--loud] TASK');
    expect(echo.tasks).toHaveLength(0);
    expect(await say('plain text', 2)).toBe('coding heard: plain text');
  });

  it('with no task, only switches the conversation', async () => {
    const { echo, say } = await setup();
    expect(await say('/echo', 1)).toBe('Now talking to the echo agent. Send the task as plain text.');
    expect(await say('next', 2)).toBe('echo heard: next');
    expect(echo.tasks.map((t) => t.text)).toEqual(['next']);
  });

  it('agents.default picks where plain text goes', async () => {
    const { say, store } = await setup({ agents: { default: 'echo' } });
    expect(await say('hello', 1)).toBe('echo heard: hello');
    expect(store.runs.list()[0]).toMatchObject({ kind: 'echo', usage: { inputTokens: 3, outputTokens: 4 } });
  });

  it('an agents.default that names no agent is reported at start and answered plainly', async () => {
    const { say } = await setup({ agents: { default: 'rlm' } });
    expect(await say('hello', 1)).toBe(
      'The rlm agent is not available here. Available: echo, coding. /sh and /py still work — see /help.',
    );
    expect(() =>
      testGateway(home.home, { channels: [], config: { agents: { default: 'No Such' } } }),
    ).toThrow(/agents\.default.*must be an agent name/);
  });

  it('a command queued before a restart is routed again at start and runs as that command', async () => {
    const channel = new RecordingChannel('telegram');
    const first = testGateway(home.home, {
      channels: [channel],
      agents: [new EchoAgent('echo', echoCommand)],
    });
    const row = first.store.inbound.insert({
      channel: 'telegram',
      platformId: 'queued-echo',
      conversationKey: 'c1',
      route: { chat: 'c1' },
      senderId: 'u1',
      senderName: 'U',
      isDirect: true,
      mentioned: false,
      text: '/echo --loud from before',
      attachments: [],
      receivedAt: Date.now(),
    });
    first.store.inbound.transition(row!.id, ['received'], 'queued');
    first.store.db.close();

    const { echo, store, say } = await setup();
    await waitFor(() => echo.tasks.length === 1, 'the queued command to run');
    expect(echo.tasks[0]).toMatchObject({ text: 'from before', options: { loud: true } });
    expect(store.runs.list()[0]?.kind).toBe('echo');
    expect(await say('after', 2)).toBe('echo heard: after');
  });
});
