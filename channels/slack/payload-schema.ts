// The parts of Slack's payloads the channel reads, validated (Slack is outside our trust boundary
// even with a valid signature: fields are optional more often than the docs suggest). Unknown fields
// pass through untouched; a payload that does not parse is skipped with a log line.

import { z } from 'zod';

export const slackFileSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  title: z.string().optional(),
  mimetype: z.string().optional(),
  size: z.number().optional(),
  url_private_download: z.string().optional(),
  url_private: z.string().optional(),
});

/** The message inside a `message_changed` event: as it reads after the change. */
const changedMessageSchema = z.object({
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  /** Only a person's edit has it; unfurls and metadata updates change a message without one. */
  edited: z.object({ user: z.string().optional(), ts: z.string() }).optional(),
  files: z.array(slackFileSchema).optional(),
});

/** A `message` or `app_mention` event (Events API `event`); `message` is set for `message_changed`. */
export const messageEventSchema = z.object({
  type: z.enum(['message', 'app_mention']),
  subtype: z.string().optional(),
  channel: z.string(),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  files: z.array(slackFileSchema).optional(),
  message: changedMessageSchema.optional(),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

/** A slash command's fields (form-encoded over HTTP, the same keys as JSON over Socket Mode). */
export const slashCommandSchema = z.object({
  team_id: z.string(),
  channel_id: z.string(),
  user_id: z.string(),
  user_name: z.string().optional(),
  command: z.string(),
  text: z.string().default(''),
  trigger_id: z.string(),
  response_url: z.string().optional(),
});
export type SlashCommand = z.infer<typeof slashCommandSchema>;
