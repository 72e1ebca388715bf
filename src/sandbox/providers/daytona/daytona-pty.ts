// Sandbox.createPty for Daytona: the SDK's `process.createPty` (a shell on a pseudo-terminal, over
// the toolbox's WebSocket), narrowed to our PtyHandle. A session that fails without an exit code
// resolves wait() with the error instead of rejecting, so callers have one way to learn the end.

import type { PtyHandle as SdkPtyHandle, Sandbox as SdkSandbox } from '@daytonaio/sdk';
import type { PtyCreateOptions, PtyHandle, PtyResult } from '../../provider.js';

export async function openDaytonaPty(
  process: SdkSandbox['process'],
  o: PtyCreateOptions & { cwd: string; envs: Record<string, string> },
  /** Wraps the wait, e.g. to keep refreshing Daytona's idle timer while the session runs. */
  during: (wait: () => Promise<PtyResult>) => Promise<PtyResult> = (wait) => wait(),
): Promise<PtyHandle> {
  const handle: SdkPtyHandle = await process.createPty({
    id: o.id,
    cwd: o.cwd,
    envs: o.envs,
    ...(o.cols ? { cols: o.cols } : {}),
    ...(o.rows ? { rows: o.rows } : {}),
    onData: o.onData,
  });
  let ended: Promise<PtyResult> | undefined;
  const wait = () =>
    handle.wait().then(
      (r) => ({
        ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
        ...(r.error ? { error: r.error } : {}),
      }),
      (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
    );
  return {
    sessionId: handle.sessionId,
    sendInput: (data) => handle.sendInput(data),
    resize: async (cols, rows) => {
      await handle.resize(cols, rows);
    },
    wait: () => {
      ended ??= during(wait);
      return ended;
    },
    kill: () => handle.kill(),
    disconnect: () => handle.disconnect(),
  };
}
