// `npm run bench`: latency from an update appearing in getUpdates to the bot's first reply reaching
// the Bot API fake, for 200 distinct unknown senders, through the real `sandgate gateway` process
// (persist → pairing → outbox → paced sendMessage). Baseline in the same run: a bare grammY
// getUpdates → sendMessage echo bot against its own fake. Pairing keeps at most 3 requests pending
// per channel, so senders after the third get the one-time "try again later" reply: the same path
// (persist, access check, reply through the outbox), reported separately by kind.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot } from 'grammy';
import { FakeTelegram } from '../test/fakes/telegram/fake-telegram.js';
import { startGatewayProcess } from '../test/helpers/gateway-process.js';

const SENDERS = Number(process.env.BENCH_TELEGRAM_SENDERS ?? 200);
/** Paced arrivals stay under Telegram's 30 msgs/s overall limit, which the gateway honours. */
const PACED_GAP_MS = 40;

interface Phase {
  latencies: number[];
  kinds: Map<string, number[]>;
  extraReplies: number;
  seconds: number;
}

function kindOf(text: string): string {
  if (/sandgate pairing approve telegram/.test(text)) return 'pairing code';
  if (/try again later/i.test(text)) return '"try again later" (3 requests already pending)';
  if (text.startsWith('echo:')) return 'echo';
  return 'other';
}

/**
 * Pushes one message from each of `n` new senders (ids from `firstId`), `gapMs` apart (0 = all at
 * once), and times each sender's first sendMessage as it reaches the fake.
 */
async function drive(fake: FakeTelegram, firstId: number, n: number, gapMs: number): Promise<Phase> {
  const pushedAt = new Map<number, number>();
  const first = new Map<number, { ms: number; text: string }>();
  let replies = 0;
  let scanned = 0;
  const scan = () => {
    const now = performance.now();
    for (; scanned < fake.calls.length; scanned++) {
      const call = fake.calls[scanned]!;
      if (call.method !== 'sendMessage') continue;
      if (call.status === -1) break; // not answered yet: look again on the next change
      if (call.status !== 200) continue;
      const chat = Number(call.params.chat_id);
      const start = pushedAt.get(chat);
      if (start === undefined) continue;
      replies++;
      if (!first.has(chat)) first.set(chat, { ms: now - start, text: String(call.params.text ?? '') });
    }
  };
  scanned = fake.calls.length;
  const t0 = performance.now();
  // The fake re-runs the check on every API call it answers, so `now` is the reply's arrival.
  const done = fake.waitUntil(
    () => {
      scan();
      return first.size >= n || undefined;
    },
    120_000,
    `first replies to ${n} senders`,
  );
  for (let i = 0; i < n; i++) {
    const id = firstId + i;
    pushedAt.set(id, performance.now());
    fake.pushText(`hello from sender ${i}`, { from: { id, is_bot: false, first_name: `Sender ${i}` } });
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const kinds = new Map<string, number[]>();
  for (const { ms, text } of first.values()) {
    const k = kindOf(text);
    kinds.set(k, [...(kinds.get(k) ?? []), ms]);
  }
  return {
    latencies: [...first.values()].map((f) => f.ms).sort((a, b) => a - b),
    kinds,
    extraReplies: replies - first.size,
    seconds,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function connected(fake: FakeTelegram): Promise<void> {
  await fake.waitUntil(
    () => fake.callsOf('getUpdates').some((c) => c.status === -1),
    60_000,
    'a long poll from the bot',
  );
}

async function benchBareGrammy(): Promise<{ paced: Phase; burst: Phase }> {
  const fake = await FakeTelegram.start();
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  bot.on('message', (ctx) => ctx.reply(`echo: ${ctx.message.text ?? ''}`));
  const stopped = bot.start({ drop_pending_updates: false, timeout: 30 });
  try {
    await connected(fake);
    const paced = await drive(fake, 10_000, SENDERS, PACED_GAP_MS);
    const burst = await drive(fake, 20_000, SENDERS, 0);
    return { paced, burst };
  } finally {
    await bot.stop();
    await stopped;
    await fake.close();
  }
}

async function benchGateway(): Promise<{ paced: Phase; burst: Phase }> {
  const home = mkdtempSync(join(tmpdir(), 'sandgate-bench-tg-'));
  const fake = await FakeTelegram.start();
  const gw = await startGatewayProcess(
    home,
    { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot },
    60_000,
  );
  try {
    await connected(fake);
    const paced = await drive(fake, 10_000, SENDERS, PACED_GAP_MS);
    const burst = await drive(fake, 20_000, SENDERS, 0);
    return { paced, burst };
  } finally {
    await gw.stop();
    await fake.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function ms(v: number): string {
  return `${v.toFixed(v < 10 ? 2 : 1)} ms`;
}

async function main() {
  const bare = await benchBareGrammy();
  const gateway = await benchGateway();
  const rows: string[][] = [['measure', 'sandgate gateway', 'bare grammY echo', 'ratio']];
  const add = (label: string, g: number, b: number) =>
    rows.push([label, ms(g), ms(b), `${(g / b).toFixed(1)}×`]);
  const rate = Math.round(1000 / PACED_GAP_MS);
  for (const [name, g, b] of [
    [`paced, ${rate} senders/s`, gateway.paced, bare.paced],
    ['burst, all at once', gateway.burst, bare.burst],
  ] as const) {
    add(`${name}: p50 update → first reply`, percentile(g.latencies, 50), percentile(b.latencies, 50));
    add(`${name}: p99 update → first reply`, percentile(g.latencies, 99), percentile(b.latencies, 99));
    rows.push([
      `${name}: all ${SENDERS} answered in`,
      `${g.seconds.toFixed(1)} s`,
      `${b.seconds.toFixed(1)} s`,
      `${(g.seconds / b.seconds).toFixed(1)}×`,
    ]);
  }
  const width = rows.map((_, i) => i).reduce((w, i) => Math.max(w, rows[i]![0]!.length), 0);
  const col = (i: number) => Math.max(...rows.map((r) => r[i]!.length));
  console.log(`Telegram: ${SENDERS} distinct unknown senders per phase, one message each`);
  for (const r of rows) {
    console.log(
      `${r[0]!.padEnd(width)}  ${r[1]!.padStart(col(1))}  ${r[2]!.padStart(col(2))}  ${r[3]!.padStart(col(3))}`,
    );
  }
  for (const [name, phase] of [
    ['paced', gateway.paced],
    ['burst', gateway.burst],
  ] as const) {
    const kinds = [...phase.kinds.entries()].map(([k, v]) => {
      const sorted = [...v].sort((a, b) => a - b);
      return `${v.length} × ${k} (p50 ${ms(percentile(sorted, 50))})`;
    });
    console.log(
      `gateway replies, ${name}: ${kinds.join('; ')}; extra replies beyond the first: ${phase.extraReplies}`,
    );
  }
  console.log(
    'The gateway paces sends at ≤ 30 msgs/s overall (Telegram flood limit); the burst rows are bounded by that, the bare bot sends unpaced.',
  );
  console.log(
    'Pairing codes go to the first 3 senders, the first messages a freshly started gateway handles (cold caches); later senders share the same persist → access → outbox path.',
  );
}

await main();
