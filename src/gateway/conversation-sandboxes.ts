// The narrow view of sandbox leasing the gateway needs (src/sandbox implements it): the
// conversation's sandbox on demand, throwing it away on /new, and a run's child sandboxes.

import type { Logger } from 'pino';
import type { ChildSandboxSpec, Sandbox } from '../sandbox/provider.js';

/** One run's child sandboxes; close() (when the run ends, however) deletes every one left. */
export interface RunSandboxScope {
  spawn(spec?: ChildSandboxSpec): Promise<Sandbox>;
  close(): Promise<void>;
}

export interface SandboxLeases {
  acquire(conversationKey: string): Promise<Sandbox>;
  discard(conversationKey: string): Promise<void>;
  /**
   * A run starts: its conversation's sandbox stays put until close(), and it may spawn children.
   * Optional for leases that have no child sandboxes to give (spawnSandbox then rejects).
   */
  forRun?(run: { runId: number; conversationKey: string; signal: AbortSignal; log: Logger }): RunSandboxScope;
}
