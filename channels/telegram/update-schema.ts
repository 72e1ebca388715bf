// The slice of the Bot API's Update we read, as zod schemas. Webhook bodies are untrusted and
// polled updates are checked the same way; unknown fields pass through, missing required ones fail.

import { z } from 'zod';

export const userSchema = z.looseObject({
  id: z.number().int(),
  is_bot: z.boolean().default(false),
  first_name: z.string().default(''),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

export const chatSchema = z.looseObject({
  id: z.number().int(),
  type: z.enum(['private', 'group', 'supergroup', 'channel']),
  title: z.string().optional(),
  username: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  is_forum: z.boolean().optional(),
});

export const entitySchema = z.looseObject({
  type: z.string(),
  offset: z.number().int().min(0),
  length: z.number().int().min(0),
  user: userSchema.optional(),
});

export const photoSizeSchema = z.looseObject({
  file_id: z.string().min(1),
  file_unique_id: z.string().default(''),
  width: z.number().int().default(0),
  height: z.number().int().default(0),
  file_size: z.number().int().min(0).optional(),
});

export const documentSchema = z.looseObject({
  file_id: z.string().min(1),
  file_unique_id: z.string().default(''),
  file_name: z.string().optional(),
  mime_type: z.string().optional(),
  file_size: z.number().int().min(0).optional(),
});

/** Voice, audio, video, video notes and animations: files like documents, with optional names. */
export const mediaFileSchema = z.looseObject({
  file_id: z.string().min(1),
  file_unique_id: z.string().default(''),
  file_name: z.string().optional(),
  mime_type: z.string().optional(),
  file_size: z.number().int().min(0).optional(),
});

/** MessageOrigin (Bot API 7.0): who wrote a forwarded message, or the message an external reply quotes. */
export const originSchema = z.looseObject({
  type: z.string(),
  sender_user: userSchema.optional(),
  sender_user_name: z.string().optional(),
  sender_chat: chatSchema.optional(),
  chat: chatSchema.optional(),
  author_signature: z.string().optional(),
});

export const messageSchema = z.looseObject({
  message_id: z.number().int(),
  date: z.number().int(),
  chat: chatSchema,
  from: userSchema.optional(),
  sender_chat: chatSchema.optional(),
  message_thread_id: z.number().int().optional(),
  is_topic_message: z.boolean().optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(entitySchema).optional(),
  caption_entities: z.array(entitySchema).optional(),
  photo: z.array(photoSizeSchema).optional(),
  document: documentSchema.optional(),
  voice: mediaFileSchema.optional(),
  audio: mediaFileSchema.optional(),
  video: mediaFileSchema.optional(),
  video_note: mediaFileSchema.optional(),
  animation: mediaFileSchema.optional(),
  media_group_id: z.string().optional(),
  edit_date: z.number().int().optional(),
  forward_origin: originSchema.optional(),
  // Before Bot API 7.0 (a self-hosted Bot API server may still send these).
  forward_from: userSchema.optional(),
  forward_from_chat: chatSchema.optional(),
  forward_sender_name: z.string().optional(),
  forward_date: z.number().int().optional(),
  is_automatic_forward: z.boolean().optional(),
  reply_to_message: z
    .looseObject({
      message_id: z.number().int(),
      from: userSchema.optional(),
      sender_chat: chatSchema.optional(),
      text: z.string().optional(),
      caption: z.string().optional(),
    })
    .optional(),
  external_reply: z.looseObject({ origin: originSchema.optional(), chat: chatSchema.optional() }).optional(),
  quote: z.looseObject({ text: z.string() }).optional(),
});

export const updateSchema = z.looseObject({
  update_id: z.number().int().min(0),
  message: messageSchema.optional(),
  edited_message: messageSchema.optional(),
});

export type TgUser = z.infer<typeof userSchema>;
export type TgMessage = z.infer<typeof messageSchema>;
export type TgEntity = z.infer<typeof entitySchema>;
export type TgOrigin = z.infer<typeof originSchema>;

/**
 * The update types the channel asks Telegram for (polling and webhook alike). Edits are asked for so
 * that an edit is answered (it is not processed) instead of vanishing: Telegram sends nothing the
 * bot did not ask for.
 */
export const ALLOWED_UPDATES = ['message', 'edited_message'] as const;
