// Shared test wiring for the model layer: an in-memory SQLite with migration 003, a silent logger,
// a config pointing at the fake server, and a sleep that records waits instead of taking them.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pino from 'pino';
import { type Config, configSchema } from '../../src/config/schema.js';

export const silentLog = pino({ level: 'silent' });

export function openUsageDb(): Database.Database {
  const db = new Database(':memory:');
  db.exec(readFileSync(fileURLToPath(new URL('../../migrations/003_usage.sql', import.meta.url)), 'utf8'));
  return db;
}

/**
 * Tests talk to a current model id: the contract default (claude-sonnet-4-5) is on the SDK's deprecated
 * list and makes the SDK console.warn on every request.
 */
export const TEST_MODEL = 'claude-sonnet-5';

export function testConfig(baseUrl: string, extra: Record<string, unknown> = {}): Config {
  const input = {
    ...extra,
    anthropic: {
      apiKey: 'sk-ant-test-key-123',
      baseUrl,
      model: TEST_MODEL,
      ...(extra.anthropic as object | undefined),
    },
  };
  return { ...configSchema.parse(input), home: '/nonexistent' };
}

export function recordingSleep(): {
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  waits: number[];
} {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number, signal?: AbortSignal) => {
      waits.push(ms);
      if (signal?.aborted) throw new Error('aborted');
    },
  };
}
