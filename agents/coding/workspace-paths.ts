// Tool paths are resolved against the sandbox workspace and refused when they leave it, so the
// model cannot read or write elsewhere through the file tools (the sandbox enforces the rest).

import { posix } from 'node:path';

export class OutsideWorkspaceError extends Error {}

/** Absolute in-sandbox path for `p` (relative to the workspace, or absolute inside it). */
export function resolveInWorkspace(workdir: string, p: string): string {
  const root = posix.resolve('/', workdir);
  const abs = posix.resolve(root, p.trim());
  if (abs !== root && !abs.startsWith(`${root}/`)) {
    throw new OutsideWorkspaceError(`${p} is outside the workspace (${root}); use a path inside it.`);
  }
  return abs;
}

/** Path relative to the workspace, for progress lines and the final reply. */
export function displayPath(workdir: string, abs: string): string {
  const rel = posix.relative(posix.resolve('/', workdir), abs);
  return rel === '' ? '.' : rel;
}

/** Quotes one argument for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A shell glob (`**\/*.ts`, `src/*.{js,css}`) as a RegExp over workspace-relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end === -1) re += '\\{';
      else {
        const alts = glob
          .slice(i + 1, end)
          .split(',')
          .map((a) => a.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'));
        re += `(?:${alts.join('|')})`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|[\]\\}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
