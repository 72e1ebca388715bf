// One conversation's sandbox as the gateway leases it: counts calls in flight (never reclaimed
// mid-call), holds a capacity slot while the sandbox runs and gives it back when it is stopped,
// deleted or found gone. A stopped lease that is used again gets a slot from its table first.

import type { Logger } from 'pino';
import type { SandboxCapacity, Slot, SlotRequest } from './capacity.js';
import { SandboxGoneError } from './errors.js';
import type { Sandbox } from './provider.js';
import { sandboxView } from './sandbox-view.js';

/** What a lease needs from the table that holds it (conversation-sandboxes.ts). */
export interface LeaseTable {
  readonly capacity: SandboxCapacity;
  readonly log: Logger;
  now(): number;
  /** Still the conversation's lease (not discarded or replaced)? */
  isCurrent(lease: ConversationLease): boolean;
  /** Take it out of the table (its sandbox is going or gone). */
  drop(lease: ConversationLease): void;
  /** A run of this conversation is on: its sandbox is busy between calls too. */
  runOn(conversationKey: string): boolean;
  /** Get the lease a slot again (one at a time per conversation). */
  revive(lease: ConversationLease): Promise<unknown>;
}

export class ConversationLease {
  /** Held while the sandbox counts as running; undefined once stopped. */
  slot?: Slot;
  busy = 0;
  lastUsed: number;
  /** The sandbox as runs see it. */
  readonly view: Sandbox;

  constructor(
    readonly key: string,
    readonly inner: Sandbox,
    private readonly t: LeaseTable,
  ) {
    this.lastUsed = t.now();
    this.view = sandboxView(inner, {
      around: (call) => this.use(call),
      stop: () => this.stop(),
      delete: async () => {
        this.forget();
        await inner.delete();
      },
    });
  }

  /**
   * The slot request of a conversation's sandbox: idle (so reclaimable, by stopping it) when no
   * call is in flight and no run of the conversation is on. `lease()` is undefined while opening.
   */
  static slotRequest(key: string, t: LeaseTable, lease: () => ConversationLease | undefined): SlotRequest {
    return {
      owner: 'conversation',
      label: key,
      holder: {
        idleSince: () => {
          const l = lease();
          return l && l.busy === 0 && !t.runOn(key) ? l.lastUsed : undefined;
        },
        reclaim: async () => {
          const l = lease();
          if (!l || !t.isCurrent(l)) return;
          t.log.info({ conversation: key, sandbox: l.inner.id }, 'stopping idle sandbox to make room');
          await l.stop();
        },
      },
    };
  }

  /** Stop the sandbox and give its slot back; a sandbox that vanished leaves the table. */
  async stop(): Promise<void> {
    this.slot?.release();
    this.slot = undefined;
    await this.inner.stop().catch((err: unknown) => {
      if (err instanceof SandboxGoneError) this.forget();
      else throw err;
    });
  }

  /** The sandbox is going or gone: out of the table, slot released. */
  forget(): void {
    if (this.t.isCurrent(this)) this.t.drop(this);
    this.slot?.release();
    this.slot = undefined;
  }

  private async use<T>(call: () => Promise<T>): Promise<T> {
    this.busy++;
    this.lastUsed = this.t.now();
    try {
      // Used after a stop (a lease kept across one): it needs its slot back before it restarts.
      if (!this.slot && this.t.isCurrent(this)) await this.t.revive(this);
      return await call();
    } catch (err) {
      if (err instanceof SandboxGoneError) this.forget();
      throw err;
    } finally {
      this.busy--;
      this.lastUsed = this.t.now();
      if (this.busy === 0) this.t.capacity.changed();
    }
  }
}
