// Sandbox capacity: one count of running sandboxes (sandbox.maxLive) shared by every owner —
// conversation leases, the warm pool, a run's child sandboxes, the eval pool, MCP. When it is full,
// idle holders are asked for a slot back (spare pool members first, then the least recently used
// idle one); past that a request waits (FIFO, bounded, abortable) or is refused with
// SandboxCapacityError. A wait that could never end — every slot held by code that is itself
// waiting for a slot — is refused instead, so a run's children can never deadlock their parents.

import type { Logger } from 'pino';
import { SandboxCapacityError } from './errors.js';

/** Who holds a slot: the kinds of client the capacity serves. */
export type SlotOwner = 'conversation' | 'pool' | 'run' | 'eval' | 'mcp';

/** What a holder tells the capacity about its slot, so a full capacity can ask for it back. */
export interface SlotHolder {
  /** A warm-pool member nobody uses: given back before any idle sandbox is stopped. */
  readonly spare?: boolean;
  /** When the holder went idle (epoch ms), or undefined while it is busy: only idle holders are asked. */
  idleSince?(): number | undefined;
  /** Give the slot back (stop or delete the sandbox); must end with the slot released. */
  reclaim?(): Promise<void>;
}

export interface SlotRequest {
  owner: SlotOwner;
  /** Which one, within the owner (a conversation key, `run 12`, an MCP session): logs and listings. */
  label: string;
  holder?: SlotHolder;
  /**
   * The slot whose code is waiting on this request (the run's conversation sandbox, an RLM parent).
   * It is never reclaimed while this request waits or its slot is held, and the deadlock check
   * counts it as blocked while this request waits.
   */
  parent?: Slot;
  /** How long to wait when no slot can be freed; 0 or absent = refuse at once. */
  waitMs?: number;
  /** Ends a wait early; acquire() then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** One slot, as listed for `/api/sandboxes` and logs. */
export interface SlotInfo {
  owner: SlotOwner;
  label: string;
  sandboxId?: string;
  parentSandboxId?: string;
  heldSince: Date;
}

/** A held slot. Release it when its sandbox stops running or is deleted; release twice is harmless. */
export class Slot {
  private released = false;
  sandboxId?: string;
  /** Its holder was asked and did not give it back: not asked again until it changes hands. */
  reclaimFailed = false;
  readonly heldSince = Date.now();

  constructor(
    private readonly capacity: SandboxCapacity,
    public owner: SlotOwner,
    public label: string,
    public holder: SlotHolder,
    public parent: Slot | undefined,
  ) {}

  get held(): boolean {
    return !this.released;
  }

  /** Names the sandbox this slot runs (known only after create), so slotOf(id) finds it. */
  attach(sandboxId: string): this {
    this.sandboxId = sandboxId;
    return this;
  }

  /** Hands the slot to a new owner without giving it up (a pool member taken by a conversation). */
  reassign(to: { owner: SlotOwner; label: string; holder?: SlotHolder; parent?: Slot }): void {
    this.owner = to.owner;
    this.label = to.label;
    this.holder = to.holder ?? {};
    this.parent = to.parent;
    this.reclaimFailed = false;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.capacity.onRelease(this);
  }
}

interface Waiter {
  req: SlotRequest;
  resolve(slot: Slot): void;
  reject(err: unknown): void;
  cleanup(): void;
}

export class SandboxCapacity {
  private readonly slots = new Set<Slot>();
  private readonly waiters: Waiter[] = [];
  /** Slots being reclaimed right now: not asked twice. */
  private readonly reclaiming = new Set<Slot>();
  /** Slots freed by a reclaim and promised to the request that asked for it. */
  private reserved = 0;
  private pumping = false;

  constructor(private readonly o: { maxLive: number; log: Logger }) {}

  get max(): number {
    return this.o.maxLive;
  }

  /** Slots held now. */
  get used(): number {
    return this.slots.size;
  }

  /** Slots a background filler (the warm pool) may take now without keeping anyone waiting. */
  get free(): number {
    return Math.max(0, this.o.maxLive - this.slots.size - this.reserved - this.waiters.length);
  }

  /** A slot if one is free right now, else undefined: never reclaims, never waits. */
  tryAcquire(req: SlotRequest): Slot | undefined {
    return this.free > 0 ? this.grant(req) : undefined;
  }

  /**
   * A slot: free, or freed by reclaiming an idle holder, or (with waitMs) the next one released.
   * Errors: SandboxCapacityError when full and not waiting, when the wait times out, or when waiting
   * would deadlock; the signal's reason when it aborts; a holder's reclaim error.
   */
  async acquire(req: SlotRequest): Promise<Slot> {
    if (req.signal?.aborted) throw req.signal.reason;
    const tried = new Set<Slot>();
    let reserved = false;
    try {
      for (;;) {
        // A slot this request freed by reclaiming is its own, even if others started waiting meanwhile.
        const freedByUs = reserved;
        if (reserved) {
          this.reserved--;
          reserved = false;
        }
        const room = this.o.maxLive - this.slots.size - this.reserved;
        if (room > 0 && (freedByUs || this.waiters.length === 0)) return this.grant(req);
        const victim = this.waiters.length ? undefined : this.victim(tried);
        if (victim) {
          tried.add(victim);
          this.reserved++;
          reserved = true;
          await this.reclaim(victim);
          continue;
        }
        if (!req.waitMs || req.waitMs <= 0) throw this.fullError();
        return await this.wait(req);
      }
    } finally {
      if (reserved) this.reserved--;
    }
  }

