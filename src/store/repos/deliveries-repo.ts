// The outbox: every reply is a row before any channel sees it, so a crash or a failing platform
// delays a reply but never loses it. Rows are delivered in id order per conversation.

import type { Db } from '../db.js';
import { countByState } from './count-by-state.js';

export interface DeliveryPayload {
  text?: string;
  imageIds?: number[];
  fileIds?: number[];
  links?: { url: string; label?: string }[];
  /** Replace this earlier message (a progress status) instead of posting, when the channel can edit. */
  replaces?: { messageIds: string[] };
}

export interface DeliveryRow {
  id: number;
  channel: string;
  conversationKey: string;
  route: Record<string, string | number | boolean | null>;
  inboundId: number | null;
  runId: number | null;
  payload: DeliveryPayload;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export interface NewDelivery {
  channel: string;
  conversationKey: string;
  route: DeliveryRow['route'];
  inboundId?: number | null;
  runId?: number | null;
  payload: DeliveryPayload;
}

interface RawDelivery {
  id: number;
  channel: string;
  conversation_key: string;
  route_json: string;
  inbound_id: number | null;
  run_id: number | null;
  payload_json: string;
  state: DeliveryRow['state'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

const toDelivery = (r: RawDelivery): DeliveryRow => ({
  id: r.id,
  channel: r.channel,
  conversationKey: r.conversation_key,
  route: JSON.parse(r.route_json),
  inboundId: r.inbound_id,
  runId: r.run_id,
  payload: JSON.parse(r.payload_json),
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
});

export class DeliveriesRepo {
  private readonly insertStmt;
  private readonly dueStmt;
  private readonly sentStmt;
  private readonly retryStmt;
  private readonly failStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO deliveries (channel, conversation_key, route_json, inbound_id, run_id, payload_json, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    // The head of each conversation's pending queue, if it is due: later rows wait for earlier ones.
    this.dueStmt = db.prepare(
      `SELECT d.* FROM deliveries d
       JOIN (SELECT MIN(id) AS id FROM deliveries WHERE state = 'pending' GROUP BY conversation_key) h ON h.id = d.id
       WHERE d.next_attempt_at <= ? ORDER BY d.id LIMIT ?`,
    );
    this.sentStmt = db.prepare(
      `UPDATE deliveries SET state = 'sent', attempts = attempts + 1, receipt_json = ?, sent_at = ?, last_error = NULL
       WHERE id = ? AND state = 'pending'`,
    );
    this.retryStmt = db.prepare(
      `UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'pending'`,
    );
    this.failStmt = db.prepare(
      `UPDATE deliveries SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'pending'`,
    );
  }

  enqueue(d: NewDelivery, now = Date.now()): number {
    const row = this.insertStmt.get(
      d.channel,
      d.conversationKey,
      JSON.stringify(d.route),
      d.inboundId ?? null,
      d.runId ?? null,
      JSON.stringify(d.payload),
      now,
      now,
    ) as { id: number };
    return row.id;
  }

  due(now: number, limit = 100): DeliveryRow[] {
    return (this.dueStmt.all(now, limit) as RawDelivery[]).map(toDelivery);
  }

  markSent(id: number, receipt: unknown, now = Date.now()): void {
    this.sentStmt.run(JSON.stringify(receipt ?? null), now, id);
  }

  markRetry(id: number, nextAttemptAt: number, error: string): void {
    this.retryStmt.run(nextAttemptAt, error, id);
  }

  markFailed(id: number, error: string): void {
    this.failStmt.run(error, id);
  }

  get(id: number): DeliveryRow | undefined {
    const r = this.db.prepare('SELECT * FROM deliveries WHERE id = ?').get(id) as RawDelivery | undefined;
    return r ? toDelivery(r) : undefined;
  }

  listForConversation(conversationKey: string, limit = 100): DeliveryRow[] {
    return (
      this.db
        .prepare('SELECT * FROM deliveries WHERE conversation_key = ? ORDER BY id DESC LIMIT ?')
        .all(conversationKey, limit) as RawDelivery[]
    )
      .map(toDelivery)
      .reverse();
  }

  pendingCount(): number {
    return (
      this.db.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE state = 'pending'`).get() as { n: number }
    ).n;
  }

  nextDueAt(): number | undefined {
    const r = this.db
      .prepare(`SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE state = 'pending'`)
      .get() as {
      t: number | null;
    };
    return r.t ?? undefined;
  }

  countByState(): Record<string, number> {
    return countByState(this.db, 'deliveries');
  }
}
