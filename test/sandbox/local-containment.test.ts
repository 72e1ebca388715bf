// Whole-sandbox limits on the real local provider (run as root: cgroups and loop mounts): memory
// across processes and /dev/shm, a workspace disk limit, a process limit under a fork storm while
// another sandbox keeps answering, and no process outliving the command that started it.

import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalSandboxProvider } from '../../src/sandbox/providers/local/local-provider.js';
import { leftovers, localProvider, tempHome, until } from './helpers.js';

const SMALL = { memoryMb: 256, maxProcesses: 64, maxFileMb: 512, cpuSeconds: 60, cpus: 1, diskMb: 200 };

/** Host processes whose command line contains `marker` (sandbox processes are host processes too). */
function hostProcesses(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(marker))
        found.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

describe('local sandbox containment', () => {
  const { home, cleanup } = tempHome();
  const provider: LocalSandboxProvider = localProvider(home, { limits: SMALL, execTimeoutMs: 30_000 });

  afterAll(async () => {
    await provider.shutdown();
    expect(leftovers(home)).toEqual([]);
    cleanup();
  });

  it('says which limits it enforces, and how', async () => {
    const status = await provider.limitStatus();
    expect(status.map((s) => [s.limit, s.enforced])).toEqual([
      ['memory', true],
      ['processes', true],
      ['cpu', true],
      ['disk', true],
      ['cleanup', true],
    ]);
    expect(status.find((s) => s.limit === 'memory')?.detail).toContain('256 MB per sandbox');
  });

  it('stops allocations across several processes and in /dev/shm at the memory limit', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    // Four processes of 100 MB each: every one is under the per-process limit, together they are not.
    const hogs = await box.exec(
      'for i in 1 2 3 4; do python3 -c "b = b\\"x\\" * (100 * 1024 * 1024); import time; time.sleep(3); print(\\"held\\")" & done; wait',
    );
    expect(hogs.stdout.match(/held/g)?.length ?? 0).toBeLessThan(4);
    expect(hogs.stderr).toContain('memory limit');
    expect(hogs.stderr).toContain('sandbox.local.memoryMb');
    const shm = await box.exec('dd if=/dev/zero of=/dev/shm/fill bs=1M count=400 2>&1; ls -l /dev/shm');
    const size = Number(/(\d+) \w+ \d+ [\d:]+ fill/.exec(shm.stdout)?.[1] ?? '0');
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThan(256 * 1024 * 1024);
    expect(shm.stderr).toContain('memory limit');
    // Only that sandbox's work failed: freeing the file brings it back.
    expect((await box.exec('rm /dev/shm/fill && echo alive')).stdout).toBe('alive\n');
  });

  it('stops dd at the workspace disk limit, says so, and keeps the files across a restart', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    await box.writeFile('keep.txt', 'kept');
    const dd = await box.exec('dd if=/dev/zero of=big bs=1M count=400');
    expect(dd.exitCode).not.toBe(0);
    expect(dd.stderr).toContain('No space left on device');
    expect(dd.stderr).toContain('disk limit');
    expect(dd.stderr).toContain('sandbox.local.diskMb');
    const written = Number((await box.exec('stat -c %s big')).stdout.trim());
    expect(written).toBeGreaterThan(100 * 1024 * 1024);
    expect(written).toBeLessThanOrEqual(200 * 1024 * 1024);
    // The host holds no more than the limit for it.
    const image = statSync(`${home}/sandboxes/.disks/${box.id}.ext4`);
    expect(image.blocks * 512).toBeLessThanOrEqual(201 * 1024 * 1024);
    expect((await box.exec('rm big && echo room')).stdout).toBe('room\n');
    await box.stop();
    expect((await box.readFile('keep.txt')).toString()).toBe('kept');
  });

  it('leaves no background or setsid process behind a finished command, a timeout or a cancel', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    const done = await box.exec(
      'sleep 9301 & setsid sleep 9302 & (setsid sh -c "sleep 9303 &") ; nohup sleep 9304 >/dev/null 2>&1 & echo started',
    );
    expect(done).toMatchObject({ exitCode: 0, stdout: 'started\n' });
    expect(done.stderr).toMatch(/stopped [34] processes the command left running/);
    expect(hostProcesses('sleep 930')).toEqual([]);

    const timed = await box.exec('setsid sleep 9305 & sleep 9306', { timeoutMs: 1000 });
    expect(timed.timedOut).toBe(true);
    expect(timed.stderr).toMatch(/timed out after 1s: stopped the command and \d+ process(es)? it started/);
    expect(hostProcesses('sleep 930')).toEqual([]);

    const cancel = new AbortController();
    const running = box.exec('setsid sleep 9307 & sleep 9308 & wait', { signal: cancel.signal });
    await until(async () => (hostProcesses('sleep 9308').length ? true : undefined), 'the command to start');
    cancel.abort();
    const cancelled = await running;
    expect(cancelled.stderr).toMatch(/cancelled: stopped the command and 2 processes it started/);
    expect(hostProcesses('sleep 930')).toEqual([]);
  });

  it('lets a server started on purpose outlive commands, until the sandbox stops', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    const server = await box.startProcess('setsid sleep 9311 & exec sleep 9312');
    await until(async () => (hostProcesses('sleep 9311').length ? true : undefined), 'the server');
    await box.exec('true');
    expect(hostProcesses('sleep 9311')).toHaveLength(1);
    expect(await server.running()).toBe(true);
    await box.stop();
    expect(hostProcesses('sleep 931')).toEqual([]);
  });

  it('stops what /py code leaves running after each run, but keeps the interpreter', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    const r = await box.runCode('import subprocess\np = subprocess.Popen(["sleep", "321"])\nx = 7');
    expect(r.stderr).toContain('stopped 1 process the code left running');
    expect(hostProcesses('sleep 9321')).toEqual([]);
    expect((await box.runCode('print(x)')).stdout).toBe('7\n');
  });

  it('holds a fork storm under the process limit while another sandbox answers at once', async () => {
    const stormy = await provider.create({ labels: { sandgate: '1' } });
    const calm = await provider.create({ labels: { sandgate: '1' } });
    await calm.exec('true');
    // Three busy loops for the CPU, and 300 sleepers for the process table.
    const storm = stormy.exec(
      'for i in 1 2 3; do (while :; do :; done) & done; for i in $(seq 300); do sleep 960 & done; wait',
      { timeoutMs: 8000 },
    );
    await until(async () => (hostProcesses('seq 300').length ? true : undefined), 'the storm');
    const started = Date.now();
    expect((await calm.exec('echo ok')).stdout).toBe('ok\n');
    // Generous: the point is seconds, not the minute a stalled machine would take.
    expect(Date.now() - started).toBeLessThan(5000);
    const r = await storm;
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('process limit: at most 64 processes');
    expect(r.stderr).toContain('sandbox.local.maxProcesses');
    // What the storm managed to start stayed under the limit, and went with it.
    const stopped = Number(/stopped (\d+) processes/.exec(r.stderr)?.[1]);
    expect(stopped).toBeGreaterThan(10);
    expect(stopped).toBeLessThan(64);
    expect(hostProcesses('sleep 960')).toEqual([]);
    expect((await stormy.exec('echo recovered')).stdout).toBe('recovered\n');
  });

  it('removes its cgroups, mount and image on delete, and what a crashed gateway left at the next start', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    await box.exec('sleep 9331 & true');
    await box.startProcess('sleep 9332');
    expect(leftovers(home).length).toBeGreaterThan(0);
    await box.delete();
    expect(leftovers(home).filter((l) => l.includes(box.id))).toEqual([]);
    expect(statSync(`${home}/sandboxes/.disks`).isDirectory()).toBe(true);
    expect(readdirSync(`${home}/sandboxes/.disks`)).not.toContain(`${box.id}.ext4`);

    // A gateway that died without stopping its sandbox: the next one (holding the lock) reclaims it.
    const other = tempHome();
    const crashed = localProvider(other.home, { limits: SMALL });
    const orphan = await crashed.create({ labels: { sandgate: '1' } });
    await orphan.startProcess('sleep 9333');
    expect(leftovers(other.home).filter((l) => l.includes(orphan.id)).length).toBeGreaterThan(0);
    const next = localProvider(other.home, { limits: SMALL, reclaimStale: true });
    await next.init();
    expect(leftovers(other.home).filter((l) => l.includes(orphan.id))).toEqual([]);
    expect(hostProcesses('sleep 9333')).toEqual([]);
    await crashed.shutdown();
    await next.shutdown();
    expect(leftovers(other.home)).toEqual([]);

    // A home removed under a running sandbox (its metadata gone, the mount left): any gateway starting
    // later, whatever its own home, releases that workspace and its cgroups.
    const abandoned = localProvider(other.home, { limits: SMALL });
    const lost = await abandoned.create({ labels: { sandgate: '1' } });
    await lost.startProcess('sleep 9334');
    rmSync(`${other.home}/sandboxes/${lost.id}.json`);
    const elsewhere = tempHome();
    const unrelated = localProvider(elsewhere.home, { limits: SMALL, reclaimStale: true });
    await unrelated.init();
    expect(leftovers(other.home)).toEqual([]);
    expect(hostProcesses('sleep 9334')).toEqual([]);
    await abandoned.shutdown();
    await unrelated.shutdown();
    elsewhere.cleanup();
    other.cleanup();
  });
});
