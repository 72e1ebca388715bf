// Clean-up of sandgate sandboxes nobody in this process holds: left over from before a restart, or
// children of a run that ended when the gateway stopped. Running ones are stopped, long-idle ones
// deleted; orphaned run children and eval pool members (each belonged to one process's memory, which
// is gone: a stopped gateway, an interrupted `sandgate eval`) deleted at once. A sandbox that vanished
// meanwhile is skipped.

import type { Logger } from 'pino';
import { EVAL_LABEL } from '../eval/eval-pool.js';
import { SandboxGoneError } from './errors.js';
import type { SandboxInfo, SandboxProvider } from './provider.js';
import { RUN_LABEL } from './run-sandboxes.js';

const EVAL_GRACE_MS = 60_000;

export interface OrphanGcOptions {
  provider: SandboxProvider;
  log: Logger;
  /** Labels every sandgate sandbox carries. */
  labels: Record<string, string>;
  /** Sandboxes someone here holds (leases, pool members, slots, live runs' children): left alone. */
  held(info: SandboxInfo): boolean;
  now: number;
  /** Stop a running orphan idle this long (0: at once). */
  stopAfterMs: number;
  /** Delete an orphan idle this long (0: never). */
  deleteAfterMs: number;
}

export async function collectOrphans(o: OrphanGcOptions): Promise<{ stopped: string[]; deleted: string[] }> {
  const stopped: string[] = [];
  const deleted: string[] = [];
  const quiet = (err: unknown) => {
    if (!(err instanceof SandboxGoneError)) o.log.warn({ err }, 'sandbox clean-up failed');
  };
  for (const info of await o.provider.list({ labels: o.labels })) {
    if (o.held(info)) continue;
    const last = info.lastActivityAt?.getTime() ?? info.createdAt?.getTime() ?? 0;
    const idle = o.now - last;
    // An eval member gets a minute: one this process is creating is listed before its slot knows it.
    const ownerGone =
      info.labels[RUN_LABEL] !== undefined ||
      (info.labels[EVAL_LABEL] !== undefined && idle >= EVAL_GRACE_MS);
    if (ownerGone || (o.deleteAfterMs > 0 && idle >= o.deleteAfterMs)) {
      // A run's child or a pool member outlives nothing: whoever made it ended without deleting it.
      await (await o.provider.get(info.id))?.delete().catch(quiet);
      deleted.push(info.id);
    } else if (info.state === 'running' && (o.stopAfterMs === 0 || idle >= o.stopAfterMs)) {
      // Running, yet leased by nobody in this process: left over from before a restart.
      await (await o.provider.get(info.id))?.stop().catch(quiet);
      stopped.push(info.id);
    }
  }
  return { stopped, deleted };
}
