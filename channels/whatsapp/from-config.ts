// Builds the WhatsApp channel from the `whatsapp` config section. The auth state lives in the state
// database (migration 005) on a connection of the channel's own, closed when the channel stops; a
// database that cannot be opened fails the start-up with the file named (registry.ts adds the id).

import Database from 'better-sqlite3';
import { statePaths } from '../../src/config/paths.js';
import type { Config } from '../../src/config/schema.js';
import { applyPragmas } from '../../src/store/db.js';
import type { ChannelDeps } from '../channel-deps.js';
import { WhatsAppAuthStore } from './auth-store.js';
import { WhatsAppChannel } from './whatsapp-channel.js';

export function whatsappChannelFromConfig(config: Config, deps: Pick<ChannelDeps, 'log'>): WhatsAppChannel {
  // The gateway's store opened (and migrated) this file a moment ago; a second connection in WAL mode
  // shares it safely, and keeps the channel from needing the whole store.
  const db = new Database(statePaths(config.home).database, { fileMustExist: true });
  applyPragmas(db);
  return new WhatsAppChannel({
    auth: new WhatsAppAuthStore(db),
    log: deps.log,
    selfChat: config.whatsapp.selfChat,
    maxAttachmentBytes: config.limits.maxAttachmentBytes,
    ...(config.whatsapp.wsUrl ? { wsUrl: config.whatsapp.wsUrl } : {}),
    onStopped: () => db.close(),
  });
}
