// Posts one reply part to Slack: text as mrkdwn-escaped messages of at most 4,000 characters (unfurls
// off when they hold a URL), images and files through the external upload (files.getUploadURLExternal
// → upload → files.completeUploadExternal, via the WebClient's filesUploadV2) into the conversation's
// channel and thread; status edits with chat.update. When the bot is not in the channel it answers in
// the user's DM, with a one-line note the first time. Failures become DeliveryError for the outbox.

import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type ConversationRef, DeliveryError, type DeliveryReceipt, type Outbound } from '../channel.js';
import { classify, toDeliveryError } from './errors.js';
import type { SlackRoute } from './inbound-mapper.js';
import { containsUrl, escapeMrkdwn, mrkdwnLink, SLACK_TEXT_MAX, splitForSlack } from './mrkdwn.js';
import type { SlashReplies } from './slash-replies.js';

const routeSchema = z.object({
  team: z.string(),
  channel: z.string().min(1),
  user: z.string().optional(),
  thread: z.string().optional(),
  slash: z.string().optional(),
});

export function routeOf(to: ConversationRef): Partial<SlackRoute> & { channel: string } {
  const parsed = routeSchema.safeParse(to.route);
  if (!parsed.success)
    throw new DeliveryError(`no Slack channel in conversation ${to.key}`, { permanent: true });
  return parsed.data;
}

/** Where a part lands: a channel, a thread in it (or none), and what to say first. */
interface Target {
  channel: string;
  thread?: string;
}

export interface SlackSenderDeps {
  client: webApi.WebClient;
  replies: SlashReplies;
  log: Logger;
  /** A failure the channel's status should show. */
  failed(message: string, unauthorized: boolean): void;
}

export class SlackSender {
  private readonly dms = new Map<string, string>();
  private readonly noted = new Set<string>();

  constructor(private readonly d: SlackSenderDeps) {}

  async deliver(to: ConversationRef, part: Outbound): Promise<DeliveryReceipt> {
    const route = routeOf(to);
    if (part.kind === 'text' && route.slash && (await this.d.replies.offer(route.slash, part.text))) {
      return { messageIds: [`ephemeral:${route.slash}`] };
    }
    return { messageIds: await this.withFallback(to.key, route, (target) => this.post(target, part)) };
  }

  /**
   * Replaces a status message's text. Text past one message's 4,000 characters (after escaping) is
   * cut on a character boundary with `…`, like every channel's edit: the gateway edits with progress
   * lines or the first chunk of an answer, chunked with headroom (SLACK_CHUNK_MAX) for escaping.
   */
  async edit(_to: ConversationRef, receipt: DeliveryReceipt, text: string): Promise<void> {
    // The receipt names the message's own channel (the DM, when the answer fell back there).
    const first = receipt.messageIds[0];
    const m = first ? /^([A-Z0-9]+)\/(\d+\.\d+)$/.exec(first) : null;
    if (!m) throw new DeliveryError('that message cannot be edited', { permanent: true });
    const pieces = splitForSlack(text, SLACK_TEXT_MAX - 1);
    const shown = pieces.length > 1 ? `${escapeMrkdwn(pieces[0] ?? '')}…` : escapeMrkdwn(text);
    try {
      await this.d.client.chat.update({ channel: m[1]!, ts: m[2]!, text: shown, ...noUnfurl(text) });
    } catch (err) {
      throw this.failure(err, 'chat.update');
    }
  }

