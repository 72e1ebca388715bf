// The disk limit of local sandboxes: each workspace is an ext4 filesystem in a sparse image file
// ($SANDGATE_HOME/sandboxes/.disks/<id>.ext4) loop-mounted on the workspace directory while the
// sandbox runs, so files persist across stop/start. Needs root and mkfs.ext4; `probe` says why not.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, open, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { cutText } from '../../../text/cut.js';
import { sleep } from '../../../timing/clock.js';
import { findOnPath, type RunAs } from './host-dirs.js';

const run = promisify(execFile);
const SBIN = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** nosuid/nodev: nothing in a workspace may gain privileges; discard: deleted files free host disk. */
const MOUNT_OPTS = 'loop,nosuid,nodev,noatime,discard';

export interface DiskSupport {
  ok: boolean;
  reason?: string;
  fix?: string;
}

async function tool(name: string): Promise<string | undefined> {
  return await findOnPath(name, `${process.env.PATH ?? ''}:${SBIN}`);
}

/** Mount points in this process's mount namespace (mountinfo field 5, octal escapes undone). */
export function mountPoints(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  return mountinfo
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8))));
}

async function mkfs(image: string, sizeMb: number, owner?: RunAs): Promise<void> {
  const mkfsExt4 = (await tool('mkfs.ext4')) as string;
  const fh = await open(image, 'wx', 0o600);
  try {
    await fh.truncate(sizeMb * 1024 * 1024);
  } finally {
    await fh.close();
  }
  const rootOwner = owner ? `root_owner=${owner.uid}:${owner.gid},` : '';
  // -m 0: no blocks reserved for root (the whole limit is the sandbox's); lazy init keeps it ~20 ms.
  await run(mkfsExt4, [
    '-q',
    '-F',
    '-m',
    '0',
    '-E',
    `${rootOwner}lazy_itable_init=1,lazy_journal_init=1,nodiscard`,
    image,
  ]);
}

/** Tries the whole mechanism once (a tiny image, mounted and unmounted) and says why it fails. */
export async function probeDisks(uid = process.getuid?.() ?? 1): Promise<DiskSupport> {
  if (uid !== 0)
    return {
      ok: false,
      reason: 'the gateway does not run as root, and a size-limited workspace needs a loop mount',
      fix: 'run the gateway as root (sandboxes then run as an unprivileged uid), or accept per-file limits only (sandbox.local.maxFileMb)',
    };
  for (const t of ['mkfs.ext4', 'mount', 'umount'])
    if (!(await tool(t)))
      return {
        ok: false,
        reason: `${t} was not found`,
        fix: 'install e2fsprogs and mount (Debian/Ubuntu: `sudo apt install e2fsprogs mount`)',
      };
  const dir = await mkdtemp(join(tmpdir(), 'sandgate-disk-probe-'));
  try {
    await mkfs(join(dir, 'probe.ext4'), 8);
    await mkdir(join(dir, 'mnt'));
    await run((await tool('mount')) as string, ['-o', MOUNT_OPTS, join(dir, 'probe.ext4'), join(dir, 'mnt')]);
    await run((await tool('umount')) as string, [join(dir, 'mnt')]);
    return { ok: true };
  } catch (err) {
    const msg = cutText(((err as { stderr?: string }).stderr || (err as Error).message).trim(), 300);
    return {
      ok: false,
      reason: `loop-mounting an ext4 image failed: ${msg}`,
      fix: 'in a container, allow loop devices and mounts (CAP_SYS_ADMIN, /dev/loop-control)',
    };
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

export class WorkspaceDisks {
  private readonly disks: string;

  constructor(
    /** $SANDGATE_HOME/sandboxes: workspaces are `<dir>/<id>`. */
    private readonly dir: string,
    /** Size of each new workspace filesystem in MiB. */
    readonly sizeMb: number,
    private readonly log: Logger,
  ) {
    this.disks = join(dir, '.disks');
  }

  image(id: string): string {
    return join(this.disks, `${id}.ext4`);
  }

  has(id: string): boolean {
    return existsSync(this.image(id));
  }

  isMounted(workspace: string): boolean {
    return mountPoints().includes(workspace);
  }

  /** A fresh, empty filesystem for a new sandbox (not mounted yet). */
  async create(id: string, owner?: RunAs): Promise<void> {
    await mkdir(this.disks, { recursive: true, mode: 0o700 });
    await chmod(this.disks, 0o700);
    await mkfs(this.image(id), this.sizeMb, owner);
  }

  /** Mounts the sandbox's filesystem on its workspace directory unless it already is. */
  async mount(id: string, workspace: string): Promise<void> {
    if (this.isMounted(workspace)) return;
    await mkdir(workspace, { recursive: true, mode: 0o700 });
    await run((await tool('mount')) as string, ['-o', MOUNT_OPTS, this.image(id), workspace]);
    // mkfs makes lost+found (root's, mode 0700): the workspace should list only the sandbox's files.
    await rmdir(join(workspace, 'lost+found')).catch(() => undefined);
    await chmod(workspace, 0o700);
  }

  /** Unmounts; waits briefly for the sandbox's mount namespace to go, then detaches lazily. */
  async unmount(workspace: string): Promise<void> {
    const umount = (await tool('umount')) as string;
    const deadline = Date.now() + 2000;
    while (this.isMounted(workspace)) {
      try {
        await run(umount, [workspace]);
      } catch (err) {
        if (Date.now() < deadline) {
          await sleep(25);
          continue;
        }
        this.log.warn({ workspace, err: (err as Error).message }, 'workspace busy: detaching it lazily');
        await run(umount, ['-l', workspace]);
      }
    }
  }

  /** Unmounts and deletes the sandbox's filesystem image. */
  async remove(id: string, workspace: string): Promise<void> {
    await this.unmount(workspace);
    await rm(this.image(id), { force: true });
  }

  /** Unmounts every workspace a crashed gateway left mounted (call while holding the instance lock). */
  async reclaim(): Promise<string[]> {
    const stale = mountPoints().filter((p) => p.startsWith(`${this.dir}/`));
    for (const p of stale) await this.unmount(p);
    return stale;
  }

  /** Free and total bytes of a mounted workspace (one statfs: synchronous, like the counters beside it). */
  usage(workspace: string): { free: number; size: number } {
    const s = statfsSync(workspace);
    return { free: s.bavail * s.bsize, size: s.blocks * s.bsize };
  }
}
