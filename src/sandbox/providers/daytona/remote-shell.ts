// Commands for a Daytona sandbox. The daemon's /process/execute splits the command on spaces and
// quotes without a shell and without escapes, so anything non-trivial travels base64-encoded and is
// decoded by `sh` inside; a wall-clock `timeout` kills the command's whole process group.

export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A daemon-safe command line that runs `script` with sh. */
export function shellLine(script: string): string {
  const b64 = Buffer.from(script).toString('base64');
  return `sh -c 'eval "$(echo ${b64} | base64 -d)"'`;
}

export interface ExecScript {
  cmd: string;
  cwd?: string;
  env?: Record<string, string>;
  timeoutSec: number;
}

export const TIMEOUT_EXIT = 124;

export function execScript(o: ExecScript): string {
  const lines: string[] = [];
  if (o.cwd) lines.push(`cd ${shq(o.cwd)} || exit 1`);
  for (const [k, v] of Object.entries(o.env ?? {})) lines.push(`export ${k}=${shq(v)}`);
  lines.push(`exec timeout -k 2 ${Math.max(1, Math.ceil(o.timeoutSec))} sh -c ${shq(o.cmd)} 2>&1`);
  return lines.join('\n');
}

/** Resolve a user path against the workdir without letting `..` climb out of it. */
export function resolveInside(workdir: string, path: string): string | undefined {
  const parts = (path.startsWith('/') ? path : `${workdir}/${path}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (!p || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(p);
  }
  const full = `/${out.join('/')}`;
  const root = workdir.replace(/\/+$/, '');
  return full === root || full.startsWith(`${root}/`) ? full : undefined;
}
