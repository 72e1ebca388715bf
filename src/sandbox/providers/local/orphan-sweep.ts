// At gateway start, besides its own leftovers: workspaces of any sandgate home still mounted although
// their metadata or image is gone, or their cgroups long empty (a deleted home, a killed gateway or
// test run), are unmounted with their share bind; long-empty sandbox cgroups go. Running ones stay.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { mountPoints } from './workspace-disks.js';

const run = promisify(execFile);
const WORKSPACE = /^(.+\/sandboxes)\/(sb-[a-z0-9]{10})$/;
const BIND = /^(\/.+\/sandgate(?:-run)?\/[a-f0-9]{12})\/ws\/(sb-[a-z0-9]{10})$/;

async function umount(path: string): Promise<void> {
  await run('umount', [path]).catch(() => run('umount', ['-l', path]).catch(() => undefined));
}

/** Kills what is left in a cgroup directory tree and removes it. */
async function removeCgroup(dir: string): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const procs = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean);
    await writeFile(join(dir, 'cgroup.kill'), '1').catch(() => undefined);
    for (const p of procs) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => []))
      if (e.isDirectory()) await removeCgroup(join(dir, e.name));
    if (
      await rmdir(dir).then(
        () => true,
        (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The cgroup directories (every hierarchy, every start) of one sandbox of one instance. */
async function groupsOf(roots: string[], instance: string, id: string): Promise<string[]> {
  const groups: string[] = [];
  for (const root of roots) {
    const base = join(root, 'sandgate', instance);
    for (const name of await readdir(base).catch(() => []))
      if (name === id || name.startsWith(`${id}-`)) groups.push(join(base, name));
  }
  return groups;
}

async function processesIn(dir: string): Promise<number> {
  let n = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean).length;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => []))
    if (e.isDirectory()) n += await processesIn(join(dir, e.name));
  return n;
}

/**
 * A mounted workspace whose cgroups have held no process for a while: its gateway died without
 * stopping it (the 30 s spare a start in progress, which mounts before its supervisor runs).
 */
async function abandoned(groups: string[]): Promise<boolean> {
  if (!groups.length) return false;
  for (const g of groups) if ((await processesIn(g)) > 0) return false;
  return groups.some((g) => Date.now() - statSync(g).ctimeMs > 30_000);
}

/**
 * Returns the orphaned workspaces it released. `cgroupRoots` are the hierarchies' parents (their
 * `sandgate/<instance>` directories are searched for the orphan's cgroups).
 */
export async function sweepOrphans(cgroupRoots: string[]): Promise<string[]> {
  const swept: string[] = [];
  // Gone metadata, or a gone image under a mounted workspace: what deleting a home leaves.
  const orphan = (sandboxes: string, id: string) =>
    !existsSync(join(sandboxes, `${id}.json`)) || !existsSync(join(sandboxes, '.disks', `${id}.ext4`));
  // Binds first (a bind keeps its image attached): those of an orphaned workspace, or whose cgroups
  // (the share's directory is named like the instance) have long been empty.
  const mounts = mountPoints();
  for (const p of mounts) {
    const bind = BIND.exec(p);
    if (!bind) continue;
    const id = bind[2] as string;
    const ws = mounts.find((m) => m.endsWith(`/sandboxes/${id}`));
    const groups = await groupsOf(cgroupRoots, basename(bind[1] as string), id);
    if ((ws && orphan(dirname(ws), id)) || (await abandoned(groups))) await umount(p);
  }
  for (const p of mounts) {
    const m = WORKSPACE.exec(p);
    if (!m) continue;
    const [, sandboxes, id] = m as unknown as [string, string, string];
    const instance = createHash('sha256').update(sandboxes).digest('hex').slice(0, 12);
    const groups = await groupsOf(cgroupRoots, instance, id);
    if (!orphan(sandboxes, id) && !(await abandoned(groups))) continue;
    for (const g of groups) await removeCgroup(g);
    for (const g of groups) await rmdir(dirname(g)).catch(() => undefined);
    for (const b of mountPoints().filter((x) => BIND.exec(x)?.[2] === id)) await umount(b);
    await umount(p);
    swept.push(p);
  }
  // A running sandbox's cgroup always holds its supervisor: one empty for 30 s is left over, any home.
  for (const root of cgroupRoots) {
    for (const instance of await readdir(join(root, 'sandgate')).catch(() => [])) {
      const base = join(root, 'sandgate', instance);
      if (!/^[a-f0-9]{12}$/.test(instance)) continue;
      for (const name of await readdir(base).catch(() => []))
        if (/^sb-[a-z0-9]{10}/.test(name) && (await abandoned([join(base, name)]))) {
          await removeCgroup(join(base, name));
          swept.push(join(base, name));
        }
      await rmdir(base).catch(() => undefined);
    }
  }
  return swept;
}
