// POST /api/eval over real local sandboxes: the TRL guide's reward for each kind of completion (exact
// values), items independent of one another (a timeout or a dead interpreter touches no other item
// and leaves its sandbox usable), a pool of 4 serving 50 items creates at most 4 sandboxes, and the
// token and request checks (401, 400 naming the field).

import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { EvalPool } from '../../src/eval/eval-pool.js';
import type { EvalResponse } from '../../src/eval/evaluate.js';
import { evalRoutes } from '../../src/http/api/eval.js';
import { createHttpApp } from '../../src/http/server.js';
import { SandboxCapacity } from '../../src/sandbox/capacity.js';
import type { SandboxProvider } from '../../src/sandbox/provider.js';
import { localProvider, tempHome } from '../sandbox/helpers.js';

const log = pino({ level: 'silent' });
const TOKEN = 'eval-test-token-0123456789';

const TASKS = {
  sorting: {
    prompt:
      'def sort_numbers(xs: list[int]) -> list[int]:\n    """Sort a list of integers in ascending order."""\n',
    func_name: 'sort_numbers',
    banned_patterns: ['sorted(', '.sort(', 'heapq', 'import ', '__import__'],
    tests: ['[]', '[1, 3, 2]', '[random.randint(-1000, 1000) for _ in range(200)]'],
    reference: 'sorted',
  },
  /** One test: `tests` must stay a tuple of one list, not the list's elements. */
  one_test: {
    prompt: 'def sort_numbers(xs):\n',
    func_name: 'sort_numbers',
    tests: ['[3, 1, 2]'],
    reference: 'sorted',
  },
  no_tests: { prompt: 'def f(xs):\n', func_name: 'f', tests: [], reference: 'len' },
  /** Nothing banned: an item may do what it likes to its own interpreter. */
  open: {
    prompt: 'def reverse(s):\n',
    func_name: 'reverse',
    tests: ['"abc"', '"sandgate"'],
    reference: 'lambda s: s[::-1]',
  },
};

const INSERTION_SORT = [
  '    out = []',
  '    for x in xs:',
  '        i = 0',
  '        while i < len(out) and out[i] < x:',
  '            i += 1',
  '        out.insert(i, x)',
  '    return out',
].join('\n');

/** [what, task, completion, expected result] */
const TABLE: [string, string, string, Record<string, unknown>][] = [
  ['correct', 'sorting', `${INSERTION_SORT}\n`, { no_error: true, num_passed: 3, num_tests: 3, reward: 1 }],
  [
    'banned pattern',
    'sorting',
    '    return sorted(xs)\n',
    { no_error: false, num_passed: 0, num_tests: 3, reward: -1, error: expect.stringMatching(/banned/) },
  ],
  [
    'syntax error',
    'sorting',
    '    return [x for x in xs\n',
    { no_error: false, num_passed: 0, num_tests: 3, reward: -1, error: expect.stringMatching(/SyntaxError/) },
  ],
  [
    'raises',
    'sorting',
    "    raise ValueError('nope')\n",
    { no_error: true, num_passed: 0, num_tests: 3, reward: 0 },
  ],
  [
    'partially wrong',
    'sorting',
    '    return xs\n',
    { no_error: true, num_passed: 1, num_tests: 3, reward: 1 / 3 },
  ],
  [
    'infinite loop',
    'sorting',
    '    while True:\n        pass\n',
    { no_error: false, num_passed: 0, num_tests: 3, reward: -1, error: expect.stringMatching(/timed out/) },
  ],
  [
    'infinite loop that swallows interrupts',
    'sorting',
    '    while True:\n        try:\n            pass\n        except BaseException:\n            pass\n',
    { no_error: false, reward: -1, error: expect.stringMatching(/timed out/) },
  ],
  [
    'empty',
    'sorting',
    '',
    { no_error: false, num_passed: 0, num_tests: 3, reward: -1, error: expect.stringMatching(/empty/) },
  ],
  ['no body, only prose', 'sorting', 'Here is my answer:\n    return xs\n', { no_error: false, reward: -1 }],
  [
    'junk after the body',
    'sorting',
    `${INSERTION_SORT}\n\nThis is insertion sort.\nprint(sort_numbers([3, 1]))\nif True: raise SystemExit\n`,
    { no_error: true, num_passed: 3, num_tests: 3, reward: 1 },
  ],
  ['exits the interpreter', 'sorting', '    raise SystemExit(0)\n', { no_error: false, reward: -1 }],
  ['one test stays a tuple', 'one_test', `${INSERTION_SORT}\n`, { no_error: true, num_tests: 1, reward: 1 }],
  ['no tests', 'no_tests', '    return 0\n', { no_error: true, num_passed: 0, num_tests: 0, reward: 0 }],
  ['inputs without .copy()', 'open', '    return s[::-1]\n', { no_error: true, num_passed: 2, reward: 1 }],
  [
    'kills its own interpreter',
    'open',
    '    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n',
    { no_error: false, reward: -1 },
  ],
];

