// What an agent tells the person when its tool loop ended early: the iteration cap (and how to go
// on), an output cut off at max tokens, a cancel, or a model failure in plain words.

import { modelErrorReply } from '../../src/model/errors.js';
import type { ToolLoopResult } from './run-tool-loop.js';

export interface IterationLimit {
  /** How many steps the run was allowed. */
  steps: number;
  /** The setting that controls it, e.g. `agents.maxIterations`. */
  setting: string;
  /** Appended to the "say continue" hint, e.g. that loaded data stays in memory. */
  resumeHint?: string;
}

export function stopNote(
  loop: Pick<ToolLoopResult, 'stop' | 'error'>,
  limit: IterationLimit,
): string | undefined {
  switch (loop.stop) {
    case 'max_iterations':
      return `I stopped after ${limit.steps} steps (the ${limit.setting} limit) before finishing. Say "continue" and I will pick up from here${limit.resumeHint ? `; ${limit.resumeHint}` : ''}.`;
    case 'max_tokens':
      return '(My answer hit the output limit and was cut off.)';
    case 'aborted':
      return 'Cancelled.';
    case 'model_error':
      return modelErrorReply(loop.error) ?? 'The model call failed.';
    default:
      return undefined;
  }
}
