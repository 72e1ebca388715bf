// Device decisions go into pairing's audit log (same table, same reader) so `sandgate audit` and the
// dashboard show them next to pairing approvals.

import type { Db } from '../../src/store/db.js';
import { type AuditAction, AuditLog } from '../audit.js';

export type DeviceAuditAction = Extract<AuditAction, `device.${string}`>;

/** The audit `channel` column of device entries. */
export const DEVICE_AUDIT_CHANNEL = 'dashboard';

export interface DeviceAudit {
  record(e: {
    action: DeviceAuditAction;
    subject: string;
    actor: 'cli' | 'dashboard';
    at: number;
    detail?: Record<string, string | number | boolean | null>;
  }): void;
}

export function createDeviceAudit(db: Db): DeviceAudit {
  const log = new AuditLog(db);
  return {
    record: (e) =>
      log.record({
        at: e.at,
        action: e.action,
        channel: DEVICE_AUDIT_CHANNEL,
        subject: e.subject,
        actor: e.actor,
        detail: e.detail ?? null,
      }),
  };
}
