// What the local channel has said in each conversation, as numbered events, so a client that
// (re)connects to the stream gets what it missed (SSE Last-Event-ID). Bounded per conversation and
// in memory only: after a restart the backlog is empty, but positions keep growing (see `seq`).

export type LocalEvent =
  | {
      type: 'message';
      messageId: string;
      text?: string;
      images?: { pngBase64: string; caption?: string }[];
      files?: { name: string; dataBase64: string }[];
      links?: { url: string; label?: string }[];
    }
  | { type: 'edit'; messageId: string; text: string }
  | { type: 'typing' }
  /** Message `id` (the gateway's id, as POST /api/local/messages answered) is fully answered. */
  | { type: 'complete'; id: number; state: string };

export interface StampedEvent {
  seq: number;
  conversation: string;
  at: string;
  event: LocalEvent;
}

const KEEP_PER_CONVERSATION = 500;

export class EventLog {
  /**
   * Starts at the clock's milliseconds, so a position a client kept from before a gateway restart
   * is still below every new event's and it does not wait for numbers that were already used.
   */
  private seq = Date.now();
  private readonly byConversation = new Map<string, StampedEvent[]>();
  private readonly listeners = new Set<(e: StampedEvent) => void>();

  append(conversation: string, event: LocalEvent): StampedEvent {
    const stamped = { seq: ++this.seq, conversation, at: new Date().toISOString(), event };
    if (event.type !== 'typing') {
      const list = this.byConversation.get(conversation) ?? [];
      list.push(stamped);
      if (list.length > KEEP_PER_CONVERSATION) list.splice(0, list.length - KEEP_PER_CONVERSATION);
      this.byConversation.set(conversation, list);
    }
    for (const l of this.listeners) l(stamped);
    return stamped;
  }

  /** The position of the latest event: everything appended from now on comes after it. */
  get position(): number {
    return this.seq;
  }

  since(conversation: string, afterSeq: number): StampedEvent[] {
    return (this.byConversation.get(conversation) ?? []).filter((e) => e.seq > afterSeq);
  }

  subscribe(listener: (e: StampedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
