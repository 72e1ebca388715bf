// The Channel contract, written once and run against every channel through its real client library
// and the platform's protocol fake: what the gateway's pipeline (DESIGN §3) relies on a channel for.
//
// A new channel plugs in with one small test file, test/channels/<id>/contract.test.ts:
//   channelContract('<id>', async () => harness)
// where the harness (ChannelContractHarness below) builds the channel against the fake, injects
// inbound platform events as a user would send them (a DM, a group message with or without a
// mention, a file), delivers one of them again the way the platform would, tells whether the
// platform considers an event acknowledged, scripts the platform's next send to fail (429 with a
// Retry-After, a permanent refusal), and reads back what the chat shows. Say in `capabilities`
// in ChannelCapabilities what the platform has (groups, send failures, edits, kinds the gateway
// cannot take, link previews); tests of what it lacks are not registered.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Channel,
  type ConversationRef,
  DeliveryError,
  type Inbound,
  type InboundReceipt,
  type InboundSink,
} from '../../channels/channel.js';
import { waitFor } from '../helpers/wait-for.js';
import { messageContractCases } from './contract-messages.js';

export interface TestEvent {
  where: 'direct' | 'group';
  text: string;
  /** In a group: whether the message mentions the bot. */
  mention?: boolean;
  attachment?: { name: string; mime: string; data: Buffer };
}

export type SendFailure = { kind: 'rate-limited'; retryAfterSec: number } | { kind: 'permanent' };

export interface ChannelContractHarness<E = unknown> {
  /** The channel under test, not started, against the fake. Called once. */
  makeChannel(): Channel;
  /** A second instance as after a gateway restart (same account, kv and state folder), not started. */
  restarted(): Channel;
  /** The fake platform sends this event to the channel; resolves once it was handed over. */
  inject(event: TestEvent): Promise<E>;
  /** The platform delivers the same message again (a retry, a replay after a lost acknowledgement). */
  redeliver(event: E): Promise<E>;
  /** Whether the platform considers the event acknowledged (offset moved past it, 2xx answered). */
  acknowledged(event: E): boolean;
  /** The platform's answer to the channel's next send. */
  failNextSend(failure: SendFailure): void;
  /** How many send calls the platform has seen so far. */
  sendAttempts(): number;
  /** What the conversation shows from the bot, in order: each text (after edits), caption or file name. */
  posted(to: ConversationRef): string[];
  /** Platforms where a person can edit a sent message: the user edits `event`'s message to `text`. */
  injectEdit?(event: E, text: string): Promise<E>;
  /** Platforms with message kinds the gateway cannot take: the user sends one (a sticker) directly. */
  injectUnsupported?(): Promise<E>;
  /**
   * Platforms that preview links: whether every text the bot sent or edited in `to` so far told the
   * platform not to (Telegram link_preview_options.is_disabled, Slack unfurl_links/unfurl_media).
   */
  linkPreviewsDisabled?(to: ConversationRef): boolean;
  close(): Promise<void>;
}

/** Stands in for the gateway's intake: dedupes on (channel, platformId) and can refuse to persist. */
class ContractSink implements InboundSink {
  readonly received: Inbound[] = [];
  attempts = 0;
  refusing = false;

  async receive(inbound: Inbound): Promise<InboundReceipt> {
    this.attempts++;
    if (this.refusing) throw new Error('database is locked');
    const first = this.received.findIndex((r) => r.platformId === inbound.platformId);
    if (first >= 0) return { accepted: false, duplicate: true, id: first + 1 };
    this.received.push(inbound);
    return { accepted: true, duplicate: false, id: this.received.length };
  }

  async next(text: string): Promise<Inbound> {
    return waitFor(() => this.received.find((r) => r.text.includes(text)), `inbound "${text}"`);
  }
}

const refOf = (m: Inbound): ConversationRef => ({
  channel: m.channel,
  key: m.conversationKey,
  route: m.route,
});

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

/** What the platform has; tests of what it lacks are not registered. */
export interface ChannelCapabilities {
  /** Group conversations, where the bot is addressed by a mention. */
  groups: boolean;
  /** Sends the platform can refuse (rate limits, blocked users); the harness can script them. */
  sendFailures: boolean;
  /** People can edit sent messages; the harness has injectEdit. */
  edits?: boolean;
  /** Message kinds the gateway cannot take (stickers …); the harness has injectUnsupported. */
  unsupportedKinds?: boolean;
  /** The platform previews links unless told not to; the harness has linkPreviewsDisabled. */
  linkPreviews?: boolean;
}

