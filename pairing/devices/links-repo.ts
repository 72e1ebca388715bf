// `dashboard_links`: one-time login links printed by `sandgate dashboard`. The link carries a random
// secret (never the gateway token); the table keeps its hash. Consuming is a compare-and-set.

import type { Db } from '../../src/store/db.js';

export interface LinkRow {
  id: number;
  secretHash: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  usedBy: string | null;
}

interface Raw {
  id: number;
  secret_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by: string | null;
}

const toRow = (r: Raw): LinkRow => ({
  id: r.id,
  secretHash: r.secret_hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  usedBy: r.used_by,
});

export class LinksRepo {
  private readonly insertStmt;
  private readonly byHashStmt;
  private readonly byIdStmt;
  private readonly useStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO dashboard_links (secret_hash, created_at, expires_at) VALUES (?, ?, ?) RETURNING id',
    );
    this.byHashStmt = db.prepare('SELECT * FROM dashboard_links WHERE secret_hash = ?');
    this.byIdStmt = db.prepare('SELECT * FROM dashboard_links WHERE id = ?');
    this.useStmt = db.prepare(
      'UPDATE dashboard_links SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?',
    );
    this.pruneStmt = db.prepare('DELETE FROM dashboard_links WHERE expires_at <= ?');
  }

  insert(secretHash: string, createdAt: number, expiresAt: number): number {
    return (this.insertStmt.get(secretHash, createdAt, expiresAt) as { id: number }).id;
  }

  byHash(secretHash: string): LinkRow | undefined {
    const r = this.byHashStmt.get(secretHash) as Raw | undefined;
    return r ? toRow(r) : undefined;
  }

  byId(id: number): LinkRow | undefined {
    const r = this.byIdStmt.get(id) as Raw | undefined;
    return r ? toRow(r) : undefined;
  }

  /** True for the one caller that consumed an unexpired, unused link. */
  use(id: number, deviceId: string, now: number): boolean {
    return this.useStmt.run(now, deviceId, id, now).changes === 1;
  }

  prune(before: number): void {
    this.pruneStmt.run(before);
  }
}
