// Sends replies to Telegram: text as HTML (plain text when Telegram rejects the entities), link
// buttons, charts via sendPhoto, files via sendDocument; progress edits and typing. Every send is
// paced; failures become DeliveryError (429 → retryAfterMs) for the gateway's outbox to retry. One
// deliver() is one reply part (one outbox row), so a retry repeats at most that part.

import { InputFile } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Logger } from 'pino';
import { z } from 'zod';
import { shorten } from '../../src/text/cut.js';
import type { SendPacer } from '../../src/timing/pacer.js';
import { type ConversationRef, DeliveryError, type DeliveryReceipt, type Outbound } from '../channel.js';
import { classify, toDeliveryError } from './errors.js';
import { toTelegramHtml } from './html-format.js';
import { linkLine, type Part, planParts, TEXT_MAX, UPLOAD_MAX_BYTES } from './outbound-parts.js';
import type { StatusTracker } from './status-tracker.js';

type ChatId = number | string;

/**
 * Every text the bot sends or edits goes without a link preview (Bot API LinkPreviewOptions): command
 * output is data, and Telegram's crawler must never open a signed preview link or a one-time link
 * before the person does.
 */
const NO_PREVIEW = { link_preview_options: { is_disabled: true } } as const;
interface MessageLike {
  message_id: number;
}
interface SendOptions {
  parse_mode?: 'HTML';
  link_preview_options?: { is_disabled: boolean };
  message_thread_id?: number;
  reply_markup?: InlineKeyboardMarkup;
  caption?: string;
}

/** The Bot API methods the sender uses (grammY's Api satisfies it). */
export interface SendApi {
  sendMessage(chatId: ChatId, text: string, other?: SendOptions): Promise<MessageLike>;
  sendPhoto(chatId: ChatId, photo: InputFile, other?: SendOptions): Promise<MessageLike>;
  sendDocument(chatId: ChatId, doc: InputFile, other?: SendOptions): Promise<MessageLike>;
  editMessageText(chatId: ChatId, messageId: number, text: string, other?: SendOptions): Promise<unknown>;
  sendChatAction(chatId: ChatId, action: 'typing', other?: SendOptions): Promise<unknown>;
}

const routeSchema = z.object({
  chatId: z.union([z.number().int(), z.string().regex(/^-?\d+$|^@\w+$/)]),
  threadId: z.number().int().optional(),
});

export function routeOf(to: ConversationRef): { chatId: ChatId; threadId?: number } {
  const parsed = routeSchema.safeParse(to.route);
  if (parsed.success) return parsed.data;
  // Older rows may only carry the key: tg:<chat> or tg:<chat>:topic:<thread>.
  const m = /^tg:(-?\d+)(?::topic:(\d+))?$/.exec(to.key);
  if (!m) throw new DeliveryError(`no Telegram chat in conversation ${to.key}`, { permanent: true });
  return m[2] ? { chatId: Number(m[1]), threadId: Number(m[2]) } : { chatId: Number(m[1]) };
}

export interface OutboundSenderDeps {
  api: SendApi;
  pacer: SendPacer;
  status: StatusTracker;
  log: Logger;
}

export class OutboundSender {
  constructor(private readonly d: OutboundSenderDeps) {}

  async deliver(to: ConversationRef, msg: Outbound): Promise<DeliveryReceipt> {
    const { chatId, threadId } = routeOf(to);
    const messageIds: string[] = [];
    for (const part of planParts(msg)) messageIds.push(...(await this.sendPart(chatId, threadId, part)));
    return { messageIds };
  }

  async edit(to: ConversationRef, receipt: DeliveryReceipt, text: string): Promise<void> {
    const first = receipt.messageIds[0];
    if (first === undefined) return;
    const { chatId } = routeOf(to);
    const body = shorten(text, TEXT_MAX);
    await this.d.pacer.acquire(chatId);
    try {
      await this.withPlainFallback(
        () =>
          this.d.api.editMessageText(chatId, Number(first), toTelegramHtml(body), {
            ...NO_PREVIEW,
            parse_mode: 'HTML',
          }),
        () => this.d.api.editMessageText(chatId, Number(first), body, NO_PREVIEW),
      );
    } catch (err) {
      const f = classify(err);
      if (f.kind === 'not-modified') return;
      throw this.failure(chatId, err, 'editMessageText');
    }
  }

