// Bolt, the Web API client and the Socket Mode client log through this adapter into the gateway's
// pino logger (which redacts secrets). Their chatter (every request, every ping) stays at debug; their
// info lines too, since the channel logs what matters itself.

import type { Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from 'pino';

function line(msg: unknown[]): string {
  return msg
    .map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m)))
    .join(' ');
}

export function boltLogger(log: Logger): BoltLogger {
  let level = 'info' as LogLevel;
  let name = 'slack';
  return {
    debug: (...msg: unknown[]) => log.debug({ lib: name }, line(msg)),
    info: (...msg: unknown[]) => log.debug({ lib: name }, line(msg)),
    warn: (...msg: unknown[]) => log.warn({ lib: name }, line(msg)),
    error: (...msg: unknown[]) => log.error({ lib: name }, line(msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      name = n;
    },
  };
}
