// The channel contract against the local channel (`sandgate chat`, the dashboard). Its "platform"
// is the client of POST /api/local/messages: it retries a refused message with the same clientId
// until the gateway accepted it, and what the chat shows is the channel's event stream.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalChannel } from '../../../channels/local/local-channel.js';
import { sleep } from '../../../src/timing/clock.js';
import { type ChannelContractHarness, channelContract, type TestEvent } from '../contract.js';

interface Posted {
  event: TestEvent;
  clientId: string;
  acknowledged: boolean;
}

channelContract(
  'local',
  { groups: false, sendFailures: false },
  async (): Promise<ChannelContractHarness<Posted>> => {
    const dir = mkdtempSync(join(tmpdir(), 'sandgate-local-contract-'));
    const uploads = join(dir, 'uploads');
    let channel: LocalChannel | undefined;
    let closed = false;
    const post = (p: Posted) =>
      channel!.post({
        conversation: 'contract',
        text: p.event.text,
        clientId: p.clientId,
        ...(p.event.attachment ? { files: [p.event.attachment] } : {}),
      });
    /** A client that retries until the gateway took the message, as `sandgate chat` users and scripts do. */
    const deliverUntilAccepted = async (p: Posted) => {
      while (!closed) {
        try {
          await post(p);
          p.acknowledged = true;
          return;
        } catch {
          await sleep(5);
        }
      }
    };
    return {
      makeChannel: () => {
        channel = new LocalChannel(uploads);
        return channel;
      },
      restarted: () => new LocalChannel(uploads),
      inject: async (event) => {
        const p = { event, clientId: randomUUID(), acknowledged: false };
        void deliverUntilAccepted(p);
        return p;
      },
      redeliver: async (p) => {
        const again = { ...p, acknowledged: false };
        await deliverUntilAccepted(again);
        return again;
      },
      acknowledged: (p) => p.acknowledged,
      failNextSend: () => {
        throw new Error('the local channel has no send failures');
      },
      sendAttempts: () => 0,
      posted: (to) => {
        const shown = new Map<string, string>();
        for (const { event: e } of channel!.events.since(String(to.route.conversation), 0)) {
          if (e.type === 'message')
            shown.set(e.messageId, e.text ?? e.images?.[0]?.caption ?? e.files?.[0]?.name ?? '');
          if (e.type === 'edit') shown.set(e.messageId, e.text);
        }
        return [...shown.values()];
      },
      close: async () => {
        closed = true;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
);
