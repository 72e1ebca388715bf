// The one error type of pairing/devices: each refusal has a kind the HTTP layer maps to a status and
// a message the owner can act on. Nothing is changed when one is thrown.

export type DeviceErrorKind =
  | 'bad-request'
  | 'unknown-link'
  | 'link-expired'
  | 'link-used'
  | 'unknown-nonce'
  | 'nonce-expired'
  | 'nonce-used'
  | 'bad-signature'
  | 'revoked'
  | 'too-many-pending'
  | 'not-found'
  | 'wrong-state';

const STATUS: Record<DeviceErrorKind, 400 | 401 | 403 | 404 | 409 | 410 | 429> = {
  'bad-request': 400,
  'unknown-link': 401,
  'link-expired': 410,
  'link-used': 410,
  'unknown-nonce': 401,
  'nonce-expired': 401,
  'nonce-used': 401,
  'bad-signature': 401,
  revoked: 403,
  'too-many-pending': 429,
  'not-found': 404,
  'wrong-state': 409,
};

export class DeviceError extends Error {
  constructor(
    readonly kind: DeviceErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'DeviceError';
  }

  get status(): 400 | 401 | 403 | 404 | 409 | 410 | 429 {
    return STATUS[this.kind];
  }

  /** Usage errors (a malformed id) are exit 2 in the CLI. */
  get usage(): boolean {
    return this.kind === 'bad-request';
  }
}
