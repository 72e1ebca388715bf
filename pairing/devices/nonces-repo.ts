// `device_nonces`: the server's half of the login challenge. Each nonce is bound to one public key
// (and link, if any), lives briefly, and is consumed by a compare-and-set so a signature works once.

import type { Db } from '../../src/store/db.js';

export interface NonceRow {
  nonceHash: string;
  deviceId: string;
  publicKey: string;
  linkId: number | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

interface Raw {
  nonce_hash: string;
  device_id: string;
  public_key: string;
  link_id: number | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export class NoncesRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly useStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO device_nonces (nonce_hash, device_id, public_key, link_id, created_at, expires_at)
       VALUES (@nonceHash, @deviceId, @publicKey, @linkId, @createdAt, @expiresAt)`,
    );
    this.getStmt = db.prepare('SELECT * FROM device_nonces WHERE nonce_hash = ?');
    this.useStmt = db.prepare(
      'UPDATE device_nonces SET used_at = ? WHERE nonce_hash = ? AND used_at IS NULL',
    );
    this.pruneStmt = db.prepare('DELETE FROM device_nonces WHERE expires_at <= ?');
  }

  insert(n: Omit<NonceRow, 'usedAt'>): void {
    this.insertStmt.run(n);
  }

  get(nonceHash: string): NonceRow | undefined {
    const r = this.getStmt.get(nonceHash) as Raw | undefined;
    return r
      ? {
          nonceHash: r.nonce_hash,
          deviceId: r.device_id,
          publicKey: r.public_key,
          linkId: r.link_id,
          createdAt: r.created_at,
          expiresAt: r.expires_at,
          usedAt: r.used_at,
        }
      : undefined;
  }

  /** True for the one caller that consumed it. */
  use(nonceHash: string, now: number): boolean {
    return this.useStmt.run(now, nonceHash).changes === 1;
  }

  /** Used and unused nonces alike, once well past their expiry (kept a while so a replay says "used"). */
  prune(before: number): void {
    this.pruneStmt.run(before);
  }
}
