// Images and files a run produced. Kept in the database so an outbox retry after a restart
// still has the bytes, and `sandgate runs show` can list what a run made.

import type { Db } from '../db.js';

export interface ArtifactRow {
  id: number;
  runId: number | null;
  kind: 'image' | 'file';
  name: string;
  mime: string;
  caption: string | null;
  data: Buffer;
  createdAt: number;
}

export class ArtifactsRepo {
  private readonly insertStmt;
  private readonly getStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO artifacts (run_id, kind, name, mime, caption, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    this.getStmt = db.prepare('SELECT * FROM artifacts WHERE id = ?');
  }

  add(a: {
    runId: number | null;
    kind: 'image' | 'file';
    name: string;
    mime: string;
    caption?: string;
    data: Buffer;
  }): number {
    return (
      this.insertStmt.get(a.runId, a.kind, a.name, a.mime, a.caption ?? null, a.data, Date.now()) as {
        id: number;
      }
    ).id;
  }

  get(id: number): ArtifactRow | undefined {
    const r = this.getStmt.get(id) as
      | {
          id: number;
          run_id: number | null;
          kind: 'image' | 'file';
          name: string;
          mime: string;
          caption: string | null;
          data: Buffer;
          created_at: number;
        }
      | undefined;
    return r
      ? {
          id: r.id,
          runId: r.run_id,
          kind: r.kind,
          name: r.name,
          mime: r.mime,
          caption: r.caption,
          data: r.data,
          createdAt: r.created_at,
        }
      : undefined;
  }

  listForRun(runId: number): Omit<ArtifactRow, 'data'>[] {
    const rows = this.db
      .prepare(
        'SELECT id, run_id, kind, name, mime, caption, length(data) AS size, created_at FROM artifacts WHERE run_id = ? ORDER BY id',
      )
      .all(runId) as {
      id: number;
      run_id: number;
      kind: 'image' | 'file';
      name: string;
      mime: string;
      caption: string | null;
      size: number;
      created_at: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      kind: r.kind,
      name: r.name,
      mime: r.mime,
      caption: r.caption,
      size: r.size,
      createdAt: r.created_at,
    }));
  }
}
