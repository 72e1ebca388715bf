// The audit log: every approval, denial, allowlist and owner change, with who made it (the CLI, an owner
// from their chat, the dashboard), and every MCP tool call. Append-only; a change is written in the same
// transaction as the change it records.

import type { Db } from '../src/store/db.js';

/** `chat:<channel>:<sender id>` for an owner acting from their own chat. */
export type Actor = 'cli' | 'dashboard' | 'system' | `chat:${string}`;

export type AuditAction =
  | 'pairing.approve'
  | 'pairing.deny'
  | 'allow.add'
  | 'allow.remove'
  | 'owner.set'
  | 'owner.clear'
  | 'device.approve'
  | 'device.revoke'
  | 'device.link'
  /** A tool call over MCP (/mcp): subject = tool and sandbox, detail = outcome and duration. */
  | 'mcp.call';

export interface AuditEntry {
  id: number;
  at: number;
  action: AuditAction;
  channel: string;
  subject: string;
  actor: string;
  detail: Record<string, string | number | boolean | null> | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export function chatActor(channel: string, senderId: string): Actor {
  return `chat:${channel}:${senderId}`;
}

interface Raw {
  id: number;
  at: number;
  action: AuditAction;
  channel: string;
  subject: string;
  actor: string;
  detail_json: string | null;
}

export class AuditLog {
  private readonly insertStmt;
  private readonly listStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO audit_log (at, action, channel, subject, actor, detail_json)
       VALUES (@at, @action, @channel, @subject, @actor, @detailJson)`,
    );
    this.listStmt = db.prepare(
      `SELECT * FROM (SELECT * FROM audit_log WHERE (@channel IS NULL OR channel = @channel)
         ORDER BY at DESC, id DESC LIMIT @limit) ORDER BY at, id`,
    );
  }

  record(e: NewAuditEntry): void {
    this.insertStmt.run({ ...e, detailJson: e.detail ? JSON.stringify(e.detail) : null });
  }

  /** The latest `limit` entries, oldest first. */
  list(opts: { limit?: number; channel?: string } = {}): AuditEntry[] {
    const rows = this.listStmt.all({ channel: opts.channel ?? null, limit: opts.limit ?? 50 }) as Raw[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      action: r.action,
      channel: r.channel,
      subject: r.subject,
      actor: r.actor,
      detail: r.detail_json ? (JSON.parse(r.detail_json) as AuditEntry['detail']) : null,
    }));
  }
}