  /** The slot running this sandbox, if any (gc leaves such sandboxes to their owner). */
  slotOf(sandboxId: string): Slot | undefined {
    for (const s of this.slots) if (s.sandboxId === sandboxId) return s;
    return undefined;
  }

  list(): SlotInfo[] {
    return [...this.slots].map((s) => ({
      owner: s.owner,
      label: s.label,
      ...(s.sandboxId ? { sandboxId: s.sandboxId } : {}),
      ...(s.parent?.sandboxId ? { parentSandboxId: s.parent.sandboxId } : {}),
      heldSince: new Date(s.heldSince),
    }));
  }

  /** A holder went idle: a waiting request may now reclaim its slot. */
  changed(): void {
    if (this.waiters.length) this.pump();
  }

  /** Called by Slot.release(). */
  onRelease(slot: Slot): void {
    this.slots.delete(slot);
    this.o.log.debug({ owner: slot.owner, label: slot.label, sandbox: slot.sandboxId }, 'slot released');
    this.pump();
  }

  private grant(req: SlotRequest): Slot {
    const slot = new Slot(this, req.owner, req.label, req.holder ?? {}, req.parent);
    this.slots.add(slot);
    return slot;
  }

  private fullError(): SandboxCapacityError {
    return new SandboxCapacityError(
      `all ${this.o.maxLive} sandboxes are busy right now; try again in a moment`,
    );
  }

  /** A slot to ask back: a spare one first, else the one idle longest. Never a parent of a holder or waiter. */
  private victim(skip: Set<Slot> = new Set()): Slot | undefined {
    const pinned = new Set<Slot>();
    for (const s of this.slots) if (s.parent) pinned.add(s.parent);
    for (const w of this.waiters) if (w.req.parent) pinned.add(w.req.parent);
    let best: Slot | undefined;
    let bestIdle = Number.POSITIVE_INFINITY;
    for (const s of this.slots) {
      if (!s.holder.reclaim || s.reclaimFailed || skip.has(s) || pinned.has(s) || this.reclaiming.has(s))
        continue;
      if (s.holder.spare) return s;
      const idle = s.holder.idleSince?.();
      if (idle !== undefined && idle < bestIdle) {
        best = s;
        bestIdle = idle;
      }
    }
    return best;
  }

  private async reclaim(slot: Slot): Promise<void> {
    this.reclaiming.add(slot);
    this.o.log.info(
      { owner: slot.owner, label: slot.label, sandbox: slot.sandboxId },
      'reclaiming a sandbox slot',
    );
    const holder = slot.holder;
    try {
      await holder.reclaim!();
    } finally {
      this.reclaiming.delete(slot);
      // Failed, or finished without releasing: do not ask this holder again (no reclaim loop).
      if (slot.held && slot.holder === holder) slot.reclaimFailed = true;
    }
  }

  private wait(req: SlotRequest): Promise<Slot> {
    return new Promise<Slot>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.dropWaiter(waiter);
        reject(
          new SandboxCapacityError(
            `no sandbox became free within ${Math.round((req.waitMs ?? 0) / 1000)}s (all ${this.o.maxLive} are busy)`,
          ),
        );
      }, req.waitMs);
      const onAbort = () => {
        this.dropWaiter(waiter);
        reject(req.signal?.reason);
      };
      const waiter: Waiter = {
        req,
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          req.signal?.removeEventListener('abort', onAbort);
        },
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.o.log.debug(
        { owner: req.owner, label: req.label, waiting: this.waiters.length },
        'waiting for a sandbox slot',
      );
      this.pump();
    });
  }

  private dropWaiter(w: Waiter): void {
    const at = this.waiters.indexOf(w);
    if (at >= 0) this.waiters.splice(at, 1);
    w.cleanup();
    this.pump();
  }

  /** Serves waiters in order: free slots first, then one reclaim at a time, then the deadlock check. */
  private pump(): void {
    while (this.waiters.length) {
      if (this.o.maxLive - this.slots.size - this.reserved > 0) {
        const head = this.waiters.shift()!;
        head.cleanup();
        head.resolve(this.grant(head.req));
        continue;
      }
      if (this.pumping) return;
      const victim = this.victim();
      if (victim) {
        this.pumping = true;
        this.reserved++;
        void this.reclaim(victim)
          .catch((err: unknown) =>
            this.o.log.warn({ err, sandbox: victim.sandboxId }, 'could not reclaim a sandbox slot'),
          )
          .finally(() => {
            this.reserved--;
            this.pumping = false;
            this.pump();
          });
        return;
      }
      const stuck = this.deadlockedWaiter();
      if (!stuck) return;
      this.waiters.splice(this.waiters.indexOf(stuck), 1);
      stuck.cleanup();
      this.o.log.warn(
        { owner: stuck.req.owner, label: stuck.req.label },
        'refusing a slot request that would deadlock',
      );
      stuck.reject(
        new SandboxCapacityError(
          `all ${this.o.maxLive} sandboxes are held by work that is itself waiting for one, so this one cannot start`,
        ),
      );
    }
  }

  /**
   * Every held slot belongs to code blocked on a waiting request, and none is being reclaimed: no
   * slot will ever be released. Refusing the newest such request lets its parent carry on.
   */
  private deadlockedWaiter(): Waiter | undefined {
    if (this.reclaiming.size || this.reserved) return undefined;
    const blocked = new Set<Slot>();
    for (const w of this.waiters) if (w.req.parent?.held) blocked.add(w.req.parent);
    for (const s of this.slots) if (!blocked.has(s)) return undefined;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.req.parent && blocked.has(w.req.parent)) return w;
    }
    return undefined;
  }
}
