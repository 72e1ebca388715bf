// The sandboxes MCP clients create: labelled `mcp=1`, each holding a slot of sandbox.maxLive (owner
// `mcp`) from create to delete, reachable by MCP only by the ids it created (never a conversation's),
// and deleted once idle past mcp.idleDeleteSec. A sandbox removed from outside is simply gone.

import type { Logger } from 'pino';
import type { SandboxCapacity, Slot } from '../sandbox/capacity.js';
import { SandboxGoneError } from '../sandbox/errors.js';
import type { Sandbox, SandboxProvider } from '../sandbox/provider.js';
import { checkEnv } from '../sandbox/sandbox-env.js';

/** The label on MCP-owned sandboxes. */
export const MCP_LABEL = 'mcp';

export interface McpSandboxesOptions {
  provider: SandboxProvider;
  capacity: SandboxCapacity;
  log: Logger;
  /** Labels every sandgate sandbox carries (`sandgate=1`); they win over a client's. */
  labels: Record<string, string>;
  network?: 'off' | 'host';
  /** Delete a sandbox no MCP call used for this long (ms); 0 = never. */
  idleDeleteMs: number;
  /** How long a create waits for a free slot when sandbox.maxLive is reached (ms). */
  slotWaitMs: number;
  now?: () => number;
}

export interface McpCreateSpec {
  name?: string;
  language?: string;
  labels?: Record<string, string>;
  envVars?: Record<string, string>;
}

interface Entry {
  box: Sandbox;
  slot: Slot;
  lastUsed: number;
  busy: number;
}

export class McpSandboxes {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper?: NodeJS.Timeout;

  constructor(private readonly o: McpSandboxesOptions) {
    if (o.idleDeleteMs > 0) {
      this.sweeper = setInterval(() => void this.reapIdle(), Math.min(60_000, o.idleDeleteMs));
      this.sweeper.unref();
    }
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /**
   * A new sandbox. Errors: SandboxCapacityError when no slot frees up within slotWaitMs, an Error
   * for env that is not allowed (secrets, the sandbox's own variables), and the provider's errors.
   */
  async create(spec: McpCreateSpec): Promise<Sandbox> {
    const env = checkEnv(spec.envVars);
    const label = `mcp${spec.name ? `: ${spec.name}` : ''}`;
    const slot = await this.o.capacity.acquire({ owner: 'mcp', label, waitMs: this.o.slotWaitMs });
    let box: Sandbox;
    try {
      box = await this.o.provider.create({
        labels: {
          ...spec.labels,
          ...(spec.name ? { name: spec.name } : {}),
          ...(spec.language ? { language: spec.language } : {}),
          ...this.o.labels,
          [MCP_LABEL]: '1',
        },
        env,
        ...(this.o.network ? { network: this.o.network } : {}),
      });
    } catch (err) {
      slot.release();
      throw err;
    }
    this.entries.set(box.id, { box, slot: slot.attach(box.id), lastUsed: this.now(), busy: 0 });
    this.o.log.info({ sandbox: box.id, name: spec.name }, 'MCP sandbox created');
    return box;
  }

  /** Runs `fn` on one of MCP's own sandboxes. Errors: SandboxGoneError for any other id. */
  async use<T>(id: string, fn: (box: Sandbox) => Promise<T>): Promise<T> {
    const entry = this.entries.get(id);
    if (!entry?.slot.held) {
      this.entries.delete(id);
      throw new SandboxGoneError(id, 'no sandbox with this id was created over MCP (or it was deleted)');
    }
    entry.busy++;
    entry.lastUsed = this.now();
    try {
      return await fn(entry.box);
    } finally {
      entry.busy--;
      entry.lastUsed = this.now();
    }
  }

  /** Deletes one of MCP's sandboxes; false when there is no such (MCP) sandbox. */
  async delete(id: string): Promise<boolean> {
    const entry = this.entries.get(id);
    if (!entry) return false;
    await this.drop(entry);
    return true;
  }

  /** Ids of the sandboxes alive now. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Deletes sandboxes idle past idleDeleteMs; returns their ids. */
  async reapIdle(): Promise<string[]> {
    const now = this.now();
    const idle = [...this.entries.values()].filter(
      (e) => e.busy === 0 && this.o.idleDeleteMs > 0 && now - e.lastUsed >= this.o.idleDeleteMs,
    );
    await Promise.all(idle.map((e) => this.drop(e)));
    if (idle.length) this.o.log.info({ sandboxes: idle.map((e) => e.box.id) }, 'idle MCP sandboxes deleted');
    return idle.map((e) => e.box.id);
  }

  /** Gateway shutdown: every MCP sandbox is deleted (a client cannot reach them without the gateway). */
  async shutdown(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.entries.values()].map((e) => this.drop(e)));
  }

  private async drop(entry: Entry): Promise<void> {
    if (this.entries.get(entry.box.id) !== entry) return;
    this.entries.delete(entry.box.id);
    try {
      await entry.box.delete();
    } catch (err) {
      if (!(err instanceof SandboxGoneError))
        this.o.log.warn({ err, sandbox: entry.box.id }, 'could not delete an MCP sandbox');
    } finally {
      entry.slot.release();
    }
  }
}
