// `npm run bench`: the local (bubblewrap) sandbox provider against baselines measured in the same run:
// create + first exec vs a raw `bwrap --ro-bind / / /bin/true`, a warm runCode round trip vs a
// `python3 -c pass` spawn, 100 sandboxes created and used at once (wall time, errors, peak RSS), and
// create + first exec with the whole-sandbox limits on (cgroups, workspace filesystem) against off.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { configSchema } from '../src/config/schema.js';
import {
  createConversationSandboxes,
  createSandboxProvider,
  previewTokensFor,
} from '../src/sandbox/factory.js';
import { LocalSandboxProvider } from '../src/sandbox/providers/local/local-provider.js';
import { treeRssKb } from './lib/process-tree.js';

const ITER = Number(process.env.BENCH_SANDBOX_ITER ?? 25);
const RUNS = Number(process.env.BENCH_RUNCODE ?? 200);
const CONCURRENT = Number(process.env.BENCH_SANDBOXES ?? 100);
const PYTHON = '/usr/bin/python3';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Wall time of one process from spawn to exit. */
function timeSpawn(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${cmd} exited with ${code}`)),
    );
  });
}

const started = performance.now();
/** Progress on stderr, so a slow phase is visible without disturbing the table. */
const phase = (what: string) =>
  process.stderr.write(`[sandbox bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${what}\n`);

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'sandgate-bench-'));
  process.env.SANDGATE_HOME = home;
  const log = pino({ level: 'silent' });
  const config = configSchema.parse({ sandbox: { maxLive: CONCURRENT + 8 } });
  const deps = { home, publicUrl: 'http://127.0.0.1:1', previewSecret: 'bench'.repeat(8), log };
  const provider = createSandboxProvider(config, deps);
  if (!(provider instanceof LocalSandboxProvider))
    throw new Error('this benchmark measures the local provider');
  const rows: [string, string][] = [];
  const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  try {
    // Warm the page cache and the provider's one-time preparation before timing anything.
    await timeSpawn('bwrap', ['--ro-bind', '/', '/', '/bin/true']);
    const first = await provider.create({ labels: { bench: 'warmup' } });
    await first.exec('true');
    await first.delete();

    // 1. Cold create + first exec, interleaved with the raw bwrap spawn so load drift hits both; also
    // Python started in that bare bwrap (the floor for any Python supervisor) and a warm exec.
    phase('create + first exec');
    const raw: number[] = [];
    const pyFloor: number[] = [];
    const cold: number[] = [];
    const warmExec: number[] = [];
    for (let i = 0; i < ITER; i++) {
      raw.push(await timeSpawn('bwrap', ['--ro-bind', '/', '/', '/bin/true']));
      pyFloor.push(await timeSpawn('bwrap', ['--ro-bind', '/', '/', PYTHON, '-I', '-S', '-c', 'pass']));
      const t0 = performance.now();
      const box = await provider.create({ labels: { bench: 'cold' } });
      const r = await box.exec('true');
      cold.push(performance.now() - t0);
      if (r.exitCode !== 0) throw new Error(`first exec failed: ${r.stderr}`);
      const t1 = performance.now();
      await box.exec('true');
      warmExec.push(performance.now() - t1);
      await box.delete();
    }
    const coldRatio = percentile(cold, 50) / percentile(raw, 50);

    // 1b. The cost of containment: the same create + first exec (+ delete) with the limits on (memory,
    // pids and CPU cgroups, a job cgroup per command, a loop-mounted workspace) and off, interleaved.
    phase('create + first exec, limits on vs off');
    const offHome = mkdtempSync(join(tmpdir(), 'sandgate-bench-off-'));
    const off = new LocalSandboxProvider({
      home: offHome,
      publicUrl: 'http://127.0.0.1:1',
      previewTokens: previewTokensFor(offHome, 'bench'.repeat(8)),
      log,
      containment: false,
    });
    const limitsOn = (await provider.limitStatus()).filter((s) => s.enforced).map((s) => s.limit);
    const timeFirstExec = async (p: LocalSandboxProvider) => {
      const t0 = performance.now();
      const b = await p.create({ labels: { bench: 'containment' } });
      const r = await b.exec('true');
      const first = performance.now() - t0;
      if (r.exitCode !== 0) throw new Error(`first exec failed: ${r.stderr}`);
      const t1 = performance.now();
      await b.delete();
      return { first, remove: performance.now() - t1 };
    };
    await timeFirstExec(off);
    const withLimits: { first: number; remove: number }[] = [];
    const withoutLimits: { first: number; remove: number }[] = [];
    for (let i = 0; i < ITER; i++) {
      withLimits.push(await timeFirstExec(provider));
      withoutLimits.push(await timeFirstExec(off));
    }
    await off.shutdown();
    rmSync(offHome, { recursive: true, force: true });
    const onP50 = percentile(
      withLimits.map((x) => x.first),
      50,
    );
    const offP50 = percentile(
      withoutLimits.map((x) => x.first),
      50,
    );

    // The same first exec for a conversation when the warm pool had a sandbox ready.
    phase('first exec with the warm pool');
    const pooled: number[] = [];
    const leases = createConversationSandboxes(
      { ...config, sandbox: { ...config.sandbox, pool: { size: 1 } } },
      provider,
      log,
      { gcIntervalMs: 0, warmPool: true },
    );
    for (let i = 0; i < Math.min(ITER, 10); i++) {
      await leases.pool?.settled();
      const t0 = performance.now();
      const box = await leases.acquire(`bench:pool:${i}`);
      await box.exec('true');
      pooled.push(performance.now() - t0);
      await leases.discard(`bench:pool:${i}`);
    }
    await leases.shutdown();

    // 2. Warm runCode round trip vs spawning the interpreter.
    phase('warm runCode');
    const box = await provider.create({ labels: { bench: 'runcode' } });
    for (let i = 0; i < 20; i++) await box.runCode('x = 1');
    const trips: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = await box.runCode('x = 1');
      trips.push(performance.now() - t0);
      if (r.error) throw new Error(`runCode failed: ${r.error.value}`);
    }
    const pySpawn: number[] = [];
    for (let i = 0; i < 20; i++) pySpawn.push(await timeSpawn(PYTHON, ['-c', 'pass']));
    await box.delete();

    // 3. Many sandboxes at once, each running a command and a code cell, with RSS sampled throughout.
    phase(`${CONCURRENT} sandboxes at once`);
    const baseRss = treeRssKb(process.pid);
    let peakRss = baseRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, treeRssKb(process.pid));
    }, 250);
    const many = createConversationSandboxes(config, provider, log, { gcIntervalMs: 0 });
    const errors: string[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT }, async (_, i) => {
        try {
          const sb = await many.acquire(`bench:many:${i}`);
          const e = await sb.exec(`echo sandbox-${i}`);
          const c = await sb.runCode(`print(${i} * 2)`);
          if (e.exitCode !== 0 || e.stdout !== `sandbox-${i}\n`) errors.push(`exec ${i}: ${e.stderr}`);
          if (c.error || c.stdout !== `${i * 2}\n`)
            errors.push(`runCode ${i}: ${c.error?.value ?? c.stdout}`);
        } catch (err) {
          errors.push(`sandbox ${i}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    peakRss = Math.max(peakRss, treeRssKb(process.pid));
    clearInterval(sampler);
    phase('clean-up');
    await many.shutdown();
    await Promise.all(
      (await provider.list({ labels: { sandgate: '1' } })).map(async (s) =>
        (await provider.get(s.id))?.delete(),
      ),
    );

    const runP50 = percentile(trips, 50);
    rows.push(
      ['measure', 'value'],
      [
        `raw bwrap --ro-bind / / /bin/true spawn p50 / p99 (${ITER} runs)`,
        `${ms(percentile(raw, 50))} / ${ms(percentile(raw, 99))}`,
      ],
      ['local create + first exec p50 / p99', `${ms(percentile(cold, 50))} / ${ms(percentile(cold, 99))}`],
      [
        'ratio create + first exec / raw bwrap (p50; target ≤ 3×)',
        `${coldRatio.toFixed(2)}× ${verdict(coldRatio <= 3)}`,
      ],
      [
        'python3 -I -S -c pass in that bare bwrap, p50 (the floor for a Python supervisor)',
        `${ms(percentile(pyFloor, 50))} (${(percentile(pyFloor, 50) / percentile(raw, 50)).toFixed(2)}× raw)`,
      ],
      ['warm exec (`true` in a started sandbox) p50', ms(percentile(warmExec, 50))],
      [`limits on for this run`, limitsOn.join(', ') || 'none (not root?)'],
      [
        'create + first exec, limits ON p50 / p99',
        `${ms(onP50)} / ${ms(
          percentile(
            withLimits.map((x) => x.first),
            99,
          ),
        )}`,
      ],
      [
        'create + first exec, limits OFF p50 / p99',
        `${ms(offP50)} / ${ms(
          percentile(
            withoutLimits.map((x) => x.first),
            99,
          ),
        )}`,
      ],
      ['cost of containment (ON / OFF, p50)', `${(onP50 / offP50).toFixed(2)}× (+${ms(onP50 - offP50)})`],
      [
        'delete p50, limits ON / OFF (cgroups removed, image unmounted and deleted)',
        `${ms(
          percentile(
            withLimits.map((x) => x.remove),
            50,
          ),
        )} / ${ms(
          percentile(
            withoutLimits.map((x) => x.remove),
            50,
          ),
        )}`,
      ],
      [
        `first exec of a conversation with the warm pool (its refill running alongside), p50 (${pooled.length} runs)`,
        ms(percentile(pooled, 50)),
      ],
      [
        `warm runCode round trip p50 / p99 (${RUNS} × \`x = 1\`; target p50 ≤ 5 ms)`,
        `${ms(runP50)} / ${ms(percentile(trips, 99))} ${verdict(runP50 <= 5)}`,
      ],
      [`${PYTHON} -c pass spawn p50`, ms(percentile(pySpawn, 50))],
      ['ratio warm runCode / python spawn (p50)', `${(runP50 / percentile(pySpawn, 50)).toFixed(3)}×`],
      [`${CONCURRENT} sandboxes at once (exec + runCode each): wall time`, `${wall.toFixed(1)} s`],
      [
        `${CONCURRENT} sandboxes at once: errors (target 0)`,
        `${errors.length} ${verdict(errors.length === 0)}`,
      ],
      [
        'peak RSS, gateway process + children (before the burst)',
        `${(peakRss / 1024).toFixed(0)} MiB (${(baseRss / 1024).toFixed(0)} MiB)`,
      ],
      ['peak RSS per sandbox', `${((peakRss - baseRss) / 1024 / CONCURRENT).toFixed(1)} MiB`],
    );
    const width = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
    for (const e of errors.slice(0, 5)) console.log(`  error: ${e.slice(0, 300)}`);
    phase('done');
  } finally {
    await provider.shutdown();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
