// Checkpoints the WAL while the gateway is idle. A checkpoint copies the WAL into the database file
// and fsyncs it — milliseconds that, left to auto-checkpoint, land on whichever commit crosses the
// threshold and show up as tail latency. Here it runs in a quiet moment instead; auto-checkpoint
// stays on with a larger threshold as the backstop for long stretches of sustained load.

import { statSync } from 'node:fs';
import type { Db } from './db.js';

export const BACKSTOP_AUTOCHECKPOINT_PAGES = 16_000;

export interface IdleCheckpointerOptions {
  /** When the gateway last wrote (ms since the epoch). */
  lastWriteAt: () => number;
  everyMs?: number;
  /** Quiet time before a checkpoint may run. */
  idleMs?: number;
  /** Leave a small WAL alone. */
  minWalBytes?: number;
  onError?: (err: unknown) => void;
}

export class IdleCheckpointer {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly opts: IdleCheckpointerOptions,
  ) {
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
    this.timer = setInterval(() => this.tick(), opts.everyMs ?? 500);
    this.timer.unref();
  }

  private walBytes(): number {
    try {
      return statSync(`${this.db.name}-wal`).size;
    } catch {
      return 0;
    }
  }

  /** Returns whether a checkpoint ran. */
  tick(now = Date.now()): boolean {
    if (!this.db.open) return false;
    if (now - this.opts.lastWriteAt() < (this.opts.idleMs ?? 200)) return false;
    if (this.walBytes() < (this.opts.minWalBytes ?? 4 * 1024 * 1024)) return false;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      return true;
    } catch (err) {
      this.opts.onError?.(err);
      return false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
