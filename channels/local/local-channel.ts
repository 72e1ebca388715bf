// The embedded channel that works with no bot token: the owner's terminal (`sandgate chat`) and the
// dashboard talk to the gateway over its authenticated HTTP API. Replies become events on a stream.
// Uploads wait in a staging folder only until their message settles (the gateway keeps its own copy
// in the sandbox); a file over the size limit is never written at all.

import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { safeFileName } from '../../src/text/file-name.js';
import type {
  Attachment,
  Channel,
  ChannelStatus,
  ConversationRef,
  DeliveryReceipt,
  Inbound,
  InboundSink,
  Outbound,
  SettledMessage,
} from '../channel.js';
import { EventLog } from './event-log.js';

export const LOCAL_OWNER_ID = 'owner';

export interface LocalUpload {
  name: string;
  mime: string;
  data: Buffer;
}

/** Uploads left by a process that stopped before their message settled are removed after this. */
const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

export class LocalChannel implements Channel {
  readonly id = 'local' as const;
  readonly limits: { textMax: number; attachmentMax?: number };
  readonly events = new EventLog();
  private sink: InboundSink | undefined;
  /** Staged upload paths by platform id, removed when the message settles. */
  private readonly staged = new Map<string, string[]>();

  /** `attachmentMax`: the largest file accepted (bytes); a bigger one is refused before it is written. */
  constructor(
    private readonly uploadsDir: string,
    opts: { attachmentMax?: number } = {},
  ) {
    this.limits = {
      textMax: 16_000,
      ...(opts.attachmentMax !== undefined ? { attachmentMax: opts.attachmentMax } : {}),
    };
  }

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
    await mkdir(this.uploadsDir, { recursive: true, mode: 0o700 });
    await this.removeStale();
  }

  status(): ChannelStatus {
    return { state: this.sink ? 'connected' : 'connecting', identity: 'local' };
  }

  /**
   * Accepts a message from the API. Answers whether it was new (a repeated clientId is a duplicate),
   * the gateway's id for it, and `seq`: the event position before it, so a client reading the stream
   * from there sees every reply to it, up to its `complete` event.
   */
  async post(input: {
    conversation: string;
    text: string;
    clientId?: string;
    senderName?: string;
    files?: LocalUpload[];
  }) {
    if (!this.sink) throw new Error('the local channel is not started');
    const platformId = input.clientId ?? randomUUID();
    const attachments: Attachment[] = [];
    const paths: string[] = [];
    for (const file of input.files ?? []) {
      const max = this.limits.attachmentMax;
      if (max !== undefined && file.data.length > max) {
        // The gateway refuses it with a reply (its size is over the limit); the bytes never touch disk.
        attachments.push({
          name: file.name,
          mime: file.mime,
          size: file.data.length,
          fetch: () => Promise.reject(new Error(`${file.name} is over the size limit`)),
        });
        continue;
      }
      // Saved before the message is persisted, so the attachment survives a restart (ref = path).
      const safe = safeFileName(file.name, 'upload').replace(/[^\w.-]+/g, '_');
      const path = join(this.uploadsDir, `${randomUUID()}-${safe}`);
      await writeFile(path, file.data, { mode: 0o600 });
      paths.push(path);
      attachments.push({
        name: file.name,
        mime: file.mime,
        size: file.data.length,
        ref: path,
        fetch: () => readFile(path),
      });
    }
    if (paths.length) this.staged.set(platformId, [...(this.staged.get(platformId) ?? []), ...paths]);
    const inbound: Inbound = {
      channel: 'local',
      conversationKey: `local:${input.conversation}`,
      route: { conversation: input.conversation },
      sender: { id: LOCAL_OWNER_ID, name: input.senderName ?? 'owner' },
      isDirect: true,
      mentioned: true,
      text: input.text,
      attachments,
      platformId,
      at: new Date(),
    };
    const seq = this.events.position;
    let res: Awaited<ReturnType<InboundSink['receive']>>;
    try {
      res = await this.sink.receive(inbound);
    } catch (err) {
      await this.unstage(platformId);
      throw err;
    }
    // A repeated clientId: the first copy's files are the ones the gateway has.
    if (res.duplicate && paths.length) {
      const left = (this.staged.get(platformId) ?? []).filter((p) => !paths.includes(p));
      if (left.length) this.staged.set(platformId, left);
      else this.staged.delete(platformId);
      await removeFiles(paths);
    }
    return { ...res, platformId, seq };
  }

  async fetchAttachment(ref: string): Promise<Buffer> {
    const path = resolve(ref);
    if (!path.startsWith(resolve(this.uploadsDir))) throw new Error('attachment outside the uploads folder');
    return readFile(path);
  }

  async deliver(to: ConversationRef, msg: Outbound): Promise<DeliveryReceipt> {
    const messageId = randomUUID();
    const body =
      msg.kind === 'text'
        ? { text: msg.text, ...(msg.links ? { links: msg.links } : {}) }
        : msg.kind === 'image'
          ? { images: [{ pngBase64: msg.png.toString('base64'), ...caption(msg.caption) }] }
          : { files: [{ name: msg.name, dataBase64: msg.data.toString('base64') }] };
    this.events.append(conversationOf(to), { type: 'message', messageId, ...body });
    return { messageIds: [messageId] };
  }

  settled(to: ConversationRef, message: SettledMessage): void {
    this.events.append(conversationOf(to), { type: 'complete', id: message.id, state: message.state });
    void this.unstage(message.platformId);
  }

  /** Removes a message's staged uploads (it settled: run, refused or failed). */
  private async unstage(platformId: string): Promise<void> {
    const paths = this.staged.get(platformId);
    this.staged.delete(platformId);
    if (paths) await removeFiles(paths);
  }

  private async removeStale(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(this.uploadsDir).catch(() => [] as string[])) {
      const path = join(this.uploadsDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() && now - info.mtimeMs > STALE_UPLOAD_MS) await rm(path, { force: true });
    }
  }

  async edit(to: ConversationRef, receipt: DeliveryReceipt, text: string): Promise<void> {
    const messageId = receipt.messageIds[0];
    if (messageId) this.events.append(conversationOf(to), { type: 'edit', messageId, text });
  }

  async typing(to: ConversationRef): Promise<void> {
    this.events.append(conversationOf(to), { type: 'typing' });
  }
}

async function removeFiles(paths: string[]): Promise<void> {
  await Promise.all(paths.map((p) => rm(p, { force: true }).catch(() => undefined)));
}

function caption(text: string | undefined): { caption?: string } {
  return text ? { caption: text } : {};
}

function conversationOf(to: ConversationRef): string {
  return String(to.route.conversation ?? to.key);
}
