// One gateway per SANDGATE_HOME: two would both poll Telegram, both run the same queued
// messages and both answer. The lock file holds the owner's pid; a stale lock (dead pid) is taken over.

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export class LockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireInstanceLock(file: string): { release(): void } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        release: () => {
          try {
            if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LockError(`cannot create lock file ${file}: ${(err as Error).message}`);
      }
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new LockError(
          `another sandgate gateway (pid ${pid}) is already running with this SANDGATE_HOME (${file}); stop it first or use another SANDGATE_HOME`,
        );
      }
      unlinkSync(file); // stale: its owner is gone
    }
  }
  throw new LockError(`could not take the lock ${file}`);
}
