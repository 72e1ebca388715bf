// A run whose end cannot be written (here: SQLite refuses the update, through a real trigger) is
// logged and settled as failed — the message is not left `running`, and the sender is told.

import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessControl } from '../../src/gateway/access.js';
import { LaneQueue } from '../../src/gateway/lane-queue.js';
import { GatedAgent } from '../helpers/gated-agent.js';
import { RecordingChannel } from '../helpers/recording-channel.js';
import { tempHome } from '../helpers/temp-home.js';
import { testGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

const allowAll: AccessControl = { check: () => ({ allow: true }) };

function capturedLog() {
  const lines: { level: number; msg: string; err?: { message: string } }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

describe('a run that cannot be recorded', () => {
  const home = tempHome();
  afterEach(() => home.cleanup());

  it('is settled as failed with a log line and a reply, leaving no row stuck', async () => {
    const { log, lines } = capturedLog();
    const channel = new RecordingChannel('telegram');
    const agent = new GatedAgent();
    agent.autoRelease = true;
    agent.progress = false;
    const { gateway, store } = testGateway(home.home, {
      channels: [channel],
      agents: [agent],
      access: allowAll,
      log,
    });
    // The disk "refuses" exactly the write that finishes a run successfully.
    store.db.exec(`CREATE TRIGGER refuse_done BEFORE UPDATE OF state ON runs WHEN NEW.state = 'done'
      BEGIN SELECT RAISE(ABORT, 'disk I/O error (test)'); END`);
    await gateway.start();
    await channel.sink!.receive(channel.inbound({ text: 'important' }));

    await waitFor(
      () => channel.texts().some((t) => /could not record the result/.test(t)),
      'the failure reply',
    );
    expect(channel.texts()).not.toContain('answer to important');
    expect(store.inbound.countByState()).toEqual({ failed: 1 });
    expect(store.runs.list()[0]).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/disk I\/O error/),
    });
    const logged = lines.find((l) => l.msg === 'could not record a run; settling its message as failed');
    expect(logged?.level).toBe(50);
    expect(logged?.err?.message).toMatch(/disk I\/O error \(test\)/);
    await gateway.stop(2000);
    store.db.close();
  });
});

describe('a lane whose work throws', () => {
  it('reports the error with the item and goes on with the next one', async () => {
    const errors: [string, number][] = [];
    const ran: number[] = [];
    const q = new LaneQueue<{ id: number; conversationKey: string }>(
      1,
      async (item) => {
        ran.push(item.id);
        if (item.id === 1) throw new Error('boom');
      },
      (err, item) => errors.push([(err as Error).message, item.id]),
    );
    q.enqueue({ id: 1, conversationKey: 'a' });
    q.enqueue({ id: 2, conversationKey: 'a' });
    await q.idle();
    expect(errors).toEqual([['boom', 1]]);
    expect(ran).toEqual([1, 2]);
  });
});
