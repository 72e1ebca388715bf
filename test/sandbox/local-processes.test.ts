// Background processes in a real local sandbox: their logs can be read while they run, kill() stops
// them, and stopping the sandbox stops everything; the workspace and metadata survive a restart.

import { afterAll, describe, expect, it } from 'vitest';
import { localProvider, tempHome, until } from './helpers.js';

describe('local background processes and lifecycle', () => {
  const { home, cleanup } = tempHome();
  const provider = localProvider(home);

  afterAll(async () => {
    await provider.shutdown();
    cleanup();
  });

  it('keeps logs of a background process and kills it on request', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    const proc = await box.startProcess(
      'for i in 1 2 3; do echo line$i; done; echo oops >&2; exec sleep 1000',
    );
    expect(proc.pid).toBeGreaterThan(0);
    const logs = await until(async () => {
      const l = await proc.logs();
      return l.includes('oops') ? l : undefined;
    }, 'process output');
    expect(logs).toContain('line1\nline2\nline3\n');
    expect(await proc.running()).toBe(true);
    await proc.kill();
    await until(async () => ((await proc.running()) ? undefined : true), 'process exit');
    expect(await proc.logs()).toContain('process exited with code 137');
    expect((await box.exec('cat /proc/[0-9]*/comm')).stdout).not.toContain('sleep');
  });

  it('stops background processes when the sandbox stops, and comes back with its files', async () => {
    const box = await provider.create({ labels: { sandgate: '1', conversation: 'keep' } });
    await box.writeFile('notes/todo.txt', 'ship it');
    const proc = await box.startProcess('sleep 1000');
    await box.stop();
    expect(await proc.running()).toBe(false);
    expect((await provider.list({ labels: { conversation: 'keep' } })).map((s) => [s.id, s.state])).toEqual([
      [box.id, 'stopped'],
    ]);
    // A new provider (a gateway restart) finds it by id and label, files intact.
    const again = localProvider(home);
    const found = await again.get(box.id);
    expect(found).toBeDefined();
    expect((await found!.readFile('notes/todo.txt')).toString()).toBe('ship it');
    expect((await found!.listFiles('notes')).map((f) => f.path)).toEqual([
      `${found!.workdir}/notes/todo.txt`,
    ]);
    await again.shutdown();
  });

  it('refuses file paths that leave the workspace, including through symlinks', async () => {
    const box = await provider.create({ labels: { sandgate: '1' } });
    await box.exec('ln -s /etc/passwd link; ln -s / rootlink');
    await expect(box.readFile('../../../etc/hostname')).rejects.toThrow(/outside the workspace/);
    await expect(box.readFile('link')).rejects.toThrow(/outside the workspace/);
    await expect(box.writeFile('rootlink/tmp/x', 'x')).rejects.toThrow(/outside the workspace/);
    await expect(box.listFiles('/usr')).rejects.toThrow(/outside the workspace/);
    await box.writeFile('bin.dat', Buffer.from([0, 255, 1, 254]));
    expect([...(await box.readFile('bin.dat'))]).toEqual([0, 255, 1, 254]);
  });

  it('deletes a sandbox with its files and forgets it; a deleted sandbox says so clearly', async () => {
    const box = await provider.create({ labels: { sandgate: '1', conversation: 'gone' } });
    await box.exec('mkdir -p locked/inner && touch locked/inner/f && chmod 000 locked/inner locked');
    await box.delete();
    expect(await provider.get(box.id)).toBeUndefined();
    expect(await provider.list({ labels: { conversation: 'gone' } })).toEqual([]);
    await expect(box.exec('true')).rejects.toThrow(/no longer exists/);
  });
});
