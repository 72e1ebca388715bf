// The one error type of pairing/: every refusal a person can act on (unknown code, expired, already decided),
// with a kind the CLI maps to an exit code (usage errors → 2, everything else → 1).

export type PairingErrorKind =
  | 'unknown-channel'
  | 'malformed-code'
  | 'invalid-entry'
  | 'not-found'
  | 'expired'
  | 'already-approved'
  | 'already-denied'
  | 'not-on-allowlist';

const USAGE_KINDS: ReadonlySet<PairingErrorKind> = new Set([
  'unknown-channel',
  'malformed-code',
  'invalid-entry',
]);

export class PairingError extends Error {
  constructor(
    readonly kind: PairingErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'PairingError';
  }

  /** True when the input itself was wrong (a usage error), not the state it referred to. */
  get usage(): boolean {
    return USAGE_KINDS.has(this.kind);
  }
}
