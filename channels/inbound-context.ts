// What a channel can say about an inbound message besides its text and files, in platform-neutral
// terms. The gateway acts on it (src/gateway/message-rules.ts): commands only from a person typing
// them, edits and unsupported kinds answered, albums gathered, replies shown to agents with context.

export interface InboundContext {
  /**
   * The message was forwarded from someone else (their display name). Its text is never a command;
   * agents see it marked as forwarded.
   */
  forwardedFrom?: string;
  /** The message this one replies to: who wrote it, its text, and the part the sender quoted. */
  replyTo?: { from?: string; text?: string; quote?: string };
  /**
   * Sent on behalf of a chat (an anonymous group admin, a channel posting in its group): no person
   * can be identified, so nothing is run. The chat's name.
   */
  onBehalfOf?: string;
  /** An edit of an earlier message (that message's platform id). */
  editOf?: string;
  /** A kind of message the gateway cannot take (`sticker`, `poll` …), for the reply. */
  unsupported?: string;
  /** Part of several files sent together (the platform's album id): gathered into one message. */
  album?: string;
}
