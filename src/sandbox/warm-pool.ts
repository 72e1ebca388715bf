// An optional warm pool: N sandboxes created and started ahead of time, labelled as pool members and
// tied to no conversation, so a conversation's first message skips the create and the start-up. A
// member that cannot be relabelled (or vanished) is deleted and the caller creates a fresh sandbox.
// Members hold capacity slots marked spare: only free slots are filled, and a full capacity takes
// a ready member back (deletes it) before it stops anyone's sandbox.

import type { Logger } from 'pino';
import { cutText } from '../text/cut.js';
import { backoffDelay } from '../timing/backoff.js';
import type { SandboxCapacity, Slot } from './capacity.js';
import { SandboxGoneError } from './errors.js';
import type { Sandbox, SandboxInfo, SandboxProvider } from './provider.js';

/** The label that marks a pool member; a member handed to a conversation loses it. */
export const POOL_LABEL = 'pool';

export interface WarmPoolOptions {
  provider: SandboxProvider;
  log: Logger;
  /** Members to keep ready. */
  size: number;
  /** Labels every sandgate sandbox carries; members get these plus the pool label. */
  baseLabels: Record<string, string>;
  env?: Record<string, string>;
  network?: 'off' | 'host';
  /** The shared live cap; members are filled only into its free slots. */
  capacity: SandboxCapacity;
  /** First delay before retrying after a failed create; doubles up to a minute. */
  retryMs?: number;
}

/** A ready member and the slot it holds; taking it hands the slot over with the sandbox. */
export interface PoolMember {
  box: Sandbox;
  slot: Slot;
}

export class WarmPool {
  private readonly ready: PoolMember[] = [];
  private creating = 0;
  private closed = false;
  private unsupported = false;
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  /** Fill cycles run one after another; the first adopts members left by an earlier gateway run. */
  private cycle: Promise<void>;

  constructor(private readonly o: WarmPoolOptions) {
    this.cycle = this.adopt()
      .catch((err: unknown) => o.log.warn({ err }, 'could not take over earlier pool sandboxes'))
      .then(() => this.fill())
      .catch((err: unknown) => o.log.warn({ err }, 'warm pool fill failed'));
  }

  get memberLabels(): Record<string, string> {
    return { ...this.o.baseLabels, [POOL_LABEL]: '1' };
  }

  /** Members ready plus those being created: both hold (or will hold) a running sandbox. */
  get count(): number {
    return this.ready.length + this.creating;
  }

  /** Ids of the members ready now. */
  get ids(): string[] {
    return this.ready.map((m) => m.box.id);
  }

  isMember(info: SandboxInfo): boolean {
    return info.labels[POOL_LABEL] !== undefined;
  }

  /** Top the pool up in the background (after a take, or when capacity was freed). */
  refill(): void {
    if (this.closed || this.unsupported) return;
    this.cycle = this.cycle
      .then(() => this.fill())
      .catch((err: unknown) => this.o.log.warn({ err }, 'warm pool refill failed'));
  }

