// The SandboxProvider contract, written once and run against every provider (local for real,
// Daytona through the real SDK against the protocol fake): what agents and chat commands rely on.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxGoneError, SandboxPathError } from '../../src/sandbox/errors.js';
import type { Sandbox, SandboxProvider } from '../../src/sandbox/provider.js';
import { PNG_MAGIC, until } from './helpers.js';

export interface ContractHarness {
  provider: SandboxProvider;
  close(): Promise<void>;
}

export function sandboxContract(name: string, setup: () => Promise<ContractHarness>): void {
  describe(`${name} provider contract`, () => {
    let h: ContractHarness;
    let box: Sandbox;
    const conversation = `conv-${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      h = await setup();
      box = await h.provider.create({ labels: { sandgate: '1', conversation }, env: { GREETING: 'hello' } });
    });

    afterAll(async () => {
      await h.close();
    });

    it('runs commands with exit codes, cwd and env', async () => {
      await box.writeFile('sub/.keep', '');
      const r = await box.exec('echo "$GREETING $EXTRA"; pwd; exit 3', {
        cwd: 'sub',
        env: { EXTRA: 'world' },
      });
      expect(r.exitCode).toBe(3);
      expect(r.timedOut).toBe(false);
      expect(r.stdout).toBe(`hello world\n${box.workdir}/sub\n`);
      const err = await box.exec('echo oops >&2; false');
      expect(err.exitCode).toBe(1);
      expect(err.stdout + err.stderr).toContain('oops');
    });

    it('kills a command at its wall-clock timeout and says so', async () => {
      const r = await box.exec('sleep 30; echo never', { timeoutMs: 1000 });
      expect(r.timedOut).toBe(true);
      expect(r.stdout).not.toContain('never');
      expect(r.stderr).toContain('timed out');
    });

    it('keeps Python state, reports errors, calls the host and returns charts', async () => {
      await box.runCode('rows = [3, 1, 2]');
      const calls: unknown[] = [];
      const r = await box.runCode(
        [
          'import matplotlib.pyplot as plt',
          'reply = host_call("llm_query", {"n": len(rows)})',
          'print("host said", reply)',
          'plt.bar(["a", "b", "c"], rows); plt.title("Rows"); plt.show()',
        ].join('\n'),
        {
          onHostCall: async (method, params) => {
            calls.push({ method, params });
            return 'ok';
          },
        },
      );
      expect(r.error).toBeUndefined();
      expect(r.stdout).toBe('host said ok\n');
      expect(calls).toEqual([{ method: 'llm_query', params: { n: 3 } }]);
      expect(r.charts).toHaveLength(1);
      expect(r.charts[0]).toMatchObject({ type: 'bar', title: 'Rows' });
      expect(r.charts[0]!.png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
      const bad = await box.runCode('rows[10]');
      expect(bad.error).toMatchObject({ name: 'IndexError', value: 'list index out of range' });
      const slow = await box.runCode('import time\ntime.sleep(30)', { timeoutMs: 1000 });
      expect(slow.timedOut).toBe(true);
      expect((await box.runCode('sum(rows)')).stdout).toBe('6\n');
    });

    it('does not count time spent in a host call against the timeout, and a cancel aborts the call', async () => {
      // The host call outlasts the run's whole timeout (an rlm_query sub-agent would); the code is fine.
      const slow = await box.runCode('answer = host_call("rlm_query", {"task": "sub"})\nprint(answer)', {
        timeoutMs: 1000,
        onHostCall: () => new Promise((resolve) => setTimeout(() => resolve('sub done'), 2500)),
      });
      expect(slow.error).toBeUndefined();
      expect(slow.stdout).toBe('sub done\n');

      const cancel = new AbortController();
      let seen: AbortSignal | undefined;
      const started = new Promise<void>((callStarted) => {
        void box
          .runCode('left = host_call("llm_query", {"prompt": "x"})', {
            signal: cancel.signal,
            onHostCall: (_method, _params, { signal }) => {
              seen = signal;
              callStarted();
              return new Promise((_, reject) =>
                signal.addEventListener('abort', () => reject(signal.reason)),
              );
            },
          })
          .then((r) => results.push(r));
      });
      const results: Awaited<ReturnType<Sandbox['runCode']>>[] = [];
      await started;
      expect(seen?.aborted).toBe(false);
      cancel.abort('cancel');
      await until(async () => results[0], 'the cancelled run');
      expect(seen?.aborted).toBe(true);
      expect(results[0]?.error?.name).toBe('Cancelled');
      expect((await box.runCode('answer')).stdout).toBe("'sub done'\n");
    });

    it('gives each interpreter context its own variables; deleting one ends a run in it', async () => {
      if (!box.createContext || !box.deleteContext) throw new Error(`${name} has no interpreter contexts`);
      await box.runCode('shared = "default"');
      const [a, b] = [await box.createContext(), await box.createContext()];
      expect(a).not.toBe(b);
      await box.runCode('shared = "a"', { context: a });
      expect((await box.runCode('print(shared)', { context: a })).stdout).toBe('a\n');
      expect((await box.runCode('print(shared)', { context: b })).error?.name).toBe('NameError');
      expect((await box.runCode('print(shared)')).stdout).toBe('default\n');
      // An endless run in b ends when b is deleted, and the other contexts go on.
      const endless = box.runCode('while True:\n    pass', { context: b, timeoutMs: 60_000 });
      await box.deleteContext(b);
      expect((await endless).error?.name).toBe('InterpreterDied');
      expect((await box.runCode('print(shared)', { context: a })).stdout).toBe('a\n');
      await box.deleteContext(a);
      await box.deleteContext(a);
    });

    it('moves files in and out and refuses paths outside the workspace', async () => {
      await box.writeFile('data/in.bin', Buffer.from([0, 1, 2, 255]));
      expect([...(await box.readFile('data/in.bin'))]).toEqual([0, 1, 2, 255]);
      expect(await box.readFile(`${box.workdir}/data/in.bin`)).toHaveLength(4);
      const list = await box.listFiles('data');
      expect(list).toEqual([{ path: `${box.workdir}/data/in.bin`, size: 4, isDir: false }]);
      await expect(box.readFile('../../../etc/passwd')).rejects.toBeInstanceOf(SandboxPathError);
      await expect(box.writeFile('/etc/evil', 'x')).rejects.toBeInstanceOf(SandboxPathError);
      await box.exec('ln -s /etc escape');
      await expect(box.readFile('escape/passwd')).rejects.toBeInstanceOf(SandboxPathError);
    });

    it('runs background processes with readable logs until killed', async () => {
      const p = await box.startProcess('echo started; echo "$GREETING" from bg; sleep 60');
      const logs = await until(async () => {
        const l = await p.logs();
        return l.includes('from bg') ? l : undefined;
      }, 'process logs');
      expect(logs).toContain('started\nhello from bg');
      expect(await p.running()).toBe(true);
      await p.kill();
      await until(async () => ((await p.running()) ? undefined : true), 'process to stop');
    });

    it('runs a shell on a PTY: env, cwd and a terminal; Ctrl-C reaches the command; exit code; kill', async () => {
      if (!box.createPty) throw new Error(`the ${name} provider has no createPty`);
      let out = '';
      const pty = await box.createPty({
        id: `pty-${conversation}`,
        cwd: 'sub',
        envs: { PTY_GREETING: 'hi-pty' },
        cols: 200,
        rows: 30,
        onData: (d) => {
          out += Buffer.from(d).toString('utf8');
        },
      });
      await pty.sendInput('test -t 1 && echo "[$PTY_GREETING] [$(pwd)] [a terminal]"\n');
      await until(
        async () => out.includes(`[hi-pty] [${box.workdir}/sub] [a terminal]`) || undefined,
        'PTY output',
      );
      // A distinctive sleep, so finding it in /proc does not depend on what else runs.
      await pty.sendInput('sleep 31.25\n');
      await until(async () => {
        const r = await box.exec(
          'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < "$f"; echo; done 2>/dev/null | grep "^sleep 31.25"',
        );
        return r.stdout.trim() || undefined;
      }, 'the sleep to start');
      await pty.sendInput(new Uint8Array([3]));
      // SIGINT ended it: the shell is back with status 130 (128 + SIGINT).
      await pty.sendInput('echo "status-$?"\n');
      await until(async () => out.includes('status-130') || undefined, 'Ctrl-C to interrupt the sleep');
      await pty.sendInput('exit 3\n');
      expect((await pty.wait()).exitCode).toBe(3);

      const second = await box.createPty({ id: `pty2-${conversation}`, onData: () => undefined });
      await second.sendInput('sleep 60\n');
      await second.kill();
      expect(await second.wait()).toBeDefined();
    });

    it('hands out expiring preview links', async () => {
      const { url, expiresAt } = await box.previewUrl(8080, { ttlSec: 300 });
      expect(url).toMatch(/^https?:\/\//);
      expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 200_000);
      await expect(box.previewUrl(70000)).rejects.toThrow(/invalid port/);
    });

    it('is found again by id and by label, and restarts on use after stop', async () => {
      const listed = await h.provider.list({ labels: { conversation } });
      expect(listed.map((s) => s.id)).toEqual([box.id]);
      expect(listed[0]).toMatchObject({ provider: h.provider.name, labels: { sandgate: '1', conversation } });
      expect((await h.provider.get(box.id))?.id).toBe(box.id);
      expect(await h.provider.get('sb-0000000000')).toBeUndefined();
      await box.stop();
      expect((await h.provider.list({ labels: { conversation } }))[0]?.state).toBe('stopped');
      expect((await box.exec('cat data/in.bin | wc -c')).stdout.trim()).toBe('4');
    });

    it('deletes: gone from list and get, and further use says the sandbox no longer exists', async () => {
      const doomed = await h.provider.create({
        labels: { sandgate: '1', conversation: `${conversation}-x` },
      });
      await doomed.exec('true');
      await doomed.delete();
      expect(await h.provider.get(doomed.id)).toBeUndefined();
      expect(await h.provider.list({ labels: { conversation: `${conversation}-x` } })).toEqual([]);
      await expect(doomed.exec('true')).rejects.toBeInstanceOf(SandboxGoneError);
    });

    it('deleted while code runs: the run ends, and the sandbox stays gone (no stopped ghost in list)', async () => {
      const busy = await h.provider.create({
        labels: { sandgate: '1', conversation: `${conversation}-busy` },
      });
      await busy.exec('true');
      const code = busy
        .runCode('import time\ntime.sleep(30)', { timeoutMs: 60_000 })
        .catch((err: Error) => err);
      await new Promise((r) => setTimeout(r, 300));
      await busy.delete();
      expect(await code).toMatchObject({ error: { name: 'InterpreterDied' } });
      // What a racing stop might write back would show up only after it settles.
      await new Promise((r) => setTimeout(r, 300));
      expect(await h.provider.list({ labels: { conversation: `${conversation}-busy` } })).toEqual([]);
      expect(await h.provider.get(busy.id)).toBeUndefined();
    });
  });
}
