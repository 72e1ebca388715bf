// The budgets of one run's whole tree (DESIGN §9.3, config rlm.*): counters shared by every agent of
// the run. Going past one never throws into the sandbox: the caller gets an `Error: …` string that
// names the budget, and the item is not run (and makes no tree node).

import type { Config } from '../../src/config/schema.js';

export type RlmConfig = Config['rlm'];

export class RunBudget {
  private sandboxes = 0;
  private llmCalls = 0;
  /** Aborts when rlm.timeoutSec has passed since the run started. */
  readonly deadline: AbortSignal;
  private readonly timer: NodeJS.Timeout;

  constructor(readonly config: RlmConfig) {
    const deadline = new AbortController();
    this.deadline = deadline.signal;
    this.timer = setTimeout(() => deadline.abort(new Error(this.timeoutError())), config.timeoutSec * 1000);
    this.timer.unref();
  }

  get sandboxesUsed(): number {
    return this.sandboxes;
  }

  get llmCallsUsed(): number {
    return this.llmCalls;
  }

  timeoutError(): string {
    return `Error: rlm.timeoutSec (${this.config.timeoutSec} s for the whole tree) reached; nothing more runs`;
  }

  /** A sub-agent at `depth`: undefined when allowed (its sandbox is counted), else the Error string. */
  takeSubAgent(depth: number): string | undefined {
    if (this.deadline.aborted) return this.timeoutError();
    if (depth > this.config.maxDepth)
      return `Error: rlm.maxDepth (${this.config.maxDepth}) reached: an agent at depth ${depth - 1} cannot start sub-agents; do this part yourself`;
    if (this.sandboxes >= this.config.maxSandboxes)
      return `Error: rlm.maxSandboxes (${this.config.maxSandboxes} child sandboxes per run) used up; do this part yourself`;
    this.sandboxes++;
    return undefined;
  }

  /** One sub-LLM prompt: undefined when allowed (it is counted), else the Error string. */
  takeLlmCall(): string | undefined {
    if (this.deadline.aborted) return this.timeoutError();
    if (this.llmCalls >= this.config.maxLlmCalls)
      return `Error: rlm.maxLlmCalls (${this.config.maxLlmCalls} sub-LLM prompts per run) used up`;
    this.llmCalls++;
    return undefined;
  }

  close(): void {
    clearTimeout(this.timer);
  }
}

/** Maps `items` through `fn` with at most `limit` running at once; results in input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
