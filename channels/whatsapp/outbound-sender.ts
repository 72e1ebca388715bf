// Sends replies over the open Baileys socket: a text chunk (WhatsApp markdown, links as lines), an
// image with its caption, a document; edits the progress message; shows `composing` as typing.
// Each part gets a message id derived from the outbox row, so a retried send reuses the id WhatsApp
// already knows instead of posting a second copy. Errors are sorted for the outbox's retry decision.

import { createHash } from 'node:crypto';
import type { AnyMessageContent } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import { SendPacer } from '../../src/timing/pacer.js';
import { type ConversationRef, DeliveryError, type DeliveryReceipt, type Outbound } from '../channel.js';
import { statusCodeOf } from './disconnect-policy.js';
import { toWhatsAppMarkdown } from './markdown.js';
import type { WaSocket } from './socket.js';

/**
 * WhatsApp publishes no send limits for linked devices; bursts from a new device are what gets
 * accounts flagged, so sends are spaced like a fast human: 1 s per chat, 20 per minute per group.
 */
export const WHATSAPP_PACING = {
  perChatIntervalMs: 1000,
  groupPerMinute: 20,
  globalPerSecond: 5,
  isGroup: (jid: string) => jid.endsWith('@g.us'),
};

export interface SenderDeps {
  socket(): WaSocket | undefined;
  /** Remembers ids we sent, so their echo in the owner's own chat is not read as a message. */
  remember(messageId: string): void;
  log: Logger;
  pacer?: SendPacer;
}

export class OutboundSender {
  private readonly pacer: SendPacer;

  constructor(private readonly d: SenderDeps) {
    this.pacer = d.pacer ?? new SendPacer(WHATSAPP_PACING);
  }

  async deliver(to: ConversationRef, msg: Outbound): Promise<DeliveryReceipt> {
    const jid = jidOf(to);
    const socket = this.connected();
    await this.pacer.acquire(jid);
    const messageId = msg.idempotencyKey ? messageIdFor(msg.idempotencyKey) : undefined;
    try {
      const sent = await socket.sendMessage(jid, contentOf(msg), messageId ? { messageId } : {});
      const id = sent?.key.id ?? messageId;
      if (!id) return { messageIds: [] };
      this.d.remember(id);
      return { messageIds: [id] };
    } catch (err) {
      throw this.failure(jid, err, msg.kind);
    }
  }

  /** Edits an earlier text of ours (WhatsApp allows this for 15 minutes after sending). */
  async edit(to: ConversationRef, receipt: DeliveryReceipt, text: string): Promise<void> {
    const id = receipt.messageIds[0];
    if (!id) return;
    const jid = jidOf(to);
    const socket = this.connected();
    await this.pacer.acquire(jid);
    try {
      await socket.sendMessage(jid, {
        text: toWhatsAppMarkdown(text),
        edit: { remoteJid: jid, fromMe: true, id },
      });
    } catch (err) {
      throw this.failure(jid, err, 'edit');
    }
  }

  /** Best effort: a missing "typing…" is not worth failing a run over. */
  async typing(to: ConversationRef): Promise<void> {
    try {
      await this.d.socket()?.sendPresenceUpdate('composing', jidOf(to));
    } catch (err) {
      this.d.log.debug({ err }, 'whatsapp: presence update failed');
    }
  }

  private connected(): WaSocket {
    const socket = this.d.socket();
    if (!socket) throw new DeliveryError('WhatsApp is not connected');
    return socket;
  }

  private failure(jid: string, err: unknown, what: string): DeliveryError {
    const code = statusCodeOf(err);
    const message = `WhatsApp ${what} failed: ${err instanceof Error ? err.message : String(err)}${code ? ` (${code})` : ''}`;
    this.d.log.warn({ what, code, error: message }, 'whatsapp: delivery failed');
    if (code === 429) {
      // "rate-overlimit" comes without a retry-after; hold this chat for half a minute.
      this.pacer.penalize(jid, 30_000);
      return new DeliveryError(message, { retryAfterMs: 30_000 });
    }
    // 408/428 (timeout, connection closed) and 5xx are transient; other 4xx (a JID that is not on
    // WhatsApp, a group we left) will not get better.
    if (code !== undefined && code >= 400 && code < 500 && code !== 408 && code !== 428) {
      return new DeliveryError(message, { permanent: true });
    }
    return new DeliveryError(message);
  }
}

function contentOf(msg: Outbound): AnyMessageContent {
  switch (msg.kind) {
    case 'text': {
      const links = (msg.links ?? []).map((l) => (l.label ? `${l.label}: ${l.url}` : l.url));
      return { text: [toWhatsAppMarkdown(msg.text), ...links].filter((s) => s.trim() !== '').join('\n\n') };
    }
    case 'image':
      return {
        image: msg.png,
        mimetype: 'image/png',
        ...(msg.caption?.trim() ? { caption: toWhatsAppMarkdown(msg.caption) } : {}),
      };
    case 'file':
      return { document: msg.data, fileName: msg.name, mimetype: mimeFor(msg.name) };
  }
}

function jidOf(to: ConversationRef): string {
  const jid = to.route.jid;
  if (typeof jid !== 'string' || !jid.includes('@')) {
    throw new DeliveryError(`no WhatsApp chat to deliver to (${to.key})`, { permanent: true });
  }
  return jid;
}

/** A stable WhatsApp-style message id (hex, "3EB0" prefix as Baileys' own) for one outbox row. */
export function messageIdFor(idempotencyKey: string): string {
  return `3EB0${createHash('sha256').update(`sandgate:${idempotencyKey}`).digest('hex').slice(0, 18).toUpperCase()}`;
}

const MIME_BY_EXTENSION: Record<string, string> = {
  csv: 'text/csv',
  json: 'application/json',
  txt: 'text/plain',
  md: 'text/markdown',
  patch: 'text/x-diff',
  diff: 'text/x-diff',
  html: 'text/html',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  svg: 'image/svg+xml',
  zip: 'application/zip',
  gz: 'application/gzip',
  py: 'text/x-python',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

function mimeFor(name: string): string {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  return MIME_BY_EXTENSION[ext] ?? 'application/octet-stream';
}
