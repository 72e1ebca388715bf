// Builds the messages users "send" to the bot in tests: text, photo, document, in DMs, groups and
// forum topics, replies. Entities (bot_command, mention) are filled in the way Telegram does, and
// every message gets the chat's next message id.

import type { FakeState, Json, TgChatJson, TgUserJson } from './fake-state.js';

export const DEFAULT_USER: TgUserJson = {
  id: 1001,
  is_bot: false,
  first_name: 'Ada',
  last_name: 'Lovelace',
  username: 'ada',
};

export interface MessageSpec {
  /** Default: the private chat with `from`. */
  chat?: TgChatJson;
  /** Default: DEFAULT_USER. */
  from?: TgUserJson;
  /** Forum topic: sets message_thread_id and is_topic_message. */
  threadId?: number;
  /** Message id (in the same chat) this one replies to; the bot's own messages included. */
  replyTo?: number;
  /** The part of the replied-to message the sender quoted (TextQuote). */
  quote?: string;
  /** Forwarded: the original author (MessageOriginUser) or a channel (MessageOriginChannel). */
  forwardFrom?: TgUserJson | { channel: TgChatJson };
  /**
   * Sent on behalf of a chat (Bot API 5.0): the group itself for an anonymous admin, with `from`
   * the fake @GroupAnonymousBot user; a channel for a linked channel's post.
   */
  senderChat?: TgChatJson;
  /** A linked channel's post mirrored into its discussion group: from 777000, is_automatic_forward. */
  automaticForward?: boolean;
  /** Several files sent as one album share this id. */
  mediaGroupId?: string;
}

/** The fake sender users Telegram puts in `from` for messages sent on behalf of a chat. */
export const GROUP_ANONYMOUS_BOT: TgUserJson = {
  id: 1087968824,
  is_bot: true,
  first_name: 'Group',
  username: 'GroupAnonymousBot',
};
export const TELEGRAM_SERVICE_USER: TgUserJson = { id: 777000, is_bot: false, first_name: 'Telegram' };
/** `from` of a message a user sent as a channel (not an automatic forward). */
export const CHANNEL_BOT: TgUserJson = {
  id: 136817688,
  is_bot: true,
  first_name: 'Channel',
  username: 'Channel_Bot',
};

export function privateChat(user: TgUserJson = DEFAULT_USER): TgChatJson {
  return {
    id: user.id,
    type: 'private',
    first_name: user.first_name,
    ...(user.username ? { username: user.username } : {}),
  };
}

export function groupChat(id: number, title = 'Test group', opts: { forum?: boolean } = {}): TgChatJson {
  if (id >= 0) throw new Error('group chat ids are negative');
  return opts.forum
    ? { id, type: 'supergroup', title, is_forum: true }
    : { id, type: id < -1e12 ? 'supergroup' : 'group', title };
}

export function entitiesFor(text: string): Json[] {
  const out: Json[] = [];
  const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
  if (cmd) out.push({ type: 'bot_command', offset: 0, length: cmd[0].length });
  for (const m of text.matchAll(/(^|[^\w@])(@[A-Za-z0-9_]{3,32})/g)) {
    const offset = (m.index ?? 0) + (m[1]?.length ?? 0);
    if (cmd && offset < cmd[0].length) continue;
    out.push({ type: 'mention', offset, length: m[2]!.length });
  }
  return out;
}

export function buildMessage(state: FakeState, spec: MessageSpec, content: Json): Json {
  const onBehalf = spec.senderChat?.type === 'channel' ? CHANNEL_BOT : GROUP_ANONYMOUS_BOT;
  const from =
    spec.from ?? (spec.automaticForward ? TELEGRAM_SERVICE_USER : spec.senderChat ? onBehalf : DEFAULT_USER);
  const chat = spec.chat ?? privateChat(from);
  const date = Math.floor(Date.now() / 1000);
  const msg: Json = {
    message_id: state.messageId(chat.id),
    date,
    chat,
    from,
    ...content,
  };
  if (spec.senderChat) msg.sender_chat = spec.senderChat;
  if (spec.automaticForward) msg.is_automatic_forward = true;
  if (spec.mediaGroupId !== undefined) msg.media_group_id = spec.mediaGroupId;
  if (spec.forwardFrom) {
    msg.forward_origin =
      'channel' in spec.forwardFrom
        ? { type: 'channel', date: date - 60, chat: spec.forwardFrom.channel, message_id: 1 }
        : { type: 'user', date: date - 60, sender_user: spec.forwardFrom };
  }
  if (spec.quote !== undefined) msg.quote = { text: spec.quote, position: 0, is_manual: true };
  if (spec.threadId !== undefined)
    Object.assign(msg, { message_thread_id: spec.threadId, is_topic_message: true });
  if (spec.replyTo !== undefined) {
    const target = state.message(chat.id, spec.replyTo);
    msg.reply_to_message = target?.json ?? { message_id: spec.replyTo, date: msg.date, chat };
  }
  for (const [field, entField] of [
    ['text', 'entities'],
    ['caption', 'caption_entities'],
  ] as const) {
    const t = msg[field];
    if (typeof t === 'string' && msg[entField] === undefined) {
      const ents = entitiesFor(t);
      if (ents.length > 0) msg[entField] = ents;
    }
  }
  state.storeMessage({
    chatId: chat.id,
    messageId: msg.message_id as number,
    fromBot: false,
    kind: content.photo
      ? 'photo'
      : content.document
        ? 'document'
        : typeof content.text === 'string'
          ? 'text'
          : 'other',
    edits: 0,
    json: msg,
    ...(spec.threadId === undefined ? {} : { threadId: spec.threadId }),
    ...(typeof msg.text === 'string' ? { text: msg.text } : {}),
  });
  return msg;
}

