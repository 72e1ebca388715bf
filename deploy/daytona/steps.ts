// Every deploy action is a named step: a progress line when it finishes, and on failure one error
// that names the step and gives the server's own reason (Daytona's error body, with its status).

import { DaytonaError } from '@daytonaio/sdk';
import { DeployUsageError } from './layout.js';

/** A step failed; `message` is `<step>: <reason>`. */
export class DeployStepError extends Error {
  constructor(
    readonly step: string,
    readonly reason: string,
  ) {
    super(`${step}: ${reason}`);
    this.name = 'DeployStepError';
  }
}

/** A sandbox command finished with a non-zero exit; `output` is its tail. */
export class RemoteCommandError extends Error {
  constructor(
    readonly what: string,
    readonly exitCode: number,
    readonly output: string,
  ) {
    super(`${what} exited with ${exitCode}${output.trim() ? `:\n${output.trimEnd()}` : ''}`);
    this.name = 'RemoteCommandError';
  }
}

/**
 * Why an error happened, in the server's words: the SDK puts the body's `message` of a failed
 * request into DaytonaError.message and the HTTP status into statusCode.
 */
export function reasonOf(err: unknown): string {
  if (err instanceof DaytonaError) {
    return err.statusCode ? `Daytona answered ${err.statusCode}: ${err.message}` : `Daytona: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

export interface Progress {
  /** A long step begins (build, install, health). */
  begin(step: string): void;
  /** A step finished; `detail` says what it did. */
  done(step: string, detail: string): void;
}

/** Runs one step: reports it, or rethrows its failure as DeployStepError. */
export async function step<T>(
  progress: Progress,
  name: string,
  fn: () => Promise<{ value: T; detail: string }>,
  opts: { long?: boolean } = {},
): Promise<T> {
  if (opts.long) progress.begin(name);
  let result: { value: T; detail: string };
  try {
    result = await fn();
  } catch (err) {
    // A usage error is the caller's to report as such (exit 2), whichever step noticed it.
    if (err instanceof DeployStepError || err instanceof DeployUsageError) throw err;
    throw new DeployStepError(name, reasonOf(err));
  }
  progress.done(name, result.detail);
  return result.value;
}
