// What a WhatsApp message says besides its text and files, in the gateway's neutral terms
// (channels/inbound-context.ts): forwarded, a reply (with the quoted text), an edit of an earlier
// message, or a kind the gateway cannot take. Reactions, deletions and other protocol traffic are
// not messages at all: `isNoise` lets the mapper drop them without a reply.

import { normalizeMessageContent, proto } from '@whiskeysockets/baileys';
import type { InboundContext } from '../inbound-context.js';

/** Message kinds a person sends that the gateway has no use for (answered with a plain refusal). */
const UNSUPPORTED: [field: keyof proto.IMessage, name: string][] = [
  ['audioMessage', 'voice or audio'],
  ['videoMessage', 'video'],
  ['ptvMessage', 'video note'],
  ['stickerMessage', 'sticker'],
  ['locationMessage', 'location'],
  ['liveLocationMessage', 'live location'],
  ['contactMessage', 'contact'],
  ['contactsArrayMessage', 'contact'],
  ['pollCreationMessage', 'poll'],
  ['pollCreationMessageV2', 'poll'],
  ['pollCreationMessageV3', 'poll'],
  ['eventMessage', 'event'],
];

/** A message that edits an earlier one: the new content and the id of the message it replaces. */
export function editOf(content: proto.IMessage): { id: string; content: proto.IMessage } | undefined {
  const p = content.protocolMessage;
  if (p?.type !== proto.Message.ProtocolMessage.Type.MESSAGE_EDIT || !p.key?.id) return undefined;
  return { id: p.key.id, content: normalizeMessageContent(p.editedMessage) ?? {} };
}

export function unsupportedKind(content: proto.IMessage): string | undefined {
  return UNSUPPORTED.find(([field]) => content[field])?.[1];
}

/** Plain text, extended text, or a caption — what a person wrote. */
export function textOf(content: proto.IMessage): { text: string; info: proto.IContextInfo | undefined } {
  if (content.conversation) return { text: content.conversation, info: undefined };
  const ext = content.extendedTextMessage;
  if (ext) return { text: ext.text ?? '', info: ext.contextInfo ?? undefined };
  const media = content.imageMessage ?? content.documentMessage ?? content.videoMessage;
  return { text: media?.caption ?? '', info: media?.contextInfo ?? undefined };
}

/** Forwarded / reply context from a message's contextInfo. `nameOf` says who a JID is. */
export function replyAndForward(
  info: proto.IContextInfo | undefined,
  nameOf: (jid: string) => string,
): Pick<InboundContext, 'forwardedFrom' | 'replyTo'> {
  if (!info) return {};
  const out: Pick<InboundContext, 'forwardedFrom' | 'replyTo'> = {};
  // WhatsApp marks a forward but never says whose message it was.
  if (info.isForwarded) out.forwardedFrom = 'someone else (WhatsApp does not say who)';
  const quoted = normalizeMessageContent(info.quotedMessage);
  if (quoted || info.participant) {
    const text = quoted ? textOf(quoted).text : '';
    const from = info.participant ? nameOf(info.participant) : undefined;
    out.replyTo = { ...(from ? { from } : {}), ...(text ? { text } : {}) };
  }
  return out;
}
