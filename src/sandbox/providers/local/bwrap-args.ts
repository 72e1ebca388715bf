// Builds the bubblewrap command line for one local sandbox: the system read-only, the workspace at
// /home/sandbox, sized private /tmp and /dev/shm, new user/PID/IPC/UTS (and network) namespaces, a
// cleared environment, and the sandbox dying with the gateway.

import { existsSync, lstatSync } from 'node:fs';

export const SANDBOX_HOME = '/home/sandbox';
export const SANDBOX_RUNTIME = '/opt/sandgate';
export const SANDBOX_UID = 1000;

/** Host paths under /etc a Python/shell userland needs; everything else in /etc stays out. */
const ETC_ALLOW = [
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/localtime',
  '/etc/nsswitch.conf',
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/fonts',
  '/etc/matplotlibrc',
  '/etc/mime.types',
  '/etc/os-release',
  '/etc/python3',
  '/etc/python3.11',
  '/etc/python3.12',
  '/etc/python3.13',
];
const NETWORK_ETC = ['/etc/resolv.conf', '/etc/hosts', '/etc/gai.conf'];

export interface BwrapOptions {
  workspace: string;
  runtimeDir: string;
  /** Host file with the sandbox's /etc/passwd and /etc/group. */
  passwdFile: string;
  groupFile: string;
  network: 'off' | 'host';
  env: Record<string, string>;
  /** Size of /tmp and of /dev/shm, each. */
  tmpBytes: number;
  /** The program to run inside, with its arguments. */
  command: string[];
  /** More host directories offered read-only (tools such as TypeScript, see local-tool-binds.ts). */
  roBinds?: { source: string; target: string }[];
}

/** Merged-/usr systems have /bin -> usr/bin symlinks; older ones have real directories. */
function topLevel(name: string): string[] {
  const path = `/${name}`;
  if (!existsSync(path)) return [];
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return ['--symlink', `usr/${name}`, path];
  return ['--ro-bind', path, path];
}

export function bwrapArgs(o: BwrapOptions): string[] {
  const args = [
    '--unshare-user',
    '--uid',
    String(SANDBOX_UID),
    '--gid',
    String(SANDBOX_UID),
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(o.network === 'off' ? ['--unshare-net'] : []),
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--hostname',
    'sandbox',
    '--ro-bind',
    '/usr',
    '/usr',
    ...['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'].flatMap(topLevel),
  ];
  for (const p of [...ETC_ALLOW, ...(o.network === 'host' ? NETWORK_ETC : [])]) {
    args.push('--ro-bind-try', p, p);
  }
  args.push(
    '--ro-bind',
    o.passwdFile,
    '/etc/passwd',
    '--ro-bind',
    o.groupFile,
    '/etc/group',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // bwrap's /dev/shm is a directory on an unsized tmpfs: give it its own, sized like /tmp.
    '--size',
    String(o.tmpBytes),
    '--tmpfs',
    '/dev/shm',
    '--size',
    String(o.tmpBytes),
    '--tmpfs',
    '/tmp',
    '--dir',
    '/run',
    '--ro-bind',
    o.runtimeDir,
    SANDBOX_RUNTIME,
    ...(o.roBinds ?? []).flatMap((b) => ['--ro-bind', b.source, b.target]),
    '--bind',
    o.workspace,
    SANDBOX_HOME,
    // The root itself (and /etc, /run, /opt in it) is a tmpfs bwrap made: make it read-only too.
    '--remount-ro',
    '/',
    '--chdir',
    SANDBOX_HOME,
  );
  for (const [k, v] of Object.entries(o.env)) args.push('--setenv', k, v);
  args.push('--', ...o.command);
  return args;
}

export const SANDBOX_PASSWD = `root:x:0:0:root:/root:/usr/sbin/nologin\nsandbox:x:${SANDBOX_UID}:${SANDBOX_UID}:sandbox:${SANDBOX_HOME}:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`;
export const SANDBOX_GROUP = `root:x:0:\nsandbox:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`;
