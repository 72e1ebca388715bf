// Device pairing for the dashboard: a browser proves it holds a keypair by signing a fresh nonce; an
// unknown device waits (10 minutes) until approved from the CLI or an approved device, or is approved
// at once by a one-time link. Sessions are bound to the device and die with it. One transaction per change.

import type { Db } from '../../src/store/db.js';
import { createDeviceAudit, type DeviceAudit } from './device-audit.js';
import {
  decodeBase64url,
  hashSecret,
  isP256PublicKey,
  loginMessage,
  newSecret,
  verifyLoginSignature,
} from './device-crypto.js';
import { DeviceError } from './device-errors.js';
import { deviceIdFromPublicKey, formatDeviceId, normaliseDeviceId } from './device-id.js';
import { type DeviceRow, DevicesRepo } from './devices-repo.js';
import { LinksRepo } from './links-repo.js';
import { NoncesRepo } from './nonces-repo.js';
import { SessionsRepo } from './sessions-repo.js';

const MINUTE = 60_000;
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

export interface SessionView {
  idHash: string;
  device: DeviceRow;
  csrfToken: string;
  expiresAt: number;
}

/** `cli`, or `dashboard` with the approving device's id. */
export type DeviceActor = { kind: 'cli' } | { kind: 'dashboard'; deviceId: string };

export interface Devices {
  /** Step 1, after the caller checked the gateway token — or with `link`, a one-time link secret instead. */
  challenge(input: { publicKey: string; link?: string }): Promise<Challenge>;
  /** Step 2: the signed nonce. Creates a session; an unknown device becomes pending. */
  verify(input: { deviceId: string; nonce: string; signature: string; label?: string }): Promise<Login>;
  /** The live session behind a cookie value, or undefined (unknown, expired, device revoked). */
  session(secret: string): SessionView | undefined;
  /** Still valid? (cheap; for open event streams). */
  sessionAlive(idHash: string): boolean;
  endSession(secret: string): void;
  list(): DeviceRow[];
  get(id: string): DeviceRow | undefined;
  approve(id: string, actor: DeviceActor): DeviceRow;
  /** Effective at once: the device's sessions are deleted. */
  revoke(id: string, actor: DeviceActor): { device: DeviceRow; sessionsClosed: number };
  createLink(): { secret: string; expiresAt: number };
  /** Lapses due requests and forgets old nonces, sessions and links. */
  sweep(): void;
}

function parseId(input: string): string {
  const id = normaliseDeviceId(input);
  if (!id)
    throw new DeviceError(
      'bad-request',
      `"${input.slice(0, 40)}" is not a device id (20 letters and digits)`,
    );
  return id;
}

function bytes(value: string, what: string): Buffer {
  const b = decodeBase64url(value);
  if (!b || b.length === 0) throw new DeviceError('bad-request', `${what} must be base64url`);
  return b;
}

