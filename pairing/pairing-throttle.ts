// "Do not answer this sender again before `until`": after the polite full-queue notice (capped) or after a
// denial (denied), so a stranger who keeps writing gets neither a reply storm nor a fresh code.

import type { Db } from '../src/store/db.js';

export type ThrottleReason = 'capped' | 'denied';

export class PairingThrottleRepo {
  private readonly getStmt;
  private readonly setStmt;
  private readonly clearStmt;
  private readonly purgeStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare(
      'SELECT reason, until FROM pairing_throttle WHERE channel = ? AND sender_id = ? AND until > ?',
    );
    this.setStmt = db.prepare(
      `INSERT INTO pairing_throttle (channel, sender_id, reason, until) VALUES (?, ?, ?, ?)
       ON CONFLICT (channel, sender_id) DO UPDATE SET reason = excluded.reason, until = excluded.until`,
    );
    this.clearStmt = db.prepare('DELETE FROM pairing_throttle WHERE channel = ? AND sender_id = ?');
    this.purgeStmt = db.prepare('DELETE FROM pairing_throttle WHERE until <= ?');
  }

  active(
    channel: string,
    senderId: string,
    now: number,
  ): { reason: ThrottleReason; until: number } | undefined {
    return this.getStmt.get(channel, senderId, now) as { reason: ThrottleReason; until: number } | undefined;
  }

  set(channel: string, senderId: string, reason: ThrottleReason, until: number): void {
    this.setStmt.run(channel, senderId, reason, until);
  }

  clear(channel: string, senderId: string): void {
    this.clearStmt.run(channel, senderId);
  }

  purge(now: number): number {
    return this.purgeStmt.run(now).changes;
  }
}
