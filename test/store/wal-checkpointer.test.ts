import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { WalCheckpointer } from '../../src/store/wal-checkpointer.js';
import { tempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

describe('the WAL checkpointer', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(() => home.cleanup());

  it('copies the WAL into the database from its worker, and leaves nothing behind at stop', async () => {
    const file = join(home.home, 'x.db');
    const db = openDatabase(file, { migrate: false });
    const checkpointer = new WalCheckpointer(db, { everyMs: 20, minWalBytes: 256 * 1024 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0); // the main thread never checkpoints
    db.exec('CREATE TABLE t (x BLOB)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const sizeBefore = statSync(file).size;
    for (let i = 0; i < 1000; i++) insert.run(Buffer.alloc(1000, i % 256));
    await waitFor(() => statSync(file).size > sizeBefore + 500_000, 'the worker to checkpoint into the database file');
    await checkpointer.stop();
    expect(!existsSync(`${file}-wal`) || statSync(`${file}-wal`).size === 0).toBe(true);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThan(0); // back to the default
    expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(1000);
    db.close();
  });
});
