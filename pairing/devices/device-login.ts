// The login challenge: a fresh single-use nonce bound to one public key (and one-time link, if any),
// then the signature over it. The nonce is spent by the first attempt, right or wrong, so a signature
// cannot be replayed and a forgery costs the nonce. Success creates a session bound to the device.

import {
  base64urlBytes,
  type DeviceContext,
  LINK_HINT,
  parseId,
  REVOKED_HINT,
  sweep,
} from './device-context.js';
import {
  hashSecret,
  isP256PublicKey,
  loginMessage,
  newSecret,
  verifyLoginSignature,
} from './device-crypto.js';
import { DeviceError } from './device-errors.js';
import { deviceIdFromPublicKey } from './device-id.js';
import type { DeviceRow } from './devices-repo.js';

export interface Challenge {
  deviceId: string;
  nonce: string;
  expiresAt: number;
  /** The exact text to sign (ECDSA P-256, SHA-256). */
  message: string;
}

export interface Login {
  device: DeviceRow;
  via: 'token' | 'link';
  /** The cookie value; only its hash is stored. */
  sessionSecret: string;
  csrfToken: string;
  expiresAt: number;
}

function checkLink(ctx: DeviceContext, secret: string): number {
  const link = ctx.links.byHash(hashSecret(secret));
  if (!link) throw new DeviceError('unknown-link', `this login link is not valid; ${LINK_HINT}`);
  if (link.usedAt !== null)
    throw new DeviceError('link-used', `this login link was already used; ${LINK_HINT}`);
  if (link.expiresAt <= ctx.clock())
    throw new DeviceError('link-expired', `this login link has expired; ${LINK_HINT}`);
  return link.id;
}

/** Step 1, after the caller checked the gateway token — or with `link`, a one-time link secret instead. */
export async function challenge(
  ctx: DeviceContext,
  input: { publicKey: string; link?: string },
): Promise<Challenge> {
  const spki = base64urlBytes(input.publicKey, 'publicKey');
  if (!(await isP256PublicKey(spki))) {
    throw new DeviceError('bad-request', 'publicKey must be an SPKI-encoded ECDSA P-256 public key');
  }
  sweep(ctx);
  const deviceId = deviceIdFromPublicKey(spki);
  const linkId = input.link === undefined ? null : checkLink(ctx, input.link);
  const known = ctx.devices.get(deviceId);
  if (linkId === null && known?.state === 'revoked') throw new DeviceError('revoked', REVOKED_HINT);
  const asksAnew = known?.state !== 'approved' && known?.state !== 'pending';
  if (linkId === null && asksAnew && ctx.devices.pendingCount(ctx.clock()) >= ctx.maxPending) {
    throw new DeviceError(
      'too-many-pending',
      `${ctx.maxPending} devices are already waiting for approval; try again later`,
    );
  }
  const nonce = newSecret();
  const now = ctx.clock();
  const expiresAt = now + ctx.ttl.nonce;
  ctx.nonces.insert({
    nonceHash: hashSecret(nonce),
    deviceId,
    publicKey: spki.toString('base64url'),
    linkId,
    createdAt: now,
    expiresAt,
  });
  return { deviceId, nonce, expiresAt, message: loginMessage(nonce, deviceId) };
}

/** Step 2: the signed nonce. Creates a session; an unknown device becomes pending. */
export async function verify(
  ctx: DeviceContext,
  input: { deviceId: string; nonce: string; signature: string; label?: string },
): Promise<Login> {
  const { devices, nonces, links, sessions, audit } = ctx;
  const deviceId = parseId(input.deviceId);
  const signature = base64urlBytes(input.signature, 'signature');
  const nonceHash = hashSecret(input.nonce);
  const row = nonces.get(nonceHash);
  if (!row || row.deviceId !== deviceId)
    throw new DeviceError('unknown-nonce', 'unknown login challenge; start again');
  const used = () => new DeviceError('nonce-used', 'this login challenge was already used; start again');
  if (row.usedAt !== null) throw used();
  if (row.expiresAt <= ctx.clock())
    throw new DeviceError('nonce-expired', 'the login challenge expired; start again');
  // Consumed before the check: one attempt per nonce, whatever the outcome.
  if (!nonces.use(nonceHash, ctx.clock())) throw used();
  const spki = Buffer.from(row.publicKey, 'base64url');
  if (!(await verifyLoginSignature(spki, loginMessage(input.nonce, deviceId), signature))) {
    throw new DeviceError('bad-signature', 'the signature does not match this device key');
  }
  const label = (input.label ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 80);
  return ctx.db
    .transaction((): Login => {
      const now = ctx.clock();
      devices.expireDue(now);
      let via: Login['via'] = 'token';
      if (row.linkId !== null) {
        via = 'link';
        if (!links.use(row.linkId, deviceId, now)) {
          if (links.byId(row.linkId)?.usedAt === null) {
            throw new DeviceError('link-expired', `this login link has expired; ${LINK_HINT}`);
          }
          throw new DeviceError('link-used', `this login link was already used; ${LINK_HINT}`);
        }
        if (devices.get(deviceId)?.state !== 'approved') {
          devices.insertApproved({ id: deviceId, publicKey: row.publicKey, label, now, by: 'link' });
          audit.record({
            action: 'device.approve',
            subject: deviceId,
            actor: 'cli',
            at: now,
            detail: { via: 'one-time link', label },
          });
        }
      } else {
        const known = devices.get(deviceId);
        if (known?.state === 'revoked') throw new DeviceError('revoked', REVOKED_HINT);
        if (!known || known.state === 'expired') {
          devices.insertPending({
            id: deviceId,
            publicKey: row.publicKey,
            label,
            now,
            expiresAt: now + ctx.ttl.pending,
          });
        }
      }
      const sessionSecret = newSecret();
      const csrfToken = newSecret();
      const expiresAt = now + ctx.ttl.session;
      sessions.insert({ idHash: hashSecret(sessionSecret), deviceId, csrfToken, createdAt: now, expiresAt });
      devices.markSeen(deviceId, now);
      return { device: devices.get(deviceId) as DeviceRow, via, sessionSecret, csrfToken, expiresAt };
    })
    .immediate();
}
