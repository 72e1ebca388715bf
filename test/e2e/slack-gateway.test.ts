// Slack through the real gateway process in HTTP mode: real Bolt and WebClient in the gateway, the
// Slack protocol fake here sending signed requests to POST /slack/events. Pairing and CLI approval,
// /sandgate commands, signatures, retries, mentions answered in threads that keep their sandbox,
// charts uploaded, and a long agent reply in ordered chunks.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, reply, startFakeAnthropic, text } from '../fakes/anthropic/server.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { plainText } from '../fakes/slack/fake-state.js';
import { cli, type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { TEST_MODEL } from '../model/helpers.js';
import { pairSlackUser, slackInboundCount, texts } from './slack-helpers.js';
import { readDb, settled } from './telegram-helpers.js';

const MODEL_KEY = 'sk-ant-slack-e2e-key-5b1c';
const ALICE = 'U0ALICE';
const GENERAL = 'C0GENERAL';

describe('Slack through the gateway process (HTTP mode)', { timeout: 120_000 }, () => {
  const home = tempHome();
  let fake: FakeSlack;
  let model: FakeAnthropic;
  let gw: GatewayProcess;
  let url: string;
  let aliceDm: string;

  beforeAll(async () => {
    fake = await FakeSlack.start();
    fake.state.addUser({ id: ALICE, name: 'alice', realName: 'Alice Liddell' });
    fake.state.addChannel(GENERAL, 'general', [ALICE]);
    aliceDm = fake.state.imWith(ALICE).id;
    model = await startFakeAnthropic({ apiKey: MODEL_KEY, model: TEST_MODEL });
    gw = await startGatewayProcess(
      home.home,
      {
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_SIGNING_SECRET: fake.signingSecret,
        SLACK_API_URL: fake.apiUrl,
        ANTHROPIC_API_KEY: MODEL_KEY,
        ANTHROPIC_BASE_URL: model.url,
        SANDGATE_MODEL: TEST_MODEL,
      },
      60_000,
    );
    url = `${gw.url}/slack/events`;
  }, 90_000);
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await model?.close();
    home.cleanup();
  });

  it('pairs an unknown DM sender with one code and the exact approve command; approval answers the kept message once', async () => {
    // A second message while the request is pending gets no second code.
    const codeMsg = await pairSlackUser(fake, url, home.home, ALICE, 'hello? anyone?');
    const code = /\b([A-HJ-NP-Z2-9]{8})\b/.exec(codeMsg)?.[1];
    expect(codeMsg).toContain(`sandgate pairing approve slack ${code}`);
    const all = texts(fake, aliceDm);
    expect(all.filter((t) => /sandgate pairing approve slack/.test(t))).toHaveLength(1);
    expect(all.some((t) => /approved/i.test(t))).toBe(true);
    expect(all.filter((t) => t.includes(`paired-${ALICE}`) && !/approve/.test(t))).toHaveLength(1);
    const again = await cli(home.home, ['pairing', 'approve', 'slack', code as string]);
    expect(again.code).toBe(1);
  }, 150_000);

  it('acknowledges `/sandgate sh echo …` within 3 s, then posts the output to the channel', async () => {
    const res = await fake.postSlash(
      url,
      fake.slashBody({ user: ALICE, channel: GENERAL, text: 'sh echo slash-works' }),
    );
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    const out = await fake.waitUntil(
      () => texts(fake, GENERAL).find((t) => t.includes('slash-works') && !t.includes('echo')),
      30_000,
      'the /sh output in the channel',
    );
    expect(out).toContain('slash-works');
    expect(fake.callsOf('chat.postMessage').some((c) => c.params.channel === GENERAL)).toBe(true);
  });

  it("gives an unknown user's slash command the pairing reply as its ephemeral response", async () => {
    fake.state.addUser({ id: 'U0BOB', name: 'bob', realName: 'Bob' });
    const before = fake.callsOf('chat.postMessage').length;
    const res = await fake.postSlash(url, fake.slashBody({ user: 'U0BOB', channel: GENERAL, text: 'sh ls' }));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(plainText(body.text)).toMatch(/sandgate pairing approve slack [A-HJ-NP-Z2-9]{8}/);
    expect(
      fake
        .callsOf('chat.postMessage')
        .slice(before)
        .some((c) => String(c.params.text).includes('pairing')),
    ).toBe(false);
  });

  it('refuses a bad signature and a stale timestamp with 401 and persists nothing', async () => {
    const before = slackInboundCount(home.home);
    const event = fake.envelope(
      fake.userMessage('message', { user: ALICE, channel: aliceDm, text: '/sh echo forged' }),
    );
    const forged = await fake.postEvent(url, event, { secret: 'ffffffffffffffffffffffffffffffff' });
    const stale = await fake.postEvent(url, event, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect([forged.status, stale.status]).toEqual([401, 401]);
    expect(slackInboundCount(home.home)).toBe(before);
  });

  it('answers a retried event once', async () => {
    const event = fake.envelope(
      fake.userMessage('message', { user: ALICE, channel: aliceDm, text: '/sh echo once-only' }),
    );
    expect((await fake.postEvent(url, event)).status).toBe(200);
    expect((await fake.postEvent(url, event, { retryNum: 1 })).status).toBe(200);
    expect((await fake.postEvent(url, event, { retryNum: 2 })).status).toBe(200);
    await fake.waitUntil(
      () => texts(fake, aliceDm).some((t) => t.includes('once-only')),
      30_000,
      'the answer',
    );
    const db = readDb(home.home);
    try {
      await fake.waitUntil(() => settled(db), 30_000, 'the gateway to settle');
    } finally {
      db.close();
    }
    expect(texts(fake, aliceDm).filter((t) => t.includes('once-only'))).toHaveLength(1);
  });

  it('answers an app_mention in its thread, and a follow-up in the thread uses the same sandbox', async () => {
    const allowed = await cli(home.home, ['allow', 'add', 'slack', `group:slack:${fake.team}:${GENERAL}`]);
    expect(allowed.code, allowed.stderr).toBe(0);
    const bot = `<@${fake.state.bot.userId}>`;
    const first = fake.userMessage('app_mention', {
      user: ALICE,
      channel: GENERAL,
      text: `${bot} /sh echo thread-state > note.txt && echo written`,
    });
    const thread = first.ts as string;
    await fake.postEvent(url, fake.envelope(first));
    await fake.waitUntil(
      () => texts(fake, GENERAL, thread).some((t) => /written/.test(t)),
      30_000,
      'the reply in the thread',
    );
    const followUp = fake.userMessage('app_mention', {
      user: ALICE,
      channel: GENERAL,
      text: `${bot} /sh cat note.txt`,
      threadTs: thread,
    });
    await fake.postEvent(url, fake.envelope(followUp));
    const answer = await fake.waitUntil(
      () => texts(fake, GENERAL, thread).find((t) => t.includes('thread-state') && !t.includes('echo')),
      30_000,
      'the follow-up answer from the same sandbox',
    );
    expect(answer).toContain('thread-state');
  }, 150_000);

  it('uploads the chart of `/sandgate py` as a PNG into the channel', async () => {
    const code =
      "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [2, 1, 3])\nplt.title('Slack chart')\nplt.show()";
    const res = await fake.postSlash(
      url,
      fake.slashBody({ user: ALICE, channel: GENERAL, text: `py ${code}` }),
    );
    expect(res.status).toBe(200);
    const file = await fake.waitUntil(
      () =>
        [...fake.state.files.values()].find((f) => f.shared?.channel === GENERAL && f.name.endsWith('.png')),
      45_000,
      'an uploaded chart',
    );
    expect(
      file.data?.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    ).toBe(true);
    expect(fake.callsOf('files.getUploadURLExternal').length).toBeGreaterThan(0);
    expect(fake.callsOf('files.completeUploadExternal').at(-1)?.params.channel_id).toBe(GENERAL);
  }, 150_000);

  it('posts a 10,000-character agent reply as ordered chunks of at most 4000 that join to the original', async () => {
    const line = (i: number) =>
      `Paragraph ${i}: ${Array(3).fill('lorem ipsum & dolor <sit> amet').join(', ')}.`;
    // Exactly 10,000 characters, ending in a word (an agent's answer is trimmed).
    const long = `${Array.from({ length: 120 }, (_, i) => line(i))
      .join('\n')
      .slice(0, 9_999)}x`;
    model.push(reply(text(long)));
    const before = fake.botMessages(aliceDm).length;
    await fake.postEvent(
      url,
      fake.envelope(
        fake.userMessage('message', { user: ALICE, channel: aliceDm, text: 'write me a long essay' }),
      ),
    );
    const db = readDb(home.home);
    try {
      await fake.waitUntil(
        () => texts(fake, aliceDm).at(-1)?.endsWith(long.slice(-50)) && settled(db),
        45_000,
        'the whole reply',
      );
    } finally {
      db.close();
    }
    const posted = fake.botMessages(aliceDm).slice(before);
    // A status message may come first and be edited into the first chunk.
    const chunks = posted.map((m) => plainText(m.text)).filter((t) => !t.startsWith('⏳'));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const m of posted) expect(m.text.length).toBeLessThanOrEqual(4000);
    // In order, nothing lost or added: only a line break where one message ends may be left out.
    let pos = 0;
    for (const chunk of chunks) {
      if (!long.startsWith(chunk, pos) && long[pos] === '\n') pos++;
      expect(long.startsWith(chunk, pos), `chunk at ${pos}`).toBe(true);
      pos += chunk.length;
    }
    expect(pos).toBe(long.length);
  }, 150_000);

  it('still answers a redelivered event and a replayed slash command once after a restart', async () => {
    const event = fake.envelope(
      fake.userMessage('message', { user: ALICE, channel: aliceDm, text: '/sh echo before-restart' }),
    );
    const slash = fake.slashBody({ user: ALICE, channel: GENERAL, text: 'sh echo slash-before-restart' });
    await fake.postEvent(url, event);
    await fake.postSlash(url, slash);
    const answered = () =>
      texts(fake, aliceDm).filter((t) => t.includes('before-restart') && !t.includes('echo')).length +
      texts(fake, GENERAL).filter((t) => t.includes('slash-before-restart') && !t.includes('echo')).length;
    await fake.waitUntil(() => answered() === 2, 30_000, 'both answers');
    await gw.stop();
    gw = await startGatewayProcess(
      home.home,
      {
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_SIGNING_SECRET: fake.signingSecret,
        SLACK_API_URL: fake.apiUrl,
        ANTHROPIC_API_KEY: MODEL_KEY,
        ANTHROPIC_BASE_URL: model.url,
        SANDGATE_MODEL: TEST_MODEL,
      },
      60_000,
    );
    url = `${gw.url}/slack/events`;
    expect((await fake.postEvent(url, event, { retryNum: 3 })).status).toBe(200);
    expect((await fake.postSlash(url, slash)).status).toBe(200);
    // Something new, answered after the replays: once it is there, the replays would have been too.
    await fake.postEvent(
      url,
      fake.envelope(
        fake.userMessage('message', { user: ALICE, channel: aliceDm, text: '/sh echo after-restart' }),
      ),
    );
    await fake.waitUntil(
      () => texts(fake, aliceDm).some((t) => t.includes('after-restart') && !t.includes('echo')),
      45_000,
      'the answer after the restart',
    );
    const db = readDb(home.home);
    try {
      await fake.waitUntil(() => settled(db), 30_000, 'the gateway to settle');
    } finally {
      db.close();
    }
    expect(answered()).toBe(2);
  }, 150_000);
});
