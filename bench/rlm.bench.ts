// `npm run bench`: the /rlm tree's own overhead. A 40-agent tree like the guide's run (the root, 25
// depth-1 sub-agents, 15 depth-2 under five of them) with a zero-latency scripted model on the local
// provider, so the wall time is all sandgate: child sandboxes, workspace copies, interpreters, host
// calls. Baseline in the same run: 40 bare child sandboxes created, used once (exec) and deleted with the
// same parallelism. Reports wall time, peak RSS and the most sandboxes alive at once.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { RunContext } from '../agents/agent.js';
import { createRlmAgent } from '../agents/rlm/index.js';
import { configSchema } from '../src/config/schema.js';
import type { ModelClient, ModelRequest } from '../src/model/types.js';
import { createConversationSandboxes, createSandboxProvider } from '../src/sandbox/factory.js';
import type { SandboxProvider } from '../src/sandbox/provider.js';
import { treeRssKb } from './lib/process-tree.js';

const DEPTH1 = 25;
const PARENTS_OF_DEPTH2 = 5;
const DEPTH2_EACH = 3;
const PARALLEL = 8;
/** sandbox.local.diskMb for the run (default: the product default; 0 = no per-sandbox disk image). */
const DISK_MB = process.env.BENCH_RLM_DISK_MB;

const block = (code: string) => `\`\`\`python\n${code}\n\`\`\``;

/** The scripted model: answers at once, from the agent's task and turn. */
function scriptedModel(): ModelClient & { calls: number } {
  const m = {
    model: 'bench',
    calls: 0,
    async turn(req: ModelRequest) {
      m.calls++;
      const first = req.messages[0]?.content;
      const task = typeof first === 'string' ? (/^Task:\n([\s\S]*?)\n\nStart/.exec(first)?.[1] ?? '') : '';
      const turn = req.messages.filter((x) => x.role === 'assistant').length + 1;
      let text: string;
      if (task === 'root') {
        text =
          turn === 1
            ? block(`parts = rlm_query_batched(['area %d' % i for i in range(${DEPTH1})])`)
            : block('FINAL(sum(int(p) for p in parts))');
      } else if (/^area \d+$/.test(task)) {
        const n = Number(task.slice(5));
        text =
          n < PARENTS_OF_DEPTH2
            ? block(
                `sub = rlm_query_batched(['leaf %d' % i for i in range(${DEPTH2_EACH})])\nFINAL(sum(int(s) for s in sub))`,
              )
            : block('FINAL(1)');
      } else text = block('FINAL(1)');
      return {
        message: {
          id: `msg_${m.calls}`,
          type: 'message' as const,
          role: 'assistant' as const,
          model: 'bench',
          content: [{ type: 'text' as const, text, citations: null }],
          stop_reason: 'end_turn' as const,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        } as unknown as Awaited<ReturnType<ModelClient['turn']>>['message'],
        usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
      };
    },
  };
  return m;
}

