// Images and files a run produced. Kept in the database so an outbox retry after a restart
// still has the bytes, and `sandgate runs show` can list what a run made.

import type { Db } from '../db.js';

export interface ArtifactInfo {
  id: number;
  runId: number | null;
  kind: 'image' | 'file';
  name: string;
  mime: string;
  caption: string | null;
  size: number;
  createdAt: number;
}

export interface ArtifactRow extends ArtifactInfo {
  data: Buffer;
}

interface RawArtifact {
  id: number;
  run_id: number | null;
  kind: 'image' | 'file';
  name: string;
  mime: string;
  caption: string | null;
  size: number;
  created_at: number;
  data?: Buffer;
}

const COLUMNS = 'id, run_id, kind, name, mime, caption, length(data) AS size, created_at';

const toInfo = (r: RawArtifact): ArtifactInfo => ({
  id: r.id,
  runId: r.run_id,
  kind: r.kind,
  name: r.name,
  mime: r.mime,
  caption: r.caption,
  size: r.size,
  createdAt: r.created_at,
});

export class ArtifactsRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO artifacts (run_id, kind, name, mime, caption, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    this.getStmt = db.prepare(`SELECT ${COLUMNS}, data FROM artifacts WHERE id = ?`);
    this.listStmt = db.prepare(`SELECT ${COLUMNS} FROM artifacts WHERE run_id = ? ORDER BY id`);
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
    const r = this.getStmt.get(id) as (RawArtifact & { data: Buffer }) | undefined;
    return r ? { ...toInfo(r), data: r.data } : undefined;
  }

  listForRun(runId: number): ArtifactInfo[] {
    return (this.listStmt.all(runId) as RawArtifact[]).map(toInfo);
  }
}
