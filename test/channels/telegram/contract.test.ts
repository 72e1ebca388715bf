// The channel contract against Telegram: the real channel on grammY, long polling the Bot API
// protocol fake (test/fakes/telegram), which redelivers unconfirmed updates as Telegram does.

import { TelegramChannel } from '../../../channels/telegram/index.js';
import type { Json } from '../../fakes/telegram/fake-state.js';
import { FakeTelegram } from '../../fakes/telegram/fake-telegram.js';
import { type ChannelContractHarness, channelContract } from '../contract.js';
import { COMMANDS, MemoryKv, silentLog } from './helpers.js';

interface Pushed {
  update: Json;
  message: Json;
}

channelContract(
  'telegram',
  { groups: true, sendFailures: true, edits: true, unsupportedKinds: true, linkPreviews: true },
  async (): Promise<ChannelContractHarness<Pushed>> => {
    const fake = await FakeTelegram.start();
    const kv = new MemoryKv();
    const group = fake.groupChat(-1001234567890, 'Contract group');
    const build = () =>
      new TelegramChannel({
        token: fake.token,
        apiRoot: fake.apiRoot,
        kv,
        commands: COMMANDS,
        log: silentLog,
        pollTimeoutSec: 5,
        pacing: { perChatIntervalMs: 0, groupPerMinute: 0, globalPerSecond: 0 },
        errorBackoff: { initialMs: 20, maxMs: 200 },
        retryBackoff: { initialMs: 10, maxMs: 50 },
      });
    const sends = () =>
      ['sendMessage', 'sendPhoto', 'sendDocument'].reduce((n, m) => n + fake.callsOf(m).length, 0);
    return {
      makeChannel: build,
      restarted: build,
      inject: async (ev) => {
        const chat = ev.where === 'group' ? group : fake.privateChat();
        const text = ev.mention ? `@${fake.bot.username} ${ev.text}` : ev.text;
        if (!ev.attachment) return fake.pushText(text, { chat });
        return fake.pushDocument(ev.attachment.data, {
          chat,
          fileName: ev.attachment.name,
          mimeType: ev.attachment.mime,
          caption: text,
        });
      },
      // The same message in a new update, as after a lost offset.
      redeliver: async (p) => ({ update: fake.pushUpdate({ message: p.message }), message: p.message }),
      acknowledged: (p) => fake.confirmedOffset > (p.update.update_id as number),
      failNextSend: (f) =>
        fake.failNext(
          'sendMessage',
          f.kind === 'rate-limited'
            ? { kind: '429', retryAfter: f.retryAfterSec }
            : { kind: 'error', code: 403, description: 'Forbidden: bot was blocked by the user' },
        ),
      sendAttempts: sends,
      posted: (to) =>
        fake
          .sent(Number(to.route.chatId))
          .map((m) => (m.kind === 'text' ? (m.text ?? '') : (m.caption ?? m.file?.filename ?? ''))),
      injectEdit: async (p, text) => fake.pushEdit(p.message, text),
      injectUnsupported: async () =>
        fake.pushMessage(
          {
            sticker: { file_id: 'STICKER1', file_unique_id: 'S1', type: 'regular', width: 512, height: 512 },
          },
          { chat: fake.privateChat() },
        ),
      linkPreviewsDisabled: (to) =>
        [...fake.callsOf('sendMessage'), ...fake.callsOf('editMessageText')]
          .filter((c) => String(c.params.chat_id) === String(to.route.chatId))
          .every((c) => {
            const options = c.params.link_preview_options as { is_disabled?: boolean } | undefined;
            return options?.is_disabled === true;
          }),
      close: () => fake.close(),
    };
  },
);
