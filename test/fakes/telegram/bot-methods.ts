// The Bot API methods the fake answers, with Telegram's error texts where tests depend on them:
// "can't parse entities", "message is not modified", "file is too big", getUpdates conflicts.

import type { Json } from './fake-state.js';
import {
  bad,
  badButtonUrl,
  baseMessage,
  DOWNLOAD_MAX,
  fail,
  type Method,
  type MethodResult,
  num,
  obj,
  ok,
  render,
  sendMedia,
  str,
} from './method-helpers.js';

export { fail, type MethodContext, type MethodResult, ok } from './method-helpers.js';

export const METHODS: Record<string, Method> = {
  getMe: (ctx) => ok(ctx.bot),

  getWebhookInfo: (ctx) =>
    ok({
      url: ctx.state.webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: ctx.state.updates.length,
    }),

  deleteWebhook: (ctx) => {
    ctx.state.webhook = undefined;
    if (obj(ctx.params, 'drop_pending_updates') === true) ctx.state.updates = [];
    return ok(true);
  },

  setWebhook: (ctx) => {
    const url = str(ctx.params, 'url') ?? '';
    if (url === '') {
      ctx.state.webhook = undefined;
      return ok(true);
    }
    const secretToken = str(ctx.params, 'secret_token');
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken))
      return bad('secret token contains unallowed characters');
    ctx.state.webhook = secretToken === undefined ? { url } : { url, secretToken };
    rememberAllowedUpdates(ctx);
    if (obj(ctx.params, 'drop_pending_updates') === true) ctx.state.updates = [];
    void ctx.state.pushWebhook();
    return ok(true);
  },

  getUpdates: (ctx) => {
    const s = ctx.state;
    if (s.webhook) {
      return fail(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    rememberAllowedUpdates(ctx);
    const offset = num(ctx.params, 'offset');
    if (offset !== undefined && offset > 0) s.confirm(offset);
    const from = Math.max(offset ?? 0, s.confirmedOffset);
    const limit = Math.min(100, Math.max(1, num(ctx.params, 'limit') ?? 100));
    const timeout = num(ctx.params, 'timeout') ?? 0;
    const ready = s.available(from, limit);
    if (ready.length > 0 || timeout <= 0) return ok(ready);
    // Telegram answers an older held request with 409 when a newer one arrives.
    s.waiter?.resolve('conflict');
    return new Promise<MethodResult>((resolve) => {
      const timer = setTimeout(() => finish([]), timeout * 1000);
      const finish = (r: Json[] | 'conflict') => {
        clearTimeout(timer);
        if (s.waiter === waiter) s.waiter = undefined;
        resolve(
          r === 'conflict'
            ? fail(
                409,
                'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
              )
            : ok(r),
        );
      };
      const waiter = { offset: from, limit, resolve: finish };
      s.waiter = waiter;
      ctx.onClose(() => {
        if (s.waiter === waiter) s.waiter = undefined;
        clearTimeout(timer);
      });
    });
  },

  sendMessage: (ctx) => {
    const chatId = num(ctx.params, 'chat_id');
    if (chatId === undefined) return bad('chat_id is empty');
    const raw = str(ctx.params, 'text') ?? '';
    const parseMode = str(ctx.params, 'parse_mode');
    const r = render(raw, parseMode);
    if ('error' in r) return bad(`can't parse entities: ${r.error}`);
    if (r.text.trim() === '') return bad('message text is empty');
    if (r.text.length > 4096) return bad('message is too long');
    const markup = obj(ctx.params, 'reply_markup');
    const badUrl = badButtonUrl(markup);
    if (badUrl) return bad(`inline keyboard button URL '${badUrl}' is invalid: Wrong HTTP URL`);
    const { json, threadId } = baseMessage(ctx, chatId);
    json.text = r.text;
    if (markup !== undefined) json.reply_markup = markup;
    ctx.state.storeMessage({
      chatId,
      messageId: json.message_id as number,
      fromBot: true,
      kind: 'text',
      text: r.text,
      raw,
      edits: 0,
      json,
      ...(parseMode === undefined ? {} : { parseMode }),
      ...(markup === undefined ? {} : { replyMarkup: markup }),
      ...(threadId === undefined ? {} : { threadId }),
    });
    return ok(json);
  },

  editMessageText: (ctx) => {
    const chatId = num(ctx.params, 'chat_id');
    const messageId = num(ctx.params, 'message_id');
    const m =
      chatId === undefined || messageId === undefined ? undefined : ctx.state.message(chatId, messageId);
    if (!m?.fromBot || m.kind !== 'text') return bad('message to edit not found');
    const raw = str(ctx.params, 'text') ?? '';
    const parseMode = str(ctx.params, 'parse_mode');
    const r = render(raw, parseMode);
    if ('error' in r) return bad(`can't parse entities: ${r.error}`);
    if (r.text.trim() === '') return bad('message text is empty');
    if (r.text.length > 4096) return bad('MESSAGE_TOO_LONG');
    const markup = obj(ctx.params, 'reply_markup');
    if (r.text === m.text && JSON.stringify(markup) === JSON.stringify(m.replyMarkup)) {
      return bad(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    m.text = r.text;
    m.raw = raw;
    m.replyMarkup = markup;
    if (parseMode === undefined) delete m.parseMode;
    else m.parseMode = parseMode;
    m.edits++;
    m.json = { ...m.json, text: r.text, edit_date: Math.floor(Date.now() / 1000) };
    return ok(m.json);
  },

  sendPhoto: sendMedia('photo'),
  sendDocument: sendMedia('document'),

  sendChatAction: (ctx) => {
    if (num(ctx.params, 'chat_id') === undefined) return bad('chat_id is empty');
    if (!str(ctx.params, 'action')) return bad('action is empty');
    return ok(true);
  },

  getFile: (ctx) => {
    const f = ctx.state.files.get(str(ctx.params, 'file_id') ?? '');
    if (!f) return bad('invalid file_id');
    if (f.size > DOWNLOAD_MAX) return bad('file is too big');
    return ok({ file_id: f.fileId, file_unique_id: f.uniqueId, file_size: f.size, file_path: f.path });
  },

  setMyCommands: (ctx) => {
    const commands = obj(ctx.params, 'commands');
    if (!Array.isArray(commands)) return bad('commands must be an array');
    for (const c of commands as Json[]) {
      if (typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command))
        return bad('BOT_COMMAND_INVALID');
      if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) {
        return bad('BOT_COMMAND_DESCRIPTION_INVALID');
      }
    }
    ctx.state.commands = commands as Json[];
    return ok(true);
  },

  getMyCommands: (ctx) => ok(ctx.state.commands),

  deleteMyCommands: (ctx) => {
    ctx.state.commands = [];
    return ok(true);
  },
};

/** `allowed_updates` sticks until a later call changes it (Bot API: getUpdates, setWebhook). */
function rememberAllowedUpdates(ctx: {
  state: { allowedUpdates: string[] | undefined };
  params: Record<string, unknown>;
}) {
  const allowed = obj(ctx.params, 'allowed_updates');
  if (Array.isArray(allowed))
    ctx.state.allowedUpdates = allowed.filter((t): t is string => typeof t === 'string');
}
