// A run's child sandboxes (RunContext.spawnSandbox): each holds a slot of the shared capacity from
// before its create until its delete, and close() — called when the run ends, however it ends —
// deletes every child still there, including ones whose create was in flight. A spawn after close,
// or one that waited past its run's cancel, is refused; nothing outlives the run.

import type { Logger } from 'pino';
import type { SandboxCapacity, Slot } from './capacity.js';
import { SandboxGoneError } from './errors.js';
import type { ChildSandboxSpec, Sandbox, SandboxProvider } from './provider.js';
import { sandboxView } from './sandbox-view.js';

/** The label on a run's child sandboxes; gc deletes any that no live run holds. */
export const RUN_LABEL = 'run';

export interface RunSandboxesOptions {
  provider: SandboxProvider;
  capacity: SandboxCapacity;
  log: Logger;
  runId: number;
  /** The run's signal: a cancel ends waits for a slot. */
  signal: AbortSignal;
  /** Labels every sandgate sandbox carries. */
  labels: Record<string, string>;
  env?: Record<string, string>;
  network?: 'off' | 'host';
  /** Default wait for a slot when the capacity is full (0 = refuse at once). */
  waitMs: number;
  /** The slot of the conversation's sandbox, the default parent of a child. */
  conversationSlot(): Slot | undefined;
  onClose?(): void;
}

interface Child {
  box: Sandbox;
  slot: Slot;
}

export class RunSandboxes {
  private readonly children = new Map<string, Child>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly ended = new AbortController();

  constructor(private readonly o: RunSandboxesOptions) {}

  /** Ids of the children alive now. */
  get ids(): string[] {
    return [...this.children.keys()];
  }

  /**
   * A new child sandbox for this run. Errors: SandboxCapacityError when no slot is free (after
   * waiting `waitMs`, or at once when waiting could deadlock), the run's abort reason on cancel,
   * an Error once the run has ended, and the provider's create errors.
   */
  spawn(spec: ChildSandboxSpec = {}): Promise<Sandbox> {
    if (this.ended.signal.aborted) return Promise.reject(new Error(`run ${this.o.runId} has ended`));
    const p = this.create(spec);
    this.inflight.add(p);
    void p.then(
      () => this.inflight.delete(p),
      () => this.inflight.delete(p),
    );
    return p;
  }

  /** The run ended: delete every child (errors are logged; the run's outcome stands). */
  async close(): Promise<void> {
    if (this.ended.signal.aborted) return;
    this.ended.abort(new Error(`run ${this.o.runId} has ended`));
    await Promise.allSettled([...this.inflight]);
    await Promise.all([...this.children.values()].map((c) => this.drop(c)));
    this.o.onClose?.();
  }

  private async create(spec: ChildSandboxSpec): Promise<Sandbox> {
    const signals = [this.o.signal, this.ended.signal, ...(spec.signal ? [spec.signal] : [])];
    const signal = AbortSignal.any(signals);
    const parent = spec.parent ? this.o.capacity.slotOf(spec.parent.id) : this.o.conversationSlot();
    const label = `run ${this.o.runId}${spec.purpose ? `: ${spec.purpose}` : ''}`;
    const slot = await this.o.capacity.acquire({
      owner: 'run',
      label,
      ...(parent ? { parent } : {}),
      waitMs: spec.waitMs ?? this.o.waitMs,
      signal,
    });
    let box: Sandbox;
    try {
      signal.throwIfAborted();
      box = await this.o.provider.create({
        labels: { ...spec.labels, ...this.o.labels, [RUN_LABEL]: String(this.o.runId) },
        env: { ...this.o.env, ...spec.env },
        ...((spec.network ?? this.o.network) ? { network: spec.network ?? this.o.network } : {}),
      });
    } catch (err) {
      slot.release();
      throw err;
    }
    const child: Child = { box, slot: slot.attach(box.id) };
    this.children.set(box.id, child);
    this.o.log.info({ sandbox: box.id, purpose: spec.purpose }, 'child sandbox created');
    if (signal.aborted) {
      await this.drop(child);
      throw signal.reason;
    }
    return this.view(child);
  }

  private async drop(child: Child): Promise<void> {
    if (!this.children.delete(child.box.id)) return;
    try {
      await child.box.delete();
      this.o.log.info({ sandbox: child.box.id }, 'child sandbox deleted');
    } catch (err) {
      if (!(err instanceof SandboxGoneError))
        this.o.log.warn({ err, sandbox: child.box.id }, 'could not delete a child sandbox');
    } finally {
      child.slot.release();
    }
  }

  /** The child as the agent sees it: delete() also gives the slot back. */
  private view(child: Child): Sandbox {
    return sandboxView(child.box, {
      // Stopped, it still counts against the cap until deleted (it restarts on its next use).
      stop: () => child.box.stop(),
      delete: () => this.drop(child),
    });
  }
}
