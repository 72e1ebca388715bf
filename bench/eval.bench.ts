// `npm run bench`: batch evaluation on local (bubblewrap) sandboxes — 500 completions of the TRL
// guide's sorting task over eval pools of 50 and 200, each item in a fresh interpreter context, the
// sandbox's files cleared before it — against the same 500 harnesses run one by one as bare `python3` processes in
// this run (no sandbox). Each pool is timed cold and then reused. As in the gateway, at most one item
// per CPU runs at once (runWidth); BENCH_EVAL_WIDTH overrides that to measure the choice.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { configSchema } from '../src/config/schema.js';
import { EvalPool, runWidth } from '../src/eval/eval-pool.js';
import { type EvalRequest, evaluateBatch } from '../src/eval/evaluate.js';
import { buildTestHarness, sanitizeCompletion } from '../src/eval/trl-reward.js';
import { SandboxCapacity } from '../src/sandbox/capacity.js';
import { createSandboxProvider } from '../src/sandbox/factory.js';
import { treeRssKb } from './lib/process-tree.js';

const ITEMS = Number(process.env.BENCH_EVAL_ITEMS ?? 500);
const POOLS = (process.env.BENCH_EVAL_POOLS ?? '50,200').split(',').map(Number);
const TARGET_S = 10;

const TASK = {
  prompt: 'def sort_numbers(xs: list[int]) -> list[int]:\n    """Sort a list of integers."""\n',
  func_name: 'sort_numbers',
  banned_patterns: ['sorted(', '.sort(', 'heapq', 'import ', '__import__'],
  tests: ['[]', '[1, 3, 2]', '[random.randint(-1000, 1000) for _ in range(200)]'],
  reference: 'sorted',
};
const COMPLETIONS = [
  '    out = []\n    for x in xs:\n        i = 0\n        while i < len(out) and out[i] < x:\n            i += 1\n        out.insert(i, x)\n    return out\n',
  '    return xs\n',
  "    raise ValueError('no')\n",
  '    return sorted(xs)\n',
  '    return [x for x in xs\n',
];

/** Peak of treeRssKb while `fn` runs, sampled every 100 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, treeRssKb(process.pid))), 100);
  try {
    const value = await fn();
    return { value, peakMb: Math.round(peak / 1024) };
  } finally {
    clearInterval(timer);
  }
}

const SYSTEM_PYTHON = '/usr/bin/python3';

function runPython(code: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // The interpreter the sandboxes run, not a shim on PATH (pyenv's costs ~100 ms a start).
    const child = spawn(existsSync(SYSTEM_PYTHON) ? SYSTEM_PYTHON : 'python3', ['-c', code], {
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'sandgate-eval-bench-'));
  process.env.SANDGATE_HOME = home;
  const log = pino({ level: 'silent' });
  const maxPool = Math.max(...POOLS);
  const config = configSchema.parse({ sandbox: { maxLive: maxPool } });
  const provider = createSandboxProvider(config, {
    home,
    publicUrl: 'http://127.0.0.1:1',
    previewSecret: 'bench'.repeat(8),
    log,
  });
  if (provider.name !== 'local') throw new Error('this benchmark measures the local provider');
  await provider.init?.();
  const req: EvalRequest = {
    tasks: { sorting: TASK },
    items: Array.from({ length: ITEMS }, (_, i) => ({
      task: 'sorting',
      completion: COMPLETIONS[i % COMPLETIONS.length]!,
    })),
    timeout_ms: 1000,
  };
  const rows: string[][] = [];
  try {
    // The baseline: each harness as its own bare python3 process, one after another.
    const harnesses = req.items.map((it) => buildTestHarness(TASK, sanitizeCompletion(it.completion)));
    const base = await withPeakRss(async () => {
      const t0 = performance.now();
      for (const code of harnesses) await runPython(code);
      return performance.now() - t0;
    });
    rows.push([
      'bare python3, sequential',
      (base.value / 1000).toFixed(2),
      (ITEMS / (base.value / 1000)).toFixed(0),
      String(base.peakMb),
      '1.00×',
      '',
    ]);

    for (const size of POOLS) {
      const capacity = new SandboxCapacity({ maxLive: maxPool, log });
      const pool = new EvalPool({
        provider,
        capacity,
        log,
        size,
        labels: { sandgate: '1' },
        createBatch: 25,
        maxRunning: Number(process.env.BENCH_EVAL_WIDTH ?? runWidth(provider)),
      });
      try {
        for (const phase of ['created cold', 'reused, as by the next training step'] as const) {
          const run = await withPeakRss(async () => {
            const t0 = performance.now();
            const out = await evaluateBatch(pool, req);
            return { ms: performance.now() - t0, out };
          });
          const secs = run.value.ms / 1000;
          const rewards = run.value.out.results.map((r) => r.reward);
          const expected = req.items.map((_, i) => [1, 1 / 3, 0, -1, -1][i % 5]);
          // A heavily loaded machine can push a correct item past its 1 s limit: counted, not hidden.
          const off = rewards.filter((r, i) => r !== expected[i]).length;
          if (off) {
            const errors = run.value.out.results
              .filter((r, i) => r.reward !== expected[i])
              .map((r) => r.error);
            console.error(
              `pool ${size}: ${off} items scored otherwise than expected, e.g. ${errors.slice(0, 3).join(' | ')}`,
            );
          }
          const ratio = base.value / run.value.ms;
          const verdict =
            size === 50 ? (secs <= TARGET_S ? `met (≤ ${TARGET_S} s)` : `MISSED (> ${TARGET_S} s)`) : '';
          rows.push([
            `eval pool of ${size} (${run.value.out.stats.sandboxes} used, ${phase})`,
            secs.toFixed(2),
            (ITEMS / secs).toFixed(0),
            String(run.peakMb),
            `${ratio.toFixed(2)}×`,
            `${verdict}${off ? ` (${off} off)` : ''}`,
          ]);
        }
      } finally {
        await pool.shutdown();
      }
    }
  } finally {
    await provider.shutdown?.();
    rmSync(home, { recursive: true, force: true });
  }
  const header = ['', 'wall s', 'items/s', 'peak RSS MB', 'speed vs bare', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(`\nbatch evaluation: ${ITEMS} completions (TRL sorting task, 1 s timeout)`);
  console.log(fmt(header));
  for (const r of rows) console.log(fmt(r));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
