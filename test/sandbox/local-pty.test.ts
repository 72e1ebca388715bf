// Local PTY sessions beyond the provider contract: a JavaScriptCore runtime (Claude Code's) needs a
// large address space, so a session's processes get at least 4 GiB of it even when the sandbox's
// per-process limit is smaller; ordinary commands keep the configured limit.

import { afterAll, describe, expect, it } from 'vitest';
import { localProvider, tempHome, until } from './helpers.js';

describe('local PTY sessions', () => {
  const home = tempHome();
  const provider = localProvider(home.home, { limits: { memoryMb: 512, maxProcesses: 64 } });
  afterAll(async () => {
    await provider.shutdown();
    home.cleanup();
  });

  it('get an address-space floor of 4 GiB; exec keeps the sandbox limit', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    expect((await box.exec('ulimit -v')).stdout.trim()).toBe(String(512 * 1024));
    let out = '';
    const pty = await box.createPty!({ id: 'as', onData: (d) => (out += Buffer.from(d).toString()) });
    await pty.sendInput('echo "as=$(ulimit -v)"; exit\n');
    await pty.wait();
    await until(async () => (/as=\d+/.test(out) ? true : undefined), 'the PTY output');
    expect(/as=(\d+)/.exec(out)?.[1]).toBe(String(4 * 1024 * 1024));
  });
});
