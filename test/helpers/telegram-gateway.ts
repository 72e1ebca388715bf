// An in-process gateway whose one channel is the real Telegram channel (grammY) long-polling the
// Bot API fake, with the real pairing access control and chat commands over a real SQLite file.
// For tests of what a Telegram user sees end to end, without a child process.

import { join } from 'node:path';
import pino from 'pino';
import type { Agent } from '../../agents/agent.js';
import { TelegramChannel } from '../../channels/telegram/index.js';
import { createPairing, type Pairing } from '../../pairing/index.js';
import { validateConfig } from '../../src/config/load.js';
import { CommandRegistry } from '../../src/gateway/commands.js';
import { Gateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import { openDatabase } from '../../src/store/db.js';
import { createStore, type Store } from '../../src/store/store.js';
import { COMMANDS, MemoryKv } from '../channels/telegram/helpers.js';
import { FakeTelegram } from '../fakes/telegram/fake-telegram.js';
import { tempHome } from './temp-home.js';

export interface TelegramGateway {
  fake: FakeTelegram;
  gateway: Gateway;
  store: Store;
  pairing: Pairing;
  channel: TelegramChannel;
  home: string;
  /** Puts a Telegram user id on the allowlist (as `sandgate allow add telegram ID` does). */
  allow(userId: number): void;
  /** What the bot shows in a chat: each message's text (after edits), caption or document name. */
  shown(chatId: number): string[];
  stop(): Promise<void>;
}

export async function telegramGateway(
  opts: {
    /** Agents, or a function building them over the gateway's store (thread stores need it). */
    agents?: Agent[] | ((store: Store) => Agent[]);
    config?: Record<string, unknown>;
    commands?: CommandRegistry;
  } & Partial<Pick<GatewayOptions, 'sandboxes'>> = {},
): Promise<TelegramGateway> {
  const fake = await FakeTelegram.start();
  const { home, cleanup } = tempHome();
  const channel = new TelegramChannel({
    token: fake.token,
    apiRoot: fake.apiRoot,
    kv: new MemoryKv(),
    commands: COMMANDS,
    log: pino({ level: 'silent' }),
    pollTimeoutSec: 5,
    pacing: { perChatIntervalMs: 0, groupPerMinute: 0, globalPerSecond: 0 },
    errorBackoff: { initialMs: 20, maxMs: 200 },
    retryBackoff: { initialMs: 10, maxMs: 50 },
  });
  const config = {
    channels: { telegram: { dmPolicy: 'pairing', groupPolicy: 'allowlist' } },
    ...opts.config,
  };
  const commands = opts.commands ?? new CommandRegistry();
  const validated = validateConfig(config, home);
  const store = createStore(openDatabase(join(home, 'sandgate.db')));
  const log = pino({ level: 'silent' });
  const pairing = createPairing({ store, config: validated, log });
  for (const command of pairing.commands) commands.register(command);
  const gateway = new Gateway({
    config: validated,
    store,
    log,
    pollMs: 50,
    backoff: { baseMs: 20, maxMs: 200, maxAttempts: 5 },
    channels: [channel],
    agents: typeof opts.agents === 'function' ? opts.agents(store) : (opts.agents ?? []),
    commands,
    access: pairing.access,
    ...(opts.sandboxes ? { sandboxes: opts.sandboxes } : {}),
  });
  await gateway.start();
  return {
    fake,
    gateway,
    store,
    pairing,
    channel,
    home,
    allow: (userId) => {
      pairing.allow.add('telegram', String(userId), 'cli');
    },
    shown: (chatId) => fake.sent(chatId).map((m) => m.text ?? m.caption ?? m.file?.filename ?? ''),
    stop: async () => {
      await gateway.stop(5000);
      store.db.close();
      await fake.close();
      cleanup();
    },
  };
}
