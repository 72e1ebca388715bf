// /rlm on the Daytona provider (the real @daytonaio/sdk against the Daytona fake): the helpers' host
// calls travel over Daytona's session transport, sub-agents get child sandboxes seeded with a copy of
// the root's workspace, their writes stay theirs, and the children are deleted.

import { afterEach, describe, expect, it } from 'vitest';
import type { AgentNodeJson } from '../../../agents/rlm/index.js';
import { type FakeDaytona, startFakeDaytona } from '../../fakes/daytona/server.js';
import { tempHome } from '../../helpers/temp-home.js';
import { waitFor } from '../../helpers/wait-for.js';
import { daytonaProvider } from '../../sandbox/helpers.js';
import { py, type RlmHarness, say, startRlm, type Turn } from './helpers.js';

describe('/rlm on Daytona', () => {
  let home: ReturnType<typeof tempHome> | undefined;
  let h: RlmHarness | undefined;
  let fake: FakeDaytona | undefined;
  afterEach(async () => {
    await h?.stop();
    await fake?.close();
    home?.cleanup();
    h = undefined;
    fake = undefined;
  });

  it('answers through sub-LLMs and sub-agents in child sandboxes, which are deleted', async () => {
    home = tempHome();
    fake = await startFakeDaytona();
    const provider = daytonaProvider(fake);
    const route = (t: Turn) => {
      if (t.subLlm) return say('5');
      if (t.task === 'on daytona') {
        if (t.iteration === 1)
          return py(
            "open('base.txt', 'w').write('3')\nfive = llm_query('five?')\nparts = rlm_query_batched(['double', 'triple'])\nprint(five, parts)",
          );
        return py(
          "import os\nassert not os.path.exists('child.txt')\nFINAL(int(five) + sum(int(p) for p in parts))",
        );
      }
      if (t.task === 'double' || t.task === 'triple')
        return py(
          `open('child.txt', 'w').write('x')\nFINAL(int(open('base.txt').read()) * ${t.task === 'double' ? 2 : 3})`,
        );
      return say('unexpected');
    };
    h = await startRlm({ home: home.home, provider, route });
    await h.send('/rlm on daytona');
    // 5 + 3*2 + 3*3
    await waitFor(() => h?.channel.texts().find((t) => t.startsWith('20')), 'the FINAL answer', 120_000);
    expect(h.fake.problems).toEqual([]);
    expect(h.created).toHaveLength(2);
    expect(await h.childrenLeft()).toEqual([]);
    const tree = h.trees.get(h.store.runs.list()[0]!.id) as AgentNodeJson;
    expect(tree.spawned_agents.map((c) => c.result)).toEqual(['6', '9']);
    expect(tree.iterations[0]!.llm_calls).toBe(1);
    expect(tree.iterations[1]!.error).toBeNull();
  }, 150_000);
});