export function photoContent(state: FakeState, data: Buffer, caption?: string): Json {
  const thumb = state.addFile(data.subarray(0, Math.min(data.length, 64)), {
    dir: 'photos',
    filename: 'thumb.jpg',
  });
  const full = state.addFile(data, { dir: 'photos', filename: 'photo.jpg' });
  return {
    photo: [
      { file_id: thumb.fileId, file_unique_id: thumb.uniqueId, width: 90, height: 67, file_size: thumb.size },
      { file_id: full.fileId, file_unique_id: full.uniqueId, width: 1280, height: 960, file_size: full.size },
    ],
    ...(caption === undefined ? {} : { caption }),
  };
}

export function documentContent(
  state: FakeState,
  data: Buffer,
  opts: { fileName: string; mimeType?: string; caption?: string; declaredSize?: number },
): Json {
  const f = state.addFile(data, {
    dir: 'documents',
    filename: opts.fileName,
    ...(opts.declaredSize === undefined ? {} : { size: opts.declaredSize }),
  });
  return {
    document: {
      file_id: f.fileId,
      file_unique_id: f.uniqueId,
      file_name: opts.fileName,
      mime_type: opts.mimeType ?? 'application/octet-stream',
      file_size: f.size,
    },
    ...(opts.caption === undefined ? {} : { caption: opts.caption }),
  };
}

/** A voice note, audio file, video, video note or animation (file_name only where Telegram sends one). */
export function mediaContent(
  state: FakeState,
  kind: 'voice' | 'audio' | 'video' | 'video_note' | 'animation',
  data: Buffer,
  opts: { fileName?: string; mimeType?: string; caption?: string } = {},
): Json {
  const f = state.addFile(data, {
    dir: kind === 'voice' ? 'voice' : 'videos',
    filename: opts.fileName ?? kind,
  });
  const file: Json = { file_id: f.fileId, file_unique_id: f.uniqueId, file_size: f.size };
  if (opts.fileName !== undefined) file.file_name = opts.fileName;
  if (opts.mimeType !== undefined) file.mime_type = opts.mimeType;
  if (kind === 'voice' || kind === 'audio') file.duration = 3;
  else
    Object.assign(file, {
      duration: 3,
      width: 240,
      height: 240,
      ...(kind === 'video_note' ? { length: 240 } : {}),
    });
  return { [kind]: file, ...(opts.caption === undefined ? {} : { caption: opts.caption }) };
}

/** The message as the user edited it: same id, new text and entities, an edit_date. */
export function editedMessage(original: Json, text: string): Json {
  const message: Json = { ...original, text, edit_date: Math.floor(Date.now() / 1000) };
  delete message.entities;
  const ents = entitiesFor(text);
  if (ents.length > 0) message.entities = ents;
  return message;
}

/** One message per file sharing a media_group_id; a file with `fileName` is a document, else a photo. */
export function albumMessages(
  state: FakeState,
  items: { data: Buffer; caption?: string; fileName?: string }[],
  spec: MessageSpec,
): Json[] {
  const mediaGroupId = spec.mediaGroupId ?? String(13_000_000_000_000 + Math.floor(Math.random() * 1e9));
  return items.map((item) => {
    const content = item.fileName
      ? documentContent(state, item.data, {
          fileName: item.fileName,
          ...(item.caption ? { caption: item.caption } : {}),
        })
      : photoContent(state, item.data, item.caption);
    return buildMessage(state, { ...spec, mediaGroupId }, content);
  });
}
