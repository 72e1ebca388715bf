// Test support for the dashboard: the Telegram fake as its own process, a small PNG "chart" made here
// (no plotting library needed), a finished run with that chart seeded into the gateway's database the way
// the runner stores one, and a cookie-keeping fetch for the HTTP-level tests.

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { deflateSync } from 'node:zlib';
import { openDatabase } from '../../src/store/db.js';
import { createStore } from '../../src/store/store.js';

export interface TelegramFake {
  apiRoot: string;
  token: string;
  control(path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  stop(): void;
}

export async function startTelegramFake(): Promise<TelegramFake> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/fakes/telegram/main.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`telegram fake exited with ${code}`)));
  });
  const { apiRoot, token } = JSON.parse(line) as { apiRoot: string; token: string };
  return {
    apiRoot,
    token,
    control: async (path, body) => {
      const res = await fetch(`${apiRoot}/__control${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    },
    stop: () => {
      child.kill('SIGTERM');
    },
  };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A width×height RGB PNG of a bar chart with the given bar heights (0..1). */
export function barChartPng(width: number, height: number, bars: number[]): Buffer {
  const rows: Buffer[] = [];
  const barWidth = Math.floor(width / (bars.length * 2 + 1));
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3, 255);
    row[0] = 0;
    for (let x = 0; x < width; x++) {
      const slot = Math.floor(x / barWidth);
      const bar = slot % 2 === 1 ? bars[(slot - 1) / 2] : undefined;
      const filled = bar !== undefined && height - y <= bar * (height - 10);
      if (filled) row.set([47, 111, 94], 1 + x * 3);
      if (y === height - 1) row.set([80, 80, 80], 1 + x * 3);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A finished analysis run with progress lines, usage, a chart artifact and a reply with a preview link,
 * written the way the runner writes one (no agent in these tests can draw a chart yet).
 */
export function seedChartRun(dbFile: string): { runId: number; png: Buffer } {
  const store = createStore(openDatabase(dbFile));
  try {
    const png = barChartPng(240, 140, [0.35, 0.8, 0.55, 0.95]);
    const runId = store.db
      .transaction(() => {
        const inbound = store.inbound.insert({
          channel: 'local',
          platformId: `seed-${Date.now()}`,
          conversationKey: 'local:charts',
          route: { conversation: 'charts' },
          senderId: 'owner',
          senderName: 'owner',
          isDirect: true,
          mentioned: true,
          text: '/analyze sales by quarter',
          attachments: [],
          receivedAt: Date.now(),
        });
        const inboundId = inbound?.id;
        if (inboundId === undefined) throw new Error('seed inbound not inserted');
        store.inbound.transition(inboundId, ['received'], 'done');
        const id = store.runs.start(inboundId, 'local', 'local:charts', 'analysis');
        store.runs.addProgress(id, '[analysis] 🔧 runCode: df.groupby("quarter").sum()');
        store.runs.addProgress(id, '[analysis] chart: Sales by quarter');
        store.toolCalls.record(
          id,
          {
            name: 'runCode',
            input: { code: 'df.groupby("quarter").sum()' },
            output: 'Q4    950',
            isError: false,
            durationMs: 1530,
            tokens: { input: 12_400, output: 830, cacheRead: 10_200, cacheWrite: 0 },
          },
          'analysis',
        );
        const imageId = store.artifacts.add({
          runId: id,
          kind: 'image',
          name: 'sales.png',
          mime: 'image/png',
          caption: 'Sales by quarter',
          data: png,
        });
        store.deliveries.enqueue({
          channel: 'local',
          conversationKey: 'local:charts',
          route: { conversation: 'charts' },
          inboundId,
          runId: id,
          payload: {
            text: 'Sales peaked in Q4.',
            imageIds: [imageId],
            links: [{ url: 'http://127.0.0.1:9/preview/report', label: 'Open the report preview' }],
          },
        });
        store.runs.finish(id, 'done', undefined, { inputTokens: 12_400, outputTokens: 830, costUsd: 0.0497 });
        return id;
      })
      .immediate();
    return { runId, png };
  } finally {
    store.db.close();
  }
}

/** fetch with one cookie jar (enough for the single session cookie the dashboard sets). */
export function cookieFetch(base: string) {
  const jar = new Map<string, string>();
  const f = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    let res: Response;
    try {
      res = await fetch(base + path, { ...init, headers, redirect: 'manual' });
    } catch (err) {
      // A keep-alive socket the server closed while the test waited on a slow CLI child: the request never
      // reached the server, so sending it again on a fresh connection is safe (as browsers do).
      const code = ((err as Error).cause as { code?: string } | undefined)?.code;
      if (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET') throw err;
      res = await fetch(base + path, { ...init, headers, redirect: 'manual' });
    }
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = (pair ?? '').split('=');
      if (!k) continue;
      const value = v.join('=');
      if (value && !/max-age=0/i.test(c)) jar.set(k.trim(), value);
      else jar.delete(k.trim());
    }
    return res;
  };
  return Object.assign(f, { jar });
}
