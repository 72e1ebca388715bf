// The local channel's HTTP API as `sandgate chat -m` and outside scripts use it (DESIGN §9.7), over
// a real gateway and SQLite: POST answers the message's id and the event position, the stream read
// from that position carries the reply and then the message's `complete` event, and the gateway
// (not the channel) answers how a message is doing.

import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localApiRoutes } from '../../../channels/local/local-api.js';
import { LocalChannel } from '../../../channels/local/local-channel.js';
import { messageStatusRoutes } from '../../../src/http/api/message-status.js';
import { GatedAgent } from '../../helpers/gated-agent.js';
import { tempHome } from '../../helpers/temp-home.js';
import { testGateway } from '../../helpers/test-gateway.js';
import { waitFor } from '../../helpers/wait-for.js';

interface Stamped {
  seq: number;
  conversation: string;
  event: { type: string; text?: string; id?: number; state?: string };
}

/** Reads server-sent events until `until` holds for one; returns them all. */
async function readUntil(res: Response, until: (e: Stamped) => boolean): Promise<Stamped[]> {
  const events: Stamped[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended after ${JSON.stringify(events)}`);
      buffer += decoder.decode(value, { stream: true });
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const data = buffer
          .slice(0, cut)
          .split('\n')
          .find((l) => l.startsWith('data: '));
        buffer = buffer.slice(cut + 2);
        if (!data || data === 'data: {}') continue;
        const e = JSON.parse(data.slice(6)) as Stamped;
        events.push(e);
        if (until(e)) return events;
      }
    }
  } finally {
    await reader.cancel();
  }
}

describe('the local API', () => {
  let home: ReturnType<typeof tempHome>;
  let stop: () => Promise<void>;
  let app: Hono;
  let agent: GatedAgent;

  beforeEach(async () => {
    home = tempHome();
    const local = new LocalChannel(`${home.home}/uploads`);
    agent = new GatedAgent();
    agent.progress = false;
    const { gateway, store } = testGateway(home.home, { channels: [local], agents: [agent] });
    await gateway.start();
    app = new Hono();
    app.route('/api/local', localApiRoutes(local));
    app.route('/api/local', messageStatusRoutes(store));
    stop = async () => {
      agent.autoRelease = true;
      await gateway.stop(2000);
      store.db.close();
    };
  });
  afterEach(async () => {
    await stop();
    home.cleanup();
  });

  const post = (body: object) =>
    app.request('/api/local/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('POST answers id and position; from there the stream carries the answer, then `complete`', async () => {
    const res = await post({ text: 'hello', conversation: 'c1', clientId: 'm-1' });
    expect(res.status).toBe(202);
    const sent = (await res.json()) as { id: number; seq: number; conversation: string; duplicate: boolean };
    expect(sent).toMatchObject({ conversation: 'c1', duplicate: false });
    expect(Number.isInteger(sent.id) && Number.isInteger(sent.seq)).toBe(true);

    const stream = await app.request(`/api/local/events?conversation=c1&after=${sent.seq}`);
    // Not answered yet: the status says so.
    const before = (await (await app.request(`/api/local/messages/${sent.id}`)).json()) as { state: string };
    expect(before).toMatchObject({ complete: false });
    expect(['queued', 'running']).toContain(before.state);
    await waitFor(() => agent.isWaiting('hello'), 'the run');
    agent.release('hello');
    const events = await readUntil(stream, (e) => e.event.type === 'complete' && e.event.id === sent.id);
    const shown = events.filter((e) => e.event.type !== 'typing');
    expect(shown.map((e) => e.event.type)).toEqual(['message', 'complete']);
    expect(shown[0]?.event.text).toBe('answer to hello');
    expect(shown[1]?.event).toEqual({ type: 'complete', id: sent.id, state: 'done' });
    expect(events.every((e) => e.seq > sent.seq && e.conversation === 'c1')).toBe(true);

    const status = await (await app.request(`/api/local/messages/${sent.id}`)).json();
    expect(Object.keys(status)).toEqual(['id', 'state', 'reason', 'deliveries', 'complete']);
    expect(status).toMatchObject({ id: sent.id, state: 'done', reason: null, complete: true });
    expect(status.deliveries).toEqual([{ id: expect.any(Number), state: 'sent' }]);
  });

  it('a repeated clientId is a duplicate with the first id; unknown ids are 404', async () => {
    agent.autoRelease = true;
    const first = (await (await post({ text: 'once', clientId: 'same' })).json()) as { id: number };
    const again = await post({ text: 'once', clientId: 'same' });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: first.id, duplicate: true });
    expect((await app.request('/api/local/messages/999999')).status).toBe(404);
    expect((await app.request('/api/local/messages/abc')).status).toBe(404);
  });
});
