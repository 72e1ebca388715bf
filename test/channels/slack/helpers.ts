// Shared set-up of the Slack channel tests: the real channel (real Bolt, real WebClient) against the
// Slack protocol fake, its /slack/events route served on a real local HTTP server, and a sink that
// records inbound messages and dedupes on platformId like the gateway does.

import { type ServerType, serve } from '@hono/node-server';
import pino from 'pino';
import type { Inbound, InboundReceipt, InboundSink } from '../../../channels/channel.js';
import { SlackChannel, type SlackChannelOptions } from '../../../channels/slack/index.js';
import type { FakeSlack } from '../../fakes/slack/fake-slack.js';

export const COMMANDS = [
  { command: 'sh', description: 'Run a shell command' },
  { command: 'py', description: 'Run Python' },
  { command: 'help', description: 'Show help' },
  { command: 'code', description: 'Coding agent' },
];

export class RecordingSink implements InboundSink {
  readonly received: Inbound[] = [];
  readonly duplicates: Inbound[] = [];
  /** Held until released: lets a test see that nothing is acknowledged before persist. */
  gate: Promise<void> | undefined;
  fail: Error | undefined;
  /** What the gateway would say about the next messages (a pairing refusal). */
  refuse: { replied: boolean } | undefined;
  onReceive: ((inbound: Inbound) => void) | undefined;
  /** receive() calls so far, failed ones included. */
  attempts = 0;
  private readonly seen = new Set<string>();

  async receive(inbound: Inbound): Promise<InboundReceipt> {
    this.attempts += 1;
    if (this.gate) await this.gate;
    if (this.fail) throw this.fail;
    if (this.seen.has(inbound.platformId)) {
      this.duplicates.push(inbound);
      return { accepted: false, duplicate: true, reason: 'already received' };
    }
    this.seen.add(inbound.platformId);
    this.received.push(inbound);
    this.onReceive?.(inbound);
    return { accepted: true, duplicate: false, ...(this.refuse ? { refused: this.refuse } : {}) };
  }
}

export interface Harness {
  channel: SlackChannel;
  sink: RecordingSink;
  /** The app's request URL (HTTP mode). */
  url: string;
  stop(): Promise<void>;
}

export async function startChannel(
  fake: FakeSlack,
  mode: 'http' | 'socket',
  extra: Partial<SlackChannelOptions> = {},
): Promise<Harness> {
  const channel = new SlackChannel({
    botToken: fake.botToken,
    ...(mode === 'http' ? { signingSecret: fake.signingSecret } : { appToken: fake.appToken }),
    apiUrl: fake.apiUrl,
    commands: COMMANDS,
    log: pino({ level: process.env.TEST_LOG ?? 'silent' }),
    maxAttachmentBytes: 1024 * 1024,
    connectBackoff: { initialMs: 20, maxMs: 100 },
    clientPingTimeoutMs: 300,
    ...extra,
  });
  const sink = new RecordingSink();
  const abort = new AbortController();
  let server: ServerType | undefined;
  let url = '';
  const [route] = channel.routes();
  if (route) {
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: (req) => route.handler(req), port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve(info.port),
      );
    });
    url = `http://127.0.0.1:${port}${route.path}`;
  }
  await channel.start(sink, abort.signal);
  return {
    channel,
    sink,
    url,
    stop: async () => {
      abort.abort();
      if (server) await new Promise<void>((r) => server?.close(() => r()));
    },
  };
}

/** The gateway's ConversationRef for an inbound message. */
export function refOf(inbound: Inbound) {
  return { channel: 'slack' as const, key: inbound.conversationKey, route: inbound.route };
}
