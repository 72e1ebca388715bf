// Every message a channel hands us, keyed by (channel, platform id) so a redelivery is a no-op.
// State changes are compare-and-set, so two workers (or the CLI and the gateway) never both win.

import type { InboundContext } from '../../../channels/inbound-context.js';
import type { Db } from '../db.js';
import { countByState } from './count-by-state.js';

export type InboundState =
  | 'received'
  | 'queued'
  | 'held'
  | 'rejected'
  | 'running'
  | 'done'
  | 'failed'
  | 'interrupted'
  | 'cancelled';

export interface StoredAttachment {
  name: string;
  mime: string;
  size: number;
  ref?: string;
}

export interface InboundRow {
  id: number;
  channel: string;
  platformId: string;
  conversationKey: string;
  route: Record<string, string | number | boolean | null>;
  senderId: string;
  senderName: string;
  isBot: boolean;
  isDirect: boolean;
  mentioned: boolean;
  text: string;
  attachments: StoredAttachment[];
  state: InboundState;
  stateReason: string | null;
  receivedAt: number;
  /** Forwarded, reply, album, edit … (migration 006); `{}` for a plain message. */
  context: InboundContext;
  /** When the message was held for a pairing approval (ms); null when it never was. */
  heldAt: number | null;
}

export interface NewInbound {
  channel: string;
  platformId: string;
  conversationKey: string;
  route: InboundRow['route'];
  senderId: string;
  senderName: string;
  isBot?: boolean;
  isDirect: boolean;
  mentioned: boolean;
  text: string;
  attachments: StoredAttachment[];
  receivedAt: number;
  context?: InboundContext;
}

interface RawRow {
  id: number;
  channel: string;
  platform_id: string;
  conversation_key: string;
  route_json: string;
  sender_id: string;
  sender_name: string;
  is_bot: number;
  is_direct: number;
  mentioned: number;
  text: string;
  attachments_json: string;
  state: InboundState;
  state_reason: string | null;
  received_at: number;
  context_json: string;
  held_at: number | null;
}

const toRow = (r: RawRow): InboundRow => ({
  id: r.id,
  channel: r.channel,
  platformId: r.platform_id,
  conversationKey: r.conversation_key,
  route: JSON.parse(r.route_json),
  senderId: r.sender_id,
  senderName: r.sender_name,
  isBot: r.is_bot === 1,
  isDirect: r.is_direct === 1,
  mentioned: r.mentioned === 1,
  text: r.text,
  attachments: JSON.parse(r.attachments_json),
  state: r.state,
  stateReason: r.state_reason,
  receivedAt: r.received_at,
  context: JSON.parse(r.context_json),
  heldAt: r.held_at,
});

export class InboundRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly casStmt;
  private readonly byStateStmt;
  private readonly contentStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO inbound (channel, platform_id, conversation_key, route_json, sender_id, sender_name, is_bot, is_direct,
         mentioned, text, attachments_json, context_json, state, received_at, updated_at)
       VALUES (@channel, @platformId, @conversationKey, @routeJson, @senderId, @senderName, @isBot, @isDirect, @mentioned,
         @text, @attachmentsJson, @contextJson, 'received', @receivedAt, @receivedAt)
       ON CONFLICT (channel, platform_id) DO NOTHING RETURNING *`,
    );
    this.getStmt = db.prepare('SELECT * FROM inbound WHERE id = ?');
    this.casStmt = db.prepare(
      `UPDATE inbound SET state = @to, state_reason = @reason, updated_at = @now,
         held_at = CASE WHEN @to = 'held' THEN COALESCE(held_at, @now) ELSE held_at END
       WHERE id = @id AND state IN (SELECT value FROM json_each(@from))`,
    );
    this.byStateStmt = db.prepare(
      `SELECT * FROM inbound WHERE state IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?`,
    );
    this.contentStmt = db.prepare(
      `UPDATE inbound SET text = @text, attachments_json = @attachmentsJson, updated_at = @now
       WHERE id = @id AND state IN ('received', 'queued')`,
    );
  }

  /** Returns the new row, or undefined when (channel, platformId) was seen before. */
  insert(m: NewInbound): InboundRow | undefined {
    const res = this.insertStmt.get({
      ...m,
      routeJson: JSON.stringify(m.route),
      isBot: m.isBot ? 1 : 0,
      isDirect: m.isDirect ? 1 : 0,
      mentioned: m.mentioned ? 1 : 0,
      attachmentsJson: JSON.stringify(m.attachments),
      contextJson: JSON.stringify(m.context ?? {}),
    }) as RawRow | undefined;
    return res ? toRow(res) : undefined;
  }

  get(id: number): InboundRow | undefined {
    const r = this.getStmt.get(id) as RawRow | undefined;
    return r ? toRow(r) : undefined;
  }

  findByPlatformId(channel: string, platformId: string): InboundRow | undefined {
    const r = this.db
      .prepare('SELECT * FROM inbound WHERE channel = ? AND platform_id = ?')
      .get(channel, platformId) as RawRow | undefined;
    return r ? toRow(r) : undefined;
  }

  /** Moves a row from one of `from` to `to`; false when another writer got there first. */
  transition(id: number, from: InboundState[], to: InboundState, reason: string | null = null): boolean {
    return this.casStmt.run({ id, from: JSON.stringify(from), to, reason, now: Date.now() }).changes === 1;
  }

  /**
   * Replaces a waiting message's text and files (an album gathered into its first message); false
   * when the message is no longer waiting.
   */
  replaceContent(id: number, text: string, attachments: StoredAttachment[]): boolean {
    return (
      this.contentStmt.run({ id, text, attachmentsJson: JSON.stringify(attachments), now: Date.now() })
        .changes === 1
    );
  }

  /**
   * The other parts of `kept`'s album held with it for a pairing approval (same channel, sender and
   * conversation), oldest first; none when `kept` is not part of an album.
   */
  heldAlbumParts(kept: InboundRow): InboundRow[] {
    if (kept.context.album === undefined) return [];
    return (
      this.db
        .prepare(
          `SELECT * FROM inbound WHERE state = 'held' AND channel = ? AND sender_id = ? AND conversation_key = ?
             AND json_extract(context_json, '$.album') = ? AND id != ? ORDER BY id`,
        )
        .all(kept.channel, kept.senderId, kept.conversationKey, kept.context.album, kept.id) as RawRow[]
    ).map(toRow);
  }

  listByState(states: InboundState[], limit = 500): InboundRow[] {
    return (this.byStateStmt.all(JSON.stringify(states), limit) as RawRow[]).map(toRow);
  }

  countByState(): Record<string, number> {
    return countByState(this.db, 'inbound');
  }
}
