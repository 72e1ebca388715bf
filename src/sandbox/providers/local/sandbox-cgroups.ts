// The cgroups of local sandboxes: `sandgate/<instance>/<sandbox>` in every hierarchy the probe found,
// holding the whole sandbox's memory (tmpfs included), process and CPU limits. Emptying one kills
// everything in it; a start-up sweep removes what a crashed gateway left. Failures throw with the file.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '../../../timing/clock.js';
import {
  type CgroupProblem,
  type CgroupSupport,
  type Controller,
  type Hierarchy,
  readOr,
} from './cgroup-probe.js';

export interface CgroupLimits {
  /** Bytes of memory for the whole sandbox: processes, /tmp, /dev/shm and kernel memory; swap none. */
  memoryBytes: number;
  /** Processes (threads count, as the kernel's pids controller counts tasks) at once. */
  maxProcesses: number;
  /** CPUs' worth of time per period (1.5 = one and a half cores); 0 = no CPU limit. */
  cpus: number;
}

export interface SandboxCgroup {
  /** Pass to events() and destroy(); absent when there are no cgroups. */
  name?: string;
  /** cgroup.procs files the launcher writes its own pid to before it execs bubblewrap. */
  join: string[];
  /** The sandbox's directory in the jobs hierarchy; the supervisor makes one child per command. */
  jobsDir?: string;
}

export interface LimitEvents {
  /** Processes the kernel's OOM killer stopped in this sandbox so far. */
  oomKills: number;
  /** Forks refused at the process limit so far. */
  forksRefused: number;
}

export interface RunAs {
  uid: number;
  gid: number;
}

const CPU_PERIOD_US = 100_000;
/** One cgroup per supervisor start: `<sandbox id>-<suffix>`, so two gateways on one home never share one. */
const NAME = /^sb-[a-z0-9]{10}(-[a-f0-9]{6})?$/;

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

