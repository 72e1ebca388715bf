// Publishes the bot's command menu with setMyCommands only when the list changed since the last
// successful call (hash per bot in kv), so restarts do not spend API calls. A failure is logged and
// retried on the next start; it never stops the channel.

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { CommandMenuEntry, KeyValue } from '../channel-deps.js';

export interface CommandPublisher {
  setMyCommands(commands: readonly CommandMenuEntry[]): Promise<unknown>;
}

export function commandsHash(commands: readonly CommandMenuEntry[]): string {
  const canonical = JSON.stringify(commands.map((c) => [c.command, c.description]));
  return createHash('sha256').update(canonical).digest('hex');
}

/** Returns true when setMyCommands was called. */
export async function syncCommands(
  api: CommandPublisher,
  kv: KeyValue,
  botId: number,
  commands: readonly CommandMenuEntry[],
  log: Logger,
): Promise<boolean> {
  const key = `commands-hash:${botId}`;
  const hash = commandsHash(commands);
  if (kv.get(key) === hash) return false;
  try {
    // Telegram wants bare lowercase names ("sh", not "/sh").
    await api.setMyCommands(commands.map((c) => ({ ...c, command: c.command.replace(/^\//, '') })));
    kv.set(key, hash);
    log.info({ count: commands.length }, 'telegram: command menu updated');
    return true;
  } catch (err) {
    log.warn({ err }, 'telegram: setMyCommands failed; will try again on next start');
    return false;
  }
}
