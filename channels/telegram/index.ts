// The Telegram channel's public surface (channels/registry.ts loads from-config.ts directly).

export { AttachmentTooLargeError, TELEGRAM_DOWNLOAD_MAX_BYTES } from './attachments.js';
export { telegramChannelFromConfig } from './from-config.js';
export { conversationKey } from './inbound-mapper.js';
export { TELEGRAM_PACING } from './pacing.js';
export { TelegramChannel, type TelegramChannelOptions } from './telegram-channel.js';
export { SECRET_HEADER } from './webhook-route.js';
