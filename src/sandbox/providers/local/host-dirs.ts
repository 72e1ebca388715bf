// Host-side preparation for local sandboxes: the sandboxes directory, a private copy of
// src/sandbox/runtime, the sandbox's passwd/group files, and (when the gateway runs as root) an
// unprivileged uid for sandboxes, which must be able to reach the workspaces. Fails with a fix hint.

import { constants, existsSync, statSync } from 'node:fs';
import { access, chmod, copyFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { SandboxUnavailableError } from '../../errors.js';
import { DRIVER_FILES, findRuntimeSource, SUPERVISOR_FILES } from '../../runtime-files.js';

export interface RunAs {
  uid: number;
  gid: number;
}

export const NOBODY: RunAs = { uid: 65534, gid: 65534 };
const RUNTIME_FILES = [...SUPERVISOR_FILES, ...DRIVER_FILES];

export async function findOnPath(cmd: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  if (cmd.includes('/')) return existsSync(cmd) ? cmd : undefined;
  for (const dir of [...path.split(delimiter), '/usr/bin', '/bin']) {
    if (!dir) continue;
    const full = join(dir, cmd);
    try {
      await access(full, constants.X_OK);
      return full;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** The first directory on the way to `dir` that `uid` cannot pass through, if any. */
export function untraversable(dir: string, who: RunAs): string | undefined {
  let cur = dir;
  for (;;) {
    const st = statSync(cur);
    const ok =
      (st.mode & 0o001) !== 0 ||
      (st.uid === who.uid && (st.mode & 0o100) !== 0) ||
      (st.gid === who.gid && (st.mode & 0o010) !== 0);
    if (!ok) return cur;
    const parent = dirname(cur);
    if (parent === cur) return undefined;
    cur = parent;
  }
}

export function sandboxRunAs(isolation: 'bwrap' | 'none', runAs?: RunAs): RunAs | undefined {
  if (isolation !== 'bwrap' || process.getuid?.() !== 0) return undefined;
  return runAs ?? NOBODY;
}

export interface PrepareOptions {
  dir: string;
  isolation: 'bwrap' | 'none';
  bwrapPath: string;
  runAs?: RunAs;
  runtimeSource?: string;
  passwd: string;
  group: string;
}

export async function prepareHostDirs(o: PrepareOptions) {
  if (o.isolation === 'bwrap' && !(await findOnPath(o.bwrapPath))) {
    throw new SandboxUnavailableError(
      'bubblewrap (bwrap) is not installed, so sandboxes cannot be isolated',
      'install it (Debian/Ubuntu: `sudo apt install bubblewrap`), or set sandbox.local.isolation = "none" to run code unisolated (unsafe)',
    );
  }
  const runAs = sandboxRunAs(o.isolation, o.runAs);
  await mkdir(o.dir, { recursive: true, mode: 0o711 });
  if (runAs) {
    await chmod(o.dir, 0o711);
    // SANDGATE_HOME is ours: let the sandbox uid pass through it (traverse only, no listing).
    const home = dirname(o.dir);
    const st = statSync(home);
    if (st.uid === process.getuid?.() && (st.mode & 0o001) === 0)
      await chmod(home, (st.mode & 0o7777) | 0o001);
    const blocked = untraversable(o.dir, runAs);
    if (blocked) {
      throw new SandboxUnavailableError(
        `the gateway runs as root, so sandboxes run as uid ${runAs.uid}, which cannot reach ${o.dir} (blocked at ${blocked})`,
        `run sandgate as a normal user, or allow traversal with \`chmod o+x ${blocked}\`, or set SANDGATE_HOME to a directory others can traverse`,
      );
    }
  }
  const runtimeDir = join(o.dir, '.runtime');
  const systemDir = join(o.dir, '.system');
  await mkdir(runtimeDir, { recursive: true, mode: 0o755 });
  await mkdir(systemDir, { recursive: true, mode: 0o755 });
  const source = o.runtimeSource ?? findRuntimeSource();
  for (const f of RUNTIME_FILES) {
    const tmp = join(runtimeDir, `.${f}.${process.pid}`);
    await copyFile(join(source, f), tmp);
    await chmod(tmp, 0o644);
    await rename(tmp, join(runtimeDir, f));
  }
  const passwd = join(systemDir, 'passwd');
  const group = join(systemDir, 'group');
  await writeFile(passwd, o.passwd, { mode: 0o644 });
  await writeFile(group, o.group, { mode: 0o644 });
  return { runtimeDir, passwd, group, runAs };
}

/** rm -rf that also copes with directories the sandbox made unwritable (chmod 000). */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
    return;
  } catch {
    await makeWritable(path);
  }
  await rm(path, { recursive: true, force: true });
}

async function makeWritable(path: string): Promise<void> {
  try {
    await chmod(path, 0o700);
    for (const e of await readdir(path, { withFileTypes: true })) {
      if (e.isDirectory()) await makeWritable(join(path, e.name));
    }
  } catch {
    // best effort: the final rm reports what is left
  }
}
