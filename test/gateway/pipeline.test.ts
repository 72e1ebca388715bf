import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../channels/channel.js';
import type { AccessControl } from '../../src/gateway/access.js';
import { GatedAgent } from '../helpers/gated-agent.js';
import { RecordingChannel, retryAfter } from '../helpers/recording-channel.js';
import { tempHome } from '../helpers/temp-home.js';
import { testGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

const allowAll: AccessControl = { check: () => ({ allow: true }) };

describe('the inbound pipeline', () => {
  let home: ReturnType<typeof tempHome>;
  const stops: (() => Promise<void>)[] = [];
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    home.cleanup();
  });

  function setup(opts: { cap?: number; textMax?: number } = {}) {
    const channel = new RecordingChannel('telegram', opts.textMax);
    const agent = new GatedAgent();
    const { gateway, store } = testGateway(home.home, {
      channels: [channel],
      agents: [agent],
      access: allowAll,
      config: { limits: { maxConcurrentRuns: opts.cap ?? 4 } },
    });
    stops.push(async () => {
      agent.autoRelease = true;
      await gateway.stop(2000);
      store.db.close();
    });
    return { channel, agent, gateway, store };
  }

  it('drops a redelivered platform message: one row, one reply', async () => {
    const { channel, agent, gateway, store } = setup();
    agent.autoRelease = true;
    await gateway.start();
    const msg = channel.inbound({ text: 'hello', platformId: 'update-1' });
    const first = await channel.sink!.receive(msg);
    const second = await channel.sink!.receive({ ...msg });
    expect(first).toMatchObject({ accepted: true, duplicate: false });
    expect(second).toMatchObject({ accepted: false, duplicate: true });
    await waitFor(() => channel.texts().includes('answer to hello'), 'the reply');
    await gateway.outbox.flush(2000);
    expect(channel.texts().filter((t) => t === 'answer to hello')).toHaveLength(1);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM inbound').get()).toEqual({ n: 1 });
    expect(agent.started).toHaveLength(1);
  });

  it('persists the message before receive() resolves', async () => {
    const { channel, agent, gateway, store } = setup();
    await gateway.start();
    await channel.sink!.receive(channel.inbound({ text: 'keep me', platformId: 'u-7' }));
    expect(store.inbound.findByPlatformId('telegram', 'u-7')?.text).toBe('keep me');
    await waitFor(() => agent.isWaiting('keep me'), 'the run');
    agent.release('keep me');
  });

  it('runs two messages of one conversation in order, one at a time', async () => {
    const { channel, agent, gateway } = setup();
    await gateway.start();
    await channel.sink!.receive(channel.inbound({ text: 'first' }));
    await channel.sink!.receive(channel.inbound({ text: 'second' }));
    await waitFor(() => agent.isWaiting('first'), 'the first run');
    expect(agent.started.map((t) => t.text)).toEqual(['first']);
    agent.release('first');
    await waitFor(() => agent.isWaiting('second'), 'the second run');
    agent.release('second');
    await waitFor(() => channel.texts().includes('answer to second'), 'both replies');
    const answers = channel.texts().filter((t) => t.startsWith('answer'));
    expect(answers).toEqual(['answer to first', 'answer to second']);
    expect(agent.maxRunning).toBe(1);
  });

  it('runs different conversations in parallel, up to the global cap', async () => {
    const { channel, agent, gateway } = setup({ cap: 2 });
    await gateway.start();
    for (const c of ['a', 'b', 'c'])
      await channel.sink!.receive(channel.inbound({ text: c, conversationKey: c }));
    await waitFor(() => agent.isWaiting('a') && agent.isWaiting('b'), 'two parallel runs');
    expect(agent.isWaiting('c')).toBe(false);
    expect(gateway.lanes.depth).toBe(1);
    agent.release('a');
    await waitFor(() => agent.isWaiting('c'), 'the third run to take the free slot');
    agent.release('b');
    agent.release('c');
    await waitFor(() => channel.texts().filter((t) => t.startsWith('answer')).length === 3, 'three replies');
    expect(agent.maxRunning).toBe(2);
  });

  it('retries a delivery that fails twice, then delivers it exactly once', async () => {
    const { channel, agent, gateway, store } = setup();
    agent.autoRelease = true;
    agent.progress = false;
    channel.failures = [new DeliveryError('network down'), retryAfter(30)];
    await gateway.start();
    await channel.sink!.receive(channel.inbound({ text: 'flaky' }));
    await waitFor(() => channel.texts().includes('answer to flaky'), 'the eventual delivery');
    await gateway.outbox.flush(2000);
    expect(channel.texts().filter((t) => t === 'answer to flaky')).toHaveLength(1);
    expect(channel.attempts).toBeGreaterThanOrEqual(3);
    const row = store.db
      .prepare(`SELECT attempts, state FROM deliveries WHERE payload_json LIKE '%flaky%'`)
      .get();
    expect(row).toEqual({ attempts: 3, state: 'sent' });
  });

  it('a 429 on one part of a reply retries that part only: each part is posted once, in order', async () => {
    const { channel, agent, gateway } = setup();
    agent.autoRelease = true;
    agent.progress = false;
    agent.extra = {
      charts: [1, 2].map((n) => ({ type: 'bar', title: `chart ${n}`, png: Buffer.from(`png ${n}`) })),
      files: [{ name: 'out.csv', data: Buffer.from('a,b\n') }],
    };
    // The second chart is refused once with a rate limit, as a platform flood limit would.
    const deliver = channel.deliver.bind(channel);
    let refused = false;
    channel.deliver = async (to, msg) => {
      if (!refused && msg.kind === 'image' && msg.caption === 'chart 2') {
        refused = true;
        throw retryAfter(30);
      }
      return deliver(to, msg);
    };
    await gateway.start();
    await channel.sink!.receive(channel.inbound({ text: 'plot' }));
    await waitFor(() => channel.delivered.some((d) => d.msg.kind === 'file'), 'the file');
    await gateway.outbox.flush(2000);
    expect(refused).toBe(true);
    expect(
      channel.delivered.map(({ msg }) =>
        msg.kind === 'text' ? msg.text : msg.kind === 'image' ? msg.caption : msg.name,
      ),
    ).toEqual(['answer to plot', 'chart 1', 'chart 2', 'out.csv']);
  });

  it('gives up on a permanent delivery error without retrying', async () => {
    const { channel, agent, gateway, store } = setup();
    agent.autoRelease = true;
    agent.progress = false;
    channel.failures = [new DeliveryError('bot was blocked by the user', { permanent: true })];
    await gateway.start();
    await channel.sink!.receive(channel.inbound({ text: 'blocked' }));
    await waitFor(() => store.deliveries.countByState().failed === 1, 'the failed delivery');
    expect(channel.attempts).toBe(1);
  });

  it('answers empty, oversized and unknown-command messages with a clear reply and runs nothing', async () => {
    const { channel, agent, gateway, store } = setup();
    await gateway.start();
    await channel.sink!.receive(channel.inbound({ text: '   ' }));
    await channel.sink!.receive(channel.inbound({ text: 'x'.repeat(70 * 1024) }));
    await channel.sink!.receive(channel.inbound({ text: '/frobnicate now' }));
    await waitFor(() => channel.delivered.length === 3, 'three replies');
    const [empty, large, unknown] = channel.texts();
    expect(empty).toMatch(/empty/);
    expect(large).toMatch(/larger than 64 KiB/);
    expect(unknown).toMatch(/Unknown command \/frobnicate/);
    expect(unknown).toMatch(/\/help/);
    expect(agent.started).toHaveLength(0);
    expect(store.inbound.countByState()).toEqual({ rejected: 3 });
  });

  it('chunks a long reply to the channel limit with balanced code fences', async () => {
    const channel = new RecordingChannel('telegram', 200);
    const code = Array.from({ length: 60 }, (_, i) => `print(${i})`).join('\n');
    const { gateway, store } = testGateway(home.home, {
      channels: [channel],
      access: allowAll,
      agents: [{ name: 'coding', run: async () => ({ text: `Here:\n\`\`\`python\n${code}\n\`\`\`` }) }],
    });
    stops.push(async () => {
      await gateway.stop(2000);
      store.db.close();
    });
    await gateway.start();
    await channel.sink!.receive(channel.inbound({ text: 'long please' }));
    await waitFor(() => channel.texts().join('\n').includes('print(59)'), 'all chunks');
    const chunks = channel.texts().filter((t) => t.includes('print('));
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(200);
      expect(c.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0);
    }
  });

  it('/cancel stops the running run and says so', async () => {
    const { channel, agent, gateway, store } = setup();
    await gateway.start();
    await channel.sink!.receive(channel.inbound({ text: 'slow job' }));
    await waitFor(() => agent.isWaiting('slow job'), 'the run');
    await channel.sink!.receive(channel.inbound({ text: '/cancel' }));
    await waitFor(() => channel.texts().includes('Cancelled.'), 'the cancel notice');
    expect(store.runs.list()[0]?.state).toBe('cancelled');
  });

  it('shuts down gracefully: the run is interrupted with a notice and nothing stays running', async () => {
    const { channel, agent, gateway, store } = setup();
    await gateway.start();
    await channel.sink!.receive(channel.inbound({ text: 'long task' }));
    await waitFor(() => agent.isWaiting('long task'), 'the run');
    await gateway.stop(5000);
    expect(channel.texts().some((t) => /shutting down/.test(t))).toBe(true);
    expect(store.runs.countByState()).toEqual({ interrupted: 1 });
    expect(store.inbound.countByState().running).toBeUndefined();
    await expect(channel.sink!.receive(channel.inbound({ text: 'late' }))).rejects.toThrow(/shutting down/);
  });

  it('recovers after a crash: the interrupted sender is told, queued messages run, pending replies go out', async () => {
    // First life: a run starts, then the process "dies" (we drop the gateway without stopping it).
    const first = setup();
    await first.gateway.start();
    await first.channel.sink!.receive(first.channel.inbound({ text: 'in flight', conversationKey: 'x' }));
    await waitFor(() => first.agent.isWaiting('in flight'), 'the run');
    first.store.inbound.insert({
      channel: 'telegram',
      platformId: 'queued-1',
      conversationKey: 'y',
      route: { chat: 'y' },
      senderId: 'u1',
      senderName: 'U',
      isDirect: true,
      mentioned: false,
      text: 'waiting',
      attachments: [],
      receivedAt: Date.now(),
    });
    first.store.db.prepare(`UPDATE inbound SET state = 'queued' WHERE platform_id = 'queued-1'`).run();
    first.gateway.outbox.stop();
    first.gateway.lanes.close();

    // Second life on the same database.
    const second = setup();
    second.agent.autoRelease = true;
    await second.gateway.start();
    await waitFor(
      () => second.channel.texts('x').some((t) => /interrupted because the gateway restarted/.test(t)),
      'the interruption notice',
    );
    await waitFor(() => second.channel.texts('y').includes('answer to waiting'), 'the queued message to run');
    expect(second.store.runs.countByState()).toMatchObject({ interrupted: 1, done: 1 });
    expect(second.agent.started.map((t) => t.text)).toEqual(['waiting']);
    first.agent.release('in flight'); // the dead process's run finishing late must not answer
    await second.gateway.outbox.flush(1000);
    expect(second.channel.texts('x').filter((t) => t === 'answer to in flight')).toHaveLength(0);
  });
});
