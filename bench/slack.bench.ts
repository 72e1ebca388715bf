// `npm run bench`: latency from a signed Events API request (a DM) leaving Slack to the bot's first
// chat.postMessage reaching the Slack fake, through the real `sandgate gateway` process in HTTP mode
// (signature check → Bolt → persist → access → immediate /help → outbox → WebClient). Baseline in the
// same run: a bare Bolt app (HTTPReceiver, signature check on) that answers every DM with say().
// One message at a time (latency), then a burst from many known senders at once (queueing). A
// sender's very first message also costs the gateway one users.info call (the name it records).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { FakeSlack } from '../test/fakes/slack/fake-slack.js';
import { startGatewayProcess } from '../test/helpers/gateway-process.js';

const SEQUENTIAL = Number(process.env.BENCH_SLACK_MESSAGES ?? 200);
const BURST = Number(process.env.BENCH_SLACK_BURST ?? 50);

interface Phase {
  latencies: number[];
  seconds: number;
}

/** Sends one signed DM from `user` and resolves with ms until a chat.postMessage reached that DM. */
async function roundTrip(fake: FakeSlack, url: string, user: string, text: string): Promise<number> {
  const dm = fake.state.imWith(user).id;
  const seen = fake.callsOf('chat.postMessage').length;
  const body = fake.envelope(fake.userMessage('message', { user, channel: dm, text }));
  const t0 = performance.now();
  const posted = fake.waitUntil(
    () => {
      const calls = fake.callsOf('chat.postMessage');
      for (let i = seen; i < calls.length; i++) if (calls[i]?.params.channel === dm) return performance.now();
      return undefined;
    },
    60_000,
    `a reply to ${user}`,
  );
  const res = await fake.postEvent(url, body);
  if (res.status !== 200) throw new Error(`request answered ${res.status}`);
  return (await posted) - t0;
}

async function drive(
  fake: FakeSlack,
  url: string,
  text: string,
  prefix: string,
): Promise<{ seq: Phase; burst: Phase }> {
  const user = `U${prefix}SEQ`;
  fake.state.addUser({ id: user, name: 'bench', realName: 'Bench' });
  // Warm-up: the first message pays for caches (user name, sandbox-free command path, JIT).
  for (let i = 0; i < 5; i++) await roundTrip(fake, url, user, text);
  const t0 = performance.now();
  const seqLatencies: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) seqLatencies.push(await roundTrip(fake, url, user, text));
  const seq = { latencies: seqLatencies.sort((a, b) => a - b), seconds: (performance.now() - t0) / 1000 };
  const users = Array.from({ length: BURST }, (_, i) => `U${prefix}B${String(i).padStart(4, '0')}`);
  for (const u of users) fake.state.addUser({ id: u, name: u.toLowerCase(), realName: u });
  // Each sender has written before (the gateway knows their name: no users.info in the timed burst).
  for (const u of users) await roundTrip(fake, url, u, text);
  const t1 = performance.now();
  const burstLatencies = await Promise.all(users.map((u) => roundTrip(fake, url, u, text)));
  const burst = { latencies: burstLatencies.sort((a, b) => a - b), seconds: (performance.now() - t1) / 1000 };
  return { seq, burst };
}

async function benchBareBolt(): Promise<{ seq: Phase; burst: Phase }> {
  const fake = await FakeSlack.start();
  const receiver = new HTTPReceiver({ signingSecret: fake.signingSecret, logLevel: LogLevel.ERROR });
  const app = new App({
    token: fake.botToken,
    receiver,
    clientOptions: { slackApiUrl: fake.apiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.message(async ({ message, say }) => {
    await say(`echo: ${'text' in message ? (message.text ?? '') : ''}`);
  });
  const server = (await app.start(0)) as { address(): { port: number } };
  try {
    return await drive(fake, `http://127.0.0.1:${server.address().port}/slack/events`, 'hello', 'BARE');
  } finally {
    await app.stop();
    await fake.close();
  }
}

async function benchGateway(): Promise<{ seq: Phase; burst: Phase }> {
  const home = mkdtempSync(join(tmpdir(), 'sandgate-bench-slack-'));
  // Open DMs: every sender reaches the command path (pairing is measured by the Telegram bench).
  writeFileSync(join(home, 'config.json5'), "{ channels: { slack: { dmPolicy: 'open' } } }\n");
  const fake = await FakeSlack.start();
  const gw = await startGatewayProcess(
    home,
    {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: fake.signingSecret,
      SLACK_API_URL: fake.apiUrl,
    },
    60_000,
  );
  try {
    return await drive(fake, `${gw.url}/slack/events`, '/help', 'GW');
  } finally {
    await gw.stop();
    await fake.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function ms(v: number): string {
  return `${v.toFixed(v < 10 ? 2 : 1)} ms`;
}

async function main() {
  const bare = await benchBareBolt();
  const gateway = await benchGateway();
  const rows: string[][] = [['measure', 'sandgate gateway', 'bare Bolt echo', 'ratio']];
  const add = (label: string, g: number, b: number) =>
    rows.push([label, ms(g), ms(b), `${(g / b).toFixed(1)}×`]);
  for (const [name, g, b] of [
    [`one at a time (${SEQUENTIAL})`, gateway.seq, bare.seq],
    [`burst, ${BURST} senders at once`, gateway.burst, bare.burst],
  ] as const) {
    add(
      `${name}: p50 signed event → first chat.postMessage`,
      percentile(g.latencies, 50),
      percentile(b.latencies, 50),
    );
    add(
      `${name}: p99 signed event → first chat.postMessage`,
      percentile(g.latencies, 99),
      percentile(b.latencies, 99),
    );
  }
  const width = Math.max(...rows.map((r) => r[0]!.length));
  const col = (i: number) => Math.max(...rows.map((r) => r[i]!.length));
  console.log('Slack (HTTP mode): signed DM → the first chat.postMessage at the Slack fake');
  for (const r of rows) {
    console.log(
      `${r[0]!.padEnd(width)}  ${r[1]!.padStart(col(1))}  ${r[2]!.padStart(col(2))}  ${r[3]!.padStart(col(3))}`,
    );
  }
  console.log(
    'The gateway acknowledges only after persisting (the bare app acks first) and answers through its outbox; the bare app replies from the listener.',
  );
}

await main();