export function channelContract<E>(
  name: string,
  capabilities: ChannelCapabilities,
  setup: () => Promise<ChannelContractHarness<E>>,
): void {
  describe(`${name} channel contract`, () => {
    let h: ChannelContractHarness<E>;
    let channel: Channel;
    const sink = new ContractSink();
    const stop = new AbortController();
    const tag = () => randomBytes(3).toString('hex');

    beforeAll(async () => {
      h = await setup();
      channel = h.makeChannel();
      await channel.start(sink, stop.signal);
      await waitFor(() => channel.status().state === 'connected', `${name} connected`);
    });
    afterAll(async () => {
      stop.abort();
      await h?.close();
    });

    it('hands a direct message over addressed to the bot, and a reply reaches that conversation', async () => {
      const text = `hello ${tag()}`;
      await h.inject({ where: 'direct', text });
      const m = await sink.next(text);
      expect(m).toMatchObject({ channel: channel.id, isDirect: true, mentioned: true, text });
      expect(m.platformId).not.toBe('');
      await channel.deliver(refOf(m), { kind: 'text', text: `answer ${tag()}` });
      expect(h.posted(refOf(m)).at(-1)).toMatch(/^answer /);
    });

    it('gives a redelivered event the same platform id, so the gateway keeps one message', async () => {
      const text = `twice ${tag()}`;
      const event = await h.inject({ where: 'direct', text });
      await sink.next(text);
      const again = await h.redeliver(event);
      await waitFor(() => h.acknowledged(again), 'the redelivery handled');
      expect(sink.received.filter((r) => r.text === text)).toHaveLength(1);
    });

    it('acknowledges an event only after the sink persisted it; refused, the platform delivers it again', async () => {
      sink.refusing = true;
      const text = `persist me ${tag()}`;
      const before = sink.attempts;
      const event = await h.inject({ where: 'direct', text });
      try {
        await waitFor(() => sink.attempts >= before + 2, 'a second delivery of the refused event');
        expect(h.acknowledged(event)).toBe(false);
      } finally {
        sink.refusing = false;
      }
      await sink.next(text);
      await waitFor(() => h.acknowledged(event), 'the acknowledgement after persisting');
      expect(sink.received.filter((r) => r.text === text)).toHaveLength(1);
    });

    it('keeps an attachment fetchable by its ref after a restart, byte for byte', async () => {
      const data = Buffer.concat([Buffer.from('a,b\r\n1,2\r\n'), randomBytes(2048)]);
      const text = `file ${tag()}`;
      await h.inject({ where: 'direct', text, attachment: { name: 'data.csv', mime: 'text/csv', data } });
      const m = await sink.next(text);
      const [a] = m.attachments;
      expect(a).toMatchObject({ name: 'data.csv', size: data.length });
      expect(typeof a?.ref).toBe('string');
      expect((await a!.fetch()).equals(data)).toBe(true);
      const again = h.restarted();
      expect(again.fetchAttachment).toBeDefined();
      expect((await again.fetchAttachment!(a!.ref!)).equals(data)).toBe(true);
    });

    it('posts each kind of reply part: text, image with caption, file', async () => {
      const text = `parts ${tag()}`;
      await h.inject({ where: 'direct', text });
      const to = refOf(await sink.next(text));
      const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n'), randomBytes(512)]);
      const receipts = [
        await channel.deliver(to, { kind: 'text', text: 'the answer' }),
        await channel.deliver(to, { kind: 'image', png, caption: 'Figure 1' }),
        await channel.deliver(to, { kind: 'file', name: 'out.txt', data: Buffer.from('out\n') }),
      ];
      for (const r of receipts) expect(r.messageIds.length).toBeGreaterThan(0);
      expect(h.posted(to).slice(-3)).toEqual(['the answer', 'Figure 1', 'out.txt']);
      if (channel.edit) {
        const status = await channel.deliver(to, { kind: 'text', text: 'working…' });
        await channel.edit(to, status, 'done');
        expect(h.posted(to).at(-1)).toBe('done');
      }
    });

    // Replies whole and valid, edits, unsupported kinds, link previews (contract-messages.ts).
    messageContractCases({ harness: () => h, channel: () => channel, sink, tag, capabilities });

    if (capabilities.groups) {
      it('in a group, only a message that mentions the bot is addressed to it', async () => {
        const plain = `just chatting ${tag()}`;
        const asked = `what is up ${tag()}`;
        await h.inject({ where: 'group', text: plain });
        await h.inject({ where: 'group', text: asked, mention: true });
        const m = await sink.next(asked);
        expect(m).toMatchObject({ isDirect: false, mentioned: true });
        // Platforms deliver a conversation in order: the plain message came first, if at all.
        const other = sink.received.find((r) => r.text.includes(plain));
        if (other) expect(other).toMatchObject({ isDirect: false, mentioned: false });
        expect(other === undefined || other.conversationKey === m.conversationKey).toBe(true);
      });
    }

    if (capabilities.sendFailures) {
      it('marks a permanent refusal permanent, and does not try again by itself', async () => {
        const text = `blocked ${tag()}`;
        await h.inject({ where: 'direct', text });
        const to = refOf(await sink.next(text));
        const [attempts, shown] = [h.sendAttempts(), h.posted(to).length];
        h.failNextSend({ kind: 'permanent' });
        const err = await deliveryError(channel.deliver(to, { kind: 'text', text: 'never shown' }));
        expect(err.opts.permanent).toBe(true);
        expect(h.sendAttempts()).toBe(attempts + 1);
        expect(h.posted(to)).toHaveLength(shown);
      });

      // Last: after a 429 a channel may hold that chat's sends for the Retry-After.
      it("turns a 429 into a DeliveryError with the platform's retry-after, and leaves the retry to the outbox", async () => {
        const text = `slow ${tag()}`;
        await h.inject({ where: 'direct', text });
        const to = refOf(await sink.next(text));
        const [attempts, shown] = [h.sendAttempts(), h.posted(to).length];
        h.failNextSend({ kind: 'rate-limited', retryAfterSec: 7 });
        const err = await deliveryError(channel.deliver(to, { kind: 'text', text: 'slow down' }));
        expect(err.opts.retryAfterMs).toBe(7000);
        expect(err.opts.permanent).toBeFalsy();
        expect(h.sendAttempts()).toBe(attempts + 1);
        expect(h.posted(to)).toHaveLength(shown);
      });
    }
  });
}
