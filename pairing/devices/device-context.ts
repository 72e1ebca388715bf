// What every part of pairing/devices shares: the repositories over one database, the audit writer, a
// clock and the lifetimes. Built once by createDevices; the login flow and the decisions take it.

import type { Db } from '../../src/store/db.js';
import { cutText } from '../../src/text/cut.js';
import { createDeviceAudit, type DeviceAudit } from './device-audit.js';
import { decodeBase64url } from './device-crypto.js';
import { DeviceError } from './device-errors.js';
import { normaliseDeviceId } from './device-id.js';
import { DevicesRepo } from './devices-repo.js';
import { LinksRepo } from './links-repo.js';
import { NoncesRepo } from './nonces-repo.js';
import { SessionsRepo } from './sessions-repo.js';

export const MINUTE = 60_000;
export const PENDING_TTL_MS = 10 * MINUTE;
export const LINK_TTL_MS = 10 * MINUTE;
export const NONCE_TTL_MS = 2 * MINUTE;
export const SESSION_TTL_MS = 7 * 24 * 60 * MINUTE;
export const MAX_PENDING_DEVICES = 10;

export interface DevicesOptions {
  db: Db;
  /** Milliseconds since the epoch; tests inject one. */
  clock?: () => number;
  pendingTtlMs?: number;
  linkTtlMs?: number;
  nonceTtlMs?: number;
  sessionTtlMs?: number;
  maxPending?: number;
}

export interface DeviceContext {
  db: Db;
  clock: () => number;
  ttl: { pending: number; link: number; nonce: number; session: number };
  maxPending: number;
  devices: DevicesRepo;
  nonces: NoncesRepo;
  sessions: SessionsRepo;
  links: LinksRepo;
  audit: DeviceAudit;
}

export function createDeviceContext(opts: DevicesOptions): DeviceContext {
  return {
    db: opts.db,
    clock: opts.clock ?? Date.now,
    ttl: {
      pending: opts.pendingTtlMs ?? PENDING_TTL_MS,
      link: opts.linkTtlMs ?? LINK_TTL_MS,
      nonce: opts.nonceTtlMs ?? NONCE_TTL_MS,
      session: opts.sessionTtlMs ?? SESSION_TTL_MS,
    },
    maxPending: opts.maxPending ?? MAX_PENDING_DEVICES,
    devices: new DevicesRepo(opts.db),
    nonces: new NoncesRepo(opts.db),
    sessions: new SessionsRepo(opts.db),
    links: new LinksRepo(opts.db),
    audit: createDeviceAudit(opts.db),
  };
}

export function parseId(input: string): string {
  const id = normaliseDeviceId(input);
  if (!id) {
    throw new DeviceError(
      'bad-request',
      `"${cutText(input, 40)}" is not a device id (20 letters and digits)`,
    );
  }
  return id;
}

export function base64urlBytes(value: string, what: string): Buffer {
  const b = decodeBase64url(value);
  if (!b || b.length === 0) throw new DeviceError('bad-request', `${what} must be base64url`);
  return b;
}

export const LINK_HINT = 'run `sandgate dashboard` for a new one';
export const REVOKED_HINT = 'this device was revoked; a one-time link from `sandgate dashboard` re-admits it';

/** Lapses due requests and forgets old nonces, sessions and links. */
export function sweep(ctx: DeviceContext): void {
  const now = ctx.clock();
  ctx.db
    .transaction(() => {
      ctx.devices.expireDue(now);
      ctx.nonces.prune(now - 60 * MINUTE);
      ctx.sessions.prune(now);
      ctx.links.prune(now - 24 * 60 * MINUTE);
      ctx.devices.forgetExpired(now - 24 * 60 * MINUTE);
    })
    .immediate();
}
