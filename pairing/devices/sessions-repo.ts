// `device_sessions`: the cookie session of a signed-in device. The cookie holds a random secret; the
// table holds its hash, the device it belongs to and the CSRF token that every mutation must echo.

import type { Db } from '../../src/store/db.js';
import type { DeviceRow } from './devices-repo.js';

export interface SessionRow {
  idHash: string;
  deviceId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export class SessionsRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly deleteStmt;
  private readonly deleteDeviceStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO device_sessions (id_hash, device_id, csrf_token, created_at, expires_at)
       VALUES (@idHash, @deviceId, @csrfToken, @createdAt, @expiresAt)`,
    );
    this.getStmt = db.prepare('SELECT * FROM device_sessions WHERE id_hash = ?');
    this.deleteStmt = db.prepare('DELETE FROM device_sessions WHERE id_hash = ?');
    this.deleteDeviceStmt = db.prepare('DELETE FROM device_sessions WHERE device_id = ?');
    this.pruneStmt = db.prepare('DELETE FROM device_sessions WHERE expires_at <= ?');
  }

  insert(s: SessionRow): void {
    this.insertStmt.run(s);
  }

  get(idHash: string): SessionRow | undefined {
    const r = this.getStmt.get(idHash) as
      | { id_hash: string; device_id: string; csrf_token: string; created_at: number; expires_at: number }
      | undefined;
    return r
      ? {
          idHash: r.id_hash,
          deviceId: r.device_id,
          csrfToken: r.csrf_token,
          createdAt: r.created_at,
          expiresAt: r.expires_at,
        }
      : undefined;
  }

  delete(idHash: string): void {
    this.deleteStmt.run(idHash);
  }

  deleteForDevice(deviceId: DeviceRow['id']): number {
    return this.deleteDeviceStmt.run(deviceId).changes;
  }

  prune(now: number): void {
    this.pruneStmt.run(now);
  }
}
