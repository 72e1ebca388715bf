// Telegram's flood limits for bots, as the Bot API FAQ states them ("My bot is hitting limits"):
// about one message per second in a chat, 20 per minute in a group, 30 per second overall. Those are
// sustained rates: a reply's status message and answer (a burst of a few) go out at once, and a 429
// that still comes is honoured through the outbox. Group and supergroup chat ids are negative.

import type { PacingLimits } from '../../src/timing/pacer.js';

export const TELEGRAM_PACING: PacingLimits = {
  perChatIntervalMs: 1000,
  perChatBurst: 3,
  groupPerMinute: 20,
  globalPerSecond: 30,
  isGroup: (chatId) => chatId.startsWith('-'),
};