  /** Best effort: a missing typing indicator is not worth failing a run over. */
  async typing(to: ConversationRef): Promise<void> {
    const { chatId, threadId } = routeOf(to);
    try {
      await this.d.api.sendChatAction(chatId, 'typing', thread(threadId));
    } catch (err) {
      this.d.log.debug({ err: classify(err).message }, 'telegram: sendChatAction failed');
    }
  }

  private async sendPart(chatId: ChatId, threadId: number | undefined, part: Part): Promise<string[]> {
    if (part.kind === 'document' && part.data.length > UPLOAD_MAX_BYTES) {
      const mb = (part.data.length / (1024 * 1024)).toFixed(1);
      throw new DeliveryError(`"${part.name}" is ${mb} MB; Telegram bots can send files up to 50 MB`, {
        permanent: true,
      });
    }
    await this.d.pacer.acquire(chatId);
    try {
      const sent = await this.sendOnce(chatId, threadId, part);
      return [String(sent.message_id)];
    } catch (err) {
      throw this.failure(chatId, err, part.kind === 'text' ? 'sendMessage' : `send${cap(part.kind)}`);
    }
  }

  private async sendOnce(chatId: ChatId, threadId: number | undefined, part: Part): Promise<MessageLike> {
    const api = this.d.api;
    if (part.kind === 'photo') {
      const opts = { ...thread(threadId), ...(part.caption ? { caption: part.caption } : {}) };
      try {
        return await api.sendPhoto(chatId, new InputFile(part.png, 'chart.png'), opts);
      } catch (err) {
        // Odd dimensions or a PNG Telegram cannot thumbnail: the file still gets through as a document.
        if (!/PHOTO_|IMAGE_PROCESS_FAILED/i.test(classify(err).message)) throw err;
        return api.sendDocument(chatId, new InputFile(part.png, 'chart.png'), opts);
      }
    }
    if (part.kind === 'document') {
      return api.sendDocument(chatId, new InputFile(part.data, part.name), thread(threadId));
    }
    const markup = keyboard(part);
    const base = { ...thread(threadId), ...NO_PREVIEW, ...(markup ? { reply_markup: markup } : {}) };
    try {
      return await this.withPlainFallback(
        () => api.sendMessage(chatId, toTelegramHtml(part.text), { ...base, parse_mode: 'HTML' }),
        () => api.sendMessage(chatId, part.text, base),
      );
    } catch (err) {
      if (!markup || !/button|URL/i.test(classify(err).message) || classify(err).kind !== 'permanent')
        throw err;
      // A link Telegram will not take as a button still reaches the user as text.
      const text = [part.text, ...part.buttons.map(linkLine)].join('\n');
      return api.sendMessage(chatId, text, { ...thread(threadId), ...NO_PREVIEW });
    }
  }

  private async withPlainFallback<T>(html: () => Promise<T>, plain: () => Promise<T>): Promise<T> {
    try {
      return await html();
    } catch (err) {
      if (classify(err).kind !== 'cannot-parse') throw err;
      this.d.log.debug('telegram: HTML rejected, sending plain text');
      return plain();
    }
  }

  private failure(chatId: ChatId, err: unknown, what: string): DeliveryError {
    if (err instanceof DeliveryError) return err;
    const f = classify(err);
    if (f.kind === 'rate-limited') this.d.pacer.penalize(chatId, f.retryAfterMs);
    if (f.kind === 'unauthorized') {
      this.d.status.failed(f.message, 'error', 'Telegram rejected the bot token (401 Unauthorized)');
    } else {
      this.d.status.failed(`${what}: ${f.message}`);
    }
    this.d.log.warn({ what, failure: f.kind, detail: f.message }, 'telegram: delivery failed');
    return toDeliveryError(f, what);
  }
}

function thread(threadId: number | undefined): SendOptions {
  return threadId === undefined ? {} : { message_thread_id: threadId };
}

function keyboard(part: Extract<Part, { kind: 'text' }>): InlineKeyboardMarkup | undefined {
  if (part.buttons.length === 0) return undefined;
  return {
    inline_keyboard: part.buttons.map((l) => [{ text: shorten(l.label ?? l.url, 64), url: l.url }]),
  };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
