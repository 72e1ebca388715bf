// The `usage` table (migrations/003_usage.sql): one row per model call. Feeds `sandgate runs show`
// and the per-sender daily budget. SQLite errors propagate; callers decide whether a run fails.

import type Database from 'better-sqlite3';
import type { UsageTotals } from './types.js';

export interface UsageRecord extends UsageTotals {
  runId: number;
  senderKey: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  model: string;
  at: Date;
}

export interface RunUsage extends UsageTotals {
  calls: number;
  models: string[];
}

interface TotalsRow {
  input: number | null;
  output: number | null;
  cache_read: number | null;
  cache_write: number | null;
  cost: number | null;
  calls: number;
}

const TOTALS = `COALESCE(SUM(input_tokens),0) AS input, COALESCE(SUM(output_tokens),0) AS output,
  COALESCE(SUM(cache_read_tokens),0) AS cache_read, COALESCE(SUM(cache_write_tokens),0) AS cache_write,
  COALESCE(SUM(cost_usd),0) AS cost, COUNT(*) AS calls`;

function toTotals(row: TotalsRow | undefined): UsageTotals {
  return {
    inputTokens: row?.input ?? 0,
    outputTokens: row?.output ?? 0,
    cacheReadTokens: row?.cache_read ?? 0,
    cacheWriteTokens: row?.cache_write ?? 0,
    costUsd: row?.cost ?? 0,
  };
}

export class UsageRepository {
  private readonly insert: Database.Statement;
  private readonly byDay: Database.Statement;
  private readonly byRun: Database.Statement;
  private readonly modelsByRun: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO usage (run_id, sender_key, day, model, input_tokens, output_tokens, cache_read_tokens,
         cache_write_tokens, cost_usd, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byDay = db.prepare(`SELECT ${TOTALS} FROM usage WHERE sender_key = ? AND day = ?`);
    this.byRun = db.prepare(`SELECT ${TOTALS} FROM usage WHERE run_id = ?`);
    this.modelsByRun = db.prepare('SELECT DISTINCT model FROM usage WHERE run_id = ? ORDER BY model');
  }

  record(r: UsageRecord): void {
    this.insert.run(
      r.runId,
      r.senderKey,
      r.day,
      r.model,
      r.inputTokens,
      r.outputTokens,
      r.cacheReadTokens,
      r.cacheWriteTokens,
      r.costUsd,
      r.at.toISOString(),
    );
  }

  /** What a sender used on one UTC day. */
  dayTotals(senderKey: string, day: string): UsageTotals {
    return toTotals(this.byDay.get(senderKey, day) as TotalsRow | undefined);
  }

  /** What one run used, across all its model calls (for `sandgate runs show`). */
  runTotals(runId: number): RunUsage {
    const row = this.byRun.get(runId) as TotalsRow | undefined;
    const models = (this.modelsByRun.all(runId) as { model: string }[]).map((m) => m.model);
    return { ...toTotals(row), calls: row?.calls ?? 0, models };
  }
}

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
