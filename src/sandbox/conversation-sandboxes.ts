// One sandbox per conversation: leased to its runs and reused across messages, found again by label
// after a restart, created once even when two messages race, stopped when idle, deleted on /new,
// and capped globally (the least recently used idle one is stopped to make room; if none is idle,
// acquire fails with SandboxCapacityError). A sandbox that vanished is replaced on the next acquire.
// With a warm pool, a conversation's first sandbox is a pool member, relabelled (see warm-pool.ts).

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { SandboxCapacityError, SandboxGoneError } from './errors.js';
import type { Sandbox, SandboxProvider } from './provider.js';
import { WarmPool } from './warm-pool.js';

export interface ConversationSandboxesOptions {
  provider: SandboxProvider;
  log: Logger;
  /** Stop a conversation's sandbox after this many idle seconds (0 = never). */
  idleStopSec: number;
  /** Delete a sandbox idle this long (0 = never); also applies to orphans found at gc. */
  idleDeleteSec?: number;
  /** Running sandboxes at most. */
  maxLive: number;
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

interface Entry {
  key: string;
  inner: Sandbox;
  lease: Sandbox;
  live: boolean;
  busy: number;
  lastUsed: number;
}

/** Label values must stay short and plain for Daytona; long or odd keys are hashed. */
export function conversationLabel(key: string): string {
  if (/^[A-Za-z0-9:._@+-]{1,63}$/.test(key)) return key;
  return `h-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

export class ConversationSandboxes {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Entry>>();
  private readonly base: Record<string, string>;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  readonly pool?: WarmPool;

  constructor(private readonly o: ConversationSandboxesOptions) {
    this.base = o.labels ?? { sandgate: '1' };
    this.now = o.now ?? Date.now;
    if (o.poolSize && o.poolSize > 0) {
      this.pool = new WarmPool({
        provider: o.provider,
        log: o.log.child({ component: 'warm-pool' }),
        size: o.poolSize,
        baseLabels: this.base,
        env: o.env,
        network: o.network,
        room: () => o.maxLive - this.liveCount() - (this.pool?.count ?? 0),
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
    if (inflight) return (await inflight).lease;
    const existing = this.entries.get(conversationKey);
    if (existing) {
      existing.lastUsed = this.now();
      if (!existing.live) {
        await this.makeRoom(conversationKey);
        existing.live = true;
      }
      return existing.lease;
    }
    const p = this.open(conversationKey).finally(() => this.pending.delete(conversationKey));
    this.pending.set(conversationKey, p);
    return (await p).lease;
  }

  /** `/new`: delete the conversation's sandbox (and any stray ones with its label). */
  async discard(conversationKey: string): Promise<void> {
    await this.pending.get(conversationKey)?.catch(() => undefined);
    const entry = this.entries.get(conversationKey);
    this.entries.delete(conversationKey);
    const ids = new Set<string>();
    if (entry) {
      ids.add(entry.inner.id);
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
      state: e.live ? 'running' : 'stopped',
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
      if (e.busy > 0) continue;
      const idle = now - e.lastUsed;
      if (deleteAfter > 0 && idle >= deleteAfter) {
        this.entries.delete(e.key);
        await e.inner.delete().catch((err: unknown) => this.ignoreGone(err));
        deleted.push(e.inner.id);
      } else if (e.live && stopAfter > 0 && idle >= stopAfter) {
        await this.stopEntry(e);
        stopped.push(e.inner.id);
      }
    }
    const tracked = new Set([...this.entries.values()].map((e) => e.inner.id));
    for (const info of await this.o.provider.list({ labels: this.base })) {
      // Pool members are the pool's to keep; without a pool, leftovers of one age out like orphans.
      if (tracked.has(info.id) || this.pool?.isMember(info)) continue;
      const last = info.lastActivityAt?.getTime() ?? info.createdAt?.getTime() ?? 0;
      const idle = now - last;
      if (deleteAfter > 0 && idle >= deleteAfter) {
        const box = await this.o.provider.get(info.id);
        await box?.delete().catch((err: unknown) => this.ignoreGone(err));
        deleted.push(info.id);
      } else if (info.state === 'running' && (stopAfter === 0 || idle >= stopAfter)) {
        // Running, yet leased by nobody in this process: left over from before a restart.
        const box = await this.o.provider.get(info.id);
        await box?.stop().catch((err: unknown) => this.ignoreGone(err));
        stopped.push(info.id);
      }
    }
    if (stopped.length || deleted.length) this.o.log.info({ stopped, deleted }, 'sandbox gc');
    this.pool?.refill();
    return { stopped, deleted };
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([
      ...[...this.entries.values()]
        .filter((e) => e.live)
        .map((e) => this.stopEntry(e).catch(() => undefined)),
      this.pool?.shutdown(),
    ]);
  }

  private async open(key: string): Promise<Entry> {
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
    if (!inner && this.pool) {
      inner = await this.pool.take(labels);
      how = 'taken from the warm pool';
    }
    await this.makeRoom(key);
    if (!inner) {
      inner = await this.o.provider.create({ labels, env: this.o.env, network: this.o.network });
      how = 'created';
    }
    this.o.log.info({ conversation: key, sandbox: inner.id }, `conversation sandbox ${how}`);
    const entry: Entry = { key, inner, lease: inner, live: true, busy: 0, lastUsed: this.now() };
    entry.lease = this.track(entry);
    this.entries.set(key, entry);
    this.pool?.refill();
    return entry;
  }

  private async makeRoom(forKey: string): Promise<void> {
    const live = [...this.entries.values()].filter((e) => e.live && e.key !== forKey);
    if (live.length + (this.pool?.count ?? 0) < this.o.maxLive) return;
    // A waiting conversation comes before a spare sandbox.
    if (await this.pool?.shrink()) return;
    const idle = live.filter((e) => e.busy === 0).sort((a, b) => a.lastUsed - b.lastUsed);
    const victim = idle[0];
    if (!victim) {
      throw new SandboxCapacityError(
        `all ${this.o.maxLive} sandboxes are busy right now; try again in a moment`,
      );
    }
    this.o.log.info(
      { conversation: victim.key, sandbox: victim.inner.id },
      'stopping idle sandbox to make room',
    );
    await this.stopEntry(victim);
  }

  private liveCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.live) n++;
    return n;
  }

  private async stopEntry(e: Entry): Promise<void> {
    e.live = false;
    await e.inner.stop().catch((err: unknown) => {
      if (err instanceof SandboxGoneError) this.entries.delete(e.key);
      else throw err;
    });
  }

  private ignoreGone(err: unknown): void {
    if (!(err instanceof SandboxGoneError)) this.o.log.warn({ err }, 'sandbox clean-up failed');
  }

  /** The leased view: counts calls in flight (never idle-stopped mid-run) and forgets a vanished sandbox. */
  private track(e: Entry): Sandbox {
    const run = async <T>(fn: () => Promise<T>): Promise<T> => {
      e.busy++;
      e.lastUsed = this.now();
      e.live = true;
      try {
        return await fn();
      } catch (err) {
        if (err instanceof SandboxGoneError && this.entries.get(e.key) === e) this.entries.delete(e.key);
        throw err;
      } finally {
        e.busy--;
        e.lastUsed = this.now();
      }
    };
    const s = e.inner;
    return {
      id: s.id,
      workdir: s.workdir,
      exec: (cmd, opts) => run(() => s.exec(cmd, opts)),
      runCode: (code, opts) => run(() => s.runCode(code, opts)),
      startProcess: (cmd, opts) => run(() => s.startProcess(cmd, opts)),
      writeFile: (path, data) => run(() => s.writeFile(path, data)),
      readFile: (path) => run(() => s.readFile(path)),
      listFiles: (path) => run(() => s.listFiles(path)),
      previewUrl: (port, opts) => run(() => s.previewUrl(port, opts)),
      stop: () => this.stopEntry(e),
      delete: async () => {
        this.entries.delete(e.key);
        await s.delete();
      },
    };
  }
}
