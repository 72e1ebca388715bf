// One row per execution of a message (a command or an agent turn): state, progress lines,
// usage, and the error if it failed. `sandgate runs` and the dashboard read from here.

import type { Db } from '../db.js';
import { countByState } from './count-by-state.js';

export type RunState = 'running' | 'done' | 'failed' | 'interrupted' | 'cancelled';

export interface RunRow {
  id: number;
  inboundId: number;
  channel: string;
  conversationKey: string;
  kind: string;
  state: RunState;
  error: string | null;
  progress: string[];
  usage: Record<string, number> | null;
  startedAt: number;
  finishedAt: number | null;
}

interface RawRun {
  id: number;
  inbound_id: number;
  channel: string;
  conversation_key: string;
  kind: string;
  state: RunState;
  error: string | null;
  progress_json: string;
  usage_json: string | null;
  started_at: number;
  finished_at: number | null;
}

const toRun = (r: RawRun): RunRow => ({
  id: r.id,
  inboundId: r.inbound_id,
  channel: r.channel,
  conversationKey: r.conversation_key,
  kind: r.kind,
  state: r.state,
  error: r.error,
  progress: JSON.parse(r.progress_json),
  usage: r.usage_json ? JSON.parse(r.usage_json) : null,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

export class RunsRepo {
  private readonly startStmt;
  private readonly finishStmt;
  private readonly progressStmt;

  constructor(private readonly db: Db) {
    this.startStmt = db.prepare(
      `INSERT INTO runs (inbound_id, channel, conversation_key, kind, state, started_at)
       VALUES (?, ?, ?, ?, 'running', ?) RETURNING id`,
    );
    this.finishStmt = db.prepare(
      `UPDATE runs SET state = ?, error = ?, usage_json = ?, finished_at = ? WHERE id = ? AND state = 'running'`,
    );
    this.progressStmt = db.prepare(
      `UPDATE runs SET progress_json = json_insert(progress_json, '$[#]', ?) WHERE id = ?`,
    );
  }

  start(inboundId: number, channel: string, conversationKey: string, kind: string): number {
    return (this.startStmt.get(inboundId, channel, conversationKey, kind, Date.now()) as { id: number }).id;
  }

  finish(id: number, state: Exclude<RunState, 'running'>, error?: string, usage?: object): boolean {
    return (
      this.finishStmt.run(state, error ?? null, usage ? JSON.stringify(usage) : null, Date.now(), id)
        .changes === 1
    );
  }

  addProgress(id: number, line: string): void {
    this.progressStmt.run(line, id);
  }

  get(id: number): RunRow | undefined {
    const r = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RawRun | undefined;
    return r ? toRun(r) : undefined;
  }

  list(opts: { limit?: number; conversationKey?: string } = {}): RunRow[] {
    const rows = opts.conversationKey
      ? this.db
          .prepare('SELECT * FROM runs WHERE conversation_key = ? ORDER BY id DESC LIMIT ?')
          .all(opts.conversationKey, opts.limit ?? 50)
      : this.db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(opts.limit ?? 50);
    return (rows as RawRun[]).map(toRun);
  }

  running(): RunRow[] {
    return (this.db.prepare(`SELECT * FROM runs WHERE state = 'running'`).all() as RawRun[]).map(toRun);
  }

  countByState(): Record<string, number> {
    return countByState(this.db, 'runs');
  }
}
