// One batch of POST /api/eval: each item is checked (empty, banned) without a sandbox, then run on the
// pool in a FRESH interpreter (a fork of the sandbox's warm one, RunCodeOptions.fresh) that is killed
// outright at the item's timeout, and scored by the TRL guide's scheme. Items are independent: whatever
// one does, the others' results stand.

import type { Sandbox } from '../sandbox/provider.js';
import { cutText } from '../text/cut.js';
import { type EvalPool, SandboxBrokenError } from './eval-pool.js';
import {
  bannedPatternIn,
  buildTestHarness,
  type EvalResult,
  type EvalTask,
  failResult,
  sanitizeCompletion,
  scoreOutput,
} from './trl-reward.js';

export interface EvalRequest {
  tasks: Record<string, EvalTask>;
  items: { task: string; completion: string }[];
  /** Each item's limit, from its first line running to its last (the fork not counted). */
  timeout_ms: number;
}

export interface EvalResponse {
  results: EvalResult[];
  stats: { wall_ms: number; sandboxes: number };
}

/** Scores every item, in item order; `onResult` sees each as it is ready (CLI progress). */
export async function evaluateBatch(
  pool: EvalPool,
  req: EvalRequest,
  onResult?: (index: number, result: EvalResult) => void,
): Promise<EvalResponse> {
  const started = performance.now();
  const used = new Set<string>();
  const toRun = req.items.filter((item) => {
    const body = sanitizeCompletion(item.completion);
    return body.trim() && !bannedPatternIn(body, req.tasks[item.task]!);
  }).length;
  const results = await Promise.all(
    req.items.map(async (item, index) => {
      const task = req.tasks[item.task]!;
      const result = await evaluateItem(pool, task, item.completion, req.timeout_ms, toRun, used);
      onResult?.(index, result);
      return result;
    }),
  );
  return { results, stats: { wall_ms: Math.round(performance.now() - started), sandboxes: used.size } };
}

async function evaluateItem(
  pool: EvalPool,
  task: EvalTask,
  completion: string,
  timeoutMs: number,
  batchSize: number,
  used: Set<string>,
): Promise<EvalResult> {
  const body = sanitizeCompletion(completion);
  if (!body.trim()) return failResult(task, 'empty completion: no indented function body');
  const banned = bannedPatternIn(body, task);
  if (banned !== undefined) return failResult(task, `banned pattern: ${JSON.stringify(banned)}`);
  const code = buildTestHarness(task, body);
  try {
    return await pool.use(async (box) => {
      used.add(box.id);
      return await runInFreshContext(box, task, code, timeoutMs);
    }, batchSize);
  } catch (err) {
    return failResult(task, `not run: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function runInFreshContext(
  box: Sandbox,
  task: EvalTask,
  code: string,
  timeoutMs: number,
): Promise<EvalResult> {
  // The sandbox's default context stays a pristine interpreter: items only ever run in forks of it.
  const run = await box.runCode(code, { fresh: true, timeoutMs }).catch((err: unknown) => {
    // The sandbox could not run it at all: not this item's fault, so it runs on another.
    throw new SandboxBrokenError(err instanceof Error ? err.message : String(err));
  });
  if (run.timedOut) return failResult(task, `timed out after ${timeoutMs} ms`);
  if (run.error) return failResult(task, cutText(`${run.error.name}: ${run.error.value}`, 2000));
  return scoreOutput(task, run.stdout);
}
