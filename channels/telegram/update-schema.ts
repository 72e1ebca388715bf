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
  reply_to_message: z
    .looseObject({
      message_id: z.number().int(),
      from: userSchema.optional(),
    })
    .optional(),
});

export const updateSchema = z.looseObject({
  update_id: z.number().int().min(0),
  message: messageSchema.optional(),
});

export type TgMessage = z.infer<typeof messageSchema>;
export type TgEntity = z.infer<typeof entitySchema>;

/** The update types the channel asks Telegram for (polling and webhook alike). */
export const ALLOWED_UPDATES = ['message'] as const;
