// The `devices` table: one row per browser keypair that asked to use the dashboard. State changes are
// compare-and-set on the current state, so two approvers (CLI and dashboard) cannot both "win".

import type { Db } from '../../src/store/db.js';

export type DeviceState = 'pending' | 'approved' | 'revoked' | 'expired';

export interface DeviceRow {
  id: string;
  publicKey: string;
  label: string;
  state: DeviceState;
  createdAt: number;
  expiresAt: number | null;
  decidedAt: number | null;
  decidedBy: string | null;
  lastSeenAt: number | null;
}

interface Raw {
  id: string;
  public_key: string;
  label: string;
  state: DeviceState;
  created_at: number;
  expires_at: number | null;
  decided_at: number | null;
  decided_by: string | null;
  last_seen_at: number | null;
}

const toRow = (r: Raw): DeviceRow => ({
  id: r.id,
  publicKey: r.public_key,
  label: r.label,
  state: r.state,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  decidedAt: r.decided_at,
  decidedBy: r.decided_by,
  lastSeenAt: r.last_seen_at,
});

export class DevicesRepo {
  private readonly getStmt;
  private readonly listStmt;
  private readonly insertPendingStmt;
  private readonly setStateStmt;
  private readonly seenStmt;
  private readonly expireStmt;
  private readonly pendingCountStmt;
  private readonly forgetStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT * FROM devices WHERE id = ?');
    this.listStmt = db.prepare(
      `SELECT * FROM devices ORDER BY CASE state WHEN 'pending' THEN 0 WHEN 'approved' THEN 1 ELSE 2 END, created_at DESC`,
    );
    // A device that comes back after its request lapsed asks again; a known device keeps its row.
    this.insertPendingStmt = db.prepare(
      `INSERT INTO devices (id, public_key, label, state, created_at, expires_at)
       VALUES (@id, @publicKey, @label, 'pending', @now, @expiresAt)
       ON CONFLICT (id) DO UPDATE SET state = 'pending', label = excluded.label, created_at = excluded.created_at,
         expires_at = excluded.expires_at, decided_at = NULL, decided_by = NULL
       WHERE devices.state = 'expired'`,
    );
    this.setStateStmt = db.prepare(
      `UPDATE devices SET state = @to, decided_at = @now, decided_by = @by, expires_at = NULL
       WHERE id = @id AND state IN (SELECT value FROM json_each(@from))`,
    );
    this.seenStmt = db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?');
    this.expireStmt = db.prepare(
      `UPDATE devices SET state = 'expired' WHERE state = 'pending' AND expires_at <= ?`,
    );
    this.pendingCountStmt = db.prepare(
      `SELECT COUNT(*) AS n FROM devices WHERE state = 'pending' AND expires_at > ?`,
    );
    this.forgetStmt = db.prepare(`DELETE FROM devices WHERE state = 'expired' AND created_at <= ?`);
  }

  get(id: string): DeviceRow | undefined {
    const r = this.getStmt.get(id) as Raw | undefined;
    return r ? toRow(r) : undefined;
  }

  list(): DeviceRow[] {
    return (this.listStmt.all() as Raw[]).map(toRow);
  }

  /** Creates (or revives an expired) pending request; returns false when the device already has a row. */
  insertPending(d: {
    id: string;
    publicKey: string;
    label: string;
    now: number;
    expiresAt: number;
  }): boolean {
    return this.insertPendingStmt.run(d).changes === 1;
  }

  /** Compare-and-set: moves the device to `to` only from one of `from`. */
  setState(id: string, from: DeviceState[], to: DeviceState, by: string, now: number): boolean {
    return this.setStateStmt.run({ id, from: JSON.stringify(from), to, by, now }).changes === 1;
  }

  insertApproved(d: { id: string; publicKey: string; label: string; now: number; by: string }): void {
    this.insertPendingStmt.run({ ...d, expiresAt: d.now });
    this.setState(d.id, ['pending', 'expired', 'revoked'], 'approved', d.by, d.now);
  }

  markSeen(id: string, now: number): void {
    this.seenStmt.run(now, id);
  }

  expireDue(now: number): number {
    return this.expireStmt.run(now).changes;
  }

  pendingCount(now: number): number {
    return (this.pendingCountStmt.get(now) as { n: number }).n;
  }

  /** Lapsed requests are forgotten after a while; approved and revoked devices stay for the record. */
  forgetExpired(before: number): void {
    this.forgetStmt.run(before);
  }
}
