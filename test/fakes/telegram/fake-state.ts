// What the fake Bot API remembers: pending updates and the confirmed offset, held getUpdates
// requests, files (uploaded or injected), messages the bot sent, commands and the webhook. Webhook
// delivery pushes pending updates to the URL in order and retries until it gets a 2xx, like Telegram.

import type { UploadedFile } from './multipart.js';

export type Json = Record<string, unknown>;

export interface TgUserJson {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}

export interface TgChatJson {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  first_name?: string;
  username?: string;
  is_forum?: boolean;
}

export interface StoredFile {
  fileId: string;
  uniqueId: string;
  path: string;
  data: Buffer;
  /** What getFile and updates report; may exceed data.length to fake a huge file cheaply. */
  size: number;
}

export interface StoredMessage {
  chatId: number;
  messageId: number;
  threadId?: number;
  fromBot: boolean;
  kind: 'text' | 'photo' | 'document' | 'other';
  /** What the user sees (HTML rendered), for text messages and captions. */
  text?: string;
  /** Exactly what the bot sent as text, with parse_mode. */
  raw?: string;
  parseMode?: string;
  caption?: string;
  replyMarkup?: unknown;
  file?: { fileId: string; filename: string; data: Buffer };
  edits: number;
  json: Json;
}

export interface RecordedCall {
  seq: number;
  method: string;
  params: Record<string, unknown>;
  files: Record<string, UploadedFile>;
  /** HTTP status answered; 0 when the connection was dropped; -1 while still in progress. */
  status: number;
  errorDescription?: string;
  at: number;
}

export interface WebhookAttempt {
  updateId: number;
  status: number;
  error?: string;
}

interface Waiter {
  offset: number;
  limit: number;
  resolve(updates: Json[] | 'conflict'): void;
}

export class FakeState {
  updates: Json[] = [];
  nextUpdateId = 100_000;
  confirmedOffset = 0;
  waiter: Waiter | undefined;
  files = new Map<string, StoredFile>();
  messages = new Map<string, StoredMessage>();
  private nextMessageId = new Map<number, number>();
  private fileSeq = 0;
  commands: Json[] = [];
  webhook: { url: string; secretToken?: string } | undefined;
  /**
   * The update types the bot asked for (getUpdates / setWebhook `allowed_updates`, remembered like
   * Telegram does); others are never delivered. Telegram's default leaves out a few rare types only.
   */
  allowedUpdates: string[] | undefined;
  webhookAttempts: WebhookAttempt[] = [];
  webhookRetryMs = 100;
  private pushing = false;
  closed = false;

  messageId(chatId: number): number {
    const id = (this.nextMessageId.get(chatId) ?? 0) + 1;
    this.nextMessageId.set(chatId, id);
    return id;
  }

  addFile(data: Buffer, opts: { dir?: string; filename?: string; size?: number } = {}): StoredFile {
    const n = ++this.fileSeq;
    const fileId = `FILE${n}-${Math.random().toString(36).slice(2, 10)}`;
    const name = (opts.filename ?? `file_${n}`).replace(/[^\w.-]/g, '_');
    const file: StoredFile = {
      fileId,
      uniqueId: `U${n}`,
      path: `${opts.dir ?? 'documents'}/${n}_${name}`,
      data,
      size: opts.size ?? data.length,
    };
    this.files.set(fileId, file);
    return file;
  }

  fileByPath(path: string): StoredFile | undefined {
    for (const f of this.files.values()) if (f.path === path) return f;
    return undefined;
  }

  storeMessage(m: StoredMessage): void {
    this.messages.set(`${m.chatId}:${m.messageId}`, m);
  }

  message(chatId: number, messageId: number): StoredMessage | undefined {
    return this.messages.get(`${chatId}:${messageId}`);
  }

  enqueue(update: Omit<Json, 'update_id'>): Json {
    const full = { update_id: this.nextUpdateId++, ...update };
    this.updates.push(full);
    this.wake();
    void this.pushWebhook();
    return full;
  }

  /** getUpdates semantics: an offset confirms (forgets) every update below it. */
  confirm(offset: number): void {
    if (offset <= this.confirmedOffset) return;
    this.confirmedOffset = offset;
    this.updates = this.updates.filter((u) => (u.update_id as number) >= offset);
  }

  available(offset: number, limit: number): Json[] {
    this.dropUnwanted();
    return this.updates.filter((u) => (u.update_id as number) >= offset).slice(0, limit);
  }

  /** Telegram does not keep updates of a type the bot did not ask for. */
  private dropUnwanted(): void {
    const allowed = this.allowedUpdates;
    if (!allowed || allowed.length === 0) return;
    this.updates = this.updates.filter((u) =>
      Object.keys(u).some((k) => k !== 'update_id' && allowed.includes(k)),
    );
  }

  wake(): void {
    const w = this.waiter;
    if (!w) return;
    const batch = this.available(w.offset, w.limit);
    if (batch.length === 0) return;
    this.waiter = undefined;
    w.resolve(batch);
  }

  /** Sends pending updates to the webhook one by one, in order, until each gets a 2xx. */
  async pushWebhook(): Promise<void> {
    if (this.pushing || !this.webhook) return;
    this.pushing = true;
    try {
      this.dropUnwanted();
      while (!this.closed && this.webhook && this.updates.length > 0) {
        const update = this.updates[0]!;
        const { url, secretToken } = this.webhook;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (secretToken) headers['x-telegram-bot-api-secret-token'] = secretToken;
        const attempt: WebhookAttempt = { updateId: update.update_id as number, status: 0 };
        try {
          const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(update) });
          await res.arrayBuffer();
          attempt.status = res.status;
        } catch (err) {
          attempt.error = err instanceof Error ? err.message : String(err);
        }
        this.webhookAttempts.push(attempt);
        if (attempt.status >= 200 && attempt.status < 300) {
          if (this.updates[0] === update) this.updates.shift();
        } else {
          await new Promise((r) => setTimeout(r, this.webhookRetryMs));
        }
      }
    } finally {
      this.pushing = false;
    }
  }
}
