// Shell commands through a sandbox's supervisor: a foreground command (output capped, killed at its
// timeout or on cancel, with notes saying what was stopped and which sandbox limit it ran into) and a
// background process (rolling logs, alive until killed or the sandbox stops).

import { constants } from 'node:os';
import { SandboxPathError } from '../../errors.js';
import { CappedBuffer, TailBuffer } from '../../output-cap.js';
import type { ExecOptions, ExecResult, ProcessHandle } from '../../provider.js';
import type { ProcessLimits, SupervisorClient } from './supervisor-client.js';

/** The supervisor refuses paths by message; give callers a typed error for those. */
export function asPathError(err: unknown): unknown {
  const msg = err instanceof Error ? err.message : String(err);
  return /outside the workspace|too large|invalid path/.test(msg) ? new SandboxPathError(msg) : err;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;
export const processes = (n: number) => `${n} process${n === 1 ? '' : 'es'}`;

/** `text` with one `[note]` line per note appended. */
export function withNotes(text: string, notes: string[]): string {
  if (!notes.length) return text;
  return `${text}${text && !text.endsWith('\n') ? '\n' : ''}${notes.map((n) => `[${n}]\n`).join('')}`;
}

/** A shell-style exit code: the code, or 128 + the signal's number. */
function exitCodeOf(code: number | null, signal: string | null): number {
  if (code !== null) return code;
  const num = signal ? (constants.signals as Record<string, number | undefined>)[`SIG${signal}`] : undefined;
  return 128 + (num ?? 9);
}

export interface CommandOptions extends Omit<ExecOptions, 'timeoutMs'> {
  env: Record<string, string>;
  timeoutMs: number;
  limits: ProcessLimits;
  /** Bytes kept per stream; past it the stream ends with a truncation marker. */
  outputCap: number;
  /** Called after the command: one note per sandbox limit it ran into. */
  limitNotes(): Promise<string[]>;
  /** The supervisor went away under the command: throws SandboxGoneError when the sandbox was deleted. */
  onSandboxStopped(): void;
}

/** Runs `cmd` under `/bin/sh -c` to its end; everything it started goes with it (ExecResult.stray). */
export async function runCommand(sup: SupervisorClient, cmd: string, o: CommandOptions): Promise<ExecResult> {
  const stdout = new CappedBuffer(o.outputCap);
  const stderr = new CappedBuffer(o.outputCap);
  let timedOut = false;
  let id: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  // A quick command's exit can be handled before the spawn reply's callback runs: no timer then,
  // or a stray timer would keep the process alive for the whole timeout.
  let finished = false;
  const onAbort = () => id && sup.signal(id, 'KILL');
  try {
    const exit = await new Promise<{ code: number | null; signal: string | null; stray: number }>(
      (resolve, reject) => {
        sup
          .spawn(
            {
              argv: ['/bin/sh', '-c', cmd],
              cwd: o.cwd,
              env: o.env,
              limits: o.limits,
              maxOutput: o.outputCap + 1,
            },
            {
              onOutput: (fd, data) => (fd === 1 ? stdout : stderr).push(data),
              onTruncated: (fd) => (fd === 1 ? stdout : stderr).markTruncated(),
              onExit: (code, signal, stray) => resolve({ code, signal, stray }),
            },
          )
          .catch((err: unknown) => Promise.reject(asPathError(err)))
          .then((p) => {
            id = p.id;
            if (finished) return;
            timer = setTimeout(() => {
              timedOut = true;
              sup.signal(p.id, 'KILL');
            }, o.timeoutMs);
            if (o.signal?.aborted) onAbort();
            o.signal?.addEventListener('abort', onAbort, { once: true });
          }, reject);
      },
    );
    if (exit.signal === 'SANDBOX_STOPPED') o.onSandboxStopped();
    const notes = await o.limitNotes();
    const what = exit.stray ? `the command and ${processes(exit.stray)} it started` : 'the command';
    if (timedOut) notes.unshift(`timed out after ${seconds(o.timeoutMs)}: stopped ${what}`);
    else if (o.signal?.aborted) notes.unshift(`cancelled: stopped ${what}`);
    else if (exit.stray) notes.push(`stopped ${processes(exit.stray)} the command left running`);
    return {
      exitCode: exitCodeOf(exit.code, exit.signal),
      stdout: stdout.text(),
      stderr: withNotes(stderr.text(), notes),
      timedOut,
      ...(exit.stray ? { stray: exit.stray } : {}),
    };
  } finally {
    finished = true;
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** Starts `cmd` as a kept job: it and what it forks live until killed or the sandbox stops. */
export async function startBackground(
  sup: SupervisorClient,
  cmd: string,
  o: { cwd?: string; env: Record<string, string>; limits: ProcessLimits; outputCap: number },
): Promise<ProcessHandle> {
  const logs = new TailBuffer(o.outputCap);
  const state = { running: true, exitCode: undefined as number | undefined };
  const { id, pid } = await sup.spawn(
    { argv: ['/bin/sh', '-c', cmd], cwd: o.cwd, env: o.env, limits: o.limits, keep: true },
    {
      onOutput: (_fd, data) => logs.push(data),
      onExit: (code, signal) => {
        state.running = false;
        state.exitCode = exitCodeOf(code, signal);
        logs.push(Buffer.from(`\n[process exited with code ${state.exitCode}]\n`));
      },
    },
  );
  return {
    id,
    pid,
    logs: async () => logs.text(),
    running: async () => state.running,
    // Also after its first process exited: a server that forked into the background is still its job.
    kill: async () => sup.signal(id, 'KILL'),
  };
}
