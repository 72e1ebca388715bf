// Repository of channel owners: the first sender approved on a channel owns it and may approve others
// from their own chat. The local channel has no row: its sender is the owner by construction.

import type { Db } from '../src/store/db.js';

export interface ChannelOwner {
  channel: string;
  senderId: string;
  since: number;
}

export class OwnersRepo {
  private readonly getStmt;
  private readonly setStmt;
  private readonly clearStmt;
  private readonly listStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare(
      'SELECT channel, sender_id AS senderId, since FROM channel_owners WHERE channel = ?',
    );
    this.setStmt = db.prepare(
      'INSERT INTO channel_owners (channel, sender_id, since) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.clearStmt = db.prepare('DELETE FROM channel_owners WHERE channel = ? AND sender_id = ?');
    this.listStmt = db.prepare(
      'SELECT channel, sender_id AS senderId, since FROM channel_owners ORDER BY channel',
    );
  }

  get(channel: string): ChannelOwner | undefined {
    return this.getStmt.get(channel) as ChannelOwner | undefined;
  }

  isOwner(channel: string, senderId: string): boolean {
    return this.get(channel)?.senderId === senderId;
  }

  /** Makes `senderId` the owner when the channel has none yet; true when it did. */
  setIfNone(channel: string, senderId: string, now: number): boolean {
    return this.setStmt.run(channel, senderId, now).changes === 1;
  }

  /** Clears ownership when `senderId` is the owner; true when it was. */
  clearIf(channel: string, senderId: string): boolean {
    return this.clearStmt.run(channel, senderId).changes === 1;
  }

  list(): ChannelOwner[] {
    return this.listStmt.all() as ChannelOwner[];
  }
}
