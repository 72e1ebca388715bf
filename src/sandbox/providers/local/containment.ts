// Whole-sandbox limits for local sandboxes, in one place: cgroups (memory incl. tmpfs, processes,
// CPU, one job cgroup per command) and a size-limited workspace filesystem. Says which limit is
// enforced and how, and which is not and why; the provider logs it at start and doctor prints it.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type CgroupSupport, type Controller, probeCgroups } from './cgroup-probe.js';
import { findOnPath, type RunAs } from './host-dirs.js';
import { sweepOrphans } from './orphan-sweep.js';
import { type SandboxCgroup, SandboxCgroups } from './sandbox-cgroups.js';
import { SandboxShare } from './sandbox-share.js';
import { type DiskSupport, mountPoints, probeDisks, WorkspaceDisks } from './workspace-disks.js';

export interface ContainmentLimits {
  memoryMb: number;
  maxProcesses: number;
  /** CPUs' worth of time per sandbox; 0 = no CPU limit. */
  cpus: number;
  /** Size of each new workspace filesystem; 0 = no disk limit. */
  diskMb: number;
  /** Per-file limit that remains when the disk limit is not enforced. */
  maxFileMb: number;
}

export type LimitName = 'memory' | 'processes' | 'cpu' | 'disk' | 'cleanup';

export interface LimitStatus {
  limit: LimitName;
  enforced: boolean;
  /** How it is enforced, or what happens instead and why. */
  detail: string;
  fix?: string;
}

/** ext4 keeps a few blocks it cannot hand out; below this the workspace counts as full. */
const FULL_BELOW_BYTES = 4 * 1024 * 1024;

const CONTROLLER_LIMIT: Record<Controller, LimitName> = { memory: 'memory', pids: 'processes', cpu: 'cpu' };
const CONFIG_KEY: Record<LimitName, string> = {
  memory: 'sandbox.local.memoryMb',
  processes: 'sandbox.local.maxProcesses',
  cpu: 'sandbox.local.cpus',
  disk: 'sandbox.local.diskMb',
  cleanup: '',
};

function fallback(limit: LimitName, l: ContainmentLimits): string {
  if (limit === 'memory') return `each process is limited to ${l.memoryMb} MB of address space instead`;
  if (limit === 'processes')
    return `the sandbox user is limited to ${l.maxProcesses} processes (RLIMIT_NPROC) instead`;
  if (limit === 'disk') return `each file is limited to ${l.maxFileMb} MB (sandbox.local.maxFileMb) instead`;
  if (limit === 'cleanup') return 'a finished command is stopped by process group only';
  return 'sandboxes share the CPUs with the gateway';
}

/** What is and is not enforced, from the probes (or a set-up Containment). */
export function describeLimits(
  cg: {
    enforced: ReadonlySet<Controller>;
    problems: CgroupSupport['problems'];
    version(c: Controller | 'jobs'): string | undefined;
  },
  disk: DiskSupport,
  l: ContainmentLimits,
  setpriv: boolean,
): LimitStatus[] {
  const out: LimitStatus[] = [];
  const how: Record<Controller, string> = {
    memory: `${l.memoryMb} MB per sandbox, /tmp and /dev/shm included`,
    pids: `${l.maxProcesses} processes per sandbox`,
    cpu: `${l.cpus} CPU${l.cpus === 1 ? '' : 's'} per sandbox`,
  };
  for (const c of ['memory', 'pids', 'cpu'] as const) {
    const limit = CONTROLLER_LIMIT[c];
    if (c === 'cpu' && l.cpus === 0) {
      out.push({ limit, enforced: false, detail: `off (${CONFIG_KEY.cpu} = 0): ${fallback(limit, l)}` });
      continue;
    }
    if (cg.enforced.has(c) && setpriv) {
      out.push({ limit, enforced: true, detail: `${how[c]} (cgroup ${cg.version(c)} ${c} controller)` });
      continue;
    }
    const problem = cg.problems.find((p) => p.what === c);
    const reason = !setpriv
      ? 'setpriv (util-linux) is missing, so sandboxes cannot be put in a cgroup and dropped to their uid'
      : (problem?.reason ?? 'unavailable');
    out.push({
      limit,
      enforced: false,
      detail: `NOT enforced: ${reason}; ${fallback(limit, l)}`,
      ...(problem?.fix ? { fix: problem.fix } : {}),
    });
  }
  if (l.diskMb === 0)
    out.push({
      limit: 'disk',
      enforced: false,
      detail: `off (${CONFIG_KEY.disk} = 0): ${fallback('disk', l)}`,
    });
  else if (disk.ok)
    out.push({
      limit: 'disk',
      enforced: true,
      detail: `${l.diskMb} MB per workspace (loop-mounted ext4 image)`,
    });
  else
    out.push({
      limit: 'disk',
      enforced: false,
      detail: `NOT enforced: ${disk.reason}; ${fallback('disk', l)}`,
      ...(disk.fix ? { fix: disk.fix } : {}),
    });
  const jobs = cg.version('jobs');
  if (jobs && setpriv)
    out.push({
      limit: 'cleanup',
      enforced: true,
      detail: `every command runs in its own cgroup (${jobs}), emptied when it ends`,
    });
  else {
    const problem = cg.problems.find((p) => p.what === 'jobs');
    out.push({
      limit: 'cleanup',
      enforced: false,
      detail: `NOT enforced: ${problem?.reason ?? 'no usable cgroup'}; ${fallback('cleanup', l)}`,
      ...(problem?.fix ? { fix: problem.fix } : {}),
    });
  }
  return out;
}

