// Turns Slack events and slash commands into the gateway's Inbound. Conversation key
// `slack:<team>:<channel>[:<thread_ts>]`: a channel message is answered in its thread, and that
// thread is its own conversation; a DM is one conversation unless the user wrote in a thread.
// platformId `<channel>:<ts>` is the message itself, so the same message arriving as `message` and
// as `app_mention`, or redelivered under its event_id, is deduped by the gateway; slash commands use
// `cmd:<trigger_id>`. A person's edit (`message_changed` with `edited`) is handed over as an edit of
// the original under `<channel>:<ts>:edit:<edited ts>`, so the gateway can say it is not processed;
// bots (ourselves included), joins, topic changes and unfurls are left out.

import { safeFileName } from '../../src/text/file-name.js';
import type { ConversationRef, Inbound } from '../channel.js';
import type { SlackFiles } from './attachments.js';
import { fromSlackText } from './mrkdwn.js';
import type { MessageEvent, SlashCommand } from './payload-schema.js';

export interface BotIdentity {
  userId: string;
  botId?: string;
}

export function conversationKey(team: string, channel: string, threadTs?: string): string {
  return threadTs ? `slack:${team}:${channel}:${threadTs}` : `slack:${team}:${channel}`;
}

/** Where replies go: `thread` is the thread_ts to answer in, `slash` the trigger of a slash command. */
export interface SlackRoute {
  team: string;
  channel: string;
  user: string;
  thread?: string;
  slash?: string;
}

export function toRoute(r: SlackRoute): ConversationRef['route'] {
  return {
    team: r.team,
    channel: r.channel,
    user: r.user,
    ...(r.thread ? { thread: r.thread } : {}),
    ...(r.slash ? { slash: r.slash } : {}),
  };
}

export type SkipReason = 'bot' | 'self' | 'subtype' | 'no-user' | 'not-addressed' | 'empty';

/** Message subtypes that are something a person said (the rest are edits, joins, topic changes …). */
const SPOKEN = new Set(['file_share', 'thread_broadcast']);

export function mapMessageEvent(
  team: string,
  ev: MessageEvent,
  bot: BotIdentity,
  files: SlackFiles,
  senderName: string | undefined,
): { inbound: Inbound } | { skipped: SkipReason } {
  if (ev.subtype === 'message_changed') return mapEdit(team, ev, bot, files, senderName);
  if (ev.bot_id || ev.subtype === 'bot_message') return { skipped: ev.bot_id === bot.botId ? 'self' : 'bot' };
  if (ev.subtype && !SPOKEN.has(ev.subtype)) return { skipped: 'subtype' };
  if (!ev.user) return { skipped: 'no-user' };
  if (ev.user === bot.userId) return { skipped: 'self' };
  const raw = ev.text ?? '';
  const mention = `<@${bot.userId}>`;
  const isDirect = ev.type === 'message' && ev.channel_type === 'im';
  // In channels only what addresses the bot: app_mention, or a `message` that mentions it (the same
  // message then also arrives as app_mention and is deduped on channel + ts).
  if (!isDirect && ev.type === 'message' && !raw.includes(mention)) return { skipped: 'not-addressed' };
  const text = fromSlackText(stripLeadingMention(raw, bot.userId)).trim();
  const attachments = (ev.files ?? []).flatMap((f) => {
    const url = f.url_private_download ?? f.url_private;
    if (!url) return [];
    return [
      files.attachment({
        id: f.id,
        name: safeFileName(f.name ?? f.title ?? '', `file-${f.id}`),
        mime: f.mimetype ?? 'application/octet-stream',
        size: f.size ?? 0,
        url,
      }),
    ];
  });
  if (text === '' && attachments.length === 0) return { skipped: 'empty' };
  // Channel: answer in the message's thread (its own ts when it starts one). DM: thread only if the user did.
  const thread = isDirect ? ev.thread_ts : (ev.thread_ts ?? ev.ts);
  return {
    inbound: {
      channel: 'slack',
      conversationKey: conversationKey(team, ev.channel, thread),
      route: toRoute({ team, channel: ev.channel, user: ev.user, ...(thread ? { thread } : {}) }),
      sender: { id: ev.user, name: senderName ?? ev.user },
      isDirect,
      mentioned: true,
      text,
      attachments,
      platformId: `${ev.channel}:${ev.ts}`,
      at: new Date(Number(ev.ts) * 1000),
    },
  };
}

/** A person's edit of a message that addressed the bot: the edited message, marked as an edit of the original. */
function mapEdit(
  team: string,
  ev: MessageEvent,
  bot: BotIdentity,
  files: SlackFiles,
  senderName: string | undefined,
): { inbound: Inbound } | { skipped: SkipReason } {
  const m = ev.message;
  if (!m?.edited) return { skipped: 'subtype' };
  const { edited, ...message } = m;
  const mapped = mapMessageEvent(
    team,
    {
      type: 'message',
      channel: ev.channel,
      ...(ev.channel_type ? { channel_type: ev.channel_type } : {}),
      ...message,
    },
    bot,
    files,
    senderName,
  );
  if ('skipped' in mapped) return mapped;
  const original = mapped.inbound.platformId;
  return {
    inbound: {
      ...mapped.inbound,
      platformId: `${original}:edit:${edited.ts}`,
      at: new Date(Number(edited.ts) * 1000),
      context: { editOf: original },
    },
  };
}

/**
 * `/sandgate TEXT`: a first word naming a chat command runs it (`sh ls` → `/sh ls`, `/sh ls` as is);
 * anything else is plain text for the conversation's agent; nothing at all asks for help.
 */
export function slashText(text: string, commandNames: ReadonlySet<string>): string {
  const t = fromSlackText(text).trim();
  if (t === '') return '/help';
  if (t.startsWith('/')) return t;
  const word = /^(\S+)/.exec(t)?.[1]?.toLowerCase() ?? '';
  return commandNames.has(word) ? `/${t}` : t;
}

/**
 * A slash command is one person addressing the bot directly (Slack shows it to nobody else), so the
 * gateway treats it like a DM for access: an unknown sender gets a pairing code, a paired one may use
 * it in any channel without a mention. Replies go to the command's channel.
 */
export function mapSlashCommand(cmd: SlashCommand, commandNames: ReadonlySet<string>): Inbound {
  return {
    channel: 'slack',
    conversationKey: conversationKey(cmd.team_id, cmd.channel_id),
    route: toRoute({ team: cmd.team_id, channel: cmd.channel_id, user: cmd.user_id, slash: cmd.trigger_id }),
    sender: { id: cmd.user_id, name: cmd.user_name ?? cmd.user_id },
    isDirect: true,
    mentioned: true,
    text: slashText(cmd.text, commandNames),
    attachments: [],
    platformId: `cmd:${cmd.trigger_id}`,
    at: new Date(),
  };
}

/** "<@BOT> /sh ls" → "/sh ls": the mention only says who is addressed. */
function stripLeadingMention(text: string, botUserId: string): string {
  return text.replace(new RegExp(`^\\s*<@${botUserId}(?:\\|[^>]*)?>[\\s,:]*`), '');
}
