// Where sandbox cgroups go on the layouts machines have: cgroup v1 with a controller-less unified tree
// (this machine), pure cgroup v2 as root, a delegated v2 subtree when not root, and none at all —
// read from mountinfo and /proc/self/cgroup text, over directory trees shaped like cgroupfs.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeCgroups } from '../../src/sandbox/providers/local/cgroup-probe.js';
import { SandboxCgroups } from '../../src/sandbox/providers/local/sandbox-cgroups.js';
import { tempHome } from './helpers.js';

const tree = tempHome();
afterAll(() => tree.cleanup());

function fakeCgroupfs(name: string, files: Record<string, string>): string {
  const root = join(tree.home, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const line = (point: string, type: string, opts: string) =>
  `30 1 0:26 / ${point} rw - ${type} ${type} ${opts}`;

describe('cgroup probe', () => {
  it('hybrid (v1 controllers, an empty unified tree): limits in v1, jobs in the unified tree', () => {
    const r = fakeCgroupfs('hybrid', {
      'memory/cgroup.procs': '',
      'pids/cgroup.procs': '',
      'cpu/cgroup.procs': '',
      'unified/cgroup.procs': '',
      'unified/cgroup.controllers': '',
    });
    const support = probeCgroups({
      uid: 0,
      mountinfo: [
        line(`${r}/memory`, 'cgroup', 'rw,memory'),
        line(`${r}/pids`, 'cgroup', 'rw,pids'),
        line(`${r}/cpu`, 'cgroup', 'rw,cpu'),
        line(`${r}/unified`, 'cgroup2', 'rw'),
      ].join('\n'),
      selfCgroup: '4:memory:/x\n8:pids:/\n1:cpu:/\n0::/\n',
    });
    expect(support.hierarchies.map((h) => [h.mount, h.controllers])).toEqual([
      [`${r}/unified`, []],
      [`${r}/memory`, ['memory']],
      [`${r}/pids`, ['pids']],
      [`${r}/cpu`, ['cpu']],
    ]);
    expect(support.jobs?.mount).toBe(`${r}/unified`);
    expect(support.problems).toEqual([]);
  });

  it('cgroup v1 with cpu,cpuacct mounted together: the controller is found in the combined hierarchy', () => {
    const r = fakeCgroupfs('combined', { 'cpu,cpuacct/cgroup.procs': '', 'memory/cgroup.procs': '' });
    const support = probeCgroups({
      uid: 0,
      mountinfo: [
        line(`${r}/cpu,cpuacct`, 'cgroup', 'rw,cpu,cpuacct'),
        line(`${r}/memory`, 'cgroup', 'rw,memory'),
      ].join('\n'),
      selfCgroup: '',
    });
    expect(support.hierarchies.find((h) => h.controllers.includes('cpu'))?.mount).toBe(`${r}/cpu,cpuacct`);
    expect(support.problems.map((p) => p.what)).toEqual(['pids']);
    expect(support.problems[0]?.reason).toContain('no cgroup hierarchy with the pids controller');
    // Jobs are tracked in a v1 hierarchy when there is no v2 one.
    expect(support.jobs).toBeDefined();
  });

  it('pure v2 as root: one hierarchy, controllers handed down, limits written as memory.max, pids.max, cpu.max', async () => {
    const r = fakeCgroupfs('v2', {
      'cgroup.procs': '',
      'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc',
      'cgroup.subtree_control': '',
    });
    const support = probeCgroups({
      uid: 0,
      mountinfo: line(r, 'cgroup2', 'rw,nsdelegate'),
      selfCgroup: '0::/init.scope\n',
    });
    expect(support.hierarchies).toEqual([
      { version: 2, mount: r, parent: r, controllers: ['memory', 'pids', 'cpu'] },
    ]);
    const cgroups = new SandboxCgroups(support, 'abcdef012345');
    await cgroups.init();
    expect([...cgroups.enforced]).toEqual(['memory', 'pids', 'cpu']);
    const made = await cgroups.create('sb-0123456789', {
      memoryBytes: 256 * 1024 * 1024,
      maxProcesses: 64,
      cpus: 1.5,
    });
    const dir = join(r, 'sandgate', 'abcdef012345', made.name as string);
    expect(made.jobsDir).toBe(dir);
    expect(made.join).toEqual([join(dir, 'cgroup.procs')]);
    expect(readFileSync(join(dir, 'memory.max'), 'utf8')).toBe(String(256 * 1024 * 1024));
    expect(readFileSync(join(dir, 'pids.max'), 'utf8')).toBe('64');
    expect(readFileSync(join(dir, 'cpu.max'), 'utf8')).toBe('150000 100000');
    expect(readFileSync(join(r, 'sandgate', 'cgroup.subtree_control'), 'utf8')).toMatch(
      /^\+(memory|pids|cpu)$/,
    );
  });

  it('delegated v2 when not root: usable when the gateway is alone in its cgroup (it moves to a leaf)', () => {
    const own = '/user.slice/user-1000.slice/user@1000.service/app.slice/sandgate.service';
    const r = fakeCgroupfs('delegated', {
      [`${own}/cgroup.procs`]: '4242\n',
      [`${own}/cgroup.controllers`]: 'cpu memory pids',
    });
    const alone = probeCgroups({
      uid: 1000,
      pid: 4242,
      mountinfo: line(r, 'cgroup2', 'rw'),
      selfCgroup: `0::${own}\n`,
    });
    expect(alone.leafNeeded).toBe(join(r, own));
    expect(alone.hierarchies[0]?.controllers).toEqual(['memory', 'pids', 'cpu']);
    const crowded = probeCgroups({
      uid: 1000,
      pid: 1,
      mountinfo: line(r, 'cgroup2', 'rw'),
      selfCgroup: `0::${own}\n`,
    });
    expect(crowded.hierarchies[0]?.controllers).toEqual([]);
    expect(crowded.problems.map((p) => p.what)).toEqual(['memory', 'pids', 'cpu']);
    expect(crowded.problems[0]?.fix).toContain('Delegate=yes');
    // The subtree still tracks jobs: a cgroup with no controllers can be emptied.
    expect(crowded.jobs?.parent).toBe(join(r, own));
  });

  it('no cgroup filesystem: every limit is reported missing, with a reason', () => {
    const support = probeCgroups({ uid: 0, mountinfo: '', selfCgroup: '' });
    expect(support.hierarchies).toEqual([]);
    expect(support.jobs).toBeUndefined();
    expect(support.problems.map((p) => p.what)).toEqual(['memory', 'pids', 'cpu', 'jobs']);
  });
});
