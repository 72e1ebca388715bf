// The public surface of pairing/devices: what the dashboard routes and the CLI import.

export { DEVICE_AUDIT_CHANNEL, type DeviceAuditAction } from './device-audit.js';
export { loginMessage } from './device-crypto.js';
export { DeviceError, type DeviceErrorKind } from './device-errors.js';
export { DEVICE_ID_LENGTH, deviceIdFromPublicKey, formatDeviceId, normaliseDeviceId } from './device-id.js';
export {
  type Challenge,
  createDevices,
  type DeviceActor,
  type Devices,
  type DevicesOptions,
  LINK_TTL_MS,
  type Login,
  MAX_PENDING_DEVICES,
  NONCE_TTL_MS,
  PENDING_TTL_MS,
  SESSION_TTL_MS,
  type SessionView,
} from './devices.js';
export type { DeviceRow, DeviceState } from './devices-repo.js';
