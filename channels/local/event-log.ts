// What the local channel has said in each conversation, as numbered events, so a client that
// (re)connects to the stream gets what it missed (SSE Last-Event-ID). Bounded per conversation.

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
  | { type: 'typing' };

export interface StampedEvent {
  seq: number;
  conversation: string;
  at: string;
  event: LocalEvent;
}

const KEEP_PER_CONVERSATION = 500;

export class EventLog {
  private seq = 0;
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

  since(conversation: string, afterSeq: number): StampedEvent[] {
    return (this.byConversation.get(conversation) ?? []).filter((e) => e.seq > afterSeq);
  }

  subscribe(listener: (e: StampedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
