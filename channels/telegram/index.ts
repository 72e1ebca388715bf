// The Telegram channel's public surface: what src/cli/assemble.ts wires in.

export { AttachmentTooLargeError, TELEGRAM_DOWNLOAD_MAX_BYTES } from './attachments.js';
export type { BotCommandSpec } from './command-sync.js';
export type { KeyValue } from './delivery-ledger.js';
export { telegramChannelFromConfig } from './from-config.js';
export { conversationKey } from './inbound-mapper.js';
export type { PacingLimits } from './pacer.js';
export { TELEGRAM_PACING } from './pacer.js';
export { TelegramChannel, type TelegramChannelOptions } from './telegram-channel.js';
export { SECRET_HEADER, type WebhookRoute } from './webhook-route.js';
