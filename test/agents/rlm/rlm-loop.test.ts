// The /rlm loop's rules through the real pipeline and a REAL local sandbox: only an executed FINAL /
// FINAL_VAR / SUBMIT ends an agent (FINAL in prose, or in a non-python fence, does not); a reply without
// code gets a nudge; long output comes back as head and tail with the omitted count; edit_file's rules;
// and no model key anywhere in the tree's sandboxes (env, files).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentNodeJson } from '../../../agents/rlm/index.js';
import { tempHome } from '../../helpers/temp-home.js';
import { waitFor } from '../../helpers/wait-for.js';
import { localProvider } from '../../sandbox/helpers.js';
import { py, type RlmHarness, say, startRlm, type Turn } from './helpers.js';

describe('/rlm loop', () => {
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

  const start = async (route: (t: Turn) => ReturnType<typeof say>, config = {}) => {
    h = await startRlm({ home: home.home, provider: localProvider(home.home), route, config });
  };
  const answer = (prefix: string) =>
    waitFor(() => h?.channel.texts().find((t) => t.startsWith(prefix)), `a reply starting ${prefix}`, 90_000);
  const tree = () => h!.trees.get(h!.store.runs.list()[0]!.id) as AgentNodeJson;

  it('FINAL in prose does not end the run; the nudge asks for code; SUBMIT ends it', async () => {
    const seen: string[] = [];
    await start((t) => {
      seen.push(t.last);
      if (t.iteration === 1) return say('I will call FINAL("42") once I know. FINAL(42)');
      if (t.iteration === 2) return say('Plan:\n```text\nFINAL("not code")\n```');
      if (t.iteration === 3) return py("print('FINAL(99) is just printed text')");
      return py("SUBMIT(answer='the real answer')");
    });
    await h!.send('/rlm think first');
    expect(await answer('the real answer')).toBe('the real answer');
    expect(seen[1]).toMatch(/No ```python block/);
    expect(seen[2]).toMatch(/No ```python block/);
    expect(seen[3]).toContain('FINAL(99) is just printed text');
    expect(tree().iterations.map((i) => i.code === null)).toEqual([true, true, false, false]);
    expect(tree().result).toBe('the real answer');
  }, 120_000);

  it('SUBMIT with several outputs, FINAL_VAR of a missing name is an error the model sees', async () => {
    const seen: string[] = [];
    await start((t) => {
      seen.push(t.last);
      if (t.iteration === 1) return py("FINAL_VAR('nope')");
      return py('SUBMIT(total=3, unit="apples")');
    });
    await h!.send('/rlm count');
    expect(await answer('total: 3')).toBe('total: 3\nunit: apples');
    expect(seen[1]).toContain("NameError: FINAL_VAR: there is no variable named 'nope'");
    expect(tree().iterations[0]!.error).toMatch(/^NameError/);
  }, 120_000);

  it('long output comes back as head and tail with the omitted count', async () => {
    const seen: string[] = [];
    await start((t) => {
      seen.push(t.last);
      if (t.iteration === 1) return py("print('HEAD' + 'x' * 30000 + 'TAIL')");
      return py("FINAL('ok')");
    });
    await h!.send('/rlm print a lot');
    await answer('ok');
    const out = seen[1]!;
    expect(out.startsWith('HEAD')).toBe(true);
    expect(out).toContain('TAIL');
    expect(out).toMatch(/\[… 2\d{4} characters omitted …\]/);
    expect(out.length).toBeLessThan(10_200);
  }, 120_000);

  it('edit_file: unique match, replace_all, and a .py edit that would not compile is refused', async () => {
    await start((t) => {
      if (t.iteration === 1)
        return py(
          [
            "open('m.py', 'w').write('x = 1\\ny = 1\\n')",
            'r = []',
            "r.append(edit_file('m.py', '= 1', '= 2'))",
            "r.append(edit_file('m.py', '= 1', '= 2', replace_all=True))",
            "r.append(edit_file('m.py', 'x = 2', 'x = (2'))",
            "r.append(edit_file('m.py', 'absent', 'z'))",
            "r.append(open('m.py').read())",
            "FINAL(' | '.join(r))",
          ].join('\n'),
        );
      return say('unexpected');
    });
    await h!.send('/rlm edit');
    const text = await answer('Error: old text occurs 2 times');
    const parts = text.split(' | ');
    expect(parts[1]).toBe('Edited m.py: 2 replacements');
    expect(parts[2]).toMatch(/^Error: the edit would make m\.py fail to compile .*the file is unchanged$/);
    expect(parts[3]).toMatch(/^Error: old text not found/);
    expect(parts[4]).toBe('x = 2\ny = 2\n');
  }, 120_000);

  it('no model key in any sandbox of the tree: not in the environment, not in a file', async () => {
    const search = [
      'import os, subprocess',
      "env_hits = [k for k, v in os.environ.items() if 'sk-ant' in v or 'ANTHROPIC' in k]",
      "files = subprocess.run(['grep', '-rlI', 'sk-ant', '.', '/tmp', os.path.expanduser('~')], capture_output=True, text=True).stdout.split()",
      "mine = {'env': env_hits, 'files': files}",
    ].join('\n');
    await start((t) => {
      if (t.task === 'look everywhere') {
        if (t.iteration === 1) return py(`${search}\nkids = rlm_query_batched(['look too', 'look too'])`);
        return py('FINAL(repr([mine] + kids))');
      }
      if (t.task === 'look too') return py(`${search}\nFINAL(repr(mine))`);
      return say('unexpected');
    });
    await h!.send('/rlm look everywhere');
    const text = await answer('[');
    expect(text.split('\n\n')[0]).toBe(
      `[{'env': [], 'files': []}, "{'env': [], 'files': []}", "{'env': [], 'files': []}"]`,
    );
    expect(h!.created).toHaveLength(2);
  }, 120_000);
});
