// How a local sandbox's supervisor is started: bubblewrap (or, with isolation "none", python
// directly), first joined to the sandbox's cgroups by a tiny shell that then execs it — as root,
// setpriv drops to the sandbox uid after the join. A join that fails stops the start with its error.

import { constants, openSync } from 'node:fs';
import { join } from 'node:path';
import { bwrapArgs, SANDBOX_HOME, SANDBOX_RUNTIME } from './bwrap-args.js';
import type { RunAs } from './host-dirs.js';
import type { SandboxCgroup } from './sandbox-cgroups.js';
import type { SupervisorLaunch } from './supervisor-client.js';

export interface LaunchOptions {
  isolated: boolean;
  python: string;
  bwrapPath: string;
  /** Host paths prepared by prepareHostDirs. */
  runtimeDir: string;
  passwd: string;
  group: string;
  /** The workspace on the host. */
  workspace: string;
  network: 'off' | 'host';
  env: Record<string, string>;
  /** Size of /tmp and of /dev/shm, each (both also count toward the memory cgroup). */
  tmpBytes: number;
  runAs?: RunAs;
  cgroup: SandboxCgroup;
  /** setpriv's path; needed when the gateway is root and the sandbox has cgroups to join. */
  setpriv?: string;
  /** Host directories bound read-only into an isolated sandbox (local-tool-binds.ts). */
  roBinds?: { source: string; target: string }[];
}

/** `sh -c JOIN cg1/cgroup.procs cg2/cgroup.procs -- program args…`: joins each, then execs. */
const JOIN = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';

export function supervisorLaunch(o: LaunchOptions): SupervisorLaunch & { runtimeDir: string } {
  if (o.cgroup.join.length && o.runAs && !o.setpriv)
    throw new Error('setpriv is needed to start a sandbox in its cgroup as root');
  const fds: number[] = [];
  const cgroupArgs: string[] = [];
  if (o.cgroup.jobsDir) {
    // fd 3 in the sandbox: the supervisor makes a job cgroup per command through it (the cgroup
    // tree is not mounted inside, so sandboxed code cannot reach it).
    fds.push(openSync(o.cgroup.jobsDir, constants.O_RDONLY | constants.O_DIRECTORY));
    cgroupArgs.push('--cgroup-fd', '3');
  }
  const supervisorArgs = ['-I', '-S'];
  let program: string[];
  let runtimeDir: string;
  let cwd: string | undefined;
  let env: Record<string, string> = {};
  if (!o.isolated) {
    runtimeDir = o.runtimeDir;
    cwd = o.workspace;
    env = o.env;
    program = [
      o.python,
      ...supervisorArgs,
      join(o.runtimeDir, 'supervisor.py'),
      '--workdir',
      o.workspace,
      ...cgroupArgs,
    ];
  } else {
    runtimeDir = SANDBOX_RUNTIME;
    program = [
      o.bwrapPath,
      ...bwrapArgs({
        workspace: o.workspace,
        runtimeDir: o.runtimeDir,
        passwdFile: o.passwd,
        groupFile: o.group,
        network: o.network,
        env: o.env,
        tmpBytes: o.tmpBytes,
        ...(o.roBinds ? { roBinds: o.roBinds } : {}),
        command: [
          o.python,
          ...supervisorArgs,
          `${SANDBOX_RUNTIME}/supervisor.py`,
          '--workdir',
          SANDBOX_HOME,
          ...cgroupArgs,
        ],
      }),
    ];
  }
  const [command, ...args] = program as [string, ...string[]];
  if (!o.cgroup.join.length)
    return { command, args, env, cwd, uid: o.runAs?.uid, gid: o.runAs?.gid, runtimeDir, fds };
  const drop = o.runAs
    ? [o.setpriv as string, `--reuid=${o.runAs.uid}`, `--regid=${o.runAs.gid}`, '--clear-groups', '--']
    : [];
  return {
    command: '/bin/sh',
    args: ['-c', JOIN, 'sandgate-launch', ...o.cgroup.join, '--', ...drop, ...program],
    env,
    cwd,
    runtimeDir,
    fds,
  };
}