function versionOf(support: CgroupSupport) {
  return (c: Controller | 'jobs') => {
    const h = c === 'jobs' ? support.jobs : support.hierarchies.find((x) => x.controllers.includes(c));
    return h ? `v${h.version}` : undefined;
  };
}

/** For `sandgate doctor`: probes only, changes nothing. */
export async function checkContainment(
  l: ContainmentLimits,
  runsAsRoot = process.getuid?.() === 0,
): Promise<LimitStatus[]> {
  const support = probeCgroups();
  const enforced = new Set(support.hierarchies.flatMap((h) => h.controllers));
  const setpriv = !runsAsRoot || !!(await findOnPath('setpriv'));
  const disk = l.diskMb > 0 ? await probeDisks() : { ok: false };
  return describeLimits(
    { enforced, problems: support.problems, version: versionOf(support) },
    disk,
    l,
    setpriv,
  );
}

export interface ContainmentOptions {
  /** $SANDGATE_HOME/sandboxes (real path). */
  dir: string;
  /** The host uid sandboxes run as when the gateway is root: it reaches workspaces through a share. */
  runAs?: RunAs;
  /** Names this gateway's cgroups (a hash of its home), so gateways with other homes are left alone. */
  instance: string;
  limits: ContainmentLimits;
  log: Logger;
}

/** What one supervisor start set up, undone when it exits. */
interface Started {
  cgroup?: string;
  mounted: boolean;
  bound: boolean;
}

export class Containment {
  private readonly started = new Map<string, Started>();

  private constructor(
    private readonly cgroups: SandboxCgroups,
    private readonly disks: WorkspaceDisks | undefined,
    readonly status: LimitStatus[],
    /** setpriv's path when the gateway is root (to drop to the sandbox uid after joining the cgroup). */
    readonly setpriv: string | undefined,
    private readonly limits: ContainmentLimits,
    private readonly dir: string,
    private readonly share: SandboxShare | undefined,
  ) {}

  /** Where bubblewrap's inputs (runtime files, passwd/group) go: the share, else the sandboxes dir. */
  get shareDir(): string {
    return this.share?.dir ?? this.dir;
  }

  /**
   * Probes, sets up the instance cgroups and (`reclaim`, only for the gateway that holds the
   * instance lock) removes cgroups and mounts an earlier gateway left. Never throws: what fails is
   * reported as not enforced.
   */
  static async setup(o: ContainmentOptions & { reclaim: boolean; enabled?: boolean }): Promise<Containment> {
    const root = process.getuid?.() === 0;
    const setpriv = root ? await findOnPath('setpriv') : undefined;
    let support = probeCgroups();
    if (root && !setpriv) support = { hierarchies: [], problems: support.problems };
    if (o.enabled === false) {
      const reason = 'turned off for this provider';
      support = {
        hierarchies: [],
        problems: (['memory', 'pids', 'cpu', 'jobs'] as const).map((what) => ({ what, reason })),
      };
    }
    const cgroups = new SandboxCgroups(support, o.instance);
    try {
      await cgroups.init();
    } catch (err) {
      o.log.warn({ err }, 'could not set up sandbox cgroups');
      cgroups.problems.push({ what: 'jobs', reason: `setting up cgroups failed: ${(err as Error).message}` });
      cgroups.enforced.clear();
    }
    const disk =
      o.enabled === false
        ? { ok: false, reason: 'turned off for this provider' }
        : o.limits.diskMb > 0
          ? await probeDisks()
          : { ok: false };
    const disks = disk.ok ? new WorkspaceDisks(o.dir, o.limits.diskMb, o.log) : undefined;
    // Throws (the sandbox could not start as that uid anyway): the provider reports it.
    const share = o.runAs ? await SandboxShare.open(o.instance) : undefined;
    if (o.reclaim) {
      await share
        ?.reclaim()
        .catch((err: unknown) => o.log.warn({ err }, 'could not remove stale workspace binds'));
      const stale = await cgroups.reclaim().catch((err: unknown) => {
        o.log.warn({ err }, 'could not remove stale sandbox cgroups');
        return [];
      });
      const mounts = (await disks?.reclaim().catch(() => [])) ?? [];
      mounts.push(...(await sweepOrphans(support.hierarchies.map((h) => h.parent)).catch(() => [])));
      if (stale.length || mounts.length)
        o.log.info({ cgroups: stale, mounts }, 'removed cgroups and mounts an earlier gateway left');
    }
    const status = describeLimits(
      { enforced: cgroups.enforced, problems: cgroups.problems, version: versionOf(support) },
      disk,
      o.limits,
      !root || !!setpriv,
    );
    for (const s of status) {
      if (s.enforced) o.log.info({ limit: s.limit }, `sandbox ${s.limit} limit: ${s.detail}`);
      else o.log.warn({ limit: s.limit, fix: s.fix }, `sandbox ${s.limit} limit ${s.detail}`);
    }
    return new Containment(cgroups, disks, status, setpriv ?? undefined, o.limits, o.dir, share);
  }

