// Read-only tool directories for isolated local sandboxes — the gateway's pinned TypeScript (/gen and
// any sandboxed code that runs .ts; sandboxes have no network to fetch it) and tools the assembly adds
// (the Claude Code binary). A path the sandbox uid cannot reach (gateway as root, file under a
// private home) is left out with one warning.

import { realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';
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
 * Binds the assembly asks for (LocalProviderOptions.toolBinds: single files), resolved to real paths.
 * One the sandbox uid cannot reach through its directories is offered through `expose` (the share,
 * when the gateway is root); one whose own mode keeps that uid out, or that is gone, is left out
 * (with one warning).
 */
export async function reachableBinds(
  binds: RoBind[],
  runAs: RunAs | undefined,
  log: Logger,
  expose: (name: string, source: string) => Promise<string>,
): Promise<RoBind[]> {
  const out: RoBind[] = [];
  for (const b of binds) {
    let source: string;
    try {
      source = realpathSync(b.source);
    } catch {
      continue;
    }
    if (runAs && (statSync(source).mode & 0o005) !== 0o005) {
      if (!warned.has(source)) {
        warned.add(source);
        log.warn(
          { path: source, uid: runAs.uid },
          'sandboxes may not read and run this tool (its mode), so it is not mounted',
        );
      }
      continue;
    }
    const blocked = runAs ? untraversable(source, runAs) : undefined;
    try {
      out.push({ source: blocked ? await expose(basename(b.target), source) : source, target: b.target });
    } catch (err) {
      if (!warned.has(source)) {
        warned.add(source);
        log.warn({ err, path: source, blocked }, 'sandboxes cannot reach this tool, so it is not mounted');
      }
    }
  }
  return out;
}
