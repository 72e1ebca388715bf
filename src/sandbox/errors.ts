// Errors a sandbox caller can act on: the sandbox vanished (make a new one), the system cannot run
// sandboxes (tell the owner how to fix it), or a path tried to leave the workspace (refuse).

/** The sandbox was deleted (from outside, or it expired); the conversation should get a fresh one. */
export class SandboxGoneError extends Error {
  override readonly name = 'SandboxGoneError';
  constructor(
    readonly sandboxId: string,
    detail?: string,
  ) {
    super(`sandbox ${sandboxId} no longer exists${detail ? `: ${detail}` : ''}`);
  }
}

/** The provider cannot start sandboxes on this machine (bwrap missing, user namespaces off, …). */
export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(fix ? `${message} — fix: ${fix}` : message);
  }
}

/** A file path that points outside the workspace (traversal or symlink), or is otherwise refused. */
export class SandboxPathError extends Error {
  override readonly name = 'SandboxPathError';
}

/** Too many sandboxes are live and none is idle enough to stop. */
export class SandboxCapacityError extends Error {
  override readonly name = 'SandboxCapacityError';
}
