// `sandgate eval` as a user runs it (the real executable, no gateway running, so with a pool of its
// own on local sandboxes): --json answers like the API in item order, the default output is a
// per-task summary table, and a bad line or unknown task is a usage error (exit 2) naming it.

import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';

/** Nothing listens on this port: the command runs its own pool. */
const OFFLINE = { SANDGATE_URL: 'http://127.0.0.1:9' };

const TASKS = {
  sorting: {
    prompt: 'def sort_numbers(xs):\n',
    func_name: 'sort_numbers',
    banned_patterns: ['sorted('],
    tests: ['[]', '[2, 1]', '[3, 1, 2]'],
    reference: 'sorted',
  },
  double: {
    prompt: 'def double(x):\n',
    func_name: 'double',
    tests: ['1', '2'],
    reference: 'lambda x: 2 * x',
  },
};

const ITEMS = [
  { task: 'sorting', completion: '    return list(reversed(xs))\n' },
  { task: 'sorting', completion: '    return sorted(xs)\n' },
  { task: 'double', completion: '    return x + x\n' },
  { task: 'double', completion: '    return x * 3\n' },
];

describe('sandgate eval', () => {
  const home = tempHome();
  const dir = home.home;
  writeFileSync(join(dir, 'config.json5'), '{ eval: { poolSize: 2 } }\n');
  writeFileSync(join(dir, 'tasks.json'), JSON.stringify(TASKS));
  writeFileSync(join(dir, 'batch.jsonl'), `${ITEMS.map((i) => JSON.stringify(i)).join('\n')}\n`);

  afterAll(() => home.cleanup());

  it('scores a JSONL file with tasks.json beside it (--json: the API answer)', async () => {
    const r = await cli(home.home, ['eval', join(dir, 'batch.jsonl'), '--json'], OFFLINE);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { results: { reward: number }[]; stats: { sandboxes: number } };
    // reversed: [] and [2, 1] pass, [3, 1, 2] does not; banned; 2x right; 3x wrong for both inputs.
    expect(out.results.map((x) => x.reward)).toEqual([2 / 3, -1, 1, 0]);
    expect(out.stats.sandboxes).toBeGreaterThanOrEqual(1);
    expect(out.stats.sandboxes).toBeLessThanOrEqual(2);
  }, 120_000);

  it('prints a summary table per task', async () => {
    const r = await cli(
      home.home,
      ['eval', join(dir, 'batch.jsonl'), '--tasks', join(dir, 'tasks.json')],
      OFFLINE,
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TASK\s+ITEMS\s+MEAN REWARD\s+ALL PASSED\s+ERRORS \(-1\)$/);
    expect(lines.find((l) => l.startsWith('sorting'))).toMatch(/^sorting\s+2\s+-0\.167\s+0\s+1$/);
    expect(lines.find((l) => l.startsWith('double'))).toMatch(/^double\s+2\s+0\.500\s+1\s+0$/);
    expect(lines.at(-1)).toMatch(/^4 items in [\d.]+ s \([\d.]+ items\/s\) on [12] sandboxes$/);
  }, 120_000);

  it('Ctrl-C deletes its pool sandboxes and exits 130 without results', async () => {
    const slow = { task: 'double', completion: '    import time\n    time.sleep(30)\n    return x + x\n' };
    writeFileSync(
      join(dir, 'slow.jsonl'),
      `${[slow, slow, slow].map((i) => JSON.stringify(i)).join('\n')}\n`,
    );
    // Local sandboxes are <home>/sandboxes/<id>.json: the pool's are there while the batch runs.
    const boxes = () =>
      existsSync(join(dir, 'sandboxes'))
        ? readdirSync(join(dir, 'sandboxes')).filter((f) => f.endsWith('.json'))
        : [];
    const r = await cli(home.home, ['eval', join(dir, 'slow.jsonl'), '--timeout-ms', '60000'], OFFLINE, {
      started: (child) => {
        const poll = setInterval(() => {
          if (boxes().length > 0) {
            clearInterval(poll);
            setTimeout(() => child.kill('SIGINT'), 1000);
          }
        }, 100);
      },
    });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('interrupted: deleting the eval sandboxes');
    expect(r.stdout).toBe('');
    expect(boxes()).toEqual([]);
  }, 120_000);

  it('refuses a malformed line or an unknown task with exit 2 naming it', async () => {
    writeFileSync(join(dir, 'bad.jsonl'), '{"task": "sorting", "completion": ""}\nnot json\n');
    const bad = await cli(home.home, ['eval', join(dir, 'bad.jsonl')], OFFLINE);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.jsonl line 2: not JSON/);
    writeFileSync(join(dir, 'unknown.jsonl'), '{"task": "nope", "completion": ""}\n');
    const unknown = await cli(home.home, ['eval', join(dir, 'unknown.jsonl')], OFFLINE);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/item 1: items\[0\]\.task: no such task "nope"/);
  }, 60_000);
});