/** Counts the sandboxes alive at once (created, not yet deleted) through the provider. */
function counting(provider: SandboxProvider) {
  const state = { alive: 0, peak: 0, created: 0 };
  const wrapped = new Proxy(provider, {
    get(target, prop, receiver) {
      if (prop === 'create')
        return async (spec: Parameters<SandboxProvider['create']>[0]) => {
          const box = await target.create(spec);
          state.created++;
          state.peak = Math.max(state.peak, ++state.alive);
          const del = box.delete.bind(box);
          (box as { delete: () => Promise<void> }).delete = async () => {
            await del();
            state.alive--;
          };
          return box;
        };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { wrapped, state };
}

async function main() {
  const loadAtStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const home = mkdtempSync(join(tmpdir(), 'sandgate-rlm-bench-'));
  process.env.SANDGATE_HOME = home;
  const log = pino({ level: 'silent' });
  const config = configSchema.parse({
    sandbox: { maxLive: 64, childWaitSec: 60, ...(DISK_MB ? { local: { diskMb: Number(DISK_MB) } } : {}) },
    rlm: { maxParallel: PARALLEL },
  });
  const base = createSandboxProvider(config, {
    home,
    publicUrl: 'http://127.0.0.1:1',
    previewSecret: 'bench'.repeat(8),
    log,
  });
  if (base.name !== 'local') throw new Error('this benchmark measures the local provider');
  const { wrapped: provider, state } = counting(base);
  const leases = createConversationSandboxes(config, provider, log, { gcIntervalMs: 0, warmPool: false });
  let peakKb = 0;
  const sampler = setInterval(() => {
    peakKb = Math.max(peakKb, treeRssKb(process.pid));
  }, 50);
  try {
    const warm = await leases.acquire('bench:rlm');
    await warm.runCode('x = 1');
    const baseKb = treeRssKb(process.pid);
    const signal = new AbortController().signal;

    // Baseline: 40 bare children, same parallelism, each created, used once, deleted.
    const total = DEPTH1 + PARENTS_OF_DEPTH2 * DEPTH2_EACH;
    const scope0 = leases.forRun({ runId: 1, conversationKey: 'bench:rlm', signal, log });
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next++ < total) {
          const box = await scope0.spawn({ parent: warm });
          await box.exec('true');
          await box.delete();
        }
      }),
    );
    const bare = (performance.now() - t0) / 1000;
    await scope0.close();

    // The tree.
    state.peak = state.alive;
    state.created = 0;
    peakKb = baseKb;
    const model = scriptedModel();
    const agent = createRlmAgent({ config, log });
    const scope = leases.forRun({ runId: 2, conversationKey: 'bench:rlm', signal, log });
    const ctx: RunContext = {
      sandbox: () => leases.acquire('bench:rlm'),
      spawnSandbox: (spec) => scope.spawn(spec),
      model,
      emit: () => {},
      signal,
      log,
    };
    const t1 = performance.now();
    const result = await agent.run(
      { runId: 2, conversationKey: 'bench:rlm', senderId: 'bench', text: 'root', files: [], options: {} },
      ctx,
    );
    const wall = (performance.now() - t1) / 1000;
    await scope.close();
    const expected = String(DEPTH1 - PARENTS_OF_DEPTH2 + PARENTS_OF_DEPTH2 * DEPTH2_EACH);
    if (!result.text.startsWith(expected)) throw new Error(`the tree answered ${result.text.slice(0, 300)}`);

    const rows: [string, string][] = [
      ['measure', 'value'],
      ['sandbox.local.diskMb, load average at the start', `${config.sandbox.local.diskMb}, ${loadAtStart}`],
      [
        `agents in the tree (root + ${DEPTH1} depth-1 + ${PARENTS_OF_DEPTH2 * DEPTH2_EACH} depth-2), model calls`,
        `${1 + state.created}, ${model.calls}`,
      ],
      [
        `baseline: ${total} bare child sandboxes (create, exec, delete; ${PARALLEL} at a time)`,
        `${bare.toFixed(2)} s`,
      ],
      [
        `the whole tree, zero-latency model: wall time (target ≤ 5 s)`,
        `${wall.toFixed(2)} s ${wall <= 5 ? 'met' : 'MISSED'}`,
      ],
      ['ratio tree / bare sandboxes', `${(wall / bare).toFixed(2)}×`],
      ['per agent (wall / child agents)', `${((wall * 1000) / state.created).toFixed(0)} ms`],
      ['sandboxes alive at once (peak, the conversation sandbox included)', String(state.peak)],
      [
        'peak RSS, gateway process + sandboxes (before the tree)',
        `${(peakKb / 1024).toFixed(0)} MiB (${(baseKb / 1024).toFixed(0)} MiB)`,
      ],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  } finally {
    clearInterval(sampler);
    await leases.shutdown();
    await base.shutdown();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
