// The batch-evaluation pool: up to `size` sandboxes, created on demand in bounded batches (with
// retries), labelled `eval=1`, each holding a slot of sandbox.maxLive and serving one job at a time
// from a shared FIFO. A member whose sandbox breaks is dropped and replaced, and its job is retried
// on another; an idle member gives its slot back when the capacity needs it; shutdown deletes all.

import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { SandboxCapacity, Slot } from '../sandbox/capacity.js';
import { SandboxCapacityError } from '../sandbox/errors.js';
import type { Sandbox, SandboxProvider } from '../sandbox/provider.js';
import { backoffDelay } from '../timing/backoff.js';
import { sleep as realSleep } from '../timing/clock.js';

/** The label on eval pool sandboxes. */
export const EVAL_LABEL = 'eval';

export interface EvalPoolOptions {
  provider: SandboxProvider;
  capacity: SandboxCapacity;
  log: Logger;
  /** Most sandboxes at once (config eval.poolSize). */
  size: number;
  /** Most items running at once; the pool grows no wider (default: size). See runWidth(). */
  maxRunning?: number | undefined;
  /** Labels every sandgate sandbox carries (`sandgate=1`). */
  labels: Record<string, string>;
  env?: Record<string, string>;
  network?: 'off' | 'host';
  /** Sandboxes created at once while the pool grows (a provider's API is not flooded). Default 10. */
  createBatch?: number;
  /** Tries per create before giving up on that member. Default 3. */
  createAttempts?: number;
  /** How long the first member waits for a slot when sandbox.maxLive is reached. Default 60 s. */
  firstSlotWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface Member {
  box: Sandbox;
  slot: Slot;
  busy: boolean;
  idleSince: number;
  gone: boolean;
}

interface Job {
  run(box: Sandbox): Promise<void>;
  fail(err: unknown): void;
  /** Times it was handed back because its sandbox broke. */
  retries: number;
}

/**
 * How many items may run at once on `provider`. Local sandboxes share this machine's CPUs: more
 * items than CPUs only slice them thinner, and an item's wall-clock timeout would then measure its
 * neighbours (on 2 CPUs, 50 at once turned correct completions into timeouts). A remote provider's
 * sandboxes bring their own CPUs: no bound.
 */
export function runWidth(provider: Pick<SandboxProvider, 'name'>): number | undefined {
  return provider.name === 'local' ? availableParallelism() : undefined;
}

/** Thrown by a job to say its sandbox, not its input, failed: the member is replaced and the job retried. */
export class SandboxBrokenError extends Error {
  override name = 'SandboxBrokenError';
}

export class EvalPool {
  private readonly members: Member[] = [];
  private readonly queue: Job[] = [];
  /** Members being created; shutdown waits for them (each deletes itself once it sees the pool closed). */
  private readonly adding = new Set<Promise<void>>();
  private createdTotal = 0;
  private closed = false;

  constructor(private readonly o: EvalPoolOptions) {}

  /** Sandboxes this pool has created since it started (a bound the tests hold it to). */
  get created(): number {
    return this.createdTotal;
  }

  /** Members now. */
  get live(): number {
    return this.members.length;
  }

  /**
   * Runs `work` on a pool sandbox as soon as one is free; the pool grows toward `want` (capped at
   * size) meanwhile. Rejects with the create error when no sandbox could be had at all, or when
   * the pool shuts down first. A SandboxBrokenError from `work` retries it (twice) on another.
   */
  use<T>(work: (box: Sandbox) => Promise<T>, want = 1): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the eval pool is shut down'));
    const done = new Promise<T>((resolve, reject) => {
      this.queue.push({ run: async (box) => resolve(await work(box)), fail: reject, retries: 0 });
    });
    this.grow(want);
    this.dispatch();
    return done;
  }

