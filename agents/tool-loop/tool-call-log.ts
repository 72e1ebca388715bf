// Where the tool loop reports each finished tool call (the dashboard's run page): the runner binds a
// recorder for the duration of a run with AsyncLocalStorage, so every agent's loop — sub-agents and
// team members included — is recorded without threading a callback through each agent.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { ToolCallDetail } from '../../src/store/repos/tool-calls-repo.js';

export type ToolCallRecorder = (call: ToolCallDetail, agent?: string) => void;

const current = new AsyncLocalStorage<ToolCallRecorder>();

/** Runs `fn` with `record` receiving every tool call made inside it (however deep in async code). */
export function withToolCallLog<T>(record: ToolCallRecorder, fn: () => T): T {
  return current.run(record, fn);
}

/** Reports one call to the run's recorder, if any; a failing recorder never fails the tool loop. */
export function logToolCall(call: ToolCallDetail, agent?: string): void {
  try {
    current.getStore()?.(call, agent);
  } catch {
    // Recording is for inspection only.
  }
}
