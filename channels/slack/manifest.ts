// The Slack app manifest the owner pastes at api.slack.com/apps → "Create New App" → "From a
// manifest": the bot's scopes, the /sandgate command, the events the channel handles, and — in HTTP
// mode — the gateway's public URL for events, commands and interactivity (all one path).

import { EVENTS_PATH } from './events-route.js';

/** Bot scopes, each for something the channel does. */
export const BOT_SCOPES = [
  'app_mentions:read', // app_mention events in channels
  'chat:write', // replies, status messages (chat.postMessage, chat.update)
  'commands', // the /sandgate slash command
  'files:read', // files people share with the bot (url_private_download)
  'files:write', // charts and files (external upload)
  'im:history', // message.im: DMs to the bot
  'im:read',
  'im:write', // conversations.open: answer in the user's DM when not in a channel
  'users:read', // display names for pairing requests
] as const;

export const BOT_EVENTS = ['app_mention', 'message.im'] as const;

export interface ManifestOptions {
  /** The gateway's public base URL (HTTP mode), e.g. https://gw.example.com. */
  publicUrl?: string;
  socketMode: boolean;
  name?: string;
}

export function slackManifest(opts: ManifestOptions): Record<string, unknown> {
  const name = opts.name ?? 'sandgate';
  const requestUrl = opts.socketMode
    ? undefined
    : `${(opts.publicUrl ?? '').replace(/\/+$/, '')}${EVENTS_PATH}`;
  return {
    display_information: {
      name,
      description: 'Coding and data-analysis agents that work in isolated sandboxes',
      background_color: '#1d1c1d',
    },
    features: {
      app_home: {
        home_tab_enabled: false,
        messages_tab_enabled: true,
        messages_tab_read_only_enabled: false,
      },
      bot_user: { display_name: name, always_online: true },
      slash_commands: [
        {
          command: '/sandgate',
          ...(requestUrl ? { url: requestUrl } : {}),
          description: 'Run a sandgate command or ask the agent',
          usage_hint: 'help | sh ls | py print(1) | code TASK | analyze QUESTION | new',
          should_escape: false,
        },
      ],
    },
    oauth_config: { scopes: { bot: [...BOT_SCOPES] } },
    settings: {
      event_subscriptions: {
        ...(requestUrl ? { request_url: requestUrl } : {}),
        bot_events: [...BOT_EVENTS],
      },
      interactivity: { is_enabled: true, ...(requestUrl ? { request_url: requestUrl } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: opts.socketMode,
      token_rotation_enabled: false,
    },
  };
}
