// The tree of agents a run grew (DESIGN §9.3 `tree`), one JSON document per run. Written by the agent
// that builds it (rewritten whole, so a reader never sees half an update); read by `runs show` and the
// dashboard. A document that no longer parses reads as absent rather than failing the reader.

import type { Db } from '../db.js';

export class RunTreesRepo {
  private readonly putStmt;
  private readonly getStmt;

  constructor(db: Db) {
    this.putStmt = db.prepare(
      `INSERT INTO run_trees (run_id, tree_json, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(run_id) DO UPDATE SET tree_json = excluded.tree_json, updated_at = excluded.updated_at`,
    );
    this.getStmt = db.prepare('SELECT tree_json FROM run_trees WHERE run_id = ?');
  }

  /** Stores (replaces) run `runId`'s tree: any JSON value. */
  put(runId: number, tree: unknown): void {
    this.putStmt.run(runId, JSON.stringify(tree), Date.now());
  }

  /** The run's tree, or null when it grew none. */
  get(runId: number): unknown {
    const row = this.getStmt.get(runId) as { tree_json: string } | undefined;
    if (!row) return null;
    try {
      return JSON.parse(row.tree_json) as unknown;
    } catch {
      return null;
    }
  }
}
