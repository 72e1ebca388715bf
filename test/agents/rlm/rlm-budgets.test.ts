// /rlm budgets and endings through the real pipeline and REAL local sandboxes: rlm.maxSandboxes refuses
// one item of a batch with an `Error:` string (no tree node) while the run completes; rlm.maxDepth
// refuses deeper sub-agents; a sub-agent that never FINALs ends at its cap with a message to its parent.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentNodeJson } from '../../../agents/rlm/index.js';
import { tempHome } from '../../helpers/temp-home.js';
import { waitFor } from '../../helpers/wait-for.js';
import { localProvider } from '../../sandbox/helpers.js';
import { py, type RlmHarness, say, startRlm, type Turn } from './helpers.js';

describe('/rlm budgets', () => {
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

  const answer = async (prefix: string) => {
    const found = await waitFor(
      () => h?.channel.texts().find((t) => t.startsWith(prefix)),
      `a reply starting ${prefix}`,
      90_000,
    );
    return found;
  };
  const tree = () => h!.trees.get(h!.store.runs.list()[0]!.id) as AgentNodeJson;

  it('rlm.maxSandboxes=2 with 3 tasks: one Error: string, the others run, the run completes', async () => {
    const route = (t: Turn) => {
      if (t.task === 'three tasks') {
        if (t.iteration === 1)
          return py("out = rlm_query_batched(['a', 'b', 'c'])\nprint(out)\nFINAL(repr(out))");
      }
      if (['a', 'b', 'c'].includes(t.task)) return py(`FINAL('done ${t.task}')`);
      return say('unexpected');
    };
    h = await startRlm({
      home: home.home,
      provider: localProvider(home.home),
      route,
      config: { rlm: { maxSandboxes: 2 } },
    });
    await h.send('/rlm three tasks');
    const text = await answer('[');
    const out = JSON.parse(text.split('\n\n')[0]!.replace(/'/g, '"')) as string[];
    expect(out.slice(0, 2)).toEqual(['done a', 'done b']);
    expect(out[2]).toMatch(/^Error: rlm\.maxSandboxes \(2/);
    expect(h.created).toHaveLength(2);
    expect(await h.childrenLeft()).toEqual([]);
    expect(tree().spawned_agents.map((c) => c.task)).toEqual(['a', 'b']);
    expect(tree().iterations[0]!.spawned).toHaveLength(2);
    expect(h.store.runs.list()[0]!.state).toBe('done');
  }, 120_000);

  it('rlm.maxDepth: a sub-agent at the deepest level gets an Error: string instead of a sub-agent', async () => {
    const route = (t: Turn) => {
      if (t.task === 'go deep') return py("FINAL(rlm_query('level one'))");
      if (t.task === 'level one') return py("FINAL('child saw: ' + rlm_query('level two'))");
      return say('unexpected');
    };
    h = await startRlm({
      home: home.home,
      provider: localProvider(home.home),
      route,
      config: { rlm: { maxDepth: 1 } },
    });
    await h.send('/rlm go deep');
    const text = await answer('child saw:');
    expect(text).toMatch(/^child saw: Error: rlm\.maxDepth \(1\) reached/);
    expect(h.created).toHaveLength(1);
    const child = tree().spawned_agents[0]!;
    expect(child.depth).toBe(1);
    expect(child.spawned_agents).toEqual([]);
    expect(child.iterations[0]!.spawned).toEqual([]);
  }, 120_000);

  it('a sub-agent that never calls FINAL stops at rlm.maxIterations and tells its parent', async () => {
    const route = (t: Turn) => {
      if (t.task === 'delegate') {
        if (t.iteration === 1) return py("r = rlm_query('never finishes')\nprint(r)");
        return py('FINAL(r)');
      }
      if (t.task === 'never finishes') return py(`print('still looking', ${t.iteration})`);
      return say('unexpected');
    };
    h = await startRlm({
      home: home.home,
      provider: localProvider(home.home),
      route,
      config: { rlm: { maxIterations: 3 } },
    });
    await h.send('/rlm delegate');
    const text = await answer('Error: rlm.maxIterations (3)');
    expect(text).toContain('still looking 3');
    const child = tree().spawned_agents[0]!;
    expect(child.iterations).toHaveLength(3);
    expect(child.result).toBeNull();
    expect(child.error).toMatch(/^Error: rlm\.maxIterations \(3\)/);
    expect(tree().result).toMatch(/^Error: rlm\.maxIterations/);
    expect(await h.childrenLeft()).toEqual([]);
  }, 120_000);
});
