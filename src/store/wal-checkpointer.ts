// Moves WAL checkpoints off the event loop. A checkpoint copies the WAL into the database file and
// fsyncs it, which takes milliseconds; done by auto-checkpoint it lands on whichever commit crossed
// the threshold and shows up as the gateway's tail latency. Here a worker thread with its own
// connection checkpoints (PASSIVE: never blocks writers) once the WAL has grown past a threshold,
// and the main connection's auto-checkpoint is turned off. If the worker dies, it is turned back on.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './db.js';

// Plain CommonJS so the worker runs the same way under tsx and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const walSize = () => { try { return statSync(workerData.file + '-wal').size; } catch { return 0; } };
const timer = setInterval(() => {
  if (walSize() < workerData.minWalBytes) return;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err) }); }
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch {}
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

const DEFAULT_AUTOCHECKPOINT = 4000;

export class WalCheckpointer {
  private readonly worker: Worker;
  private stopped = false;

  constructor(
    private readonly db: Db,
    opts: { everyMs?: number; minWalBytes?: number; onError?: (message: string) => void } = {},
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver,
        file: db.name,
        everyMs: opts.everyMs ?? 1000,
        // About what auto-checkpoint lets grow (4000 pages), so the fsyncs are as rare as before.
        minWalBytes: opts.minWalBytes ?? 16 * 1024 * 1024,
      },
    });
    this.worker.unref();
    this.worker.on('message', (m: { error?: string }) => {
      if (m.error) opts.onError?.(m.error);
    });
    const fallBack = () => {
      if (!this.stopped && db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    };
    this.worker.on('error', (err) => {
      opts.onError?.(String(err));
      fallBack();
    });
    this.worker.on('exit', fallBack);
    db.pragma('wal_autocheckpoint = 0');
  }

  /** A final full checkpoint, then the worker exits. Call before closing the main connection. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      this.worker.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      this.worker.postMessage('stop');
    });
    await this.worker.terminate();
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  }
}
