// `npm run bench`: start-up and footprint as a user meets them, whole processes measured in one run:
// the gateway's spawn → /healthz time and its RSS after 5 s idle, and three CLI commands against
// `node -e 0` (medians of RUNS runs, with ratios). `npm run bench` builds first, so bin runs dist/.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 7);
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'sandgate.mjs');

if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
  console.error('startup bench: dist/ is missing; run `npm run build` first');
  process.exit(1);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

function env(home: string): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'LANG']) if (process.env[k]) clean[k] = process.env[k];
  return { ...clean, SANDGATE_HOME: home, LOG_LEVEL: 'info', SANDGATE_PORT: '0' };
}

/** Wall ms of one whole process, spawn to exit (`channels status` exits 1 with no gateway: still timed). */
function timeProcess(args: string[], home: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env: env(home), stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - t0));
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Spawns the gateway, waits for /healthz; returns ms to ready and RSS after `idleMs`. */
async function gatewayRun(home: string, idleMs: number): Promise<{ readyMs: number; rssMb: number }> {
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, [BIN, 'gateway'], {
    env: env(home),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /"port":(\d+)/.exec(output);
        if (m) resolve(Number(m[1]));
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => reject(new Error(`gateway exited ${code}: ${output}`)));
    });
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const readyMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, idleMs));
    return { readyMs, rssMb: rssMb(child.pid as number) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'sandgate-startup-'));
  try {
    // First start creates the database and token; measured starts are the everyday case.
    await gatewayRun(home, 0);
    const gw = [];
    for (let i = 0; i < Math.min(RUNS, 5); i++) gw.push(await gatewayRun(home, i === 0 ? 5000 : 0));
    const baseline: number[] = [];
    const commands: Record<string, string[]> = {
      'sandgate --version': [BIN, '--version'],
      'sandgate pairing list --json': [BIN, 'pairing', 'list', '--json'],
      'sandgate channels status --json': [BIN, 'channels', 'status', '--json'],
    };
    const times: Record<string, number[]> = Object.fromEntries(
      Object.keys(commands).map((name) => [name, []]),
    );
    for (let i = 0; i < RUNS; i++) {
      // Interleaved, so drift in the machine's speed touches every figure alike.
      baseline.push(await timeProcess(['-e', '0'], home));
      for (const [name, args] of Object.entries(commands)) times[name]?.push(await timeProcess(args, home));
    }
    const base = median(baseline);
    const rows: string[][] = [
      ['gateway spawn → /healthz', `${median(gw.map((g) => g.readyMs)).toFixed(0)} ms`, '', '≤ 1000 ms'],
      ['gateway RSS after 5 s idle', `${(gw[0]?.rssMb ?? NaN).toFixed(0)} MB`, '', '≤ 120 MB'],
      ['node -e 0', `${base.toFixed(0)} ms`, '1.00×', ''],
      ...Object.entries(times).map(([name, t]) => [
        name,
        `${median(t).toFixed(0)} ms`,
        `${(median(t) / base).toFixed(2)}×`,
        '≤ 350 ms',
      ]),
    ];
    console.log(`\nstart-up (whole processes, medians of ${RUNS} runs; gateway: ${gw.length} starts)`);
    console.log('| figure | value | vs node -e 0 | target |\n|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
