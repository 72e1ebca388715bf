// Applies migrations/NNN_name.sql in order, each in its own transaction, recording the number in
// PRAGMA user_version. A database newer than this code is refused rather than half-understood.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { packageRoot } from '../package-root.js';
import { StoreError } from './store-error.js';

export const MIGRATIONS_DIR = join(packageRoot(), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f));
  const migrations = files
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f, sql: readFileSync(join(dir, f), 'utf8') }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new StoreError(`migration ${m.name} is out of sequence (expected ${i + 1})`);
  });
  return migrations;
}

/** Returns the versions applied by this call. */
export function migrate(db: Database.Database, migrations = loadMigrations()): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length ? (migrations[migrations.length - 1] as Migration).version : 0;
  if (current > latest) {
    throw new StoreError(
      `database schema version ${current} is newer than this sandgate (knows ${latest}); upgrade sandgate or use another SANDGATE_HOME`,
    );
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
