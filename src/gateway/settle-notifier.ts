// Tells a channel that implements `settled` (the local channel, for `sandgate chat -m`) when one of
// its messages is fully answered. Checked when a run ends, when intake settles a message, and when
// a reply is delivered or given up; each message is reported once per process (a bounded memory).
// A channel that throws from settled() is logged, never allowed to disturb the pipeline.

import type { Logger } from 'pino';
import type { Channel } from '../../channels/channel.js';
import type { Store } from '../store/store.js';
import { messageStatus } from './message-status.js';

const REMEMBER = 1000;

export class SettleNotifier {
  private readonly told = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly channels: Map<string, Channel>,
    private readonly log: Logger,
  ) {}

  /** Looks at message `inboundId` of `channelId` and reports it if it just became complete. */
  check(channelId: string, inboundId: number | null | undefined): void {
    if (inboundId === null || inboundId === undefined || this.told.has(inboundId)) return;
    const channel = this.channels.get(channelId);
    if (!channel?.settled) return;
    try {
      const row = this.store.inbound.get(inboundId);
      if (!row) return;
      const status = messageStatus(this.store, row);
      if (!status.complete) return;
      this.remember(inboundId);
      channel.settled(
        { channel: channel.id, key: row.conversationKey, route: row.route },
        { id: row.id, platformId: row.platformId, state: row.state },
      );
    } catch (err) {
      this.log.warn({ err, channel: channelId, inbound: inboundId }, 'could not report a settled message');
    }
  }

  private remember(id: number): void {
    this.told.add(id);
    if (this.told.size > REMEMBER) this.told.delete(this.told.values().next().value as number);
  }
}