/** The local provider, counting creates. */
function counting(provider: SandboxProvider): SandboxProvider & { creates: number } {
  const counted = Object.create(provider) as SandboxProvider & { creates: number };
  counted.creates = 0;
  counted.create = (spec) => {
    counted.creates++;
    return provider.create(spec);
  };
  return counted;
}

describe('POST /api/eval', () => {
  const { home, cleanup } = tempHome();
  const local = localProvider(home);
  const pools: EvalPool[] = [];

  function gateway(size: number) {
    const provider = counting(local);
    const capacity = new SandboxCapacity({ maxLive: 16, log });
    const pool = new EvalPool({ provider, capacity, log, size, labels: { sandgate: '1' } });
    pools.push(pool);
    const app = createHttpApp({
      token: () => TOKEN,
      metrics: () => '',
      ready: () => ({ ready: true }),
      mount: (_root, api) =>
        api.route(
          '/eval',
          evalRoutes(() => pool),
        ),
    });
    const post = (body: unknown, token = TOKEN) =>
      app.request('/api/eval', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    return { provider, capacity, pool, post };
  }

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.shutdown()));
    await local.shutdown();
    cleanup();
  }, 60_000);

  it('scores each kind of completion exactly as the TRL guide does, in item order', async () => {
    const { post, provider } = gateway(4);
    const res = await post({
      tasks: TASKS,
      items: TABLE.map(([, task, completion]) => ({ task, completion })),
      timeout_ms: 3000,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as EvalResponse;
    expect(body.results).toHaveLength(TABLE.length);
    TABLE.forEach(([what, , , expected], i) => {
      expect({ what, ...body.results[i] }).toMatchObject({ what, ...expected });
    });
    expect(body.stats.sandboxes).toBeGreaterThanOrEqual(1);
    expect(body.stats.sandboxes).toBeLessThanOrEqual(4);
    expect(provider.creates).toBeLessThanOrEqual(4);
    expect(body.stats.wall_ms).toEqual(expect.any(Number));
  }, 120_000);

  it('serves 50 items with a pool of 4 without creating more than 4 sandboxes', async () => {
    const { post, provider, pool, capacity } = gateway(4);
    const items = Array.from({ length: 50 }, (_, i) => ({
      task: 'sorting',
      completion: i % 5 === 4 ? '    return xs\n' : `${INSERTION_SORT}\n`,
    }));
    const body = (await (await post({ tasks: TASKS, items, timeout_ms: 5000 })).json()) as EvalResponse;
    expect(body.results.map((r) => r.reward)).toEqual(items.map((_, i) => (i % 5 === 4 ? 1 / 3 : 1)));
    expect(provider.creates).toBeLessThanOrEqual(4);
    expect(pool.created).toBeLessThanOrEqual(4);
    expect(body.stats.sandboxes).toBeLessThanOrEqual(4);
    // The pool is reused by the next batch, and its sandboxes hold eval slots of the capacity.
    const again = (await (await post({ tasks: TASKS, items: items.slice(0, 8) })).json()) as EvalResponse;
    expect(again.results.every((r, i) => r.reward === (i % 5 === 4 ? 1 / 3 : 1))).toBe(true);
    expect(provider.creates).toBeLessThanOrEqual(4);
    expect(capacity.list().every((s) => s.owner === 'eval')).toBe(true);
  }, 180_000);

  it('a timed-out or crashed item leaves its sandbox usable for the next item', async () => {
    const { post, provider } = gateway(1);
    const items = [
      { task: 'sorting', completion: '    while True:\n        pass\n' },
      { task: 'sorting', completion: `${INSERTION_SORT}\n` },
      { task: 'open', completion: '    import os\n    os._exit(3)\n' },
      { task: 'open', completion: '    return s[::-1]\n' },
    ];
    const body = (await (await post({ tasks: TASKS, items, timeout_ms: 1000 })).json()) as EvalResponse;
    expect(body.results.map((r) => r.reward)).toEqual([-1, 1, -1, 1]);
    expect(body.results[0]!.error).toMatch(/timed out after 1000 ms/);
    expect(provider.creates).toBe(1);
    expect(body.stats.sandboxes).toBe(1);
  }, 120_000);

  it('an item cannot rig or read later items through files: a planted random.py, /tmp, /dev/shm', async () => {
    const { post } = gateway(1);
    // Hooks json.dumps from a random.py in the working directory, which every harness imports.
    const rigged = [
      'import json as _j',
      '_dumps = _j.dumps',
      "_j.dumps = lambda o, *a, **k: _dumps({'results': [True] * len(o['results'])} if 'results' in o else o)",
      'def seed(x): pass',
      'def randint(a, b): return a',
    ].join('\n');
    const plant = [
      '    import os',
      `    open('random.py', 'w').write(${JSON.stringify(rigged)})`,
      "    os.makedirs('.local/lib', exist_ok=True)",
      "    for p in ('/tmp/answer.txt', '/dev/shm/answer.txt', 'answer.txt'): open(p, 'w').write('insertion sort')",
      '    return xs',
    ].join('\n');
    const first = (await (
      await post({ tasks: TASKS, items: [{ task: 'open', completion: `${plant}\n` }] })
    ).json()) as EvalResponse;
    expect(first.results[0]!.reward).toBe(0);
    const look = [
      '    import os',
      "    left = [p for p in ('/tmp/answer.txt', '/dev/shm/answer.txt', 'answer.txt', 'random.py', '.local') if os.path.exists(p)]",
      '    return s[::-1] if not left else str(left)',
    ].join('\n');
    const later = (await (
      await post({
        tasks: TASKS,
        items: [
          { task: 'sorting', completion: '    return xs\n' },
          { task: 'open', completion: `${look}\n` },
        ],
      })
    ).json()) as EvalResponse;
    expect(later.results.map((r) => r.reward)).toEqual([1 / 3, 1]);
  }, 120_000);

  it('a correct completion that prints megabytes still scores: its prints are not scored', async () => {
    const { post } = gateway(1);
    const chatty = `    print("z" * 900_000)\n${INSERTION_SORT}\n`;
    const body = (await (
      await post({ tasks: TASKS, items: [{ task: 'sorting', completion: chatty }], timeout_ms: 20_000 })
    ).json()) as EvalResponse;
    expect(body.results[0]).toMatchObject({ no_error: true, num_passed: 3, reward: 1 });
  }, 120_000);

  it('refuses a missing or wrong token (401) and a malformed request (400 naming the field)', async () => {
    const { post, provider } = gateway(2);
    const ok = { tasks: TASKS, items: [{ task: 'sorting', completion: '    return xs\n' }] };
    expect((await post(ok, 'wrong-token')).status).toBe(401);
    expect((await post(ok, '')).status).toBe(401);
    const cases: [unknown, RegExp][] = [
      [{ ...ok, items: [{ task: 'nope', completion: '' }] }, /^items\[0\]\.task: no such task "nope"/],
      [{ ...ok, items: [{ task: 'sorting' }] }, /^items\[0\]\.completion/],
      [{ ...ok, timeout_ms: 'soon' }, /^timeout_ms/],
      [{ ...ok, tasks: { t: { ...TASKS.sorting, tests: '[1]' } } }, /^tasks\.t\.tests/],
      [{ items: [] }, /^tasks/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    expect(provider.creates).toBe(0);
  });
});
