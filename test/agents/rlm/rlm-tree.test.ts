// /rlm through the real pipeline and REAL local sandboxes: a scripted root asks sub-LLMs and three
// sub-agents, each in its own child sandbox seeded with a copy of the root's workspace; the answers are
// summed, FINAL reaches the chat, the children are gone, and the stored tree has the §9.3 shape.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentNodeJson } from '../../../agents/rlm/index.js';
import { tempHome } from '../../helpers/temp-home.js';
import { waitFor } from '../../helpers/wait-for.js';
import { localProvider } from '../../sandbox/helpers.js';
import { py, type RlmHarness, say, startRlm, type Turn } from './helpers.js';

const NODE_KEYS = [
  'agent_id',
  'depth',
  'sandbox_id',
  'task',
  'iterations',
  'spawned_agents',
  'result',
  'usage',
  'execution_time_s',
  'error',
].sort();
const ITERATION_KEYS = ['iteration', 'code', 'stdout', 'stderr', 'error', 'spawned', 'llm_calls'].sort();

function allNodes(n: AgentNodeJson): AgentNodeJson[] {
  return [n, ...n.spawned_agents.flatMap(allNodes)];
}

describe('/rlm: a root that fans out', () => {
  let home: ReturnType<typeof tempHome>;
  let h: RlmHarness | undefined;
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    home.cleanup();
  });

  /** Root: writes seed.txt, asks two sub-LLMs and three sub-agents, then sums everything. */
  function route(t: Turn) {
    if (t.subLlm) return say(t.task === 'ten' ? '10' : '20');
    if (t.task === 'add the numbers') {
      if (t.iteration === 1)
        return py(
          [
            "open('seed.txt', 'w').write('7')",
            "small = llm_query_batched(['ten', 'twenty'])",
            "parts = rlm_query_batched(['times 1', 'times 2', 'times 3'])",
            "print('small', small, 'parts', parts)",
          ].join('\n'),
        );
      if (t.iteration === 2)
        return py(
          [
            'import os',
            "leaked = sorted(f for f in os.listdir('.') if f.startswith('child-'))",
            "print('leaked', leaked)",
            'total = sum(int(x) for x in small) + sum(int(p) for p in parts)',
            "FINAL_VAR('total')",
          ].join('\n'),
        );
    }
    const m = /^times (\d)$/.exec(t.task);
    if (m) {
      if (t.iteration === 1)
        return py(
          [
            `open('child-${m[1]}.txt', 'w').write('mine')`,
            `FINAL(int(open('seed.txt').read()) * ${m[1]})`,
          ].join('\n'),
        );
    }
    return say(`unexpected turn ${t.iteration} for ${JSON.stringify(t.task)}`);
  }

  it('runs three sub-agents in child sandboxes, sums their answers and stores the tree', async () => {
    h = await startRlm({ home: home.home, provider: localProvider(home.home), route });
    await h.send('/rlm add the numbers');
    // 10 + 20 from the sub-LLMs, 7 * (1 + 2 + 3) from the sub-agents.
    await waitFor(() => h?.channel.texts().find((t) => t.startsWith('72')), 'the FINAL answer', 90_000);
    expect(h.fake.problems).toEqual([]);
    expect(h.created).toHaveLength(3);
    // The chat's status message says how deep the tree is, agents running/done and sandboxes used.
    const statuses = h.store.runs.list()[0]!.progress;
    expect(statuses[0]).toMatch(
      /^agent-0 \(depth 0\) starting · depth 0 · agents 1 running, 0 done · sandboxes 0\/50$/,
    );
    expect(statuses).toContainEqual(
      expect.stringMatching(/· depth 1 · agents \d running, \d done · sandboxes 3\/50$/),
    );
    const shown = h.channel.delivered.map((d) => (d.msg.kind === 'text' ? d.msg.text : ''));
    expect(
      shown.some((t) => t.startsWith('⏳') && /agents 1 running, 0 done · sandboxes 0\/50/.test(t)),
    ).toBe(true);
    expect(await h.childrenLeft()).toEqual([]);

    const run = h.store.runs.list()[0]!;
    expect(run.state).toBe('done');
    const tree = h.trees.get(run.id) as AgentNodeJson;
    for (const node of allNodes(tree)) {
      expect(Object.keys(node).sort()).toEqual(NODE_KEYS);
      for (const it of node.iterations) expect(Object.keys(it).sort()).toEqual(ITERATION_KEYS);
      expect(Object.keys(node.usage).sort()).toEqual(['cost_usd', 'input_tokens', 'output_tokens']);
      expect(node.execution_time_s).toEqual(expect.any(Number));
      expect(node.error).toBeNull();
    }
    expect(tree.depth).toBe(0);
    expect(tree.task).toBe('add the numbers');
    expect(tree.result).toBe('72');
    expect(tree.iterations).toHaveLength(2);
    const [first, second] = tree.iterations;
    expect(first!.llm_calls).toBe(2);
    expect(first!.spawned).toEqual(tree.spawned_agents.map((c) => c.agent_id));
    expect(second!.spawned).toEqual([]);
    expect(second!.llm_calls).toBe(0);
    // The children's writes stayed in their own sandboxes.
    expect(second!.stdout).toContain('leaked []');
    expect(tree.spawned_agents.map((c) => [c.depth, c.task, c.result])).toEqual([
      [1, 'times 1', '7'],
      [1, 'times 2', '14'],
      [1, 'times 3', '21'],
    ]);
    expect(tree.spawned_agents.map((c) => c.sandbox_id).sort()).toEqual([...h.created].sort());
    expect(tree.spawned_agents[0]!.iterations[0]!.stderr).toBeNull();
    // Every model call (turns and sub-LLM prompts) is metered into the run.
    const rows = h.store.db.prepare('SELECT COUNT(*) AS n FROM usage WHERE run_id = ?').get(run.id) as {
      n: number;
    };
    expect(rows.n).toBe(h.fake.requests.length);
    expect(run.usage?.inputTokens).toBeGreaterThan(0);
    const own = allNodes(tree).reduce((s, n) => s + n.usage.input_tokens, 0);
    expect(run.usage?.inputTokens).toBe(own);
  }, 120_000);
});