  /** Deletes every member, and those still being created once they are (shutdown, Ctrl-C); queued jobs are refused. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.fail(new Error('the eval pool is shut down'));
    await Promise.all([...this.members].map((m) => this.drop(m)));
    await Promise.allSettled([...this.adding]);
  }

  private grow(want: number): void {
    const target = Math.min(this.o.size, this.o.maxRunning ?? Number.POSITIVE_INFINITY, Math.max(1, want));
    const missing = target - this.members.length - this.adding.size;
    const batch = this.o.createBatch ?? 10;
    const room = Math.max(0, Math.min(missing, batch - this.adding.size));
    for (let i = 0; i < room; i++) {
      const first = this.members.length === 0 && this.adding.size === 0;
      const adding: Promise<void> = this.addMember(first)
        .catch((err: unknown) => this.onCreateFailed(err))
        .finally(() => {
          this.adding.delete(adding);
          // The batch bound: the next ones start as these finish, while there is work queued.
          if (!this.closed && this.queue.length) this.grow(this.members.length + this.queue.length);
          this.dispatch();
        });
      this.adding.add(adding);
    }
  }

  /** `first`: the pool's first member, which may wait for a capacity slot. */
  private async addMember(first: boolean): Promise<void> {
    let member: Member | undefined;
    const slot = await this.o.capacity.acquire({
      owner: 'eval',
      label: 'eval pool',
      holder: {
        idleSince: () => (member && !member.busy ? member.idleSince : undefined),
        reclaim: async () => {
          if (member) await this.drop(member);
          else slot.release();
        },
      },
      // Past the first member the pool makes do with what it has rather than keep others waiting.
      waitMs: first ? (this.o.firstSlotWaitMs ?? 60_000) : 0,
    });
    let box: Sandbox;
    try {
      box = await this.createWithRetries();
    } catch (err) {
      slot.release();
      throw err;
    }
    member = { box, slot: slot.attach(box.id), busy: false, idleSince: Date.now(), gone: false };
    this.createdTotal++;
    if (this.closed) {
      await this.drop(member);
      return;
    }
    this.members.push(member);
    this.o.log.debug({ sandbox: box.id, members: this.members.length }, 'eval pool sandbox ready');
  }

  private async createWithRetries(): Promise<Sandbox> {
    const attempts = this.o.createAttempts ?? 3;
    for (let i = 1; ; i++) {
      try {
        return await this.o.provider.create({
          labels: { ...this.o.labels, [EVAL_LABEL]: '1' },
          ...(this.o.env ? { env: this.o.env } : {}),
          ...(this.o.network ? { network: this.o.network } : {}),
        });
      } catch (err) {
        if (i >= attempts || this.closed) throw err;
        this.o.log.warn({ err, attempt: i }, 'eval pool sandbox create failed; retrying');
        await (this.o.sleep ?? realSleep)(backoffDelay({ initialMs: 500, maxMs: 8000, jitter: 0.5 }, i));
      }
    }
  }

  private onCreateFailed(err: unknown): void {
    if (err instanceof SandboxCapacityError && this.members.length) return;
    this.o.log.warn({ err }, 'could not add a sandbox to the eval pool');
    // No member and none coming: nobody would ever run the queued jobs.
    if (this.members.length === 0 && this.adding.size <= 1)
      for (const job of this.queue.splice(0)) job.fail(err);
  }

  private dispatch(): void {
    for (const member of this.members) {
      if (!this.queue.length) return;
      if (member.busy || member.gone) continue;
      // Deleted from outside (`sandgate sandboxes rm`): its slot went with it; replace it.
      if (!member.slot.held) {
        void this.drop(member).then(() => this.grow(this.members.length + this.queue.length));
        continue;
      }
      const job = this.queue.shift()!;
      member.busy = true;
      void job
        .run(member.box)
        .catch((err: unknown) => {
          if (err instanceof SandboxBrokenError && job.retries < 2 && !this.closed) {
            job.retries++;
            this.queue.unshift(job);
            this.o.log.warn({ err, sandbox: member.box.id }, 'eval pool sandbox broke; replacing it');
            void this.drop(member).then(() => this.grow(this.members.length + this.queue.length));
            return;
          }
          job.fail(err);
        })
        .finally(() => {
          member.busy = false;
          member.idleSince = Date.now();
          if (!this.queue.length) this.o.capacity.changed();
          this.dispatch();
        });
    }
  }

  private async drop(member: Member): Promise<void> {
    if (member.gone) return;
    member.gone = true;
    const at = this.members.indexOf(member);
    if (at >= 0) this.members.splice(at, 1);
    try {
      await member.box.delete();
    } catch (err) {
      this.o.log.warn({ err, sandbox: member.box.id }, 'could not delete an eval pool sandbox');
    } finally {
      member.slot.release();
    }
  }
}
