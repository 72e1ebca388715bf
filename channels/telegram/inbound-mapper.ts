// Turns a Telegram message into the gateway's Inbound: conversation key (chat, or chat + forum
// topic), `/cmd@bot` normalised to `/cmd`, captions as text, files as lazy attachments, whether a
// group message addresses the bot, and its context (forwarded, reply, anonymous, album, edit,
// unsupported kind). Returns a skip reason for what the gateway should not see.

import type { ConversationRef, Inbound } from '../channel.js';
import type { InboundContext } from '../inbound-context.js';
import type { TelegramFiles } from './attachments.js';
import {
  attachmentsOf,
  forwardedFrom,
  replyContext,
  TELEGRAM_SERVICE_USER_ID,
  unsupportedKind,
  userName,
} from './message-parts.js';
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
export type SkipReason = 'other-bot-command' | 'empty' | 'channel-post' | 'automatic-forward';

/**
 * `edited`: the message came as `edited_message` — it gets its own platform id (one answer per
 * edited message) and says which message it edits.
 */
export function mapMessage(
  msg: TgMessage,
  bot: BotIdentity,
  files: TelegramFiles,
  opts: { edited?: boolean } = {},
): { inbound: Inbound } | { skipped: SkipReason } {
  if (msg.chat.type === 'channel') return { skipped: 'channel-post' };
  // A linked channel's post mirrored into its discussion group: nobody wrote it to the bot.
  if (msg.is_automatic_forward || msg.from?.id === TELEGRAM_SERVICE_USER_ID)
    return { skipped: 'automatic-forward' };
  const raw = msg.text ?? msg.caption ?? '';
  const entities = (msg.text !== undefined ? msg.entities : msg.caption_entities) ?? [];
  const mentionsBot = mentions(raw, entities, bot);
  const forwarded = forwardedFrom(msg);

  let text = stripLeadingMention(raw, bot.username);
  // A forwarded text is data, never a command: `/cmd@bot` is left as it was written.
  const command = forwarded === undefined ? COMMAND.exec(text) : null;
  if (command?.[2] !== undefined) {
    if (command[2].toLowerCase() !== bot.username.toLowerCase()) return { skipped: 'other-bot-command' };
    text = `/${command[1]}${text.slice(command[0].length)}`;
  }

  const attachments = attachmentsOf(msg, files);
  const unsupported = attachments.length === 0 ? unsupportedKind(msg) : undefined;
  if (text.trim() === '' && attachments.length === 0 && unsupported === undefined)
    return { skipped: 'empty' };

  const isDirect = msg.chat.type === 'private';
  const repliesToBot = msg.reply_to_message?.from?.id === bot.id;
  const threadId = msg.is_topic_message ? msg.message_thread_id : undefined;
  const platformId = `${msg.chat.id}:${msg.message_id}`;
  const replyTo = replyContext(msg);
  const context: InboundContext = {
    ...(forwarded !== undefined ? { forwardedFrom: forwarded } : {}),
    ...(replyTo ? { replyTo } : {}),
    // An anonymous admin posts as the group; a channel can post in its discussion group.
    ...(msg.sender_chat ? { onBehalfOf: msg.sender_chat.title ?? String(msg.sender_chat.id) } : {}),
    ...(opts.edited ? { editOf: platformId } : {}),
    ...(unsupported ? { unsupported } : {}),
    ...(msg.media_group_id ? { album: msg.media_group_id } : {}),
  };
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
      platformId: opts.edited ? `${platformId}:edited` : platformId,
      at: new Date((opts.edited ? (msg.edit_date ?? msg.date) : msg.date) * 1000),
      ...(Object.keys(context).length ? { context } : {}),
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

function senderOf(msg: TgMessage): Inbound['sender'] {
  // Anonymous group admins and linked channels post as a chat, not as a user.
  if (msg.sender_chat) {
    return { id: String(msg.sender_chat.id), name: msg.sender_chat.title ?? String(msg.sender_chat.id) };
  }
  const from = msg.from;
  if (!from) return { id: String(msg.chat.id), name: msg.chat.title ?? String(msg.chat.id) };
  return { id: String(from.id), name: userName(from), isBot: from.is_bot };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
