// Which channels exist, in one table: the composition root builds the configured ones from it and
// `sandgate channels status` lists them from it. Each row loads its module with a dynamic import()
// only when the channel is configured, so an unconfigured platform's SDK is never loaded.
// Adding a channel = one row here (id, when it is configured, how to build it from config + deps).

import { join } from 'node:path';
import type { Config } from '../src/config/schema.js';
import type { Channel, ChannelId } from './channel.js';
import type { ChannelDeps } from './channel-deps.js';

export interface ChannelModule {
  readonly id: ChannelId;
  /** Whether the configuration asks for this channel; cheap, loads nothing. */
  configured(config: Config): boolean;
  /** Builds the channel (loading its SDK); called only when `configured` said yes. */
  fromConfig(config: Config, deps: ChannelDeps): Promise<Channel>;
}

export const CHANNEL_MODULES: readonly ChannelModule[] = [
  {
    id: 'local',
    // The owner's own channel (`sandgate chat`, the dashboard): always there, needs no secret.
    configured: () => true,
    fromConfig: async (config) => {
      const { LocalChannel } = await import('./local/local-channel.js');
      return new LocalChannel(join(config.home, 'uploads'), {
        attachmentMax: config.limits.maxAttachmentBytes,
      });
    },
  },
  {
    id: 'telegram',
    configured: (config) => Boolean(config.telegram.botToken),
    fromConfig: async (config, deps) => {
      const { telegramChannelFromConfig } = await import('./telegram/from-config.js');
      const channel = telegramChannelFromConfig(config.telegram, deps);
      if (!channel) throw new Error('telegram.botToken is not set');
      return channel;
    },
  },
  {
    id: 'whatsapp',
    configured: (config) => config.whatsapp.enabled,
    fromConfig: async (config, deps) => {
      const { whatsappChannelFromConfig } = await import('./whatsapp/from-config.js');
      return whatsappChannelFromConfig(config, deps);
    },
  },
  {
    id: 'slack',
    configured: (config) => Boolean(config.slack.botToken),
    fromConfig: async (config, deps) => {
      const { slackChannelFromConfig } = await import('./slack/from-config.js');
      return slackChannelFromConfig(config, deps);
    },
  },
];

/** The ids of the channels this configuration starts, in table order. */
export function configuredChannelIds(config: Config, modules = CHANNEL_MODULES): ChannelId[] {
  return modules.filter((m) => m.configured(config)).map((m) => m.id);
}

/**
 * Builds every configured channel. `depsFor` gives each its own deps (kv scope, logger, folder).
 * A channel whose construction throws (a malformed setting) fails the start-up with its id named:
 * a configured channel that silently does not exist would look like a platform outage.
 */
export async function buildChannels(
  config: Config,
  depsFor: (id: ChannelId) => ChannelDeps,
  modules = CHANNEL_MODULES,
): Promise<Channel[]> {
  const channels: Channel[] = [];
  for (const m of modules) {
    if (!m.configured(config)) continue;
    try {
      channels.push(await m.fromConfig(config, depsFor(m.id)));
    } catch (err) {
      throw new Error(`channel ${m.id}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return channels;
}