  get diskLimited(): boolean {
    return this.disks !== undefined;
  }

  enforced(limit: LimitName): boolean {
    return this.status.some((s) => s.limit === limit && s.enforced);
  }

  /**
   * A host file offered read-only to sandboxes: through the share when sandboxes run as another uid
   * (which may not reach the original's directories), else the file itself.
   */
  async exposeTool(name: string, source: string): Promise<string> {
    return this.share ? await this.share.exposeTool(name, source) : source;
  }

  /** A new sandbox's workspace filesystem (no-op without a disk limit). */
  async createWorkspace(id: string, owner?: RunAs): Promise<void> {
    await this.disks?.create(id, owner);
  }

  private workspace(id: string): string {
    return join(this.dir, id);
  }

  /**
   * Before the supervisor starts: mount the workspace (and offer it through the share), make the
   * cgroups. Returns the cgroups and the workspace path bubblewrap binds.
   */
  async start(id: string, owner?: RunAs): Promise<{ cgroup: SandboxCgroup; workspace: string }> {
    // What this start sets up is this start's to undo: another provider on the same home (a test, the
    // offline CLI) may be running the same sandbox, and its mounts are left alone.
    const mine: Started = { mounted: false, bound: false };
    this.started.set(id, mine);
    if (this.disks?.has(id)) {
      mine.mounted = !this.disks.isMounted(this.workspace(id));
      await this.disks.mount(id, this.workspace(id));
    }
    let workspace = this.workspace(id);
    if (this.share) {
      mine.bound = !mountPoints().includes(this.share.workspace(id));
      workspace = await this.share.expose(id, this.workspace(id));
    }
    if (!this.cgroups.enforced.size && !this.cgroups.tracksJobs) return { cgroup: { join: [] }, workspace };
    const cgroup = await this.cgroups.create(
      id,
      {
        memoryBytes: this.limits.memoryMb * 1024 * 1024,
        maxProcesses: this.limits.maxProcesses,
        cpus: this.limits.cpus,
      },
      owner,
    );
    if (cgroup.name) mine.cgroup = cgroup.name;
    return { cgroup, workspace };
  }

  /** After the supervisor exited: kill what is left, remove the cgroups, unmount the workspace. */
  async stop(id: string): Promise<void> {
    const mine = this.started.get(id);
    this.started.delete(id);
    if (!mine) return;
    try {
      if (mine.cgroup) await this.cgroups.destroy(mine.cgroup);
    } finally {
      // The bind first: while it exists the image stays attached even once unmounted here.
      if (mine.bound) await this.share?.conceal(id);
      if (mine.mounted) await this.disks?.unmount(this.workspace(id));
    }
  }

  /** Deleting a sandbox: also its filesystem image (whoever mounted it: it is going away). */
  async remove(id: string): Promise<void> {
    await this.stop(id);
    await this.share?.conceal(id);
    await this.disks?.unmount(this.workspace(id));
    // Also when the disk limit was turned off since the sandbox was made.
    await rm(join(this.dir, '.disks', `${id}.ext4`), { force: true });
  }

  /**
   * Call before a command; the returned function, called after it, names each limit the command
   * ran into: OOM kills and refused forks counted by the kernel, and a full workspace.
   */
  async watch(id: string): Promise<() => Promise<string[]>> {
    const cgroup = this.started.get(id)?.cgroup;
    const events = () => (this.cgroups.enforced.size && cgroup ? this.cgroups.events(cgroup) : undefined);
    const before = events();
    return async () => {
      const notes: string[] = [];
      const after = events();
      const l = this.limits;
      if (before && after && after.oomKills > before.oomKills)
        notes.push(
          `memory limit: this sandbox may use ${l.memoryMb} MB in all, /tmp and /dev/shm included (sandbox.local.memoryMb); the kernel stopped a process that went over`,
        );
      if (before && after && after.forksRefused > before.forksRefused)
        notes.push(
          `process limit: at most ${l.maxProcesses} processes at once in this sandbox (sandbox.local.maxProcesses); new ones were refused`,
        );
      if (this.disks?.has(id)) {
        let usage: { free: number } | undefined;
        try {
          usage = this.disks.usage(this.workspace(id));
        } catch {
          // Unmounted meanwhile (the sandbox stopped): nothing to say.
        }
        if (usage && usage.free < FULL_BELOW_BYTES)
          notes.push(
            `disk limit: the workspace is full (${l.diskMb} MB, sandbox.local.diskMb); delete files to make room`,
          );
      }
      return notes;
    };
  }

  async shutdown(): Promise<void> {
    await this.cgroups.release();
    await this.share?.close();
  }
}
