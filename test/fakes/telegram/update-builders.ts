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
}

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
  const from = spec.from ?? DEFAULT_USER;
  const chat = spec.chat ?? privateChat(from);
  const msg: Json = {
    message_id: state.messageId(chat.id),
    date: Math.floor(Date.now() / 1000),
    chat,
    from,
    ...content,
  };
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
    kind: content.photo ? 'photo' : content.document ? 'document' : 'text',
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
