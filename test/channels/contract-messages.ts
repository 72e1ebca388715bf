// Channel contract cases from the issue "every message heard, every reply whole" (real-world chat
// faults): the gateway's chunks of a long reply post whole and non-empty on every channel, and where
// the platform has them, links go without previews, edits arrive as edits, unsupported kinds are named.

import { expect, it } from 'vitest';
import type { Channel, ConversationRef, Inbound } from '../../channels/channel.js';
import { chunkText } from '../../src/gateway/chunk.js';
import { waitFor } from '../helpers/wait-for.js';
import type { ChannelCapabilities, ChannelContractHarness } from './contract.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const countEmoji = (s: string) => [...s].filter((ch) => ch === '😀').length;
const refOf = (m: Inbound): ConversationRef => ({
  channel: m.channel,
  key: m.conversationKey,
  route: m.route,
});

export interface MessageContractContext<E> {
  /** Built in the suite's beforeAll: read them inside a test, not while registering. */
  harness(): ChannelContractHarness<E>;
  channel(): Channel;
  sink: { received: Inbound[]; next(text: string): Promise<Inbound> };
  tag(): string;
  capabilities: ChannelCapabilities;
}

/** Registers the cases inside channelContract's describe block. */
export function messageContractCases<E>(c: MessageContractContext<E>): void {
  it("posts the gateway's chunks of a long reply with emoji at every cut whole, and none is refused", async () => {
    const [h, channel] = [c.harness(), c.channel()];
    const text = `emoji ${c.tag()}`;
    await h.inject({ where: 'direct', text });
    const to = refOf(await c.sink.next(text));
    const max = channel.limits.textMax;
    const reply = ['', 'a', 'ab'].map((lead) => `${lead}${'😀'.repeat(Math.ceil(max / 2) + 3)}`).join('\n');
    const chunks = chunkText(reply, max);
    expect(chunks.length).toBeGreaterThan(2);
    const before = h.posted(to).length;
    for (const chunk of chunks) await channel.deliver(to, { kind: 'text', text: chunk });
    const shown = h.posted(to).slice(before);
    expect(shown).toHaveLength(chunks.length);
    for (const s of shown) expect(LONE_SURROGATE.test(s)).toBe(false);
    expect(countEmoji(shown.join(''))).toBe(countEmoji(reply));
    if (channel.edit) {
      // An edit longer than a message (a long status) is cut by the channel, on a character boundary.
      const status = await channel.deliver(to, { kind: 'text', text: 'working…' });
      await channel.edit(to, status, `x${'😀'.repeat(max)}`);
      expect(LONE_SURROGATE.test(h.posted(to).at(-1) ?? '')).toBe(false);
      expect(h.posted(to).at(-1)).toMatch(/^x😀/);
    }
  });

  it('posts every chunk of a reply whose code block starts right before a line over the limit: none is empty', async () => {
    const [h, channel] = [c.harness(), c.channel()];
    const text = `fenced ${c.tag()}`;
    await h.inject({ where: 'direct', text });
    const to = refOf(await c.sink.next(text));
    const reply = `\`\`\`\n${'x'.repeat(channel.limits.textMax * 2 + 10)}\n\`\`\`\ndone`;
    const before = h.posted(to).length;
    const chunks = chunkText(reply, channel.limits.textMax);
    for (const chunk of chunks) await channel.deliver(to, { kind: 'text', text: chunk });
    const shown = h.posted(to).slice(before);
    expect(shown).toHaveLength(chunks.length);
    for (const s of shown) expect(s.replace(/`/g, '').trim()).not.toBe('');
    expect(shown.join('').replace(/[^x]/g, '')).toHaveLength(channel.limits.textMax * 2 + 10);
  });

  if (c.capabilities.linkPreviews) {
    it('sends and edits links without a link preview', async () => {
      const [h, channel] = [c.harness(), c.channel()];
      const text = `links ${c.tag()}`;
      await h.inject({ where: 'direct', text });
      const to = refOf(await c.sink.next(text));
      const url = 'https://preview.example.com/s/one-time?token=abc';
      const status = await channel.deliver(to, { kind: 'text', text: `see ${url}` });
      await channel.deliver(to, { kind: 'text', text: 'preview', links: [{ url, label: 'port 8000' }] });
      if (channel.edit) await channel.edit(to, status, `moved to ${url}`);
      expect(h.linkPreviewsDisabled?.(to)).toBe(true);
    });
  }

  if (c.capabilities.edits) {
    it('hands over an edited message as an edit of the original, under its own id', async () => {
      const h = c.harness();
      const text = `before edit ${c.tag()}`;
      const event = await h.inject({ where: 'direct', text });
      const original = await c.sink.next(text);
      await h.injectEdit?.(event, `after edit ${c.tag()}`);
      const edit = await c.sink.next('after edit');
      expect(edit.context?.editOf).toBe(original.platformId);
      expect(edit.platformId).not.toBe(original.platformId);
      expect(edit.conversationKey).toBe(original.conversationKey);
    });
  }

  if (c.capabilities.unsupportedKinds) {
    it('names a message kind the gateway cannot take (a sticker) instead of dropping it', async () => {
      const h = c.harness();
      const before = c.sink.received.length;
      await h.injectUnsupported?.();
      const m = await waitFor(
        () => c.sink.received.slice(before).find((r) => r.context?.unsupported),
        'the sticker',
      );
      expect(m.context?.unsupported).toMatch(/^[a-z ]+$/);
      expect(m.attachments).toEqual([]);
      expect(m.isDirect).toBe(true);
    });
  }
}
