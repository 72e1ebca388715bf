// Finds where this machine lets the gateway put sandboxes into cgroups: cgroup v2 (unified) or v1
// (one hierarchy per controller), as root or inside a delegated subtree. Never throws and changes
// nothing: what cannot be used comes back with the reason, so doctor and the start-up log can say it.

import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The controllers sandbox limits use: memory (incl. tmpfs), processes, CPU time. */
export type Controller = 'memory' | 'pids' | 'cpu';
export const CONTROLLERS: readonly Controller[] = ['memory', 'pids', 'cpu'];

export interface Hierarchy {
  version: 1 | 2;
  /** Where the hierarchy is mounted, e.g. /sys/fs/cgroup/memory or /sys/fs/cgroup. */
  mount: string;
  /** The directory `sandgate/<instance>/<sandbox>` is created in: the root as root, else our own cgroup. */
  parent: string;
  /** Which of our controllers this hierarchy carries (none: usable only to track and kill jobs). */
  controllers: Controller[];
}

export interface CgroupProblem {
  what: Controller | 'jobs';
  reason: string;
  fix?: string;
}

export interface CgroupSupport {
  /** One entry per hierarchy we will write to; a controller appears in at most one. */
  hierarchies: Hierarchy[];
  /** The hierarchy each command's job cgroup lives in (any writable one; v2 preferred for cgroup.kill). */
  jobs?: Hierarchy;
  problems: CgroupProblem[];
  /** v2 delegated subtree that still holds the gateway itself: it must move to a leaf first. */
  leafNeeded?: string;
}

export interface ProbeInput {
  mountinfo?: string;
  selfCgroup?: string;
  uid?: number;
  pid?: number;
}

interface Mount {
  point: string;
  version: 1 | 2;
  /** v1: the controllers in the super options; v2: empty (read cgroup.controllers). */
  options: string[];
}

/** /proc/self/mountinfo: `id parent major:minor root mountpoint opts … - fstype source superopts`. */
export function cgroupMounts(mountinfo: string): Mount[] {
  const out: Mount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const [fstype, , superOpts = ''] = right.split(' ');
    const point = unescapeMount(left.split(' ')[4] ?? '');
    if (fstype === 'cgroup2') out.push({ point, version: 2, options: [] });
    else if (fstype === 'cgroup') out.push({ point, version: 1, options: superOpts.split(',') });
  }
  return out;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** /proc/self/cgroup: `id:controllers:path`; v2 is `0::path`. Keyed by the controllers field. */
export function ownCgroups(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (m) out.set(m[1] as string, m[2] as string);
  }
  return out;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A small kernel file's text, or `fallback` when it cannot be read (gone, not permitted). */
export function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

const NOT_DELEGATED_FIX =
  'run the gateway as root, or in a cgroup delegated to its user (systemd: `Delegate=yes` in the unit, or `systemd-run --user -p Delegate=yes sandgate gateway`)';

export function probeCgroups(input: ProbeInput = {}): CgroupSupport {
  const mounts = cgroupMounts(input.mountinfo ?? readOr('/proc/self/mountinfo', ''));
  const own = ownCgroups(input.selfCgroup ?? readOr('/proc/self/cgroup', ''));
  const root = (input.uid ?? process.getuid?.() ?? 1) === 0;
  const pid = input.pid ?? process.pid;
  const problems: CgroupProblem[] = [];
  const hierarchies: Hierarchy[] = [];
  let leafNeeded: string | undefined;
  const parentOf = (mount: string, ownPath: string | undefined) => {
    if (root) return writable(join(mount, 'cgroup.procs')) ? mount : undefined;
    if (ownPath === undefined) return undefined;
    const dir = join(mount, ownPath);
    return writable(dir) && writable(join(dir, 'cgroup.procs')) ? dir : undefined;
  };

  const v2 = mounts.find((m) => m.version === 2);
  let v2h: Hierarchy | undefined;
  if (v2) {
    const parent = parentOf(v2.point, own.get(''));
    if (parent) {
      const available = readOr(join(parent, 'cgroup.controllers'), '').trim().split(/\s+/);
      let controllers = CONTROLLERS.filter((c) => available.includes(c));
      if (controllers.length && !root) {
        // No-internal-processes rule: controllers can be handed to children only once the
        // gateway is out of the way in a leaf, and only if nothing else shares its cgroup.
        const procs = readOr(join(parent, 'cgroup.procs'), '').split(/\s+/).filter(Boolean);
        if (procs.every((p) => Number(p) === pid)) leafNeeded = parent;
        else {
          for (const c of controllers)
            problems.push({
              what: c,
              reason: `the gateway's cgroup ${parent} also holds other processes, so it cannot hand the ${c} controller to sandboxes`,
              fix: NOT_DELEGATED_FIX,
            });
          controllers = [];
        }
      }
      v2h = { version: 2, mount: v2.point, parent, controllers };
      hierarchies.push(v2h);
    }
  }

  for (const c of CONTROLLERS) {
    if (v2h?.controllers.includes(c)) continue;
    const m = mounts.find((x) => x.version === 1 && x.options.includes(c));
    if (!m) {
      if (!problems.some((p) => p.what === c))
        problems.push({
          what: c,
          reason: v2
            ? v2h
              ? `the ${c} controller is not available in the cgroup v2 tree at ${v2h.parent}`
              : `cgroup v2 at ${v2.point} is not writable by this user`
            : `no cgroup hierarchy with the ${c} controller is mounted`,
          fix: v2 && !v2h ? NOT_DELEGATED_FIX : `enable the ${c} cgroup controller in the kernel / mount it`,
        });
      continue;
    }
    const ownPath = [...own.entries()].find(([k]) => k.split(',').includes(c))?.[1];
    const parent = parentOf(m.point, ownPath);
    if (!parent) {
      if (!problems.some((p) => p.what === c))
        problems.push({
          what: c,
          reason: `the cgroup v1 ${c} hierarchy at ${m.point} is not writable by this user`,
          fix: NOT_DELEGATED_FIX,
        });
      continue;
    }
    const same = hierarchies.find((h) => h.version === 1 && h.mount === m.point);
    if (same) same.controllers.push(c);
    else hierarchies.push({ version: 1, mount: m.point, parent, controllers: [c] });
  }

  const jobs = v2h ?? hierarchies.find((h) => h.controllers.includes('pids')) ?? hierarchies[0];
  if (!jobs)
    problems.push({
      what: 'jobs',
      reason:
        'no cgroup hierarchy is writable by this user, so setsid and double-forked processes can escape',
      fix: NOT_DELEGATED_FIX,
    });
  return { hierarchies, ...(jobs ? { jobs } : {}), problems, ...(leafNeeded ? { leafNeeded } : {}) };
}
