// `npm run bench`: pushes N messages over M conversations through the real pipeline (intake →
// SQLite → lanes → runner → outbox → channel) with a trivial agent, and compares the cost per
// message with a bare better-sqlite3 insert + update measured in the same run.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import type { Agent } from '../agents/agent.js';
import type {
  Channel,
  ConversationRef,
  DeliveryReceipt,
  InboundSink,
  Outbound,
} from '../channels/channel.js';
import { validateConfig } from '../src/config/load.js';
import { Gateway } from '../src/gateway/gateway.js';
import { applyPragmas, openDatabase } from '../src/store/db.js';
import { IdleCheckpointer } from '../src/store/idle-checkpointer.js';
import { createStore } from '../src/store/store.js';

const N = Number(process.env.BENCH_MESSAGES ?? 20_000);
const M = Number(process.env.BENCH_CONVERSATIONS ?? 200);

class BenchChannel implements Channel {
  readonly id = 'local' as const;
  readonly limits = { textMax: 4000 };
  sink!: InboundSink;
  delivered = 0;
  readonly latencies: number[] = [];
  readonly sentAt = new Map<string, number>();
  onAllDelivered?: () => void;
  onDelivered?: (id: string) => void;
  async start(sink: InboundSink) {
    this.sink = sink;
  }
  status() {
    return { state: 'connected' as const };
  }
  async deliver(_to: ConversationRef, msg: Outbound): Promise<DeliveryReceipt> {
    const key = (msg.kind === 'text' ? msg.text : '').slice(4); // "ok: <platformId>"
    const start = this.sentAt.get(key);
    if (start !== undefined) this.latencies.push(performance.now() - start);
    this.onDelivered?.(key);
    if (++this.delivered === N) this.onAllDelivered?.();
    return { messageIds: [String(this.delivered)] };
  }
}

const trivialAgent: Agent = { name: 'coding', run: async (task) => ({ text: `ok: ${task.text}` }) };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** A real gateway over its own SQLite file, with the bench channel and the trivial agent. */
async function benchGateway(home: string, dbName: string) {
  const config = validateConfig({ limits: { maxConcurrentRuns: 16 } }, home);
  const store = createStore(openDatabase(join(home, dbName)));
  // As the gateway runs it (src/cli/assemble.ts). Under this sustained load it never finds a quiet
  // moment, so checkpoints come from the auto-checkpoint backstop.
  const checkpointer = new IdleCheckpointer(store.db, { lastWriteAt: () => store.batch.lastFlushAt });
  const channel = new BenchChannel();
  const gateway = new Gateway({
    config,
    store,
    log: pino({ level: 'silent' }),
    channels: [channel],
    agents: [trivialAgent],
    access: { check: () => ({ allow: true }) },
  });
  await gateway.start();
  const send = (conversation: number, id: string) => {
    channel.sentAt.set(id, performance.now());
    return channel.sink.receive({
      channel: 'local',
      conversationKey: `local:c${conversation}`,
      route: { conversation: `c${conversation}` },
      sender: { id: 'owner', name: 'owner' },
      isDirect: true,
      mentioned: true,
      text: id,
      attachments: [],
      platformId: id,
      at: new Date(),
    });
  };
  const finish = async () => {
    await gateway.stop(5000);
    checkpointer.stop();
    store.db.close();
    return channel.latencies.sort((a, b) => a - b);
  };
  return { channel, send, finish };
}

/** Closed loop: each conversation sends its next message when the previous answer arrived. */
async function benchLatency(home: string, perConversation: number, conversations: number) {
  const { channel, send, finish } = await benchGateway(home, 'latency.db');
  const waiting = new Map<string, () => void>();
  // The first rounds warm up the JIT and SQLite's page cache; they are not the steady state.
  const WARMUP = 20;
  channel.onDelivered = (id) => {
    waiting.get(id)?.();
    if (Number(id.split('-')[1]) < WARMUP) channel.latencies.pop();
  };
  await Promise.all(
    Array.from({ length: conversations }, async (_, c) => {
      for (let i = 0; i < perConversation; i++) {
        const id = `l${c}-${i}`;
        const answered = new Promise<void>((r) => waiting.set(id, r));
        await send(c, id);
        await answered;
      }
    }),
  );
  const sorted = await finish();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
}

/** Open loop: M senders (one per conversation, like concurrent webhook deliveries) push N messages. */
async function benchPipeline(home: string) {
  const { channel, send, finish } = await benchGateway(home, 'sandgate.db');
  const done = new Promise<void>((r) => (channel.onAllDelivered = r));
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: M }, async (_, c) => {
      for (let i = c; i < N; i += M) await send(c, `m${i}`);
    }),
  );
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const sorted = await finish();
  return { seconds, perMsgUs: (seconds * 1e6) / N, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

function benchBareSqlite(home: string) {
  const db = new Database(join(home, 'bare.db'));
  applyPragmas(db); // the same settings as the gateway's store, so the ratio compares like with like
  db.exec('CREATE TABLE m (id INTEGER PRIMARY KEY, platform_id TEXT UNIQUE, body TEXT, state TEXT)');
  const ins = db.prepare(`INSERT INTO m (platform_id, body, state) VALUES (?, ?, 'queued') RETURNING id`);
  const upd = db.prepare(`UPDATE m SET state = 'done' WHERE id = ?`);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const { id } = ins.get(`m${i}`, `m${i}`) as { id: number };
    upd.run(id);
  }
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  return { seconds, perMsgUs: (seconds * 1e6) / N };
}

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'sandgate-bench-'));
  try {
    const bare = benchBareSqlite(home);
    const pipe = await benchPipeline(home);
    const latency = await benchLatency(home, 250, 8);
    const rows = [
      ['measure', 'value'],
      ['messages / conversations', `${N} / ${M}`],
      ['pipeline throughput', `${Math.round(N / pipe.seconds)} msgs/s`],
      ['pipeline cost per message', `${pipe.perMsgUs.toFixed(1)} µs`],
      [
        'overhead p50 (receive → delivered, 8 conversations, closed loop, 2000 msgs)',
        `${latency.p50.toFixed(2)} ms`,
      ],
      [
        'overhead p99 (receive → delivered, 8 conversations, closed loop, 2000 msgs)',
        `${latency.p99.toFixed(2)} ms`,
      ],
      ['backlog drain: p99 wait of a message pushed in the burst', `${pipe.p99.toFixed(0)} ms`],
      [
        'bare SQLite insert+update per message',
        `${bare.perMsgUs.toFixed(1)} µs (${Math.round(N / bare.seconds)} /s)`,
      ],
      ['ratio pipeline / bare SQLite', `${(pipe.perMsgUs / bare.perMsgUs).toFixed(2)}×`],
    ];
    const width = Math.max(...rows.map((r) => (r[0] as string).length));
    for (const [k, v] of rows) console.log(`${(k as string).padEnd(width)}  ${v}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
