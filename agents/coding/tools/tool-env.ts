// What the coding tools share: the conversation's sandbox, the run's record of changes, and the
// servers this gateway started (so StartServer on a busy port restarts instead of piling up).

import type { Logger } from 'pino';
import type { ProcessHandle, Sandbox } from '../../../src/sandbox/provider.js';
import { shorten } from '../../../src/text/cut.js';
import type { RunState } from '../run-state.js';

export interface CodingToolEnv {
  sandbox: Sandbox;
  state: RunState;
  /** Keyed by `${sandbox.id}:${port}`; lives as long as the agent. */
  servers: Map<string, ProcessHandle>;
  bashTimeoutSec: number;
  log: Logger;
}

/** Short one-line form of a shell command for progress lines. */
export function shortCommand(cmd: string, max = 60): string {
  const one = cmd.replace(/\s+/g, ' ').trim();
  return shorten(one, max);
}
