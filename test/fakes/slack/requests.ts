// What Slack sends an app, built and signed as Slack does: Events API callbacks (JSON), slash
// commands (form-encoded), signed with `v0=` HMAC-SHA256(signing secret, `v0:<ts>:<raw body>`) in
// X-Slack-Signature plus X-Slack-Request-Timestamp, and X-Slack-Retry-Num on redelivery.

import { createHmac, randomBytes } from 'node:crypto';
import type { Json } from './fake-state.js';

export interface SignOptions {
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Sign with this secret instead (a forged request). */
  secret?: string;
  retryNum?: number;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(
  secret: string,
  body: string,
  contentType: string,
  opts: SignOptions = {},
): Record<string, string> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': sign(opts.secret ?? secret, timestamp, body),
    ...(opts.retryNum !== undefined
      ? { 'x-slack-retry-num': String(opts.retryNum), 'x-slack-retry-reason': 'http_timeout' }
      : {}),
  };
}

export interface MessageSpec {
  user: string;
  channel: string;
  text: string;
  /** `im` for a DM; `channel` otherwise. */
  channelType?: 'im' | 'channel' | 'group';
  ts?: string;
  threadTs?: string;
  files?: Json[];
  botId?: string;
  subtype?: string;
}

/** An event body as it appears in `event`: a `message` or an `app_mention`. */
export function messageEvent(type: 'message' | 'app_mention', spec: MessageSpec & { ts: string }): Json {
  return {
    type,
    user: spec.user,
    text: spec.text,
    ts: spec.ts,
    channel: spec.channel,
    event_ts: spec.ts,
    ...(type === 'message' ? { channel_type: spec.channelType ?? 'im' } : {}),
    ...(spec.threadTs ? { thread_ts: spec.threadTs } : {}),
    ...(spec.files ? { files: spec.files, subtype: 'file_share' } : {}),
    ...(spec.botId ? { bot_id: spec.botId } : {}),
    ...(spec.subtype ? { subtype: spec.subtype } : {}),
  };
}

/**
 * A `message_changed` event: `original` (a `message` event body) edited by its author to `text` at
 * `editTs`, shaped as Slack's reference shows it (docs.slack.dev/reference/events/message/message_changed).
 */
export function messageChangedEvent(original: Json, text: string, editTs: string): Json {
  const { type: _type, event_ts: _eventTs, channel, channel_type, subtype: _subtype, ...message } = original;
  return {
    type: 'message',
    subtype: 'message_changed',
    hidden: true,
    channel,
    ...(channel_type ? { channel_type } : {}),
    ts: editTs,
    event_ts: editTs,
    message: { type: 'message', ...message, text, edited: { user: original.user, ts: editTs } },
    previous_message: { type: 'message', ...message },
  };
}

/** The Events API envelope around one event. */
export function eventCallback(
  team: string,
  apiAppId: string,
  botUser: string,
  event: Json,
  eventId = `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
): Json {
  return {
    token: 'deprecated-verification-token',
    team_id: team,
    api_app_id: apiAppId,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: team, user_id: botUser, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomBytes(6).toString('hex')}`,
  };
}

export interface SlashSpec {
  user: string;
  userName?: string;
  channel: string;
  channelName?: string;
  text: string;
  command?: string;
  triggerId?: string;
}

/** A slash command's fields (sent form-encoded over HTTP, as a JSON payload over Socket Mode). */
export function slashCommand(team: string, apiAppId: string, spec: SlashSpec, baseUrl: string): Json {
  return {
    token: 'deprecated-verification-token',
    team_id: team,
    team_domain: 'sandgate-test',
    channel_id: spec.channel,
    channel_name: spec.channelName ?? spec.channel,
    user_id: spec.user,
    user_name: spec.userName ?? spec.user.toLowerCase(),
    command: spec.command ?? '/sandgate',
    text: spec.text,
    api_app_id: apiAppId,
    is_enterprise_install: 'false',
    response_url: `${baseUrl}/commands/${team}/${randomBytes(4).toString('hex')}`,
    trigger_id: spec.triggerId ?? `${Date.now()}.${randomBytes(6).toString('hex')}`,
  };
}

export function formEncode(fields: Json): string {
  return new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString();
}
