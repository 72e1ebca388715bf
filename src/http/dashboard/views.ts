// JSON shapes the dashboard pages read: stable, camelCase, times as epoch milliseconds, nothing secret.

import { type DeviceRow, formatDeviceId } from '../../../pairing/devices/index.js';

export function deviceView(d: DeviceRow, thisDeviceId?: string) {
  return {
    id: d.id,
    display: formatDeviceId(d.id),
    label: d.label,
    state: d.state,
    createdAt: d.createdAt,
    expiresAt: d.expiresAt,
    decidedAt: d.decidedAt,
    decidedBy: d.decidedBy,
    lastSeenAt: d.lastSeenAt,
    ...(thisDeviceId !== undefined ? { thisDevice: d.id === thisDeviceId } : {}),
  };
}
