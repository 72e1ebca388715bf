// One batch of POST /api/eval: each item is checked (empty, banned) without a sandbox, then run on the
// pool in a FRESH interpreter context that is killed outright at the item's timeout, and scored by the
// TRL guide's scheme. Items are independent: whatever one does, the others' results stand — its
// processes die with its context, and the files it left are removed before the next item starts.

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
  /** Each item's limit, from its first line running to its last (interpreter start-up not counted). */
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

/**
 * Removes what earlier items left in the pool sandbox's writable places before the next interpreter
 * starts: a planted `random.py` or user-site `usercustomize.py` would otherwise run inside later items
 * and could rig their rewards, and files could carry one item's code to another. The workspace always
 * (`.sandgate` stays: on Daytona the interpreter's runtime is uploaded there, and so do `.daytona*`,
 * which a Daytona image may keep in its home); /tmp and /dev/shm only
 * where they are the sandbox's own (Sandbox.privateTmp), never a host's. A shell does it, which no
 * planted Python file can hook; earlier items' processes are gone by then (each died with its context).
 */
async function scrub(box: Sandbox): Promise<void> {
  const dirs = box.privateTmp ? '. /tmp /dev/shm' : '.';
  const r = await box.exec(
    `find ${dirs} -mindepth 1 -maxdepth 1 ! -name .sandgate ! -name '.daytona*' -exec rm -rf -- {} + 2>/dev/null; true`,
    {
      timeoutMs: 30_000,
    },
  );
  if (r.exitCode !== 0 || r.timedOut)
    throw new Error(`could not clear the sandbox: ${r.stderr || r.exitCode}`);
}

async function runInFreshContext(
  box: Sandbox,
  task: EvalTask,
  code: string,
  timeoutMs: number,
): Promise<EvalResult> {
  if (!box.createContext || !box.deleteContext)
    throw new Error('this sandbox provider has no interpreter contexts');
  let context: string;
  try {
    await scrub(box);
    context = await box.createContext();
  } catch (err) {
    // The sandbox could not start an interpreter: not this item's fault, so it runs on another.
    throw new SandboxBrokenError(err instanceof Error ? err.message : String(err));
  }
  let timedOut = false;
  // Killed outright, not interrupted: code that swallows KeyboardInterrupt must not outlive its limit.
  const timer = setTimeout(() => {
    timedOut = true;
    void box.deleteContext!(context).catch(() => undefined);
  }, timeoutMs);
  try {
    // The context's own limit is only a backstop behind the kill above.
    const run = await box.runCode(code, { context, timeoutMs: timeoutMs + 30_000 }).catch((err: unknown) => {
      // Killed at the limit before the run reached the interpreter (a loaded machine): a timeout.
      if (timedOut) return undefined;
      throw new SandboxBrokenError(err instanceof Error ? err.message : String(err));
    });
    if (timedOut || !run) return failResult(task, `timed out after ${timeoutMs} ms`);
    if (run.error) return failResult(task, cutText(`${run.error.name}: ${run.error.value}`, 2000));
    return scoreOutput(task, run.stdout);
  } finally {
    clearTimeout(timer);
    await box.deleteContext(context).catch(() => undefined);
  }
}