  /** Resolves when the fill work started so far has finished (tests, benchmarks, shutdown). */
  async settled(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.cycle;
      await seen;
    } while (seen !== this.cycle);
  }

  /**
   * A ready member, relabelled for its new owner, with its slot (the caller reassigns it);
   * undefined when none is ready.
   */
  async take(labels: Record<string, string>): Promise<PoolMember | undefined> {
    for (let m = this.ready.shift(); m; m = this.ready.shift()) {
      if (!m.box.setLabels) {
        this.unsupported = true;
        this.o.log.warn('this sandbox provider cannot relabel sandboxes; the warm pool is off');
        await this.discard(m);
        for (const rest of this.ready.splice(0)) await this.discard(rest);
        return undefined;
      }
      try {
        await m.box.setLabels(labels);
        this.o.log.info({ sandbox: m.box.id, labels }, 'warm pool sandbox handed out');
        return m;
      } catch (err) {
        this.o.log.warn({ err, sandbox: m.box.id }, 'could not relabel a pool sandbox; deleting it');
        await this.discard(m);
      }
    }
    return undefined;
  }

  /** Delete the member `id` if it is one (`sandgate sandboxes rm`); true when it was. */
  async remove(id: string): Promise<boolean> {
    const at = this.ready.findIndex((m) => m.box.id === id);
    if (at < 0) return false;
    const [m] = this.ready.splice(at, 1);
    await this.discard(m!);
    this.refill();
    return true;
  }

  /** Stop every member (they stay labelled, so the next gateway run takes them over). */
  async shutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.settled();
    await Promise.all(
      this.ready.splice(0).map(async (m) => {
        m.slot.release();
        await m.box.stop().catch(() => undefined);
      }),
    );
  }

  /** Ready, and given back first when the capacity is full: a waiting conversation beats a spare. */
  private makeReady(box: Sandbox, slot: Slot): void {
    const m: PoolMember = { box, slot };
    slot.attach(box.id).holder = {
      spare: true,
      reclaim: async () => {
        const at = this.ready.indexOf(m);
        if (at < 0) return;
        this.ready.splice(at, 1);
        this.o.log.info({ sandbox: box.id }, 'deleting a pool sandbox to make room');
        await this.discard(m);
      },
    };
    this.ready.push(m);
  }

  private async fill(): Promise<void> {
    if (this.closed || this.unsupported) return;
    const slots: Slot[] = [];
    while (this.count + slots.length < this.o.size) {
      const slot = this.o.capacity.tryAcquire({ owner: 'pool', label: 'warm pool' });
      if (!slot) break;
      slots.push(slot);
    }
    if (!slots.length) return;
    this.creating += slots.length;
    const made = await Promise.all(slots.map((slot) => this.createOne(slot)));
    if (made.every(Boolean)) {
      this.failures = 0;
      return;
    }
    // Back off, then try again: a provider outage must not turn into a create storm.
    const delay = backoffDelay({ initialMs: this.o.retryMs ?? 2000, maxMs: 60_000 }, ++this.failures);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.refill(), delay);
    this.retryTimer.unref();
  }

  private async createOne(slot: Slot): Promise<boolean> {
    let box: Sandbox | undefined;
    try {
      box = await this.o.provider.create({
        labels: this.memberLabels,
        env: this.o.env,
        network: this.o.network,
      });
      slot.attach(box.id);
      await this.warm(box);
      if (this.closed) {
        slot.release();
        await box.stop();
      } else this.makeReady(box, slot);
      this.o.log.debug({ sandbox: box.id }, 'warm pool sandbox ready');
      return true;
    } catch (err) {
      this.o.log.warn({ err }, 'could not create a warm pool sandbox');
      if (box) await this.discard({ box, slot });
      else slot.release();
      return false;
    } finally {
      this.creating--;
    }
  }

  /** Start the sandbox and its default Python context, so the first command and /py are both quick. */
  private async warm(box: Sandbox): Promise<void> {
    const r = await box.exec('true', { timeoutMs: 60_000 });
    if (r.exitCode !== 0) throw new Error(`pool sandbox did not start: ${cutText(r.stderr, 500)}`);
    const code = await box.runCode('pass', { timeoutMs: 60_000 }).catch((err: unknown) => ({ error: err }));
    if (code.error) this.o.log.debug({ err: code.error, sandbox: box.id }, 'python did not warm up');
  }

  /** Members left by an earlier run (stopped at its shutdown): keep as many as fit, delete the rest. */
  private async adopt(): Promise<void> {
    for (const info of await this.o.provider.list({ labels: this.memberLabels })) {
      const box = await this.o.provider.get(info.id);
      if (this.closed) return;
      if (!box) continue;
      const slot =
        this.count < this.o.size
          ? this.o.capacity.tryAcquire({ owner: 'pool', label: 'warm pool' })?.attach(box.id)
          : undefined;
      if (!slot) {
        await this.discard({ box });
        continue;
      }
      this.creating++;
      try {
        await this.warm(box);
        this.makeReady(box, slot);
        this.o.log.info({ sandbox: box.id }, 'warm pool took over an earlier pool sandbox');
      } catch (err) {
        this.o.log.warn({ err, sandbox: box.id }, 'an earlier pool sandbox did not start; deleting it');
        await this.discard({ box, slot });
      } finally {
        this.creating--;
      }
    }
  }

  private async discard({ box, slot }: { box: Sandbox; slot?: Slot }): Promise<void> {
    slot?.release();
    await box.delete().catch((err: unknown) => {
      if (!(err instanceof SandboxGoneError))
        this.o.log.warn({ err, sandbox: box.id }, 'pool clean-up failed');
    });
  }
}
