// Batch evaluation on the Daytona provider: the real @daytonaio/sdk against the protocol fake. The
// pool's sandbox creation waits out Daytona's 429 Retry-After; each item runs in a fresh interpreter
// (a fork of the sandbox's warm one), an endless one is cut at its timeout and its sandbox serves the next.

import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { EvalPool } from '../../src/eval/eval-pool.js';
import { parseEvalRequest } from '../../src/eval/eval-request.js';
import { evaluateBatch } from '../../src/eval/evaluate.js';
import { SandboxCapacity } from '../../src/sandbox/capacity.js';
import { type FakeDaytona, startFakeDaytona } from '../fakes/daytona/server.js';
import { daytonaProvider } from '../sandbox/helpers.js';

const log = pino({ level: 'silent' });

const TASKS = {
  reverse: {
    prompt: 'def reverse(s):\n',
    func_name: 'reverse',
    tests: ['"abc"', '"sandgate"'],
    reference: 'lambda s: s[::-1]',
  },
};

describe('POST /api/eval on Daytona sandboxes', () => {
  let fake: FakeDaytona | undefined;
  let pool: EvalPool | undefined;
  afterAll(async () => {
    await pool?.shutdown();
    await fake?.close();
  }, 60_000);

  it('waits out a 429 on creation, scores each item in a fresh interpreter, and survives a timeout', async () => {
    fake = await startFakeDaytona();
    const provider = daytonaProvider(fake);
    pool = new EvalPool({
      provider,
      capacity: new SandboxCapacity({ maxLive: 4, log }),
      log,
      size: 2,
      labels: { sandgate: '1' },
    });
    fake.rateLimitNext(1, 1);
    const completions = [
      '    return s[::-1]\n',
      '    while True:\n        pass\n',
      '    return s\n',
      '    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n',
      '    return s[::-1]\n',
    ];
    const parsed = parseEvalRequest({
      tasks: TASKS,
      items: completions.map((completion) => ({ task: 'reverse', completion })),
      timeout_ms: 2000,
    });
    if ('error' in parsed) throw new Error(parsed.error);
    const body = await evaluateBatch(pool, parsed.request);
    expect(body.results.map((r) => r.reward)).toEqual([1, -1, 0, -1, 1]);
    expect(body.results[1]?.error).toMatch(/timed out/);
    expect(body.stats.sandboxes).toBeLessThanOrEqual(2);
    const created = fake.requests.filter((r) => r.method === 'POST' && r.path === '/sandbox');
    expect(created.length).toBeGreaterThanOrEqual(body.stats.sandboxes);
    expect(created.length).toBeLessThanOrEqual(3); // the rate-limited attempt, then at most 2
  }, 180_000);
});
