// The linked device's Baileys auth state in SQLite (migration 005) instead of Baileys' loose JSON
// files: the creds document and every Signal key, BufferJSON-encoded, each write one transaction so
// a crash never leaves creds and keys from different moments. Logout wipes both together.

import {
  type AuthenticationCreds,
  type AuthenticationState,
  BufferJSON,
  initAuthCreds,
  proto,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import type Database from 'better-sqlite3';

type Db = Database.Database;
type KeyType = keyof SignalDataTypeMap;

export class WhatsAppAuthStore {
  private readonly getCreds;
  private readonly putCreds;
  private readonly getKey;
  private readonly putKey;
  private readonly dropKey;

  constructor(private readonly db: Db) {
    this.getCreds = db.prepare('SELECT value FROM whatsapp_creds WHERE id = 1');
    this.putCreds = db.prepare(
      `INSERT INTO whatsapp_creds (id, value, updated_at) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.getKey = db.prepare('SELECT value FROM whatsapp_keys WHERE type = ? AND id = ?');
    this.putKey = db.prepare(
      `INSERT INTO whatsapp_keys (type, id, value) VALUES (?, ?, ?)
       ON CONFLICT (type, id) DO UPDATE SET value = excluded.value`,
    );
    this.dropKey = db.prepare('DELETE FROM whatsapp_keys WHERE type = ? AND id = ?');
  }

  /**
   * The state to hand to makeWASocket: stored creds (fresh ones from initAuthCreds when nothing is
   * stored; they are persisted on the first saveCreds) and a key store over the keys table.
   */
  load(): AuthenticationState {
    return { creds: this.readCreds() ?? initAuthCreds(), keys: this.keyStore() };
  }

  /** Baileys mutates the creds object in place and emits creds.update; call this on every update. */
  saveCreds(creds: AuthenticationCreds): void {
    this.putCreds.run(JSON.stringify(creds, BufferJSON.replacer), Date.now());
  }

  /** Linked = WhatsApp signed our device identity (set on pair-success), not merely a phone number typed in. */
  linkedAs(): string | undefined {
    const creds = this.readCreds();
    return creds?.account && creds.me?.id ? creds.me.id : undefined;
  }

  /** After a logout (401) the keys are worthless and would make the next link fail: drop everything. */
  wipe(): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM whatsapp_creds').run();
      this.db.prepare('DELETE FROM whatsapp_keys').run();
    })();
  }

  private readCreds(): AuthenticationCreds | undefined {
    const row = this.getCreds.get() as { value: string } | undefined;
    return row ? (JSON.parse(row.value, BufferJSON.reviver) as AuthenticationCreds) : undefined;
  }

  private keyStore(): SignalKeyStore {
    return {
      get: <T extends KeyType>(type: T, ids: string[]) => {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        for (const id of ids) {
          const row = this.getKey.get(type, id) as { value: string } | undefined;
          if (!row) continue;
          let value: unknown = JSON.parse(row.value, BufferJSON.reviver);
          // Stored as plain JSON; Baileys expects the protobuf class for app-state keys.
          if (type === 'app-state-sync-key')
            value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
          out[id] = value as SignalDataTypeMap[T];
        }
        return out;
      },
      set: (data: SignalDataSet) => {
        this.db.transaction(() => {
          for (const [type, entries] of Object.entries(data)) {
            for (const [id, value] of Object.entries(entries ?? {})) {
              if (value === null || value === undefined) this.dropKey.run(type, id);
              else this.putKey.run(type, id, JSON.stringify(value, BufferJSON.replacer));
            }
          }
        })();
      },
      clear: () => {
        this.db.prepare('DELETE FROM whatsapp_keys').run();
      },
    };
  }
}
