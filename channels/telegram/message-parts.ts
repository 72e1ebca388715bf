// Reading the parts of a Telegram message the gateway cares about beyond its text: files (photos,
// documents, voice, audio, video, video notes, animations), kinds it cannot take (stickers, polls …),
// who a forwarded message is from, and the message a reply answers (with the quoted part).

import type { Attachment } from '../channel.js';
import type { InboundContext } from '../inbound-context.js';
import type { TelegramFiles } from './attachments.js';
import type { TgMessage, TgOrigin, TgUser } from './update-schema.js';

/** Telegram's service account that posts a linked channel's messages into its discussion group. */
export const TELEGRAM_SERVICE_USER_ID = 777000;
/** @GroupAnonymousBot: the `from` of a message an anonymous group admin sent (Bot API 5.0). */
export const GROUP_ANONYMOUS_BOT_ID = 1087968824;

/**
 * Message kinds with no text and no file the gateway could use (Bot API Message fields), named as
 * the reply says them. Service messages (members joining, pins …) are not here: they are ignored.
 */
const UNSUPPORTED: [field: string, name: string][] = [
  ['sticker', 'sticker'],
  ['location', 'location'],
  ['venue', 'venue'],
  ['contact', 'contact'],
  ['poll', 'poll'],
  ['dice', 'dice'],
  ['game', 'game'],
  ['story', 'story'],
  ['checklist', 'checklist'],
  ['invoice', 'invoice'],
  ['paid_media', 'paid media'],
  ['giveaway', 'giveaway'],
];

type FileField = 'voice' | 'audio' | 'video' | 'video_note' | 'animation';
const MEDIA: [field: FileField, mime: string, ext: string][] = [
  ['voice', 'audio/ogg', 'ogg'],
  ['audio', 'audio/mpeg', 'mp3'],
  ['video', 'video/mp4', 'mp4'],
  ['video_note', 'video/mp4', 'mp4'],
  ['animation', 'video/mp4', 'mp4'],
];

/** Photos (largest size), documents and voice/audio/video files, as lazy attachments. */
export function attachmentsOf(msg: TgMessage, files: TelegramFiles): Attachment[] {
  const out: Attachment[] = [];
  const photo = largestPhoto(msg.photo);
  if (photo) {
    out.push(
      files.attachment({
        fileId: photo.file_id,
        name: `photo-${msg.message_id}.jpg`,
        mime: 'image/jpeg',
        size: photo.file_size ?? 0,
      }),
    );
  }
  if (msg.document) {
    out.push(
      files.attachment({
        fileId: msg.document.file_id,
        name: msg.document.file_name ?? `document-${msg.message_id}`,
        mime: msg.document.mime_type ?? 'application/octet-stream',
        size: msg.document.file_size ?? 0,
      }),
    );
  }
  for (const [field, mime, ext] of MEDIA) {
    const f = msg[field];
    // An animation also comes as `document` (Bot API): one file, not two.
    if (!f || (field === 'animation' && msg.document)) continue;
    out.push(
      files.attachment({
        fileId: f.file_id,
        name: f.file_name ?? `${field.replace('_', '-')}-${msg.message_id}.${ext}`,
        mime: f.mime_type ?? mime,
        size: f.file_size ?? 0,
      }),
    );
  }
  return out;
}

/** The kind of an unsupported message (`sticker`), or undefined. */
export function unsupportedKind(msg: TgMessage): string | undefined {
  const fields = msg as Record<string, unknown>;
  return UNSUPPORTED.find(([field]) => fields[field] !== undefined)?.[1];
}

/** Who wrote a forwarded message (a display name), or undefined when it was not forwarded. */
export function forwardedFrom(msg: TgMessage): string | undefined {
  if (msg.forward_origin) return originName(msg.forward_origin);
  if (msg.forward_from) return userName(msg.forward_from);
  if (msg.forward_from_chat) return msg.forward_from_chat.title ?? 'a chat';
  if (msg.forward_sender_name) return msg.forward_sender_name;
  return msg.forward_date !== undefined ? 'someone' : undefined;
}

/** The message a reply answers and the part the sender quoted, for the agent. */
export function replyContext(msg: TgMessage): InboundContext['replyTo'] | undefined {
  const quote = msg.quote?.text;
  const target = msg.reply_to_message;
  // In a forum topic every message "replies" to the topic's creation message: not a real reply.
  const real = target && (target as Record<string, unknown>).forum_topic_created === undefined;
  if (real && target) {
    const from = target.sender_chat?.title ?? (target.from ? userName(target.from) : undefined);
    const text = target.text ?? target.caption;
    if (!text && !quote && !from) return undefined;
    return { ...(from ? { from } : {}), ...(text ? { text } : {}), ...(quote ? { quote } : {}) };
  }
  if (msg.external_reply) {
    const origin = msg.external_reply.origin;
    const from = origin ? originName(origin) : msg.external_reply.chat?.title;
    return { ...(from ? { from } : {}), ...(quote ? { quote } : {}) };
  }
  return quote ? { quote } : undefined;
}

export function userName(user: TgUser): string {
  return [user.first_name, user.last_name].filter(Boolean).join(' ') || user.username || String(user.id);
}

function originName(origin: TgOrigin): string {
  if (origin.sender_user) return userName(origin.sender_user);
  if (origin.sender_user_name) return origin.sender_user_name;
  const chat = origin.sender_chat ?? origin.chat;
  const title = chat?.title ?? chat?.username ?? 'a chat';
  return origin.author_signature ? `${origin.author_signature} (${title})` : title;
}

function largestPhoto(sizes: TgMessage['photo']) {
  if (!sizes || sizes.length === 0) return undefined;
  return sizes.reduce((best, p) =>
    (p.file_size ?? p.width * p.height) > (best.file_size ?? best.width * best.height) ? p : best,
  );
}
