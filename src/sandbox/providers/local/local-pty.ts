// A PTY session in a local sandbox (Sandbox.createPty): the supervisor runs a shell on a fresh
// pseudo-terminal as the sandbox user; keystrokes go in over its channel, terminal output comes back.
// The session is a kept job: what its command started (a server) outlives it until kill() or stop.

import { constants } from 'node:os';
import type { PtyCreateOptions, PtyHandle, PtyResult } from '../../provider.js';
import type { ProcessLimits, SupervisorClient } from './supervisor-client.js';

/** Daytona's defaults for a PTY without a size. */
const DEFAULT_COLS = 80;
const DEFAULT_ROWS = 24;

export interface LocalPtyDeps {
  supervisor: SupervisorClient;
  /** The sandbox's environment with the caller's envs over it (already checked). */
  env: Record<string, string>;
  limits: ProcessLimits;
}

/** Starts `/bin/sh -i` on a new terminal; resolves once it runs (Daytona's createPty + waitForConnection). */
export async function openLocalPty(d: LocalPtyDeps, o: PtyCreateOptions): Promise<PtyHandle> {
  const sup = d.supervisor;
  let result: PtyResult | undefined;
  let connected = true;
  const waiters: ((r: PtyResult) => void)[] = [];
  const { id } = await sup.spawn(
    {
      argv: ['/bin/sh', '-i'],
      ...(o.cwd ? { cwd: o.cwd } : {}),
      env: d.env,
      limits: d.limits,
      keep: true,
      pty: { cols: o.cols ?? DEFAULT_COLS, rows: o.rows ?? DEFAULT_ROWS },
    },
    {
      onOutput: (_fd, data) => {
        if (connected) o.onData(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      },
      onExit: (code, signal) => {
        result =
          signal === 'SANDBOX_STOPPED'
            ? { error: 'the sandbox stopped' }
            : code !== null
              ? { exitCode: code }
              : { exitCode: 128 + signalNumber(signal), error: `killed by ${signal}` };
        for (const w of waiters.splice(0)) w(result);
      },
    },
  );
  return {
    sessionId: o.id,
    sendInput: async (data) => {
      if (result) throw new Error(`PTY session ${o.id} has ended`);
      sup.stdin(id, typeof data === 'string' ? data : Buffer.from(data));
    },
    resize: async (cols, rows) => sup.ptyResize(id, cols, rows),
    wait: () => (result ? Promise.resolve(result) : new Promise((resolve) => waiters.push(resolve))),
    // The whole job, kept children included; an ended session may still have left servers running.
    kill: async () => sup.signal(id, 'KILL'),
    disconnect: async () => {
      connected = false;
    },
  };
}

function signalNumber(signal: string | null): number {
  return (
    (signal ? (constants.signals as Record<string, number | undefined>)[`SIG${signal}`] : undefined) ?? 9
  );
}
