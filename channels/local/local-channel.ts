// The embedded channel that works with no bot token: the owner's terminal (`sandgate chat`) and the
// dashboard talk to the gateway over its authenticated HTTP API. Replies become events on a stream.

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
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

export class LocalChannel implements Channel {
  readonly id = 'local' as const;
  readonly limits = { textMax: 16_000 };
  readonly events = new EventLog();
  private sink: InboundSink | undefined;

  constructor(private readonly uploadsDir: string) {}

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
    await mkdir(this.uploadsDir, { recursive: true, mode: 0o700 });
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
    const attachments: Attachment[] = [];
    for (const file of input.files ?? []) {
      // Saved before the message is persisted, so the attachment survives a restart (ref = path).
      const path = join(this.uploadsDir, `${randomUUID()}-${basename(file.name).replace(/[^\w.-]+/g, '_')}`);
      await writeFile(path, file.data, { mode: 0o600 });
      attachments.push({
        name: file.name,
        mime: file.mime,
        size: file.data.length,
        ref: path,
        fetch: () => readFile(path),
      });
    }
    const platformId = input.clientId ?? randomUUID();
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
    const res = await this.sink.receive(inbound);
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
  }

  async edit(to: ConversationRef, receipt: DeliveryReceipt, text: string): Promise<void> {
    const messageId = receipt.messageIds[0];
    if (messageId) this.events.append(conversationOf(to), { type: 'edit', messageId, text });
  }

  async typing(to: ConversationRef): Promise<void> {
    this.events.append(conversationOf(to), { type: 'typing' });
  }
}

function caption(text: string | undefined): { caption?: string } {
  return text ? { caption: text } : {};
}

function conversationOf(to: ConversationRef): string {
  return String(to.route.conversation ?? to.key);
}
