// Builds the Slack channel from the `slack` config section: HTTP mode with a signing secret, Socket
// Mode with an app-level token. A bot token alone is a configuration mistake, named at start-up.

import type { Config } from '../../src/config/schema.js';
import type { ChannelDeps } from '../channel-deps.js';
import { SlackChannel } from './slack-channel.js';

export function slackChannelFromConfig(config: Config, deps: ChannelDeps): SlackChannel {
  const cfg = config.slack;
  if (!cfg.botToken) throw new Error('slack.botToken is not set');
  if (!cfg.appToken && !cfg.signingSecret) {
    throw new Error(
      'set slack.signingSecret (SLACK_SIGNING_SECRET) for HTTP mode, or slack.appToken (SLACK_APP_TOKEN) for Socket Mode',
    );
  }
  return new SlackChannel({
    botToken: cfg.botToken,
    ...(cfg.signingSecret ? { signingSecret: cfg.signingSecret } : {}),
    ...(cfg.appToken ? { appToken: cfg.appToken } : {}),
    apiUrl: cfg.apiUrl,
    ...(cfg.botUserId ? { botUserId: cfg.botUserId } : {}),
    ...(cfg.botId ? { botId: cfg.botId } : {}),
    commands: deps.commands,
    log: deps.log,
    maxAttachmentBytes: config.limits.maxAttachmentBytes,
    watchdogMs: cfg.socketWatchdogSec * 1000,
  });
}
