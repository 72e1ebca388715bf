// Builds the Telegram channel from the `telegram` config section, or nothing when no bot token is
// set. A webhook without a configured secret gets a random one, kept in kv so restarts reuse it.

import { randomBytes } from 'node:crypto';
import type { Config } from '../../src/config/schema.js';
import type { ChannelDeps } from '../channel-deps.js';
import { TelegramChannel } from './telegram-channel.js';

export function telegramChannelFromConfig(
  cfg: Config['telegram'],
  deps: Pick<ChannelDeps, 'kv' | 'log' | 'commands'>,
): TelegramChannel | undefined {
  if (!cfg.botToken) return undefined;
  let webhook: { url: string; secret: string; path?: string } | undefined;
  if (cfg.webhookUrl) {
    let secret = cfg.webhookSecret ?? deps.kv.get('webhook-secret');
    if (!secret) {
      secret = randomBytes(32).toString('base64url');
      deps.kv.set('webhook-secret', secret);
    }
    webhook = { url: cfg.webhookUrl, secret, ...(cfg.webhookPath ? { path: cfg.webhookPath } : {}) };
  }
  return new TelegramChannel({
    token: cfg.botToken,
    apiRoot: cfg.apiRoot,
    ...(webhook ? { webhook } : {}),
    kv: deps.kv,
    commands: deps.commands,
    log: deps.log,
  });
}
