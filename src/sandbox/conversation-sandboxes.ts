// One sandbox per conversation: leased to its runs and reused across messages, found again by label
// after a restart, created once even when two messages race, stopped when idle, deleted on /new.
// Each running one holds a slot of the shared SandboxCapacity (capacity.ts): when it is full the
// least recently used idle sandbox is stopped to make room, and if none is idle acquire fails with
// SandboxCapacityError. A sandbox that vanished is replaced on the next acquire. With a warm pool,
// a conversation's first sandbox is a pool member, relabelled (see warm-pool.ts). forRun() gives a
// run its child sandboxes (run-sandboxes.ts) and keeps the conversation's sandbox from being
// reclaimed until the run ends.

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { SandboxCapacity, type Slot } from './capacity.js';
import { ConversationLease, type LeaseTable } from './conversation-lease.js';
import { SandboxGoneError } from './errors.js';
import { collectOrphans } from './orphan-gc.js';
import type { Sandbox, SandboxProvider } from './provider.js';
import { RUN_LABEL, RunSandboxes } from './run-sandboxes.js';
import { WarmPool } from './warm-pool.js';

export interface ConversationSandboxesOptions {
  provider: SandboxProvider;
  log: Logger;
  /** Stop a conversation's sandbox after this many idle seconds (0 = never). */
  idleStopSec: number;
  /** Delete a sandbox idle this long (0 = never); also applies to orphans found at gc. */
  idleDeleteSec?: number;
  /** Running sandboxes at most; ignored when `capacity` is given (it carries its own). */
  maxLive: number;
  /** The live cap shared with other owners (eval pool, MCP); a private one of maxLive when omitted. */
  capacity?: SandboxCapacity;
  /** How long a run's child sandbox waits for a slot by default (0 = refuse at once when full). */
  childWaitMs?: number;
  network?: 'off' | 'host';
  /** Non-secret env for every sandbox. */
  env?: Record<string, string>;
  /** Labels marking sandboxes as ours. Default { sandgate: '1' }. */
  labels?: Record<string, string>;
  now?: () => number;
  /** Run gc() on this interval (0 or omitted = only when called). */
  gcIntervalMs?: number;
  /** Started sandboxes kept ready for new conversations (0 or omitted = no pool). They count toward maxLive. */
  poolSize?: number;
}

export interface LeaseInfo {
  conversationKey: string;
  sandboxId: string;
  state: 'running' | 'stopped';
  busy: boolean;
  lastUsedAt: Date;
}

