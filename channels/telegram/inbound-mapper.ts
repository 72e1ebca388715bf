// Turns a Telegram message into the gateway's Inbound: conversation key (chat, or chat + forum
// topic), `/cmd@bot` normalised to `/cmd`, captions as text, photos/documents as lazy attachments,
// and whether a group message addresses the bot. Returns null for what the gateway should not see.

import type { ConversationRef, Inbound } from '../channel.js';
import type { TelegramFiles } from './attachments.js';
import type { TgEntity, TgMessage } from './update-schema.js';

export interface BotIdentity {
  id: number;
  username: string;
}

export function conversationKey(chatId: number | string, threadId?: number | string): string {
  return threadId === undefined ? `tg:${chatId}` : `tg:${chatId}:topic:${threadId}`;
}

export function conversationRoute(chatId: number, threadId?: number): ConversationRef['route'] {
  return threadId === undefined ? { chatId } : { chatId, threadId };
}

const COMMAND = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]+))?(?=\s|$)/;

/** Why a message was left out, for a debug log line; undefined when it was mapped. */
export type SkipReason = 'other-bot-command' | 'empty' | 'channel-post';

export function mapMessage(
  msg: TgMessage,
  bot: BotIdentity,
  files: TelegramFiles,
): { inbound: Inbound } | { skipped: SkipReason } {
  if (msg.chat.type === 'channel') return { skipped: 'channel-post' };
  const raw = msg.text ?? msg.caption ?? '';
  const entities = (msg.text !== undefined ? msg.entities : msg.caption_entities) ?? [];
  const mentionsBot = mentions(raw, entities, bot);

  let text = stripLeadingMention(raw, bot.username);
  const command = COMMAND.exec(text);
  if (command?.[2] !== undefined) {
    if (command[2].toLowerCase() !== bot.username.toLowerCase()) return { skipped: 'other-bot-command' };
    text = `/${command[1]}${text.slice(command[0].length)}`;
  }

  const attachments = [];
  const photo = largestPhoto(msg.photo);
  if (photo) {
    attachments.push(
      files.attachment({
        fileId: photo.file_id,
        name: `photo-${msg.message_id}.jpg`,
        mime: 'image/jpeg',
        size: photo.file_size ?? 0,
      }),
    );
  }
  if (msg.document) {
    attachments.push(
      files.attachment({
        fileId: msg.document.file_id,
        name: safeName(msg.document.file_name) ?? `document-${msg.message_id}`,
        mime: msg.document.mime_type ?? 'application/octet-stream',
        size: msg.document.file_size ?? 0,
      }),
    );
  }
  if (text.trim() === '' && attachments.length === 0) return { skipped: 'empty' };

  const isDirect = msg.chat.type === 'private';
  const repliesToBot = msg.reply_to_message?.from?.id === bot.id;
  const threadId = msg.is_topic_message ? msg.message_thread_id : undefined;
  return {
    inbound: {
      channel: 'telegram',
      conversationKey: conversationKey(msg.chat.id, threadId),
      route: conversationRoute(msg.chat.id, threadId),
      sender: senderOf(msg),
      isDirect,
      // Everything in a DM is addressed to the bot; in a group only mentions, replies and commands.
      mentioned: isDirect || mentionsBot || repliesToBot || command !== null,
      text,
      attachments,
      platformId: `${msg.chat.id}:${msg.message_id}`,
      at: new Date(msg.date * 1000),
    },
  };
}

function mentions(text: string, entities: TgEntity[], bot: BotIdentity): boolean {
  const handle = `@${bot.username}`.toLowerCase();
  if (entities.length === 0) return new RegExp(`${escapeRe(handle)}(?![A-Za-z0-9_])`, 'i').test(text);
  return entities.some(
    (e) =>
      (e.type === 'mention' && text.slice(e.offset, e.offset + e.length).toLowerCase() === handle) ||
      (e.type === 'text_mention' && e.user?.id === bot.id),
  );
}

/** "@bot /sh ls" → "/sh ls": the mention only says who is addressed. */
function stripLeadingMention(text: string, username: string): string {
  const re = new RegExp(`^\\s*@${escapeRe(username)}(?![A-Za-z0-9_])[\\s,:]*`, 'i');
  return text.replace(re, '');
}

function largestPhoto(sizes: TgMessage['photo']) {
  if (!sizes || sizes.length === 0) return undefined;
  return sizes.reduce((best, p) =>
    (p.file_size ?? p.width * p.height) > (best.file_size ?? best.width * best.height) ? p : best,
  );
}

function senderOf(msg: TgMessage): Inbound['sender'] {
  // Anonymous group admins and linked channels post as a chat, not as a user.
  if (msg.sender_chat) {
    return { id: String(msg.sender_chat.id), name: msg.sender_chat.title ?? String(msg.sender_chat.id) };
  }
  const from = msg.from;
  if (!from) return { id: String(msg.chat.id), name: msg.chat.title ?? String(msg.chat.id) };
  const name =
    [from.first_name, from.last_name].filter(Boolean).join(' ') || from.username || String(from.id);
  return { id: String(from.id), name, isBot: from.is_bot };
}

/** A display name only: path separators and control characters go, the gateway picks where it lands. */
function safeName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const clean = name.replace(/[\\/\p{Cc}]/gu, '_').trim();
  return clean === '' || clean === '.' || clean === '..' ? undefined : clean;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
