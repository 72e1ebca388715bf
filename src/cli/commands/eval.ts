// `sandgate eval FILE.jsonl [--tasks tasks.json] [--json]`: scores completions like POST /api/eval —
// through the running gateway (its pool and sandbox cap), or with a pool of its own when none runs —
// with a progress bar on stderr and a per-task summary table (or the API's JSON with --json).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SingleBar } from 'cli-progress';
import pino from 'pino';
import { safeText } from '../../../pairing/display.js';
import { table } from '../../../pairing/table.js';
import { EvalPool, runWidth } from '../../eval/eval-pool.js';
import { describeIssue, evalRequestSchema } from '../../eval/eval-request.js';
import { type EvalRequest, type EvalResponse, evaluateBatch } from '../../eval/evaluate.js';
import type { EvalResult } from '../../eval/trl-reward.js';
import { ensureToken } from '../../http/gateway-token.js';
import { SandboxCapacity } from '../../sandbox/capacity.js';
import { createSandboxProvider } from '../../sandbox/factory.js';
import type { SandboxProvider } from '../../sandbox/provider.js';
import { previewSecretFrom } from '../assemble-sandbox.js';
import { type CliEnv, CliError, type RegisterCommands } from '../cli-env.js';
import { gatewayClient, localBaseUrl } from '../gateway-client.js';