/** Label values must stay short and plain for Daytona; long or odd keys are hashed. */
export function conversationLabel(key: string): string {
  if (/^[A-Za-z0-9:._@+-]{1,63}$/.test(key)) return key;
  return `h-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

export class ConversationSandboxes {
  /** What each lease needs from this table. */
  private readonly table: LeaseTable;
  private readonly entries = new Map<string, ConversationLease>();
  private readonly pending = new Map<string, Promise<ConversationLease>>();
  /** Runs in progress per conversation: their sandbox is busy between calls too. */
  private readonly runs = new Map<string, number>();
  /** Ids of the runs in progress (their children carry the run label). */
  private readonly liveRuns = new Set<string>();
  private readonly base: Record<string, string>;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  readonly pool?: WarmPool;
  readonly capacity: SandboxCapacity;

  constructor(private readonly o: ConversationSandboxesOptions) {
    this.base = o.labels ?? { sandgate: '1' };
    this.now = o.now ?? Date.now;
    this.capacity =
      o.capacity ?? new SandboxCapacity({ maxLive: o.maxLive, log: o.log.child({ component: 'capacity' }) });
    this.table = {
      capacity: this.capacity,
      log: o.log,
      now: this.now,
      isCurrent: (lease) => this.entries.get(lease.key) === lease,
      drop: (lease) => this.entries.delete(lease.key),
      runOn: (key) => this.runs.has(key),
      revive: (lease) => this.singleFlight(lease.key, () => this.revive(lease)),
    };
    if (o.poolSize && o.poolSize > 0) {
      this.pool = new WarmPool({
        provider: o.provider,
        log: o.log.child({ component: 'warm-pool' }),
        size: o.poolSize,
        baseLabels: this.base,
        env: o.env,
        network: o.network,
        capacity: this.capacity,
      });
    }
    if (o.gcIntervalMs) {
      this.timer = setInterval(() => {
        this.gc().catch((err: unknown) => o.log.warn({ err }, 'sandbox gc failed'));
      }, o.gcIntervalMs);
      this.timer.unref();
    }
  }

  async acquire(conversationKey: string): Promise<Sandbox> {
    const inflight = this.pending.get(conversationKey);
    if (inflight) return (await inflight).view;
    const existing = this.entries.get(conversationKey);
    if (existing?.slot) {
      existing.lastUsed = this.now();
      return existing.view;
    }
    return (
      await this.singleFlight(conversationKey, () =>
        existing ? this.revive(existing) : this.open(conversationKey),
      )
    ).view;
  }

  /**
   * A run of this conversation starts: its sandbox is not reclaimed until the run ends, and the
   * run gets child sandboxes counted against the same capacity. The caller must close() the
   * result when the run ends (success, error or cancel); that deletes every child left.
   */
  forRun(run: { runId: number; conversationKey: string; signal: AbortSignal; log: Logger }): RunSandboxes {
    const key = run.conversationKey;
    this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
    this.liveRuns.add(String(run.runId));
    return new RunSandboxes({
      provider: this.o.provider,
      capacity: this.capacity,
      log: run.log,
      runId: run.runId,
      signal: run.signal,
      labels: this.base,
      env: this.o.env,
      network: this.o.network,
      waitMs: this.o.childWaitMs ?? 0,
      conversationSlot: () => this.entries.get(key)?.slot,
      onClose: () => {
        this.liveRuns.delete(String(run.runId));
        const left = (this.runs.get(key) ?? 1) - 1;
        if (left > 0) this.runs.set(key, left);
        else this.runs.delete(key);
        this.capacity.changed();
      },
    });
  }

  /**
   * Delete one sandgate sandbox by id, whoever holds it (`sandgate sandboxes rm`): a conversation's
   * lease is forgotten, a pool member leaves the pool, any slot is released. False when unknown.
   */
  async remove(id: string): Promise<boolean> {
    for (const e of this.entries.values()) {
      if (e.inner.id !== id) continue;
      e.forget();
      await e.inner.delete();
      return true;
    }
    if (await this.pool?.remove(id)) return true;
    const box = await this.o.provider.get(id);
    if (!box) return false;
    this.capacity.slotOf(id)?.release();
    await box.delete();
    return true;
  }

  /** `/new`: delete the conversation's sandbox (and any stray ones with its label). */
  async discard(conversationKey: string): Promise<void> {
    await this.pending.get(conversationKey)?.catch(() => undefined);
    const entry = this.entries.get(conversationKey);
    const ids = new Set<string>();
    if (entry) {
      ids.add(entry.inner.id);
      entry.forget();
      await entry.inner.delete().catch((err: unknown) => this.ignoreGone(err));
    }
    const labels = { ...this.base, conversation: conversationLabel(conversationKey) };
    for (const info of await this.o.provider.list({ labels })) {
      if (ids.has(info.id)) continue;
      const box = await this.o.provider.get(info.id);
      await box?.delete().catch((err: unknown) => this.ignoreGone(err));
    }
    this.o.log.info({ conversation: conversationKey }, 'conversation sandbox discarded');
    this.pool?.refill();
  }

  list(): LeaseInfo[] {
    return [...this.entries.values()].map((e) => ({
      conversationKey: e.key,
      sandboxId: e.inner.id,
      state: e.slot ? 'running' : 'stopped',
      busy: e.busy > 0,
      lastUsedAt: new Date(e.lastUsed),
    }));
  }

  /** Stop idle sandboxes, delete long-idle ones, and clean up orphans nobody leases. */
  async gc(): Promise<{ stopped: string[]; deleted: string[] }> {
    const now = this.now();
    const stopAfter = this.o.idleStopSec * 1000;
    const deleteAfter = (this.o.idleDeleteSec ?? 0) * 1000;
    const stopped: string[] = [];
    const deleted: string[] = [];
    for (const e of [...this.entries.values()]) {
      if (e.busy > 0 || this.runs.has(e.key)) continue;
      const idle = now - e.lastUsed;
      if (deleteAfter > 0 && idle >= deleteAfter) {
        e.forget();
        await e.inner.delete().catch((err: unknown) => this.ignoreGone(err));
        deleted.push(e.inner.id);
      } else if (e.slot && stopAfter > 0 && idle >= stopAfter) {
        await e.stop();
        stopped.push(e.inner.id);
      }
    }
    const tracked = new Set([...this.entries.values()].map((e) => e.inner.id));
    const orphans = await collectOrphans({
      provider: this.o.provider,
      log: this.o.log,
      labels: this.base,
      // Pool members are the pool's to keep; without a pool, leftovers of one age out like orphans.
      // A sandbox holding a slot (a run's child, an eval or MCP sandbox) is its owner's to clean up,
      // and so is a child of a run still on here (it may be listed before its slot knows its id).
      held: (info) =>
        tracked.has(info.id) ||
        this.pool?.isMember(info) === true ||
        this.capacity.slotOf(info.id) !== undefined ||
        this.liveRuns.has(info.labels[RUN_LABEL] ?? ''),
      now,
      stopAfterMs: stopAfter,
      deleteAfterMs: deleteAfter,
    });
    stopped.push(...orphans.stopped);
    deleted.push(...orphans.deleted);
    if (stopped.length || deleted.length) this.o.log.info({ stopped, deleted }, 'sandbox gc');
    this.pool?.refill();
    return { stopped, deleted };
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([
      ...[...this.entries.values()].filter((e) => e.slot).map((e) => e.stop().catch(() => undefined)),
      this.pool?.shutdown(),
    ]);
  }

  private async open(key: string): Promise<ConversationLease> {
    const labels = { ...this.base, conversation: conversationLabel(key) };
    let inner: Sandbox | undefined;
    const found = (await this.o.provider.list({ labels })).sort(
      (a, b) => (b.lastActivityAt?.getTime() ?? 0) - (a.lastActivityAt?.getTime() ?? 0),
    );
    for (const info of found) {
      inner = await this.o.provider.get(info.id);
      if (inner) break;
    }
    let how = 'found again';
    let slot: Slot | undefined;
    let lease: ConversationLease | undefined;
    const request = ConversationLease.slotRequest(key, this.table, () => lease);
    if (!inner && this.pool) {
      const member = await this.pool.take(labels);
      if (member) {
        ({ box: inner, slot } = member);
        slot.reassign(request);
        how = 'taken from the warm pool';
      }
    }
    slot ??= await this.capacity.acquire(request);
    if (!inner) {
      try {
        inner = await this.o.provider.create({ labels, env: this.o.env, network: this.o.network });
      } catch (err) {
        slot.release();
        throw err;
      }
      how = 'created';
    }
    slot.attach(inner.id);
    this.o.log.info({ conversation: key, sandbox: inner.id }, `conversation sandbox ${how}`);
    lease = new ConversationLease(key, inner, this.table);
    lease.slot = slot;
    this.entries.set(key, lease);
    this.pool?.refill();
    return lease;
  }

  /** A stopped conversation sandbox is used again: it needs a slot before it starts. */
  private async revive(e: ConversationLease): Promise<ConversationLease> {
    e.lastUsed = this.now();
    if (!e.slot) {
      const slot = await this.capacity.acquire(ConversationLease.slotRequest(e.key, this.table, () => e));
      if (this.entries.get(e.key) !== e) {
        slot.release(); // discarded meanwhile
        throw new SandboxGoneError(e.inner.id, 'it was discarded');
      }
      e.slot = slot.attach(e.inner.id);
    }
    return e;
  }

  private singleFlight(key: string, fn: () => Promise<ConversationLease>): Promise<ConversationLease> {
    const inflight = this.pending.get(key);
    if (inflight) return inflight;
    const p = fn().finally(() => this.pending.delete(key));
    this.pending.set(key, p);
    return p;
  }

  private ignoreGone(err: unknown): void {
    if (!(err instanceof SandboxGoneError)) this.o.log.warn({ err }, 'sandbox clean-up failed');
  }
}
