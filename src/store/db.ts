// Opens the state database with the settings a long-running gateway needs: WAL so the CLI can
// read while the gateway writes, a busy timeout so they do not trip over each other, foreign keys on.
// A corrupt, unreadable or read-only file fails here with a message that says which file and why.

import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrator.js';
import { StoreError } from './store-error.js';

export { StoreError };

export type Db = Database.Database;

/**
 * WAL so the CLI reads while the gateway writes; NORMAL sync (durable at checkpoints, never corrupt);
 * a larger auto-checkpoint so the fsync of a checkpoint is paid every few thousand commits, not
 * hundreds (the running gateway also checkpoints in quiet moments: idle-checkpointer.ts).
 */
export function applyPragmas(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 4000'); // the gateway raises it and checkpoints when idle
}

/** Creates the state directory if needed and proves it is usable, with a message an operator can act on. */
export function ensureStateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (err) {
    throw new StoreError(`state directory ${dir} is not writable: ${(err as Error).message}`);
  }
}

export function openDatabase(file: string, opts: { migrate?: boolean; readonly?: boolean } = {}): Db {
  ensureStateDir(dirname(file));
  try {
    if (existsSync(file)) accessSync(file, constants.W_OK | constants.R_OK);
  } catch (err) {
    throw new StoreError(`database ${file} is not writable: ${(err as Error).message}`);
  }
  let db: Db;
  try {
    db = new Database(file);
    applyPragmas(db);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`integrity check failed: ${String(check)}`);
  } catch (err) {
    throw new StoreError(
      `cannot open database ${file}: ${(err as Error).message}. Move it aside to start fresh, or restore a backup.`,
    );
  }
  if (opts.migrate !== false) migrate(db);
  return db;
}