/** Items per request to the gateway: small enough for a steady bar, large enough to fill its pool. */
const CHUNK = 64;

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read ${what} ${path}: ${err instanceof Error ? err.message : String(err)}`, 2);
  }
}

/** The request the files describe; a bad line or field is a usage error naming it. */
export function loadEvalFiles(file: string, tasksFile: string | undefined, timeoutMs: number): EvalRequest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, 2);
  }
  const items: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      items.push(JSON.parse(line));
    } catch {
      throw new CliError(`${file} line ${i + 1}: not JSON`, 2);
    }
  });
  const tasksPath = tasksFile ?? join(dirname(file), 'tasks.json');
  const tasks = readJson(tasksPath, tasksFile ? 'the tasks file' : 'the tasks file (give one with --tasks)');
  const parsed = evalRequestSchema.safeParse({ tasks, items, timeout_ms: timeoutMs });
  if (!parsed.success) {
    const where = describeIssue(parsed.error);
    const line = /^items\[(\d+)\]/.exec(where);
    throw new CliError(line ? `${file} item ${Number(line[1]) + 1}: ${where}` : `${tasksPath}: ${where}`, 2);
  }
  return parsed.data;
}

type Scorer = (req: EvalRequest, onDone: (n: number) => void) => Promise<EvalResponse>;

/** Through the gateway, a few chunks in flight so its pool stays busy between them. */
function viaGateway(api: (path: string, init?: RequestInit) => Promise<Response>): Scorer {
  return async (req, onDone) => {
    const results: EvalResult[] = new Array(req.items.length);
    let sandboxes = 0;
    const started = performance.now();
    const starts = Array.from({ length: Math.ceil(req.items.length / CHUNK) }, (_, i) => i * CHUNK);
    const worker = async () => {
      for (let at = starts.shift(); at !== undefined; at = starts.shift()) {
        const items = req.items.slice(at, at + CHUNK);
        const res = await api('/eval', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...req, items }),
        });
        const body = (await res.json()) as EvalResponse & { error?: string };
        if (!res.ok) throw new CliError(`the gateway refused the batch: ${body.error ?? res.status}`);
        results.splice(at, body.results.length, ...body.results);
        sandboxes = Math.max(sandboxes, body.stats.sandboxes);
        onDone(items.length);
      }
    };
    await Promise.all([worker(), worker()]);
    return { results, stats: { wall_ms: Math.round(performance.now() - started), sandboxes } };
  };
}

/**
 * No gateway: a pool of this process's own, deleted when the batch is done — also on Ctrl-C, which
 * ends the batch, deletes the pool and exits 130 without results (a second Ctrl-C exits at once).
 * What a kill -9 leaves is removed by the next gateway start or `sandgate sandboxes gc` (orphan-gc.ts).
 */
function offline(env: CliEnv): Scorer {
  return async (req, onDone) => {
    const config = env.config();
    const log = pino({ level: 'silent' });
    const token = ensureToken(env.paths.tokenFile, config.gatewayToken).token;
    const provider: SandboxProvider = createSandboxProvider(config, {
      home: env.home,
      publicUrl: localBaseUrl(config),
      previewSecret: previewSecretFrom(token),
      log,
    });
    await provider.init?.();
    const pool = new EvalPool({
      provider,
      capacity: new SandboxCapacity({ maxLive: config.sandbox.maxLive, log }),
      log,
      size: Math.min(config.eval.poolSize, config.sandbox.maxLive),
      maxRunning: runWidth(provider),
      labels: { sandgate: '1' },
      network: config.sandbox.network,
    });
    let interrupted = false;
    const onInterrupt = () => {
      interrupted = true;
      process.stderr.write('\ninterrupted: deleting the eval sandboxes…\n');
      // Ends the batch: queued items are refused, running ones lose their sandbox.
      void pool.shutdown();
    };
    process.once('SIGINT', onInterrupt);
    try {
      const response = await evaluateBatch(pool, req, () => onDone(1));
      if (interrupted) throw new CliError('interrupted; no results', 130);
      return response;
    } finally {
      process.off('SIGINT', onInterrupt);
      await pool.shutdown();
      await provider.shutdown?.();
    }
  };
}

/** Per task: items, mean reward, all tests passed, scored -1. */
export function summaryRows(req: EvalRequest, results: EvalResult[]): string[][] {
  const by = new Map<string, EvalResult[]>();
  for (const [i, item] of req.items.entries()) {
    const list = by.get(item.task) ?? [];
    list.push(results[i]!);
    by.set(item.task, list);
  }
  const row = (name: string, rs: EvalResult[]) => [
    safeText(name, 40),
    String(rs.length),
    (rs.reduce((s, r) => s + r.reward, 0) / Math.max(1, rs.length)).toFixed(3),
    String(rs.filter((r) => r.reward === 1).length),
    String(rs.filter((r) => r.reward === -1).length),
  ];
  return [...[...by].map(([name, rs]) => row(name, rs)), row('(all)', results)];
}

export const registerEvalCommand: RegisterCommands = (program, env) => {
  program
    .command('eval')
    .description('score completions against tasks in sandboxes (the TRL reward scheme)')
    .argument('<file>', 'JSONL, one {"task": NAME, "completion": TEXT} a line')
    .option(
      '--tasks <file>',
      'JSON {NAME: {prompt, func_name, tests, reference, banned_patterns}}; default tasks.json beside FILE',
    )
    .option('--timeout-ms <n>', 'limit of each item', (v) => Number(v), 1000)
    .option('--json', 'print {"results", "stats"} as the API answers')
    .action(async (file: string, opts: { tasks?: string; timeoutMs: number; json?: boolean }) => {
      const req = loadEvalFiles(file, opts.tasks, opts.timeoutMs);
      const client = gatewayClient(env);
      const score = (await client.running()) ? viaGateway(client.api) : offline(env);
      const bar = new SingleBar({
        format: 'scoring [{bar}] {value}/{total} items | {eta_formatted} left',
        stream: process.stderr,
        hideCursor: true,
      });
      bar.start(req.items.length, 0);
      let out: EvalResponse;
      try {
        out = await score(req, (n) => bar.increment(n));
      } finally {
        bar.stop();
      }
      if (opts.json) return env.json(out);
      for (const line of table(
        ['TASK', 'ITEMS', 'MEAN REWARD', 'ALL PASSED', 'ERRORS (-1)'],
        summaryRows(req, out.results),
      ))
        env.out(line);
      const secs = out.stats.wall_ms / 1000;
      env.out(
        `${req.items.length} items in ${secs.toFixed(1)} s (${(req.items.length / Math.max(secs, 0.001)).toFixed(1)} items/s) on ${out.stats.sandboxes} sandboxes`,
      );
    });
};