export function createDevices(opts: DevicesOptions): Devices {
  const { db } = opts;
  const clock = opts.clock ?? Date.now;
  const ttl = {
    pending: opts.pendingTtlMs ?? PENDING_TTL_MS,
    link: opts.linkTtlMs ?? LINK_TTL_MS,
    nonce: opts.nonceTtlMs ?? NONCE_TTL_MS,
    session: opts.sessionTtlMs ?? SESSION_TTL_MS,
  };
  const maxPending = opts.maxPending ?? MAX_PENDING_DEVICES;
  const devices = new DevicesRepo(db);
  const nonces = new NoncesRepo(db);
  const sessions = new SessionsRepo(db);
  const links = new LinksRepo(db);
  const audit: DeviceAudit = createDeviceAudit(db);
  const lastSeen = new Map<string, number>();

  const actorFields = (
    actor: DeviceActor,
  ): { actor: 'cli' | 'dashboard'; by: string; detail: Record<string, string> } =>
    actor.kind === 'cli'
      ? { actor: 'cli', by: 'cli', detail: {} }
      : { actor: 'dashboard', by: `dashboard:${actor.deviceId}`, detail: { by: actor.deviceId } };

  function checkLink(secret: string): number {
    const link = links.byHash(hashSecret(secret));
    if (!link)
      throw new DeviceError(
        'unknown-link',
        'this login link is not valid; run `sandgate dashboard` for a new one',
      );
    if (link.usedAt !== null)
      throw new DeviceError(
        'link-used',
        'this login link was already used; run `sandgate dashboard` for a new one',
      );
    if (link.expiresAt <= clock())
      throw new DeviceError(
        'link-expired',
        'this login link has expired; run `sandgate dashboard` for a new one',
      );
    return link.id;
  }

  function sweep(): void {
    const now = clock();
    db.transaction(() => {
      devices.expireDue(now);
      nonces.prune(now - 60 * MINUTE);
      sessions.prune(now);
      links.prune(now - 24 * 60 * MINUTE);
      devices.forgetExpired(now - 24 * 60 * MINUTE);
    }).immediate();
  }

  return {
    async challenge(input) {
      const spki = bytes(input.publicKey, 'publicKey');
      if (!(await isP256PublicKey(spki))) {
        throw new DeviceError('bad-request', 'publicKey must be an SPKI-encoded ECDSA P-256 public key');
      }
      sweep();
      const deviceId = deviceIdFromPublicKey(spki);
      const linkId = input.link === undefined ? null : checkLink(input.link);
      const known = devices.get(deviceId);
      if (linkId === null && known?.state === 'revoked') {
        throw new DeviceError(
          'revoked',
          'this device was revoked; a one-time link from `sandgate dashboard` re-admits it',
        );
      }
      if (
        linkId === null &&
        known?.state !== 'approved' &&
        known?.state !== 'pending' &&
        devices.pendingCount(clock()) >= maxPending
      ) {
        throw new DeviceError(
          'too-many-pending',
          `${maxPending} devices are already waiting for approval; try again later`,
        );
      }
      const nonce = newSecret();
      const now = clock();
      const expiresAt = now + ttl.nonce;
      nonces.insert({
        nonceHash: hashSecret(nonce),
        deviceId,
        publicKey: spki.toString('base64url'),
        linkId,
        createdAt: now,
        expiresAt,
      });
      return { deviceId, nonce, expiresAt, message: loginMessage(nonce, deviceId) };
    },

    async verify(input) {
      const deviceId = parseId(input.deviceId);
      const signature = bytes(input.signature, 'signature');
      const nonceHash = hashSecret(input.nonce);
      const row = nonces.get(nonceHash);
      if (!row || row.deviceId !== deviceId)
        throw new DeviceError('unknown-nonce', 'unknown login challenge; start again');
      if (row.usedAt !== null)
        throw new DeviceError('nonce-used', 'this login challenge was already used; start again');
      if (row.expiresAt <= clock())
        throw new DeviceError('nonce-expired', 'the login challenge expired; start again');
      // Consumed before the check: one attempt per nonce, whatever the outcome.
      if (!nonces.use(nonceHash, clock()))
        throw new DeviceError('nonce-used', 'this login challenge was already used; start again');
      const spki = Buffer.from(row.publicKey, 'base64url');
      if (!(await verifyLoginSignature(spki, loginMessage(input.nonce, deviceId), signature))) {
        throw new DeviceError('bad-signature', 'the signature does not match this device key');
      }
      const label = (input.label ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 80);
      return db
        .transaction((): Login => {
          const now = clock();
          devices.expireDue(now);
          let via: Login['via'] = 'token';
          if (row.linkId !== null) {
            via = 'link';
            if (!links.use(row.linkId, deviceId, now)) {
              const link = links.byId(row.linkId);
              if (link && link.usedAt === null)
                throw new DeviceError(
                  'link-expired',
                  'this login link has expired; run `sandgate dashboard` for a new one',
                );
              throw new DeviceError(
                'link-used',
                'this login link was already used; run `sandgate dashboard` for a new one',
              );
            }
            const before = devices.get(deviceId);
            if (before?.state !== 'approved') {
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
            if (known?.state === 'revoked')
              throw new DeviceError(
                'revoked',
                'this device was revoked; a one-time link from `sandgate dashboard` re-admits it',
              );
            if (!known || known.state === 'expired') {
              devices.insertPending({
                id: deviceId,
                publicKey: row.publicKey,
                label,
                now,
                expiresAt: now + ttl.pending,
              });
            }
          }
          const sessionSecret = newSecret();
          const csrfToken = newSecret();
          const expiresAt = now + ttl.session;
          sessions.insert({
            idHash: hashSecret(sessionSecret),
            deviceId,
            csrfToken,
            createdAt: now,
            expiresAt,
          });
          devices.markSeen(deviceId, now);
          return { device: devices.get(deviceId) as DeviceRow, via, sessionSecret, csrfToken, expiresAt };
        })
        .immediate();
    },

    session(secret) {
      const idHash = hashSecret(secret);
      const s = sessions.get(idHash);
      if (!s) return undefined;
      const now = clock();
      if (s.expiresAt <= now) {
        sessions.delete(idHash);
        return undefined;
      }
      let device = devices.get(s.deviceId);
      if (!device || device.state === 'revoked') return undefined;
      if (device.state === 'pending' && device.expiresAt !== null && device.expiresAt <= now) {
        devices.expireDue(now);
        device = { ...device, state: 'expired' };
      }
      if ((lastSeen.get(device.id) ?? 0) < now - MINUTE) {
        lastSeen.set(device.id, now);
        devices.markSeen(device.id, now);
      }
      return { idHash, device, csrfToken: s.csrfToken, expiresAt: s.expiresAt };
    },

    sessionAlive(idHash) {
      const s = sessions.get(idHash);
      if (!s || s.expiresAt <= clock()) return false;
      return devices.get(s.deviceId)?.state === 'approved';
    },

    endSession(secret) {
      sessions.delete(hashSecret(secret));
    },

    list() {
      devices.expireDue(clock());
      return devices.list();
    },

    get(id) {
      const norm = normaliseDeviceId(id);
      return norm ? devices.get(norm) : undefined;
    },

    approve(input, actor) {
      const id = parseId(input);
      return db
        .transaction((): DeviceRow => {
          const now = clock();
          devices.expireDue(now);
          const d = devices.get(id);
          if (!d)
            throw new DeviceError(
              'not-found',
              `no device ${formatDeviceId(id)}; open the dashboard on it first`,
            );
          if (d.state !== 'pending') {
            const why = {
              approved: 'is already approved',
              revoked: 'was revoked; a one-time link from `sandgate dashboard` re-admits it',
              expired: 'asked more than 10 minutes ago; sign in on that device again, then approve it',
              pending: '',
            }[d.state];
            throw new DeviceError('wrong-state', `device ${formatDeviceId(id)} ${why}`);
          }
          const a = actorFields(actor);
          devices.setState(id, ['pending'], 'approved', a.by, now);
          audit.record({
            action: 'device.approve',
            subject: id,
            actor: a.actor,
            at: now,
            detail: { ...a.detail, label: d.label },
          });
          return devices.get(id) as DeviceRow;
        })
        .immediate();
    },

    revoke(input, actor) {
      const id = parseId(input);
      return db
        .transaction(() => {
          const now = clock();
          const d = devices.get(id);
          if (!d) throw new DeviceError('not-found', `no device ${formatDeviceId(id)}`);
          const a = actorFields(actor);
          if (!devices.setState(id, ['pending', 'approved', 'expired'], 'revoked', a.by, now)) {
            throw new DeviceError('wrong-state', `device ${formatDeviceId(id)} is already revoked`);
          }
          const sessionsClosed = sessions.deleteForDevice(id);
          audit.record({
            action: 'device.revoke',
            subject: id,
            actor: a.actor,
            at: now,
            detail: { ...a.detail, label: d.label },
          });
          return { device: devices.get(id) as DeviceRow, sessionsClosed };
        })
        .immediate();
    },

    createLink() {
      const secret = newSecret();
      const now = clock();
      const expiresAt = now + ttl.link;
      db.transaction(() => {
        const id = links.insert(hashSecret(secret), now, expiresAt);
        audit.record({
          action: 'device.link',
          subject: `link:${id}`,
          actor: 'cli',
          at: now,
          detail: { expiresAt: new Date(expiresAt).toISOString() },
        });
      }).immediate();
      return { secret, expiresAt };
    },

    sweep,
  };
}
