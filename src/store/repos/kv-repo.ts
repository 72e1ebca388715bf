// Small bookkeeping values channels and services persist (a command-list hash, an update offset).

import type { Db } from '../db.js';

export class KvRepo {
  private readonly getStmt;
  private readonly setStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT value FROM kv WHERE key = ?');
    this.setStmt = db.prepare(
      'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.deleteStmt = db.prepare('DELETE FROM kv WHERE key = ?');
  }

  get(key: string): string | undefined {
    return (this.getStmt.get(key) as { value: string } | undefined)?.value;
  }

  set(key: string, value: string): void {
    this.setStmt.run(key, value);
  }

  delete(key: string): void {
    this.deleteStmt.run(key);
  }

  /** A view limited to one prefix, handed to a channel so it cannot read another's keys. */
  scoped(prefix: string): {
    get(key: string): string | undefined;
    set(key: string, value: string): void;
    delete(key: string): void;
  } {
    return {
      get: (k) => this.get(`${prefix}:${k}`),
      set: (k, v) => this.set(`${prefix}:${k}`, v),
      delete: (k) => this.delete(`${prefix}:${k}`),
    };
  }
}
