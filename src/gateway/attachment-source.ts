// Gets the bytes of a message's attachment: from the live handle the channel gave us, or — after
// a restart, when that handle is gone — through the channel's fetchAttachment(ref).

import type { Attachment, Channel } from '../../channels/channel.js';
import type { InboundRow } from '../store/repos/inbound-repo.js';

export class AttachmentSource {
  private readonly live = new Map<number, (Attachment | undefined)[]>();

  constructor(private readonly channels: Map<string, Channel>) {}

  remember(inboundId: number, attachments: Attachment[]): void {
    if (attachments.length) this.live.set(inboundId, attachments);
  }

  forget(inboundId: number): void {
    this.live.delete(inboundId);
  }

  /**
   * Several messages became one (an album gathered into its first message): the live handles follow,
   * in the merged order. `parts`: each message's id and how many attachments it had.
   */
  gather(into: number, parts: { id: number; count: number }[]): void {
    const merged = parts.flatMap(({ id, count }) => {
      const live = this.live.get(id) ?? [];
      return Array.from({ length: count }, (_, i) => live[i]);
    });
    for (const { id } of parts) this.live.delete(id);
    if (merged.some(Boolean)) this.live.set(into, merged);
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
