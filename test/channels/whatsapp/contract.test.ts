// The channel contract against WhatsApp: the real channel with Baileys' own event buffer and message
// builders at the socket seam (test/fakes/whatsapp) and media on the local CDN fake. Baileys itself
// confirms receipt to WhatsApp as soon as it decrypts a message, so "acknowledged" here means what the
// channel controls: it has finished handing the message to the gateway (retrying a refusing store).
// Send failures are not part of the run: WhatsApp's rate-overlimit carries no retry-after (see
// outbound.test.ts for how the channel sorts them).

import type { WAMessage } from '@whiskeysockets/baileys';
import { proto } from '@whiskeysockets/baileys';
import type { ConversationRef } from '../../../channels/channel.js';
import type { WhatsAppChannel } from '../../../channels/whatsapp/whatsapp-channel.js';
import { type FakeSocket, incoming, incomingMedia } from '../../fakes/whatsapp/fake-socket.js';
import { MediaCdn } from '../../fakes/whatsapp/media-cdn.js';
import { type ChannelContractHarness, channelContract } from '../contract.js';
import { ALICE, type ChannelRig, channelRig, OWNER } from './helpers.js';

const GROUP = '120363000000000077@g.us';
const BOB = '15552223333@s.whatsapp.net';

channelContract('whatsapp', { groups: true, sendFailures: false }, async () => {
  const cdn = await MediaCdn.start();
  const rigs: ChannelRig[] = [];
  let channel: WhatsAppChannel | undefined;
  const handled = new Set<WAMessage>();
  const build = () => {
    const rig = channelRig({ cdn });
    rig.wa.onSocket = (s) => s.open(OWNER);
    rigs.push(rig);
    return rig.channel;
  };
  const socket = (): FakeSocket => {
    const s = rigs[0]?.wa.sockets.at(-1);
    if (!s) throw new Error('not connected');
    return s;
  };
  const hand = (msg: WAMessage): WAMessage => {
    socket().deliver([msg]);
    void channel?.drained().then(() => handled.add(msg));
    return msg;
  };
  const harness: ChannelContractHarness<WAMessage> = {
    makeChannel: () => {
      channel = build();
      return channel;
    },
    restarted: build,
    inject: async (ev) => {
      const where = ev.where === 'group' ? { chat: GROUP, participant: BOB } : { chat: ALICE };
      const text = ev.mention ? `@15550001111 ${ev.text}` : ev.text;
      if (ev.attachment) {
        return hand(
          await incomingMedia(cdn, {
            ...where,
            media: {
              document: ev.attachment.data,
              mimetype: ev.attachment.mime,
              fileName: ev.attachment.name,
              caption: text,
            },
          }),
        );
      }
      const content = ev.mention
        ? proto.Message.fromObject({
            extendedTextMessage: { text, contextInfo: { mentionedJid: ['15550001111@s.whatsapp.net'] } },
          })
        : proto.Message.fromObject({ conversation: text });
      return hand(incoming({ ...where, content }));
    },
    redeliver: async (msg) => hand(msg),
    acknowledged: (msg) => handled.has(msg),
    failNextSend: () => {
      throw new Error('not registered for WhatsApp');
    },
    sendAttempts: () => rigs[0]?.wa.sockets.reduce((n, s) => n + s.sent.length, 0) ?? 0,
    posted: (to: ConversationRef) => {
      const sent = (rigs[0]?.wa.sockets ?? []).flatMap((s) => s.sent).filter((m) => m.jid === to.route.jid);
      const shown = new Map<string, string>();
      for (const m of sent) {
        const c = m.content as { text?: string; edit?: { id?: string } };
        if (c.edit?.id) {
          shown.set(c.edit.id, c.text ?? '');
          continue;
        }
        const msg = m.message.message;
        shown.set(
          m.message.key.id ?? '',
          msg?.conversation ??
            msg?.extendedTextMessage?.text ??
            msg?.imageMessage?.caption ??
            msg?.documentMessage?.fileName ??
            '',
        );
      }
      return [...shown.values()];
    },
    close: async () => {
      for (const r of rigs) await r.cleanup();
      await cdn.close();
    },
  };
  return harness;
});
