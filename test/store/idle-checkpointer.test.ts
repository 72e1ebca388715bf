import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, IdleCheckpointer } from '../../src/store/idle-checkpointer.js';
import { tempHome } from '../helpers/temp-home.js';

describe('the idle checkpointer', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(() => home.cleanup());

  it('checkpoints a grown WAL only once writes have gone quiet', () => {
    const file = join(home.home, 'x.db');
    const db = openDatabase(file, { migrate: false });
    let lastWrite = 0;
    const checkpointer = new IdleCheckpointer(db, {
      lastWriteAt: () => lastWrite,
      everyMs: 60_000,
      minWalBytes: 64 * 1024,
    });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_AUTOCHECKPOINT_PAGES);
    db.exec('CREATE TABLE t (x BLOB)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 300; i++) insert.run(Buffer.alloc(1000, i % 256));
    const dbSize = statSync(file).size;
    lastWrite = 1_000_000;
    expect(checkpointer.tick(1_000_050)).toBe(false); // still busy: 50 ms since the last write
    expect(statSync(file).size).toBe(dbSize);
    expect(checkpointer.tick(1_001_000)).toBe(true); // quiet for a second
    expect(statSync(file).size).toBeGreaterThan(dbSize + 250_000);
    checkpointer.stop();
    db.close();
  });

  it('leaves a small WAL alone', () => {
    const db = openDatabase(join(home.home, 'y.db'), { migrate: false });
    const checkpointer = new IdleCheckpointer(db, { lastWriteAt: () => 0, everyMs: 60_000 });
    db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);');
    expect(checkpointer.tick()).toBe(false);
    checkpointer.stop();
    db.close();
  });
});