async function pidsIn(dir: string): Promise<number[]> {
  const pids: number[] = [];
  const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  for (const p of text.split('\n')) if (Number(p) > 0) pids.push(Number(p));
  for (const child of await subdirs(dir)) pids.push(...(await pidsIn(join(dir, child))));
  return pids;
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

async function removeTree(dir: string): Promise<void> {
  for (const child of await subdirs(dir)) await removeTree(join(dir, child));
  await rmdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

function counter(text: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

export class SandboxCgroups {
  /** Controllers actually set up (the probe's list, minus any the kernel refused at init). */
  readonly enforced = new Set<Controller>();
  readonly problems: CgroupProblem[];

  constructor(
    private readonly support: CgroupSupport,
    private readonly instance: string,
  ) {
    this.problems = [...support.problems];
  }

  get tracksJobs(): boolean {
    return this.support.jobs !== undefined;
  }

  private base(h: Hierarchy): string {
    return join(h.parent, 'sandgate', this.instance);
  }

  private dir(h: Hierarchy, name: string): string {
    if (!NAME.test(name)) throw new Error(`invalid sandbox cgroup name ${name}`);
    return join(this.base(h), name);
  }

  private used(): Hierarchy[] {
    const jobs = this.support.jobs;
    return this.support.hierarchies.filter((h) => h.controllers.length > 0 || h === jobs);
  }

  /**
   * Finds out which controllers can be handed down (v2: enables them), once per gateway. The
   * instance directories exist only while a sandbox runs: create() makes them again as needed.
   */
  async init(pid = process.pid): Promise<void> {
    const leaf = this.support.leafNeeded;
    if (leaf) {
      await mkdir(join(leaf, 'gateway'), { recursive: true });
      await writeFile(join(leaf, 'gateway', 'cgroup.procs'), String(pid));
    }
    for (const h of this.used()) await this.prepare(h, true);
    await this.release();
  }

  private async prepare(h: Hierarchy, first: boolean): Promise<void> {
    await mkdir(this.base(h), { recursive: true });
    for (const c of h.controllers) {
      if (h.version === 1) {
        this.enforced.add(c);
        if (c === 'cpu') await this.weigh(h);
        continue;
      }
      if (!first && !this.enforced.has(c)) continue;
      try {
        for (const d of [h.parent, join(h.parent, 'sandgate'), this.base(h)]) {
          const on = await readFile(join(d, 'cgroup.subtree_control'), 'utf8').catch(() => '');
          if (!on.split(/\s+/).includes(c)) await writeFile(join(d, 'cgroup.subtree_control'), `+${c}`);
        }
        this.enforced.add(c);
        if (c === 'cpu') await this.weigh(h);
      } catch (err) {
        this.problems.push({
          what: c,
          reason: `the kernel refused to enable the ${c} controller under ${h.parent}: ${(err as Error).message}`,
        });
      }
    }
  }

  /**
   * A group competes for CPU as one task of the default weight: left alone, all sandboxes together
   * would weigh as much as one process, and crawl whenever the host is busy. Weighing the parents
   * like 64 processes lets each sandbox compete about like a process; sandbox.local.cpus (a quota)
   * is what keeps any one of them from taking more.
   */
  private async weigh(h: Hierarchy): Promise<void> {
    const [file, weight] = h.version === 1 ? ['cpu.shares', 1024 * 64] : ['cpu.weight', 100 * 64];
    for (const d of [join(h.parent, 'sandgate'), this.base(h)])
      await writeFile(join(d, file), String(weight)).catch(() => undefined);
  }

  /** Makes the sandbox's cgroups with its limits; `owner` (the sandbox's host uid) may add job cgroups. */
  async create(id: string, limits: CgroupLimits, owner?: RunAs): Promise<SandboxCgroup> {
    const join_: string[] = [];
    let jobsDir: string | undefined;
    const name = `${id}-${randomBytes(3).toString('hex')}`;
    for (const h of this.used()) {
      const dir = this.dir(h, name);
      // The last sandbox's destroy (here or in another gateway) may have removed empty parents.
      if (!existsSync(this.base(h))) await this.prepare(h, false);
      await mkdir(dir).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
        await this.prepare(h, false);
        await mkdir(dir);
      });
      for (const c of h.controllers) if (this.enforced.has(c)) await this.limit(h, dir, c, limits);
      if (h === this.support.jobs) {
        jobsDir = dir;
        if (owner) {
          await chown(dir, owner.uid, owner.gid);
          await chown(join(dir, 'cgroup.procs'), owner.uid, owner.gid);
        }
      }
      join_.push(join(dir, 'cgroup.procs'));
    }
    return { name, join: join_, ...(jobsDir ? { jobsDir } : {}) };
  }

  private async limit(h: Hierarchy, dir: string, c: Controller, l: CgroupLimits): Promise<void> {
    const set = (file: string, value: string | number) => writeFile(join(dir, file), String(value));
    if (c === 'memory') {
      if (h.version === 2) {
        await set('memory.max', l.memoryBytes);
        if (await exists(join(dir, 'memory.swap.max'))) await set('memory.swap.max', 0);
      } else {
        await set('memory.limit_in_bytes', l.memoryBytes);
        if (await exists(join(dir, 'memory.memsw.limit_in_bytes')))
          await set('memory.memsw.limit_in_bytes', l.memoryBytes);
      }
    } else if (c === 'pids') {
      await set('pids.max', l.maxProcesses);
    } else if (l.cpus > 0) {
      const quota = Math.max(1000, Math.round(l.cpus * CPU_PERIOD_US));
      if (h.version === 2) await set('cpu.max', `${quota} ${CPU_PERIOD_US}`);
      else {
        await set('cpu.cfs_period_us', CPU_PERIOD_US);
        await set('cpu.cfs_quota_us', quota);
      }
    }
  }

  /**
   * Limit hits so far (counters only grow while the cgroup exists). Read synchronously: these are
   * a few bytes the kernel formats in microseconds, read before and after every command, where four
   * thread-pool round trips cost more than the reads.
   */
  events(name: string): LimitEvents {
    let oomKills = 0;
    let forksRefused = 0;
    for (const h of this.used()) {
      const dir = this.dir(h, name);
      if (h.controllers.includes('memory')) {
        const file = h.version === 2 ? 'memory.events' : 'memory.oom_control';
        oomKills = counter(readOr(join(dir, file), ''), 'oom_kill');
      }
      if (h.controllers.includes('pids')) forksRefused = counter(readOr(join(dir, 'pids.events'), ''), 'max');
    }
    return { oomKills, forksRefused };
  }

  /**
   * Kills every process in the sandbox's cgroups (jobs included) and removes them. Returns how many
   * processes were still there. Throws if they cannot be emptied within `timeoutMs`.
   */
  async destroy(name: string, timeoutMs = 5000): Promise<number> {
    const used = this.used();
    const dirs = used.map((h) => this.dir(h, name));
    const v2 = used.filter((h) => h.version === 2).map((h) => this.dir(h, name));
    const seen = new Set<number>();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pids = (await Promise.all(dirs.map(pidsIn))).flat();
      if (!pids.length) break;
      if (Date.now() > deadline)
        throw new Error(`processes ${pids.join(' ')} survived in the cgroups ${name}`);
      for (const d of v2) await writeFile(join(d, 'cgroup.kill'), '1').catch(() => undefined);
      for (const p of pids) {
        seen.add(p);
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await sleep(10);
    }
    for (const d of dirs) await removeTree(d);
    await this.release();
    return seen.size;
  }

  /** Removes what an earlier gateway with this home left behind (call while holding the instance lock). */
  async reclaim(): Promise<string[]> {
    const found = new Set<string>();
    for (const h of this.used())
      for (const name of await subdirs(this.base(h))) if (NAME.test(name)) found.add(name);
    for (const name of found) await this.destroy(name);
    return [...found];
  }

  /** Removes the instance directories when no sandbox is left in them. */
  async release(): Promise<void> {
    for (const h of this.used()) {
      await rmdir(this.base(h)).catch(() => undefined);
      // Fails (and stays) while another gateway's instance is in it.
      await rmdir(join(h.parent, 'sandgate')).catch(() => undefined);
    }
  }
}
