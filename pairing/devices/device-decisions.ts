// The owner's decisions about devices, from the CLI or an approved device: approve a waiting one,
// revoke one (its sessions are deleted in the same transaction), mint a one-time login link. Each is
// one immediate transaction with its audit entry; a decision on the wrong state is refused, not repeated.

import { type DeviceContext, parseId } from './device-context.js';
import { hashSecret, newSecret } from './device-crypto.js';
import { DeviceError } from './device-errors.js';
import { formatDeviceId } from './device-id.js';
import type { DeviceRow } from './devices-repo.js';

/** `cli`, or `dashboard` with the approving device's id. */
export type DeviceActor = { kind: 'cli' } | { kind: 'dashboard'; deviceId: string };

function actorFields(actor: DeviceActor): {
  actor: 'cli' | 'dashboard';
  by: string;
  detail: Record<string, string>;
} {
  return actor.kind === 'cli'
    ? { actor: 'cli', by: 'cli', detail: {} }
    : { actor: 'dashboard', by: `dashboard:${actor.deviceId}`, detail: { by: actor.deviceId } };
}

export function approve(ctx: DeviceContext, input: string, actor: DeviceActor): DeviceRow {
  const id = parseId(input);
  return ctx.db
    .transaction((): DeviceRow => {
      const now = ctx.clock();
      ctx.devices.expireDue(now);
      const d = ctx.devices.get(id);
      if (!d)
        throw new DeviceError('not-found', `no device ${formatDeviceId(id)}; open the dashboard on it first`);
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
      ctx.devices.setState(id, ['pending'], 'approved', a.by, now);
      ctx.audit.record({
        action: 'device.approve',
        subject: id,
        actor: a.actor,
        at: now,
        detail: { ...a.detail, label: d.label },
      });
      return ctx.devices.get(id) as DeviceRow;
    })
    .immediate();
}

export function revoke(
  ctx: DeviceContext,
  input: string,
  actor: DeviceActor,
): { device: DeviceRow; sessionsClosed: number } {
  const id = parseId(input);
  return ctx.db
    .transaction(() => {
      const now = ctx.clock();
      const d = ctx.devices.get(id);
      if (!d) throw new DeviceError('not-found', `no device ${formatDeviceId(id)}`);
      const a = actorFields(actor);
      if (!ctx.devices.setState(id, ['pending', 'approved', 'expired'], 'revoked', a.by, now)) {
        throw new DeviceError('wrong-state', `device ${formatDeviceId(id)} is already revoked`);
      }
      const sessionsClosed = ctx.sessions.deleteForDevice(id);
      ctx.audit.record({
        action: 'device.revoke',
        subject: id,
        actor: a.actor,
        at: now,
        detail: { ...a.detail, label: d.label },
      });
      return { device: ctx.devices.get(id) as DeviceRow, sessionsClosed };
    })
    .immediate();
}

export function createLink(ctx: DeviceContext): { secret: string; expiresAt: number } {
  const secret = newSecret();
  const now = ctx.clock();
  const expiresAt = now + ctx.ttl.link;
  ctx.db
    .transaction(() => {
      const id = ctx.links.insert(hashSecret(secret), now, expiresAt);
      ctx.audit.record({
        action: 'device.link',
        subject: `link:${id}`,
        actor: 'cli',
        at: now,
        detail: { expiresAt: new Date(expiresAt).toISOString() },
      });
    })
    .immediate();
  return { secret, expiresAt };
}