  private async post(target: Target, part: Outbound): Promise<string[]> {
    if (part.kind === 'text') {
      const ids: string[] = [];
      const pieces = splitForSlack(part.text).map(escapeMrkdwn);
      const links = (part.links ?? []).map(mrkdwnLink).join('\n');
      if (links) {
        const last = pieces.at(-1);
        if (last !== undefined && last.length + links.length + 2 <= SLACK_TEXT_MAX)
          pieces[pieces.length - 1] = `${last}\n\n${links}`;
        else pieces.push(links);
      }
      for (const text of pieces) ids.push(await this.postText(target, text));
      return ids;
    }
    const file =
      part.kind === 'image'
        ? { data: part.png, name: 'chart.png', title: part.caption?.trim() || 'chart' }
        : { data: part.data, name: part.name, title: part.name };
    const comment =
      part.kind === 'image' && part.caption?.trim() ? escapeMrkdwn(part.caption.trim()) : undefined;
    let res: unknown;
    try {
      const common = {
        file: file.data,
        filename: file.name,
        title: file.title,
        ...(comment ? { initial_comment: comment } : {}),
      };
      res = await this.d.client.filesUploadV2(
        target.thread
          ? { ...common, channel_id: target.channel, thread_ts: target.thread }
          : { ...common, channel_id: target.channel },
      );
    } catch (err) {
      throw this.failure(err, 'file upload');
    }
    return uploadedIds(res).map((id) => `file:${id}`);
  }

  private async postText(target: Target, text: string): Promise<string> {
    try {
      const res = await this.d.client.chat.postMessage({
        channel: target.channel,
        text,
        ...(target.thread ? { thread_ts: target.thread } : {}),
        ...noUnfurl(text),
      });
      return `${res.channel ?? target.channel}/${res.ts ?? ''}`;
    } catch (err) {
      throw this.failure(err, 'chat.postMessage');
    }
  }

  /** Runs `send` in the conversation; if the bot is not in that channel, in the user's DM instead. */
  private async withFallback(
    key: string,
    route: ReturnType<typeof routeOf>,
    send: (t: Target) => Promise<string[]>,
  ): Promise<string[]> {
    try {
      return await send({ channel: route.channel, ...(route.thread ? { thread: route.thread } : {}) });
    } catch (err) {
      const notMember = err instanceof NotInChannel;
      if (!notMember) throw err;
      if (!route.user || route.channel.startsWith('D')) throw err.delivery;
      const dm = await this.openDm(route.user);
      if (!this.noted.has(key)) {
        await this.postText(
          { channel: dm },
          escapeMrkdwn(
            "I'm not a member of that channel, so I'm answering here. Invite me there with /invite @sandgate.",
          ),
        );
        this.noted.add(key);
      }
      return send({ channel: dm });
    }
  }

  private async openDm(user: string): Promise<string> {
    const known = this.dms.get(user);
    if (known) return known;
    try {
      const res = await this.d.client.conversations.open({ users: user });
      const id = res.channel?.id;
      if (!id) throw new DeliveryError('Slack conversations.open returned no channel', { permanent: true });
      this.dms.set(user, id);
      return id;
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      throw this.failure(err, 'conversations.open');
    }
  }

  private failure(err: unknown, what: string): DeliveryError {
    if (err instanceof DeliveryError) return err;
    const f = classify(err);
    this.d.log.warn({ what, failure: f.kind, detail: f.message }, 'slack: delivery failed');
    const delivery = toDeliveryError(f, what);
    if (f.kind === 'not-in-channel') return new NotInChannel(delivery);
    this.d.failed(`${what}: ${f.message}`, f.kind === 'unauthorized');
    return delivery;
  }
}

/** Marks "the bot cannot post there" so the caller can fall back to the DM. */
class NotInChannel extends DeliveryError {
  constructor(readonly delivery: DeliveryError) {
    super(delivery.message, delivery.opts);
  }
}

/** Link previews off for any message with a URL (previews of sandbox links leak them to Slack's crawler). */
function noUnfurl(text: string): { unfurl_links?: false; unfurl_media?: false } {
  return containsUrl(text) ? { unfurl_links: false, unfurl_media: false } : {};
}

/** filesUploadV2 answers `{files: [{files: [{id}]}]}` (one completeUploadExternal result per channel). */
function uploadedIds(res: unknown): string[] {
  const outer = (res as { files?: { files?: { id?: string }[] }[] } | undefined)?.files ?? [];
  return outer.flatMap((r) => (r.files ?? []).flatMap((f) => (f.id ? [f.id] : [])));
}
