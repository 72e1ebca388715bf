// Inbound images and documents as lazy attachments: nothing is downloaded until the gateway calls
// fetch(), which streams the encrypted file through Baileys' downloadMediaMessage (asking the sender's
// phone to upload it again when the CDN link expired) and stops as soon as it passes `maxBytes`.
// The ref keeps the media keys (BufferJSON), so the file can still be fetched after a restart.

import {
  BufferJSON,
  downloadMediaMessage,
  type proto,
  toNumber,
  type WAMessage,
  type WAMessageKey,
} from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import { safeFileName } from '../../src/text/file-name.js';
import type { Attachment } from '../channel.js';
import type { WaSocket } from './socket.js';

export class AttachmentTooLargeError extends Error {
  constructor(
    readonly fileName: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`"${fileName}" is ${mb(size)}; files up to ${mb(limit)} are accepted. Send a smaller file.`);
    this.name = 'AttachmentTooLargeError';
  }
}

/** What a stored ref holds: the message key and the media part of the message (keys, path, url). */
interface StoredMedia {
  key: WAMessageKey;
  message: proto.IMessage;
  name: string;
}

export interface MediaOptions {
  maxBytes: number;
  /** The open socket, for re-upload requests; undefined while disconnected. */
  socket(): WaSocket | undefined;
  log: Logger;
}

export class WhatsAppMedia {
  constructor(private readonly opts: MediaOptions) {}

  /** The attachments of one message's content (an image or a document), possibly none. */
  attachments(msg: WAMessage, content: proto.IMessage): (Attachment & { tooLarge: boolean })[] {
    const id = msg.key.id ?? 'media';
    const image = content.imageMessage;
    if (image) {
      const mime = image.mimetype ?? 'image/jpeg';
      return [
        this.attachment(
          msg,
          { imageMessage: image },
          `image-${id}.${extension(mime)}`,
          mime,
          image.fileLength,
        ),
      ];
    }
    const doc = content.documentMessage;
    if (doc) {
      const mime = doc.mimetype ?? 'application/octet-stream';
      const name = safeFileName(doc.fileName ?? doc.title ?? '', `document-${id}`);
      return [this.attachment(msg, { documentMessage: doc }, name, mime, doc.fileLength)];
    }
    return [];
  }

  /** Fetches a file from a stored `ref` (see attachments()). */
  fetchStored(ref: string): Promise<Buffer> {
    const stored = JSON.parse(ref, BufferJSON.reviver) as StoredMedia;
    if (!stored?.key || !stored.message) throw new Error('not a WhatsApp media reference');
    return this.download({ key: stored.key, message: stored.message }, stored.name, 0);
  }

  private attachment(
    msg: WAMessage,
    message: proto.IMessage,
    name: string,
    mime: string,
    length: proto.Message.IImageMessage['fileLength'],
  ): Attachment & { tooLarge: boolean } {
    const size = length ? toNumber(length) : 0;
    const stored: StoredMedia = { key: msg.key, message, name };
    return {
      name,
      mime,
      size,
      tooLarge: size > this.opts.maxBytes,
      ref: JSON.stringify(stored, BufferJSON.replacer),
      fetch: () => this.download({ key: msg.key, message }, name, size),
    };
  }

  private async download(msg: WAMessage, name: string, declared: number): Promise<Buffer> {
    const max = this.opts.maxBytes;
    if (declared > max) throw new AttachmentTooLargeError(name, declared, max);
    const socket = this.opts.socket();
    const ctx = socket
      ? { reuploadRequest: (m: WAMessage) => socket.updateMediaMessage(m), logger: this.opts.log }
      : undefined;
    let stream: AsyncIterable<Buffer> & { destroy(): void };
    try {
      stream = await downloadMediaMessage(msg, 'stream', {}, ctx);
    } catch (err) {
      throw new Error(
        `downloading "${name}" from WhatsApp failed: ${err instanceof Error ? err.message : err}`,
      );
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream) {
      total += chunk.length;
      if (total > max) {
        stream.destroy();
        throw new AttachmentTooLargeError(name, total, max);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }
}

function extension(mime: string): string {
  const sub = mime.split(';')[0]?.split('/')[1] ?? 'bin';
  return sub === 'jpeg' ? 'jpg' : sub.replace(/[^a-z0-9]/gi, '') || 'bin';
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
