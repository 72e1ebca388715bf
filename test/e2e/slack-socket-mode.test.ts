// Slack in Socket Mode through the real gateway process: SLACK_APP_TOKEN makes the gateway open a
// socket via apps.connections.open at SLACK_API_URL (no /slack/events route), envelopes are acked and
// answered, `sandgate channels status` shows the mode, and a dropped socket is reconnected.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { cli, type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { texts } from './slack-helpers.js';

const ALICE = 'U0ALICE';

describe('Slack through the gateway process (Socket Mode)', () => {
  const home = tempHome();
  let fake: FakeSlack;
  let gw: GatewayProcess;
  let dm: string;
  const send = (text: string) =>
    fake.socket.send(
      'events_api',
      fake.envelope(fake.userMessage('message', { user: ALICE, channel: dm, text })),
    );

  beforeAll(async () => {
    fake = await FakeSlack.start();
    fake.state.addUser({ id: ALICE, name: 'alice', realName: 'Alice' });
    dm = fake.state.imWith(ALICE).id;
    gw = await startGatewayProcess(
      home.home,
      {
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_APP_TOKEN: fake.appToken,
        SLACK_API_URL: fake.apiUrl,
      },
      60_000,
    );
    const added = await cli(home.home, ['allow', 'add', 'slack', ALICE]);
    expect(added.code, added.stderr).toBe(0);
    await fake.waitUntil(() => fake.socket.openSockets === 1, 20_000, 'the gateway to connect');
  }, 120_000);
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    home.cleanup();
  });

  it('acks an envelope and answers it; the status names Socket Mode and there is no HTTP route', async () => {
    const ack = await send('/sh echo over-the-socket');
    expect(ack.envelopeId).toMatch(/^env-/);
    const answer = await fake.waitUntil(
      () => texts(fake, dm).find((t) => t.includes('over-the-socket') && !t.includes('echo')),
      90_000,
      'the answer',
    );
    expect(answer).toContain('over-the-socket');
    const status = await cli(home.home, ['channels', 'status', '--json'], { SANDGATE_PORT: String(gw.port) });
    // Flat entries, one per channel (DESIGN §9.2).
    const { channels } = JSON.parse(status.stdout) as {
      channels: { id: string; state: string; detail?: string }[];
    };
    expect(channels.find((c) => c.id === 'slack')).toMatchObject({
      state: 'connected',
      detail: expect.stringMatching(/Socket Mode/),
    });
    expect((await fetch(`${gw.url}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
  }, 120_000);

  it('reconnects after the socket dropped and answers what arrives on the new one', async () => {
    const before = fake.socket.connections;
    fake.socket.drop();
    await fake.waitUntil(
      () => fake.socket.connections > before && fake.socket.openSockets === 1,
      30_000,
      'a new socket',
    );
    await send('/sh echo after-the-drop');
    await fake.waitUntil(
      () => texts(fake, dm).some((t) => t.includes('after-the-drop') && !t.includes('echo')),
      90_000,
      'the answer after the reconnect',
    );
  }, 150_000);
});
