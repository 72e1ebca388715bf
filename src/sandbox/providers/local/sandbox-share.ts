// When the gateway runs as root, sandboxes run as an unprivileged uid that must not reach the state
// dir ($SANDGATE_HOME stays 0700). What bubblewrap binds in is offered instead under a root-owned
// directory elsewhere (/run/sandgate/<instance>): runtime files, passwd/group, running workspaces,
// and tools installed under the state dir (the Claude Code binary), each bound read-only.

import { execFile } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { chmod, mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findOnPath } from './host-dirs.js';
import { mountPoints } from './workspace-disks.js';

const run = promisify(execFile);
const SBIN = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Makes `dir` (one level) root's own with `mode`, refusing a symlink or a directory someone else made. */
async function ownDir(dir: string, mode: number): Promise<void> {
  await mkdir(dir, { mode }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== 0) throw new Error(`${dir} is not a directory owned by root`);
  await chmod(dir, mode);
}

async function tool(name: string): Promise<string> {
  const path = await findOnPath(name, `${process.env.PATH ?? ''}:${SBIN}`);
  if (!path) throw new Error(`${name} was not found`);
  return path;
}

export class SandboxShare {
  private constructor(readonly dir: string) {}

  /** /run/sandgate/<instance>, or under the temp dir on a system without /run. */
  static async open(instance: string): Promise<SandboxShare> {
    const parent = existsSync('/run') ? '/run/sandgate' : join(tmpdir(), 'sandgate-run');
    const share = new SandboxShare(join(parent, instance));
    await share.ensure();
    return share;
  }

  /** (Re)creates the directories: another provider on this home may have closed the share. */
  async ensure(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        // 0711: the sandbox uid may pass through to the paths it is given, and list nothing.
        await ownDir(join(this.dir, '..'), 0o711);
        await ownDir(this.dir, 0o711);
        await ownDir(join(this.dir, 'ws'), 0o711);
        return;
      } catch (err) {
        // Another gateway may have removed the empty parent between two mkdirs.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 2) throw err;
      }
    }
  }

  workspace(id: string): string {
    return join(this.dir, 'ws', id);
  }

  /** Binds the workspace (a directory or a mounted image) where the sandbox uid can reach it. */
  async expose(id: string, source: string): Promise<string> {
    const target = this.workspace(id);
    if (mountPoints().includes(target)) return target;
    await this.ensure();
    await mkdir(target, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    await run(await tool('mount'), ['--bind', source, target]);
    return target;
  }

  async conceal(id: string): Promise<void> {
    const target = this.workspace(id);
    if (mountPoints().includes(target)) {
      try {
        await run(await tool('umount'), [target]);
      } catch {
        await run(await tool('umount'), ['-l', target]);
      }
    }
    await rmdir(target).catch(() => undefined);
  }

  /**
   * Binds one tool file read-only at <share>/tools/<name>, reachable by the sandbox uid whatever the
   * directories above the original are (the file's own mode still has to let others run it).
   */
  async exposeTool(name: string, source: string): Promise<string> {
    const target = join(this.dir, 'tools', name);
    if (mountPoints().includes(target)) return target;
    await this.ensure();
    await ownDir(join(this.dir, 'tools'), 0o711);
    await writeFile(target, '', { mode: 0o644, flag: 'a' });
    await run(await tool('mount'), ['--bind', source, target]);
    await run(await tool('mount'), ['-o', 'remount,bind,ro', target]);
    return target;
  }

  private async concealTools(): Promise<void> {
    for (const p of mountPoints().filter((m) => m.startsWith(`${this.dir}/tools/`))) {
      await run(await tool('umount'), [p]).catch(() => run('umount', ['-l', p]).catch(() => undefined));
    }
  }

  /** Removes binds a crashed gateway left (call while holding the instance lock). */
  async reclaim(): Promise<string[]> {
    await this.concealTools();
    const stale = mountPoints().filter((p) => p.startsWith(`${this.dir}/ws/`));
    for (const p of stale) await this.conceal(p.slice(this.dir.length + 4));
    for (const name of await readdir(join(this.dir, 'ws')).catch(() => []))
      await rmdir(join(this.dir, 'ws', name)).catch(() => undefined);
    return stale;
  }

  /** Gateway shutdown, every sandbox stopped: remove the share (and its parent once empty). */
  async close(): Promise<void> {
    await this.concealTools();
    if (mountPoints().some((p) => p.startsWith(`${this.dir}/`))) return;
    await rm(this.dir, { recursive: true, force: true });
    await rmdir(join(this.dir, '..')).catch(() => undefined);
  }
}
