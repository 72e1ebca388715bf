// Gets the bytes of a message's attachment: from the live handle the channel gave us, or — after
// a restart, when that handle is gone — through the channel's fetchAttachment(ref).

import type { Attachment, Channel } from '../../channels/channel.js';
import type { InboundRow } from '../store/repos/inbound-repo.js';

export class AttachmentSource {
  private readonly live = new Map<number, Attachment[]>();

  constructor(private readonly channels: Map<string, Channel>) {}

  remember(inboundId: number, attachments: Attachment[]): void {
    if (attachments.length) this.live.set(inboundId, attachments);
  }

  forget(inboundId: number): void {
    this.live.delete(inboundId);
  }

  async fetch(row: InboundRow, index: number): Promise<Buffer> {
    const live = this.live.get(row.id)?.[index];
    if (live) return live.fetch();
    const stored = row.attachments[index];
    const channel = this.channels.get(row.channel);
    if (stored?.ref && channel?.fetchAttachment) return channel.fetchAttachment(stored.ref);
    throw new Error(`the file ${stored?.name ?? `#${index}`} is no longer available; please send it again`);
  }
}
