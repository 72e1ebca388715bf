// Host-side preparation for local sandboxes: the sandboxes directory, a private copy of
// src/sandbox/runtime, the sandbox's passwd/group files, and (when the gateway runs as root) an
// unprivileged uid for sandboxes, which reaches them through the share only. Fails with a fix hint.

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
  /** $SANDGATE_HOME/sandboxes: workspaces and their metadata (owner-only). */
  dir: string;
  /**
   * Where the runtime files and passwd/group go: `dir` itself, or (gateway root, sandboxes as
   * another uid) a directory that uid can reach, outside the state dir (see sandbox-share.ts).
   */
  shareDir?: string;
  isolation: 'bwrap' | 'none';
  bwrapPath: string;
  runAs?: RunAs;
  runtimeSource?: string;
  passwd: string;
  group: string;
}

/** mkdir with an exact mode: the process umask (sandgate runs with 077) must not decide it. */
async function dirWithMode(dir: string, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true, mode });
  await chmod(dir, mode);
}

export async function prepareHostDirs(o: PrepareOptions) {
  if (o.isolation === 'bwrap' && !(await findOnPath(o.bwrapPath))) {
    throw new SandboxUnavailableError(
      'bubblewrap (bwrap) is not installed, so sandboxes cannot be isolated',
      'install it (Debian/Ubuntu: `sudo apt install bubblewrap`), or set sandbox.local.isolation = "none" to run code unisolated (unsafe)',
    );
  }
  const runAs = sandboxRunAs(o.isolation, o.runAs);
  await dirWithMode(o.dir, 0o700);
  const share = o.shareDir ?? o.dir;
  if (runAs) {
    const blocked = untraversable(share, runAs);
    if (blocked) {
      throw new SandboxUnavailableError(
        `the gateway runs as root, so sandboxes run as uid ${runAs.uid}, which cannot reach ${share} (blocked at ${blocked})`,
        `run sandgate as a normal user, or allow traversal with \`chmod o+x ${blocked}\``,
      );
    }
  }
  const runtimeDir = join(share, '.runtime');
  const systemDir = join(share, '.system');
  await dirWithMode(runtimeDir, 0o755);
  await dirWithMode(systemDir, 0o755);
  const source = o.runtimeSource ?? findRuntimeSource();
  for (const f of RUNTIME_FILES) {
    const tmp = join(runtimeDir, `.${f}.${process.pid}`);
    await copyFile(join(source, f), tmp);
    await chmod(tmp, 0o644);
    await rename(tmp, join(runtimeDir, f));
  }
  const passwd = join(systemDir, 'passwd');
  const group = join(systemDir, 'group');
  for (const [file, text] of [
    [passwd, o.passwd],
    [group, o.group],
  ] as const) {
    await writeFile(file, text, { mode: 0o644 });
    await chmod(file, 0o644);
  }
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
