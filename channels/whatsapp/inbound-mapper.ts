// Turns a Baileys WAMessage into the gateway's Inbound: the sender as a phone JID (LID senders mapped
// via the JID Baileys sends alongside, or its LID store), text and captions, images and documents as
// lazy attachments, group addressing (mention / reply to us) and context; says why one is left out.

import {
  areJidsSameUser,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isLidUser,
  isPnUser,
  jidNormalizedUser,
  normalizeMessageContent,
  toNumber,
  type WAMessage,
} from '@whiskeysockets/baileys';
import type { ConversationRef, Inbound } from '../channel.js';
import type { InboundContext } from '../inbound-context.js';
import type { WhatsAppMedia } from './media.js';
import { editOf, replyAndForward, textOf, unsupportedKind } from './message-context.js';

/** This account's own ids (device-less): the phone JID and, once WhatsApp told us, the LID. */
export interface Me {
  pn?: string;
  lid?: string;
}

export interface MapContext {
  me: Me;
  /** Answer the owner in their "message yourself" chat (whatsapp.selfChat). */
  selfChat: boolean;
  /** The phone JID Baileys has for a LID, if any. */
  phoneForLid(lid: string): Promise<string | undefined>;
  media: WhatsAppMedia;
}

export type SkipReason = 'no-content' | 'broadcast' | 'from-me' | 'empty' | 'no-sender';

export function conversationKey(chatJid: string): string {
  return `wa:${chatJid}`;
}

export function conversationRoute(chatJid: string): ConversationRef['route'] {
  return { jid: chatJid };
}

export async function mapMessage(
  msg: WAMessage,
  ctx: MapContext,
): Promise<{ inbound: Inbound } | { skipped: SkipReason }> {
  const { key } = msg;
  const chat = key.remoteJid;
  const content = normalizeMessageContent(msg.message);
  if (!chat || !key.id || !content) return { skipped: 'no-content' };
  if (isJidBroadcast(chat) || isJidNewsletter(chat)) return { skipped: 'broadcast' };
  const group = Boolean(isJidGroup(chat));
  const isMe = (jid: string | null | undefined) =>
    Boolean(jid) &&
    (areJidsSameUser(jid ?? undefined, ctx.me.pn) || areJidsSameUser(jid ?? undefined, ctx.me.lid));

  if (key.fromMe) {
    // Only the owner writing to themselves ("message yourself"), and only when asked for.
    if (!ctx.selfChat || group || !isMe(chat)) return { skipped: 'from-me' };
  }
  const senderJid = key.fromMe ? (ctx.me.pn ?? ctx.me.lid) : group ? key.participant : chat;
  const senderAlt = group ? key.participantAlt : key.remoteJidAlt;
  if (!senderJid) return { skipped: 'no-sender' };
  const sender = await phoneJid(senderJid, senderAlt, ctx);

  const edit = editOf(content);
  const body = edit?.content ?? content;
  const { text: raw, info } = textOf(body);
  const attachments = edit ? [] : ctx.media.attachments(msg, body);
  const unsupported = attachments.length === 0 && raw.trim() === '' ? unsupportedKind(body) : undefined;
  const mentionsMe = (info?.mentionedJid ?? []).some((j) => isMe(j));
  const repliesToMe = isMe(info?.participant);
  const text = group ? stripLeadingMention(raw, ctx.me) : raw;
  if (text.trim() === '' && attachments.length === 0 && !unsupported && !edit) return { skipped: 'empty' };
  const context: InboundContext = {
    ...replyAndForward(info, (jid) => (isMe(jid) ? 'the bot' : phoneLabel(jidNormalizedUser(jid)))),
    ...(edit ? { editOf: edit.id } : {}),
    ...(unsupported ? { unsupported } : {}),
  };

  const chatJid = group ? jidNormalizedUser(chat) : sender;
  return {
    inbound: {
      channel: 'whatsapp',
      conversationKey: conversationKey(chatJid),
      route: conversationRoute(chatJid),
      sender: { id: sender, name: msg.pushName?.trim() || phoneLabel(sender) },
      isDirect: !group,
      mentioned: !group || mentionsMe || repliesToMe,
      text,
      attachments,
      // WhatsApp message ids are unique per sender device and stable across redelivery; the chat JID
      // is not (the same DM may arrive addressed by LID once and by phone number the next time).
      platformId: key.id,
      at: new Date(msg.messageTimestamp ? toNumber(msg.messageTimestamp) * 1000 : Date.now()),
      ...(Object.keys(context).length ? { context } : {}),
    },
  };
}

/** The device-less phone JID for a sender, or its LID when WhatsApp did not reveal the number. */
async function phoneJid(jid: string, alt: string | undefined, ctx: MapContext): Promise<string> {
  if (!isLidUser(jid)) return jidNormalizedUser(jid);
  if (alt && isPnUser(alt)) return jidNormalizedUser(alt);
  const mapped = await ctx.phoneForLid(jid).catch(() => undefined);
  return jidNormalizedUser(mapped && isPnUser(mapped) ? mapped : jid);
}

/** "@15551234567 /sh ls" → "/sh ls": the mention only says who is addressed. */
function stripLeadingMention(text: string, me: Me): string {
  const users = [me.pn, me.lid].map((j) => j?.split('@')[0]).filter((u): u is string => Boolean(u));
  if (users.length === 0) return text;
  const re = new RegExp(`^\\s*@(?:${users.join('|')})\\b[\\s,:]*`);
  return text.replace(re, '');
}

function phoneLabel(jid: string): string {
  const user = jid.split('@')[0] ?? jid;
  return isPnUser(jid) ? `+${user}` : user;
}
