// $SANDGATE_HOME holds the message database, the gateway token and channel secrets, so it is
// owner-only: files 0600, directories 0700, whatever umask sandgate was started with. The gateway
// tightens what it finds at start (older installs); doctor names anything others can still reach.

import { chmodSync, existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { statePaths } from './paths.js';

/** Group and others get nothing from any file sandgate creates. */
export const OWNER_ONLY_UMASK = 0o077;

/** Sets the process umask to owner-only (sandboxed code gets its own, see the supervisor). */
export function ownerOnlyUmask(): void {
  process.umask(OWNER_ONLY_UMASK);
}

export interface ModeProblem {
  path: string;
  /** Permission bits found (e.g. 0o644). */
  mode: number;
  /** Permission bits wanted. */
  want: number;
}

/** Files whose mode is exactly 0600 (secrets and messages); everything else just loses group/other bits. */
function exactFiles(home: string): Set<string> {
  const p = statePaths(home);
  return new Set([p.database, `${p.database}-wal`, `${p.database}-shm`, p.tokenFile, p.configFile]);
}

/**
 * Walks the state dir (not into workspaces: they belong to the sandbox uid and its own modes) and
 * lists every path group or others can use. Paths owned by another user are left alone.
 */
export function stateModeProblems(home: string): ModeProblem[] {
  const out: ModeProblem[] = [];
  if (!existsSync(home)) return out;
  const exact = exactFiles(home);
  const me = process.getuid?.();
  const visit = (path: string, depth: number) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink() || (me !== undefined && st.uid !== me)) return;
    const mode = st.mode & 0o7777;
    const want = st.isDirectory() ? 0o700 : exact.has(path) ? 0o600 : mode & ~0o077;
    if (mode !== want) out.push({ path, mode, want });
    // Workspaces are the sandboxes' own, and tools are programs sandboxes run (no secrets, modes
    // as installed); their parent directories are ours.
    if (!st.isDirectory() || (depth === 1 && [join(home, 'sandboxes'), join(home, 'tools')].includes(path)))
      return;
    for (const name of readdirSync(path)) visit(join(path, name), depth + 1);
  };
  visit(home, 0);
  return out;
}

/** Applies stateModeProblems' wanted modes; returns the paths changed. Never throws. */
export function tightenState(home: string): string[] {
  const changed: string[] = [];
  let problems: ModeProblem[];
  try {
    problems = stateModeProblems(home);
  } catch {
    return changed;
  }
  for (const p of problems) {
    try {
      chmodSync(p.path, p.want);
      changed.push(p.path);
    } catch {
      // doctor will report it
    }
  }
  return changed;
}
