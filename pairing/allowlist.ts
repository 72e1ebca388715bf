// Repository of allowlist entries per channel: senders (user ids as the channel reports them) and groups
// (`group:<conversationKey>`; an entry also covers the group's threads, `<key>:…`). Read on every
// message, so a removal applies to the next one.

import type { Db } from '../src/store/db.js';

export type EntryKind = 'sender' | 'group';

export interface AllowEntry {
  channel: string;
  kind: EntryKind;
  /** Sender id, or the group's conversation key. */
  subject: string;
  name: string;
  addedBy: string;
  addedAt: number;
}

interface Raw {
  channel: string;
  kind: EntryKind;
  subject: string;
  name: string;
  added_by: string;
  added_at: number;
}

const toEntry = (r: Raw): AllowEntry => ({
  channel: r.channel,
  kind: r.kind,
  subject: r.subject,
  name: r.name,
  addedBy: r.added_by,
  addedAt: r.added_at,
});

export class AllowlistRepo {
  private readonly hasStmt;
  private readonly coversStmt;
  private readonly addStmt;
  private readonly removeStmt;
  private readonly listStmt;

  constructor(db: Db) {
    this.hasStmt = db.prepare('SELECT 1 FROM allowlist WHERE channel = ? AND kind = ? AND subject = ?');
    this.coversStmt = db.prepare(
      `SELECT 1 FROM allowlist WHERE channel = @channel AND kind = 'group'
         AND (subject = @key OR substr(@key, 1, length(subject) + 1) = subject || ':') LIMIT 1`,
    );
    this.addStmt = db.prepare(
      `INSERT INTO allowlist (channel, kind, subject, name, added_by, added_at)
       VALUES (@channel, @kind, @subject, @name, @addedBy, @addedAt) ON CONFLICT DO NOTHING`,
    );
    this.removeStmt = db.prepare('DELETE FROM allowlist WHERE channel = ? AND kind = ? AND subject = ?');
    this.listStmt = db.prepare(
      `SELECT * FROM allowlist WHERE (@channel IS NULL OR channel = @channel) ORDER BY channel, kind DESC, added_at, subject`,
    );
  }

  has(channel: string, kind: EntryKind, subject: string): boolean {
    return this.hasStmt.get(channel, kind, subject) !== undefined;
  }

  /** True when a group entry covers this conversation (the group itself or one of its threads/topics). */
  coversGroup(channel: string, conversationKey: string): boolean {
    return this.coversStmt.get({ channel, key: conversationKey }) !== undefined;
  }

  /** False when the entry was already there. */
  add(entry: AllowEntry): boolean {
    return this.addStmt.run(entry).changes === 1;
  }

  /** False when there was no such entry. */
  remove(channel: string, kind: EntryKind, subject: string): boolean {
    return this.removeStmt.run(channel, kind, subject).changes === 1;
  }

  list(channel?: string): AllowEntry[] {
    return (this.listStmt.all({ channel: channel ?? null }) as Raw[]).map(toEntry);
  }
}
