// The tool calls of each run, for the dashboard's run page (name, input, output, duration, tokens,
// cache hits). Input and output are cut to a bounded size here: a run can call tools thousands of times.

import { cutText } from '../../text/cut.js';
import type { Db } from '../db.js';

/** One tool call as an agent reports it (Progress.toolCall). */
export interface ToolCallDetail {
  name: string;
  input: unknown;
  output: string;
  isError: boolean;
  durationMs: number;
  /** Tokens of the model turn that asked for this call (shared by calls of the same turn). */
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
}

export interface ToolCallRow extends ToolCallDetail {
  id: number;
  runId: number;
  at: number;
  agent: string | null;
}

const MAX_CHARS = 8000;

export class ToolCallsRepo {
  private readonly insertStmt;
  private readonly listStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO tool_calls (run_id, at, agent, name, input_json, output, is_error, duration_ms,
         input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.listStmt = db.prepare('SELECT * FROM tool_calls WHERE run_id = ? ORDER BY id LIMIT ?');
  }

  record(runId: number, call: ToolCallDetail, agent?: string): void {
    let input: string;
    try {
      input = JSON.stringify(call.input ?? null);
    } catch {
      input = '"(not JSON)"';
    }
    this.insertStmt.run(
      runId,
      Date.now(),
      agent ?? null,
      cutText(call.name, 200),
      cutText(input, MAX_CHARS),
      cutText(call.output, MAX_CHARS),
      call.isError ? 1 : 0,
      Math.round(call.durationMs),
      call.tokens.input,
      call.tokens.output,
      call.tokens.cacheRead,
      call.tokens.cacheWrite,
    );
  }

  /** A run's calls in order (at most `limit`). */
  listForRun(runId: number, limit = 1000): ToolCallRow[] {
    return (this.listStmt.all(runId, limit) as Record<string, unknown>[]).map((r) => {
      let input: unknown;
      try {
        input = JSON.parse(r.input_json as string);
      } catch {
        input = r.input_json;
      }
      return {
        id: r.id as number,
        runId: r.run_id as number,
        at: r.at as number,
        agent: (r.agent as string | null) ?? null,
        name: r.name as string,
        input,
        output: r.output as string,
        isError: r.is_error === 1,
        durationMs: r.duration_ms as number,
        tokens: {
          input: r.input_tokens as number,
          output: r.output_tokens as number,
          cacheRead: r.cache_read_tokens as number,
          cacheWrite: r.cache_write_tokens as number,
        },
      };
    });
  }
}
