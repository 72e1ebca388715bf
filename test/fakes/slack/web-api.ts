// The Web API methods the Slack channel uses, as Slack documents them: HTTP 200 with `{ok:true,…}`
// or `{ok:false, error}` (`not_authed`, `invalid_auth`, `channel_not_found`, `not_in_channel`,
// `no_text`, `msg_too_long`, `message_not_found` …). Tokens are checked per method: bot token (xoxb-)
// for chat/files/users/conversations, the app-level token (xapp-) for apps.connections.open.

import type { FakeState, Json } from './fake-state.js';

export interface MethodContext {
  state: FakeState;
  token: string | undefined;
  botToken: string;
  appToken: string;
  /** http://127.0.0.1:PORT — for upload URLs and file downloads. */
  baseUrl: string;
  /** Called by apps.connections.open: a ws:// URL for a fresh Socket Mode connection. */
  openSocket(): string;
}

export type MethodResult = Json & { ok: boolean; error?: string };
type Handler = (p: Json, ctx: MethodContext) => MethodResult;

/** Slack's documented maximum for `text` (longer is refused with msg_too_long). */
const TEXT_LIMIT = 40_000;

const fail = (error: string, extra: Json = {}): MethodResult => ({ ok: false, error, ...extra });

function str(p: Json, key: string): string | undefined {
  const v = p[key];
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function bool(p: Json, key: string): boolean | undefined {
  const v = p[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return undefined;
}

/** A conversation the bot may post in, or the error Slack gives. */
function postable(ctx: MethodContext, channel: string | undefined): { id: string } | MethodResult {
  if (!channel) return fail('channel_not_found');
  const conv = ctx.state.conversations.get(channel);
  if (!conv) return fail('channel_not_found');
  if (!conv.members.has(ctx.state.bot.userId)) return fail('not_in_channel');
  return { id: conv.id };
}

const isError = (v: { id: string } | MethodResult): v is MethodResult => 'ok' in v;

const botMethods: Record<string, Handler> = {
  'auth.test': (_p, { state }) => ({
    ok: true,
    url: `https://${state.team.domain}.slack.com/`,
    team: state.team.name,
    user: state.bot.name,
    team_id: state.team.id,
    user_id: state.bot.userId,
    bot_id: state.bot.botId,
    is_enterprise_install: false,
  }),

  'chat.postMessage': (p, ctx) => {
    const where = postable(ctx, str(p, 'channel'));
    if (isError(where)) return where;
    const text = str(p, 'text');
    if (!text && !p.blocks) return fail('no_text');
    if (text && text.length > TEXT_LIMIT) return fail('msg_too_long');
    const ts = ctx.state.nextTs();
    const threadTs = str(p, 'thread_ts');
    const unfurlLinks = bool(p, 'unfurl_links');
    const unfurlMedia = bool(p, 'unfurl_media');
    ctx.state.messages.push({
      channel: where.id,
      ts,
      text: text ?? '',
      history: [text ?? ''],
      ...(threadTs ? { threadTs } : {}),
      ...(unfurlLinks !== undefined ? { unfurlLinks } : {}),
      ...(unfurlMedia !== undefined ? { unfurlMedia } : {}),
    });
    return {
      ok: true,
      channel: where.id,
      ts,
      message: { type: 'message', text, user: ctx.state.bot.userId, bot_id: ctx.state.bot.botId, ts },
    };
  },

  'chat.update': (p, ctx) => {
    const channel = str(p, 'channel');
    const ts = str(p, 'ts');
    const text = str(p, 'text');
    if (!ctx.state.conversations.has(channel ?? '')) return fail('channel_not_found');
    const msg = ctx.state.messages.find((m) => m.channel === channel && m.ts === ts && !m.ephemeralTo);
    if (!msg) return fail('message_not_found');
    if (!text) return fail('no_text');
    if (text.length > TEXT_LIMIT) return fail('msg_too_long');
    msg.text = text;
    msg.history.push(text);
    return { ok: true, channel, ts, text };
  },

  'chat.postEphemeral': (p, ctx) => {
    const where = postable(ctx, str(p, 'channel'));
    if (isError(where)) return where;
    const user = str(p, 'user');
    if (!user || !ctx.state.users.has(user)) return fail('user_not_found');
    const text = str(p, 'text');
    if (!text) return fail('no_text');
    const ts = ctx.state.nextTs();
    ctx.state.messages.push({ channel: where.id, ts, text, history: [text], ephemeralTo: user });
    return { ok: true, message_ts: ts };
  },

  'conversations.open': (p, ctx) => {
    const users = str(p, 'users');
    if (!users) return fail('users_list_not_supplied');
    if (users.includes(',')) return fail('not_supported_in_fake');
    if (!ctx.state.users.has(users)) return fail('user_not_found');
    return { ok: true, channel: { id: ctx.state.imWith(users).id } };
  },

  'users.info': (p, ctx) => {
    const user = ctx.state.users.get(str(p, 'user') ?? '');
    if (!user) return fail('user_not_found');
    return {
      ok: true,
      user: {
        id: user.id,
        team_id: ctx.state.team.id,
        name: user.name,
        real_name: user.realName,
        is_bot: user.isBot === true,
        profile: { real_name: user.realName, display_name: user.name },
      },
    };
  },

  'files.getUploadURLExternal': (p, ctx) => {
    const filename = str(p, 'filename');
    const length = Number(str(p, 'length'));
    if (!filename) return fail('invalid_arguments', { response_metadata: { messages: ['filename'] } });
    if (!Number.isInteger(length) || length <= 0) return fail('invalid_arguments');
    const id = ctx.state.nextId('F');
    ctx.state.files.set(id, { id, name: filename, mimetype: 'application/octet-stream', length });
    return { ok: true, upload_url: `${ctx.baseUrl}/upload/v1/${id}`, file_id: id };
  },

  'files.completeUploadExternal': (p, ctx) => {
    let files: { id?: unknown; title?: unknown }[];
    try {
      files = JSON.parse(str(p, 'files') ?? '[]') as typeof files;
    } catch {
      return fail('invalid_arguments');
    }
    if (!Array.isArray(files) || files.length === 0) return fail('invalid_arguments');
    const channel = str(p, 'channel_id');
    const where = channel ? postable(ctx, channel) : undefined;
    if (where && isError(where)) return where;
    const threadTs = str(p, 'thread_ts');
    const done = [];
    for (const f of files) {
      const file = ctx.state.files.get(String(f.id));
      if (!file?.data) return fail('file_not_found');
      if (file.data.length !== file.length) return fail('file_upload_size_mismatch');
      if (typeof f.title === 'string') file.title = f.title;
      done.push(file);
    }
    if (where) {
      for (const file of done) file.shared = { channel: where.id, ...(threadTs ? { threadTs } : {}) };
      const ts = ctx.state.nextTs();
      const comment = str(p, 'initial_comment') ?? '';
      ctx.state.messages.push({
        channel: where.id,
        ts,
        text: comment,
        history: [comment],
        files: done.map((f) => f.id),
        ...(threadTs ? { threadTs } : {}),
      });
    }
    return { ok: true, files: done.map((f) => ({ id: f.id, title: f.title ?? f.name })) };
  },
};

/** Answers one Web API call (after the scripted failures were consulted). */
export function callMethod(method: string, params: Json, ctx: MethodContext): MethodResult {
  if (method === 'apps.connections.open') {
    if (!ctx.token) return fail('not_authed');
    if (!ctx.token.startsWith('xapp-')) return fail('not_allowed_token_type');
    if (ctx.token !== ctx.appToken) return fail('invalid_auth');
    return { ok: true, url: ctx.openSocket() };
  }
  const handler = botMethods[method];
  if (!handler) return fail('unknown_method');
  if (!ctx.token) return fail('not_authed');
  if (ctx.token.startsWith('xapp-')) return fail('not_allowed_token_type');
  if (ctx.token !== ctx.botToken) return fail('invalid_auth');
  return handler(params, ctx);
}
