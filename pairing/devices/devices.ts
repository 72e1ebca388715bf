// Device pairing for the dashboard: a browser proves it holds a keypair by signing a fresh nonce; an
// unknown device waits (10 minutes) until approved from the CLI or an approved device, or is approved
// at once by a one-time link. Sessions are bound to the device and die with it. One transaction per change.

import { createDeviceContext, type DevicesOptions, MINUTE, sweep } from './device-context.js';
import { hashSecret } from './device-crypto.js';
import { approve, createLink, type DeviceActor, revoke } from './device-decisions.js';
import { normaliseDeviceId } from './device-id.js';
import { type Challenge, challenge, type Login, verify } from './device-login.js';
import type { DeviceRow } from './devices-repo.js';

export {
  type DevicesOptions,
  LINK_TTL_MS,
  MAX_PENDING_DEVICES,
  NONCE_TTL_MS,
  PENDING_TTL_MS,
  SESSION_TTL_MS,
} from './device-context.js';
export type { DeviceActor } from './device-decisions.js';
export type { Challenge, Login } from './device-login.js';

export interface SessionView {
  idHash: string;
  device: DeviceRow;
  csrfToken: string;
  expiresAt: number;
}

export interface Devices {
  /** Step 1, after the caller checked the gateway token — or with `link`, a one-time link secret instead. */
  challenge(input: { publicKey: string; link?: string }): Promise<Challenge>;
  /** Step 2: the signed nonce. Creates a session; an unknown device becomes pending. */
  verify(input: { deviceId: string; nonce: string; signature: string; label?: string }): Promise<Login>;
  /** The live session behind a cookie value (any device state but revoked), or undefined. */
  session(secret: string): SessionView | undefined;
  /** Still valid for an approved device? (cheap; for open event streams). */
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

export function createDevices(opts: DevicesOptions): Devices {
  const ctx = createDeviceContext(opts);
  const { devices, sessions, clock } = ctx;
  const lastSeen = new Map<string, number>();

  return {
    challenge: (input) => challenge(ctx, input),
    verify: (input) => verify(ctx, input),

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
      // Written at most once a minute per device: every request reads the session, few need to write.
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

    endSession: (secret) => sessions.delete(hashSecret(secret)),

    list() {
      devices.expireDue(clock());
      return devices.list();
    },

    get(id) {
      const norm = normaliseDeviceId(id);
      return norm ? devices.get(norm) : undefined;
    },

    approve: (id, actor) => approve(ctx, id, actor),
    revoke: (id, actor) => revoke(ctx, id, actor),
    createLink: () => createLink(ctx),
    sweep: () => sweep(ctx),
  };
}
