// The Slack channel's public surface: what the channel registry, the CLI (`sandgate slack manifest`,
// `sandgate doctor`) and tests import.

export { slackChannelFromConfig } from './from-config.js';
export { conversationKey } from './inbound-mapper.js';
export { slackManifest } from './manifest.js';
export { SlackChannel, type SlackChannelOptions } from './slack-channel.js';
export { checkTokenShapes } from './token-shapes.js';
