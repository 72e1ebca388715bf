// What the composition root hands a channel module when it builds the channel (channels/registry.ts):
// its own slice of the kv table, a logger, the command menu, its state folder. A channel needs no
// other part of the gateway to exist.

import type { Logger } from 'pino';

/** A channel's private key → value store (the kv table, keys prefixed with the channel id). */
export interface KeyValue {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

/** One chat command as a platform's command menu shows it (Telegram setMyCommands). */
export interface CommandMenuEntry {
  /** Without the slash: `sh`. */
  command: string;
  description: string;
}

export interface ChannelDeps {
  kv: KeyValue;
  log: Logger;
  /**
   * The gateway's chat commands. Filled in after every command registered, which is after the
   * channel was built: read it in start(), not in the constructor.
   */
  commands: readonly CommandMenuEntry[];
  /** A folder of the channel's own, $SANDGATE_HOME/channels/<id>; the channel creates it (0700) if it needs one. */
  stateDir: string;
}
