// Group commit: writes requested in the same tick share one SQLite transaction, so a busy gateway
// pays one commit for many messages instead of one each. Every write still runs in its own savepoint,
// so one that throws is rolled back alone and only its caller sees the error.

import type { Db } from './db.js';

interface Pending {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class WriteBatcher {
  private queue: Pending[] = [];
  /** When the last batch committed (ms since the epoch); the idle checkpointer waits for quiet. */
  lastFlushAt = 0;

  constructor(private readonly db: Db) {}

  /** Runs `fn` inside a shared transaction; resolves with its result once the transaction committed. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.lastFlushAt = Date.now();
    const batch = this.queue.splice(0);
    const results: { ok: boolean; value: unknown }[] = [];
    try {
      this.db.transaction(() => {
        for (const p of batch) {
          try {
            results.push({ ok: true, value: this.db.transaction(p.fn)() });
          } catch (err) {
            results.push({ ok: false, value: err });
          }
        }
      })();
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (const [i, p] of batch.entries()) {
      const r = results[i] as { ok: boolean; value: unknown };
      if (r.ok) p.resolve(r.value);
      else p.reject(r.value);
    }
  }
}
