// The channel contract (test/channels/contract.ts) against Slack in HTTP mode: the real Bolt and
// WebClient against the Slack protocol fake, the /slack/events route on a real local server. The fake
// redelivers an event that was not answered 2xx, with X-Slack-Retry-Num, as Slack does (Slack waits
// about a minute between retries; the fake a moment).

import { type ServerType, serve } from '@hono/node-server';
import pino from 'pino';
import type { Channel, ChannelRoute, ConversationRef } from '../../../channels/channel.js';
import { SlackChannel } from '../../../channels/slack/index.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { type Json, plainText } from '../../fakes/slack/fake-state.js';
import { type ChannelContractHarness, channelContract, type TestEvent } from '../contract.js';
import { COMMANDS } from './helpers.js';

interface SentEvent {
  body: Json;
  acked: boolean;
}

const USER = 'U0CONTRACT';
const GROUP = 'C0CONTRACT';
const RETRIES = 5;

channelContract<SentEvent>(
  'slack',
  { groups: true, sendFailures: true, linkPreviews: true, edits: true },
  async () => {
    const fake = await FakeSlack.start();
    fake.state.addUser({ id: USER, name: 'contract', realName: 'Contract Tester' });
    fake.state.addChannel(GROUP, 'contract', [USER]);
    const dm = fake.state.imWith(USER).id;
    let route: ChannelRoute | undefined;
    let server: ServerType | undefined;
    const port = await new Promise<number>((resolve) => {
      server = serve(
        {
          fetch: (req) => route?.handler(req) ?? Promise.resolve(new Response(null, { status: 503 })),
          port: 0,
          hostname: '127.0.0.1',
        },
        (info) => resolve(info.port),
      );
    });
    const url = `http://127.0.0.1:${port}/slack/events`;
    const build = () =>
      new SlackChannel({
        botToken: fake.botToken,
        signingSecret: fake.signingSecret,
        apiUrl: fake.apiUrl,
        commands: COMMANDS,
        log: pino({ level: 'silent' }),
        maxAttachmentBytes: 10 * 1024 * 1024,
      });

    /** Posts until a 2xx, like Slack's retries; resolves after the first attempt. */
    const deliver = (body: Json, firstRetry = 0): Promise<SentEvent> => {
      const sent: SentEvent = { body, acked: false };
      return new Promise((handedOver) => {
        void (async () => {
          for (let attempt = firstRetry; attempt <= firstRetry + RETRIES; attempt++) {
            const res = await fake.postEvent(url, body, attempt > 0 ? { retryNum: attempt } : {});
            sent.acked = res.status >= 200 && res.status < 300;
            handedOver(sent);
            if (sent.acked) return;
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
      });
    };

    const harness: ChannelContractHarness<SentEvent> = {
      makeChannel(): Channel {
        const channel = build();
        route = channel.routes()[0];
        return channel;
      },
      restarted: () => build(),
      inject(event: TestEvent) {
        const files = event.attachment
          ? [fake.addInboundFile(event.attachment.name, event.attachment.data, event.attachment.mime)]
          : undefined;
        const mention = `<@${fake.state.bot.userId}> `;
        const ev =
          event.where === 'direct'
            ? fake.userMessage('message', {
                user: USER,
                channel: dm,
                text: event.text,
                ...(files ? { files } : {}),
              })
            : event.mention
              ? fake.userMessage('app_mention', {
                  user: USER,
                  channel: GROUP,
                  text: `${mention}${event.text}`,
                })
              : fake.userMessage('message', {
                  user: USER,
                  channel: GROUP,
                  text: event.text,
                  channelType: 'channel',
                });
        return deliver(fake.envelope(ev));
      },
      redeliver: (event) => deliver(event.body, 1),
      injectEdit: (event, text) => deliver(fake.envelope(fake.userEdit(event.body.event as Json, text))),
      acknowledged: (event) => event.acked,
      failNextSend(failure) {
        fake.failNext(
          'chat.postMessage',
          failure.kind === 'permanent'
            ? { error: 'is_archived' }
            : { status: 429, retryAfter: failure.retryAfterSec },
        );
      },
      sendAttempts: () =>
        fake.callsOf('chat.postMessage').length + fake.callsOf('files.getUploadURLExternal').length,
      posted(to: ConversationRef): string[] {
        const channel = String(to.route.channel);
        const thread = typeof to.route.thread === 'string' ? to.route.thread : undefined;
        return fake.botMessages(channel, thread).map((m) => {
          if (!m.files?.length) return plainText(m.text);
          if (m.text) return plainText(m.text);
          return m.files.map((id) => fake.state.files.get(id)?.name ?? id).join(', ');
        });
      },
      // Only a text with a URL can unfurl; each of those must have said unfurl_links/unfurl_media false.
      linkPreviewsDisabled(to) {
        const withUrl = [...fake.callsOf('chat.postMessage'), ...fake.callsOf('chat.update')].filter(
          (c) => c.params.channel === to.route.channel && /https?:\/\//.test(String(c.params.text)),
        );
        return (
          withUrl.length > 0 &&
          withUrl.every(
            (c) => String(c.params.unfurl_links) === 'false' && String(c.params.unfurl_media) === 'false',
          )
        );
      },
      async close() {
        await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
        await fake.close();
      },
    };
    return harness;
  },
);
