// Wiring for analysis-agent tests: a REAL local (bubblewrap) sandbox provider, the real Anthropic SDK
// talking to the Messages API fake, task files backed by buffers, and a context that records progress.

import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Progress, RunContext, Task, TaskFile } from '../../../agents/agent.js';
import { configSchema } from '../../../src/config/schema.js';
import { createModelClient, type ModelClient, UsageRepository } from '../../../src/model/index.js';
import type { Sandbox } from '../../../src/sandbox/provider.js';
import { type FakeAnthropic, startFakeAnthropic } from '../../fakes/anthropic/server.js';
import { openUsageDb, recordingSleep, silentLog, TEST_MODEL, testConfig } from '../../model/helpers.js';

export const KEY = 'sk-ant-analysis-test-key-4c1d';

export const VEHICLES_CSV = readFileSync(new URL('../../../data/samples/vehicles.csv', import.meta.url));

export interface ModelHarness {
  fake: FakeAnthropic;
  model: ModelClient;
  close(): Promise<void>;
}

export async function startModel(): Promise<ModelHarness> {
  const fake = await startFakeAnthropic({ apiKey: KEY, model: TEST_MODEL });
  const db: Database.Database = openUsageDb();
  const model = createModelClient(testConfig(fake.url, { anthropic: { apiKey: KEY } }), {
    usage: new UsageRepository(db),
    log: silentLog,
    sleep: recordingSleep().sleep,
  });
  if (!model) throw new Error('no model client');
  return {
    fake,
    model,
    close: async () => {
      await fake.close();
      db.close();
    },
  };
}

export function analysisConfig(agents: Record<string, unknown> = {}, execTimeoutSec = 30) {
  return configSchema.parse({ sandbox: { execTimeoutSec }, agents });
}

export function file(
  name: string,
  data: Buffer | string,
  extra: Partial<TaskFile> = {},
): TaskFile & {
  fetches: () => number;
} {
  const buf = Buffer.from(data);
  let fetches = 0;
  return {
    name,
    mime: 'application/octet-stream',
    size: buf.length,
    fetch: async () => {
      fetches++;
      return buf;
    },
    fetches: () => fetches,
    ...extra,
  };
}

let runId = 100;

export function task(text: string, files: TaskFile[] = [], conversationKey = 'local:analysis-1'): Task {
  return { runId: runId++, conversationKey, senderId: 'local:owner', text, files, options: {} };
}

export function runContext(sandbox: Sandbox | undefined, model: unknown, signal?: AbortSignal) {
  const progress: Progress[] = [];
  let sandboxCalls = 0;
  const ctx: RunContext = {
    sandbox: () => {
      sandboxCalls++;
      return sandbox ? Promise.resolve(sandbox) : Promise.reject(new Error('no sandbox in this test'));
    },
    spawnSandbox: () => Promise.reject(new Error('the analysis agent spawns no child sandboxes')),
    model: model as RunContext['model'],
    emit: (p) => progress.push(p),
    signal: signal ?? new AbortController().signal,
    log: silentLog,
  };
  return { ctx, progress, sandboxCalls: () => sandboxCalls };
}

/** The text of the last user message a recorded request carried (string or text blocks). */
export function userText(
  req: { body: { messages: { role: string; content: unknown }[] } } | undefined,
): string {
  const content = req?.body.messages.at(-1)?.content;
  if (typeof content === 'string') return content;
  return ((content ?? []) as { type: string; text?: string }[])
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('\n');
}

/** Row count and mean of a numeric column of a plain comma-separated file, computed here, not in Python. */
export function csvStats(csv: Buffer, column: string): { rows: number; mean: number } {
  const [header, ...lines] = csv.toString('utf8').trimEnd().split('\n');
  const idx = (header ?? '').split(',').indexOf(column);
  const values = lines.map((l) => Number(l.split(',')[idx]));
  return { rows: lines.length, mean: values.reduce((a, b) => a + b, 0) / values.length };
}
