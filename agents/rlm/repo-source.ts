// --repo URL|PATH: the GATEWAY fetches the repository (a sandbox has no network) — a shallow git clone
// of a URL, or a copy of a local folder — and unpacks it into the workspace; afterwards the changes
// come back as a patch (`git diff`) when the folder is a git work tree. Failures are plain messages.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Sandbox } from '../../src/sandbox/provider.js';
import { unpackInto } from './workspace-seed.js';

const run = promisify(execFile);
const CLONE_TIMEOUT_MS = 300_000;
const MAX_ARCHIVE = 512 * 1024 * 1024;

export class RepoSourceError extends Error {}

/** True for what git can clone over the network (https, ssh, git@host:path). */
export function isRepoUrl(source: string): boolean {
  return /^(https?|ssh|git):\/\/[^\s]+$/i.test(source) || /^[\w.-]+@[\w.-]+:[^\s]+$/.test(source);
}

/** A folder name for the repository inside the workspace (`owner/name.git` → `name`). */
export function repoDirName(source: string): string {
  const base = basename(source.replace(/[/\\]+$/, '')).replace(/\.git$/i, '');
  const safe = base.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '');
  return safe || 'repo';
}

function why(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return (e.stderr?.trim() || e.message || String(err)).split('\n').slice(-3).join(' ');
}

/** The repository as a gzipped tar made on the host. Throws RepoSourceError with the reason. */
async function archive(source: string, signal: AbortSignal): Promise<Buffer> {
  let dir: string;
  let scratch: string | undefined;
  if (isRepoUrl(source)) {
    scratch = await mkdtemp(join(tmpdir(), 'sandgate-repo-'));
    dir = join(scratch, 'repo');
    try {
      await run('git', ['clone', '--depth', '1', '--no-tags', '--quiet', '--', source, dir], {
        timeout: CLONE_TIMEOUT_MS,
        signal,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      });
    } catch (err) {
      await rm(scratch, { recursive: true, force: true });
      throw new RepoSourceError(`could not clone ${source}: ${why(err)}`);
    }
  } else {
    dir = resolve(source);
    const st = await stat(dir).catch(() => undefined);
    if (!st?.isDirectory())
      throw new RepoSourceError(`${source} is neither a git URL nor a folder on the gateway's machine`);
  }
  try {
    const { stdout } = await run('tar', ['-czf', '-', '-C', dir, '.'], {
      encoding: 'buffer',
      maxBuffer: MAX_ARCHIVE,
      signal,
    });
    return stdout;
  } catch (err) {
    throw new RepoSourceError(`could not pack ${source}: ${why(err)}`);
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

const GIT = 'git -c safe.directory=* -c user.name=sandgate -c user.email=sandgate@localhost';

/**
 * Puts the repository at `./<name>` in the sandbox's workspace (replacing what was there) and, when
 * it is a git work tree with local changes, commits them there so the patch holds only this task's.
 */
export async function placeRepo(sandbox: Sandbox, source: string, signal: AbortSignal): Promise<string> {
  const name = repoDirName(source);
  const data = await archive(source, signal);
  await sandbox.exec(`rm -rf ./${name}`, { cwd: sandbox.workdir });
  await unpackInto(sandbox, data, name, signal).catch((err: unknown) => {
    throw new RepoSourceError(`could not copy ${source} into the sandbox: ${why(err)}`);
  });
  await sandbox.exec(
    `cd ./${name} && ${GIT} rev-parse --is-inside-work-tree >/dev/null 2>&1 && if [ -n "$(${GIT} status --porcelain)" ]; then ${GIT} add -A && ${GIT} commit -q -m "sandgate: the state before the task"; fi; true`,
    { cwd: sandbox.workdir, timeoutMs: 120_000 },
  );
  return name;
}

/**
 * The task's changes to `./dir` as a unified diff (new files included), or undefined when nothing
 * changed or it is not a git work tree (or git is missing in the sandbox).
 */
export async function repoPatch(sandbox: Sandbox, dir: string): Promise<string | undefined> {
  const r = await sandbox.exec(
    `cd ./${dir} && ${GIT} rev-parse --is-inside-work-tree >/dev/null 2>&1 && ${GIT} add -A && ${GIT} diff --cached --binary HEAD`,
    { cwd: sandbox.workdir, timeoutMs: 120_000 },
  );
  return r.exitCode === 0 && r.stdout.trim() ? r.stdout : undefined;
}
