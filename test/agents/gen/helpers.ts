// Wiring for /gen tests: a REAL local (bubblewrap) sandbox provider with enough address space for
// Node (V8 reserves ~750 MB), the real Anthropic SDK against the Messages API fake, usage recorded in
// SQLite, and a run context that records progress.

import type Database from 'better-sqlite3';
import type { Progress, RunContext, Task } from '../../../agents/agent.js';
import { configSchema } from '../../../src/config/schema.js';
import { createModelClient, type ModelClient, UsageRepository } from '../../../src/model/index.js';
import type { Sandbox } from '../../../src/sandbox/provider.js';
import type { LocalProviderOptions } from '../../../src/sandbox/providers/local/local-provider.js';
import {
  type FakeAnthropic,
  type RecordedRequest,
  startFakeAnthropic,
} from '../../fakes/anthropic/server.js';
import { openUsageDb, recordingSleep, silentLog, TEST_MODEL, testConfig } from '../../model/helpers.js';
import { localProvider } from '../../sandbox/helpers.js';

export const KEY = 'sk-ant-gen-test-key-77aa';

/** Node needs more address space than the sandbox tests' 512 MB; 2048 MB is the product default. */
export function genProvider(home: string, extra: Partial<LocalProviderOptions> = {}) {
  return localProvider(home, {
    limits: { memoryMb: 2048, maxProcesses: 64, maxFileMb: 64, cpuSeconds: 60 },
    ...extra,
  });
}

export interface ModelHarness {
  fake: FakeAnthropic;
  model: ModelClient;
  db: Database.Database;
  close(): Promise<void>;
}

export async function startModel(): Promise<ModelHarness> {
  const fake = await startFakeAnthropic({ apiKey: KEY, model: TEST_MODEL });
  const db = openUsageDb();
  const model = createModelClient(testConfig(fake.url, { anthropic: { apiKey: KEY } }), {
    usage: new UsageRepository(db),
    log: silentLog,
    sleep: recordingSleep().sleep,
  });
  if (!model) throw new Error('no model client');
  return {
    fake,
    model,
    db,
    close: async () => {
      await fake.close();
      db.close();
    },
  };
}

export function genConfig(agents: Record<string, unknown> = {}, execTimeoutSec = 30) {
  return configSchema.parse({ sandbox: { execTimeoutSec }, agents });
}

let runId = 500;

export function genTask(text: string, options: Task['options'] = {}, conversationKey = 'local:gen-1'): Task {
  return { runId: runId++, conversationKey, senderId: 'local:owner', text, files: [], options };
}

export function runContext(sandbox: Sandbox, model: ModelClient, signal?: AbortSignal) {
  const progress: Progress[] = [];
  const ctx: RunContext = {
    sandbox: () => Promise.resolve(sandbox),
    spawnSandbox: () => Promise.reject(new Error('/gen spawns no child sandboxes')),
    model,
    emit: (p) => progress.push(p),
    signal: signal ?? new AbortController().signal,
    log: silentLog,
  };
  return { ctx, progress };
}

/** The text of the user turns of a request (the task as the model saw it). */
export function userText(req: RecordedRequest): string {
  type Block = { type: string; text?: string };
  return (req.body.messages as { role: string; content: string | Block[] }[])
    .filter((m) => m.role === 'user')
    .flatMap((m) => (typeof m.content === 'string' ? [m.content] : m.content.map((b) => b.text ?? '')))
    .join('\n');
}
