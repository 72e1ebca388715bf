// Inbound photos and documents as lazy attachments: nothing is downloaded until the gateway calls
// fetch(), which asks getFile for a path and downloads it from the Bot API's file endpoint. Bots may
// only download files up to 20 MB; a larger one fails fetch() with AttachmentTooLargeError.

import type { Attachment } from '../channel.js';

/** The Bot API's download limit for bots (cloud API). */
export const TELEGRAM_DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024;

export class AttachmentTooLargeError extends Error {
  constructor(
    readonly fileName: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(
      `"${fileName}" is ${formatMb(size)}; Telegram lets bots download files up to ${formatMb(limit)}. ` +
        'Send a smaller file or share a link to it.',
    );
    this.name = 'AttachmentTooLargeError';
  }
}

export interface FileLookup {
  getFile(fileId: string): Promise<{ file_path?: string; file_size?: number }>;
}

export interface FileRef {
  fileId: string;
  name: string;
  mime: string;
  /** As announced in the update; 0 when Telegram did not say. */
  size: number;
}

export interface TelegramFilesOptions {
  api: FileLookup;
  apiRoot: string;
  token: string;
  maxBytes?: number;
  fetch?: typeof fetch;
}

export class TelegramFiles {
  private readonly maxBytes: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: TelegramFilesOptions) {
    this.maxBytes = opts.maxBytes ?? TELEGRAM_DOWNLOAD_MAX_BYTES;
    this.fetchFn = opts.fetch ?? fetch;
  }

  attachment(ref: FileRef): Attachment & { tooLarge: boolean } {
    return {
      name: ref.name,
      mime: ref.mime,
      size: ref.size,
      tooLarge: ref.size > this.maxBytes,
      // The gateway stores this so it can still fetch the file after a restart.
      ref: JSON.stringify(ref),
      fetch: () => this.download(ref),
    };
  }

  /** Fetches a file from a stored `ref` (see attachment()). */
  fetchStored(stored: string): Promise<Buffer> {
    const ref = JSON.parse(stored) as FileRef;
    if (typeof ref?.fileId !== 'string') throw new Error('not a Telegram file reference');
    return this.download(ref);
  }

  private async download(ref: FileRef): Promise<Buffer> {
    if (ref.size > this.maxBytes) throw new AttachmentTooLargeError(ref.name, ref.size, this.maxBytes);
    let file: { file_path?: string; file_size?: number };
    try {
      file = await this.opts.api.getFile(ref.fileId);
    } catch (err) {
      if (/file is too big/i.test(errorText(err))) {
        throw new AttachmentTooLargeError(ref.name, Math.max(ref.size, this.maxBytes + 1), this.maxBytes);
      }
      throw new Error(`Telegram getFile failed for "${ref.name}": ${errorText(err)}`);
    }
    if ((file.file_size ?? 0) > this.maxBytes) {
      throw new AttachmentTooLargeError(ref.name, file.file_size ?? 0, this.maxBytes);
    }
    if (!file.file_path) throw new Error(`Telegram returned no download path for "${ref.name}"`);
    const path = file.file_path.split('/').map(encodeURIComponent).join('/');
    // The URL carries the bot token: it must never appear in an error or a log line.
    const res = await this.fetchFn(`${this.opts.apiRoot}/file/bot${this.opts.token}/${path}`).catch(
      (err: unknown) => {
        throw new Error(`downloading "${ref.name}" from Telegram failed: ${errorText(err)}`);
      },
    );
    if (!res.ok) throw new Error(`downloading "${ref.name}" from Telegram failed: HTTP ${res.status}`);
    const data = Buffer.from(await res.arrayBuffer());
    if (data.length > this.maxBytes) throw new AttachmentTooLargeError(ref.name, data.length, this.maxBytes);
    return data;
  }
}

function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'description' in err && typeof err.description === 'string') {
    return err.description;
  }
  return err instanceof Error ? err.message : String(err);
}
