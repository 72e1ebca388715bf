// Stateful Python in a real local sandbox: globals persist, errors have Daytona's shape, timeouts
// interrupt (or restart) the context and say so, charts come back as PNGs, and running code can call
// back into the gateway and wait for the answer.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/provider.js';
import type { LocalSandboxProvider } from '../../src/sandbox/providers/local/local-provider.js';
import { localProvider, PNG_MAGIC, pngSize, tempHome } from './helpers.js';

describe('local runCode', () => {
  const { home, cleanup } = tempHome();
  let provider: LocalSandboxProvider;
  let box: Sandbox;

  beforeAll(async () => {
    provider = localProvider(home);
    box = await provider.create({ labels: { sandgate: '1' } });
  });

  afterAll(async () => {
    await provider.shutdown();
    cleanup();
  });

  it('keeps globals between runs and prints the value of a last expression', async () => {
    expect(await box.runCode('x = 20\ndef double(v):\n    return v * 2')).toEqual({
      stdout: '',
      stderr: '',
      charts: [],
    });
    const r = await box.runCode('double(x) + 2');
    expect(r.stdout).toBe('42\n');
    expect(r.error).toBeUndefined();
  });

  it('captures stdout and stderr, from the code and from its subprocesses, and streams stdout', async () => {
    const chunks: string[] = [];
    const r = await box.runCode(
      'import os, sys\nprint("one")\nsys.stderr.write("warn\\n")\nos.system("echo from-shell")\nprint("two")',
      { onStdout: (c) => chunks.push(c) },
    );
    expect(r.stdout).toBe('one\nfrom-shell\ntwo\n');
    expect(r.stderr).toBe('warn\n');
    expect(chunks.join('')).toBe(r.stdout);
  });

  it('reports exceptions as {name, value, traceback} and keeps the context alive', async () => {
    const r = await box.runCode('y = 1\nraise ValueError("bad input")');
    expect(r.error).toMatchObject({ name: 'ValueError', value: 'bad input' });
    expect(r.error?.traceback).toContain('line 2');
    expect(r.error?.traceback).not.toContain('driver.py');
    const syntax = await box.runCode('def (:');
    expect(syntax.error?.name).toBe('SyntaxError');
    expect((await box.runCode('y')).stdout).toBe('1\n');
  });

  it('interrupts code that runs too long, says so, and keeps the variables', async () => {
    const r = await box.runCode('kept = "yes"\nimport time\nwhile True:\n    time.sleep(0.05)', {
      timeoutMs: 800,
    });
    expect(r.timedOut).toBe(true);
    expect(r.error?.name).toBe('TimeoutError');
    expect(r.error?.value).toMatch(/timed out .* interrupted; variables .* kept/);
    expect((await box.runCode('kept')).stdout).toBe("'yes'\n");
  });

  it('restarts a context whose code ignores the interrupt, and says the state is gone', async () => {
    const ctx = { context: 'stubborn' };
    await box.runCode('z = 5', ctx);
    const code =
      'import time\nwhile True:\n    try:\n        time.sleep(10)\n    except KeyboardInterrupt:\n        pass';
    const r = await box.runCode(code, { ...ctx, timeoutMs: 800 });
    expect(r.timedOut).toBe(true);
    expect(r.error?.value).toMatch(/restarted/);
    const after = await box.runCode('z', ctx);
    expect(after.error?.name).toBe('NameError');
    // Other contexts are untouched.
    expect((await box.runCode('kept')).stdout).toBe("'yes'\n");
  });

  it('turns plt.show() and open figures into typed charts with valid PNGs', async () => {
    const code = [
      'import matplotlib.pyplot as plt',
      'plt.plot([1, 2, 3], [2, 4, 8], label="growth")',
      'plt.title("Growth"); plt.xlabel("day"); plt.ylabel("users")',
      'plt.show()',
      'plt.figure(); plt.bar(["a", "b", "c"], [3, 1, 2]); plt.title("Counts")',
      'plt.show()',
      'plt.figure(); plt.scatter([1, 2], [3, 4]); plt.title("Dots")',
      'plt.figure(); plt.pie([1, 3], labels=["x", "y"]); plt.title("Share")',
    ].join('\n');
    const r = await box.runCode(code);
    expect(r.error).toBeUndefined();
    expect(r.charts.map((c) => [c.type, c.title])).toEqual([
      ['line', 'Growth'],
      ['bar', 'Counts'],
      ['scatter', 'Dots'],
      ['pie', 'Share'],
    ]);
    const line = r.charts[0]!;
    expect(line).toMatchObject({ x_label: 'day', y_label: 'users' });
    expect(line.elements).toEqual([
      {
        label: 'growth',
        points: [
          [1, 2],
          [2, 4],
          [3, 8],
        ],
      },
    ]);
    expect(r.charts[1]!.elements).toEqual([
      { label: 'a', group: '', value: 3 },
      { label: 'b', group: '', value: 1 },
      { label: 'c', group: '', value: 2 },
    ]);
    for (const c of r.charts) {
      expect(c.png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
      expect(c.png.length).toBeGreaterThan(1000);
      expect(pngSize(c.png).width).toBeGreaterThan(100);
    }
    expect((await box.runCode('len(plt.get_fignums())')).stdout).toBe('0\n');
  });

  it('lets running code call the gateway and wait for the answer (host_call)', async () => {
    const calls: [string, unknown][] = [];
    const r = await box.runCode(
      [
        'answer = host_call("llm_query", {"prompt": "capital of France?"})',
        'print("model says", answer["text"])',
        'from sandgate import host_call as hc, HostCallError',
        'try:',
        '    hc("explode", [1, 2])',
        'except HostCallError as e:',
        '    print("refused:", e)',
      ].join('\n'),
      {
        onHostCall: async (method, params) => {
          calls.push([method, params]);
          if (method === 'explode') throw new Error('no such tool');
          return { text: 'Paris' };
        },
      },
    );
    expect(r.error).toBeUndefined();
    expect(r.stdout).toBe('model says Paris\nrefused: no such tool\n');
    expect(calls).toEqual([
      ['llm_query', { prompt: 'capital of France?' }],
      ['explode', [1, 2]],
    ]);
    const none = await box.runCode('host_call("llm_query", {})');
    expect(none.error).toMatchObject({ name: 'HostCallError' });
  });

  it('survives the interpreter dying and starts a fresh one', async () => {
    const r = await box.runCode('import os\nos._exit(3)', { context: 'doomed' });
    expect(r.error?.name).toBe('InterpreterDied');
    expect((await box.runCode('1 + 1', { context: 'doomed' })).stdout).toBe('2\n');
  });
});
