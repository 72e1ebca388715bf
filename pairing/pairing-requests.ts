// Repository of pairing requests (one row per unknown DM sender waiting for approval). Every state change
// is compare-and-set on `state = 'pending'`, so two approvals racing on two connections: exactly one wins.
// The plain code is erased when a request is decided or expires; only its hash stays, for precise errors.

import type { Db } from '../src/store/db.js';
import { hashCode } from './pairing-codes.js';

export type RequestState = 'pending' | 'approved' | 'denied' | 'expired';
type Route = Record<string, string | number | boolean | null>;

export interface PairingRequest {
  id: number;
  channel: string;
  senderId: string;
  senderName: string;
  conversationKey: string;
  route: Route;
  /** The kept first message (inbound row), held until the request is decided. */
  inboundId: number | null;
  /** Only while pending. */
  code: string | null;
  state: RequestState;
  /** The kept message was handed back (approved) or rejected (denied, expired). */
  settled: boolean;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
}

export interface NewPairingRequest {
  channel: string;
  senderId: string;
  senderName: string;
  conversationKey: string;
  route: Route;
  inboundId: number | null;
  code: string;
  createdAt: number;
  expiresAt: number;
}

interface Raw {
  id: number;
  channel: string;
  sender_id: string;
  sender_name: string;
  conversation_key: string;
  route_json: string;
  inbound_id: number | null;
  code: string | null;
  state: RequestState;
  settled: number;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_by: string | null;
}

const toRequest = (r: Raw): PairingRequest => ({
  id: r.id,
  channel: r.channel,
  senderId: r.sender_id,
  senderName: r.sender_name,
  conversationKey: r.conversation_key,
  route: JSON.parse(r.route_json) as Route,
  inboundId: r.inbound_id,
  code: r.code,
  state: r.state,
  settled: r.settled === 1,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  decidedAt: r.decided_at,
  decidedBy: r.decided_by,
});

export class PairingRequestsRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly pendingForStmt;
  private readonly countPendingStmt;
  private readonly listPendingStmt;
  private readonly byHashStmt;
  private readonly pendingByCodeStmt;
  private readonly decideStmt;
  private readonly expireStmt;
  private readonly unsettledStmt;
  private readonly settleStmt;
  private readonly purgeStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO pairing_requests (channel, sender_id, sender_name, conversation_key, route_json, inbound_id,
         code, code_hash, created_at, expires_at)
       VALUES (@channel, @senderId, @senderName, @conversationKey, @routeJson, @inboundId, @code, @codeHash,
         @createdAt, @expiresAt)
       ON CONFLICT DO NOTHING RETURNING *`,
    );
    this.getStmt = db.prepare('SELECT * FROM pairing_requests WHERE id = ?');
    this.pendingForStmt = db.prepare(
      `SELECT * FROM pairing_requests WHERE channel = ? AND sender_id = ? AND state = 'pending'`,
    );
    this.countPendingStmt = db.prepare(
      `SELECT COUNT(*) AS n FROM pairing_requests WHERE channel = ? AND state = 'pending'`,
    );
    this.listPendingStmt = db.prepare(
      `SELECT * FROM pairing_requests WHERE state = 'pending' AND (@channel IS NULL OR channel = @channel)
       ORDER BY created_at, id`,
    );
    // Pending first: a hash can only repeat after an old request's code was erased.
    this.byHashStmt = db.prepare(
      `SELECT * FROM pairing_requests WHERE channel = ? AND code_hash = ?
       ORDER BY state = 'pending' DESC, id DESC LIMIT 1`,
    );
    this.pendingByCodeStmt = db.prepare(
      `SELECT * FROM pairing_requests WHERE code = ? AND state = 'pending'`,
    );
    this.decideStmt = db.prepare(
      `UPDATE pairing_requests SET state = @to, code = NULL, decided_at = @now, decided_by = @actor
       WHERE id = @id AND state = 'pending'`,
    );
    this.expireStmt = db.prepare(
      `UPDATE pairing_requests SET state = 'expired', code = NULL, decided_at = expires_at
       WHERE state = 'pending' AND expires_at <= ?`,
    );
    this.unsettledStmt = db.prepare(
      `SELECT * FROM pairing_requests WHERE state != 'pending' AND settled = 0 ORDER BY id LIMIT ?`,
    );
    this.settleStmt = db.prepare('UPDATE pairing_requests SET settled = 1 WHERE id = ?');
    this.purgeStmt = db.prepare(
      `DELETE FROM pairing_requests WHERE state != 'pending' AND settled = 1 AND decided_at < ?`,
    );
  }

  /** Undefined when the sender already has a pending request or the code is taken on this channel. */
  create(r: NewPairingRequest): PairingRequest | undefined {
    const row = this.insertStmt.get({
      ...r,
      routeJson: JSON.stringify(r.route),
      codeHash: hashCode(r.code),
    }) as Raw | undefined;
    return row ? toRequest(row) : undefined;
  }

  get(id: number): PairingRequest | undefined {
    const r = this.getStmt.get(id) as Raw | undefined;
    return r ? toRequest(r) : undefined;
  }

  pendingFor(channel: string, senderId: string): PairingRequest | undefined {
    const r = this.pendingForStmt.get(channel, senderId) as Raw | undefined;
    return r ? toRequest(r) : undefined;
  }

  countPending(channel: string): number {
    return (this.countPendingStmt.get(channel) as { n: number }).n;
  }

  listPending(channel?: string): PairingRequest[] {
    return (this.listPendingStmt.all({ channel: channel ?? null }) as Raw[]).map(toRequest);
  }

  /** The request a (normalised) code refers to on a channel, pending or not. */
  findByCode(channel: string, code: string): PairingRequest | undefined {
    const r = this.byHashStmt.get(channel, hashCode(code)) as Raw | undefined;
    return r ? toRequest(r) : undefined;
  }

  /** Pending requests with this code on any channel (for an owner approving from the local chat). */
  pendingByCode(code: string): PairingRequest[] {
    return (this.pendingByCodeStmt.all(code) as Raw[]).map(toRequest);
  }

  /** pending → `to`, erasing the code; false when the request was no longer pending. */
  decide(id: number, to: 'approved' | 'denied' | 'expired', now: number, actor: string | null): boolean {
    return this.decideStmt.run({ id, to, now, actor }).changes === 1;
  }

  /** Expires every pending request whose time is up; returns how many. */
  expireDue(now: number): number {
    return this.expireStmt.run(now).changes;
  }

  /** Decided requests whose kept message has not been handed back or rejected yet. */
  unsettled(limit = 100): PairingRequest[] {
    return (this.unsettledStmt.all(limit) as Raw[]).map(toRequest);
  }

  markSettled(id: number): void {
    this.settleStmt.run(id);
  }

  /** Forgets settled requests decided before `before` (the audit log keeps the history). */
  purge(before: number): number {
    return this.purgeStmt.run(before).changes;
  }
}
