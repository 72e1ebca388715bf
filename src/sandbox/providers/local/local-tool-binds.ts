// Read-only tool directories for isolated local sandboxes — the gateway's pinned TypeScript (/gen and
// any sandboxed code that runs .ts; sandboxes have no network to fetch it) and tools the assembly adds
// (the Claude Code binary). A path the sandbox uid cannot reach (gateway as root, file under a
// private home) is left out with one warning.

import { realpathSync } from 'node:fs';
import type { Logger } from 'pino';
import { hostTypeScriptDir, SANDBOX_TYPESCRIPT_DIR } from '../../typescript-runtime.js';
import { type RunAs, untraversable } from './host-dirs.js';

export interface RoBind {
  source: string;
  target: string;
}

const warned = new Set<string>();

export function localToolBinds(runAs: RunAs | undefined, log: Logger, found = hostTypeScriptDir()): RoBind[] {
  if (!found) return [];
  let source: string;
  try {
    source = realpathSync(found);
  } catch {
    return [];
  }
  const blocked = runAs ? untraversable(source, runAs) : undefined;
  if (blocked) {
    if (!warned.has(source)) {
      warned.add(source);
      log.warn(
        { typescript: source, blocked, uid: runAs?.uid },
        'sandboxes cannot reach the TypeScript package, so it is not mounted (TypeScript is transpiled by the gateway instead)',
      );
    }
    return [];
  }
  return [{ source, target: SANDBOX_TYPESCRIPT_DIR }];
}

/**
 * Binds the assembly asks for (LocalProviderOptions.toolBinds), resolved to real paths; one the
 * sandbox uid cannot reach, or that no longer exists, is left out (with one warning for the former).
 */
export function reachableBinds(binds: RoBind[], runAs: RunAs | undefined, log: Logger): RoBind[] {
  const out: RoBind[] = [];
  for (const b of binds) {
    let source: string;
    try {
      source = realpathSync(b.source);
    } catch {
      continue;
    }
    const blocked = runAs ? untraversable(source, runAs) : undefined;
    if (!blocked) {
      out.push({ source, target: b.target });
    } else if (!warned.has(source)) {
      warned.add(source);
      log.warn(
        { path: source, blocked, uid: runAs?.uid },
        'sandboxes cannot reach this tool, so it is not mounted',
      );
    }
  }
  return out;
}
